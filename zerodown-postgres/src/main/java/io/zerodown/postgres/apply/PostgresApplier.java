package io.zerodown.postgres.apply;

import io.zerodown.api.Target;
import io.zerodown.api.Version;
import io.zerodown.api.ZerodownException;
import io.zerodown.core.plan.MigrationPlan;
import io.zerodown.core.plan.PlanRefusedException;
import io.zerodown.core.plan.Step;
import io.zerodown.core.plan.StepKind;
import io.zerodown.core.schema.TableState;
import io.zerodown.core.source.MigrationFile;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * zerodown apply for PostgreSQL: takes the migration lock, reads the journal (and Flyway's history), plans the pending
 * files against the live schema, checks them before changing anything, then runs each step safely and journals it.
 * Re-running after any crash resumes at the first unfinished step.
 */
public final class PostgresApplier {
    /** Advisory lock key: the ASCII bytes of "zerodown". */
    static final long LOCK_KEY = 0x7a65726f646f776eL;

    private final PostgresConnections db;
    private final ApplyOptions options;
    private final ApplyListener listener;

    public PostgresApplier(PostgresConnections db, ApplyOptions options, ApplyListener listener) {
        this.db = db;
        this.options = options;
        this.listener = listener;
    }

    /** What apply found and did. */
    public record Outcome(List<String> applied, List<String> alreadyApplied, List<String> drift, List<MigrationPlan> plans) {
    }

    /** The pending work, planned and checked, without running it (plan and --dry-run). */
    public Outcome plan(List<MigrationFile> files) throws SQLException {
        try (Connection c = db.open()) {
            return prepare(c, files, false).outcome();
        }
    }

    public Outcome apply(List<MigrationFile> files) throws SQLException {
        List<String> applied = new ArrayList<>();
        List<MigrationPlan> plans = new ArrayList<>();
        int reconnects = 0;
        while (true) {
            try (Connection c = db.open()) {
                lock(c);
                try {
                    if (reconnects == 0) io.zerodown.postgres.watch.GuardRails.reset(c);
                    while (true) {
                        Prepared p = prepare(c, files, true);
                        for (Work w : p.work) {
                            if (plans.stream().noneMatch(x -> x.id().equals(w.plan.id()))) plans.add(w.plan);
                            run(c, w);
                            applied.add(w.plan.id());
                        }
                        if (!p.resumeOnly || p.work.isEmpty()) {
                            return new Outcome(applied, p.outcome().alreadyApplied(), p.outcome().drift(), plans);
                        }
                    }
                } finally {
                    unlock(c);
                }
            } catch (StepFailedException e) {
                // a terminated or broken connection: the journal knows where we were, so reconnect and resume
                if (isConnectionLoss(e.getCause()) && reconnects++ < 3) {
                    listener.log("connection lost (" + e.getCause().getMessage().split("\n")[0] + "); reconnecting and resuming");
                    continue;
                }
                throw e;
            }
        }
    }

    static boolean isConnectionLoss(Throwable t) {
        if (!(t instanceof SQLException e)) return false;
        String s = e.getSQLState();
        return s != null && (s.startsWith("08") || s.equals("57P01") || s.equals("57P02") || s.equals("57P03"));
    }

    private record Work(MigrationPlan plan, boolean resumed) {
    }

    private record Prepared(List<Work> work, Outcome outcome, boolean resumeOnly) {
    }

    private Prepared prepare(Connection c, List<MigrationFile> files, boolean forApply) throws SQLException {
        if (forApply) {
            c.setAutoCommit(false);
            PostgresJournal.ensure(c);
            c.commit();
            c.setAutoCommit(true);
        }
        Map<String, PostgresJournal.Entry> journal = PostgresJournal.migrations(c);
        Map<String, Integer> flyway = PostgresJournal.flywayHistory(c);
        List<String> done = new ArrayList<>();
        List<String> drift = new ArrayList<>();
        List<Work> resumes = new ArrayList<>();
        List<MigrationFile> pending = new ArrayList<>();
        for (MigrationFile f : files) {
            String id = idOf(f);
            PostgresJournal.Entry e = journal.get(id);
            if (e != null && (e.status().equals("done"))) {
                done.add(id);
                if (e.checksum() != f.checksum()) drift.add(driftText(f, e.checksum()));
            } else if (e != null && (e.status().equals("running") || e.status().equals("failed"))) {
                if (e.checksum() != f.checksum()) {
                    throw new ZerodownException(f.file() + ": the file changed (checksum " + f.checksum() + ", journal "
                            + e.checksum() + ") while its migration is in flight; restore it, or run 'zerodown rollback' first");
                }
                resumes.add(new Work(e.plan(), true));
            } else if (e == null && f.version() != null && flyway.containsKey(f.version())) {
                done.add(id);
                Integer sum = flyway.get(f.version());
                if (sum != null && sum != f.checksum()) drift.add(driftText(f, sum) + " (in flyway_schema_history)");
            } else {
                if (e != null && e.status().equals("rolled_back") && forApply) forget(c, id);
                pending.add(f);
            }
        }
        for (String d : drift) listener.log("drift: " + d);
        if (!resumes.isEmpty() && !pending.isEmpty() && forApply) {
            // finish what is in flight before planning more: the plan of later files depends on it
            List<Work> work = new ArrayList<>(resumes);
            return new Prepared(work, new Outcome(List.of(), done, drift, work.stream().map(Work::plan).toList()), true);
        }
        List<TableState> live = PostgresIntrospector.tables(c);
        Target target = new Target(io.zerodown.api.Engine.POSTGRES, serverVersion(c));
        List<MigrationPlan> plans = pending.isEmpty() ? List.of()
                : new PostgresPlanner(target, live, options.allowBreaking()).plan(pending).plans();
        for (MigrationPlan plan : plans) preflight(c, plan);
        List<Work> work = new ArrayList<>(resumes);
        for (MigrationPlan plan : plans) work.add(new Work(plan, false));
        List<MigrationPlan> all = new ArrayList<>();
        for (Work w : work) all.add(w.plan);
        return new Prepared(work, new Outcome(List.of(), done, drift, all), false);
    }

    private static String driftText(MigrationFile f, int recorded) {
        return f.file() + " was applied with checksum " + recorded + " but the file now has " + f.checksum()
                + "; it is not run again";
    }

    /** Checks that would fail on existing data run before anything changes. */
    private void preflight(Connection c, MigrationPlan plan) throws SQLException {
        for (MigrationPlan.Check check : plan.checks()) {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(check.sql())) {
                if (rs.next() && rs.getBoolean(1)) {
                    throw new PlanRefusedException(plan.file(), check.problem(), null);
                }
            } catch (SQLException e) {
                // a check on a table an earlier pending step creates cannot run yet; the step itself will tell
                if (!"42P01".equals(e.getSQLState()) && !"42703".equals(e.getSQLState())) throw e;
            }
        }
    }

    private void run(Connection c, Work w) throws SQLException {
        MigrationPlan plan = w.plan;
        if (!w.resumed) PostgresJournal.start(c, plan);
        else PostgresJournal.finish(c, plan.id(), "running", null);
        listener.migrationStarted(plan, w.resumed);
        for (String s : plan.sessionSql()) {
            try (Statement st = c.createStatement()) {
                st.execute(s);
            }
        }
        List<PostgresJournal.StepRow> rows = PostgresJournal.steps(c, plan.id());
        StepRunner runner = new StepRunner(options, listener);
        boolean contractReached = false;
        for (Step step : plan.steps()) {
            PostgresJournal.StepRow row = rows.get(step.index());
            if (row.status().equals("done")) {
                if (step.phase() == io.zerodown.core.plan.Phase.CONTRACT) contractReached = true;
                continue;
            }
            long t0 = System.currentTimeMillis();
            try {
                if (!contractReached && step.phase() == io.zerodown.core.plan.Phase.CONTRACT) {
                    contractReached = true;
                    if (options.postponeContract()) runner.awaitProceed(c, plan, step);
                }
                runner.beforeStep(c);
                listener.stepStarted(plan, step);
                t0 = System.currentTimeMillis();
                runner.run(c, plan.id(), step, row.watermark());
            } catch (SQLException e) {
                String reason = e.getMessage().split("\n")[0];
                safely(c, () -> {
                    PostgresJournal.stepStatus(c, plan.id(), step.index(), "failed", reason);
                    PostgresJournal.finish(c, plan.id(), "failed", "step " + step.index() + ": " + reason);
                });
                throw new StepFailedException(plan, step, e);
            }
            listener.stepFinished(plan, step, System.currentTimeMillis() - t0);
        }
        verifyTouched(c, plan);
        PostgresJournal.finish(c, plan.id(), "done", null);
        listener.migrationFinished(plan);
    }

    /** After a migration: no INVALID index and no unvalidated constraint that zerodown itself validated. */
    private void verifyTouched(Connection c, MigrationPlan plan) throws SQLException {
        for (Step s : plan.steps()) {
            if (s.kind() == StepKind.CONCURRENT_INDEX && s.indexName() != null) {
                Boolean valid = StepRunner.indexValid(c, s.indexName());
                if (Boolean.FALSE.equals(valid)) {
                    throw new StepFailedException(plan, s, new SQLException("index " + s.indexName() + " is INVALID after its build"));
                }
            }
        }
    }

    private void forget(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM zerodown.migrations WHERE id = ?")) {
            ps.setString(1, id);
            ps.executeUpdate();
        }
    }

    /**
     * Who runs apply on this database now (the holder of the migration lock), or null when no apply runs: lets
     * zerodown control warn that a command sent now only reaches the next run, which starts by forgetting it.
     */
    public static String runningApply(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT a.pid, coalesce(a.application_name, ''), a.backend_start "
                + "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted "
                + "AND l.classid = ? AND l.objid = ? AND l.objsubid = 1 AND l.database = (SELECT oid FROM pg_database "
                + "WHERE datname = current_database())")) {
            ps.setLong(1, LOCK_KEY >>> 32);
            ps.setLong(2, LOCK_KEY & 0xffffffffL);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? "pid " + rs.getInt(1) + " (" + rs.getString(2) + ", connected since " + rs.getTimestamp(3) + ")" : null;
            }
        }
    }

    /** Session advisory lock: one runner per database. */
    private void lock(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            ps.setLong(1, LOCK_KEY);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getBoolean(1)) return;
            }
        }
        String holder = "another session";
        // advisory locks are per database: the holder is the session of this database that has the key
        try (PreparedStatement ps = c.prepareStatement("SELECT a.pid, a.application_name, a.backend_start, a.client_addr "
                + "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted "
                + "AND l.classid = ? AND l.objid = ? AND l.objsubid = 1 AND l.database = (SELECT oid FROM pg_database "
                + "WHERE datname = current_database())")) {
            ps.setLong(1, LOCK_KEY >>> 32);
            ps.setLong(2, LOCK_KEY & 0xffffffffL);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    holder = "pid " + rs.getInt(1) + " (" + rs.getString(2) + ", connected since " + rs.getTimestamp(3) + ")";
                }
            }
        }
        throw new AnotherRunnerException("another zerodown runner (apply, start, complete or rollback) is working on this database: "
                + holder + " holds the migration lock; wait for it to finish (zerodown status shows its progress), or stop it");
    }

    /** Takes the session advisory lock that keeps every other zerodown runner off this database, or names its holder. */
    public static void lockFor(Connection c) throws SQLException {
        new PostgresApplier(null, ApplyOptions.defaults(), ApplyListener.NONE).lock(c);
    }

    /** Releases {@link #lockFor}'s lock (closing the session releases it too). */
    public static void unlockFor(Connection c) {
        new PostgresApplier(null, ApplyOptions.defaults(), ApplyListener.NONE).unlock(c);
    }

    private void unlock(Connection c) {
        safely(c, () -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                ps.setLong(1, LOCK_KEY);
                ps.execute();
            }
        });
    }

    static Version serverVersion(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW server_version_num")) {
            rs.next();
            int n = Integer.parseInt(rs.getString(1));
            return new Version(n / 10000, n % 10000, 0);
        }
    }

    static String idOf(MigrationFile f) {
        return f.version() != null ? f.version() : f.units().isEmpty() ? f.file() : f.units().get(0).id();
    }

    interface SqlAction {
        void run() throws SQLException;
    }

    private static void safely(Connection c, SqlAction a) {
        try {
            if (!c.isClosed()) a.run();
        } catch (SQLException ignored) {
            // journal updates after a failure are best effort; the failure itself is reported
        }
    }

    /** Another runner holds the migration lock. */
    public static final class AnotherRunnerException extends ZerodownException {
        AnotherRunnerException(String message) {
            super(message);
        }
    }

    /** A step failed; the journal says which, and re-running apply resumes there. */
    public static final class StepFailedException extends ZerodownException {
        StepFailedException(MigrationPlan plan, Step step, SQLException cause) {
            super(plan.file() + " (from " + step.origin() + "): step " + step.index() + " '" + step.description() + "' failed: "
                    + (cause.getSQLState() == null ? "" : "SQLSTATE " + cause.getSQLState() + ": ") + cause.getMessage()
                    + "\n  what to do: fix the cause and run apply again (it resumes at this step), or 'zerodown rollback'", cause);
        }
    }
}
