package io.zerodown.postgres.watch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.zerodown.core.model.Name;
import io.zerodown.core.plan.MigrationPlan;
import io.zerodown.core.plan.Step;
import io.zerodown.postgres.apply.ApplyListener;
import io.zerodown.postgres.apply.PostgresConnections;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Records one apply run (plans, per-step timings, lock retries, backfill rows/s, pauses, the canary's latency, the
 * verification and the outcome) while passing every event on to another listener, and writes it as JSON and as a
 * self-contained HTML page with no outside resources.
 */
public final class RunReport implements ApplyListener {
    private final ApplyListener delegate;
    private final PostgresConnections db;
    private final long started = System.currentTimeMillis();
    private final List<Map<String, Object>> steps = new ArrayList<>();
    private final List<Map<String, Object>> pauses = new ArrayList<>();
    private final List<String> plans = new ArrayList<>();
    private final List<String> verification = new ArrayList<>();
    private final Map<String, Map<String, Object>> open = new LinkedHashMap<>();
    private final List<Map<String, Object>> controls = new ArrayList<>();
    /** {ms since start, value} series for the charts; appended at most every 250 ms each. */
    private final List<double[]> lagSeries = new ArrayList<>();
    private final List<double[]> rowsPerSecondSeries = new ArrayList<>();
    private long lastLagSampleMs = -1_000;
    private long lastRateSampleMs;
    private long lastRateRows;
    private Canary canary;
    /** When the canary started, in ms since the run started: its samples are put on the run's time axis. */
    private long canaryOffsetMs;
    private LockWaits lockWaits;
    private volatile String waitingToProceed;
    /** The pause entry of a postponed contract phase, closed when its first step starts. */
    private Map<String, Object> contractWait;
    private java.util.function.Supplier<Map<String, Object>> settings = Map::of;
    private String canarySql;
    private String resumeCommand = "zerodown apply --url <url> <paths>";
    private String rollbackCommand = "zerodown rollback --url <url>";
    private String outcome = "running";
    private long maxLagMs;
    private String error;

    public RunReport(ApplyListener delegate, PostgresConnections db) {
        this.delegate = delegate;
        this.db = db;
    }

    private static String key(Step s) {
        return s.origin() + "#" + s.index();
    }

    @Override
    public void log(String line) {
        delegate.log(line);
    }

    @Override
    public void migrationStarted(MigrationPlan plan, boolean resumed) {
        plans.add(plan.file());
        // the whole plan up front, so the page can show it as a timeline
        synchronized (steps) {
            for (Step s : plan.steps()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("migration", plan.id());
                m.put("index", s.index());
                m.put("phase", s.phase().name().toLowerCase(Locale.ROOT));
                m.put("description", s.description());
                m.put("lock", s.lock());
                m.put("sql", s.sql());
                m.put("state", "pending");
                m.put("lockRetries", 0);
                steps.add(m);
                open.put(key(s), m);
            }
        }
        if (canary == null && db != null) {
            Set<Name> tables = new LinkedHashSet<>();
            for (Step s : plan.steps()) if (s.table() != null) tables.add(s.table());
            try {
                canaryOffsetMs = System.currentTimeMillis() - started;
                canary = new Canary(db, new ArrayList<>(tables), canarySql, 100).start();
            } catch (Exception e) {
                delegate.log("canary not started: " + e.getMessage());
            }
            try {
                lockWaits = new LockWaits(db).start();
            } catch (Exception e) {
                delegate.log("lock waits not watched: " + e.getMessage());
            }
        }
        delegate.migrationStarted(plan, resumed);
    }

    @Override
    public void migrationFinished(MigrationPlan plan) {
        delegate.migrationFinished(plan);
    }

