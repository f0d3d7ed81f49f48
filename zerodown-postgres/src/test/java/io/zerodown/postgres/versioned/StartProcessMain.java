package io.zerodown.postgres.versioned;

import io.zerodown.postgres.apply.PostgresConnections;

/** Runs a versioned start in its own JVM, slowly, so a test can kill the whole process (SIGKILL) mid-backfill. */
public final class StartProcessMain {
    private StartProcessMain() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String user = args[1];
        String yaml = args[2];
        VersionedOptions slow = VersionedOptions.defaults().withBatch(200, 20);
        new VersionedEngine(PostgresConnections.of(url, user), slow, l -> { })
                .start(VersionedFixture.yaml("v2", yaml), yaml, false);
        System.out.println("STARTED");
    }
}
