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
 * What one apply on MySQL/MariaDB did, written as JSON and as a self-contained HTML page at the end of the run (also
 * when it failed or was aborted): the plan, each step with its timing and lock retries, the copies and backfills with
 * their chunk timings and rows/s, every pause and abort with its reason and length, the canary's latency (percentiles,
 * histogram, every probe), replica lag and rows/s over time, the lock waits seen, operator commands and settings, the
 * verification and the commands to resume or roll back. {@link #live()} is the same while the run goes on, plus what
 * runs now, for the live page and the terminal view. Thread-safe: the copy, the apply, the guard rails and the page
 * all use it.
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
    private MysqlCanary liveCanary;
    private final List<double[]> lagSeries = new ArrayList<>();
    private final List<double[]> rateSeries = new ArrayList<>();
    private final List<Map<String, Object>> controls = new ArrayList<>();
    private final List<String> verification = new ArrayList<>();
    private long maxLagMs;
    private long lastLagSampleMs = -1_000;
    private long lastRateSampleMs;
    private long lastRateRows;
    private long rowsDone;
    private long rowsEstimate;
    private int chunkRows;
    private String waitingToProceed;
    private java.util.function.Supplier<Map<String, Object>> settings = Map::of;
    private List<String> settingNames = List.of();
    private java.util.function.Supplier<List<Map<String, Object>>> lockWaitsNow = List::of;
    private java.util.function.Supplier<List<Map<String, Object>>> lockWaitsSeen = List::of;
    private String resumeCommand;
    private String rollbackCommand;

    /** @param database where the apply runs, as shown to the user (no password) */
    public MysqlRunReport(String database) {
        this.database = database;
    }

    /**
     * The whole plan of a migration, before its first step runs, so the live page can show it as a timeline: each
     * step pending, with its phase, lock and SQL.
     */
    public synchronized void planned(String migration, List<io.zerodown.core.plan.Step> plan) {
        for (io.zerodown.core.plan.Step p : plan) {
            if (find(migration, p.index()) != null) {
                continue;
            }
            Map<String, Object> s = newStep(migration, p.index(), p.kind().name().toLowerCase(Locale.ROOT), p.description());
            s.put("phase", p.phase().name().toLowerCase(Locale.ROOT));
            s.put("lock", p.lock());
            s.put("sql", p.sql());
            steps.add(s);
        }
    }

    private Map<String, Object> newStep(String migration, int index, String kind, String description) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("migration", migration);
        s.put("step", index);
        s.put("index", index);
        s.put("kind", kind);
        s.put("description", description);
        s.put("state", "pending");
        s.put("lockRetries", 0);
        s.put("chunks", new ArrayList<Map<String, Object>>());
        return s;
    }

    private Map<String, Object> find(String migration, int index) {
        for (Map<String, Object> s : steps) {
            if (migration.equals(s.get("migration")) && Integer.valueOf(index).equals(s.get("step"))) {
                return s;
            }
        }
        return null;
    }

    /** A step starts; later chunk, pause, progress and lock-retry reports belong to it. */
    public synchronized void stepStarted(String migration, int index, String kind, String description) {
        Map<String, Object> s = find(migration, index);
        if (s == null) {
            s = newStep(migration, index, kind, description);
            steps.add(s);
        }
        s.put("kind", kind);
        s.put("description", description);
        s.put("startedMs", sinceStart());
        s.put("state", "running");
        currentStep = s;
        rowsDone = 0;
        rowsEstimate = 0;
        chunkRows = 0;
        lastRateRows = 0;
        lastRateSampleMs = sinceStart();
        waitingToProceed = null;
    }

    /** The current step asked for its lock again ({@code attempt} = retries so far). */
    public synchronized void lockRetry(int attempt, String why) {
        if (currentStep != null) {
            currentStep.put("lockRetries", attempt);
            currentStep.put("lastLockRetryReason", why);
        }
    }

    /**
     * Rows done so far of the current copy or backfill, of about {@code estimate}, and the chunk or batch size now;
     * also feeds the rows/s chart (one point at most every 250 ms).
     */
    public synchronized void progress(long done, long estimate, int chunk) {
        long now = sinceStart();
        if (done < lastRateRows) {
            lastRateRows = 0;
        }
        if (now - lastRateSampleMs >= 250) {
            rateSeries.add(new double[] {now, Math.round((done - lastRateRows) * 1000.0 / Math.max(1, now - lastRateSampleMs))});
            lastRateSampleMs = now;
            lastRateRows = done;
        }
        rowsDone = done;
        rowsEstimate = Math.max(estimate, done);
        chunkRows = chunk;
    }

    /** A replica-lag reading of the guard rails, for the maximum and the lag chart. */
    public synchronized void replicaLag(long ms) {
        if (ms == Long.MAX_VALUE) {
            return; // unknown: the pause says so; a chart point would flatten every other one
        }
        long now = sinceStart();
        maxLagMs = Math.max(maxLagMs, ms);
        if (now - lastLagSampleMs >= 250) {
            lagSeries.add(new double[] {now, ms});
            lastLagSampleMs = now;
        }
    }

    /** An operator command or setting change the run picked up (e.g. "set max-replica-lag to 2000 ms"). */
    public synchronized void control(String what) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("atMs", sinceStart());
        c.put("what", what);
        controls.add(c);
    }

    /** The run waits before this step until told ({@code null}: no longer waiting). */
    public synchronized void waitingToProceed(String step) {
        waitingToProceed = step;
    }

    /** The canary of the run, read live for the page's chart and in full for the report. */
    public synchronized void canary(MysqlCanary c) {
        liveCanary = c;
    }

    /** Where the settings in force are read, and the names {@code zerodown control set} accepts. */
    public synchronized void settings(java.util.function.Supplier<Map<String, Object>> current, List<String> names) {
        settings = current;
        settingNames = List.copyOf(names);
    }

    /** Where the lock waits are read: the ones now (live page) and the longest seen per session (report). */
    public synchronized void lockWaits(java.util.function.Supplier<List<Map<String, Object>>> now,
                                       java.util.function.Supplier<List<Map<String, Object>>> seen) {
        lockWaitsNow = now;
        lockWaitsSeen = seen;
    }

    /** The checks run after the change (e.g. the final definition equals the naive ALTER's). */
    public synchronized void verification(String line) {
        verification.add(line);
    }

    /** The exact commands that resume or roll back this run. */
    public synchronized void commands(String resume, String rollback) {
        resumeCommand = resume;
        rollbackCommand = rollback;
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
        if ("backfill".equals(currentStep.get("kind"))) {
            progress(rowsDone + rows, rowsEstimate, rows);
        }
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
        limits.put("maxLockWaitMs", l.maxLockWaitMs());
        limits.put("lockWaitAbortMs", l.lockWaitAbortMs());
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

    /** The whole report: the MySQL-specific figures plus the keys every zerodown run report has. */
    public synchronized Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("engine", "mysql");
        m.put("database", database);
        m.put("startedAt", startedAt);
        m.put("millis", sinceStart());
        m.put("wallMs", sinceStart());
        m.put("outcome", outcome);
        m.put("reason", reason);
        m.put("error", "done".equals(outcome) || "running".equals(outcome) ? null : reason);
        List<Map<String, Object>> stepsCopy = new ArrayList<>();
        int retries = 0;
        List<String> migrations = new ArrayList<>();
        List<Object> locks = new ArrayList<>();
        for (Map<String, Object> st : steps) {
            Map<String, Object> c = new LinkedHashMap<>(st);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> chunks = (List<Map<String, Object>>) st.get("chunks");
            c.put("chunks", new ArrayList<>(chunks));
            stepsCopy.add(c);
            retries += ((Number) st.getOrDefault("lockRetries", 0)).intValue();
            if (!migrations.contains((String) st.get("migration"))) {
                migrations.add((String) st.get("migration"));
            }
            if (st.get("lock") != null && !locks.contains(st.get("lock"))) {
                locks.add(st.get("lock"));
            }
        }
        m.put("migrations", migrations);
        m.put("steps", stepsCopy);
        m.put("lockRetries", retries);
        m.put("locksTaken", locks);
        List<Map<String, Object>> pausesCopy = new ArrayList<>();
        long paused = 0;
        for (Map<String, Object> p : pauses) {
            Map<String, Object> c = new LinkedHashMap<>(p);
            long atMs = (long) p.get("atMs");
            long ms = p.get("ms") instanceof Long l ? l : sinceStart() - atMs;
            c.put("lastMs", atMs + ms);
            pausesCopy.add(c);
            paused += p.get("ms") instanceof Long l ? l : 0;
        }
        m.put("pauses", pausesCopy);
        m.put("pausedMs", paused);
        m.put("controls", new ArrayList<>(controls));
        m.put("canary", canaryMap());
        m.put("limits", limits);
        m.put("settings", settings.get());
        m.put("maxReplicaLagMs", maxLagMs);
        m.put("replicaLag", new ArrayList<>(lagSeries));
        m.put("rowsPerSecond", new ArrayList<>(rateSeries));
        m.put("lockWaitsSeen", lockWaitsSeen.get());
        m.put("verification", new ArrayList<>(verification));
        String resume = resumeCommand != null ? resumeCommand : "zerodown apply --url " + database;
        String rollback = rollbackCommand != null ? rollbackCommand : "zerodown rollback --url " + database;
        Map<String, Object> commands = new LinkedHashMap<>();
        commands.put("resume", resume);
        commands.put("rollback", rollback);
        commands.put("pause", "zerodown control --url " + database + " pause");
        m.put("commands", commands);
        m.put("resume", resume);
        m.put("rollback", rollback);
        return m;
    }

    /** The canary's figures: live from the running canary when there is one, else what {@link #canary(long, long, Map)} gave. */
    private Map<String, Object> canaryMap() {
        MysqlCanary c = liveCanary;
        if (c == null) {
            return canary;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("probe", c.probeDescription());
        m.put("probes", c.count());
        m.put("failures", c.failures());
        Map<String, Double> p = c.percentiles();
        m.put("latencyMs", p);
        m.put("percentiles", p);
        m.put("p50Ms", p.get("p50"));
        m.put("p99Ms", p.get("p99"));
        m.put("maxMs", p.get("max"));
        m.put("histogram", c.buckets());
        // on the run's time axis
        long offset = (c.startedNanos() - startedNanos) / 1_000_000;
        List<double[]> samples = new ArrayList<>();
        for (double[] x : c.samples()) {
            samples.add(new double[] {x[0] + offset, x[1]});
        }
        m.put("samples", samples);
        return m;
    }

    /**
     * The live state for the web page and the terminal: the report so far (the canary's probes thinned to the
     * slowest of each run of neighbours) plus what runs now: the step, rows done of about how many, the chunk size,
     * the canary's recent p99, the pause in force, the lock waits now, and what the page may offer.
     */
    @SuppressWarnings("unchecked")
    public Map<String, Object> live() {
        Map<String, Object> m = toMap();
        synchronized (this) {
            Map<String, Object> c = (Map<String, Object>) m.get("canary");
            if (c != null && c.get("samples") instanceof List<?> l) {
                c = new LinkedHashMap<>(c);
                c.put("samples", peaks((List<double[]>) l, 600));
                m.put("canary", c);
            }
            Map<String, Object> now = currentStep;
            m.put("currentStep", now == null ? null : now.get("migration") + " #" + now.get("step") + " " + now.get("description"));
            m.put("rowsDone", rowsDone);
            m.put("rowsEstimate", rowsEstimate);
            m.put("batchSize", chunkRows);
            MysqlCanary canaryNow = liveCanary;
            double window = limits == null ? 2000 : ((Number) limits.getOrDefault("canaryWindowMs", 2000L)).doubleValue();
            m.put("canaryRecentP99Ms", canaryNow == null ? 0 : canaryNow.recentP99Ms((long) window));
            m.put("pausedNow", openPause == null ? null : openPause.get("reason"));
            m.put("waitingToProceed", waitingToProceed);
            m.put("proceedLabel", "Proceed with cut-over");
            m.put("controlsOffered", List.of("pause", "resume", "abort", "proceed"));
            m.put("settingNames", settingNames);
            m.put("lockWaits", lockWaitsNow.get());
        }
        return m;
    }

    /** At most {@code limit} points: the slowest of each run of consecutive points, so spikes stay visible. */
    static List<double[]> peaks(List<double[]> points, int limit) {
        if (points.size() <= limit) {
            return points;
        }
        int per = (points.size() + limit - 1) / limit;
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i < points.size(); i += per) {
            double[] top = points.get(i);
            for (int j = i + 1; j < Math.min(points.size(), i + per); j++) {
                if (points.get(j)[1] > top[1]) {
                    top = points.get(j);
                }
            }
            out.add(top);
        }
        return out;
    }

    /** The whole report as a JSON object. */
    public String toJson() {
        StringBuilder b = new StringBuilder();
        write(b, toMap(), "");
        return b.append('\n').toString();
    }

    /**
     * Writes {@link #toJson()} to {@code file} and the HTML report next to it (same name, {@code .html}), each through
     * a temporary file, so a reader never sees half a report. Returns the HTML file.
     */
    public Path write(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Map<String, Object> m = toMap();
        StringBuilder json = new StringBuilder();
        write(json, m, "");
        atomically(file, json.append('\n').toString());
        String name = file.getFileName().toString();
        Path html = file.resolveSibling((name.endsWith(".json") ? name.substring(0, name.length() - 5) : name) + ".html");
        atomically(html, io.zerodown.core.watch.RunReportHtml.render(m));
        return html;
    }

    private static void atomically(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
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
        } else if (v instanceof double[] arr) {
            List<Object> boxed = new ArrayList<>();
            for (double d : arr) {
                boxed.add(d);
            }
            write(b, boxed, indent);
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
