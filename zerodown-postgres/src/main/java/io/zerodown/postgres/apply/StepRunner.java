package io.zerodown.postgres.apply;

import io.zerodown.core.plan.BackfillSpec;
import io.zerodown.core.plan.Step;
import io.zerodown.core.plan.StepKind;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Runs one step on one connection: every lock request under a short lock_timeout, retried with exponential backoff
 * and full jitter up to a bounded budget, never without a timeout. Journals completion in the step's own transaction
 * where the step is transactional, and the watermark with every backfill batch.
 */
final class StepRunner {
    static final String LOCK_NOT_AVAILABLE = "55P03";
    static final String DEADLOCK = "40P01";
    static final String QUERY_CANCELED = "57014";

    private final ApplyOptions options;
    private final ApplyListener listener;
    /** The journal status a finished step gets: done when applying, rolled_back when undoing. */
    private final String finishedStatus;

    StepRunner(ApplyOptions options, ApplyListener listener) {
        this(options, listener, "done");
    }

    StepRunner(ApplyOptions options, ApplyListener listener, String finishedStatus) {
        this.options = options;
        this.listener = listener;
        this.finishedStatus = finishedStatus;
    }

    void run(Connection c, String migrationId, Step step, String watermark) throws SQLException {
        switch (step.kind()) {
            case TRANSACTIONAL:
            case VALIDATE:
            case AS_WRITTEN:
                transactional(c, migrationId, step);
                break;
            case CONCURRENT_INDEX:
                concurrentIndex(c, migrationId, step);
                break;
            case NON_TRANSACTIONAL:
                nonTransactional(c, migrationId, step);
                break;
            case BACKFILL:
                backfill(c, migrationId, step, watermark);
                break;
            default:
                throw new IllegalStateException(step.kind().name());
        }
    }

