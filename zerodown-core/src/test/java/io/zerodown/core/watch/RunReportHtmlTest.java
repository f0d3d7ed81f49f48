package io.zerodown.core.watch;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The report page from a sparse map (a report that lacks most sections) and from a full one. */
class RunReportHtmlTest {
    static Map<String, Object> step(int index, String phase, String description) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("migration", "2");
        s.put("index", index);
        s.put("phase", phase);
        s.put("description", description);
        s.put("state", "done");
        return s;
    }

    @Test
    void sparseReportRendersItsStepsAndSaysNoneForWhatItLacks() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("engine", "mysql");
        m.put("database", "127.0.0.1:3306/shop");
        m.put("outcome", "aborted");
        m.put("reason", "canary p99 900 ms > 500 ms");
        // MySQL names: step and kind instead of index and phase
        Map<String, Object> copy = new LinkedHashMap<>();
        copy.put("migration", "7");
        copy.put("step", 3);
        copy.put("kind", "copy");
        copy.put("description", "copy rows of orders into the shadow table");
        m.put("steps", List.of(copy));

        String html = RunReportHtml.render(m);

        assertThat(html).contains("<title>zerodown apply report</title>", "127.0.0.1:3306/shop (mysql)",
                "outcome <b id=\"outcome\">aborted</b>", "canary p99 900 ms &gt; 500 ms",
                "<td>3</td><td>copy</td><td>copy rows of orders into the shadow table</td>",
                "<h2>Lock waits seen</h2><p>none</p>", "<h2>Verification</h2><p>none</p>", "no reading")
                .doesNotContain("null", "<svg", "Next");
    }

    @Test
    void emptyReportStillRenders() {
        assertThat(RunReportHtml.render(Map.of())).contains("zerodown apply", "outcome <b id=\"outcome\">unknown</b>").endsWith("</html>");
    }

    @Test
    void fullReportDrawsItsChartsAndEscapesWhatItShows() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("startedAt", "2026-12-04T18:00:00Z");
        m.put("engine", "postgresql");
        m.put("database", "localhost:5432/app");
        m.put("outcome", "done");
        m.put("wallMs", 4_000L);
        m.put("lockRetries", 2);
        m.put("maxReplicaLagMs", 3_000L);
        m.put("locksTaken", List.of("ACCESS EXCLUSIVE"));
        m.put("settings", Map.of("batch-time", 40L));
        m.put("steps", List.of(step(1, "expand", "add column token"), step(2, "backfill", "<script>alert(1)</script>")));
        Map<String, Object> canary = new LinkedHashMap<>();
        canary.put("intervalMs", 100);
        canary.put("probe", "SELECT 1");
        canary.put("probes", 40L);
        canary.put("failures", 0L);
        canary.put("p50Ms", 0.4);
        canary.put("p99Ms", 2.5);
        canary.put("maxMs", 3.0);
        canary.put("percentiles", Map.of("p99", 2.5));
        canary.put("histogram", List.of(new double[] {0.5, 30}, new double[] {5, 10}));
        canary.put("samples", List.of(new double[] {100, 0.4}, new double[] {200, 3.0}));
        m.put("canary", canary);
        // a series read back from JSON is a list of lists
        m.put("replicaLag", List.of(List.of(500, 3000.0), List.of(1000, 700.0)));
        m.put("rowsPerSecond", List.of(new double[] {1000, 5000}, new double[] {2000, 6000}));
        Map<String, Object> wait = new LinkedHashMap<>();
        wait.put("pid", 42);
        wait.put("applicationName", "app-writer");
        wait.put("waitingSeconds", 1.25);
        m.put("lockWaitsSeen", List.of(wait));
        m.put("pauses", List.of(Map.of("atMs", 100L, "lastMs", 600L, "reason", "replica lag 3000 ms > 2000 ms")));
        m.put("controls", List.of(Map.of("atMs", 700L, "what", "batch-time set to 40 ms by zerodown control")));
        m.put("verification", List.of("no INVALID index"));
        m.put("resume", "zerodown apply --url X m");
        m.put("rollback", "zerodown rollback --url X");

        String html = RunReportHtml.render(m);

        assertThat(html).contains("id=\"canary-chart\"", "id=\"canary-histogram\"", "id=\"lag-chart\"", "id=\"rate-chart\"",
                "id=\"lock-waits\"", "app-writer", "<td>1.3</td>", "localhost:5432/app (postgresql)", "every 100 ms: SELECT 1",
                "batch-time 40 ms", "for 500 ms: replica lag 3000 ms &gt; 2000 ms", "batch-time set to 40 ms by zerodown control",
                "no INVALID index", "zerodown rollback --url X", "&lt;script&gt;alert(1)&lt;/script&gt;", "3000.0 ms")
                .doesNotContain("<script>");
        // the lag chart's last point is at 1 s of the 4 s run: a quarter of the 800 px axis
        assertThat(html).contains("L200.0,");
        assertThat(html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "")).doesNotContain("http://", "https://", "src=", "href=", "<link");
    }
}
