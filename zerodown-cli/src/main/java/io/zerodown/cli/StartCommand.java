package io.zerodown.cli;

import io.zerodown.postgres.versioned.VersionedEngine;
import io.zerodown.postgres.versioned.VersionedOptions;
import picocli.CommandLine;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@CommandLine.Command(name = "start", sortOptions = false,
        description = {"Start a versioned migration (PostgreSQL): expand the tables, keep old and new columns in sync, backfill,",
                "then publish the new version's schema of views next to the old one. Re-running it resumes an interrupted start."})
final class StartCommand implements Callable<Integer> {

    @CommandLine.ParentCommand
    Main main;

    @CommandLine.Mixin
    Database.UrlOption url = new Database.UrlOption();

    @CommandLine.Option(names = "--lock-timeout", defaultValue = "100ms", paramLabel = "DURATION",
            description = "lock_timeout of each DDL statement; a timeout is retried with backoff, a bounded number of times (default: ${DEFAULT-VALUE})")
    String lockTimeout;

    @CommandLine.Option(names = "--lock-attempts", defaultValue = "30", paramLabel = "N", description = "attempts per step (default: ${DEFAULT-VALUE})")
    int lockAttempts;

    @CommandLine.Option(names = "--batch-time", defaultValue = "30ms", paramLabel = "DURATION",
            description = "target time of one backfill batch, which sizes the next one (default: ${DEFAULT-VALUE})")
    String batchTime;

    @CommandLine.Option(names = "--batch-size", paramLabel = "ROWS", description = "fixed rows per backfill batch instead of --batch-time")
    Integer batchSize;

    @CommandLine.Option(names = "--max-replica-lag", defaultValue = "10s", paramLabel = "DURATION",
            description = "pause the backfill while a streaming replica lags more; 0 never pauses (default: ${DEFAULT-VALUE})")
    String maxLag;

    @CommandLine.Option(names = "--batch-pause", defaultValue = "0ms", paramLabel = "DURATION", description = "pause between backfill batches (default: ${DEFAULT-VALUE})")
    String batchPause;

    @CommandLine.Parameters(paramLabel = "FILE", arity = "1", description = "the migration, .yaml/.yml or .json (docs/schema/zerodown-migration.schema.json)")
    Path file;

    @Override
    public Integer call() throws Exception {
        try (Database db = Database.open(url, false, main.err)) {
            if (batchSize != null && batchSize < 1) throw new io.zerodown.api.ZerodownException("--batch-size must be at least 1");
            long target = ApplyCommand.ms(batchTime, "--batch-time");
            VersionedOptions o = VersionedOptions.defaults().withLockTimeout(ApplyCommand.ms(lockTimeout, "--lock-timeout"))
                    .withReplicaLag(ApplyCommand.ms(maxLag, "--max-replica-lag"), null);
            o = o.withLockAttempts(lockAttempts);
            o = batchSize != null ? o.withBatch(batchSize, ApplyCommand.ms(batchPause, "--batch-pause"))
                    : o.withBatchTarget(Math.max(1, target), 1_000).withBatchPause(ApplyCommand.ms(batchPause, "--batch-pause"));
            VersionedEngine.Started s = new VersionedEngine(db.connections, o, line -> main.out.println(line)).start(file);
            main.out.println();
            main.out.println("version " + s.name() + " is live in schema " + s.versionSchema() + ".");
            main.out.println("  new app instances:  search_path " + s.searchPath() + "   (zerodown version --print jdbc-url shows the URL)");
            main.out.println("  old app instances:  unchanged");
            main.out.println("  when no old instance is left: zerodown complete; to undo: zerodown rollback");
            return 0;
        }
    }
}
