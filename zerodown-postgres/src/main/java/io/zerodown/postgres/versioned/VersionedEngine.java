package io.zerodown.postgres.versioned;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zerodown.api.ZerodownException;
import io.zerodown.core.versioned.Operation;
import io.zerodown.core.versioned.VersionedMigration;
import io.zerodown.core.versioned.VersionedMigrationReader;
import io.zerodown.postgres.apply.PostgresApplier;
import io.zerodown.postgres.apply.PostgresConnections;
import io.zerodown.postgres.apply.ReplicaLag;
import io.zerodown.postgres.watch.GuardRails;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs versioned (expand/contract) migrations on PostgreSQL: {@link #start} expands and publishes the new version's
 * schema of views next to the old one, {@link #complete} contracts, {@link #rollback} undoes a start. One runner at a
 * time per database (session advisory lock, shared with apply); every step is journalled, so a killed run is resumed
 * by running the same command again, or undone by rollback.
 */
public final class VersionedEngine {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern INDEX_NAME = Pattern.compile("INDEX CONCURRENTLY IF NOT EXISTS (\"(?:[^\"]|\"\")+\")");

    private final PostgresConnections db;
    private final VersionedOptions options;
    private final Consumer<String> log;

    public VersionedEngine(PostgresConnections db, VersionedOptions options, Consumer<String> log) {
        this.db = db;
        this.options = options;
        this.log = log;
    }

    /** What start did: the version's schema and the search_path an app of that version uses. */
    public record Started(String name, String versionSchema, String searchPath, boolean resumed) {
    }

    /** A version apps can use now: its schema, and the migration state behind it. */
    public record LiveVersion(String name, String schema, String status, String searchPath) {
    }

    // --------------------------------------------------------------------------------------------------- start

    public Started start(Path file) throws SQLException {
        String text = read(file);
        boolean json = file.getFileName().toString().toLowerCase().endsWith(".json");
        VersionedMigration m = new VersionedMigrationReader().parse(file.toString(), text, json,
                file.getFileName().toString().replaceFirst("\\.[^.]*$", ""));
        return start(m, text, json);
    }

    public Started start(VersionedMigration m, String definition, boolean json) throws SQLException {
        try (Connection c = open()) {
            lock(c);
            try {
                GuardRails.reset(c); // commands sent to an earlier run (an abort, say) are not meant for this one
                VersionedJournal.ensure(c);
                List<VersionedJournal.Row> rows = VersionedJournal.all(c);
                VersionedJournal.Row existing = rows.stream().filter(r -> r.name().equals(m.name())).findFirst().orElse(null);
                boolean resumed = false;
                if (existing != null) {
                    switch (existing.status()) {
                        case "completed" -> throw new VersionedRefusedException("version " + m.name() + " was completed on "
                                + existing.finishedAt() + ": give the new migration its own 'name'");
                        case "active" -> throw new VersionedRefusedException("version " + m.name() + " is already started and "
                                + "live in schema " + existing.versionSchema() + ": run 'zerodown complete' or 'zerodown rollback'");
                        case "completing", "rolling_back" -> throw new VersionedRefusedException("version " + m.name() + " is "
                                + existing.status().replace('_', ' ') + ": re-run 'zerodown " + (existing.status().equals("completing")
                                ? "complete" : "rollback") + "' to finish that first");
                        case "rolled_back" -> {
                            VersionedJournal.delete(c, m.name());
                            existing = null;
                        }
                        default -> {
                            if (!existing.definition().equals(definition)) {
                                throw new VersionedRefusedException("version " + m.name() + " has an interrupted start from a "
                                        + "different file content: run 'zerodown rollback' first, or restore the file as it was");
                            }
                            resumed = true;
                            log.accept("resuming the interrupted start of " + m.name() + " after step " + existing.stepsDone());
                        }
                    }
                }
                if (existing == null) {
                    existing = newRow(c, m, definition, json, rows);
                    planner(c, m, existing, true); // refuses before anything is recorded or changed
                    VersionedJournal.insert(c, existing);
                }
                runStart(c, m, existing, rows);
                return new Started(m.name(), existing.versionSchema(), searchPath(existing.versionSchema(), m.schema()), resumed);
            } finally {
                unlock(c);
            }
        }
    }

    private VersionedJournal.Row newRow(Connection c, VersionedMigration m, String definition, boolean json,
                                        List<VersionedJournal.Row> rows) throws SQLException {
        List<VersionedJournal.Row> inFlight = rows.stream().filter(VersionedJournal.Row::inFlight).toList();
        for (VersionedJournal.Row r : inFlight) {
            if (!r.status().equals("active")) {
                throw new VersionedRefusedException("migration " + r.name() + " is " + r.status().replace('_', ' ')
                        + ": finish it first (re-run 'zerodown " + (r.status().equals("starting") ? "start " + r.file()
                        : r.status().equals("completing") ? "complete" : "rollback") + "', or 'zerodown rollback')");
            }
            if (!r.schema().equals(m.schema())) {
                throw new VersionedRefusedException("migration " + r.name() + " on schema " + r.schema() + " is in flight; "
                        + "versions are chained per schema, so complete it before starting one on " + m.schema());
            }
        }
        Map<String, PgCatalog.Table> physical = PgCatalog.tables(c, m.schema());
        Shape oldShape;
        String oldVersionSchema;
        if (!inFlight.isEmpty()) {
            VersionedJournal.Row newest = inFlight.get(inFlight.size() - 1);
            oldShape = readShape(newest.newShape());
            oldVersionSchema = newest.versionSchema();
            log.accept("chaining on version " + newest.name() + ", still in flight");
        } else {
            oldShape = baseShape(physical);
            oldVersionSchema = null;
            for (VersionedJournal.Row r : rows) {
                if (r.status().equals("completed") && r.schema().equals(m.schema()) && schemaExists(c, r.versionSchema())) {
                    oldVersionSchema = r.versionSchema();
                }
            }
        }
        String vs = VersionedPlanner.versionSchema(m);
        if (schemaExists(c, vs)) {
            throw new VersionedRefusedException("schema " + vs + " already exists: pick another version name");
        }
        try {
            return new VersionedJournal.Row(m.name(), m.schema(), vs, oldVersionSchema, m.file(), json, definition,
                    JSON.writeValueAsString(oldShape), null, JSON.writeValueAsString(physical), "starting", 0, 0, null, null, null);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void runStart(Connection c, VersionedMigration m, VersionedJournal.Row row, List<VersionedJournal.Row> rows)
            throws SQLException {
        VersionedPlanner p = planner(c, m, row, true);
        List<VersionedStep> steps = p.startSteps();
        List<VersionedJournal.Row> earlier = rows.stream().filter(r -> r.inFlight() && r.seq() < row.seq() || r.inFlight() && row.seq() == 0
                && !r.name().equals(m.name())).toList();
        int done = currentStepsDone(c, m.name());
        try {
            // a run killed right after the first step may not have told the earlier versions about this one yet
            if (done > 0) updateNewSide(c, earlier, m.name(), p.versionSchema(), true);
            for (int i = done; i < steps.size(); i++) {
                VersionedStep s = steps.get(i);
                log.accept("[" + (i + 1) + "/" + steps.size() + "] " + s.phase() + ": " + s.description());
                final int next = i + 1;
                if (s.phase().equals("views")) {
                    Shape shape = finalShape(c, p.newShape(), JSON.readValue(row.oldShape(), Shape.class), m.schema());
                    VersionedStep views = VersionedStep.tx("views", s.description(), null, s.lock(),
                            p.viewsSql(shape, grants(c, m.schema(), shape, p.versionSchema())));
                    String shapeJson = JSON.writeValueAsString(shape);
                    run(c, m.name(), views, cx -> {
                        VersionedJournal.newShape(cx, m.name(), shapeJson);
                        VersionedJournal.status(cx, m.name(), "active", next);
                    });
                } else {
                    run(c, m.name(), s, cx -> VersionedJournal.stepsDone(cx, m.name(), next));
                }
                if (i == 0) updateNewSide(c, earlier, m.name(), p.versionSchema(), true);
                options.afterStep().finished("start", i);
            }
        } catch (SQLException | RuntimeException e) {
            recordError(c, m.name(), e);
            throw e;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        log.accept("version " + m.name() + " is live in schema " + p.versionSchema() + "; old version still served by "
                + (row.oldVersionSchema() == null ? "the tables in " + m.schema() : row.oldVersionSchema()));
    }

    /** The planned new shape plus tables and columns that raw SQL created (they appear in the new version as they are). */
    private static Shape finalShape(Connection c, Shape planned, Shape old, String schema) throws SQLException {
        Shape shape = planned.copy();
        Set<String> oldPhysTables = new LinkedHashSet<>();
        old.tables().values().forEach(t -> oldPhysTables.add(t.physical()));
        Map<String, Shape.TableShape> byPhysical = new LinkedHashMap<>();
        shape.tables().values().forEach(t -> byPhysical.put(t.physical(), t));
        Map<String, Set<String>> oldCols = new LinkedHashMap<>();
        old.tables().values().forEach(t -> oldCols.put(t.physical(), new LinkedHashSet<>(t.columns().values())));
        for (PgCatalog.Table t : PgCatalog.tables(c, schema).values()) {
            Shape.TableShape s = byPhysical.get(t.name());
            if (s == null) {
                if (oldPhysTables.contains(t.name())) continue;
                Map<String, String> cols = new LinkedHashMap<>();
                for (String col : t.columns().keySet()) if (!col.startsWith("_zd_")) cols.put(col, col);
                shape.tables().put(t.name(), new Shape.TableShape(t.name(), t.key(), cols));
                continue;
            }
            Set<String> known = oldCols.getOrDefault(t.name(), Set.of());
            for (String col : t.columns().keySet()) {
                if (!col.startsWith("_zd_") && !known.contains(col) && !s.columns().containsValue(col)) s.columns().put(col, col);
            }
        }
        return shape;
    }

    // ------------------------------------------------------------------------------------------------ complete

    /** Contracts the oldest migration in flight (or the one named, which must be it). Returns its name. */
    public String complete(String name) throws SQLException {
        try (Connection c = open()) {
            lock(c);
            try {
                VersionedJournal.ensure(c);
                List<VersionedJournal.Row> inFlight = VersionedJournal.all(c).stream().filter(VersionedJournal.Row::inFlight).toList();
                if (inFlight.isEmpty()) throw new VersionedRefusedException("no versioned migration in flight: nothing to complete");
                VersionedJournal.Row row = inFlight.get(0);
                if (name != null && !name.equals(row.name())) {
                    throw new VersionedRefusedException("complete " + row.name() + " first: versions complete in the order they "
                            + "started (" + String.join(", ", inFlight.stream().map(VersionedJournal.Row::name).toList()) + ")");
                }
                switch (row.status()) {
                    case "starting" -> throw new VersionedRefusedException("the start of " + row.name() + " did not finish: re-run "
                            + "'zerodown start " + row.file() + "' to resume it, or 'zerodown rollback'");
                    case "rolling_back" -> throw new VersionedRefusedException(row.name() + " is being rolled back: re-run "
                            + "'zerodown rollback' to finish");
                    case "active" -> VersionedJournal.status(c, row.name(), "completing", 0);
                    default -> log.accept("resuming the interrupted complete of " + row.name());
                }
                VersionedMigration m = parse(row);
                VersionedPlanner p = planner(c, m, row, false);
                List<VersionedStep> steps = p.completeSteps();
                int done = currentStepsDone(c, m.name());
                try {
                    for (int i = done; i < steps.size(); i++) {
                        VersionedStep s = steps.get(i);
                        log.accept("[" + (i + 1) + "/" + steps.size() + "] contract: " + s.description());
                        final int next = i + 1;
                        boolean last = next == steps.size();
                        run(c, m.name(), s, cx -> {
                            if (last) VersionedJournal.status(cx, m.name(), "completed", next);
                            else VersionedJournal.stepsDone(cx, m.name(), next);
                        });
                        options.afterStep().finished("complete", i);
                    }
                } catch (SQLException | RuntimeException e) {
                    recordError(c, m.name(), e);
                    throw e;
                }
                log.accept("version " + m.name() + " completed: " + (row.oldVersionSchema() == null ? "the old version"
                        : "schema " + row.oldVersionSchema()) + " is gone, the tables have the new version's shape");
                return m.name();
            } finally {
                unlock(c);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ rollback

    /** Undoes the newest migration in flight (or the one named, which must be it). Returns its name. */
    public String rollback(String name) throws SQLException {
        try (Connection c = open()) {
            lock(c);
            try {
                VersionedJournal.ensure(c);
                List<VersionedJournal.Row> all = VersionedJournal.all(c);
                List<VersionedJournal.Row> inFlight = all.stream().filter(VersionedJournal.Row::inFlight).toList();
                if (inFlight.isEmpty()) throw new VersionedRefusedException("no versioned migration in flight: nothing to roll back");
                VersionedJournal.Row row = inFlight.get(inFlight.size() - 1);
                if (name != null && !name.equals(row.name())) {
                    throw new VersionedRefusedException("roll back " + row.name() + " first: versions are undone newest first ("
                            + String.join(", ", inFlight.stream().map(VersionedJournal.Row::name).toList()) + ")");
                }
                if (row.status().equals("completing")) {
                    throw new VersionedRefusedException(row.name() + " is being completed: the old version's columns may already be "
                            + "gone, so it cannot be rolled back; re-run 'zerodown complete' to finish");
                }
                VersionedMigration m = parse(row);
                VersionedPlanner p = planner(c, m, row, false);
                List<VersionedStep> steps = p.rollbackSteps();
                if (!row.status().equals("rolling_back")) VersionedJournal.status(c, row.name(), "rolling_back", 0);
                else log.accept("resuming the interrupted rollback of " + row.name());
                List<VersionedJournal.Row> earlier = inFlight.subList(0, inFlight.size() - 1);
                int done = currentStepsDone(c, m.name());
                try {
                    if (done > 0) updateNewSide(c, earlier, m.name(), p.versionSchema(), false);
                    for (int i = done; i < steps.size(); i++) {
                        VersionedStep s = steps.get(i);
                        log.accept("[" + (i + 1) + "/" + steps.size() + "] rollback: " + s.description());
                        final int next = i + 1;
                        boolean last = next == steps.size();
                        run(c, m.name(), s, cx -> {
                            if (last) VersionedJournal.status(cx, m.name(), "rolled_back", next);
                            else VersionedJournal.stepsDone(cx, m.name(), next);
                        });
                        if (i == 0) updateNewSide(c, earlier, m.name(), p.versionSchema(), false);
                        options.afterStep().finished("rollback", i);
                    }
                } catch (SQLException | RuntimeException e) {
                    recordError(c, m.name(), e);
                    throw e;
                }
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM zerodown.versioned_backfill WHERE name = ?")) {
                    ps.setString(1, m.name());
                    ps.executeUpdate();
                }
                log.accept("version " + m.name() + " rolled back: the old version's tables are as before, with every row kept");
                return m.name();
            } finally {
                unlock(c);
            }
        }
    }

    // -------------------------------------------------------------------------------------------- status, plan

    /** The versions apps can use now, oldest first: the base (or last completed) version, then each in flight. */
    public List<LiveVersion> liveVersions() throws SQLException {
        try (Connection c = open()) {
            List<VersionedJournal.Row> rows = VersionedJournal.all(c);
            List<LiveVersion> out = new ArrayList<>();
            List<VersionedJournal.Row> inFlight = rows.stream().filter(VersionedJournal.Row::inFlight).toList();
            String baseSchema = inFlight.isEmpty() ? "public" : inFlight.get(0).schema();
            String oldest = inFlight.isEmpty() ? null : inFlight.get(0).oldVersionSchema();
            if (inFlight.isEmpty()) {
                VersionedJournal.Row lastDone = null;
                for (VersionedJournal.Row r : rows) if (r.status().equals("completed") && schemaExists(c, r.versionSchema())) lastDone = r;
                if (lastDone != null) {
                    out.add(new LiveVersion(lastDone.name(), lastDone.versionSchema(), "current (completed)",
                            searchPath(lastDone.versionSchema(), lastDone.schema())));
                } else {
                    out.add(new LiveVersion("(tables)", baseSchema, "current: no versioned migration yet", searchPath(null, baseSchema)));
                }
                return out;
            }
            String oldName = "(tables)";
            for (VersionedJournal.Row r : rows) if (r.versionSchema().equals(oldest)) oldName = r.name();
            out.add(new LiveVersion(oldName, oldest == null ? baseSchema : oldest, "old version", searchPath(oldest, baseSchema)));
            for (VersionedJournal.Row r : inFlight) {
                String st = switch (r.status()) {
                    case "active" -> "new version, live";
                    case "starting" -> "starting (interrupted or running; not for apps yet)";
                    default -> r.status().replace('_', ' ');
                };
                out.add(new LiveVersion(r.name(), r.versionSchema(), st, searchPath(r.versionSchema(), r.schema())));
            }
            return out;
        }
    }

    /** The steps start would run for the file now, against the live schema (nothing is changed). */
    public VersionedPlanner plan(VersionedMigration m) throws SQLException {
        try (Connection c = open()) {
            List<VersionedJournal.Row> rows = VersionedJournal.all(c);
            VersionedJournal.Row row = newRow(c, m, "", false, rows);
            return planner(c, m, row, true);
        }
    }

    /** The search_path that makes unqualified names resolve to a version's views (and to the tables' schema after). */
    public static String searchPath(String versionSchema, String schema) {
        return versionSchema == null ? VersionedPlanner.q(schema) : VersionedPlanner.q(versionSchema) + ", " + VersionedPlanner.q(schema);
    }

    // -------------------------------------------------------------------------------------------------- running

    private interface Journal {
        void record(Connection c) throws SQLException;
    }

    private void run(Connection c, String name, VersionedStep s, Journal journal) throws SQLException {
        switch (s.kind()) {
            case TRANSACTION, SCAN -> transaction(c, s, journal);
            case CONCURRENT -> {
                concurrent(c, s);
                journal.record(c);
            }
            case BACKFILL -> {
                backfill(c, name, s.backfill());
                journal.record(c);
            }
        }
    }

    private void transaction(Connection c, VersionedStep s, Journal journal) throws SQLException {
        int attempt = 0;
        while (true) {
            attempt++;
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("SET LOCAL lock_timeout = '" + options.lockTimeoutMs() + "ms'");
                st.execute("SET LOCAL statement_timeout = '" + (s.kind() == VersionedStep.Kind.SCAN ? 0 : 30_000) + "ms'");
                for (String sql : s.sql()) st.execute(sql);
                journal.record(c);
                c.commit();
                c.setAutoCommit(true);
                return;
            } catch (SQLException e) {
                rollbackQuietly(c);
                c.setAutoCommit(true);
                if (!retryable(e) || attempt >= options.maxLockAttempts()) throw exhausted(c, s, e, attempt);
                backoff(attempt, s, e);
            }
        }
    }

    private void concurrent(Connection c, VersionedStep s) throws SQLException {
        c.setAutoCommit(true);
        Matcher mm = INDEX_NAME.matcher(s.sql().get(0));
        String index = mm.find() ? mm.group(1) : null;
        String qualifiedIndex = index == null ? null : VersionedPlanner.q(tableSchemaOf(s)) + "." + index;
        int attempt = 0;
        while (true) {
            attempt++;
            if (qualifiedIndex != null && Boolean.FALSE.equals(indexValid(c, qualifiedIndex))) {
                log.accept("dropping INVALID index " + index + " left by an interrupted build");
                exec(c, "SET lock_timeout = '" + options.lockTimeoutMs() + "ms'", "DROP INDEX CONCURRENTLY IF EXISTS " + qualifiedIndex);
            }
            try (Statement st = c.createStatement()) {
                st.execute("SET lock_timeout = '" + options.lockTimeoutMs() + "ms'");
                st.execute("SET statement_timeout = 0");
                st.execute(s.sql().get(0));
                if (qualifiedIndex == null || Boolean.TRUE.equals(indexValid(c, qualifiedIndex))) return;
                throw new SQLException("index " + index + " was built INVALID", "55P03");
            } catch (SQLException e) {
                if (!retryable(e) || attempt >= options.maxLockAttempts()) throw exhausted(c, s, e, attempt);
                backoff(attempt, s, e);
            } finally {
                exec(c, "RESET lock_timeout", "RESET statement_timeout");
            }
        }
    }

    private String tableSchemaOf(VersionedStep s) {
        Matcher m = Pattern.compile(" ON (?:ONLY )?(\"(?:[^\"]|\"\")+\"|[A-Za-z_][A-Za-z0-9_$]*)\\.").matcher(s.sql().get(0));
        if (!m.find()) return "public";
        String schema = m.group(1);
        return schema.startsWith("\"") ? schema.substring(1, schema.length() - 1).replace("\"\"", "\"") : schema.toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Keyset batches over the key, each one transaction: touch the next rows after the watermark whose pending flag is
     * still set (the sync trigger computes their new columns), and record the new watermark in the same transaction.
     */
    private void backfill(Connection c, String name, VersionedStep.Backfill b) throws SQLException {
        String[] state = VersionedJournal.backfill(c, name, b.table());
        if (Boolean.parseBoolean(state[1])) return;
        String watermark = state[0];
        long total = Long.parseLong(state[2]);
        String t = VersionedPlanner.q(b.schema()) + "." + VersionedPlanner.q(b.table());
        String k = VersionedPlanner.q(b.key());
        String keyType = keyType(c, b);
        String pending = VersionedPlanner.q(b.pendingColumn());
        // The update names a key range (after the watermark, up to the batch's last key) rather than joining the batch:
        // a join lets the planner hash it against a scan of the whole table, once per batch. Two texts, with and
        // without the lower bound, so that no generic plan has to keep an "IS NULL OR" that hides the index.
        String first = batchSql(t, k, pending, null);
        String next = batchSql(t, k, pending, keyType);
        int attempt = 0;
        long lastLog = System.nanoTime();
        Throttle throttle = new Throttle(b.table());
        int size = options.batchSize();
        while (true) {
            throttle.waitForGreenLight(c, name);
            long began = System.nanoTime();
            c.setAutoCommit(false);
            try (Statement st = c.createStatement(); PreparedStatement ps = c.prepareStatement(watermark == null ? first : next)) {
                st.execute("SET LOCAL lock_timeout = '" + options.lockTimeoutMs() + "ms'");
                st.execute("SET LOCAL statement_timeout = '60s'");
                // parameters in text order: [watermark,] batch size[, watermark]
                if (watermark == null) {
                    ps.setInt(1, size);
                } else {
                    ps.setString(1, watermark);
                    ps.setInt(2, size);
                    ps.setString(3, watermark);
                }
                String hi;
                long n;
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    hi = rs.getString(1);
                    n = rs.getLong(2);
                }
                VersionedJournal.batch(c, name, b.table(), hi, n, hi == null);
                c.commit();
                c.setAutoCommit(true);
                attempt = 0;
                if (hi == null) break;
                watermark = hi;
                total += n;
                size = throttle.nextBatchSize(size, (System.nanoTime() - began) / 1_000_000);
                if (System.nanoTime() - lastLog > 2_000_000_000L) {
                    log.accept("  backfill " + b.table() + ": " + total + " rows, watermark " + watermark);
                    lastLog = System.nanoTime();
                }
                options.afterStep().finished("backfill-batch", (int) Math.min(Integer.MAX_VALUE, total));
                if (options.batchPauseMs() > 0) sleep(options.batchPauseMs());
            } catch (SQLException e) {
                rollbackQuietly(c);
                c.setAutoCommit(true);
                attempt++;
                if (!retryable(e) || attempt >= options.maxLockAttempts()) throw e;
                backoff(attempt, null, e);
            }
        }
        log.accept("  backfill " + b.table() + " done: " + total + " rows");
    }


    /**
     * What the backfill checks between two batches, as apply's backfill does: the operator's pause, resume, abort and
     * {@code set batch-time}/{@code set max-replica-lag} (zerodown control), the canary limits when given, and the
     * lag of streaming replicas. A pause waits; an abort stops with the watermark journalled, so start resumes.
     */
    private final class Throttle {
        private final String table;
        private final GuardRails rails;
        private final ReplicaLag replicaLag = new ReplicaLag();
        private String lastReason;

        Throttle(String table) {
            this.table = table;
            this.rails = options.guardRails() != null ? options.guardRails() : new GuardRails(null, Double.MAX_VALUE, 0);
        }

        void waitForGreenLight(Connection c, String migration) throws SQLException {
            while (true) { // before every batch: two small catalog reads, next to a batch of about 30 ms
                for (String change : rails.drainChanges()) log.accept("  " + change);
                GuardRails.Decision d = rails.check(c);
                if (d.action() == GuardRails.Action.ABORT) {
                    throw new BackfillAbortedException("backfill of " + table + " for version " + migration + " stopped: " + d.reason()
                            + "; its watermark is journalled: re-run 'zerodown start' to resume, or 'zerodown rollback' to undo");
                }
                String reason = d.action() == GuardRails.Action.PAUSE ? d.reason() : null;
                long maxLag = rails.maxReplicaLagMs(options.maxReplicaLagMs());
                if (reason == null && maxLag > 0) {
                    long lag = options.lagProbe() != null ? options.lagProbe().getAsLong() : replicaLag.ms(c);
                    if (lag > maxLag) reason = "replica lag " + lag + " ms > " + maxLag + " ms";
                }
                if (reason == null) {
                    if (lastReason != null) log.accept("  backfill " + table + ": resumed");
                    lastReason = null;
                    return;
                }
                if (!reason.equals(lastReason)) log.accept("  backfill " + table + " paused: " + reason);
                lastReason = reason;
                sleep(100);
            }
        }

        /** Scales the batch toward the target time, at most doubling or halving per batch. */
        int nextBatchSize(int size, long tookMs) {
            long target = rails.batchTargetMs(options.batchTargetMs());
            if (options.batchTargetMs() <= 0 && target == options.batchTargetMs()) return size; // fixed batches asked for
            double factor = Math.max(0.5, Math.min(2.0, (double) Math.max(target, 1) / Math.max(tookMs, 1)));
            return (int) Math.max(VersionedOptions.MIN_BATCH, Math.min(VersionedOptions.MAX_BATCH, Math.round(size * factor)));
        }
    }

    /** An operator's abort or a hard guard-rail limit stopped the backfill; start resumes it. */
    public static final class BackfillAbortedException extends ZerodownException {
        BackfillAbortedException(String message) {
            super(message);
        }
    }

    private static String batchSql(String t, String k, String pending, String keyTypeOrNullForFirst) {
        String after = keyTypeOrNullForFirst == null ? "" : k + " > ?::text::" + keyTypeOrNullForFirst;
        return "WITH b AS (SELECT " + k + " FROM " + t + (after.isEmpty() ? "" : " WHERE " + after) + " ORDER BY " + k + " LIMIT ?), "
                + "h AS (SELECT b." + k + " AS hi FROM b ORDER BY b." + k + " DESC LIMIT 1), "
                + "u AS (UPDATE " + t + " SET " + pending + " = false WHERE " + (after.isEmpty() ? "" : after + " AND ")
                + k + " <= (SELECT hi FROM h) AND " + pending + " RETURNING 1) "
                + "SELECT (SELECT hi::text FROM h), (SELECT count(*) FROM u)";
    }

    private static String keyType(Connection c, VersionedStep.Backfill b) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a "
                + "WHERE a.attrelid = ?::regclass AND a.attname = ?")) {
            ps.setString(1, VersionedPlanner.q(b.schema()) + "." + VersionedPlanner.q(b.table()));
            ps.setString(2, b.key());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) throw new ZerodownException("key column " + b.key() + " of " + b.table() + " is missing");
                return rs.getString(1);
            }
        }
    }

    private static boolean retryable(SQLException e) {
        String state = e.getSQLState();
        return "55P03".equals(state) || "40P01".equals(state);
    }

    private void backoff(int attempt, VersionedStep s, SQLException e) {
        long cap = Math.min(3000, 50L << Math.min(attempt, 10));
        long sleep = ThreadLocalRandom.current().nextLong(cap / 2, cap + 1);
        log.accept("  lock not available" + (s == null ? "" : " for '" + s.description() + "'") + " (attempt " + attempt + "/"
                + options.maxLockAttempts() + "): retrying in " + sleep + " ms");
        sleep(sleep);
    }

    private SQLException exhausted(Connection c, VersionedStep s, SQLException e, int attempts) {
        if (!retryable(e)) {
            return new SQLException(s.phase() + " step '" + s.description() + "' failed: " + e.getMessage(), e.getSQLState(), e);
        }
        String blockers = s.table() == null ? "" : blockers(c, s.table());
        throw new LockRetriesExhaustedException("gave up on '" + s.description() + "' after " + attempts + " attempts with lock_timeout "
                + options.lockTimeoutMs() + " ms" + (blockers.isEmpty() ? "" : "; holding locks on " + s.table() + ": " + blockers)
                + ". Nothing is half done: re-run the same command when those sessions are gone");
    }

    private static String blockers(Connection c, String table) {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT a.pid, coalesce(a.application_name, ''), a.state, "
                + "coalesce(extract(epoch FROM now() - a.xact_start), 0)::bigint FROM pg_catalog.pg_locks l "
                + "JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid JOIN pg_catalog.pg_class cl ON cl.oid = l.relation "
                + "WHERE cl.relname = ? AND l.granted AND a.pid <> pg_backend_pid()")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add("pid " + rs.getInt(1) + " (" + rs.getString(2) + ", " + rs.getString(3)
                        + ", transaction open " + rs.getLong(4) + " s)");
            }
        } catch (SQLException ignored) {
            // the message is still useful without them
        }
        return String.join("; ", out);
    }

    // -------------------------------------------------------------------------------------------------- helpers

    private VersionedPlanner planner(Connection c, VersionedMigration m, VersionedJournal.Row row, boolean lookUpDependents)
            throws SQLException {
        try {
            Shape old = JSON.readValue(row.oldShape(), Shape.class);
            Map<String, PgCatalog.Table> catalog = JSON.readValue(row.catalog(), new TypeReference<LinkedHashMap<String, PgCatalog.Table>>() { });
            VersionedPlanner.Dependents deps = VersionedPlanner.Dependents.NONE;
            if (lookUpDependents) {
                deps = (table, column) -> {
                    try {
                        return PgCatalog.dependents(c, m.schema(), table, column);
                    } catch (SQLException e) {
                        throw new ZerodownException("cannot read what uses " + table + "." + column + ": " + e.getMessage(), e);
                    }
                };
            }
            return new VersionedPlanner(m, old, catalog, deps, PgCatalog.serverMajor(c), row.oldVersionSchema());
        } catch (JsonProcessingException e) {
            throw new ZerodownException("the journal row of " + row.name() + " is unreadable: " + e.getOriginalMessage(), e);
        }
    }

    private static Shape readShape(String json) {
        try {
            return JSON.readValue(json, Shape.class);
        } catch (JsonProcessingException e) {
            throw new ZerodownException("a version's shape in the journal is unreadable: " + e.getOriginalMessage(), e);
        }
    }

    private static Shape baseShape(Map<String, PgCatalog.Table> physical) {
        Map<String, Shape.TableShape> tables = new LinkedHashMap<>();
        for (PgCatalog.Table t : physical.values()) {
            Map<String, String> cols = new LinkedHashMap<>();
            for (String col : t.columns().keySet()) if (!col.startsWith("_zd_")) cols.put(col, col);
            tables.put(t.name(), new Shape.TableShape(t.name(), t.key(), cols));
        }
        return new Shape(tables);
    }

    private static VersionedMigration parse(VersionedJournal.Row row) {
        return new VersionedMigrationReader().parse(row.file(), row.definition(), row.json(), row.name());
    }

    /** Each earlier migration's writers-on-the-new-side list gains (or loses) this version's schema. */
    private void updateNewSide(Connection c, List<VersionedJournal.Row> earlier, String self, String selfSchema, boolean add)
            throws SQLException {
        if (earlier.isEmpty()) return;
        List<String> schemas = new ArrayList<>();
        for (VersionedJournal.Row r : earlier) schemas.add(r.versionSchema());
        if (add) schemas.add(selfSchema);
        for (int i = 0; i < earlier.size(); i++) {
            exec(c, VersionedPlanner.newSideFunctionSql(earlier.get(i).name(), schemas.subList(i, schemas.size())));
        }
    }

    private List<String> grants(Connection c, String schema, Shape shape, String versionSchema) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT grantee, string_agg(privilege_type, ', ') FROM "
                + "information_schema.role_table_grants WHERE table_schema = ? AND table_name = ? AND grantee <> current_user "
                + "AND privilege_type IN ('SELECT', 'INSERT', 'UPDATE', 'DELETE') GROUP BY grantee")) {
            for (var e : shape.tables().entrySet()) {
                ps.setString(1, schema);
                ps.setString(2, e.getValue().physical());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String grantee = rs.getString(1).equals("PUBLIC") ? "PUBLIC" : VersionedPlanner.q(rs.getString(1));
                        out.add("GRANT " + rs.getString(2) + " ON " + VersionedPlanner.q(versionSchema) + "."
                                + VersionedPlanner.q(e.getKey()) + " TO " + grantee);
                    }
                }
            }
        }
        return out;
    }

    private static int currentStepsDone(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT steps_done FROM zerodown.versioned_migrations WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        }
    }

    private void recordError(Connection c, String name, Exception e) {
        try {
            if (!c.getAutoCommit()) rollbackQuietly(c);
            c.setAutoCommit(true);
            VersionedJournal.error(c, name, String.valueOf(e.getMessage()));
        } catch (SQLException ignored) {
            // the original failure is what matters
        }
    }

    private Connection open() throws SQLException {
        Connection c = db.open();
        // zerodown's own writes (the backfill) are old-side writes: a search_path naming no version schema says so
        exec(c, "SET search_path = pg_catalog");
        return c;
    }

    private static boolean schemaExists(Connection c, String schema) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = ?")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static Boolean indexValid(Connection c, String qualified) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT indisvalid FROM pg_catalog.pg_index WHERE indexrelid = to_regclass(?)")) {
            ps.setString(1, qualified);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBoolean(1) : null;
            }
        }
    }

    private void lock(Connection c) throws SQLException {
        PostgresApplier.lockFor(c); // one lock for apply and versioned runs: they never work at the same time
    }

    private static void unlock(Connection c) {
        try {
            if (!c.getAutoCommit()) rollbackQuietly(c);
            c.setAutoCommit(true);
        } catch (SQLException ignored) {
            // closing the session releases the lock anyway
        }
        PostgresApplier.unlockFor(c);
    }

    private static void exec(Connection c, String... sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String s : sql) st.execute(s);
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is reset by the caller
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ZerodownException("interrupted");
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new io.zerodown.api.UnreadableInputException(file.toString(), 0, "cannot read the file: " + e.getMessage(), e);
        }
    }

    static Set<String> operationKinds(VersionedMigration m) {
        Set<String> s = new LinkedHashSet<>();
        for (Operation op : m.operations()) s.add(op.kind());
        return s;
    }
}