    /** One short transaction: SET LOCAL timeouts, the step's SQL, the journal update, COMMIT. */
    private void transactional(Connection c, String id, Step step) throws SQLException {
        long statementTimeout = step.kind() == StepKind.TRANSACTIONAL ? options.ddlStatementTimeoutMs() : 0;
        Retry retry = new Retry(step);
        while (true) {
            if (step.kind() != StepKind.VALIDATE && longHolder(c, step, retry)) continue;
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("SET LOCAL lock_timeout = '" + options.lockTimeoutMs() + "ms'");
                st.execute("SET LOCAL statement_timeout = '" + statementTimeout + "ms'");
                st.execute(step.sql());
                PostgresJournal.stepFinished(c, id, step.index(), finishedStatus, retry.attempts + 1, retry.lockRetries);
                c.commit();
                c.setAutoCommit(true);
                return;
            } catch (SQLException e) {
                rollbackQuietly(c);
                c.setAutoCommit(true);
                if (!retry.onLockFailure(c, e)) throw e;
            }
        }
    }

    private void nonTransactional(Connection c, String id, Step step) throws SQLException {
        Retry retry = new Retry(step);
        c.setAutoCommit(true);
        PostgresJournal.stepStatus(c, id, step.index(), "running", null);
        while (true) {
            try (Statement st = c.createStatement()) {
                st.execute("SET lock_timeout = '" + options.shareUpdateLockTimeoutMs() + "ms'");
                st.execute("SET statement_timeout = 0");
                st.execute(step.sql());
                break;
            } catch (SQLException e) {
                if (!retry.onLockFailure(c, e)) throw e;
            } finally {
                resetTimeouts(c);
            }
        }
        PostgresJournal.stepFinished(c, id, step.index(), finishedStatus, retry.attempts + 1, retry.lockRetries);
    }

    /**
     * CREATE INDEX CONCURRENTLY outside a transaction. An index left INVALID by a failed or killed build (this run or
     * an earlier one) is dropped concurrently and built again.
     */
    private void concurrentIndex(Connection c, String id, Step step) throws SQLException {
        Retry retry = new Retry(step);
        c.setAutoCommit(true);
        PostgresJournal.stepStatus(c, id, step.index(), "running", null);
        String index = step.indexName();
        while (true) {
            Boolean valid = index == null ? null : indexValid(c, index);
            if (Boolean.TRUE.equals(valid)) break; // built by an earlier run that stopped before journalling
            if (Boolean.FALSE.equals(valid)) dropInvalid(c, index);
            try (Statement st = c.createStatement()) {
                st.execute("SET lock_timeout = '" + options.shareUpdateLockTimeoutMs() + "ms'");
                st.execute("SET statement_timeout = 0");
                listener.indexBuildStarted(step);
                st.execute(step.sql());
            } catch (SQLException e) {
                resetTimeouts(c);
                if (index != null && Boolean.FALSE.equals(indexValid(c, index))) dropInvalid(c, index);
                if ("23505".equals(e.getSQLState())) {
                    throw new SQLException("the unique index " + index + " cannot be built: the table holds duplicate values ("
                            + e.getMessage().split("\n")[0] + "); remove the duplicates, then re-run apply", "23505", e);
                }
                if (!retry.onLockFailure(c, e)) throw e;
                continue;
            } finally {
                listener.indexBuildFinished(step);
            }
            resetTimeouts(c);
            if (index == null || Boolean.TRUE.equals(indexValid(c, index))) break;
            dropInvalid(c, index);
            if (!retry.onLockFailure(c, new SQLException("index " + index + " was built INVALID", LOCK_NOT_AVAILABLE))) {
                throw new SQLException("index " + index + " stays INVALID after " + retry.attempts + " builds");
            }
        }
        PostgresJournal.stepFinished(c, id, step.index(), finishedStatus, retry.attempts + 1, retry.lockRetries);
    }

    /**
     * True (after a backoff sleep) when a transaction that has been open longer than the lock timeout holds a lock on
     * the step's table. Asking for the lock then would only fail after making the app queue for a whole lock timeout;
     * waiting for such holders first keeps lock attempts to the moments when they can succeed.
     */
    private boolean longHolder(Connection c, Step step, Retry retry) throws SQLException {
        if (step.table() == null) return false;
        String holder = null;
        try (PreparedStatement ps = c.prepareStatement("SELECT a.pid, coalesce(a.application_name, ''), "
                + "extract(epoch FROM now() - a.xact_start)::bigint FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                + "WHERE l.relation = to_regclass(?) AND l.granted AND a.pid <> pg_backend_pid() "
                + "AND a.xact_start < now() - make_interval(secs => ?) ORDER BY a.xact_start LIMIT 1")) {
            ps.setString(1, PostgresPlannerAccess.quote(step.table()));
            ps.setDouble(2, Math.max(0.05, options.lockTimeoutMs() / 1000.0));
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) holder = "pid " + rs.getInt(1) + " (" + rs.getString(2) + ", open " + rs.getLong(3) + " s)";
            }
        }
        if (holder == null) return false;
        listener.paused("long transaction " + holder + " holds a lock on " + step.table() + " that step " + step.index()
                + " needs: waiting before asking for the lock");
        retry.onLockFailure(c, new SQLException("waiting for " + holder + " before asking for the lock", LOCK_NOT_AVAILABLE));
        return true;
    }

    static Boolean indexValid(Connection c, String index) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT i.indisvalid FROM pg_index i WHERE i.indexrelid = to_regclass(?)")) {
            ps.setString(1, PostgresPlannerAccess.quoteIdent(index));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBoolean(1) : null;
            }
        }
    }

    private void dropInvalid(Connection c, String index) throws SQLException {
        listener.log("dropping INVALID index " + index + " left by an interrupted build");
        try (Statement st = c.createStatement()) {
            st.execute("SET lock_timeout = '" + options.shareUpdateLockTimeoutMs() + "ms'");
            st.execute("DROP INDEX CONCURRENTLY IF EXISTS " + PostgresPlannerAccess.quoteIdent(index));
        } finally {
            resetTimeouts(c);
        }
    }

    /**
     * Keyset batches by key. Each batch is one autocommitted statement (one round trip): it picks the next keys after
     * the watermark, updates those rows, and records the new watermark and row count in the journal, all atomically.
     * The batch size adapts to a target time per batch, because a batch's row locks are what app writes wait on.
     */
    private void backfill(Connection c, String id, Step step, String watermark) throws SQLException {
        BackfillSpec b = step.backfill();
        String t = PostgresPlannerAccess.quote(b.table());
        String k = PostgresPlannerAccess.quoteIdent(b.key());
        String keyType = keyType(c, b);
        String pred = b.predicate() == null ? "" : " AND (" + b.predicate() + ")";
        String write = b.isDelete() ? "DELETE FROM " + t + " WHERE " : "UPDATE " + t + " SET " + b.set() + " WHERE ";
        String sql = "WITH b AS (SELECT " + k + " FROM " + t + " %s ORDER BY " + k + " LIMIT ?), "
                // ORDER BY ... DESC LIMIT 1 rather than max(): uuid and other key types have no max aggregate
                + "m AS (SELECT " + k + " AS hi FROM b ORDER BY " + k + " DESC LIMIT 1), "
                + "u AS (" + write + "%s" + k + " <= (SELECT hi FROM m)" + pred + " RETURNING 1), "
                + "j AS (UPDATE zerodown.steps SET watermark = coalesce((SELECT hi FROM m)::text, watermark), "
                + "rows_done = rows_done + (SELECT count(*) FROM u), status = 'running', started_at = coalesce(started_at, now()) "
                + "WHERE migration_id = ? AND idx = ?) "
                + "SELECT (SELECT hi FROM m)::text, (SELECT count(*) FROM u)";
        String first = String.format(sql, "", "");
        String next = String.format(sql, "WHERE " + k + " > ?::" + keyType, k + " > ?::" + keyType + " AND ");
        long estimate = estimateRows(c, b);
        long done = 0;
        int batch = options.backfillInitialBatch();
        Retry retry = new Retry(step);
        String last = watermark;
        listener.backfillStarted(step, estimate);
        c.setAutoCommit(true);
        try (Statement st = c.createStatement()) {
            st.execute("SET lock_timeout = '" + options.lockTimeoutMs() + "ms'");
            st.execute("SET statement_timeout = '" + options.batchStatementTimeoutMs() + "ms'");
            // a batch and its watermark commit together, so a batch lost in a crash is simply redone on resume:
            // no need to wait for each commit's WAL flush
            st.execute("SET synchronous_commit = off");
        }
        try (PreparedStatement firstPs = c.prepareStatement(first); PreparedStatement nextPs = c.prepareStatement(next)) {
            while (true) {
                throttle(c, b);
                long t0 = System.nanoTime();
                String upper;
                long rows;
                try {
                    PreparedStatement ps = last == null ? firstPs : nextPs;
                    int p = 1;
                    if (last != null) ps.setString(p++, last);
                    ps.setInt(p++, batch);
                    if (last != null) ps.setString(p++, last);
                    ps.setString(p++, id);
                    ps.setInt(p, step.index());
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        upper = rs.getString(1);
                        rows = rs.getLong(2);
                    }
                } catch (SQLException e) {
                    if (!retry.onLockFailure(c, e)) throw e;
                    batch = Math.max(options.backfillMinBatch(), batch / 2);
                    continue;
                }
                if (upper == null) break;
                last = upper;
                done += rows;
                double ms = (System.nanoTime() - t0) / 1e6;
                batch = adapt(batch, ms);
                listener.backfillProgress(step, done, estimate, batch);
            }
        } finally {
            resetTimeouts(c);
        }
        PostgresJournal.stepFinished(c, id, step.index(), finishedStatus, retry.attempts + 1, retry.lockRetries);
        listener.backfillFinished(step, done);
    }

    /** Doubles or halves the batch to keep each batch near the target time (its row locks are what the app waits on). */
    int adapt(int batch, double ms) {
        double target = batchTargetMs();
        if (ms < target / 2) return Math.min(options.backfillMaxBatch(), batch * 2);
        if (ms > target * 1.5) return Math.max(options.backfillMinBatch(), batch / 2);
        return batch;
    }

    /** The batch target time: the one set by zerodown control while the run goes on, else the option. */
    private long batchTargetMs() {
        return options.guardRails() == null ? options.backfillTargetMs() : options.guardRails().batchTargetMs(options.backfillTargetMs());
    }

    private long maxReplicaLagMs() {
        return options.guardRails() == null ? options.maxReplicaLagMs() : options.guardRails().maxReplicaLagMs(options.maxReplicaLagMs());
    }

    private long lastLagCheck;
    private final ReplicaLag replicaLag = new ReplicaLag();

    /**
     * Pauses while streaming replicas lag beyond the limit, or while app sessions queue for locks on the table
     * (checked at most every 100 ms, between batches: three small catalog reads, so a crossed limit pauses the backfill
     * within about 100 ms plus one batch; WatchBenchmark measures it).
     */
    private void throttle(Connection c, BackfillSpec b) throws SQLException {
        long now = System.nanoTime();
        if (now - lastLagCheck < 100_000_000L) return;
        lastLagCheck = now;
        long pausedSince = 0;
        while (true) {
            String reason = operatorAndCanaryPause(c);
            if (reason == null) {
                long limit = maxReplicaLagMs();
                long lag = limit <= 0 ? 0 : options.lagProbe() != null ? options.lagProbe().getAsLong() : replicaLag.ms(c);
                if (limit > 0) listener.replicaLag(lag);
                List<String> waiting = waitingOnTable(c, b);
                if ((limit <= 0 || lag <= limit) && waiting.isEmpty()) return;
                reason = limit > 0 && lag > limit ? "replica lag " + lag + " ms > " + limit + " ms"
                        : waiting.size() + " session(s) waiting for locks on " + b.table() + ": " + String.join("; ", waiting);
                listener.paused(reason);
            }
            // the hard limit of the automatic pauses: an operator's pause lasts as long as the operator wants
            if (reason.startsWith(OPERATOR_PAUSE)) {
                pausedSince = 0;
            } else {
                long maxPause = options.guardRails() == null ? 0 : options.guardRails().maxPauseMs();
                pausedSince = pausedSince == 0 ? System.nanoTime() : pausedSince;
                long pausedMs = (System.nanoTime() - pausedSince) / 1_000_000;
                if (maxPause > 0 && pausedMs > maxPause) {
                    String why = "paused " + pausedMs + " ms, longer than the hard limit max-pause " + maxPause + " ms (" + reason + ")";
                    listener.paused("abort: " + why);
                    throw new SQLException(why + "; the backfill of " + b.table() + " stopped between two batches and its "
                            + "progress is journalled: run apply again to resume once the cause is gone", "ZD001");
                }
            }
            sleepPaused();
        }
    }

    private static final String OPERATOR_PAUSE = "paused by zerodown control";

    /**
     * The operator's commands and the canary limits: the reason of the pause they call for (after reporting it), or
     * null to go on; throws, leaving a resumable state, when they say abort. Setting changes are reported as they are
     * picked up.
     */
    private String operatorAndCanaryPause(Connection c) throws SQLException {
        io.zerodown.postgres.watch.GuardRails rails = options.guardRails();
        if (rails == null) return null;
        io.zerodown.postgres.watch.GuardRails.Decision d = rails.check(c);
        for (String change : rails.drainChanges()) listener.controlChanged(change);
        if (d.action() == io.zerodown.postgres.watch.GuardRails.Action.ABORT) {
            throw new SQLException(d.reason() + "; the run stopped between two batches or steps and its progress is "
                    + "journalled: run apply again to resume", "ZD001");
        }
        if (d.action() == io.zerodown.postgres.watch.GuardRails.Action.PAUSE) {
            listener.paused(d.reason());
            return d.reason();
        }
        return null;
    }

    private boolean operatorAndCanary(Connection c) throws SQLException {
        return operatorAndCanaryPause(c) == null;
    }

    /**
     * Before each step: waits while the operator or the canary says pause, so a pause also holds back the next DDL
     * (the app is not at its best then either), and stops resumably on abort.
     */
    void beforeStep(Connection c) throws SQLException {
        while (!operatorAndCanary(c)) sleepPaused();
    }

    /**
     * With --postpone-contract, before the first contract-phase step: waits until zerodown control proceed (or the
     * live page's button), or stops resumably on abort. Pauses and setting changes are honoured while it waits.
     */
    void awaitProceed(Connection c, io.zerodown.core.plan.MigrationPlan plan, Step next) throws SQLException {
        io.zerodown.postgres.watch.GuardRails rails = options.guardRails() != null ? options.guardRails()
                : new io.zerodown.postgres.watch.GuardRails(null, Double.MAX_VALUE, 0);
        listener.contractPostponed(plan, next);
        while (true) {
            io.zerodown.postgres.watch.GuardRails.Decision d = rails.check(c);
            for (String change : rails.drainChanges()) listener.controlChanged(change);
            if (d.action() == io.zerodown.postgres.watch.GuardRails.Action.ABORT && d.reason().startsWith("aborted")) {
                throw new SQLException("aborted by zerodown control while the contract phase waited for 'proceed'; "
                        + "nothing of the contract phase ran: run apply again to continue from step " + next.index(), "ZD001");
            }
            if (rails.proceedRequested()) {
                rails.consumeProceed(c);
                listener.controlChanged("proceeding with the contract phase of " + plan.id() + " (told by zerodown control)");
                return;
            }
            sleepPaused();
        }
    }

    private static void sleepPaused() throws SQLException {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while paused");
        }
    }

    /**
     * App sessions currently queued for a lock on the table (their waits are what a backfill must not prolong), each
     * with what it waits for, for how long, and which sessions block it.
     */
    static List<String> waitingOnTable(Connection c, BackfillSpec b) throws SQLException {
        // only table-level queues: row-lock waits between app transactions are the app's own business
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT l.pid, coalesce(a.application_name, ''), l.mode, "
                + "coalesce(extract(epoch FROM now() - a.state_change), 0)::numeric(10,1), pg_blocking_pids(l.pid)::text "
                + "FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid WHERE NOT l.granted AND l.locktype = 'relation' "
                + "AND l.relation = to_regclass(?) AND l.pid <> pg_backend_pid() ORDER BY 4 DESC")) {
            ps.setString(1, PostgresPlannerAccess.quote(b.table()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add("pid " + rs.getInt(1) + " (" + (rs.getString(2).isEmpty() ? "no application_name" : rs.getString(2))
                            + ") waits " + rs.getString(4) + " s for " + rs.getString(3) + ", blocked by " + rs.getString(5));
                }
            }
        }
        return out;
    }

    static long replicaLagMs(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT coalesce(max(extract(epoch FROM coalesce(replay_lag, write_lag))) * 1000, 0)::bigint "
                     + "FROM pg_stat_replication")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String keyType(Connection c, BackfillSpec b) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                + "WHERE attrelid = to_regclass(?) AND attname = ? AND NOT attisdropped")) {
            ps.setString(1, PostgresPlannerAccess.quote(b.table()));
            ps.setString(2, b.key());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) throw new SQLException("key column " + b.key() + " of " + b.table() + " not found");
                return rs.getString(1);
            }
        }
    }

    /** reltuples when the table was analysed; else the key span of an integer key; else size / 100 bytes. */
    private static long estimateRows(Connection c, BackfillSpec b) throws SQLException {
        String t = PostgresPlannerAccess.quote(b.table());
        try (PreparedStatement ps = c.prepareStatement("SELECT reltuples::bigint, pg_relation_size(oid) FROM pg_class WHERE oid = to_regclass(?)")) {
            ps.setString(1, t);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return -1;
                if (rs.getLong(1) > 0) return rs.getLong(1);
                long bytes = rs.getLong(2);
                String k = PostgresPlannerAccess.quoteIdent(b.key());
                try (Statement st = c.createStatement();
                     ResultSet span = st.executeQuery("SELECT (max(" + k + ") - min(" + k + ") + 1)::bigint FROM " + t)) {
                    if (span.next() && span.getObject(1) != null) return span.getLong(1);
                } catch (SQLException notNumeric) {
                    // a non-numeric key has no span
                }
                return bytes / 100;
            }
        }
    }

    private static void resetTimeouts(Connection c) throws SQLException {
        if (c.isClosed()) return;
        try (Statement st = c.createStatement()) {
            st.execute("RESET lock_timeout");
            st.execute("RESET statement_timeout");
            st.execute("RESET synchronous_commit");
        } catch (SQLException ignored) {
            // a broken connection is reported by the statement that needs it
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            if (!c.isClosed() && !c.getAutoCommit()) c.rollback();
        } catch (SQLException ignored) {
            // the original failure is the one that matters
        }
    }

    static boolean isLockFailure(SQLException e) {
        String s = e.getSQLState();
        return LOCK_NOT_AVAILABLE.equals(s) || DEADLOCK.equals(s);
    }

    /** Bounded retries with exponential backoff and full jitter; names the blockers when the budget is spent. */
    private final class Retry {
        final Step step;
        final long deadline;
        int attempts;
        int lockRetries;
        long waitedMs;

        Retry(Step step) {
            this.step = step;
            this.deadline = System.currentTimeMillis() + options.stepRetryBudgetMs();
        }

        /** Returns normally to retry; false when the failure is not a lock failure; throws when the budget is spent. */
        boolean onLockFailure(Connection c, SQLException e) throws SQLException {
            if (!isLockFailure(e)) return false;
            attempts++;
            lockRetries++;
            long cap = Math.min(options.maxBackoffMs(), options.baseBackoffMs() * (1L << Math.min(20, attempts - 1)));
            long sleep = ThreadLocalRandom.current().nextLong(cap + 1);
            if (attempts >= options.maxLockAttempts() || System.currentTimeMillis() + sleep > deadline) {
                List<Blocker> blockers = blockers(c, step);
                throw new LockNotAcquiredException(step, attempts, waitedMs + (long) attempts * options.lockTimeoutMs(), blockers,
                        options.lockTimeoutMs());
            }
            listener.lockRetry(step, attempts, e.getMessage().split("\n")[0]);
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while waiting to retry");
            }
            waitedMs += sleep;
            return true;
        }
    }

    /** A session holding a lock on the step's table. */
    public record Blocker(int pid, String applicationName, String state, long transactionSeconds, String query) {
        @Override
        public String toString() {
            return "pid " + pid + " (" + (applicationName == null || applicationName.isEmpty() ? "no application_name" : applicationName)
                    + ", " + state + ", in transaction for " + transactionSeconds + " s: " + query + ")";
        }
    }

    static List<Blocker> blockers(Connection c, Step step) {
        List<Blocker> out = new ArrayList<>();
        if (step.table() == null) return out;
        String sql = "SELECT DISTINCT a.pid, a.application_name, a.state, "
                + "coalesce(extract(epoch FROM now() - a.xact_start), 0)::bigint, left(regexp_replace(a.query, '\\s+', ' ', 'g'), 100) "
                + "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                + "WHERE l.relation = to_regclass(?) AND l.granted AND a.pid <> pg_backend_pid() ORDER BY 4 DESC";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, PostgresPlannerAccess.quote(step.table()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(new Blocker(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getString(5)));
            }
        } catch (SQLException ignored) {
            // best effort: the lock failure itself is reported either way
        }
        return out;
    }
}
