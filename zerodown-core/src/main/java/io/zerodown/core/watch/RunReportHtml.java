package io.zerodown.core.watch;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The HTML of an apply run's report, for any engine: one self-contained page (inline CSS and SVG charts, no script,
 * no outside resource) from the report's map. Every key is optional, so a report that lacks a section (lock waits,
 * canary percentiles, replica lag, settings, verification...) renders "none" or skips it.
 * <p>
 * Keys read: {@code startedAt, database, engine, outcome, error (or reason), wallMs (or millis), lockRetries,
 * maxReplicaLagMs, locksTaken, settings, limits, steps, canary, replicaLag, rowsPerSecond, lockWaitsSeen, pauses,
 * controls, verification, resume and rollback (or commands.resume and commands.rollback)}. A time series is a list of
 * {ms since the start, value} points, each a {@code double[]} or a list of two numbers.
 */
public final class RunReportHtml {
    private RunReportHtml() {
    }

    /** The report page of one run. */
    public static String render(Map<String, Object> m) {
        StringBuilder b = new StringBuilder();
        b.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>zerodown apply report</title><style>")
                .append("body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;")
                .append("padding:4px 8px;text-align:left;vertical-align:top}code{font-size:85%}svg{border:1px solid #ddd}</style></head><body>");
        summary(b, m);
        steps(b, m);
        double wall = number(m.get("wallMs"), number(m.get("millis"), 0));
        canary(b, map(m.get("canary")), wall);
        List<double[]> lag = series(m.get("replicaLag"));
        b.append("<h2>Replica lag</h2>").append(lag.isEmpty() ? "<p>no reading (no lag limit set)</p>" : chart("lag-chart", lag, "ms", "#c60", wall));
        List<double[]> rate = series(m.get("rowsPerSecond"));
        b.append("<h2>Rows/s (copy or backfill)</h2>").append(rate.isEmpty() ? "<p>no copy or backfill</p>" : chart("rate-chart", rate, "rows/s", "#26a", wall));
        lockWaits(b, maps(m.get("lockWaitsSeen")));
        pauses(b, m);
        List<Map<String, Object>> controls = maps(m.get("controls"));
        if (!controls.isEmpty()) {
            b.append("<h2>Control</h2><ul id=\"controls\">");
            for (Map<String, Object> p : controls) b.append("<li>at ").append(text(p.get("atMs"))).append(" ms: ").append(text(p.get("what"))).append("</li>");
            b.append("</ul>");
        }
        b.append("<h2>Verification</h2>");
        List<?> verification = m.get("verification") instanceof List<?> l ? l : List.of();
        if (verification.isEmpty()) {
            b.append("<p>none</p>");
        } else {
            b.append("<ul>");
            for (Object v : verification) b.append("<li>").append(text(v)).append("</li>");
            b.append("</ul>");
        }
        Map<String, Object> commands = map(m.get("commands"));
        Object resume = m.get("resume") != null ? m.get("resume") : commands.get("resume");
        Object rollback = m.get("rollback") != null ? m.get("rollback") : commands.get("rollback");
        if (resume != null || rollback != null) {
            b.append("<h2>Next</h2><p>");
            if (resume != null) b.append("resume: <code>").append(text(resume)).append("</code>");
            if (resume != null && rollback != null) b.append("<br>");
            if (rollback != null) b.append("rollback: <code>").append(text(rollback)).append("</code>");
            b.append("</p>");
        }
        return b.append("</body></html>").toString();
    }

    private static void summary(StringBuilder b, Map<String, Object> m) {
        List<String> parts = new ArrayList<>();
        if (m.get("startedAt") != null) parts.add(text(m.get("startedAt")));
        if (m.get("database") != null || m.get("engine") != null) {
            String db = m.get("database") == null ? "" : text(m.get("database"));
            parts.add(m.get("engine") == null ? db : (db + " (" + text(m.get("engine")) + ")").trim());
        }
        parts.add("outcome <b id=\"outcome\">" + text(m.getOrDefault("outcome", "unknown")) + "</b>");
        Object wall = m.get("wallMs") != null ? m.get("wallMs") : m.get("millis");
        if (wall != null) parts.add(text(wall) + " ms");
        if (m.get("lockRetries") != null) parts.add("lock retries " + text(m.get("lockRetries")));
        if (m.get("maxReplicaLagMs") != null) parts.add("max replica lag seen " + text(m.get("maxReplicaLagMs")) + " ms");
        if (m.get("locksTaken") != null) parts.add("locks taken: " + text(m.get("locksTaken")));
        b.append("<h1>zerodown apply</h1><p>").append(String.join(" · ", parts)).append("</p>");
        if (m.get("error") != null) {
            b.append("<p><b>error:</b> ").append(text(m.get("error"))).append("</p>");
        } else if (m.get("reason") != null) {
            b.append("<p><b>reason:</b> ").append(text(m.get("reason"))).append("</p>");
        }
        settings(b, "settings at the end", map(m.get("settings")), " ms");
        settings(b, "limits", map(m.get("limits")), "");
    }

