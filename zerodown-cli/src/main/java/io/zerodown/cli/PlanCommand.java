package io.zerodown.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.zerodown.api.ZerodownException;
import io.zerodown.core.model.Name;
import io.zerodown.core.plan.MigrationPlan;
import io.zerodown.core.plan.Step;
import io.zerodown.core.plan.StepKind;
import io.zerodown.core.source.MigrationFile;
import io.zerodown.core.source.MigrationScanner;
import io.zerodown.postgres.apply.ApplyListener;
import io.zerodown.postgres.apply.ApplyOptions;
import io.zerodown.postgres.apply.PostgresApplier;
import picocli.CommandLine;

import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@CommandLine.Command(name = "plan", sortOptions = false,
        description = {"Show the phases and steps zerodown will run for each pending migration: SQL, lock, transaction,",
                "estimated duration from the live table size, and the running transactions that would block each step now."})
final class PlanCommand implements Callable<Integer> {

    @CommandLine.ParentCommand
    Main main;

    @CommandLine.Mixin
    Database.UrlOption url = new Database.UrlOption();

    @CommandLine.Option(names = {"-f", "--format"}, defaultValue = "text", description = "text, json or markdown (default: ${DEFAULT-VALUE})")
    String format;

    @CommandLine.Option(names = "--allow-breaking", description = "plan drops and renames as written")
    boolean allowBreaking;

