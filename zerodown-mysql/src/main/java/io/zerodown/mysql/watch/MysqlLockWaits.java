package io.zerodown.mysql.watch;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Sessions of a MySQL/MariaDB server waiting on a lock, and on whom: InnoDB row-lock waits (MariaDB and MySQL 5.7:
 * {@code information_schema.INNODB_LOCK_WAITS}; MySQL 8: {@code performance_schema.data_lock_waits}, whichever
 * exists) and metadata-lock waits (the processlist state 'Waiting for ... metadata lock'; the holders from
 * {@code performance_schema.metadata_locks} where it is enabled, else the DDL queued before the waiter and the
 * oldest open transactions). Each wait is a map in the shape of PostgreSQL's lock waits, so the live page and the
 * report show both alike: pid, applicationName (user@host), waitingSeconds, lockType, query, blockerPid,
 * blockerApplicationName, blockerState, blockerTransactionSeconds.
 * <p>
 * {@link #start()} polls every 250 ms on a connection of its own and keeps the longest wait of each waiting session
 * ({@link #seen()}); the guard rails read {@link #since(long)} so a wait that ended between two checks still counts.
 */
public final class MysqlLockWaits implements AutoCloseable {
    /** Opens a connection for the poller. */
    @FunctionalInterface
    public interface Opener {
        Connection open() throws SQLException;
    }

    static final long POLL_MS = 250;

    private static final String INNODB_LOCK_WAITS = "SELECT r.trx_mysql_thread_id, CONCAT(COALESCE(rp.USER, ''), '@', "
            + "COALESCE(rp.HOST, '')), TIMESTAMPDIFF(MICROSECOND, r.trx_wait_started, NOW(6)) / 1e6, "
            + "CONCAT('row ', COALESCE(l.lock_mode, ''), ' on ', COALESCE(l.lock_table, '')), LEFT(COALESCE(r.trx_query, ''), 120), "
            + "b.trx_mysql_thread_id, CONCAT(COALESCE(bp.USER, ''), '@', COALESCE(bp.HOST, '')), "
            + "COALESCE(bp.COMMAND, b.trx_state), TIMESTAMPDIFF(MICROSECOND, b.trx_started, NOW(6)) / 1e6 "
            + "FROM information_schema.INNODB_LOCK_WAITS w "
            + "JOIN information_schema.INNODB_TRX r ON r.trx_id = w.requesting_trx_id "
            + "JOIN information_schema.INNODB_TRX b ON b.trx_id = w.blocking_trx_id "
            + "LEFT JOIN information_schema.INNODB_LOCKS l ON l.lock_id = w.requested_lock_id "
            + "LEFT JOIN information_schema.PROCESSLIST rp ON rp.ID = r.trx_mysql_thread_id "
            + "LEFT JOIN information_schema.PROCESSLIST bp ON bp.ID = b.trx_mysql_thread_id "
            + "WHERE r.trx_mysql_thread_id <> CONNECTION_ID()";

    private static final String DATA_LOCK_WAITS = "SELECT r.trx_mysql_thread_id, CONCAT(COALESCE(rp.USER, ''), '@', "
            + "COALESCE(rp.HOST, '')), TIMESTAMPDIFF(MICROSECOND, r.trx_wait_started, NOW(6)) / 1e6, "
            + "CONCAT('row ', COALESCE(l.LOCK_MODE, ''), ' on ', COALESCE(l.OBJECT_SCHEMA, ''), '.', COALESCE(l.OBJECT_NAME, '')), "
            + "LEFT(COALESCE(r.trx_query, ''), 120), b.trx_mysql_thread_id, CONCAT(COALESCE(bp.USER, ''), '@', "
            + "COALESCE(bp.HOST, '')), COALESCE(bp.COMMAND, b.trx_state), TIMESTAMPDIFF(MICROSECOND, b.trx_started, NOW(6)) / 1e6 "
            + "FROM performance_schema.data_lock_waits w "
            + "JOIN information_schema.INNODB_TRX r ON r.trx_id = w.REQUESTING_ENGINE_TRANSACTION_ID "
            + "JOIN information_schema.INNODB_TRX b ON b.trx_id = w.BLOCKING_ENGINE_TRANSACTION_ID "
            + "LEFT JOIN performance_schema.data_locks l ON l.ENGINE_LOCK_ID = w.REQUESTING_ENGINE_LOCK_ID "
            + "LEFT JOIN information_schema.PROCESSLIST rp ON rp.ID = r.trx_mysql_thread_id "
            + "LEFT JOIN information_schema.PROCESSLIST bp ON bp.ID = b.trx_mysql_thread_id "
            + "WHERE r.trx_mysql_thread_id <> CONNECTION_ID()";

    /** Metadata-lock waiters with the sessions holding (or queued before them for) the same table, from performance_schema. */
    private static final String METADATA_LOCKS = "SELECT wt.PROCESSLIST_ID, CONCAT(COALESCE(wp.USER, ''), '@', COALESCE(wp.HOST, '')), "
            + "COALESCE(wp.TIME, 0), CONCAT('metadata ', p.LOCK_TYPE, ' on ', COALESCE(p.OBJECT_SCHEMA, ''), '.', "
            + "COALESCE(p.OBJECT_NAME, ''), IF(g.LOCK_STATUS = 'PENDING', ' (queued behind a pending ', ' (held as '), g.LOCK_TYPE, ')'), "
            + "LEFT(COALESCE(wp.INFO, ''), 120), bt.PROCESSLIST_ID, CONCAT(COALESCE(bp.USER, ''), '@', COALESCE(bp.HOST, '')), "
            + "COALESCE(NULLIF(bp.STATE, ''), bp.COMMAND, ''), COALESCE(TIMESTAMPDIFF(MICROSECOND, bx.trx_started, NOW(6)) / 1e6, bp.TIME, 0) "
            + "FROM performance_schema.metadata_locks p "
            + "JOIN performance_schema.threads wt ON wt.THREAD_ID = p.OWNER_THREAD_ID "
            + "JOIN performance_schema.metadata_locks g ON g.OBJECT_TYPE = p.OBJECT_TYPE AND g.OBJECT_SCHEMA <=> p.OBJECT_SCHEMA "
            + "AND g.OBJECT_NAME <=> p.OBJECT_NAME AND g.OWNER_THREAD_ID <> p.OWNER_THREAD_ID "
            + "AND (g.LOCK_STATUS = 'GRANTED' OR g.LOCK_TYPE = 'EXCLUSIVE' AND g.LOCK_STATUS = 'PENDING') "
            + "JOIN performance_schema.threads bt ON bt.THREAD_ID = g.OWNER_THREAD_ID "
            + "LEFT JOIN information_schema.PROCESSLIST wp ON wp.ID = wt.PROCESSLIST_ID "
            + "LEFT JOIN information_schema.PROCESSLIST bp ON bp.ID = bt.PROCESSLIST_ID "
            + "LEFT JOIN information_schema.INNODB_TRX bx ON bx.trx_mysql_thread_id = bt.PROCESSLIST_ID "
            + "WHERE p.LOCK_STATUS = 'PENDING' AND p.OBJECT_TYPE = 'TABLE' AND wt.PROCESSLIST_ID <> CONNECTION_ID() "
            + "AND bt.PROCESSLIST_ID IS NOT NULL";

    /** Without performance_schema: who waits on a metadata lock (the processlist says so, not on whom). */
    private static final String MDL_WAITERS = "SELECT p.ID, CONCAT(p.USER, '@', p.HOST), %TIME%, p.STATE, "
            + "LEFT(COALESCE(p.INFO, ''), 120), p.DB FROM information_schema.PROCESSLIST p "
            + "WHERE p.STATE LIKE 'Waiting for%metadata lock' AND p.ID <> CONNECTION_ID()";

    /** Candidate holders: sessions running DDL (queued first) and open transactions, oldest first. */
    private static final String CANDIDATES = "SELECT p.ID, CONCAT(p.USER, '@', p.HOST), p.COMMAND, %TIME%, "
            + "COALESCE(TIMESTAMPDIFF(MICROSECOND, x.trx_started, NOW(6)) / 1e6, -1), LEFT(COALESCE(p.INFO, ''), 120), p.DB, "
            + "COALESCE(p.STATE, '') FROM information_schema.PROCESSLIST p "
            + "LEFT JOIN information_schema.INNODB_TRX x ON x.trx_mysql_thread_id = p.ID "
            + "WHERE p.ID <> CONNECTION_ID() AND (x.trx_id IS NOT NULL OR p.INFO REGEXP '^[[:space:]]*(ALTER|RENAME|DROP|TRUNCATE|"
            + "CREATE[[:space:]]+(UNIQUE[[:space:]]+)?INDEX|OPTIMIZE|LOCK[[:space:]]+TABLES)') ";

    private final Opener opener;
    private volatile List<Map<String, Object>> current = List.of();
    private final Map<Long, Map<String, Object>> longest = new LinkedHashMap<>();
    /** Every wait of the recent polls with the time it was seen, for {@link #since}. */
    private final List<Object[]> recent = new ArrayList<>();
    private volatile boolean running;
    private Thread thread;

    public MysqlLockWaits(Opener opener) {
        this.opener = opener;
    }

    /** Polls every 250 ms on a connection of its own until {@link #close()}. */
    public MysqlLockWaits start() throws SQLException {
        Connection c = opener.open();
        running = true;
        thread = new Thread(() -> loop(c), "zerodown-mysql-lockwatch");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    private void loop(Connection c) {
        try (c) {
            Sources sources = new Sources();
            while (running) {
                List<Map<String, Object>> now = read(c, sources);
                long at = System.nanoTime();
                current = List.copyOf(now);
                synchronized (longest) {
                    for (Map<String, Object> w : now) {
                        longest.merge(((Number) w.get("pid")).longValue(), w,
                                (a, b) -> seconds(a) >= seconds(b) ? a : b);
                        recent.add(new Object[] {at, w});
                    }
                    long keep = at - 30_000_000_000L;
                    recent.removeIf(r -> (long) r[0] < keep);
                }
                Thread.sleep(POLL_MS);
            }
        } catch (SQLException | InterruptedException e) {
            // lock watching ends with the run or with its connection; the run itself is unaffected
        }
    }

    /** The waits seen by the last poll (empty before the first). */
    public List<Map<String, Object>> current() {
        return current;
    }

    /** The longest wait seen per waiting session since {@link #start()}. */
    public List<Map<String, Object>> seen() {
        synchronized (longest) {
            return new ArrayList<>(longest.values());
        }
    }

    /** Every wait seen by a poll at or after {@code nanoTime} (within the last 30 s). */
    public List<Map<String, Object>> since(long nanoTime) {
        List<Map<String, Object>> out = new ArrayList<>();
        synchronized (longest) {
            for (Object[] r : recent) {
                if ((long) r[0] >= nanoTime) {
                    @SuppressWarnings("unchecked") Map<String, Object> w = (Map<String, Object>) r[1];
                    out.add(w);
                }
            }
        }
        return out;
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

    static double seconds(Map<String, Object> w) {
        return ((Number) w.get("waitingSeconds")).doubleValue();
    }

    /** Which of the server's lock tables this connection can read, found out on first use. */
    static final class Sources {
        Boolean innodbLockWaits;
        Boolean dataLockWaits;
        Boolean metadataLocks;
        /** The processlist's time in seconds: MariaDB has milliseconds, MySQL whole seconds. */
        String processTime;
    }

    /** Every lock wait on the server now, longest first. */
    public static List<Map<String, Object>> read(Connection c) throws SQLException {
        return read(c, new Sources());
    }

    static List<Map<String, Object>> read(Connection c, Sources s) throws SQLException {
        List<Map<String, Object>> out = new ArrayList<>();
        if (s.innodbLockWaits == null) {
            s.innodbLockWaits = exists(c, "information_schema", "INNODB_LOCK_WAITS");
            s.dataLockWaits = !s.innodbLockWaits && exists(c, "performance_schema", "data_lock_waits");
            s.metadataLocks = metadataLocksEnabled(c);
            s.processTime = columnExists(c, "PROCESSLIST", "TIME_MS") ? "p.TIME_MS / 1000" : "p.TIME";
        }
        if (s.innodbLockWaits) rows(c, INNODB_LOCK_WAITS, out);
        else if (s.dataLockWaits) rows(c, DATA_LOCK_WAITS, out);
        if (s.metadataLocks) {
            rows(c, METADATA_LOCKS, out);
        } else {
            metadataWaitsFromProcesslist(c, s.processTime, out);
        }
        out.sort(Comparator.comparingDouble(MysqlLockWaits::seconds).reversed());
        return out;
    }

    private static void rows(Connection c, String sql, List<Map<String, Object>> out) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(wait(rs.getLong(1), rs.getString(2), rs.getDouble(3), rs.getString(4), rs.getString(5), rs.getLong(6),
                        rs.getString(7), rs.getString(8), rs.getDouble(9)));
            }
        }
    }

    /**
     * MariaDB, or MySQL without the metadata-lock instrument: the processlist names the waiters; a DDL statement on the
     * same database that has waited or run longer is queued before them (its pending exclusive lock blocks every
     * later one), else the open transactions that started before the wait hold the lock, the oldest first.
     */
    private static void metadataWaitsFromProcesslist(Connection c, String time, List<Map<String, Object>> out) throws SQLException {
        List<Object[]> waiters = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(MDL_WAITERS.replace("%TIME%", time))) {
            while (rs.next()) {
                waiters.add(new Object[] {rs.getLong(1), rs.getString(2), rs.getDouble(3), rs.getString(4), rs.getString(5),
                        rs.getString(6)});
            }
        }
        if (waiters.isEmpty()) return;
        List<Object[]> candidates = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(CANDIDATES.replace("%TIME%", time))) {
            while (rs.next()) {
                candidates.add(new Object[] {rs.getLong(1), rs.getString(2), rs.getString(3), rs.getDouble(4), rs.getDouble(5),
                        rs.getString(6), rs.getString(7), rs.getString(8)});
            }
        }
        for (Object[] w : waiters) {
            long pid = (long) w[0];
            double waited = (double) w[2];
            String db = (String) w[5];
            Object[] ddl = null;
            for (Object[] k : candidates) {
                boolean isDdl = ((String) k[5]).matches("(?is)^\\s*(ALTER|RENAME|DROP|TRUNCATE|CREATE\\s+(UNIQUE\\s+)?INDEX|OPTIMIZE|LOCK\\s+TABLES).*");
                if ((long) k[0] != pid && isDdl && (double) k[3] >= waited && java.util.Objects.equals(db, k[6])
                        && (ddl == null || (double) k[3] > (double) ddl[3])) {
                    ddl = k;
                }
            }
            String lockType = ((String) w[3]).toLowerCase(Locale.ROOT).replace("waiting for ", "");
            if (ddl != null) {
                out.add(wait(pid, (String) w[1], waited, lockType + " (queued behind DDL)", (String) w[4], (long) ddl[0],
                        (String) ddl[1], (String) ddl[7], Math.max(0, (double) ddl[4] >= 0 ? (double) ddl[4] : (double) ddl[3])));
                continue;
            }
            for (Object[] k : candidates) {
                double trx = (double) k[4];
                if ((long) k[0] == pid || trx < waited) continue;
                out.add(wait(pid, (String) w[1], waited, lockType + " (held by an open transaction)", (String) w[4], (long) k[0],
                        (String) k[1], (String) k[2], trx));
            }
        }
    }

    static Map<String, Object> wait(long pid, String app, double waitingSeconds, String lockType, String query, long blockerPid,
                                    String blockerApp, String blockerState, double blockerTransactionSeconds) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pid", pid);
        m.put("applicationName", app);
        m.put("waitingSeconds", Math.max(0, waitingSeconds));
        m.put("lockType", lockType);
        m.put("query", query == null ? "" : query.replaceAll("\\s+", " "));
        m.put("blockerPid", blockerPid);
        m.put("blockerApplicationName", blockerApp);
        m.put("blockerState", blockerState);
        m.put("blockerTransactionSeconds", Math.max(0, blockerTransactionSeconds));
        return m;
    }

    static boolean exists(Connection c, String schema, String table) {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 1 FROM information_schema.TABLES "
                + "WHERE TABLE_SCHEMA = '" + schema + "' AND TABLE_NAME = '" + table + "'")) {
            return rs.next();
        } catch (SQLException e) {
            return false;
        }
    }

    static boolean columnExists(Connection c, String table, String column) {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 1 FROM information_schema.COLUMNS "
                + "WHERE TABLE_SCHEMA = 'information_schema' AND TABLE_NAME = '" + table + "' AND COLUMN_NAME = '" + column + "'")) {
            return rs.next();
        } catch (SQLException e) {
            return false;
        }
    }

    /** performance_schema on, and its metadata-lock instrument enabled (MySQL 8 default; off in MariaDB). */
    public static boolean metadataLocksEnabled(Connection c) {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT ENABLED FROM "
                + "performance_schema.setup_instruments WHERE NAME = 'wait/lock/metadata/sql/mdl'")) {
            return rs.next() && "YES".equalsIgnoreCase(rs.getString(1)) && performanceSchemaOn(c);
        } catch (SQLException e) {
            return false;
        }
    }

    private static boolean performanceSchemaOn(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT @@performance_schema")) {
            return rs.next() && rs.getInt(1) == 1;
        }
    }
}