    /** One line of name value pairs; a number gets {@code unit}, anything else is shown as it is. */
    private static void settings(StringBuilder b, String label, Map<String, Object> values, String unit) {
        if (values.isEmpty()) return;
        List<String> parts = new ArrayList<>();
        values.forEach((k, v) -> parts.add(esc(k) + " " + text(v) + (v instanceof Number ? unit : "")));
        b.append("<p>").append(label).append(": ").append(String.join(" · ", parts)).append("</p>");
    }

    private static void steps(StringBuilder b, Map<String, Object> m) {
        b.append("<h2>Plan and steps</h2><table id=\"steps\"><tr><th>migration</th><th>#</th><th>phase</th><th>step</th><th>state</th>")
                .append("<th>lock</th><th>ms</th><th>lock retries</th><th>rows</th><th>rows/s</th><th>SQL</th></tr>");
        for (Map<String, Object> s : maps(m.get("steps"))) {
            Object index = s.get("index") != null ? s.get("index") : s.get("step");
            Object phase = s.get("phase") != null ? s.get("phase") : s.get("kind");
            b.append("<tr><td>").append(text(s.get("migration"))).append("</td><td>").append(text(index))
                    .append("</td><td>").append(text(phase)).append("</td><td>").append(text(s.get("description")))
                    .append("</td><td>").append(text(s.get("state"))).append("</td><td>")
                    .append(text(s.get("lock"))).append("</td><td>").append(text(s.get("millis")))
                    .append("</td><td>").append(text(s.get("lockRetries")));
            if (s.get("lastLockRetryReason") != null) b.append(" (last: ").append(text(s.get("lastLockRetryReason"))).append(")");
            b.append("</td><td>").append(text(s.get("rows"))).append("</td><td>").append(text(s.get("rowsPerSecond")))
                    .append("</td><td><code>").append(text(s.get("sql"))).append("</code></td></tr>");
        }
        b.append("</table>");
    }

    private static void canary(StringBuilder b, Map<String, Object> c, double wall) {
        if (c.isEmpty()) return;
        b.append("<h2>Canary");
        if (c.get("probe") != null) {
            b.append(" (");
            if (c.get("intervalMs") != null) b.append("every ").append(text(c.get("intervalMs"))).append(" ms: ");
            b.append(text(c.get("probe"))).append(")");
        }
        b.append("</h2><p>").append(text(c.getOrDefault("probes", 0))).append(" probes, ")
                .append(text(c.getOrDefault("failures", 0))).append(" failed");
        if (c.get("p50Ms") != null) b.append(", p50 ").append(fmt(c.get("p50Ms"))).append(" ms");
        if (c.get("p99Ms") != null) b.append(", p99 ").append(fmt(c.get("p99Ms"))).append(" ms");
        if (c.get("maxMs") != null) b.append(", max ").append(fmt(c.get("maxMs"))).append(" ms");
        b.append("</p>");
        b.append(chart("canary-chart", series(c.get("samples")), "ms", "#2a6", wall));
        List<double[]> buckets = series(c.get("histogram"));
        if (!buckets.isEmpty()) b.append("<h3>Latency histogram</h3>").append(histogram(buckets));
        Map<String, Object> percentiles = map(c.get("percentiles") != null ? c.get("percentiles") : c.get("latencyMs"));
        if (!percentiles.isEmpty()) {
            b.append("<table><tr><th>percentile</th><th>ms</th></tr>");
            for (Map.Entry<String, Object> e : percentiles.entrySet()) {
                b.append("<tr><td>").append(esc(e.getKey())).append("</td><td>").append(fmt(e.getValue())).append("</td></tr>");
            }
            b.append("</table>");
        }
    }

