package io.zerodown.mysql.watch;

import io.zerodown.mysql.copy.OnlineTableCopy.Guard;
import io.zerodown.mysql.copy.OnlineTableCopy.Hold;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import java.util.function.LongPredicate;
import java.util.function.LongSupplier;

/**
 * The limits an apply on MySQL/MariaDB respects between two chunks of an online copy or two batches of a backfill,
 * in this order: the operator's abort or pause ({@link MysqlControl}); the canary's recent p99 above a hard limit
 * (abort, resumable) or a soft one (pause); replica lag above its limit (pause); {@code Threads_running} above its
 * limit (pause); an application session that waited longer than its limit on a lock one of zerodown's own
 * connections holds (pause; above the hard limit, abort). A pause lasts while the cause does; the caller asks again
 * every 100 ms. {@code zerodown control set} changes the limits while the run goes on (read with each check).
 */
public final class MysqlGuardRails implements Guard {
    /**
     * @param canaryPauseMs     pause while the canary's p99 over the last {@code canaryWindowMs} is above this
     * @param canaryAbortMs     abort when it is above this (0: never)
     * @param canaryWindowMs    the window of recent probes the p99 is taken over
     * @param maxReplicaLagMs   pause while replica lag is above this (0: not checked)
     * @param maxThreadsRunning pause while {@code Threads_running} is above this (0: not checked)
     * @param maxLockWaitMs     pause when a session waited longer than this on a lock zerodown holds (0: not checked)
     * @param lockWaitAbortMs   abort (resumably) when a session waited longer than this on one (0: never)
     */
    public record Limits(double canaryPauseMs, double canaryAbortMs, long canaryWindowMs, long maxReplicaLagMs,
                         int maxThreadsRunning, long maxLockWaitMs, long lockWaitAbortMs) {
        /** The limits without the lock-wait rail's own: 500 ms pause, no abort. */
        public Limits(double canaryPauseMs, double canaryAbortMs, long canaryWindowMs, long maxReplicaLagMs, int maxThreadsRunning) {
            this(canaryPauseMs, canaryAbortMs, canaryWindowMs, maxReplicaLagMs, maxThreadsRunning, 500, 0);
        }

        /**
         * Canary p99 over the last 2 s: pause above 250 ms, abort above 5 s (apply's --canary-pause and
         * --canary-abort defaults); 1 s of replica lag (the copy's own default); 25 running threads; a session
         * waiting 500 ms on zerodown's locks pauses, none aborts.
         */
        public static Limits defaults() {
            return new Limits(250, 5000, 2000, 1000, 25, 500, 0);
        }

        /** Pause when a session waited longer than {@code pauseMs} on zerodown's locks; abort above {@code abortMs} (0: never). */
        public Limits withLockWait(long pauseMs, long abortMs) {
            return new Limits(canaryPauseMs, canaryAbortMs, canaryWindowMs, maxReplicaLagMs, maxThreadsRunning, pauseMs, abortMs);
        }
    }

    private final Connection c;
    private final DoubleSupplier canaryP99Ms;
    private final LongSupplier replicaLagMs;
    private final long canaryWindowMs;
    private final io.zerodown.mysql.copy.ReplicationLag replication = new io.zerodown.mysql.copy.ReplicationLag();
    // the limits in force: the run's own, changed by zerodown control set while it goes on
    private volatile double canaryPauseMs;
    private volatile double canaryAbortMs;
    private volatile long maxReplicaLagMs;
    private volatile int maxThreadsRunning;
    private volatile long maxLockWaitMs;
    private volatile long lockWaitAbortMs;
    private volatile Long batchTargetMs;
    private volatile Long defaultBatchTargetMs;
    private volatile boolean proceed;
    private final Map<String, String> applied = new HashMap<>();
    private final List<String> changes = new CopyOnWriteArrayList<>();
    private volatile Consumer<String> onChange = change -> { };
    private volatile java.util.function.LongConsumer lagSeen = lag -> { };
    private MysqlLockWaits lockWaits;
    private LongPredicate ours = id -> false;
    private long lastLockCheck = System.nanoTime();

