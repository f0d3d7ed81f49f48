package io.zerodown.cli;

import io.zerodown.core.source.MigrationFile;
import io.zerodown.core.source.MigrationScanner;
import io.zerodown.core.lint.LintEngine;
import io.zerodown.postgres.apply.ApplyOptions;
import io.zerodown.postgres.apply.PostgresApplier;
import io.zerodown.postgres.apply.PostgresVerifier;
import picocli.CommandLine;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@CommandLine.Command(name = "apply", sortOptions = false,
        description = {"Run all pending migrations with zero downtime: short lock timeouts with bounded retries, concurrent",
                "index builds, NOT VALID + VALIDATE, batched backfills; journalled so a re-run resumes where it stopped."})
final class ApplyCommand implements Callable<Integer> {

    @CommandLine.ParentCommand
    Main main;

    @CommandLine.Mixin
    Database.UrlOption url = new Database.UrlOption();

    @CommandLine.Option(names = "--dry-run", description = "print the plan and run nothing")
    boolean dryRun;

    @CommandLine.Option(names = "--allow-breaking", description = "run drops and renames of columns and tables as written")
    boolean allowBreaking;

    @CommandLine.Option(names = "--lock-timeout", defaultValue = "100ms", paramLabel = "DURATION",
            description = "lock_timeout of each lock-taking step (default: ${DEFAULT-VALUE})")
    String lockTimeout;

    @CommandLine.Option(names = "--batch-time", defaultValue = "30ms", paramLabel = "DURATION",
            description = "target time of one backfill batch (default: ${DEFAULT-VALUE})")
    String batchTime;

    @CommandLine.Option(names = "--max-replica-lag", defaultValue = "10s", paramLabel = "DURATION",
            description = "pause backfills while a streaming replica lags more (default: ${DEFAULT-VALUE}; 0 = never)")
    String maxLag;

    @CommandLine.Option(names = "--no-verify", description = "skip the comparison with the naive SQL on a scratch database")
    boolean noVerify;

    @CommandLine.Option(names = "--canary-pause", defaultValue = "250ms", paramLabel = "DURATION",
            description = "pause backfills while the canary's recent p99 is above this (default: ${DEFAULT-VALUE})")
    String canaryPause;

    @CommandLine.Option(names = "--canary-abort", defaultValue = "5s", paramLabel = "DURATION",
            description = "abort (resumably) when the canary's recent p99 is above this (default: ${DEFAULT-VALUE}; 0 = never)")
    String canaryAbort;

    @CommandLine.Option(names = "--max-pause", defaultValue = "10min", paramLabel = "DURATION",
            description = "hard limit of an automatic pause (replica lag, lock queue, canary): one that lasts longer aborts "
                    + "the run, resumably (default: ${DEFAULT-VALUE}; 0 = never; a pause by 'zerodown control' never counts)")
    String maxPause;

    @CommandLine.Option(names = "--max-lock-wait", defaultValue = "500ms", paramLabel = "DURATION",
            description = "MySQL/MariaDB: pause the copy or backfill while an app session has waited longer than this on a lock "
                    + "zerodown holds (default: ${DEFAULT-VALUE}; 0 = never)")
    String maxLockWait;

    @CommandLine.Option(names = "--canary-sql", paramLabel = "SQL", description = "the canary's probe (PostgreSQL): a read the "
            + "app does, run every 100 ms in a read-only session instead of primary-key reads of the touched tables")
    String canarySql;

    @CommandLine.Option(names = "--ui", arity = "0..1", fallbackValue = "8642", paramLabel = "PORT",
            description = "serve a live page of the run on http://127.0.0.1:PORT/ (default port 8642)")
    Integer ui;

    @CommandLine.Option(names = "--report-dir", defaultValue = ".zerodown/reports", paramLabel = "DIR",
            description = "where the JSON and HTML report of the run go (default: ${DEFAULT-VALUE})")
    Path reportDir;

    @CommandLine.Option(names = "--postpone-cut-over", description = "MySQL/MariaDB: copy and checksum, then wait before the "
            + "cut-over until apply runs again without this option")
    boolean postponeCutOver;

    @CommandLine.Option(names = "--postpone-contract", description = "PostgreSQL: run expand and backfill, then wait before each "
            + "migration's contract phase (VALIDATE, SET NOT NULL, drops, swaps) until 'zerodown control proceed' or the live "
            + "page's Proceed button; 'zerodown control abort' stops there, resumable")
    boolean postponeContract;

