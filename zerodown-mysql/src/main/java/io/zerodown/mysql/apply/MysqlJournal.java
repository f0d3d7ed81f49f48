package io.zerodown.mysql.apply;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zerodown.core.plan.MigrationPlan;
import io.zerodown.core.plan.Step;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The journal for MySQL/MariaDB, in two tables of the target database (zerodown_migrations, zerodown_steps). DDL
 * commits implicitly there, so a step that was running when the process died is re-run, and "already exists" errors
 * on that re-run count as done.
 */
public final class MysqlJournal {
    static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** One journalled migration. */
    public record Entry(String id, String file, int checksum, String status, String error, MigrationPlan plan) {
    }

    private MysqlJournal() {
    }

    public static void ensure(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS zerodown_migrations (id varchar(191) NOT NULL PRIMARY KEY, file text NOT NULL, "
                    + "description text, checksum int NOT NULL, status varchar(20) NOT NULL, source varchar(20) NOT NULL DEFAULT "
                    + "'zerodown', plan longtext, error text, started_at timestamp(3) NULL DEFAULT CURRENT_TIMESTAMP(3), "
                    + "finished_at timestamp(3) NULL) ENGINE=InnoDB");
            st.execute("CREATE TABLE IF NOT EXISTS zerodown_steps (migration_id varchar(191) NOT NULL, idx int NOT NULL, "
                    + "phase varchar(16) NOT NULL, kind varchar(24) NOT NULL, description text NOT NULL, sql_text longtext NOT NULL, "
                    + "status varchar(16) NOT NULL DEFAULT 'pending', attempts int NOT NULL DEFAULT 0, lock_retries int NOT NULL "
                    + "DEFAULT 0, watermark text, rows_done bigint NOT NULL DEFAULT 0, copy_state varchar(20), error text, started_at timestamp(3) NULL, "
                    + "finished_at timestamp(3) NULL, PRIMARY KEY (migration_id, idx)) ENGINE=InnoDB");
            // journals written by earlier versions lack the online copy's state column
            try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
                    + "AND TABLE_NAME = 'zerodown_steps' AND COLUMN_NAME = 'copy_state'")) {
                rs.next();
                if (rs.getInt(1) == 0) {
                    st.execute("ALTER TABLE zerodown_steps ADD COLUMN copy_state varchar(20) AFTER rows_done");
                }
            }
        }
    }

    public static Map<String, Entry> migrations(Connection c) throws SQLException {
        Map<String, Entry> out = new LinkedHashMap<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT id, file, checksum, status, error, plan FROM zerodown_migrations ORDER BY started_at, id")) {
            while (rs.next()) {
                MigrationPlan plan = null;
                if (rs.getString(6) != null) {
                    try {
                        plan = JSON.readValue(rs.getString(6), MigrationPlan.class);
                    } catch (Exception e) {
                        throw new SQLException("the journal's plan for " + rs.getString(1) + " cannot be read: " + e.getMessage());
                    }
                }
                out.put(rs.getString(1), new Entry(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getString(4), rs.getString(5), plan));
            }
        } catch (SQLException e) {
            if (e.getErrorCode() == 1146) return out; // no journal yet
            throw e;
        }
        return out;
    }

    public static Map<Integer, String[]> steps(Connection c, String id) throws SQLException {
        Map<Integer, String[]> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT idx, status, watermark, rows_done FROM zerodown_steps WHERE migration_id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.put(rs.getInt(1), new String[] {rs.getString(2), rs.getString(3), String.valueOf(rs.getLong(4))});
            }
        }
        return out;
    }

    public static void start(Connection c, MigrationPlan plan) throws SQLException {
        String json;
        try {
            json = JSON.writeValueAsString(plan);
        } catch (Exception e) {
            throw new SQLException("cannot serialise the plan: " + e.getMessage(), e);
        }
        c.setAutoCommit(false);
        try {
            try (PreparedStatement ps = c.prepareStatement("REPLACE INTO zerodown_migrations (id, file, description, checksum, status, plan) "
                    + "VALUES (?, ?, ?, ?, 'running', ?)")) {
                ps.setString(1, plan.id());
                ps.setString(2, plan.file());
                ps.setString(3, plan.description());
                ps.setInt(4, plan.checksum());
                ps.setString(5, json);
                ps.executeUpdate();
            }
            try (PreparedStatement del = c.prepareStatement("DELETE FROM zerodown_steps WHERE migration_id = ?")) {
                del.setString(1, plan.id());
                del.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO zerodown_steps (migration_id, idx, phase, kind, description, sql_text) "
                    + "VALUES (?, ?, ?, ?, ?, ?)")) {
                for (Step s : plan.steps()) {
                    ps.setString(1, plan.id());
                    ps.setInt(2, s.index());
                    ps.setString(3, s.phase().name());
                    ps.setString(4, s.kind().name());
                    ps.setString(5, s.description());
                    ps.setString(6, s.sql());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    public static void step(Connection c, String id, int idx, String status, String error, int attempts, int lockRetries)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE zerodown_steps SET status = ?, error = ?, attempts = attempts + ?, "
                + "lock_retries = lock_retries + ?, started_at = coalesce(started_at, CURRENT_TIMESTAMP(3)), "
                + "finished_at = IF(? IN ('done', 'rolled_back'), CURRENT_TIMESTAMP(3), NULL) WHERE migration_id = ? AND idx = ?")) {
            ps.setString(1, status);
            ps.setString(2, error);
            ps.setInt(3, attempts);
            ps.setInt(4, lockRetries);
            ps.setString(5, status);
            ps.setString(6, id);
            ps.setInt(7, idx);
            ps.executeUpdate();
        }
    }

    public static void watermark(Connection c, String id, int idx, String watermark, long rows) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE zerodown_steps SET watermark = ?, rows_done = rows_done + ?, "
                + "status = 'running' WHERE migration_id = ? AND idx = ?")) {
            ps.setString(1, watermark);
            ps.setLong(2, rows);
            ps.setString(3, id);
            ps.setInt(4, idx);
            ps.executeUpdate();
        }
    }

    public static void finish(Connection c, String id, String status, String error) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE zerodown_migrations SET status = ?, error = ?, "
                + "finished_at = IF(? = 'done', CURRENT_TIMESTAMP(3), NULL) WHERE id = ?")) {
            ps.setString(1, status);
            ps.setString(2, error);
            ps.setString(3, status);
            ps.setString(4, id);
            ps.executeUpdate();
        }
    }
}
