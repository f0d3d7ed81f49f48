package io.zerodown.mysql.apply;

import io.zerodown.api.Engine;
import io.zerodown.api.Finding;
import io.zerodown.api.LintReport;
import io.zerodown.api.Runner;
import io.zerodown.api.Severity;
import io.zerodown.api.Target;
import io.zerodown.api.Version;
import io.zerodown.api.ZerodownException;
import io.zerodown.core.config.ZerodownConfig;
import io.zerodown.core.lint.LintEngine;
import io.zerodown.core.model.AlterAction;
import io.zerodown.core.model.ConstraintDef;
import io.zerodown.core.model.Name;
import io.zerodown.core.model.Stmt;
import io.zerodown.core.plan.BackfillSpec;
import io.zerodown.core.plan.MigrationPlan;
import io.zerodown.core.plan.Phase;
import io.zerodown.core.plan.PlanRefusedException;
import io.zerodown.core.plan.Step;
import io.zerodown.core.plan.StepKind;
import io.zerodown.core.schema.ConstraintState;
import io.zerodown.core.schema.SchemaModel;
import io.zerodown.core.schema.TableState;
import io.zerodown.core.source.MigrationFile;
import io.zerodown.mysql.MysqlAlterPredictor;
import io.zerodown.mysql.MysqlDialect;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * zerodown apply for MySQL and MariaDB: a GET_LOCK guard against a second runner, native DDL with explicit
 * ALGORITHM=/LOCK= clauses so the server refuses rather than silently copying, every DDL under a short metadata-lock
 * wait with bounded, jittered retries, an online table copy for what would otherwise be a blocking COPY, and batched
 * backfills by key range; all journalled so a re-run resumes.
 */
public final class MysqlApplier {
    static final Set<String> BREAKING = Set.of("any.column.drop", "any.table.drop", "any.schema.drop", "any.column.rename",
            "any.table.rename");
    /** Errors meaning "this DDL already happened", accepted when a step that was running is run again after a crash. */
    static final Set<Integer> ALREADY_DONE = Set.of(1050, 1060, 1061, 1091, 1826, 1022);
    private static final Pattern ALTER_HEAD = Pattern.compile("(?is)^(\\s*ALTER\\s+(?:ONLINE\\s+)?(?:IGNORE\\s+)?TABLE\\s+"
            + "(?:`[^`]+`|[\\w$]+)(?:\\s*\\.\\s*(?:`[^`]+`|[\\w$]+))?)");
    private static final Pattern ALGO_LOCK = Pattern.compile("(?i)\\s*,?\\s*\\b(ALGORITHM|LOCK)\\s*=?\\s*\\w+");

    /**
     * @param lockWaitSeconds  MySQL lock_wait_timeout per DDL attempt (whole seconds)
     * @param mariadbWait      MariaDB {@code WAIT n} per ALTER attempt, seconds (fractions allowed)
     * @param maxAttempts      attempts per step before giving up
     * @param budgetMs         retry time per step
     * @param backfillTargetMs target time per backfill batch
     * @param allowBreaking    run drops and renames as written
     * @param onlineCopy       run COPY-class changes as an online table copy; false refuses them
     * @param longTransactionMs with a {@link Watch}: before each DDL attempt, wait while a transaction open longer than
     *                         this holds the table's metadata lock (-1: the lock wait time; 0: do not wait)
     */
    public record Options(int lockWaitSeconds, double mariadbWait, int maxAttempts, long budgetMs, long backfillTargetMs,
                          boolean allowBreaking, boolean onlineCopy, boolean postponeCutOver, long longTransactionMs) {
        public Options(int lockWaitSeconds, double mariadbWait, int maxAttempts, long budgetMs, long backfillTargetMs,
                       boolean allowBreaking, boolean onlineCopy, boolean postponeCutOver) {
            this(lockWaitSeconds, mariadbWait, maxAttempts, budgetMs, backfillTargetMs, allowBreaking, onlineCopy, postponeCutOver, -1);
        }

        public static Options defaults() {
            return new Options(1, 0.2, 30, 120_000, 30, false, true, false, -1);
        }

        /**
         * With a {@link Watch}, a DDL step waits (within its retry budget) while a transaction open longer than
         * {@code ms} holds its table's metadata lock; -1: the lock wait time, 0: never waits.
         */
        public Options withLongTransactionLimit(long ms) {
            return new Options(lockWaitSeconds, mariadbWait, maxAttempts, budgetMs, backfillTargetMs, allowBreaking, onlineCopy,
                    postponeCutOver, ms);
        }

        /** The long-transaction limit in ms with -1 resolved to the lock wait time. */
        public long longTransactionLimitMs() {
            return longTransactionMs < 0 ? lockWaitSeconds * 1000L : longTransactionMs;
        }

        public Options withOnlineCopy(boolean on) {
            return new Options(lockWaitSeconds, mariadbWait, maxAttempts, budgetMs, backfillTargetMs, allowBreaking, on, postponeCutOver,
                    longTransactionMs);
        }

        public Options withBudget(int attempts, long ms) {
            return new Options(lockWaitSeconds, mariadbWait, attempts, ms, backfillTargetMs, allowBreaking, onlineCopy, postponeCutOver,
                    longTransactionMs);
        }

        public Options withAllowBreaking(boolean allow) {
            return new Options(lockWaitSeconds, mariadbWait, maxAttempts, budgetMs, backfillTargetMs, allow, onlineCopy, postponeCutOver,
                    longTransactionMs);
        }

        /**
         * Copy and checksum, then stop before the cut-over until apply runs again without this option; with a
         * {@link Watch}, the apply instead waits for {@code zerodown control proceed} (an abort leaves the copy ready).
         */
        public Options withPostponeCutOver(boolean postpone) {
            return new Options(lockWaitSeconds, mariadbWait, maxAttempts, budgetMs, backfillTargetMs, allowBreaking, onlineCopy, postpone,
                    longTransactionMs);
        }
    }

    /**
     * Guard rails, canary and report of a run: a canary reads the touched tables by primary key every
     * {@code canaryIntervalMs} on its own connection; between two chunks of an online copy or two batches of a
     * backfill the {@link io.zerodown.mysql.watch.MysqlGuardRails guard rails} pause or abort (resumably); the run's
     * JSON report goes to {@code reportFile} when it ends (also on failure or abort).
     *
     * @param limits           canary, replica-lag and Threads_running limits
     * @param canaryIntervalMs time between canary probes
     * @param canarySql        a query for the canary instead of primary-key reads, or null
     * @param replicaLagMs     replica lag in ms, or null to read this server's replication status
     * @param canaryP99Ms      the p99 the guard rails act on, or null for the canary's p99 over the limits' window
     * @param reportFile       where the JSON report is written, or null for none
     */
    public record Watch(io.zerodown.mysql.watch.MysqlGuardRails.Limits limits, long canaryIntervalMs, String canarySql,
                        java.util.function.LongSupplier replicaLagMs, java.util.function.DoubleSupplier canaryP99Ms,
                        java.nio.file.Path reportFile) {
        public static Watch defaults() {
            return new Watch(io.zerodown.mysql.watch.MysqlGuardRails.Limits.defaults(), 100, null, null, null, null);
        }

        public Watch withLimits(io.zerodown.mysql.watch.MysqlGuardRails.Limits l) {
            return new Watch(l, canaryIntervalMs, canarySql, replicaLagMs, canaryP99Ms, reportFile);
        }

        public Watch withReplicaLag(java.util.function.LongSupplier probe) {
            return new Watch(limits, canaryIntervalMs, canarySql, probe, canaryP99Ms, reportFile);
        }

        public Watch withCanaryP99(java.util.function.DoubleSupplier p99) {
            return new Watch(limits, canaryIntervalMs, canarySql, replicaLagMs, p99, reportFile);
        }

        public Watch withCanarySql(String sql) {
            return new Watch(limits, canaryIntervalMs, sql, replicaLagMs, canaryP99Ms, reportFile);
        }

        public Watch withReport(java.nio.file.Path file) {
            return new Watch(limits, canaryIntervalMs, canarySql, replicaLagMs, canaryP99Ms, file);
        }
    }

