package io.zerodown.cli;

import io.zerodown.postgres.apply.PostgresJournal;
import picocli.CommandLine;

import java.sql.Connection;
import java.util.Map;
import java.util.concurrent.Callable;

@CommandLine.Command(name = "status", description = "Show the migration history, the in-flight migration with its current step and "
        + "backfill progress, and failures with their reason.")
final class StatusCommand implements Callable<Integer> {

    @CommandLine.ParentCommand
    Main main;

    @CommandLine.Mixin
    Database.UrlOption url = new Database.UrlOption();

    @CommandLine.Option(names = "--report-dir", defaultValue = ".zerodown/reports", paramLabel = "DIR",
            description = "where apply wrote its reports; the newest is linked (default: ${DEFAULT-VALUE})")
    java.nio.file.Path reportDir = java.nio.file.Path.of(".zerodown", "reports");

    @Override
    public Integer call() throws Exception {
        String u = url.resolved();
        if (u != null && io.zerodown.mysql.apply.MysqlConnections.accepts(u)) {
            var db = io.zerodown.mysql.apply.MysqlConnections.parse(u);
            main.out.println("database: " + db.display());
            lastReport(reportDir).ifPresent(r -> main.out.println("last report: " + r));
            try (var c = db.open()) {
                var all = io.zerodown.mysql.apply.MysqlJournal.migrations(c);
                if (all.isEmpty()) main.out.println("no zerodown migrations recorded");
                for (var e : all.values()) {
                    main.out.printf("%-10s %-12s %s%s%n", e.id(), e.status(), e.file(), e.error() == null ? "" : "\n           reason: " + e.error());
                    if (e.status().equals("running") || e.status().equals("failed")) {
                        for (var row : io.zerodown.mysql.apply.MysqlJournal.steps(c, e.id()).entrySet()) {
                            main.out.printf("    [%d] %-8s watermark %s, %s rows%n", row.getKey(), row.getValue()[0], row.getValue()[1],
                                    row.getValue()[2]);
                        }
                        main.out.println("    resume with 'zerodown apply', or undo with 'zerodown rollback'");
                    }
                }
            }
            return 0;
        }
        try (Database db = Database.open(url, false, main.err); Connection c = db.connections.open()) {
            main.out.println("database: " + db.connections.display());
            lastReport(reportDir).ifPresent(r -> main.out.println("last report: " + r));
            boolean versioned = versions(c, db);
            Map<String, PostgresJournal.Entry> all = PostgresJournal.migrations(c);
            if (all.isEmpty()) {
                main.out.println(versioned ? "no apply (plain SQL) migrations recorded" : "no zerodown migrations recorded");
                return 0;
            }
            for (PostgresJournal.Entry e : all.values()) {
                main.out.printf("%-10s %-12s %-40s %s%s%n", e.id(), e.status(), e.file(),
                        e.finishedAt() != null ? e.finishedAt() : "started " + e.startedAt(),
                        e.error() == null ? "" : "\n           reason: " + e.error());
                if (e.status().equals("running") || e.status().equals("failed")) {
                    for (PostgresJournal.StepRow s : PostgresJournal.steps(c, e.id())) {
                        String extra = s.rowsDone() > 0 ? ", " + s.rowsDone() + " rows, watermark " + s.watermark() : "";
                        main.out.printf("    [%d] %-8s %-8s %s (attempts %d, lock retries %d%s)%s%n", s.index(),
                                s.phase().toLowerCase(), s.status(), s.description(), s.attempts(), s.lockRetries(), extra,
                                s.error() == null ? "" : "\n         error: " + s.error());
                    }
                    main.out.println("    resume with 'zerodown apply', or undo with 'zerodown rollback'");
                }
            }
            return 0;
        }
    }

    /** Live versions of versioned migrations (zerodown start), with the search_path each one's apps use. */
    private boolean versions(Connection c, Database db) throws java.sql.SQLException {
        var rows = io.zerodown.postgres.versioned.VersionedJournal.all(c);
        if (rows.isEmpty()) return false;
        main.out.println("live versions (oldest first):");
        for (var v : new io.zerodown.postgres.versioned.VersionedEngine(db.connections,
                io.zerodown.postgres.versioned.VersionedOptions.defaults(), l -> { }).liveVersions()) {
            main.out.printf("  %-12s %-24s %-40s search_path %s%n", v.name(), v.schema(), v.status(), v.searchPath());
        }
        for (var r : rows) {
            if (r.inFlight()) {
                main.out.printf("  %s: %s, %d step(s) of this phase done%s%n", r.name(), r.status().replace('_', ' '), r.stepsDone(),
                        r.error() == null ? "" : "\n    error: " + r.error());
            }
        }
        main.out.println();
        return true;
    }

    /** The newest HTML report in {@code dir} (of a PostgreSQL or a MySQL run). */
    static java.util.Optional<java.nio.file.Path> lastReport(java.nio.file.Path dir) {
        if (!java.nio.file.Files.isDirectory(dir)) return java.util.Optional.empty();
        try (var files = java.nio.file.Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".html")).max(java.util.Comparator.comparing((java.nio.file.Path f) -> {
                try {
                    return java.nio.file.Files.getLastModifiedTime(f).toMillis();
                } catch (java.io.IOException e) {
                    return 0L;
                }
            }).thenComparing(java.nio.file.Path::toString));
        } catch (java.io.IOException e) {
            return java.util.Optional.empty();
        }
    }
}