    private static void lockWaits(StringBuilder b, List<Map<String, Object>> waits) {
        b.append("<h2>Lock waits seen</h2>");
        if (waits.isEmpty()) {
            b.append("<p>none</p>");
            return;
        }
        b.append("<table id=\"lock-waits\"><tr><th>waiting pid</th><th>application</th><th>longest wait s</th><th>lock</th><th>query</th>")
                .append("<th>blocked by pid</th><th>its application</th><th>its state</th><th>its transaction s</th></tr>");
        for (Map<String, Object> w : waits) {
            b.append("<tr><td>").append(text(w.get("pid"))).append("</td><td>").append(text(w.get("applicationName")))
                    .append("</td><td>").append(fmt(w.get("waitingSeconds"))).append("</td><td>").append(text(w.get("lockType")))
                    .append("</td><td><code>").append(text(w.get("query"))).append("</code></td><td>").append(text(w.get("blockerPid")))
                    .append("</td><td>").append(text(w.get("blockerApplicationName"))).append("</td><td>")
                    .append(text(w.get("blockerState"))).append("</td><td>").append(fmt(w.get("blockerTransactionSeconds")))
                    .append("</td></tr>");
        }
        b.append("</table>");
    }

    private static void pauses(StringBuilder b, Map<String, Object> m) {
        List<Map<String, Object>> pauses = maps(m.get("pauses"));
        Object stopped = m.get("error");
        b.append("<h2>Pauses and aborts</h2>");
        if (pauses.isEmpty() && stopped == null) b.append("<p>none</p>");
        b.append("<ul id=\"pauses\">");
        for (Map<String, Object> p : pauses) {
            b.append("<li>at ").append(text(p.get("atMs"))).append(" ms");
            Object lasted = p.get("ms");
            if (lasted == null && p.get("lastMs") instanceof Number last && p.get("atMs") instanceof Number at) {
                lasted = last.longValue() - at.longValue();
            }
            if (lasted != null) b.append(", for ").append(text(lasted)).append(" ms");
            b.append(": ").append(text(p.get("reason"))).append("</li>");
        }
        if (stopped != null) b.append("<li>stopped: ").append(text(stopped)).append("</li>");
        b.append("</ul>");
    }

    /** An inline SVG line chart of {ms since the run started, value} points, on one time axis: the whole run. */
    static String chart(String id, List<double[]> points, String unit, String colour, double wallMs) {
        if (points.isEmpty()) return "";
        double maxT = Math.max(1, wallMs);
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

    /** An inline SVG bar chart of latency buckets {upper bound ms, count}: one bar per bucket, labelled with its bound. */
    static String histogram(List<double[]> buckets) {
        if (buckets.isEmpty()) return "";
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

    /** A time series as points: each a double[] or a list of two numbers; anything else is left out. */
    static List<double[]> series(Object value) {
        List<double[]> out = new ArrayList<>();
        if (!(value instanceof List<?> list)) return out;
        for (Object p : list) {
            if (p instanceof double[] d && d.length >= 2) {
                out.add(d);
            } else if (p instanceof List<?> l && l.size() >= 2 && l.get(0) instanceof Number t && l.get(1) instanceof Number v) {
                out.add(new double[] {t.doubleValue(), v.doubleValue()});
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return value instanceof Map<?, ?> mm ? (Map<String, Object>) mm : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> maps(Object value) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (value instanceof List<?> list) {
            for (Object o : list) if (o instanceof Map<?, ?> mm) out.add((Map<String, Object>) mm);
        }
        return out;
    }

    private static double number(Object value, double fallback) {
        return value instanceof Number n ? n.doubleValue() : fallback;
    }

    /** A value as escaped text; absent is empty. */
    private static String text(Object value) {
        return value == null ? "" : esc(String.valueOf(value));
    }

    /** A number with one decimal; absent is empty, anything else as escaped text. */
    static String fmt(Object v) {
        if (v == null) return "";
        return v instanceof Number n ? String.format(Locale.ROOT, "%.1f", n.doubleValue()) : esc(String.valueOf(v));
    }

    /** Escapes text for HTML content and double-quoted attributes. */
    public static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