    /** What apply found and did. */
    public record Outcome(List<String> applied, List<String> alreadyApplied, List<String> drift, List<MigrationPlan> plans) {
    }

    private final MysqlConnections db;
    private final Options options;
    private final java.util.function.Consumer<String> log;
    private Watch watch;
    private io.zerodown.mysql.watch.MysqlGuardRails guard;
    private io.zerodown.mysql.watch.MysqlRunReport report;
    private io.zerodown.mysql.watch.MysqlCanary canary;
    private io.zerodown.mysql.watch.MysqlLockWaits lockWaits;
    /** Thread ids of this run's own connections (apply, copy, checksum helpers): the lock-wait rail's "zerodown". */
    private final Set<Long> ownThreads = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Test hook: run on the apply connection inside each backfill batch's transaction, after its write. */
    private java.util.function.Consumer<Connection> insideBatch;

    public MysqlApplier(MysqlConnections db, Options options, java.util.function.Consumer<String> log) {
        this.db = db;
        this.options = options;
        this.log = log;
    }

    /** Runs {@link #apply} with guard rails, a canary and a report (see {@link Watch}). Returns this. */
    public MysqlApplier withWatch(Watch w) {
        this.watch = w;
        return this;
    }

    /** The guard rails of the running {@link #apply} with a {@link Watch}, or null (settings, changes). */
    public io.zerodown.mysql.watch.MysqlGuardRails guard() {
        return guard;
    }

    /** The lock watcher of the running (or last) {@link #apply} with a {@link Watch}, or null. */
    public io.zerodown.mysql.watch.MysqlLockWaits lockWaits() {
        return lockWaits;
    }

    /** Thread ids of the running apply's own connections, as the lock-wait rail sees them. */
    public Set<Long> ownThreads() {
        return Set.copyOf(ownThreads);
    }

    /**
     * Runs {@code hook} on the apply connection inside every backfill batch's transaction, after the batch's write and
     * before its commit (tests use it to hold the batch's row locks). Returns this.
     */
    public MysqlApplier withBatchHook(java.util.function.Consumer<Connection> hook) {
        this.insideBatch = hook;
        return this;
    }

    /** The report of the last {@link #apply} with a {@link Watch}, or null. */
    public io.zerodown.mysql.watch.MysqlRunReport report() {
        return report;
    }

    /** The canary of the running (or last) {@link #apply} with a {@link Watch}, or null. */
    public io.zerodown.mysql.watch.MysqlCanary canary() {
        return canary;
    }

    public Outcome plan(List<MigrationFile> files) throws SQLException {
        try (Connection c = db.open()) {
            return prepare(c, files, false);
        }
    }

    public Outcome apply(List<MigrationFile> files) throws SQLException {
        try (Connection c = db.open()) {
            lock(c);
            ownThreads.clear();
            ownThreads.add(threadId(c));
            Connection guardConnection = null;
            String outcome = "failed";
            String why = null;
            try {
                MysqlJournal.ensure(c);
                Outcome o = prepare(c, files, true);
                if (watch != null) {
                    guardConnection = db.open();
                    startWatch(c, guardConnection, o.plans());
                }
                List<String> applied = new ArrayList<>();
                boolean waiting = false;
                for (MigrationPlan p : o.plans()) {
                    if (!run(c, p)) { // a postponed cut-over holds back this and later migrations
                        waiting = true;
                        break;
                    }
                    applied.add(p.id());
                }
                outcome = waiting ? "waiting" : "done";
                why = waiting ? "the cut-over waits until apply runs again without --postpone-cut-over" : null;
                return new Outcome(applied, o.alreadyApplied(), o.drift(), o.plans());
            } catch (RuntimeException | SQLException e) {
                Throwable root = e;
                while (root.getCause() != null && !(root instanceof io.zerodown.mysql.copy.OnlineCopyException.Aborted)) {
                    root = root.getCause();
                }
                outcome = root instanceof io.zerodown.mysql.copy.OnlineCopyException.Aborted ? "aborted" : "failed";
                why = String.valueOf(e.getMessage()).split("\n")[0];
                throw e;
            } finally {
                finishWatch(outcome, why, guardConnection);
                try (Statement st = c.createStatement()) {
                    st.execute("DO RELEASE_LOCK(" + lockName() + ")");
                } catch (SQLException ignored) {
                    // the lock goes with the connection anyway
                }
            }
        }
    }

    /** Forgets earlier operator commands, starts the canary on the tables the plans copy or backfill, arms the rails. */
    private void startWatch(Connection c, Connection guardConnection, List<MigrationPlan> plans) throws SQLException {
        report = new io.zerodown.mysql.watch.MysqlRunReport(db.display());
        report.limits(watch.limits());
        io.zerodown.mysql.watch.MysqlControl.reset(c);
        Set<String> tables = new java.util.LinkedHashSet<>();
        for (MigrationPlan p : plans) {
            for (Step s : p.steps()) {
                if (s.kind() == StepKind.ONLINE_COPY && s.table() != null) tables.add(s.table().name());
                if (s.kind() == StepKind.BACKFILL && s.backfill() != null) tables.add(s.backfill().table().name());
            }
        }
        canary = new io.zerodown.mysql.watch.MysqlCanary(db::open, List.copyOf(tables), watch.canarySql(),
                watch.canaryIntervalMs()).start();
        report.canary(canary); // the live page and the report read its samples and histogram
        for (MigrationPlan p : plans) report.planned(p.id(), p.steps());
        io.zerodown.mysql.watch.MysqlCanary cn = canary;
        long window = watch.limits().canaryWindowMs();
        java.util.function.DoubleSupplier p99 = watch.canaryP99Ms() != null ? watch.canaryP99Ms() : () -> cn.recentP99Ms(window);
        guard = new io.zerodown.mysql.watch.MysqlGuardRails(guardConnection, p99, watch.replicaLagMs(), watch.limits());
        io.zerodown.mysql.watch.MysqlRunReport r = report;
        io.zerodown.mysql.watch.MysqlRunReport lagReport = report;
        guard.onReplicaLag(lagReport::replicaLag);
        guard.onChange(change -> {
            log.accept("  " + change + " (zerodown control)");
            r.control(change);
        });
        lockWaits = new io.zerodown.mysql.watch.MysqlLockWaits(db::open).start();
        guard.withLockWaits(lockWaits, ownThreads::contains).withDefaultBatchTarget(options.backfillTargetMs());
        report.settings(guard::settings, io.zerodown.mysql.watch.MysqlControl.SETTINGS);
        io.zerodown.mysql.watch.MysqlLockWaits waits = lockWaits;
        report.lockWaits(waits::current, waits::seen);
        if (!tables.isEmpty()) log.accept("canary: a primary-key read of " + String.join(", ", tables) + " every "
                + watch.canaryIntervalMs() + " ms; guard rails: " + watch.limits());
    }

