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
    private Canary canary;
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
                canary = new Canary(db, new ArrayList<>(tables), null, 100).start();
            } catch (Exception e) {
                delegate.log("canary not started: " + e.getMessage());
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
        if (m != null) m.put("lockRetries", attempt);
        delegate.lockRetry(step, attempt, reason);
    }

    @Override
    public void indexBuildStarted(Step step) {
        delegate.indexBuildStarted(step);
    }

    @Override
    public void indexBuildFinished(Step step) {
        delegate.indexBuildFinished(step);
    }

    @Override
    public void backfillStarted(Step step, long estimatedRows) {
        delegate.backfillStarted(step, estimatedRows);
    }

    private volatile String currentStep;
    private volatile long rowsDone;
    private volatile long rowsEstimate;

    @Override
    public void backfillProgress(Step step, long rowsDone, long estimatedRows, int batchSize) {
        this.rowsDone = rowsDone;
        this.rowsEstimate = estimatedRows;
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

    /** Called with every replica-lag reading the run takes, for the report's maximum. */
    public void replicaLag(long ms) {
        maxLagMs = Math.max(maxLagMs, ms);
    }

    @Override
    public void paused(String reason) {
        java.util.regex.Matcher lag = java.util.regex.Pattern.compile("replica lag (\\d+) ms").matcher(reason);
        if (lag.find()) replicaLag(Long.parseLong(lag.group(1)));
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("atMs", System.currentTimeMillis() - started);
        p.put("reason", reason);
        if (pauses.isEmpty() || !reason.equals(pauses.get(pauses.size() - 1).get("reason"))) pauses.add(p);
        delegate.paused(reason);
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
        if (canary != null) canary.close();
    }

    /** The live state for the web page: the report so far plus what runs now. */
    public Map<String, Object> live() {
        Map<String, Object> m = toMap();
        m.put("currentStep", currentStep);
        m.put("rowsDone", rowsDone);
        m.put("rowsEstimate", rowsEstimate);
        m.put("canaryRecentP99Ms", canaryRecentP99Ms());
        return m;
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
        m.put("pauses", pauses);
        m.put("locksTaken", ((List<Map<String, Object>>) m.get("steps")).stream().map(s -> s.get("lock")).distinct().toList());
        m.put("maxReplicaLagMs", maxLagMs);
        Map<String, Object> c = new LinkedHashMap<>();
        if (canary != null) {
            c.put("probes", canary.count());
            c.put("failures", canary.failures());
            c.put("p50Ms", canary.p50Ms());
            c.put("p99Ms", canary.p99Ms());
            c.put("maxMs", canary.maxMs());
            c.put("percentiles", canary.percentiles());
            List<double[]> points = new ArrayList<>();
            for (Canary.Sample s : canary.samples()) points.add(new double[] {s.atMs(), s.latencyMs()});
            c.put("samples", points);
        }
        m.put("canary", c);
        m.put("verification", verification);
        m.put("resume", "zerodown apply --url <url> <paths>   (resumes at the first unfinished step)");
        m.put("rollback", "zerodown rollback --url <url>   (undoes the steps of an in-flight or failed migration)");
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
                .append("padding:4px 8px;text-align:left;vertical-align:top}code{font-size:85%}</style></head><body>");
        b.append("<h1>zerodown apply</h1><p>").append(esc(String.valueOf(m.get("startedAt")))).append(" · ")
                .append(esc(String.valueOf(m.get("database")))).append(" · outcome <b>").append(esc(String.valueOf(m.get("outcome"))))
                .append("</b> · ").append(m.get("wallMs")).append(" ms · lock retries ").append(m.get("lockRetries"))
                .append(" · max replica lag seen ").append(m.get("maxReplicaLagMs")).append(" ms · locks taken: ")
                .append(esc(String.valueOf(m.get("locksTaken")))).append("</p>");
        if (m.get("error") != null) b.append("<p><b>error:</b> ").append(esc(String.valueOf(m.get("error")))).append("</p>");
        Map<String, Object> c = (Map<String, Object>) m.get("canary");
        if (!c.isEmpty()) {
            b.append("<h2>Canary (primary-key reads every 100 ms)</h2><p>").append(c.get("probes")).append(" probes, ")
                    .append(c.get("failures")).append(" failed, p50 ").append(fmt(c.get("p50Ms"))).append(" ms, p99 ")
                    .append(fmt(c.get("p99Ms"))).append(" ms, max ").append(fmt(c.get("maxMs"))).append(" ms</p>");
            b.append(chart((List<double[]>) c.get("samples")));
            b.append("<table><tr><th>percentile</th><th>ms</th></tr>");
            for (Map.Entry<String, Object> e : ((Map<String, Object>) c.get("percentiles")).entrySet()) {
                b.append("<tr><td>").append(e.getKey()).append("</td><td>").append(fmt(e.getValue())).append("</td></tr>");
            }
            b.append("</table>");
        }
        b.append("<h2>Steps</h2><table><tr><th>migration</th><th>#</th><th>phase</th><th>step</th><th>lock</th><th>ms</th>")
                .append("<th>lock retries</th><th>rows/s</th><th>SQL</th></tr>");
        for (Map<String, Object> s : (List<Map<String, Object>>) m.get("steps")) {
            b.append("<tr><td>").append(esc(String.valueOf(s.get("migration")))).append("</td><td>").append(s.get("index"))
                    .append("</td><td>").append(s.get("phase")).append("</td><td>").append(esc(String.valueOf(s.get("description"))))
                    .append("</td><td>").append(esc(String.valueOf(s.get("lock")))).append("</td><td>")
                    .append(s.getOrDefault("millis", "")).append("</td><td>").append(s.get("lockRetries")).append("</td><td>")
                    .append(s.getOrDefault("rowsPerSecond", "")).append("</td><td><code>").append(esc(String.valueOf(s.get("sql"))))
                    .append("</code></td></tr>");
        }
        b.append("</table>");
        List<Map<String, Object>> pauses = (List<Map<String, Object>>) m.get("pauses");
        if (!pauses.isEmpty()) {
            b.append("<h2>Pauses</h2><ul>");
            for (Map<String, Object> p : pauses) b.append("<li>at ").append(p.get("atMs")).append(" ms: ").append(esc(String.valueOf(p.get("reason")))).append("</li>");
            b.append("</ul>");
        }
        b.append("<h2>Verification</h2><ul>");
        for (String v : (List<String>) m.get("verification")) b.append("<li>").append(esc(v)).append("</li>");
        b.append("</ul><h2>Next</h2><p>resume: <code>").append(esc(String.valueOf(m.get("resume")))).append("</code><br>rollback: <code>")
                .append(esc(String.valueOf(m.get("rollback")))).append("</code></p></body></html>");
        return b.toString();
    }

    /** An inline SVG line chart of canary latency over time. */
    private static String chart(List<double[]> points) {
        if (points.isEmpty()) return "";
        double maxT = 1;
        double maxL = 1;
        for (double[] p : points) {
            maxT = Math.max(maxT, p[0]);
            maxL = Math.max(maxL, p[1]);
        }
        int w = 800;
        int h = 200;
        StringBuilder path = new StringBuilder();
        for (double[] p : points) {
            path.append(path.length() == 0 ? "M" : "L").append(String.format(Locale.ROOT, "%.1f,%.1f", p[0] / maxT * w, h - p[1] / maxL * h));
        }
        return "<svg id=\"canary-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" + w + "\" height=\"" + (h + 20) + "\">"
                + "<path d=\"" + path + "\" fill=\"none\" stroke=\"#2a6\" stroke-width=\"1\"/>"
                + String.format(Locale.ROOT, "<text x=\"4\" y=\"12\" font-size=\"11\">%.1f ms</text>", maxL)
                + String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%.1f s</text>", w, h + 16, maxT / 1000)
                + "</svg>";
    }

    private static String fmt(Object v) {
        return v instanceof Number n ? String.format(Locale.ROOT, "%.1f", n.doubleValue()) : String.valueOf(v);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