    @CommandLine.Parameters(paramLabel = "PATH", arity = "1..*", description = "migration files or folders")
    List<Path> paths = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (dryRun) {
            PlanCommand plan = new PlanCommand();
            plan.main = main;
            plan.url = url;
            plan.format = "text";
            plan.allowBreaking = allowBreaking;
            plan.paths = paths;
            return plan.call();
        }
        List<MigrationFile> files = MigrationScanner.standard().scan(paths);
        String u = url.resolved();
        if (u != null && io.zerodown.mysql.apply.MysqlConnections.accepts(u)) {
            // the same guard-rail flags as PostgreSQL: canary limits, replica lag, the canary's probe, the report folder
            io.zerodown.mysql.apply.MysqlApplier.Watch watch = io.zerodown.mysql.apply.MysqlApplier.Watch.defaults()
                    .withLimits(new io.zerodown.mysql.watch.MysqlGuardRails.Limits(ms(canaryPause, "--canary-pause"),
                            ms(canaryAbort, "--canary-abort"), 2_000, ms(maxLag, "--max-replica-lag"), 25)
                            .withLockWait(ms(maxLockWait, "--max-lock-wait"), 0))
                    .withCanarySql(canarySql)
                    .withReport(reportDir.resolve("apply-" + java.time.format.DateTimeFormatter
                            .ofPattern("yyyyMMdd-HHmmss").withZone(java.time.ZoneOffset.UTC).format(java.time.Instant.now())
                            + "-mysql.json"));
            return MysqlCli.apply(main, u, files, allowBreaking, postponeCutOver, watch, ui);
        }
        ApplyOptions o = ApplyOptions.defaults().withAllowBreaking(allowBreaking)
                .withLockTimeoutMs(ms(lockTimeout, "--lock-timeout"))
                .withBackfill(ms(batchTime, "--batch-time"), 1_000, 100, 50_000)
                .withReplicaLag(ms(maxLag, "--max-replica-lag"), null)
                .withPostponeContract(postponeContract);
        try (Database db = Database.open(url, true, main.err)) {
            main.out.println("database: " + db.connections.display());
            ConsoleListener console = new ConsoleListener(main.out, System.console() != null, db.connections);
            io.zerodown.postgres.watch.RunReport report = new io.zerodown.postgres.watch.RunReport(console, db.connections);
            if (canarySql != null) {
                try (Connection c = db.connections.open()) {
                    io.zerodown.postgres.watch.Canary.check(c, canarySql);
                } catch (java.sql.SQLException e) {
                    throw new io.zerodown.api.ZerodownException("--canary-sql: the probe cannot run read-only: "
                            + e.getMessage().split("\n")[0] + "; give a read the app does, e.g. \"SELECT * FROM orders WHERE id = 42\"");
                }
                report.canarySql(canarySql);
            }
            console.canary(report::canaryRecentP99Ms);
            io.zerodown.postgres.watch.GuardRails rails = new io.zerodown.postgres.watch.GuardRails(report::canaryRecentP99Ms,
                    ms(canaryPause, "--canary-pause"), ms(canaryAbort, "--canary-abort")).withMaxPause(ms(maxPause, "--max-pause"));
            o = o.withGuardRails(rails);
            ApplyOptions settings = o;
            report.settings(() -> rails.settings(settings.backfillTargetMs(), settings.maxReplicaLagMs()));
            String shownUrl = shellQuote(db.connections.display());
            String shownPaths = String.join(" ", paths.stream().map(p -> shellQuote(p.toString())).toList());
            report.commands("zerodown apply --url " + shownUrl + " " + shownPaths + "   (resumes at the first unfinished step)",
                    "zerodown rollback --url " + shownUrl + "   (undoes the steps of the in-flight or failed migration)");
            PostgresApplier.Outcome out;
            io.zerodown.postgres.watch.WebUi page = null;
            if (ui != null) {
                page = new io.zerodown.postgres.watch.WebUi(ui, report, db.connections);
                main.out.println("live view: http://127.0.0.1:" + page.port() + "/");
            }
            try {
                out = new PostgresApplier(db.connections, o, report).apply(files);
            } catch (RuntimeException | java.sql.SQLException e) {
                report.finish("failed", e.getMessage());
                writeReport(report);
                throw e;
            } finally {
                if (page != null) page.close();
            }
            if (out.applied().isEmpty()) main.out.println("nothing to apply (" + out.alreadyApplied().size() + " already applied)");
            for (String d : out.drift()) main.out.println("drift: " + d);
            int problems = 0;
            List<String> checks = new ArrayList<>();
            try (Connection c = db.connections.open()) {
                for (String p : PostgresVerifier.checkLive(c, out.plans())) {
                    main.out.println("verify: " + p);
                    checks.add(p);
                    problems++;
                }
            }
            if (!noVerify && !out.applied().isEmpty()) problems += VerifyCommand.compare(main, db, files, out.plans());
            if (checks.isEmpty()) checks.add("no INVALID index, every constraint zerodown validated is valid");
            report.verification(checks);
            report.finish(problems == 0 ? "done" : "verification failed", null);
            writeReport(report);
            return problems == 0 ? 0 : 1;
        }
    }

    private void writeReport(io.zerodown.postgres.watch.RunReport report) {
        try {
            main.out.println("report: " + report.write(reportDir));
        } catch (java.io.IOException e) {
            main.err.println("zerodown: could not write the report to " + reportDir + ": " + e.getMessage());
        }
    }

    /** Single-quoted for a POSIX shell, so the commands in the report can be pasted as they are. */
    static String shellQuote(String s) {
        return s.matches("[A-Za-z0-9_./:@%+=,-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }

    static long ms(String d, String flag) {
        Long v = LintEngine.parseDurationMs(d, 1);
        if (v == null || v < 0) {
            throw new io.zerodown.api.ZerodownException(flag + ": '" + d + "' is not a duration (e.g. 100ms, 2s, 1min)");
        }
        return v;
    }
}
