package io.zerodown.mysql.watch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zerodown.core.model.Name;
import io.zerodown.core.plan.Phase;
import io.zerodown.core.plan.Step;
import io.zerodown.core.plan.StepKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The MySQL run report's content: the plan as a timeline, progress, series, pauses, controls, and its JSON and HTML files. */
class MysqlRunReportTest {
    private static final Name ORDERS = new Name(null, "orders");

    private static List<Step> plan() {
        return List.of(
                new Step(0, Phase.EXPAND, StepKind.ONLINE_COPY, "online copy of orders (MODIFY amount)", "MODIFY amount decimal(14,2)",
                        "none beyond row share locks; RENAME at the cut-over", ORDERS, null, null, null, "V2__widen.sql:1"),
                new Step(1, Phase.CONTRACT, StepKind.TRANSACTIONAL, "add index on orders (note)", "ALTER TABLE orders ADD INDEX (note)",
                        "shared metadata lock", ORDERS, null, null, null, "V2__widen.sql:2"));
    }

    @Test
    void liveStateHasThePlanAsATimelineAndWhatRunsNow() throws Exception {
        MysqlRunReport r = new MysqlRunReport("mysql://root@db:3306/shop");
        r.planned("2", plan());
        r.stepStarted("2", 0, "online_copy", "online copy of orders (MODIFY amount)");
        r.progress(0, 10_000, 1_000);
        Thread.sleep(300);
        r.chunk(4_000, 20_000_000);
        r.progress(4_000, 10_000, 4_000);
        r.replicaLag(120);
        r.replicaLag(Long.MAX_VALUE); // unknown: not a chart point
        r.lockRetry(1, "metadata lock busy");
        r.paused("replica lag 5000 ms > 1000 ms");
        r.control("set max-replica-lag to 2000 ms");

        Map<String, Object> live = r.live();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> steps = (List<Map<String, Object>>) live.get("steps");
        assertThat(steps).extracting(s -> s.get("state")).containsExactly("running", "pending");
        assertThat(steps.get(1)).containsEntry("phase", "contract").containsEntry("lock", "shared metadata lock");
        assertThat(live).containsEntry("currentStep", "2 #0 online copy of orders (MODIFY amount)")
                .containsEntry("rowsDone", 4_000L).containsEntry("rowsEstimate", 10_000L).containsEntry("batchSize", 4_000)
                .containsEntry("pausedNow", "replica lag 5000 ms > 1000 ms").containsEntry("lockRetries", 1)
                .containsEntry("maxReplicaLagMs", 120L).containsEntry("proceedLabel", "Proceed with cut-over");
        assertThat((List<?>) live.get("replicaLag")).hasSize(1);
        assertThat((List<?>) live.get("rowsPerSecond")).hasSize(1);
        assertThat(((double[]) ((List<?>) live.get("rowsPerSecond")).get(0))[1]).isPositive();
        assertThat((List<?>) live.get("controls")).hasSize(1);

        r.resumed();
        assertThat(r.live().get("pausedNow")).isNull();
        r.stepEnded("done", null);
        assertThat(r.live().get("currentStep")).isNull();
    }

    @Test
    void writesJsonAndASelfContainedHtmlPageBesideIt(@TempDir Path dir) throws Exception {
        MysqlRunReport r = new MysqlRunReport("mysql://root@db:3306/shop");
        r.planned("2", plan());
        r.stepStarted("2", 0, "online_copy", "online copy of orders <MODIFY amount>");
        r.chunk(1_000, 5_000_000);
        r.paused("paused by zerodown control");
        r.resumed();
        r.stepEnded("done", null);
        r.verification("orders has exactly the definition the ALTER gives");
        r.commands("zerodown apply --url mysql://root@db:3306/shop m", "zerodown rollback --url mysql://root@db:3306/shop");
        r.finished("done", null);

        Path html = r.write(dir.resolve("apply-1-mysql.json"));

        assertThat(html).isEqualTo(dir.resolve("apply-1-mysql.html"));
        JsonNode json = new ObjectMapper().readTree(dir.resolve("apply-1-mysql.json").toFile());
        assertThat(json.get("outcome").asText()).isEqualTo("done");
        assertThat(json.get("steps").get(0).get("rows").asLong()).isEqualTo(1_000);
        assertThat(json.get("steps").get(1).get("state").asText()).isEqualTo("pending");
        assertThat(json.get("pauses").get(0).get("reason").asText()).isEqualTo("paused by zerodown control");
        assertThat(json.get("verification").get(0).asText()).contains("definition");
        assertThat(json.get("resume").asText()).isEqualTo("zerodown apply --url mysql://root@db:3306/shop m");
        String page = Files.readString(html);
        assertThat(page).contains("<table id=\"steps\"", "online copy of orders &lt;MODIFY amount&gt;", "paused by zerodown control",
                "zerodown rollback --url mysql://root@db:3306/shop", "orders has exactly the definition the ALTER gives")
                .doesNotContain("<MODIFY", "http://", "https://");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("apply-1-mysql.json", "apply-1-mysql.html");
        }
    }
}
