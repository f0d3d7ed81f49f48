package io.zerodown.postgres.apply;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.zerodown.core.plan.MigrationPlan;
import io.zerodown.core.plan.Step;

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
 * The journal in the target database (schema {@code zerodown}): one row per migration with its checksum, plan and
 * outcome, one row per step with status, attempts, lock retries, backfill watermark and timings. Step completion is
 * written in the same transaction as the step's own work wherever the step is transactional.
 */
public final class PostgresJournal {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** One journalled migration. */
    public record Entry(String id, String file, String description, int checksum, String status, String source,
                        String error, java.sql.Timestamp startedAt, java.sql.Timestamp finishedAt, MigrationPlan plan) {
    }

    /** One journalled step. */
    public record StepRow(int index, String phase, String kind, String description, String status, int attempts,
                          int lockRetries, String watermark, long rowsDone, String error, java.sql.Timestamp startedAt,
                          java.sql.Timestamp finishedAt) {
    }

    private PostgresJournal() {
    }

    public static void ensure(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SET LOCAL lock_timeout = '2s'");
            st.execute("CREATE SCHEMA IF NOT EXISTS zerodown");
            st.execute("CREATE TABLE IF NOT EXISTS zerodown.migrations ("
                    + "id text PRIMARY KEY, file text NOT NULL, description text, checksum integer NOT NULL, "
                    + "status text NOT NULL, source text NOT NULL DEFAULT 'zerodown', plan jsonb, error text, "
                    + "installed_by text NOT NULL DEFAULT current_user, started_at timestamptz NOT NULL DEFAULT now(), "
                    + "finished_at timestamptz)");
            st.execute("CREATE TABLE IF NOT EXISTS zerodown.steps ("
                    + "migration_id text NOT NULL REFERENCES zerodown.migrations (id) ON DELETE CASCADE, "
                    + "idx integer NOT NULL, phase text NOT NULL, kind text NOT NULL, description text NOT NULL, "
                    + "sql text NOT NULL, status text NOT NULL DEFAULT 'pending', attempts integer NOT NULL DEFAULT 0, "
                    + "lock_retries integer NOT NULL DEFAULT 0, watermark text, rows_done bigint NOT NULL DEFAULT 0, "
                    + "error text, started_at timestamptz, finished_at timestamptz, PRIMARY KEY (migration_id, idx))");
        }
    }

    public static Map<String, Entry> migrations(Connection c) throws SQLException {
        Map<String, Entry> out = new LinkedHashMap<>();
        if (!exists(c, "zerodown.migrations")) return out;
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT id, file, description, checksum, status, source, error, started_at, "
                     + "finished_at, plan::text FROM zerodown.migrations ORDER BY started_at, id")) {
            while (rs.next()) {
                MigrationPlan plan = null;
                String p = rs.getString(10);
                if (p != null) {
                    try {
                        plan = JSON.readValue(p, MigrationPlan.class);
                    } catch (Exception e) {
                        throw new SQLException("the journal's plan for " + rs.getString(1) + " cannot be read: " + e.getMessage());
                    }
                }
                out.put(rs.getString(1), new Entry(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                        rs.getString(5), rs.getString(6), rs.getString(7), rs.getTimestamp(8), rs.getTimestamp(9), plan));
            }
        }
        return out;
    }

    public static List<StepRow> steps(Connection c, String migrationId) throws SQLException {
        List<StepRow> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT idx, phase, kind, description, status, attempts, lock_retries, "
                + "watermark, rows_done, error, started_at, finished_at FROM zerodown.steps WHERE migration_id = ? ORDER BY idx")) {
            ps.setString(1, migrationId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new StepRow(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            rs.getInt(6), rs.getInt(7), rs.getString(8), rs.getLong(9), rs.getString(10), rs.getTimestamp(11),
                            rs.getTimestamp(12)));
                }
            }
        }
        return out;
    }

    /** Flyway's history, when the database has one: version → checksum of successful migrations. */
    public static Map<String, Integer> flywayHistory(Connection c) throws SQLException {
        Map<String, Integer> out = new LinkedHashMap<>();
        String table = null;
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_class c "
                     + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = 'flyway_schema_history' "
                     + "AND c.relkind = 'r' ORDER BY n.nspname = current_schema() DESC LIMIT 1")) {
            if (rs.next()) table = rs.getString(1);
        }
        if (table == null) return out;
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version, checksum FROM " + table + " WHERE success AND version IS NOT NULL")) {
            while (rs.next()) out.put(rs.getString(1), rs.getObject(2) == null ? null : rs.getInt(2));
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
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO zerodown.migrations (id, file, description, checksum, "
                    + "status, plan) VALUES (?, ?, ?, ?, 'running', ?::jsonb)")) {
                ps.setString(1, plan.id());
                ps.setString(2, plan.file());
                ps.setString(3, plan.description());
                ps.setInt(4, plan.checksum());
                ps.setString(5, json);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO zerodown.steps (migration_id, idx, phase, kind, "
                    + "description, sql) VALUES (?, ?, ?, ?, ?, ?)")) {
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
            c.setAutoCommit(auto);
        }
    }

    public static void baseline(Connection c, String id, String file, String description, int checksum) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO zerodown.migrations (id, file, description, checksum, "
                + "status, source, finished_at) VALUES (?, ?, ?, ?, 'done', 'baseline', now()) ON CONFLICT (id) DO NOTHING")) {
            ps.setString(1, id);
            ps.setString(2, file);
            ps.setString(3, description);
            ps.setInt(4, checksum);
            ps.executeUpdate();
        }
    }


    /**
     * Marks a step finished with {@code status} (done, or rolled_back for an undo). Runs in the caller's transaction,
     * so a transactional step's work and its completion commit together.
     */
    public static void stepFinished(Connection c, String id, int idx, String status, int attempts, int lockRetries)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE zerodown.steps SET status = ?, attempts = attempts + ?, "
                + "lock_retries = lock_retries + ?, error = NULL, finished_at = now(), started_at = coalesce(started_at, now()) "
                + "WHERE migration_id = ? AND idx = ?")) {
            ps.setString(1, status);
            ps.setInt(2, attempts);
            ps.setInt(3, lockRetries);
            ps.setString(4, id);
            ps.setInt(5, idx);
            ps.executeUpdate();
        }
    }

    public static void stepStatus(Connection c, String id, int idx, String status, String error) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE zerodown.steps SET status = ?, error = ?, "
                + "started_at = coalesce(started_at, now()) WHERE migration_id = ? AND idx = ?")) {
            ps.setString(1, status);
            ps.setString(2, error);
            ps.setString(3, id);
            ps.setInt(4, idx);
            ps.executeUpdate();
        }
    }



    public static void finish(Connection c, String id, String status, String error) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE zerodown.migrations SET status = ?, error = ?, "
                + "finished_at = CASE WHEN ? IN ('done', 'rolled_back') THEN now() END WHERE id = ?")) {
            ps.setString(1, status);
            ps.setString(2, error);
            ps.setString(3, status);
            ps.setString(4, id);
            ps.executeUpdate();
        }
    }

    public static boolean exists(Connection c, String qualified) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, qualified);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }
}