    private void finishWatch(String outcome, String why, Connection guardConnection) {
        if (report == null || watch == null) return;
        if (canary != null) {
            canary.close();
            report.canary(canary.count(), canary.failures(), canary.percentiles());
        }
        if (lockWaits != null) lockWaits.close();
        report.finished(outcome, why);
        if (guardConnection != null) {
            try {
                guardConnection.close();
            } catch (SQLException ignored) {
                // closing the guard's connection at the end of the run
            }
        }
        guard = null;
        if (watch.reportFile() != null) {
            try {
                report.write(watch.reportFile());
                log.accept("report: " + watch.reportFile());
            } catch (java.io.IOException e) {
                log.accept("could not write the report " + watch.reportFile() + ": " + e.getMessage());
            }
        }
    }

    /**
     * Between two backfill batches: waits while the guard rails say pause (asking again every 100 ms), throws
     * {@link io.zerodown.mysql.copy.OnlineCopyException.Aborted} when they say abort. The last batch and its
     * watermark are committed, so apply resumes there.
     */
    private void holdBackfill(Step s, long watermark) throws SQLException {
        if (guard == null) return;
        String reported = null;
        long pausedAt = 0;
        while (true) {
            io.zerodown.mysql.copy.OnlineTableCopy.Hold h = guard.check();
            if (h == null) {
                if (pausedAt != 0) {
                    log.accept("  resuming the backfill after " + (System.nanoTime() - pausedAt) / 1_000_000 + " ms paused");
                    report.resumed();
                }
                return;
            }
            if (h.abort()) {
                String msg = "backfill of " + s.backfill().table() + " aborted (" + h.reason() + ") at watermark " + watermark
                        + "; every batch up to it is committed: apply resumes from it";
                log.accept("  " + msg);
                throw new io.zerodown.mysql.copy.OnlineCopyException.Aborted(msg, h.reason());
            }
            if (!h.reason().equals(reported)) {
                log.accept("  paused: " + h.reason());
                report.paused(h.reason());
                reported = h.reason();
            }
            if (pausedAt == 0) pausedAt = System.nanoTime();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while the backfill was paused (" + h.reason() + "); apply resumes from "
                        + "watermark " + watermark);
            }
        }
    }

    private static long threadId(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT CONNECTION_ID()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Opens a connection and counts it as one of this run's own, for the lock-wait rail. */
    private Connection ownConnection() throws SQLException {
        Connection c = db.open();
        try {
            ownThreads.add(threadId(c));
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private String lockName() {
        return "'zerodown:" + db.database().replace("'", "''") + "'";
    }

    /** GET_LOCK guard: one runner per database. */
    private void lock(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT GET_LOCK(" + lockName() + ", 0)")) {
            rs.next();
            if (rs.getInt(1) == 1) return;
        }
        String holder = "another session";
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT p.ID, p.USER, p.HOST, p.TIME FROM "
                + "information_schema.PROCESSLIST p WHERE p.ID = IS_USED_LOCK(" + lockName() + ")")) {
            if (rs.next()) holder = "connection " + rs.getLong(1) + " (" + rs.getString(2) + "@" + rs.getString(3) + ", " + rs.getLong(4) + " s)";
        }
        throw new ZerodownException("another zerodown apply is running on this database: " + holder
                + " holds the migration lock; wait for it to finish, or stop it");
    }

    static Target target(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT VERSION()")) {
            rs.next();
            String v = rs.getString(1);
            Matcher m = Pattern.compile("^(\\d+)\\.(\\d+)\\.(\\d+)").matcher(v);
            if (!m.find()) throw new SQLException("cannot read the server version '" + v + "'");
            Version version = new Version(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
            return new Target(v.toLowerCase().contains("mariadb") ? Engine.MARIADB : Engine.MYSQL, version);
        }
    }

    private Outcome prepare(Connection c, List<MigrationFile> files, boolean forApply) throws SQLException {
        Map<String, MysqlJournal.Entry> journal = MysqlJournal.migrations(c);
        List<String> done = new ArrayList<>();
        List<String> drift = new ArrayList<>();
        List<MigrationPlan> resumes = new ArrayList<>();
        List<MigrationFile> pending = new ArrayList<>();
        for (MigrationFile f : files) {
            String id = f.version() != null ? f.version() : f.units().isEmpty() ? f.file() : f.units().get(0).id();
            MysqlJournal.Entry e = journal.get(id);
            if (e != null && e.status().equals("done")) {
                done.add(id);
                if (e.checksum() != f.checksum()) {
                    drift.add(f.file() + " was applied with checksum " + e.checksum() + " but the file now has " + f.checksum()
                            + "; it is not run again");
                }
            } else if (e != null && (e.status().equals("running") || e.status().equals("failed")) && e.plan() != null) {
                if (e.checksum() != f.checksum()) {
                    throw new ZerodownException(f.file() + ": the file changed while its migration is in flight; restore it");
                }
                resumes.add(e.plan());
            } else {
                pending.add(f);
            }
        }
        for (String d : drift) log.accept("drift: " + d);
        if (forApply) {
            for (MigrationFile f : pending) {
                String id = f.version() != null ? f.version() : f.units().isEmpty() ? f.file() : f.units().get(0).id();
                if (journal.containsKey(id)) {
                    try (PreparedStatement ps = c.prepareStatement("DELETE FROM zerodown_migrations WHERE id = ?");
                         PreparedStatement ps2 = c.prepareStatement("DELETE FROM zerodown_steps WHERE migration_id = ?")) {
                        ps.setString(1, id);
                        ps.executeUpdate();
                        ps2.setString(1, id);
                        ps2.executeUpdate();
                    }
                }
            }
        }
        List<MigrationPlan> plans = new ArrayList<>(resumes);
        if (!pending.isEmpty()) plans.addAll(planFiles(c, pending));
        return new Outcome(List.of(), done, drift, plans);
    }

    private List<MigrationPlan> planFiles(Connection c, List<MigrationFile> files) throws SQLException {
        Target target = target(c);
        LintEngine engine = new LintEngine(target, Runner.ZERODOWN, ZerodownConfig.empty());
        for (TableState t : MysqlIntrospector.tables(c)) engine.addLiveTable(t);
        Map<String, List<Step>> steps = new LinkedHashMap<>();
        for (MigrationFile f : files) steps.put(f.file(), new ArrayList<>());
        List<PlanRefusedException> refusals = new ArrayList<>();
        LintReport report = engine.lint(files, (unit, text, stmt, locks) -> {
            String origin = unit.file() + ":" + text.line();
            try {
                plan(engine.schema(), target, unit.id(), stmt, text.sql(), origin, steps.get(unit.file()));
            } catch (PlanRefusedException e) {
                refusals.add(e);
            }
        });
        for (Finding f : report.findings()) {
            if (f.severity() != Severity.ERROR) continue;
            if (options.allowBreaking() && BREAKING.contains(f.rule())) continue;
            refusals.add(new PlanRefusedException(f.location(), f.rule() + ": " + f.message(),
                    f.fix() == null ? null : "write it this way instead, or allow it with '-- zerodown:ignore " + f.rule()
                            + " <reason>':\n    " + f.fix().replace("\n", "\n    ")));
        }
        if (!refusals.isEmpty()) throw refusals.get(0);
        List<MigrationPlan> plans = new ArrayList<>();
        for (MigrationFile f : files) {
            List<Step> list = steps.get(f.file());
            List<Step> numbered = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) numbered.add(list.get(i).withIndex(i));
            String id = f.version() != null ? f.version() : f.units().isEmpty() ? f.file() : f.units().get(0).id();
            plans.add(new MigrationPlan(id, f.file(), f.description(), f.checksum(), numbered, List.of(), List.of(), List.of()));
        }
        return plans;
    }

    private void plan(SchemaModel schema, Target target, String unit, Stmt stmt, String sql, String origin, List<Step> out) {
        if (stmt instanceof Stmt.Transaction || stmt instanceof Stmt.SetVariable sv && sv.name().contains("lock_wait_timeout")) return;
        Stmt.AlterTable at = MysqlAlterPredictor.asAlter(stmt, sql);
        if (at != null && !schema.isNewInUnit(at.table(), unit)) {
            TableState t = schema.table(at.table());
            if (t == null) {
                throw new PlanRefusedException(origin, "table " + at.table() + " does not exist in the database and no earlier "
                        + "migration creates it", "check the table name and the database URL");
            }
            List<AlterAction> bare = at.actions().stream()
                    .filter(a -> !(a instanceof AlterAction.Algorithm) && !(a instanceof AlterAction.Lock)).toList();
            MysqlAlterPredictor.Prediction p = MysqlAlterPredictor.predict(target, new Stmt.AlterTable(at.table(), false, false, bare), t);
            String clean = ALGO_LOCK.matcher(sql).replaceAll("").trim();
            boolean blocking = p.algorithm() == MysqlAlterPredictor.Algorithm.COPY && !p.onlineCopy()
                    || p.lock() != MysqlAlterPredictor.Lock.NONE;
            if (blocking && stmt instanceof Stmt.AlterTable) {
                if (!options.onlineCopy()) {
                    throw new PlanRefusedException(origin, "this ALTER runs as " + p.describe() + " on " + target
                            + " (writes blocked for the whole copy), and the online table copy is not available",
                            "run it with an online schema change tool");
                }
                String clauses = clean.replaceFirst(ALTER_HEAD.pattern(), "").trim();
                out.add(step(Phase.EXPAND, StepKind.ONLINE_COPY, "online copy of " + at.table() + " (" + p.describe()
                        + " natively)", clauses, "MDL exclusive (brief, at cut-over)", at.table(), origin));
                return;
            }
            String native_ = withClauses(stmt, clean, p.clauseText());
            out.add(new Step(0, Phase.EXPAND, StepKind.TRANSACTIONAL, "native " + p.describe(), native_, "MDL exclusive (brief), "
                    + p.describe(), at.table(), null, undo(at), null, origin));
            return;
        }
        if (stmt instanceof Stmt.Dml d && (d.kind().equals("UPDATE") || d.kind().equals("DELETE")) && d.touchesWholeTable()
                && !schema.isNewInUnit(d.table(), unit)) {
            TableState t = schema.table(d.table());
            String key = null;
            if (t != null) {
                for (ConstraintState k : t.constraints.values()) {
                    if (k.kind == ConstraintDef.Kind.PRIMARY_KEY && k.columns.size() == 1) key = k.columns.get(0);
                }
            }
            if (key == null) {
                throw new PlanRefusedException(origin, "a batched " + d.kind() + " of " + d.table() + " needs a single-column "
                        + "primary key", "add one, or batch the statement yourself by key range");
            }
            String set = d.kind().equals("UPDATE") ? sql.replaceFirst("(?is)^\\s*UPDATE\\s+.*?\\s+SET\\s+", "")
                    .replaceFirst("(?is)\\s+WHERE\\s+.*$", "").trim() : null;
            Matcher w = Pattern.compile("(?is)\\bWHERE\\s+(.*)$").matcher(sql);
            String where = d.hasWhere() && w.find() ? w.group(1).trim() : null;
            out.add(new Step(0, Phase.BACKFILL, StepKind.BACKFILL, d.kind() + (where == null ? " every row" : " the rows where " + where)
                    + " of " + d.table() + " in key ranges", sql, "row locks per batch", d.table(), null, null,
                    new BackfillSpec(d.table(), key, set, where), origin));
            return;
        }
        out.add(step(Phase.EXPAND, StepKind.TRANSACTIONAL, "run as written", sql, "MDL (brief)", null, origin));
    }

    /** The inverse of a native ALTER when every clause has one (added columns and indexes), else null. */
    static String undo(Stmt.AlterTable at) {
        MysqlDialect d = new MysqlDialect();
        List<String> parts = new ArrayList<>();
        for (AlterAction a : at.actions()) {
            if (a instanceof AlterAction.AddColumn ac) parts.add("DROP COLUMN " + d.quote(ac.column().name()));
            else if (a instanceof AlterAction.AddIndex ai && ai.index().name() != null) parts.add("DROP INDEX " + d.quote(ai.index().name()));
            else if (a instanceof AlterAction.Algorithm || a instanceof AlterAction.Lock) continue;
            else return null;
        }
        return parts.isEmpty() ? null : "ALTER TABLE " + d.quote(at.table().name()) + " " + String.join(", ", parts);
    }

    /**
     * Undoes the steps of the in-flight or failed migration (or the one named), newest first: drops what native steps
     * added, aborts an online copy before its cut-over (triggers and shadow table go) or reverts it after. Refuses,
     * changing nothing, when a step cannot be undone without losing data.
     */
    public List<String> rollback(String migrationId) throws SQLException {
        try (Connection c = db.open()) {
            lock(c);
            Map<String, MysqlJournal.Entry> all = MysqlJournal.migrations(c);
            MysqlJournal.Entry target = null;
            for (MysqlJournal.Entry e : all.values()) {
                if (migrationId != null ? e.id().equals(migrationId) : e.status().equals("running") || e.status().equals("failed")) target = e;
            }
            if (target == null || target.plan() == null) {
                throw new ZerodownException(migrationId == null ? "no migration is in flight or failed"
                        : "no migration '" + migrationId + "' with a plan in the journal");
            }
            MigrationPlan plan = target.plan();
            Map<Integer, String[]> rows = MysqlJournal.steps(c, plan.id());
            List<Step> undo = new ArrayList<>();
            List<String> impossible = new ArrayList<>();
            for (int i = plan.steps().size() - 1; i >= 0; i--) {
                Step s = plan.steps().get(i);
                String status = rows.get(i)[0];
                if (status.equals("pending") || status.equals("rolled_back")) continue;
                boolean copyCleanedUp = s.kind() == StepKind.ONLINE_COPY && "done".equals(copyState(c, plan.id(), s.index()));
                if (copyCleanedUp) impossible.add("step " + s.index() + " '" + s.description() + "' (its old table was dropped)");
                else if (s.kind() == StepKind.ONLINE_COPY) undo.add(s);
                // a native DDL that failed changed nothing (DDL is atomic): only completed ones need undoing
                else if (!status.equals("done")) continue;
                else if (s.rollbackSql() != null) undo.add(s);
                else impossible.add("step " + s.index() + " '" + s.description() + "' (" + s.origin() + ")");
            }
            if (!impossible.isEmpty()) {
                throw new ZerodownException("migration " + plan.id() + " cannot be rolled back without losing data: "
                        + String.join("; ", impossible) + ". Nothing was changed.");
            }
            List<String> done = new ArrayList<>();
            Target target0 = target(c);
            for (Step s : undo) {
                if (s.kind() == StepKind.ONLINE_COPY) {
                    try (Connection cc = db.open(); Connection j = db.open()) {
                        var copy = new io.zerodown.mysql.copy.OnlineTableCopy(cc, db.database(), s.table().name(), s.sql(),
                                io.zerodown.mysql.copy.OnlineTableCopy.Options.defaults(), new StepJournal(j, plan.id(), s.index()),
                                new io.zerodown.mysql.copy.OnlineTableCopy.Listener() { });
                        if (copy.state() == io.zerodown.mysql.copy.OnlineTableCopy.State.CUT_OVER) copy.revert();
                        else copy.abort();
                    }
                } else if (rows.get(s.index())[0].equals("done")) {
                    ddl(c, target0, plan, new Step(s.index(), s.phase(), StepKind.TRANSACTIONAL, "undo " + s.description(),
                            s.rollbackSql(), s.lock(), s.table(), null, null, null, s.origin()), true);
                }
                MysqlJournal.step(c, plan.id(), s.index(), "rolled_back", null, 0, 0);
                done.add(s.description());
            }
            MysqlJournal.finish(c, plan.id(), "rolled_back", null);
            return done;
        }
    }

    private static String copyState(Connection c, String id, int idx) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT copy_state FROM zerodown_steps WHERE migration_id = ? AND idx = ?")) {
            ps.setString(1, id);
            ps.setInt(2, idx);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static Step step(Phase phase, StepKind kind, String description, String sql, String lock, Name table, String origin) {
        return new Step(0, phase, kind, description, sql, lock, table, null, null, null, origin);
    }

    /** Appends explicit ALGORITHM=/LOCK= so the server refuses instead of silently choosing a blocking copy. */
    static String withClauses(Stmt stmt, String sql, String clauses) {
        if (stmt instanceof Stmt.AlterTable) return sql + ", " + clauses;
        return sql + " " + clauses.replace(",", "");
    }

    /** Runs a plan's pending steps; false when it stopped at a postponed cut-over. */
    private boolean run(Connection c, MigrationPlan plan) throws SQLException {
        Map<Integer, String[]> rows = MysqlJournal.steps(c, plan.id());
        if (rows.isEmpty()) {
            MysqlJournal.start(c, plan);
            rows = MysqlJournal.steps(c, plan.id());
        } else {
            MysqlJournal.finish(c, plan.id(), "running", null);
        }
        Target target = target(c);
        for (Step s : plan.steps()) {
            String[] row = rows.get(s.index());
            if (row != null && row[0].equals("done")) continue;
            boolean resumed = row != null && (row[0].equals("running") || row[0].equals("failed"));
            log.accept("[" + s.index() + "] " + s.description());
            if (report != null) report.stepStarted(plan.id(), s.index(), s.kind().name().toLowerCase(java.util.Locale.ROOT), s.description());
            try {
                MysqlJournal.step(c, plan.id(), s.index(), "running", null, 0, 0);
                switch (s.kind()) {
                    case BACKFILL -> backfill(c, plan, s, row == null ? null : row[1]);
                    case ONLINE_COPY -> {
                        if (!onlineCopy(plan, s)) {
                            MysqlJournal.finish(c, plan.id(), "running", "waiting for the cut-over of step " + s.index());
                            log.accept("  copy ready; the cut-over waits until apply runs again without --postpone-cut-over "
                                    + "(triggers keep the copy current meanwhile)");
                            if (report != null) report.stepEnded("waiting", "postponed cut-over");
                            return false;
                        }
                    }
                    default -> ddl(c, target, plan, s, resumed);
                }
                MysqlJournal.step(c, plan.id(), s.index(), "done", null, 0, 0);
                if (report != null) report.stepEnded("done", null);
            } catch (SQLException | io.zerodown.mysql.copy.OnlineCopyException e) {
                String reason = e.getMessage().split("\n")[0];
                if (report != null) {
                    report.stepEnded(e instanceof io.zerodown.mysql.copy.OnlineCopyException.Aborted ? "aborted" : "failed", reason);
                }
                try {
                    MysqlJournal.step(c, plan.id(), s.index(), "failed", reason, 0, 0);
                    MysqlJournal.finish(c, plan.id(), "failed", "step " + s.index() + ": " + reason);
                } catch (SQLException ignored) {
                    // the failure itself is what gets reported
                }
                String code = e instanceof SQLException sql ? "error " + sql.getErrorCode() + ": " : "";
                throw new ZerodownException(plan.file() + " (from " + s.origin() + "): step " + s.index() + " '" + s.description()
                        + "' failed: " + code + reason + "\n  what to do: fix the cause and run apply again (it resumes at this "
                        + "step), or 'zerodown rollback'", e);
            }
        }
        MysqlJournal.finish(c, plan.id(), "done", null);
        return true;
    }

    /**
     * The online table copy for one COPY-class ALTER, on its own connection: shadow table and triggers, chunked copy
     * from the journalled watermark, chunk checksums, atomic RENAME cut-over. The old table is kept (renamed, kept in
     * step by reverse triggers) so the change can be reverted.
     */
    private boolean onlineCopy(MigrationPlan plan, Step s) throws SQLException {
        // an earlier copy of the same table in this migration kept the old table and reverse triggers for a revert;
        // a second copy needs the table free of triggers, so the earlier one's revert window closes here
        for (Step earlier : plan.steps()) {
            if (earlier.index() >= s.index() || earlier.kind() != StepKind.ONLINE_COPY || !earlier.table().sameAs(s.table())) continue;
            try (Connection c = db.open(); Connection j = db.open()) {
                var old = new io.zerodown.mysql.copy.OnlineTableCopy(c, db.database(), earlier.table().name(), earlier.sql(),
                        io.zerodown.mysql.copy.OnlineTableCopy.Options.defaults(), new StepJournal(j, plan.id(), earlier.index()),
                        new io.zerodown.mysql.copy.OnlineTableCopy.Listener() { });
                if (old.state() == io.zerodown.mysql.copy.OnlineTableCopy.State.CUT_OVER) {
                    old.cleanup();
                    log.accept("  dropped " + old.oldTable() + " kept by step " + earlier.index() + " before copying the table again");
                }
            }
        }
        try (Connection c = ownConnection(); Connection j = ownConnection()) {
            io.zerodown.mysql.copy.OnlineTableCopy copy = new io.zerodown.mysql.copy.OnlineTableCopy(c, db.database(),
                    s.table().name(), s.sql(), copyOptions().withPostponeCutOver(options.postponeCutOver()),
                    new StepJournal(j, plan.id(), s.index()), new io.zerodown.mysql.copy.OnlineTableCopy.Listener() {
                        @Override
                        public void log(String line) {
                            log.accept("  " + line);
                        }

                        @Override
                        public void paused(String why) {
                            log.accept("  paused: " + why);
                            if (report != null) report.paused(why);
                        }

                        @Override
                        public void resumed(long pausedMs) {
                            if (report != null) report.resumed();
                        }

                        @Override
                        public void chunk(String lastKey, int rows, long nanos) {
                            if (report != null) report.chunk(rows, nanos);
                        }

                        @Override
                        public void progress(long rows, long estimate, int chunk) {
                            if (report != null) report.progress(rows, estimate, chunk);
                        }
                    });
            if (copy.state() == io.zerodown.mysql.copy.OnlineTableCopy.State.CUT_OVER
                    || copy.state() == io.zerodown.mysql.copy.OnlineTableCopy.State.DONE) {
                return true;
            }
            copy.withHelperConnections(this::ownConnection); // the chunk checksums run beside the copy
            if (guard != null) copy.withGuard(guard);
            copy.prepare();
            copy.copy();
            if (report != null && copy.copyChecksum() != null) {
                var sum = copy.copyChecksum();
                report.stepFact("checksum", Map.of("chunks", sum.chunks(), "rows", sum.rows(), "repaired", sum.repaired(),
                        "millis", sum.millis()));
            }
            if (guard != null && guard.batchTargetMs(-1) > 0) {
                // the copy sizes its chunks from its Options, fixed when it was built; the setting applies to backfills
                log.accept("  batch-time " + guard.batchTargetMs(-1) + " ms applies to backfills; this copy keeps its chunk target");
            }
            if (copy.cutOver() != io.zerodown.mysql.copy.OnlineTableCopy.State.CUT_OVER) {
                if (guard == null || !awaitProceed(s)) return false;
                if (copy.cutOverNow() != io.zerodown.mysql.copy.OnlineTableCopy.State.CUT_OVER) return false;
            }
            verifyDefinition(c, s, copy.oldTable());
            var stats = copy.stats();
            log.accept("  copied " + stats.rows() + " rows in " + stats.chunks() + " chunks (" + stats.rowsPerSecond()
                    + " rows/s); old table kept as " + copy.oldTable());
            return true;
        }
    }

    /**
     * A postponed cut-over with a {@link Watch}: waits (asking every 100 ms) for {@code zerodown control proceed};
     * true to cut over now, false when aborted (the copy stays READY, triggers keep it current, apply finishes it).
     */
    private boolean awaitProceed(Step s) throws SQLException {
        String label = "[" + s.index() + "] cut-over of " + s.table();
        log.accept("  copy ready; waiting for 'zerodown control proceed' to cut over (abort leaves it ready for the next apply)");
        report.waitingToProceed(label);
        try {
            while (true) {
                String state = guard.refresh();
                if ("abort".equals(state)) {
                    log.accept("  aborted while waiting to cut over; the copy stays ready: apply finishes it");
                    report.control("abort while waiting to cut over");
                    return false;
                }
                if (guard.proceedRequested()) {
                    guard.consumeProceed();
                    log.accept("  proceed: cutting over");
                    report.control("proceed");
                    return true;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SQLException("interrupted while waiting to cut over; the copy stays ready: apply finishes it");
                }
            }
        } finally {
            report.waitingToProceed(null);
        }
    }

    /** The copy's options: with guard rails, they do the throttling (replica lag, Threads_running) instead. */
    private io.zerodown.mysql.copy.OnlineTableCopy.Options copyOptions() {
        var o = io.zerodown.mysql.copy.OnlineTableCopy.Options.defaults();
        return guard == null ? o : o.withThrottle(0, 0, null);
    }

    /**
     * After a cut-over, the new table's definition must equal what the naive ALTER gives: the ALTER is applied to an
     * empty copy of the old table and the two SHOW CREATE TABLE texts are compared (names and AUTO_INCREMENT aside).
     */
    private void verifyDefinition(Connection c, Step s, String oldTable) throws SQLException {
        MysqlDialect d = new MysqlDialect();
        String probe = "_" + s.table().name() + "_zdverify";
        try (Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS `" + probe + "`");
            st.execute("CREATE TABLE `" + probe + "` LIKE `" + oldTable + "`");
            try {
                st.execute("ALTER TABLE `" + probe + "` " + s.sql());
                String expected = normalisedDefinition(st, probe);
                String actual = normalisedDefinition(st, s.table().name());
                if (!expected.equals(actual)) {
                    throw new SQLException("verify: " + s.table() + " after the online copy differs from what the ALTER gives:\n"
                            + "  expected " + expected + "\n  actual   " + actual);
                }
                log.accept("  verified: " + d.quote(s.table().name()) + " has exactly the definition the ALTER gives");
                if (report != null) report.verification(s.table().name() + " has exactly the definition the ALTER gives "
                        + "(checked against the naive ALTER on an empty copy)");
            } finally {
                st.execute("DROP TABLE IF EXISTS `" + probe + "`");
            }
        }
    }

    private static String normalisedDefinition(Statement st, String table) throws SQLException {
        try (ResultSet rs = st.executeQuery("SHOW CREATE TABLE `" + table.replace("`", "``") + "`")) {
            rs.next();
            return rs.getString(2).replaceFirst("CREATE TABLE `[^`]+`", "CREATE TABLE t").replaceAll(" AUTO_INCREMENT=\\d+", "")
                    .replaceAll("\\s+", " ");
        }
    }

    /** The copy's progress in zerodown_steps: watermark, total rows and the copy's own state. */
    private static final class StepJournal implements io.zerodown.mysql.copy.OnlineTableCopy.Journal {
        private final Connection c;
        private final String id;
        private final int idx;

        StepJournal(Connection c, String id, int idx) {
            this.c = c;
            this.id = id;
            this.idx = idx;
        }

        private String[] row() {
            try (PreparedStatement ps = c.prepareStatement("SELECT watermark, rows_done, copy_state FROM zerodown_steps "
                    + "WHERE migration_id = ? AND idx = ?")) {
                ps.setString(1, id);
                ps.setInt(2, idx);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? new String[] {rs.getString(1), String.valueOf(rs.getLong(2)), rs.getString(3)}
                            : new String[] {null, "0", null};
                }
            } catch (SQLException e) {
                throw new IllegalStateException("cannot read the journal: " + e.getMessage(), e);
            }
        }

        @Override
        public String watermark() {
            return row()[0];
        }

        @Override
        public long rowsCopied() {
            return Long.parseLong(row()[1]);
        }

        @Override
        public String state() {
            return row()[2];
        }

        @Override
        public void watermark(String key, long rowsCopied) {
            update("UPDATE zerodown_steps SET watermark = ?, rows_done = ? WHERE migration_id = ? AND idx = ?", key, rowsCopied);
        }

        @Override
        public void state(String state) {
            update("UPDATE zerodown_steps SET copy_state = ? WHERE migration_id = ? AND idx = ?", state, null);
        }

        private void update(String sql, String text, Long number) {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int p = 1;
                ps.setString(p++, text);
                if (number != null) ps.setLong(p++, number);
                ps.setString(p++, id);
                ps.setInt(p, idx);
                ps.executeUpdate();
            } catch (SQLException e) {
                throw new IllegalStateException("cannot write the journal: " + e.getMessage(), e);
            }
        }
    }

    /** One DDL statement under a short metadata-lock wait, retried with backoff and jitter on 1205 and 1213. */
    private void ddl(Connection c, Target target, MigrationPlan plan, Step s, boolean resumed) throws SQLException {
        String sql = s.sql();
        if (target.engine() == Engine.MARIADB) {
            Matcher m = ALTER_HEAD.matcher(sql);
            if (m.find()) sql = m.group(1) + " WAIT " + options.mariadbWait() + sql.substring(m.end());
        }
        long deadline = System.currentTimeMillis() + options.budgetMs();
        int attempt = 0;
        boolean cancelledBefore = false;
        while (true) {
            if (!awaitLongTransactions(c, s, deadline)) {
                throw new SQLException("could not get the metadata lock on " + s.table() + " after " + attempt
                        + " attempts (waited for long transactions until the step's budget of " + options.budgetMs()
                        + " ms was spent); transactions that hold it: " + blockers(c, s.table())
                        + ". Nothing was changed by this step: re-run apply when they are gone.", "HY000", 1205);
            }
            attempt++;
            java.util.concurrent.atomic.AtomicBoolean cancelled = new java.util.concurrent.atomic.AtomicBoolean();
            try (Statement st = c.createStatement(); AutoCloseable watchdog = queueWatchdog(c, st, cancelled)) {
                st.execute("SET SESSION lock_wait_timeout = " + options.lockWaitSeconds());
                st.execute(sql);
                if (attempt > 1) MysqlJournal.step(c, plan.id(), s.index(), "running", null, attempt - 1, attempt - 1);
                return;
            } catch (Exception failure) {
                if (!(failure instanceof SQLException e)) throw new IllegalStateException(failure);
                if ((resumed || cancelledBefore) && ALREADY_DONE.contains(e.getErrorCode())) {
                    log.accept("  already done before the interruption (" + e.getMessage().split("\n")[0] + ")");
                    return;
                }
                if ((e.getErrorCode() == 1846 || e.getErrorCode() == 1845) && s.table() != null && options.onlineCopy()
                        && ALTER_HEAD.matcher(s.sql()).find()) {
                    // the server refused the algorithm we asked for: never fall back to its blocking copy
                    log.accept("  the server refused " + e.getMessage().split("\n")[0] + "; running an online copy instead");
                    String clauses = ALGO_LOCK.matcher(s.sql()).replaceAll("").trim().replaceFirst(ALTER_HEAD.pattern(), "").trim();
                    if (!onlineCopy(plan, new Step(s.index(), s.phase(), StepKind.ONLINE_COPY, s.description(), clauses, s.lock(),
                            s.table(), null, null, null, s.origin()))) {
                        throw new SQLException("the cut-over is postponed; run apply again to finish");
                    }
                    return;
                }
                // 1317: the lock-wait rail cancelled an attempt that sessions queued behind for too long; a cancel can
                // land as the statement completes, so the next attempt takes "already done" as done
                if (e.getErrorCode() == 1317 && cancelled.get()) cancelledBefore = true;
                else if (e.getErrorCode() != 1205 && e.getErrorCode() != 1213) throw e;
                long cap = Math.min(2000, 50L << Math.min(10, attempt));
                long sleep = ThreadLocalRandom.current().nextLong(cap + 1);
                if (attempt >= options.maxAttempts() || System.currentTimeMillis() + sleep > deadline) {
                    throw new SQLException("could not get the metadata lock on " + s.table() + " after " + attempt
                            + " attempts; transactions that hold it: " + blockers(c, s.table())
                            + ". Nothing was changed by this step: re-run apply when they are gone.", "HY000", 1205, e);
                }
                log.accept("  metadata lock busy, retry " + attempt);
                if (report != null) report.lockRetry(attempt, e.getMessage().split("\n")[0]);
                try {
                    Thread.sleep(sleep);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new SQLException("interrupted");
                } finally {
                    try (Statement st = c.createStatement()) {
                        st.execute("SET SESSION lock_wait_timeout = DEFAULT");
                    }
                }
            }
        }
    }

    /**
     * The long-transaction rail, with a {@link Watch}: before a DDL attempt, waits (asking every 100 ms) while a
     * transaction open longer than the limit holds the table's metadata lock, rather than queue behind it and block
     * every session that comes after. Logs and reports the pause once per reason. False when the deadline passed.
     */
    private boolean awaitLongTransactions(Connection c, Step s, long deadline) throws SQLException {
        long limit = options.longTransactionLimitMs();
        if (guard == null || limit <= 0 || s.table() == null) return true;
        String reported = null;
        long pausedAt = 0;
        while (true) {
            String reason = longTransactions(c, s.table(), limit);
            if (reason == null) {
                if (pausedAt != 0) {
                    log.accept("  resuming: no long transaction holds " + s.table() + " after " + (System.nanoTime() - pausedAt)
                            / 1_000_000 + " ms");
                    report.resumed();
                }
                return true;
            }
            if (pausedAt == 0) pausedAt = System.nanoTime();
            if (!reason.equals(reported)) {
                log.accept("  paused: " + reason);
                if (reported != null) report.resumed();
                report.paused(reason);
                reported = reason;
            }
            if (System.currentTimeMillis() + 100 > deadline) {
                report.resumed();
                return false;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while waiting for long transactions on " + s.table() + " to end");
            }
        }
    }

    /**
     * Transactions open longer than {@code limitMs} that hold (or may hold) a metadata lock on {@code table}, as a pause
     * reason naming each thread, user@host and age; null when there is none. Which source says so is named:
     * performance_schema.metadata_locks, MariaDB's METADATA_LOCK_INFO, InnoDB locks on the table, or, without any of
     * those, any transaction open that long.
     */
    String longTransactions(Connection c, Name table, long limitMs) throws SQLException {
        String own = ownThreads.isEmpty() ? "" : " AND x.trx_mysql_thread_id NOT IN (" + String.join(", ",
                ownThreads.stream().map(String::valueOf).toList()) + ")";
        String age = "TIMESTAMPDIFF(MICROSECOND, x.trx_started, NOW(6)) / 1000";
        String head = "SELECT DISTINCT x.trx_mysql_thread_id, CONCAT(COALESCE(p.USER, ''), '@', COALESCE(p.HOST, '')), " + age
                + " FROM information_schema.INNODB_TRX x LEFT JOIN information_schema.PROCESSLIST p ON p.ID = x.trx_mysql_thread_id ";
        String tail = " AND x.trx_mysql_thread_id <> CONNECTION_ID()" + own + " AND " + age + " > " + limitMs + " ORDER BY 3 DESC";
        String name = table.name().replace("'", "''");
        List<String[]> sources = new ArrayList<>();
        if (io.zerodown.mysql.watch.MysqlLockWaits.metadataLocksEnabled(c)) {
            sources.add(new String[] {"holds a metadata lock on it (performance_schema.metadata_locks)", head
                    + "JOIN performance_schema.threads t ON t.PROCESSLIST_ID = x.trx_mysql_thread_id "
                    + "JOIN performance_schema.metadata_locks m ON m.OWNER_THREAD_ID = t.THREAD_ID WHERE m.OBJECT_TYPE = 'TABLE' "
                    + "AND m.OBJECT_SCHEMA = DATABASE() AND m.OBJECT_NAME = '" + name + "' AND m.LOCK_STATUS = 'GRANTED'" + tail, "final"});
        } else if (tableExists(c, "information_schema", "METADATA_LOCK_INFO")) {
            sources.add(new String[] {"holds a metadata lock on it (information_schema.METADATA_LOCK_INFO)", head
                    + "JOIN information_schema.METADATA_LOCK_INFO m ON m.THREAD_ID = x.trx_mysql_thread_id "
                    + "WHERE m.TABLE_SCHEMA = DATABASE() AND m.TABLE_NAME = '" + name + "'" + tail, "final"});
        } else {
            if (tableExists(c, "performance_schema", "data_locks")) {
                sources.add(new String[] {"has InnoDB locks on it (performance_schema.data_locks)", head
                        + "JOIN performance_schema.data_locks d ON d.ENGINE_TRANSACTION_ID = x.trx_id "
                        + "WHERE d.OBJECT_SCHEMA = DATABASE() AND d.OBJECT_NAME = '" + name + "'" + tail, ""});
            } else if (tableExists(c, "information_schema", "INNODB_LOCKS")) {
                sources.add(new String[] {"has InnoDB locks on it (information_schema.INNODB_LOCKS)", head
                        + "JOIN information_schema.INNODB_LOCKS l ON l.lock_trx_id = x.trx_id "
                        + "WHERE l.lock_table = CONCAT('`', DATABASE(), '`.`', '" + name.replace("`", "``") + "', '`')" + tail, ""});
            }
            sources.add(new String[] {"is open that long and may hold a metadata lock on it (which tables a transaction holds "
                    + "is not visible here: performance_schema.metadata_locks is off and METADATA_LOCK_INFO is not installed)",
                    head + "WHERE 1 = 1" + tail, "final"});
        }
        for (String[] source : sources) {
            List<String> found = new ArrayList<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(source[1])) {
                while (rs.next()) {
                    found.add("thread " + rs.getLong(1) + " (" + rs.getString(2) + ", transaction open "
                            + String.format(java.util.Locale.ROOT, "%.1f", rs.getDouble(3) / 1000) + " s)");
                }
            } catch (SQLException e) {
                if (source[2].equals("final")) throw e;
                continue; // a lock table this server or user cannot read: the next source says what it can
            }
            if (!found.isEmpty()) {
                return "waiting before the DDL on " + table + ": " + String.join(", ", found) + " " + source[0]
                        + ", longer than " + limitMs + " ms";
            }
        }
        return null;
    }

    private static boolean tableExists(Connection c, String schema, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? "
                + "AND TABLE_NAME = ?")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * The lock-wait rail during a DDL attempt, with a {@link Watch}: while the statement waits for its metadata lock,
     * every session that needs the table queues behind it; when one has waited longer than max-lock-wait on it, the
     * attempt is cancelled (error 1317, retried like a lock timeout after a backoff that lets the queue drain).
     */
    private AutoCloseable queueWatchdog(Connection c, Statement st, java.util.concurrent.atomic.AtomicBoolean cancelled)
            throws SQLException {
        if (guard == null || lockWaits == null) return () -> { };
        long ddlThread = threadId(c);
        long started = System.nanoTime();
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        Thread t = new Thread(() -> {
            while (!done.get()) {
                long limit = guard.limits().maxLockWaitMs();
                // only waits polled during this attempt, on this statement while it still waits for its lock
                List<Map<String, Object>> queued = lockWaits.since(started).stream()
                        .filter(w -> ((Number) w.get("blockerPid")).longValue() == ddlThread
                                && String.valueOf(w.get("blockerState")).contains("metadata lock")).toList();
                Map<String, Object> worst = limit > 0 ? guard.worstWaitOnUs(queued) : null;
                if (worst != null && ((Number) worst.get("waitingSeconds")).doubleValue() * 1000 > limit && !done.get()) {
                    cancelled.set(true);
                    String why = io.zerodown.mysql.watch.MysqlGuardRails.describe(worst) + " > " + limit + " ms";
                    log.accept("  cancelling the DDL attempt: " + why);
                    report.paused(why);
                    report.resumed();
                    try {
                        st.cancel();
                    } catch (SQLException ignored) {
                        // the attempt ends by its own lock wait timeout instead
                    }
                    return;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "zerodown-mysql-ddl-watchdog");
        t.setDaemon(true);
        t.start();
        return () -> {
            done.set(true);
            t.interrupt();
            t.join(2000); // a cancel under way lands before the connection runs anything else
        };
    }

    /** Open transactions and the sessions waiting on metadata locks, for the give-up message. */
    static String blockers(Connection c, Name table) {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT t.trx_mysql_thread_id, p.USER, p.HOST, TIMESTAMPDIFF(SECOND, t.trx_started, NOW()), "
                     + "p.COMMAND, LEFT(COALESCE(p.INFO, ''), 80) FROM information_schema.INNODB_TRX t "
                     + "LEFT JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id WHERE t.trx_mysql_thread_id <> CONNECTION_ID() "
                     + "ORDER BY t.trx_started")) {
            while (rs.next()) {
                out.add("thread " + rs.getLong(1) + " (" + rs.getString(2) + "@" + rs.getString(3) + ", transaction open "
                        + rs.getLong(4) + " s, " + rs.getString(5) + ")");
            }
        } catch (SQLException ignored) {
            // best effort
        }
        return out.isEmpty() ? "none found in INNODB_TRX (a LOCK TABLES session, or a metadata lock held outside a transaction)"
                : String.join(", ", out);
    }

    /** Key-range batches on an integer primary key; the watermark is journalled with each batch. */
    private void backfill(Connection c, MigrationPlan plan, Step s, String watermark) throws SQLException {
        BackfillSpec b = s.backfill();
        String t = new MysqlDialect().quote(b.table().name());
        String k = "`" + b.key().replace("`", "``") + "`";
        long last;
        long max;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT MIN(" + k + "), MAX(" + k + ") FROM " + t)) {
            rs.next();
            if (rs.getObject(2) == null) return;
            last = watermark != null ? Long.parseLong(watermark) : rs.getLong(1) - 1;
            max = rs.getLong(2);
        } catch (NumberFormatException e) {
            throw new SQLException("batched backfills on MySQL/MariaDB need an integer key; " + b.table() + "." + b.key() + " is not");
        }
        String write = b.isDelete() ? "DELETE FROM " + t + " WHERE " : "UPDATE " + t + " SET " + b.set() + " WHERE ";
        long step = 1000;
        // progress in key space: the rows of a key range are not counted before it is written
        long keysTotal = Math.max(0, max - last);
        long keysDone = 0;
        c.setAutoCommit(false);
        String also = b.predicate() == null ? "" : " AND (" + b.predicate() + ")";
        try (PreparedStatement ps = c.prepareStatement(write + k + " > ? AND " + k + " <= ?" + also)) {
            while (last < max) {
                holdBackfill(s, last);
                long t0 = System.nanoTime();
                long upper = Math.min(max, last + step);
                ps.setLong(1, last);
                ps.setLong(2, upper);
                int n = ps.executeUpdate();
                if (insideBatch != null) insideBatch.accept(c);
                MysqlJournal.watermark(c, plan.id(), s.index(), String.valueOf(upper), n);
                c.commit();
                long span = upper - last;
                last = upper;
                keysDone += span;
                if (report != null) {
                    report.chunk(n, System.nanoTime() - t0);
                    report.progress(keysDone, keysTotal, (int) Math.min(Integer.MAX_VALUE, step));
                }
                double ms = (System.nanoTime() - t0) / 1e6;
                long target = guard != null ? guard.batchTargetMs(options.backfillTargetMs()) : options.backfillTargetMs();
                if (ms < target / 2.0) step = Math.min(100_000, step * 2);
                else if (ms > target * 1.5) step = Math.max(100, step / 2);
            }
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }
}