    @CommandLine.Parameters(paramLabel = "PATH", arity = "1..*", description = "migration files or folders")
    List<Path> paths = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (!List.of("text", "json", "markdown").contains(format)) {
            throw new ZerodownException("unknown format '" + format + "': use text, json or markdown");
        }
        if (paths.stream().anyMatch(p -> java.nio.file.Files.isRegularFile(p)
                && io.zerodown.core.versioned.VersionedMigrationReader.accepts(p))) {
            return planVersioned();
        }
        List<MigrationFile> files = MigrationScanner.standard().scan(paths);
        String u = url.resolved();
        if (u != null && io.zerodown.mysql.apply.MysqlConnections.accepts(u)) {
            return MysqlCli.plan(main, u, files, allowBreaking);
        }
        try (Database db = Database.open(url, true, main.err)) {
            PostgresApplier.Outcome outcome = new PostgresApplier(db.connections,
                    ApplyOptions.defaults().withAllowBreaking(allowBreaking), ApplyListener.NONE).plan(files);
            Map<String, Long> rows = new LinkedHashMap<>();
            List<String> blockers = new ArrayList<>();
            try (Connection c = db.connections.open()) {
                for (MigrationPlan p : outcome.plans()) {
                    for (Step s : p.steps()) {
                        if (s.table() != null && !rows.containsKey(s.table().toString())) {
                            rows.put(s.table().toString(), estimate(c, s.table()));
                            blockers.addAll(blockers(c, s.table()));
                        }
                    }
                }
            }
            PrintStream out = main.out;
            if (format.equals("json")) {
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("database", db.connections.display());
                json.put("alreadyApplied", outcome.alreadyApplied());
                json.put("drift", outcome.drift());
                json.put("migrations", outcome.plans());
                json.put("tableRows", rows);
                json.put("blockers", blockers);
                out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json));
            } else {
                render(out, outcome, rows, blockers, format.equals("markdown"));
            }
        }
        return 0;
    }

    /** Declarative (versioned) migrations: every DDL, trigger and view of start, complete and rollback, with locks. */
    private Integer planVersioned() throws Exception {
        if (paths.size() != 1) {
            throw new ZerodownException("plan takes one versioned migration file at a time (it plans against the live schema)");
        }
        var m = new io.zerodown.core.versioned.VersionedMigrationReader().read(paths.get(0));
        try (Database db = Database.open(url, true, main.err)) {
            var engine = new io.zerodown.postgres.versioned.VersionedEngine(db.connections,
                    io.zerodown.postgres.versioned.VersionedOptions.defaults(), l -> { });
            var p = engine.plan(m);
            if (format.equals("json")) {
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("database", db.connections.display());
                json.put("version", m.name());
                json.put("versionSchema", p.versionSchema());
                json.put("start", p.startSteps());
                json.put("complete", p.completeSteps());
                json.put("rollback", p.rollbackSteps());
                json.put("notes", p.notes());
                main.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json));
                return 0;
            }
            PrintStream out = main.out;
            out.println(m.file() + ": version " + m.name() + " (schema " + p.versionSchema() + ")");
            section(out, "zerodown start", p.startSteps());
            section(out, "zerodown complete (once no app instance uses the old version)", p.completeSteps());
            section(out, "zerodown rollback (before complete)", p.rollbackSteps());
            for (String n : p.notes()) out.println("note: " + n);
        }
        return 0;
    }

    private static void section(PrintStream out, String title, List<io.zerodown.postgres.versioned.VersionedStep> steps) {
        out.println();
        out.println(title + ":");
        int i = 1;
        for (var s : steps) {
            String how = switch (s.kind()) {
                case TRANSACTION -> "one short transaction, lock_timeout + bounded retries";
                case SCAN -> "transaction, lock_timeout on the lock, no statement timeout (scans)";
                case CONCURRENT -> "outside a transaction (CONCURRENTLY), retried";
                case BACKFILL -> "keyset batches, one transaction each, watermark journalled with each batch";
            };
            out.println(String.format("  %2d %-8s %s", i++, s.phase(), s.description()));
            out.println("       lock: " + s.lock() + " · " + how);
            for (String sql : s.sql()) for (String line : sql.split("\n")) out.println("       | " + line);
        }
    }

    private static void render(PrintStream out, PostgresApplier.Outcome o, Map<String, Long> rows, List<String> blockers, boolean md) {
        if (o.plans().isEmpty()) {
            out.println(md ? "**zerodown plan**: nothing to apply." : "nothing to apply (" + o.alreadyApplied().size() + " already applied)");
        }
        for (String d : o.drift()) out.println((md ? "- :warning: drift: " : "drift: ") + d);
        for (MigrationPlan p : o.plans()) {
            if (md) {
                out.println("### " + p.file() + "\n");
                out.println("| # | phase | step | lock | tx | est. | SQL |");
                out.println("|---|---|---|---|---|---|---|");
            } else {
                out.println(p.file() + "  (" + p.steps().size() + " steps)");
            }
            for (Step s : p.steps()) {
                String tx = s.kind() == StepKind.CONCURRENT_INDEX || s.kind() == StepKind.NON_TRANSACTIONAL ? "no"
                        : s.kind() == StepKind.BACKFILL ? "per batch" : "yes";
                String est = estimateText(s, rows.get(s.table() == null ? "" : s.table().toString()));
                if (md) {
                    out.println("| " + s.index() + " | " + s.phase().name().toLowerCase() + " | " + s.description() + " | "
                            + s.lock() + " | " + tx + " | " + est + " | `" + s.sql().replace("\n", " ").replace("|", "\\|") + "` |");
                } else {
                    out.println(String.format("  %2d %-8s %s", s.index(), s.phase().name().toLowerCase(), s.description()));
                    out.println("       lock: " + s.lock() + " · transaction: " + tx + " · estimate: " + est);
                    for (String line : s.sql().split("\n")) out.println("       | " + line);
                }
            }
            for (String n : p.notes()) out.println((md ? "- note: " : "  note: ") + n);
            out.println();
        }
        if (!blockers.isEmpty()) {
            out.println(md ? "**Sessions that would block these steps now:**" : "sessions that would block these steps now:");
            for (String b : blockers) out.println((md ? "- " : "  ") + b);
        }
    }

    /** Rough figures measured on a 2-core machine (postgres-locks.md §9): good enough to tell seconds from hours. */
    private static String estimateText(Step s, Long rows) {
        if (rows == null || rows < 0) rows = 0L;
        double seconds;
        switch (s.kind()) {
            case BACKFILL: seconds = rows / 400_000.0; break;
            case CONCURRENT_INDEX: seconds = rows / 2_300_000.0; break;
            case VALIDATE: seconds = rows / 10_000_000.0 + 0.01; break;
            default: return "< 10 ms once locked";
        }
        return seconds < 1 ? "< 1 s (" + rows + " rows)" : String.format("~%.0f s (%d rows)", seconds, rows);
    }

    private static long estimate(Connection c, Name t) {
        try (PreparedStatement ps = c.prepareStatement("SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = to_regclass(?)")) {
            ps.setString(1, t.toString());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        } catch (Exception e) {
            return 0;
        }
    }

    private static List<String> blockers(Connection c, Name t) {
        List<String> out = new ArrayList<>();
        String sql = "SELECT DISTINCT a.pid, a.application_name, a.state, coalesce(extract(epoch FROM now() - a.xact_start), 0)::bigint "
                + "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.relation = to_regclass(?) AND l.granted "
                + "AND a.pid <> pg_backend_pid() AND a.xact_start IS NOT NULL";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, t.toString());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add("pid " + rs.getInt(1) + " (" + rs.getString(2) + ", " + rs.getString(3) + ", in transaction for "
                            + rs.getLong(4) + " s) holds a lock on " + t);
                }
            }
        } catch (Exception ignored) {
            // the plan is still useful without this
        }
        return out;
    }
}