    @Override
    public void stepStarted(MigrationPlan plan, Step step) {
        Map<String, Object> m = open.get(key(step));
        if (m == null) {
            m = new LinkedHashMap<>();
            m.put("migration", plan.id());
            m.put("index", step.index());
            m.put("phase", step.phase().name().toLowerCase(Locale.ROOT));
            m.put("description", step.description());
            m.put("lock", step.lock());
            m.put("sql", step.sql());
            m.put("lockRetries", 0);
            synchronized (steps) {
                steps.add(m);
            }
            open.put(key(step), m);
        }
        m.put("state", "running");
        m.put("startedMs", System.currentTimeMillis() - started);
        waitingToProceed = null;
        if (contractWait != null) {
            synchronized (pauses) {
                contractWait.put("lastMs", System.currentTimeMillis() - started);
            }
            contractWait = null;
        }
        currentStep = plan.id() + " #" + step.index() + " " + step.description();
        rowsDone = 0;
        rowsEstimate = 0;
        delegate.stepStarted(plan, step);
    }

    @Override
    public void stepFinished(MigrationPlan plan, Step step, long millis) {
        Map<String, Object> m = open.get(key(step));
        if (m != null) {
            m.put("millis", millis);
            m.put("state", "done");
        }
        delegate.stepFinished(plan, step, millis);
    }

    @Override
    public void lockRetry(Step step, int attempt, String reason) {
        Map<String, Object> m = open.get(key(step));
        if (m != null) {
            m.put("lockRetries", attempt);
            m.put("lastLockRetryReason", reason);
        }
        delegate.lockRetry(step, attempt, reason);
    }

    @Override
    public void indexBuildStarted(Step step) {
        if (db != null && step.table() != null) {
            Thread poller = new Thread(() -> pollIndexBuild(step), "zerodown-index-watch");
            poller.setDaemon(true);
            indexPoller = poller;
            poller.start();
        }
        delegate.indexBuildStarted(step);
    }