    /**
     * @param c            a connection of the guard's own (the control table and server status are read on it)
     * @param canaryP99Ms  the canary's recent p99 in ms, or null for no latency rail
     * @param replicaLagMs replica lag in ms, or null to read this server's replication status (which only sees
     *                     replication <em>into</em> it; pass a probe that asks the replicas, or reads a heartbeat
     *                     table there, to throttle a primary on its replicas)
     */
    public MysqlGuardRails(Connection c, DoubleSupplier canaryP99Ms, LongSupplier replicaLagMs, Limits limits) {
        this.c = c;
        this.canaryP99Ms = canaryP99Ms;
        this.replicaLagMs = replicaLagMs;
        Limits l = limits == null ? Limits.defaults() : limits;
        this.canaryWindowMs = l.canaryWindowMs();
        this.canaryPauseMs = l.canaryPauseMs();
        this.canaryAbortMs = l.canaryAbortMs();
        this.maxReplicaLagMs = l.maxReplicaLagMs();
        this.maxThreadsRunning = l.maxThreadsRunning();
        this.maxLockWaitMs = l.maxLockWaitMs();
        this.lockWaitAbortMs = l.lockWaitAbortMs();
    }

    /**
     * Arms the lock-wait rail: {@code waits} (started by the caller) says who waits on whom, {@code ours} which thread
     * ids are zerodown's own connections (the copy's, the backfill's). Returns this.
     */
    public MysqlGuardRails withLockWaits(MysqlLockWaits waits, LongPredicate ours) {
        this.lockWaits = waits;
        this.ours = ours == null ? id -> false : ours;
        return this;
    }

    /** The batch target time of the run before any {@code control set batch-time}, for {@link #settings()}. Returns this. */
    public MysqlGuardRails withDefaultBatchTarget(long ms) {
        this.defaultBatchTargetMs = ms;
        return this;
    }

    /** Called once with each setting change the guard picks up, e.g. "set max-replica-lag to 2000 ms". Returns this. */
    /** Every replica-lag reading of the rail (for the report's chart and maximum). Returns this. */
    public MysqlGuardRails onReplicaLag(java.util.function.LongConsumer listener) {
        this.lagSeen = listener == null ? lag -> { } : listener;
        return this;
    }

    public MysqlGuardRails onChange(Consumer<String> listener) {
        this.onChange = listener == null ? change -> { } : listener;
        return this;
    }

    /** The limits in force now (the run's own, as changed by {@code zerodown control set}). */
    public Limits limits() {
        return new Limits(canaryPauseMs, canaryAbortMs, canaryWindowMs, maxReplicaLagMs, maxThreadsRunning, maxLockWaitMs,
                lockWaitAbortMs);
    }

    /** Every setting change picked up so far, oldest first, each once ("set max-replica-lag to 2000 ms"). */
    public List<String> changes() {
        return List.copyOf(changes);
    }

    /**
     * The settings in force, by the names {@code zerodown control set} takes (ms, or a count for max-threads-running;
     * batch-time is the backfill's own target until set, null when neither is known).
     */
    public Map<String, Object> settings() {
        Map<String, Object> m = new LinkedHashMap<>();
        Long batch = batchTargetMs;
        m.put("batch-time", batch != null ? batch : defaultBatchTargetMs);
        m.put("max-replica-lag", maxReplicaLagMs);
        m.put("canary-pause", canaryPauseMs);
        m.put("canary-abort", canaryAbortMs);
        m.put("max-threads-running", maxThreadsRunning + " threads"); // a count, not a duration
        m.put("max-lock-wait", maxLockWaitMs);
        return m;
    }

    /** The batch (and chunk) target time set by {@code zerodown control set batch-time}, else {@code fallback}. */
    public long batchTargetMs(long fallback) {
        Long v = batchTargetMs;
        return v == null ? fallback : v;
    }

