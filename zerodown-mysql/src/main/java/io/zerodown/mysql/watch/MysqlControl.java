package io.zerodown.mysql.watch;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Operator commands for an apply running on a MySQL/MariaDB database, kept in the table {@code zerodown_control} of
 * that database, so any session that can reach it can steer the run: {@code zerodown control --url mysql://... pause}
 * writes the command, the running apply reads it between two chunks or batches (about every 150 ms) and forgets
 * every command when it starts.
 */
public final class MysqlControl {
    /** The table, in the migrated database next to zerodown's journal. */
    public static final String TABLE = "zerodown_control";
    private static final int ER_NO_SUCH_TABLE = 1146;

    private MysqlControl() {
    }

    /**
     * Records an operator command for the apply running on this database: {@code pause}, {@code resume} or
     * {@code abort} (which stops the copy or backfill between two chunks and leaves a state apply resumes).
     *
     * @throws IllegalArgumentException naming the command when it is not one of those
     */
    public static void command(Connection c, String action) throws SQLException {
        String a = action == null ? "" : action.trim().toLowerCase(Locale.ROOT);
        if (!a.equals("pause") && !a.equals("resume") && !a.equals("abort")) {
            throw new IllegalArgumentException("unknown action '" + action + "': use pause, resume or abort");
        }
        ensure(c);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " (`key`, `value`) VALUES ('state', ?) "
                + "ON DUPLICATE KEY UPDATE `value` = VALUES(`value`), changed_at = CURRENT_TIMESTAMP(3)")) {
            ps.setString(1, a);
            ps.executeUpdate();
        }
    }

    /** The last command (pause, resume or abort), or null when none was given since the apply started. */
    public static String state(Connection c) throws SQLException {
        return read(c).get("state");
    }

    /**
     * True while an apply holds this database's runner lock ({@code GET_LOCK('zerodown:<database>')}), so the CLI can
     * warn that a command sent now has no run to act on.
     */
    public static boolean applyRunning(Connection c, String database) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT IS_USED_LOCK(?)")) {
            ps.setString(1, "zerodown:" + database);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getObject(1) != null;
            }
        }
    }

    /** Forgets earlier commands: a new apply starts unpaused. */
    public static void reset(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("DELETE FROM " + TABLE);
        } catch (SQLException e) {
            if (e.getErrorCode() != ER_NO_SUCH_TABLE) {
                throw e;
            }
        }
    }

    /** Every key of the control table; empty when it does not exist yet. */
    static Map<String, String> read(Connection c) throws SQLException {
        Map<String, String> out = new HashMap<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT `key`, `value` FROM " + TABLE)) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getString(2));
            }
        } catch (SQLException e) {
            if (e.getErrorCode() != ER_NO_SUCH_TABLE) {
                throw e;
            }
        }
        return out;
    }

    private static void ensure(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (`key` VARCHAR(64) NOT NULL PRIMARY KEY, "
                    + "`value` VARCHAR(255) NOT NULL, changed_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)) "
                    + "ENGINE=InnoDB");
        }
    }
}
