package io.zerodown.mysql.watch;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
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
     * Records an operator command for the apply running on this database: {@code pause}, {@code resume},
     * {@code proceed} (a postponed cut-over goes on) or {@code abort} (which stops the copy or backfill between two chunks and leaves a state apply resumes).
     *
     * @throws IllegalArgumentException naming the command when it is not one of those
     */
    public static void command(Connection c, String action) throws SQLException {
        String a = action == null ? "" : action.trim().toLowerCase(Locale.ROOT);
        if (a.equals("proceed")) {
            // a key of its own, so a proceed neither clears nor is cleared by a pause
            put(c, "proceed", "1");
            return;
        }
        if (!a.equals("pause") && !a.equals("resume") && !a.equals("abort")) {
            throw new IllegalArgumentException("unknown action '" + action + "': use pause, resume, abort or proceed");
        }
        put(c, "state", a);
    }

    /**
     * Settings {@code zerodown control set} changes while apply runs: every one is a duration (50ms, 2s, 1.5s, 1min;
     * a bare number is milliseconds) except max-threads-running, a count. 0 turns a limit off (not batch-time).
     */
    public static final List<String> SETTINGS = List.of("batch-time", "max-replica-lag", "canary-pause", "canary-abort",
            "max-threads-running", "max-lock-wait");

    /**
     * Changes a setting of the apply running on this database; it picks the new value up at its next check.
     *
     * @return the value stored: milliseconds, or the count for max-threads-running
     * @throws IllegalArgumentException naming the accepted settings or values when {@code name} or {@code value} is not one
     */
    public static long set(Connection c, String name, String value) throws SQLException {
        long v = parseSetting(name, value);
        put(c, name.trim().toLowerCase(Locale.ROOT), String.valueOf(v));
        return v;
    }

    /** The value {@link #set} stores for {@code name}: ms, or a count for max-threads-running. */
    public static long parseSetting(String name, String value) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        if (!SETTINGS.contains(n)) {
            throw new IllegalArgumentException("unknown setting '" + name + "': use one of " + String.join(", ", SETTINGS));
        }
        if (n.equals("max-threads-running")) {
            try {
                long count = Long.parseLong(value == null ? "" : value.trim());
                if (count >= 0 && count <= Integer.MAX_VALUE) return count;
            } catch (NumberFormatException e) {
                // the message below says what is accepted
            }
            throw new IllegalArgumentException("max-threads-running: '" + value + "' is not a count of threads (0 or more; "
                    + "0 turns the rail off)");
        }
        Long ms = parseDurationMs(value);
        if (ms == null) {
            throw new IllegalArgumentException(n + ": '" + value + "' is not a duration: use a number with ms, s or min, "
                    + "e.g. 50ms, 2s, 1.5s (a bare number is milliseconds)");
        }
        if (n.equals("batch-time") && ms < 1) {
            throw new IllegalArgumentException("batch-time: '" + value + "' is shorter than the smallest batch target, 1ms");
        }
        return ms;
    }

    /**
     * A duration in whole milliseconds: {@code 50ms}, {@code 2s}, {@code 1.5s}, {@code 1min}, {@code 250} (ms);
     * null when it is not one (negative, empty, unknown unit).
     */
    public static Long parseDurationMs(String text) {
        if (text == null) return null;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+(?:\\.\\d+)?|\\.\\d+)\\s*(ms|s|sec|min)?")
                .matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) return null;
        double n = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "ms" : m.group(2);
        double factor = switch (unit) {
            case "ms" -> 1;
            case "s", "sec" -> 1000;
            default -> 60_000;
        };
        double ms = n * factor;
        return ms > Long.MAX_VALUE / 2.0 ? null : Math.round(ms);
    }

    /** True when {@code zerodown control proceed} was sent since the apply started (or since {@link #consumeProceed}). */
    public static boolean proceedRequested(Connection c) throws SQLException {
        return read(c).containsKey("proceed");
    }

    /** Forgets a proceed once acted on, so a later postponed cut-over waits for its own. */
    public static void consumeProceed(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("DELETE FROM " + TABLE + " WHERE `key` = 'proceed'");
        } catch (SQLException e) {
            if (e.getErrorCode() != ER_NO_SUCH_TABLE) {
                throw e;
            }
        }
    }

    private static void put(Connection c, String key, String value) throws SQLException {
        ensure(c);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " (`key`, `value`) VALUES (?, ?) "
                + "ON DUPLICATE KEY UPDATE `value` = VALUES(`value`), changed_at = CURRENT_TIMESTAMP(3)")) {
            ps.setString(1, key);
            ps.setString(2, value);
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