    /** True once {@code zerodown control proceed} was seen by a check or {@link #refresh()}. */
    public boolean proceedRequested() {
        return proceed;
    }

    /** Forgets a proceed that was acted on, here and in the control table. */
    public synchronized void consumeProceed() throws SQLException {
        proceed = false;
        MysqlControl.consumeProceed(c);
    }

    /**
     * Reads the control table: applies setting changes, notes a proceed, and returns the operator's last state
     * command (pause, resume, abort) or null.
     */
    public synchronized String refresh() throws SQLException {
        Map<String, String> control = MysqlControl.read(c);
        for (String name : MysqlControl.SETTINGS) {
            String value = control.get(name);
            if (value == null || value.equals(applied.get(name))) continue;
            long v;
            try {
                v = MysqlControl.parseSetting(name, value);
            } catch (IllegalArgumentException e) {
                continue; // written by MysqlControl.set, which validates; anything else is not ours to act on
            }
            applied.put(name, value);
            switch (name) {
                case "batch-time" -> batchTargetMs = v;
                case "max-replica-lag" -> maxReplicaLagMs = v;
                case "canary-pause" -> canaryPauseMs = v;
                case "canary-abort" -> canaryAbortMs = v;
                case "max-threads-running" -> maxThreadsRunning = (int) v;
                case "max-lock-wait" -> maxLockWaitMs = v;
                default -> throw new IllegalStateException("setting " + name + " has no field");
            }
            String change = "set " + name + " to " + v + (name.equals("max-threads-running") ? "" : " ms");
            changes.add(change);
            onChange.accept(change);
        }
        if (control.containsKey("proceed")) proceed = true;
        return control.get("state");
    }

    @Override
    public synchronized Hold check() throws SQLException {
        String state = refresh();
        if ("abort".equals(state)) {
            return Hold.abortNow("aborted by zerodown control");
        }
        if ("pause".equals(state)) {
            return Hold.pause("paused by zerodown control");
        }
        if (canaryP99Ms != null) {
            double p99 = canaryP99Ms.getAsDouble();
            double abort = canaryAbortMs;
            double pause = canaryPauseMs;
            if (abort > 0 && p99 > abort) {
                return Hold.abortNow(String.format(Locale.ROOT, "canary p99 %.1f ms > hard limit %.1f ms", p99, abort));
            }
            if (p99 > pause) {
                return Hold.pause(String.format(Locale.ROOT, "canary p99 %.1f ms > %.1f ms", p99, pause));
            }
        }
        long maxLag = maxReplicaLagMs;
        if (maxLag > 0) {
            long lag = replicaLagMs != null ? replicaLagMs.getAsLong() : serverReplicaLagMs();
            lagSeen.accept(lag);
            if (lag > maxLag) {
                return Hold.pause(lag == Long.MAX_VALUE ? "replica lag unknown (replication stopped, or the lag probe "
                        + "cannot read it)" : "replica lag " + lag + " ms > " + maxLag + " ms");
            }
        }
        int maxThreads = maxThreadsRunning;
        if (maxThreads > 0) {
            long running = threadsRunning();
            if (running > maxThreads) {
                return Hold.pause("Threads_running " + running + " > " + maxThreads);
            }
        }
        return lockWaitHold();
    }

    /**
     * The lock-wait rail: the longest wait of an application session on a lock of zerodown's own connections seen by
     * the lock watcher since the last check (a batch's row locks are gone by the time the batch commits, so a wait
     * during it counts now), or still going on.
     */
    private Hold lockWaitHold() {
        long now = System.nanoTime();
        long since = lastLockCheck;
        lastLockCheck = now;
        long pauseMs = maxLockWaitMs;
        long abortMs = lockWaitAbortMs;
        if (lockWaits == null || pauseMs <= 0 && abortMs <= 0) return null;
        Map<String, Object> worst = worstWaitOnUs(lockWaits.since(since));
        if (worst == null) return null;
        long waitedMs = Math.round(MysqlLockWaits.seconds(worst) * 1000);
        if (abortMs > 0 && waitedMs > abortMs) {
            return Hold.abortNow(describe(worst) + " > hard limit " + abortMs + " ms");
        }
        if (pauseMs > 0 && waitedMs > pauseMs) {
            return Hold.pause(describe(worst) + " > " + pauseMs + " ms");
        }
        return null;
    }

