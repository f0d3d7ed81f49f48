package io.zerodown.mysql.watch;

import io.zerodown.mysql.copy.OnlineTableCopy.Guard;
import io.zerodown.mysql.copy.OnlineTableCopy.Hold;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * The limits an apply on MySQL/MariaDB respects between two chunks of an online copy or two batches of a backfill,
 * in this order: the operator's abort or pause ({@link MysqlControl}); the canary's recent p99 above a hard limit
 * (abort, resumable) or a soft one (pause); replica lag above its limit (pause); {@code Threads_running} above its
 * limit (pause). A pause lasts while the cause does; the caller asks again every 100 ms.
 */
public final class MysqlGuardRails implements Guard {
    /**
     * @param canaryPauseMs     pause while the canary's p99 over the last {@code canaryWindowMs} is above this
     * @param canaryAbortMs     abort when it is above this (0: never)
     * @param canaryWindowMs    the window of recent probes the p99 is taken over
     * @param maxReplicaLagMs   pause while replica lag is above this (0: not checked)
     * @param maxThreadsRunning pause while {@code Threads_running} is above this (0: not checked)
     */
    public record Limits(double canaryPauseMs, double canaryAbortMs, long canaryWindowMs, long maxReplicaLagMs,
                         int maxThreadsRunning) {
        /**
         * Canary p99 over the last 2 s: pause above 250 ms, abort above 5 s (apply's --canary-pause and
         * --canary-abort defaults); 1 s of replica lag (the copy's own default); 25 running threads.
         */
        public static Limits defaults() {
            return new Limits(250, 5000, 2000, 1000, 25);
        }
    }

    private final Connection c;
    private final DoubleSupplier canaryP99Ms;
    private final LongSupplier replicaLagMs;
    private final Limits limits;
    private final io.zerodown.mysql.copy.ReplicationLag replication = new io.zerodown.mysql.copy.ReplicationLag();

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
        this.limits = limits == null ? Limits.defaults() : limits;
    }

    public Limits limits() {
        return limits;
    }

    @Override
    public Hold check() throws SQLException {
        String state = MysqlControl.state(c);
        if ("abort".equals(state)) {
            return Hold.abortNow("aborted by zerodown control");
        }
        if ("pause".equals(state)) {
            return Hold.pause("paused by zerodown control");
        }
        if (canaryP99Ms != null) {
            double p99 = canaryP99Ms.getAsDouble();
            if (limits.canaryAbortMs() > 0 && p99 > limits.canaryAbortMs()) {
                return Hold.abortNow(String.format(Locale.ROOT, "canary p99 %.1f ms > hard limit %.1f ms", p99,
                        limits.canaryAbortMs()));
            }
            if (p99 > limits.canaryPauseMs()) {
                return Hold.pause(String.format(Locale.ROOT, "canary p99 %.1f ms > %.1f ms", p99, limits.canaryPauseMs()));
            }
        }
        if (limits.maxReplicaLagMs() > 0) {
            long lag = replicaLagMs != null ? replicaLagMs.getAsLong() : serverReplicaLagMs();
            if (lag > limits.maxReplicaLagMs()) {
                return Hold.pause(lag == Long.MAX_VALUE ? "replica lag unknown (replication stopped, or the lag probe "
                        + "cannot read it)" : "replica lag " + lag + " ms > " + limits.maxReplicaLagMs() + " ms");
            }
        }
        if (limits.maxThreadsRunning() > 0) {
            long running = threadsRunning();
            if (running > limits.maxThreadsRunning()) {
                return Hold.pause("Threads_running " + running + " > " + limits.maxThreadsRunning());
            }
        }
        return null;
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
