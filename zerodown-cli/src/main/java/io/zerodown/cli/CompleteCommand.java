package io.zerodown.cli;

import io.zerodown.postgres.versioned.VersionedEngine;
import io.zerodown.postgres.versioned.VersionedOptions;
import picocli.CommandLine;

import java.util.concurrent.Callable;

@CommandLine.Command(name = "complete", sortOptions = false,
        description = {"Complete the oldest versioned migration in flight (PostgreSQL): drop the old version's schema, the sync",
                "triggers and the old columns, then apply the final names and constraints. Run it once no app instance uses",
                "the old version. Re-running it resumes an interrupted complete."})
final class CompleteCommand implements Callable<Integer> {

    @CommandLine.ParentCommand
    Main main;

    @CommandLine.Mixin
    Database.UrlOption url = new Database.UrlOption();

    @CommandLine.Option(names = "--migration", paramLabel = "NAME", description = "the version to complete (must be the oldest in flight)")
    String migration;

    @CommandLine.Option(names = "--lock-timeout", defaultValue = "100ms", paramLabel = "DURATION",
            description = "lock_timeout of each DDL statement (default: ${DEFAULT-VALUE})")
    String lockTimeout;

    @Override
    public Integer call() throws Exception {
        try (Database db = Database.open(url, false, main.err)) {
            VersionedOptions o = VersionedOptions.defaults().withLockTimeout(ApplyCommand.ms(lockTimeout, "--lock-timeout"));
            String done = new VersionedEngine(db.connections, o, line -> main.out.println(line)).complete(migration);
            main.out.println("completed: " + done);
            return 0;
        }
    }
}
