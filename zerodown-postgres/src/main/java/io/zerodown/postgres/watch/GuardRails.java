package io.zerodown.postgres.watch;

import io.zerodown.core.lint.LintEngine;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.DoubleSupplier;

/**
 * Limits a running apply must respect, checked between backfill batches and before every step: an operator's pause,
 * resume or abort (zerodown control or the live page), and the canary's recent p99 latency against a soft limit
 * (pause) and a hard limit (abort, leaving a resumable state). Replica lag and sessions queued on the table are
 * checked by the backfill itself.
 *
 * <p>The operator can also change settings of the running apply ({@code zerodown control set NAME DURATION}):
 * the backfill batch target time, the replica-lag limit and the two canary limits. Commands and settings live in the
 * table zerodown.control, so any session that can reach the database can steer the run; the apply reads them with
 * every check and forgets them when a new apply starts.
 */
public final class GuardRails {
    /** What the backfill should do now. */
    public record Decision(Action action, String reason) {
        public static final Decision GO = new Decision(Action.CONTINUE, null);
    }

    public enum Action { CONTINUE, PAUSE, ABORT }

    /** Settings that {@code zerodown control set} changes while apply runs; every value is a duration. */
    public static final Set<String> SETTINGS = Set.of("batch-time", "max-replica-lag", "canary-pause", "canary-abort", "max-pause");