    @Override
    public void indexBuildFinished(Step step) {
        Thread poller = indexPoller;
        indexPoller = null;
        if (poller != null) {
            poller.interrupt();
            try {
                poller.join(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        indexBuild = null;
        delegate.indexBuildFinished(step);
    }

    /** Reads pg_stat_progress_create_index every 250 ms on its own connection while a concurrent index builds. */
    private void pollIndexBuild(Step step) {
        Name t = step.table();
        String table = (t.schema() == null ? "" : quote(t.schema()) + ".") + quote(t.name());
        try (java.sql.Connection c = db.open();
             java.sql.PreparedStatement ps = c.prepareStatement("SELECT phase, blocks_done, blocks_total, tuples_done, tuples_total "
                     + "FROM pg_stat_progress_create_index WHERE relid = to_regclass(?)")) {
            ps.setString(1, table);
            while (!Thread.currentThread().isInterrupted()) {
                try (java.sql.ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        Map<String, Object> p = new LinkedHashMap<>();
                        p.put("index", step.indexName());
                        p.put("phase", rs.getString(1));
                        p.put("blocksDone", rs.getLong(2));
                        p.put("blocksTotal", rs.getLong(3));
                        p.put("tuplesDone", rs.getLong(4));
                        p.put("tuplesTotal", rs.getLong(5));
                        indexBuild = p;
                    }
                }
                Thread.sleep(250);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.sql.SQLException e) {
            // progress is for watching only; the build reports its own failures
        }
    }

    private static String quote(String ident) {
        return "\"" + ident.replace("\"", "\"\"") + "\"";
    }

    @Override
    public void backfillStarted(Step step, long estimatedRows) {
        synchronized (rowsPerSecondSeries) {
            lastRateSampleMs = System.currentTimeMillis() - started;
            lastRateRows = 0;
        }
        delegate.backfillStarted(step, estimatedRows);
    }

    private volatile String currentStep;
    private volatile long rowsDone;
    private volatile long rowsEstimate;
    private volatile int batchSize;
    /** The running concurrent index build's progress (phase, blocks, tuples), or null. */
    private volatile Map<String, Object> indexBuild;
    private volatile Thread indexPoller;
    private volatile String pausedReason;
    private volatile long pausedAt;

    @Override
    public void backfillProgress(Step step, long rowsDone, long estimatedRows, int batchSize) {
        long now = System.currentTimeMillis() - started;
        synchronized (rowsPerSecondSeries) {
            if (rowsDone < lastRateRows) lastRateRows = 0; // a new backfill
            if (now - lastRateSampleMs >= 250) {
                double rate = (rowsDone - lastRateRows) * 1000.0 / Math.max(1, now - lastRateSampleMs);
                rowsPerSecondSeries.add(new double[] {now, Math.round(rate)});
                lastRateSampleMs = now;
                lastRateRows = rowsDone;
            }
        }
        this.rowsDone = rowsDone;
        this.rowsEstimate = estimatedRows;
        this.batchSize = batchSize;
        delegate.backfillProgress(step, rowsDone, estimatedRows, batchSize);
    }

    @Override
    public void backfillFinished(Step step, long rowsDone) {
        Map<String, Object> m = open.get(key(step));
        if (m != null) {
            m.put("rows", rowsDone);
            Object begun = m.get("startedMs");
            long ms = System.currentTimeMillis() - started - (begun == null ? 0 : ((Number) begun).longValue());
            m.put("rowsPerSecond", ms <= 0 ? rowsDone : Math.round(rowsDone * 1000.0 / ms));
        }
        delegate.backfillFinished(step, rowsDone);
    }

    /** Every replica-lag reading the run takes: the report's maximum and the lag chart. */
    @Override
    public void replicaLag(long ms) {
        long now = System.currentTimeMillis() - started;
        synchronized (lagSeries) {
            maxLagMs = Math.max(maxLagMs, ms);
            if (now - lastLagSampleMs >= 250) {
                lagSeries.add(new double[] {now, ms});
                lastLagSampleMs = now;
            }
        }
        delegate.replicaLag(ms);
    }

    @Override
    public void controlChanged(String what) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("atMs", System.currentTimeMillis() - started);
        p.put("what", what);
        synchronized (controls) {
            controls.add(p);
        }
        delegate.controlChanged(what);
    }

    @Override
    public void contractPostponed(MigrationPlan plan, Step next) {
        waitingToProceed = plan.id() + " #" + next.index() + " " + next.description();
        contractWait = recordPause("contract phase of " + plan.id() + " postponed before step " + next.index() + " '"
                + next.description() + "': waiting for 'zerodown control proceed'");
        delegate.contractPostponed(plan, next);
    }

    /** The canary's probe: this read (checked with Canary#check first) instead of primary-key reads on the touched tables. */
    public void canarySql(String sql) {
        this.canarySql = sql;
    }

    /** Where the live page and the report read the settings in force (GuardRails#settings). */
    public void settings(java.util.function.Supplier<Map<String, Object>> settings) {
        this.settings = settings;
    }

    /** The exact commands that resume or roll back this run, for the report's last section. */
    public void commands(String resume, String rollback) {
        this.resumeCommand = resume;
        this.rollbackCommand = rollback;
    }

    @Override
    public void paused(String reason) {
        recordPause(reason);
        delegate.paused(reason);
    }

    /** One entry per reason while it repeats (a pause is reported every 200 ms while it lasts), with how long it lasted. */
    private Map<String, Object> recordPause(String reason) {
        long now = System.currentTimeMillis() - started;
        Map<String, Object> entry = null;
        synchronized (pauses) {
            Map<String, Object> last = pauses.isEmpty() ? null : pauses.get(pauses.size() - 1);
            if (last != null && reason.equals(last.get("reason")) && now - ((Number) last.get("lastMs")).longValue() < 1_000) {
                last.put("lastMs", now);
                entry = last;
            } else if (pauses.size() < 1_000) {
                entry = new LinkedHashMap<>();
                entry.put("atMs", now);
                entry.put("lastMs", now);
                entry.put("reason", reason);
                pauses.add(entry);
            }
        }
        pausedReason = reason;
        pausedAt = System.currentTimeMillis();
        return entry;
    }

    /** The canary's p99 over the last 2 s (0 before it starts), for the latency guard rail. */
    public double canaryRecentP99Ms() {
        Canary c = canary;
        return c == null ? 0 : c.recentP99Ms(2000);
    }

    public void verification(List<String> lines) {
        verification.addAll(lines);
    }

    /** Ends the run: stops the canary and records the outcome. */
    public void finish(String outcome, String error) {
        this.outcome = outcome;
        this.error = error;
        this.waitingToProceed = null;
        if (canary != null) canary.close();
        if (lockWaits != null) lockWaits.close();
    }

    /** The live state for the web page: the report so far plus what runs now. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> live() {
        Map<String, Object> m = toMap();
        Map<String, Object> c = (Map<String, Object>) m.get("canary");
        if (c.get("samples") instanceof List<?> l) c.put("samples", peaks((List<double[]>) l, 600));
        m.put("currentStep", currentStep);
        m.put("rowsDone", rowsDone);
        m.put("rowsEstimate", rowsEstimate);
        m.put("batchSize", batchSize);
        m.put("indexBuild", indexBuild);
        m.put("canaryRecentP99Ms", canaryRecentP99Ms());
        m.put("waitingToProceed", waitingToProceed);
        // a pause is reported again every 200 ms while it lasts; older than a second means it is over
        m.put("pausedNow", pausedReason != null && System.currentTimeMillis() - pausedAt < 1_000 ? pausedReason : null);
        LockWaits w = lockWaits;
        m.put("lockWaits", w == null ? List.of() : w.current().stream().map(LockWaits.Wait::toMap).toList());
        return m;
    }

    /** At most {@code limit} points: the slowest of each run of consecutive points, so spikes stay visible. */
    static List<double[]> peaks(List<double[]> points, int limit) {
        if (points.size() <= limit) return points;
        int per = (points.size() + limit - 1) / limit;
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i < points.size(); i += per) {
            double[] top = points.get(i);
            for (int j = i + 1; j < Math.min(points.size(), i + per); j++) if (points.get(j)[1] > top[1]) top = points.get(j);
            out.add(top);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("startedAt", Instant.ofEpochMilli(started).toString());
        m.put("database", db == null ? null : db.display());
        m.put("outcome", outcome);
        m.put("error", error);
        m.put("wallMs", System.currentTimeMillis() - started);
        m.put("migrations", plans);
        synchronized (steps) {
            List<Map<String, Object>> copy = new ArrayList<>();
            for (Map<String, Object> st : steps) copy.add(new LinkedHashMap<>(st));
            m.put("steps", copy);
        }
        m.put("lockRetries", ((List<Map<String, Object>>) m.get("steps")).stream().mapToInt(s -> ((Number) s.get("lockRetries")).intValue()).sum());
        synchronized (pauses) {
            List<Map<String, Object>> copy = new ArrayList<>();
            for (Map<String, Object> p : pauses) copy.add(new LinkedHashMap<>(p));
            m.put("pauses", copy);
        }
        synchronized (controls) {
            m.put("controls", new ArrayList<>(controls));
        }
        m.put("settings", settings.get());
        m.put("locksTaken", ((List<Map<String, Object>>) m.get("steps")).stream().map(s -> s.get("lock")).distinct().toList());
        synchronized (lagSeries) {
            m.put("maxReplicaLagMs", maxLagMs);
            m.put("replicaLag", new ArrayList<>(lagSeries));
        }
        synchronized (rowsPerSecondSeries) {
            m.put("rowsPerSecond", new ArrayList<>(rowsPerSecondSeries));
        }
        LockWaits w = lockWaits;
        m.put("lockWaitsSeen", w == null ? List.of() : w.seen().stream().map(LockWaits.Wait::toMap).toList());
        Map<String, Object> c = new LinkedHashMap<>();
        if (canary != null) {
            c.put("probe", canarySql == null ? "primary-key reads of the touched tables" : canarySql);
            c.put("probes", canary.count());
            c.put("failures", canary.failures());
            c.put("p50Ms", canary.p50Ms());
            c.put("p99Ms", canary.p99Ms());
            c.put("maxMs", canary.maxMs());
            c.put("percentiles", canary.percentiles());
            c.put("histogram", canary.buckets());
            List<double[]> points = new ArrayList<>();
            for (Canary.Sample s : canary.samples()) points.add(new double[] {s.atMs() + canaryOffsetMs, s.latencyMs()});
            c.put("samples", points);
        }
        m.put("canary", c);
        m.put("verification", verification);
        m.put("resume", resumeCommand);
        m.put("rollback", rollbackCommand);
        return m;
    }

    /** Writes report-&lt;time&gt;.json and .html into {@code dir}; returns the HTML path. */
    public Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.ofEpochMilli(started));
        Map<String, Object> m = toMap();
        Path json = dir.resolve("apply-" + stamp + ".json");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), m);
        Path html = dir.resolve("apply-" + stamp + ".html");
        Files.writeString(html, html(m), StandardCharsets.UTF_8);
        return html;
    }

    @SuppressWarnings("unchecked")
    private static String html(Map<String, Object> m) {
        StringBuilder b = new StringBuilder();
        b.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>zerodown apply report</title><style>")
                .append("body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;")
                .append("padding:4px 8px;text-align:left;vertical-align:top}code{font-size:85%}svg{border:1px solid #ddd}</style></head><body>");
        b.append("<h1>zerodown apply</h1><p>").append(esc(String.valueOf(m.get("startedAt")))).append(" · ")
                .append(esc(String.valueOf(m.get("database")))).append(" · outcome <b id=\"outcome\">").append(esc(String.valueOf(m.get("outcome"))))
                .append("</b> · ").append(m.get("wallMs")).append(" ms · lock retries ").append(m.get("lockRetries"))
                .append(" · max replica lag seen ").append(m.get("maxReplicaLagMs")).append(" ms · locks taken: ")
                .append(esc(String.valueOf(m.get("locksTaken")))).append("</p>");
        if (m.get("error") != null) b.append("<p><b>error:</b> ").append(esc(String.valueOf(m.get("error")))).append("</p>");
        Map<String, Object> settings = (Map<String, Object>) m.get("settings");
        if (!settings.isEmpty()) {
            b.append("<p>settings at the end: ");
            settings.forEach((k, v) -> b.append(esc(k)).append(" ").append(v).append(" ms · "));
            b.setLength(b.length() - 3);
            b.append("</p>");
        }
        b.append("<h2>Plan and steps</h2><table id=\"steps\"><tr><th>migration</th><th>#</th><th>phase</th><th>step</th><th>state</th>")
                .append("<th>lock</th><th>ms</th><th>lock retries</th><th>rows</th><th>rows/s</th><th>SQL</th></tr>");
        for (Map<String, Object> s : (List<Map<String, Object>>) m.get("steps")) {
            b.append("<tr><td>").append(esc(String.valueOf(s.get("migration")))).append("</td><td>").append(s.get("index"))
                    .append("</td><td>").append(s.get("phase")).append("</td><td>").append(esc(String.valueOf(s.get("description"))))
                    .append("</td><td>").append(esc(String.valueOf(s.get("state")))).append("</td><td>")
                    .append(esc(String.valueOf(s.get("lock")))).append("</td><td>").append(s.getOrDefault("millis", ""))
                    .append("</td><td>").append(s.get("lockRetries"));
            if (s.get("lastLockRetryReason") != null) b.append(" (last: ").append(esc(String.valueOf(s.get("lastLockRetryReason")))).append(")");
            b.append("</td><td>").append(s.getOrDefault("rows", "")).append("</td><td>").append(s.getOrDefault("rowsPerSecond", ""))
                    .append("</td><td><code>").append(esc(String.valueOf(s.get("sql")))).append("</code></td></tr>");
        }
        b.append("</table>");
        double wall = ((Number) m.get("wallMs")).doubleValue();
        Map<String, Object> c = (Map<String, Object>) m.get("canary");
        if (!c.isEmpty()) {
            b.append("<h2>Canary (every 100 ms: ").append(esc(String.valueOf(c.get("probe")))).append(")</h2><p>")
                    .append(c.get("probes")).append(" probes, ")
                    .append(c.get("failures")).append(" failed, p50 ").append(fmt(c.get("p50Ms"))).append(" ms, p99 ")
                    .append(fmt(c.get("p99Ms"))).append(" ms, max ").append(fmt(c.get("maxMs"))).append(" ms</p>");
            b.append(chart("canary-chart", (List<double[]>) c.get("samples"), "ms", "#2a6", wall));
            b.append("<h3>Latency histogram</h3>").append(histogram((List<double[]>) c.get("histogram")));
            b.append("<table><tr><th>percentile</th><th>ms</th></tr>");
            for (Map.Entry<String, Object> e : ((Map<String, Object>) c.get("percentiles")).entrySet()) {
                b.append("<tr><td>").append(e.getKey()).append("</td><td>").append(fmt(e.getValue())).append("</td></tr>");
            }
            b.append("</table>");
        }
        List<double[]> lag = (List<double[]>) m.get("replicaLag");
        b.append("<h2>Replica lag</h2>").append(lag.isEmpty() ? "<p>no reading (no lag limit set)</p>" : chart("lag-chart", lag, "ms", "#c60", wall));
        List<double[]> rate = (List<double[]>) m.get("rowsPerSecond");
        b.append("<h2>Backfill rows/s</h2>").append(rate.isEmpty() ? "<p>no backfill</p>" : chart("rate-chart", rate, "rows/s", "#26a", wall));
        List<Map<String, Object>> waits = (List<Map<String, Object>>) m.get("lockWaitsSeen");
        b.append("<h2>Lock waits seen</h2>");
        if (waits.isEmpty()) {
            b.append("<p>none</p>");
        } else {
            b.append("<table id=\"lock-waits\"><tr><th>waiting pid</th><th>application</th><th>longest wait s</th><th>lock</th><th>query</th>")
                    .append("<th>blocked by pid</th><th>its application</th><th>its state</th><th>its transaction s</th></tr>");
            for (Map<String, Object> w : waits) {
                b.append("<tr><td>").append(w.get("pid")).append("</td><td>").append(esc(String.valueOf(w.get("applicationName"))))
                        .append("</td><td>").append(fmt(w.get("waitingSeconds"))).append("</td><td>").append(esc(String.valueOf(w.get("lockType"))))
                        .append("</td><td><code>").append(esc(String.valueOf(w.get("query")))).append("</code></td><td>").append(w.get("blockerPid"))
                        .append("</td><td>").append(esc(String.valueOf(w.get("blockerApplicationName")))).append("</td><td>")
                        .append(esc(String.valueOf(w.get("blockerState")))).append("</td><td>").append(fmt(w.get("blockerTransactionSeconds")))
                        .append("</td></tr>");
            }
            b.append("</table>");
        }
        List<Map<String, Object>> pauses = (List<Map<String, Object>>) m.get("pauses");
        b.append("<h2>Pauses and aborts</h2>");
        if (pauses.isEmpty() && m.get("error") == null) b.append("<p>none</p>");
        b.append("<ul id=\"pauses\">");
        for (Map<String, Object> p : pauses) {
            b.append("<li>at ").append(p.get("atMs")).append(" ms, for ").append(((Number) p.get("lastMs")).longValue() - ((Number) p.get("atMs")).longValue())
                    .append(" ms: ").append(esc(String.valueOf(p.get("reason")))).append("</li>");
        }
        if (m.get("error") != null) b.append("<li>stopped: ").append(esc(String.valueOf(m.get("error")))).append("</li>");
        b.append("</ul>");
        List<Map<String, Object>> controls = (List<Map<String, Object>>) m.get("controls");
        if (!controls.isEmpty()) {
            b.append("<h2>Control</h2><ul id=\"controls\">");
            for (Map<String, Object> p : controls) b.append("<li>at ").append(p.get("atMs")).append(" ms: ").append(esc(String.valueOf(p.get("what")))).append("</li>");
            b.append("</ul>");
        }
        b.append("<h2>Verification</h2><ul>");
        for (String v : (List<String>) m.get("verification")) b.append("<li>").append(esc(v)).append("</li>");
        b.append("</ul><h2>Next</h2><p>resume: <code>").append(esc(String.valueOf(m.get("resume")))).append("</code><br>rollback: <code>")
                .append(esc(String.valueOf(m.get("rollback")))).append("</code></p></body></html>");
        return b.toString();
    }

    /** An inline SVG line chart of {ms since the run started, value} points. */
    private static String chart(String id, List<double[]> points, String unit, String colour, double wallMs) {
        if (points.isEmpty()) return "";
        double maxT = Math.max(1, wallMs); // one time axis for every chart: the whole run
        double maxV = 1;
        for (double[] p : points) {
            maxT = Math.max(maxT, p[0]);
            maxV = Math.max(maxV, p[1]);
        }
        int w = 800;
        int h = 200;
        StringBuilder path = new StringBuilder();
        for (double[] p : points) {
            path.append(path.length() == 0 ? "M" : "L").append(String.format(Locale.ROOT, "%.1f,%.1f", p[0] / maxT * w, h - p[1] / maxV * h));
        }
        return "<svg id=\"" + id + "\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" + w + "\" height=\"" + (h + 20) + "\">"
                + "<path d=\"" + path + "\" fill=\"none\" stroke=\"" + colour + "\" stroke-width=\"1\"/>"
                + String.format(Locale.ROOT, "<text x=\"4\" y=\"12\" font-size=\"11\">%.1f %s</text>", maxV, unit)
                + String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%.1f s</text>", w, h + 16, maxT / 1000)
                + "</svg>";
    }

    /** An inline SVG bar chart of the canary's latency buckets: one bar per bucket, labelled with its upper bound. */
    private static String histogram(List<double[]> buckets) {
        if (buckets == null || buckets.isEmpty()) return "";
        double max = 1;
        for (double[] x : buckets) max = Math.max(max, x[1]);
        int bw = 48;
        int h = 140;
        StringBuilder b = new StringBuilder("<svg id=\"canary-histogram\" xmlns=\"http://www.w3.org/2000/svg\" width=\"")
                .append(bw * buckets.size() + 10).append("\" height=\"").append(h + 34).append("\">");
        for (int i = 0; i < buckets.size(); i++) {
            double[] x = buckets.get(i);
            double bh = x[1] / max * h;
            b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"#2a6\"/>", 5 + i * bw,
                    h - bh + 14, bw - 6, bh));
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"12\" font-size=\"10\">%d</text>", 5 + i * bw, (long) x[1]));
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"10\">&lt;%s ms</text>", 5 + i * bw, h + 30,
                    x[0] < 1 ? String.format(Locale.ROOT, "%.2f", x[0]) : String.valueOf((long) x[0])));
        }
        return b.append("</svg>").toString();
    }

    private static String fmt(Object v) {
        return v instanceof Number n ? String.format(Locale.ROOT, "%.1f", n.doubleValue()) : String.valueOf(v);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
