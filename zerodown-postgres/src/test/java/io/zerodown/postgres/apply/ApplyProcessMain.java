package io.zerodown.postgres.apply;

import io.zerodown.core.source.MigrationScanner;

import java.nio.file.Path;
import java.util.List;

/** Runs apply in its own JVM so a test can kill the whole process (SIGKILL), not just a thread. */
public final class ApplyProcessMain {
    private ApplyProcessMain() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String user = args[1];
        Path dir = Path.of(args[2]);
        long targetMs = Long.parseLong(args[3]);
        int maxBatch = Integer.parseInt(args[4]);
        ApplyOptions o = ApplyOptions.defaults().withBackfill(targetMs, Math.min(100, maxBatch), 10, maxBatch)
                .withRetryBudget(1000, 600_000);
        new PostgresApplier(PostgresConnections.of(url, user), o, ApplyListener.NONE)
                .apply(MigrationScanner.standard().scan(List.of(dir)));
        System.out.println("APPLIED");
    }
}