    private final DoubleSupplier canaryP99Ms;
    private volatile double pauseAboveMs;
    private volatile double abortAboveMs;
    private volatile Long batchTargetMs;
    private volatile Long maxReplicaLagMs;
    private volatile boolean proceed;
    private volatile long maxPauseMs;
    /** The last value seen of each setting, to report each change once. */
    private final Map<String, String> seen = new HashMap<>();
    private final List<String> changes = new ArrayList<>();

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
        Map<String, String> control = read(c);
        applySettings(control);
        if (control.containsKey("proceed")) proceed = true;
        String state = control.get("state");
        if ("abort".equals(state)) return new Decision(Action.ABORT, "aborted by zerodown control");
        if ("pause".equals(state)) return new Decision(Action.PAUSE, "paused by zerodown control");
        if (canaryP99Ms != null) {
            double p99 = canaryP99Ms.getAsDouble();
            double abort = abortAboveMs;
            double pause = pauseAboveMs;
            if (abort > 0 && p99 > abort) {
                return new Decision(Action.ABORT, String.format(Locale.ROOT, "canary p99 %.1f ms > hard limit %.1f ms", p99, abort));
            }
            if (p99 > pause) {
                return new Decision(Action.PAUSE, String.format(Locale.ROOT, "canary p99 %.1f ms > %.1f ms", p99, pause));
            }
        }
        return Decision.GO;
    }

    private void applySettings(Map<String, String> control) {
        synchronized (seen) {
            for (String name : SETTINGS) {
                String value = control.get(name);
                if (value == null || value.equals(seen.get(name))) continue;
                Long ms = LintEngine.parseDurationMs(value, 1);
                if (ms == null || ms < 0) continue; // written by command(), which validates; ignore anything else
                seen.put(name, value);
                switch (name) {
                    case "batch-time" -> batchTargetMs = Math.max(1, ms);
                    case "max-replica-lag" -> maxReplicaLagMs = ms;
                    case "canary-pause" -> pauseAboveMs = ms;
                    case "canary-abort" -> abortAboveMs = ms;
                    case "max-pause" -> maxPauseMs = ms;
                    default -> throw new IllegalStateException(name);
                }
                changes.add(name + " set to " + ms + " ms by zerodown control");
            }
        }
    }

    /** Setting changes picked up since the last call, each as a sentence for the log and the report. */
    public List<String> drainChanges() {
        synchronized (seen) {
            List<String> out = new ArrayList<>(changes);
            changes.clear();
            return out;
        }
    }

    /** The backfill batch target time set by zerodown control, else {@code fallback}. */
    public long batchTargetMs(long fallback) {
        Long v = batchTargetMs;
        return v == null ? fallback : v;
    }

    /** The replica-lag limit set by zerodown control, else {@code fallback}. */
    public long maxReplicaLagMs(long fallback) {
        Long v = maxReplicaLagMs;
        return v == null ? fallback : v;
    }

    /**
     * The hard limit of every automatic pause (replica lag, sessions queued on the table, the canary's soft limit):
     * a pause that lasts longer aborts the run, resumably. 0 (the default) never aborts. An operator's pause never
     * counts. Returns this.
     */
    public GuardRails withMaxPause(long ms) {
        maxPauseMs = Math.max(0, ms);
        return this;
    }

    public long maxPauseMs() {
        return maxPauseMs;
    }

    /** True once {@code zerodown control proceed} was sent (seen by the last check). */
    public boolean proceedRequested() {
        return proceed;
    }

    /** Forgets a proceed once it was acted on, so the next postponed contract phase waits for its own. */
    public void consumeProceed(Connection c) throws SQLException {
        proceed = false;
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM zerodown.control WHERE key = 'proceed'")) {
            ps.executeUpdate();
        } catch (SQLException e) {
            if (!"42P01".equals(e.getSQLState())) throw e;
        }
    }

    /** The settings in force, for the live page and the report. */
    public Map<String, Object> settings(long defaultBatchTargetMs, long defaultMaxReplicaLagMs) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("batch-time", batchTargetMs(defaultBatchTargetMs));
        m.put("max-replica-lag", maxReplicaLagMs(defaultMaxReplicaLagMs));
        m.put("canary-pause", Math.round(pauseAboveMs));
        m.put("canary-abort", Math.round(abortAboveMs));
        m.put("max-pause", maxPauseMs);
        return m;
    }

    /** Every key of zerodown.control (state, proceed, settings); empty when the table does not exist yet. */
    static Map<String, String> read(Connection c) throws SQLException {
        Map<String, String> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT key, value FROM zerodown.control")) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.put(rs.getString(1), rs.getString(2));
            }
        } catch (SQLException e) {
            if (!"42P01".equals(e.getSQLState())) throw e; // no control table yet
        }
        return out;
    }

    /** The operator's last command from {@code zerodown control}: pause, resume, abort, or null. */
    static String control(Connection c) throws SQLException {
        return read(c).get("state");
    }

    /** Forgets the last run's commands and settings when a new apply starts. */
    public static void reset(Connection c) throws SQLException {
        try (java.sql.Statement st = c.createStatement()) {
            st.execute("DELETE FROM zerodown.control");
        } catch (SQLException e) {
            if (!"42P01".equals(e.getSQLState()) && !"3F000".equals(e.getSQLState())) throw e;
        }
    }

    /** Records an operator command (pause, resume, abort or proceed); the running apply picks it up at its next check. */
    public static void command(Connection c, String action) throws SQLException {
        switch (action) {
            case "pause", "resume", "abort" -> put(c, "state", action);
            case "proceed" -> put(c, "proceed", "yes");
            default -> throw new IllegalArgumentException("unknown action '" + action + "': use pause, resume, abort or proceed");
        }
    }

    /**
     * Changes a setting of the running apply.
     *
     * @throws IllegalArgumentException naming the problem when the setting or the duration is not valid
     */
    public static long set(Connection c, String name, String duration) throws SQLException {
        if (!SETTINGS.contains(name)) {
            throw new IllegalArgumentException("unknown setting '" + name + "': use one of " + String.join(", ", SETTINGS.stream().sorted().toList()));
        }
        Long ms = duration == null ? null : LintEngine.parseDurationMs(duration.trim(), 1);
        if (ms == null || ms < 0) {
            throw new IllegalArgumentException(name + ": '" + duration + "' is not a duration (e.g. 50ms, 2s, 1min)");
        }
        if (name.equals("batch-time") && ms < 1) throw new IllegalArgumentException("batch-time must be at least 1ms");
        put(c, name, ms + "ms");
        return ms;
    }

    private static void put(Connection c, String key, String value) throws SQLException {
        try (java.sql.Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA IF NOT EXISTS zerodown");
            st.execute("CREATE TABLE IF NOT EXISTS zerodown.control (key text PRIMARY KEY, value text NOT NULL, "
                    + "changed_at timestamptz NOT NULL DEFAULT now())");
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO zerodown.control (key, value) VALUES (?, ?) "
                + "ON CONFLICT (key) DO UPDATE SET value = excluded.value, changed_at = now()")) {
            ps.setString(1, key);
            ps.setString(2, value);
            ps.executeUpdate();
        }
    }
}
