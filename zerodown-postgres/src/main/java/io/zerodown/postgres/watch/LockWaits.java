package io.zerodown.postgres.watch;

import io.zerodown.postgres.apply.PostgresConnections;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Watches, on its own connection every 500 ms, the sessions of the database that wait for a lock, each with the
 * sessions that block it (pg_blocking_pids): what the live page shows as lock waits, and what the report keeps as the
 * longest wait seen per waiting session.
 */
public final class LockWaits implements AutoCloseable {
    /** A session waiting for a lock, and one session it waits behind. */
    public record Wait(int pid, String applicationName, String state, double waitingSeconds, String query, String lockType,
                       int blockerPid, String blockerApplicationName, String blockerState, double blockerTransactionSeconds) {
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("pid", pid);
            m.put("applicationName", applicationName);
            m.put("state", state);
            m.put("waitingSeconds", waitingSeconds);
            m.put("query", query);
            m.put("lockType", lockType);
            m.put("blockerPid", blockerPid);
            m.put("blockerApplicationName", blockerApplicationName);
            m.put("blockerState", blockerState);
            m.put("blockerTransactionSeconds", blockerTransactionSeconds);
            return m;
        }
    }

    private static final String QUERY = "SELECT w.pid, coalesce(w.application_name, ''), coalesce(w.state, ''), "
            + "coalesce(extract(epoch FROM now() - w.state_change), 0)::float8, left(regexp_replace(coalesce(w.query, ''), '\\s+', ' ', 'g'), 120), "
            + "coalesce(w.wait_event, ''), b.pid, coalesce(b.application_name, ''), coalesce(b.state, ''), "
            + "coalesce(extract(epoch FROM now() - coalesce(b.xact_start, b.backend_start)), 0)::float8 "
            + "FROM pg_stat_activity w CROSS JOIN LATERAL unnest(pg_blocking_pids(w.pid)) AS bp(pid) "
            + "JOIN pg_stat_activity b ON b.pid = bp.pid "
            + "WHERE w.wait_event_type = 'Lock' AND w.datname = current_database() AND w.pid <> pg_backend_pid() "
            + "ORDER BY 4 DESC LIMIT 20";

    private final PostgresConnections db;
    private volatile List<Wait> current = List.of();
    /** Longest wait seen per waiting pid and blocker, for the report. */
    private final Map<String, Wait> longest = new LinkedHashMap<>();
    private volatile boolean running;
    private Thread thread;

    public LockWaits(PostgresConnections db) {
        this.db = db;
    }

    public LockWaits start() throws SQLException {
        Connection c = db.open();
        try (Statement st = c.createStatement()) {
            st.execute("SET application_name = 'zerodown-lockwatch'");
        }
        running = true;
        thread = new Thread(() -> loop(c), "zerodown-lockwatch");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    private void loop(Connection c) {
        try (c; PreparedStatement ps = c.prepareStatement(QUERY)) {
            while (running) {
                List<Wait> now = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        now.add(new Wait(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getDouble(4), rs.getString(5),
                                rs.getString(6), rs.getInt(7), rs.getString(8), rs.getString(9), rs.getDouble(10)));
                    }
                }
                current = List.copyOf(now);
                synchronized (longest) {
                    for (Wait w : now) {
                        longest.merge(w.pid() + "/" + w.blockerPid(), w, (a, b) -> a.waitingSeconds() >= b.waitingSeconds() ? a : b);
                    }
                }
                Thread.sleep(500);
            }
        } catch (SQLException | InterruptedException e) {
            // lock watching ends with the run, or with its connection; the run itself is unaffected
        }
    }

    /** The waits seen by the last poll. */
    public List<Wait> current() {
        return current;
    }

    /** The longest wait seen per waiting session and blocker during the run. */
    public List<Wait> seen() {
        synchronized (longest) {
            return new ArrayList<>(longest.values());
        }
    }

    @Override
    public void close() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
