package io.zerodown.postgres.versioned;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;

/**
 * State of versioned migrations in {@code zerodown.versioned_migrations} (one row per migration, with the shapes it
 * goes between and how many steps of the current phase are done) and backfill watermarks in
 * {@code zerodown.versioned_backfill}.
 */
public final class VersionedJournal {
    public static final List<String> IN_FLIGHT = List.of("starting", "active", "completing", "rolling_back");

    /** One migration's row. */
    public record Row(String name, String schema, String versionSchema, String oldVersionSchema, String file, boolean json,
                      String definition, String oldShape, String newShape, String catalog, String status, int stepsDone,
                      long seq, Timestamp startedAt, Timestamp finishedAt, String error) {
        public boolean inFlight() {
            return IN_FLIGHT.contains(status);
        }
    }

    private VersionedJournal() {
    }

    static void ensure(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA IF NOT EXISTS zerodown");
            st.execute("CREATE TABLE IF NOT EXISTS zerodown.versioned_migrations (name text PRIMARY KEY, schema_name text NOT NULL, "
                    + "version_schema text NOT NULL, old_version_schema text, file text NOT NULL, is_json boolean NOT NULL, "
                    + "definition text NOT NULL, old_shape text NOT NULL, new_shape text, catalog text NOT NULL, status text NOT NULL, "
                    + "steps_done int NOT NULL DEFAULT 0, seq bigserial, started_at timestamptz NOT NULL DEFAULT now(), "
                    + "finished_at timestamptz, error text)");
            st.execute("CREATE TABLE IF NOT EXISTS zerodown.versioned_backfill (name text NOT NULL, table_name text NOT NULL, "
                    + "watermark text, rows_done bigint NOT NULL DEFAULT 0, done boolean NOT NULL DEFAULT false, "
                    + "PRIMARY KEY (name, table_name))");
        }
    }

    /** Every row, oldest first; empty when the journal does not exist yet. */
    public static List<Row> all(Connection c) throws SQLException {
        List<Row> out = new ArrayList<>();
        try (Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT to_regclass('zerodown.versioned_migrations') IS NOT NULL")) {
                rs.next();
                if (!rs.getBoolean(1)) return out;
            }
            try (ResultSet rs = st.executeQuery("SELECT name, schema_name, version_schema, old_version_schema, file, is_json, "
                    + "definition, old_shape, new_shape, catalog, status, steps_done, seq, started_at, finished_at, error "
                    + "FROM zerodown.versioned_migrations ORDER BY seq")) {
                while (rs.next()) {
                    out.add(new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            rs.getBoolean(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10),
                            rs.getString(11), rs.getInt(12), rs.getLong(13), rs.getTimestamp(14), rs.getTimestamp(15),
                            rs.getString(16)));
                }
            }
        }
        return out;
    }

    static void insert(Connection c, Row r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO zerodown.versioned_migrations (name, schema_name, version_schema, "
                + "old_version_schema, file, is_json, definition, old_shape, catalog, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, r.name());
            ps.setString(2, r.schema());
            ps.setString(3, r.versionSchema());
            ps.setString(4, r.oldVersionSchema());
            ps.setString(5, r.file());
            ps.setBoolean(6, r.json());
            ps.setString(7, r.definition());
            ps.setString(8, r.oldShape());
            ps.setString(9, r.catalog());
            ps.setString(10, r.status());
            ps.executeUpdate();
        }
    }

    static void delete(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM zerodown.versioned_migrations WHERE name = ?");
             PreparedStatement bf = c.prepareStatement("DELETE FROM zerodown.versioned_backfill WHERE name = ?")) {
            ps.setString(1, name);
            ps.executeUpdate();
            bf.setString(1, name);
            bf.executeUpdate();
        }
    }

    static void status(Connection c, String name, String status, int stepsDone) throws SQLException {
        update(c, "UPDATE zerodown.versioned_migrations SET status = ?, steps_done = ?, error = NULL, "
                + "finished_at = CASE WHEN ?::text IN ('completed', 'rolled_back') THEN now() END WHERE name = ?", status, stepsDone, status, name);
    }

    static void stepsDone(Connection c, String name, int stepsDone) throws SQLException {
        update(c, "UPDATE zerodown.versioned_migrations SET steps_done = ? WHERE name = ?", stepsDone, name);
    }

    static void newShape(Connection c, String name, String shapeJson) throws SQLException {
        update(c, "UPDATE zerodown.versioned_migrations SET new_shape = ? WHERE name = ?", shapeJson, name);
    }

    static void error(Connection c, String name, String error) throws SQLException {
        update(c, "UPDATE zerodown.versioned_migrations SET error = ? WHERE name = ?", error, name);
    }

    private static void update(Connection c, String sql, Object... values) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) ps.setObject(i + 1, values[i]);
            ps.executeUpdate();
        }
    }

    /** The watermark (null: from the start) and whether the table's backfill is done. */
    static String[] backfill(Connection c, String name, String table) throws SQLException {
        try (PreparedStatement ins = c.prepareStatement("INSERT INTO zerodown.versioned_backfill (name, table_name) VALUES (?, ?) "
                + "ON CONFLICT DO NOTHING")) {
            ins.setString(1, name);
            ins.setString(2, table);
            ins.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT watermark, done, rows_done FROM zerodown.versioned_backfill "
                + "WHERE name = ? AND table_name = ?")) {
            ps.setString(1, name);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new String[] {rs.getString(1), String.valueOf(rs.getBoolean(2)), String.valueOf(rs.getLong(3))};
            }
        }
    }

    static void batch(Connection c, String name, String table, String watermark, long rows, boolean done) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE zerodown.versioned_backfill SET watermark = coalesce(?, watermark), "
                + "rows_done = rows_done + ?, done = ? WHERE name = ? AND table_name = ?")) {
            ps.setString(1, watermark);
            ps.setLong(2, rows);
            ps.setBoolean(3, done);
            ps.setString(4, name);
            ps.setString(5, table);
            ps.executeUpdate();
        }
    }
}
