package io.zerodown.postgres.watch;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.function.DoubleSupplier;

/**
 * Limits a running backfill must respect, checked between batches: an operator's pause or abort (zerodown control),
 * and the canary's recent p99 latency against a soft limit (pause) and a hard limit (abort, leaving a resumable state).
 * Replica lag and sessions queued on the table are checked by the backfill itself.
 */
public final class GuardRails {
    /** What the backfill should do now. */
    public record Decision(Action action, String reason) {
        public static final Decision GO = new Decision(Action.CONTINUE, null);
    }

    public enum Action { CONTINUE, PAUSE, ABORT }

    private final DoubleSupplier canaryP99Ms;
    private final double pauseAboveMs;
    private final double abortAboveMs;

    /**
     * @param canaryP99Ms  the canary's recent p99 in ms (null: no latency rail)
     * @param pauseAboveMs pause while it is above this
     * @param abortAboveMs abort when it is above this (0: never)
     */
    public GuardRails(DoubleSupplier canaryP99Ms, double pauseAboveMs, double abortAboveMs) {
        this.canaryP99Ms = canaryP99Ms;
        this.pauseAboveMs = pauseAboveMs;
        this.abortAboveMs = abortAboveMs;
    }

    public Decision check(Connection c) throws SQLException {
        String control = control(c);
        if ("abort".equals(control)) return new Decision(Action.ABORT, "aborted by zerodown control");
        if ("pause".equals(control)) return new Decision(Action.PAUSE, "paused by zerodown control");
        if (canaryP99Ms != null) {
            double p99 = canaryP99Ms.getAsDouble();
            if (abortAboveMs > 0 && p99 > abortAboveMs) {
                return new Decision(Action.ABORT, String.format(java.util.Locale.ROOT, "canary p99 %.1f ms > hard limit %.1f ms", p99, abortAboveMs));
            }
            if (p99 > pauseAboveMs) {
                return new Decision(Action.PAUSE, String.format(java.util.Locale.ROOT, "canary p99 %.1f ms > %.1f ms", p99, pauseAboveMs));
            }
        }
        return Decision.GO;
    }

    /** The operator's last command from {@code zerodown control}: pause, resume, abort, or null. */
    static String control(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT value FROM zerodown.control WHERE key = 'state'")) {
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) return null; // no control table yet
            throw e;
        }
    }

    /** Forgets the last run's command when a new apply starts. */
    public static void reset(Connection c) throws SQLException {
        try (java.sql.Statement st = c.createStatement()) {
            st.execute("DELETE FROM zerodown.control WHERE key = 'state'");
        } catch (SQLException e) {
            if (!"42P01".equals(e.getSQLState()) && !"3F000".equals(e.getSQLState())) throw e;
        }
    }

    /** Records an operator command; the running apply picks it up between batches. */
    public static void command(Connection c, String state) throws SQLException {
        try (java.sql.Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA IF NOT EXISTS zerodown");
            st.execute("CREATE TABLE IF NOT EXISTS zerodown.control (key text PRIMARY KEY, value text NOT NULL, "
                    + "changed_at timestamptz NOT NULL DEFAULT now())");
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO zerodown.control (key, value) VALUES ('state', ?) "
                + "ON CONFLICT (key) DO UPDATE SET value = excluded.value, changed_at = now()")) {
            ps.setString(1, state);
            ps.executeUpdate();
        }
    }
}