    /** The longest of {@code waits} whose blocker is one of zerodown's connections and whose waiter is not. */
    public Map<String, Object> worstWaitOnUs(List<Map<String, Object>> waits) {
        Map<String, Object> worst = null;
        for (Map<String, Object> w : waits) {
            long blocker = ((Number) w.get("blockerPid")).longValue();
            long waiter = ((Number) w.get("pid")).longValue();
            if (!ours.test(blocker) || ours.test(waiter)) continue;
            if (worst == null || MysqlLockWaits.seconds(w) > MysqlLockWaits.seconds(worst)) worst = w;
        }
        return worst;
    }

    /** "thread 12 (app@host) waited 1.2 s for row X on `db`.`t` held by zerodown's thread 34 (UPDATE ...)". */
    public static String describe(Map<String, Object> w) {
        return String.format(Locale.ROOT, "thread %s (%s) waited %.1f s for %s held by zerodown's thread %s (%s)",
                w.get("pid"), w.get("applicationName"), MysqlLockWaits.seconds(w), w.get("lockType"), w.get("blockerPid"),
                w.get("blockerApplicationName"));
    }

    /**
     * Replica lag read from a heartbeat table on a replica, for {@code replicaLagMs}: the primary writes the current
     * UTC time into it every second or so (pt-heartbeat does; so can an event), the replica applies it, and the lag is
     * how old the newest value the replica has is. {@code column} holds a DATETIME/TIMESTAMP (UTC) or its text.
     * Returns {@link Long#MAX_VALUE} (pause) when the table is empty or cannot be read, so a broken probe stops the
     * copy instead of letting it run blind.
     *
     * @param replica a connection to the replica, used only by this probe
     */
    public static LongSupplier heartbeatLag(Connection replica, String table, String column) {
        String sql = "SELECT TIMESTAMPDIFF(MICROSECOND, MAX(" + quote(column) + "), UTC_TIMESTAMP(6)) FROM " + quoteName(table);
        return () -> {
            try (Statement st = replica.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                if (!rs.next()) {
                    return Long.MAX_VALUE;
                }
                long micros = rs.getLong(1);
                return rs.wasNull() ? Long.MAX_VALUE : Math.max(0, micros / 1000);
            } catch (SQLException e) {
                return Long.MAX_VALUE;
            }
        };
    }

    private static String quote(String identifier) {
        return "`" + identifier.replace("`", "``") + "`";
    }

    /** {@code db.table} or {@code table}, each part quoted. */
    private static String quoteName(String name) {
        int dot = name.indexOf('.');
        return dot < 0 ? quote(name) : quote(name.substring(0, dot)) + "." + quote(name.substring(dot + 1));
    }

    private long threadsRunning() throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW GLOBAL STATUS LIKE 'Threads_running'")) {
            return rs.next() ? rs.getLong(2) : 0;
        }
    }

    /**
     * The largest {@code Seconds_Behind_Master/Source} of this server's replication channels in ms, 0 when it
     * replicates from nowhere, {@link Long#MAX_VALUE} when a channel is stopped.
     */
    private long serverReplicaLagMs() throws SQLException {
        try {
            return replication.ms(c);
        } catch (SQLException failure) {
            throw new SQLException("cannot read replication status for the replica-lag guard rail: " + failure.getMessage()
                    + "; grant REPLICATION CLIENT (SLAVE MONITOR on MariaDB), or turn the rail off (max replica lag 0)", failure);
        }
    }
}
