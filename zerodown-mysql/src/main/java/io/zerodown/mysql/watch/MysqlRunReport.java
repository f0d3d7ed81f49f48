package io.zerodown.mysql.watch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one apply on MySQL/MariaDB did, written as JSON at the end of the run (also when it failed or was aborted):
 * each step with its timing, the copies and backfills with their chunk timings and rows/s, every pause and abort
 * with its reason and length, the canary's percentiles, the limits in force and the commands to resume or roll
 * back. Thread-safe: the copy, the apply and the guard rails report into it.
 */
public final class MysqlRunReport {
    private final long startedNanos = System.nanoTime();
    private final String startedAt = Instant.now().toString();
    private final String database;
    private final List<Map<String, Object>> steps = new ArrayList<>();
    private final List<Map<String, Object>> pauses = new ArrayList<>();
    private Map<String, Object> currentStep;
    private Map<String, Object> openPause;
    private String outcome = "running";
    private String reason;
    private Map<String, Object> canary;
    private Map<String, Object> limits;

    /** @param database where the apply runs, as shown to the user (no password) */
    public MysqlRunReport(String database) {
        this.database = database;
    }

    /** A step starts; later chunk, pause and rows reports belong to it. */
    public synchronized void stepStarted(String migration, int index, String kind, String description) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("migration", migration);
        s.put("step", index);
        s.put("kind", kind);
        s.put("description", description);
        s.put("startedMs", sinceStart());
        s.put("state", "running");
        s.put("chunks", new ArrayList<Map<String, Object>>());
        steps.add(s);
        currentStep = s;
    }

    public synchronized void stepEnded(String state, String why) {
        if (currentStep == null) {
            return;
        }
        closePause();
        currentStep.put("state", state);
        currentStep.put("millis", sinceStart() - (long) currentStep.get("startedMs"));
        if (why != null) {
            currentStep.put("reason", why);
        }
        long rows = rows(currentStep);
        long ms = (long) currentStep.get("millis");
        currentStep.put("rows", rows);
        currentStep.put("rowsPerSecond", ms == 0 ? rows : rows * 1000 / ms);
        currentStep = null;
    }

    /** A chunk of a copy or a batch of a backfill committed. */
    public synchronized void chunk(int rows, long nanos) {
        if (currentStep == null) {
            return;
        }
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> chunks = (List<Map<String, Object>>) currentStep.get("chunks");
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("atMs", sinceStart());
        c.put("rows", rows);
        c.put("ms", Math.round(nanos / 1e4) / 100.0);
        chunks.add(c);
    }

    /** A figure of the current step, e.g. the checksum's chunk count. */
    public synchronized void stepFact(String name, Object value) {
        if (currentStep != null) {
            currentStep.put(name, value);
        }
    }

    /** A pause starts (or its reason changes). */
    public synchronized void paused(String why) {
        closePause();
        openPause = new LinkedHashMap<>();
        openPause.put("atMs", sinceStart());
        openPause.put("step", currentStep == null ? null : currentStep.get("step"));
        openPause.put("reason", why);
        pauses.add(openPause);
    }

    /** The run goes on after a pause. */
    public synchronized void resumed() {
        closePause();
    }

    private void closePause() {
        if (openPause != null) {
            openPause.put("ms", sinceStart() - (long) openPause.get("atMs"));
            openPause = null;
        }
    }

    /** The canary's whole-run figures. */
    public synchronized void canary(long probes, long failures, Map<String, Double> percentiles) {
        canary = new LinkedHashMap<>();
        canary.put("probes", probes);
        canary.put("failures", failures);
        canary.put("latencyMs", new LinkedHashMap<>(percentiles));
    }

    public synchronized void limits(MysqlGuardRails.Limits l) {
        limits = new LinkedHashMap<>();
        limits.put("canaryPauseMs", l.canaryPauseMs());
        limits.put("canaryAbortMs", l.canaryAbortMs());
        limits.put("canaryWindowMs", l.canaryWindowMs());
        limits.put("maxReplicaLagMs", l.maxReplicaLagMs());
        limits.put("maxThreadsRunning", l.maxThreadsRunning());
    }

    /** How the run ended: done, failed, aborted, or waiting (a postponed cut-over); {@code why} for the last three. */
    public synchronized void finished(String outcome, String why) {
        closePause();
        this.outcome = outcome;
        this.reason = why;
    }

    public synchronized List<Map<String, Object>> pauses() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> p : pauses) {
            out.add(new LinkedHashMap<>(p));
        }
        return out;
    }

    /** The whole report as a JSON object. */
    public synchronized String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("engine", "mysql");
        m.put("database", database);
        m.put("startedAt", startedAt);
        m.put("millis", sinceStart());
        m.put("outcome", outcome);
        m.put("reason", reason);
        m.put("steps", steps);
        m.put("pauses", pauses);
        long paused = 0;
        for (Map<String, Object> p : pauses) {
            paused += p.get("ms") instanceof Long l ? l : 0;
        }
        m.put("pausedMs", paused);
        m.put("canary", canary);
        m.put("limits", limits);
        Map<String, Object> commands = new LinkedHashMap<>();
        commands.put("resume", "zerodown apply --url " + database);
        commands.put("rollback", "zerodown rollback --url " + database);
        commands.put("pause", "zerodown control --url " + database + " pause");
        m.put("commands", commands);
        StringBuilder b = new StringBuilder();
        write(b, m, "");
        return b.append('\n').toString();
    }

    /** Writes {@link #toJson()} to {@code file} (through a temporary file, so a reader never sees half a report). */
    public void write(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, toJson(), StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private long sinceStart() {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    private static long rows(Map<String, Object> step) {
        long n = 0;
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> chunks = (List<Map<String, Object>>) step.get("chunks");
        for (Map<String, Object> c : chunks) {
            n += ((Number) c.get("rows")).longValue();
        }
        return n;
    }

    private static void write(StringBuilder b, Object v, String indent) {
        if (v == null) {
            b.append("null");
        } else if (v instanceof String s) {
            quote(b, s);
        } else if (v instanceof Double d) {
            b.append(d.isNaN() || d.isInfinite() ? "null" : String.format(Locale.ROOT, "%s", d));
        } else if (v instanceof Number || v instanceof Boolean) {
            b.append(v);
        } else if (v instanceof Map<?, ?> map) {
            if (map.isEmpty()) {
                b.append("{}");
                return;
            }
            b.append("{\n");
            int i = 0;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                b.append(indent).append("  ");
                quote(b, String.valueOf(e.getKey()));
                b.append(": ");
                write(b, e.getValue(), indent + "  ");
                b.append(++i < map.size() ? ",\n" : "\n");
            }
            b.append(indent).append('}');
        } else if (v instanceof List<?> list) {
            if (list.isEmpty()) {
                b.append("[]");
                return;
            }
            b.append("[\n");
            for (int i = 0; i < list.size(); i++) {
                b.append(indent).append("  ");
                write(b, list.get(i), indent + "  ");
                b.append(i + 1 < list.size() ? ",\n" : "\n");
            }
            b.append(indent).append(']');
        } else {
            quote(b, v.toString());
        }
    }

    private static void quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
                    } else {
                        b.append(ch);
                    }
                }
            }
        }
        b.append('"');
    }
}
