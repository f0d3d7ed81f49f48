package io.zerodown.core.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zerodown.api.Effect;
import io.zerodown.api.Finding;
import io.zerodown.api.LintReport;
import io.zerodown.api.Runner;
import io.zerodown.api.Severity;
import io.zerodown.api.Target;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static io.zerodown.core.report.SampleReports.IDEMPOTENT_RULE;
import static io.zerodown.core.report.SampleReports.INDEX_FIX;
import static io.zerodown.core.report.SampleReports.INDEX_RULE;
import static io.zerodown.core.report.SampleReports.JSON_RULE;
import static io.zerodown.core.report.SampleReports.render;
import static org.assertj.core.api.Assertions.assertThat;

class SarifReporterTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Set<String> LEVELS = Set.of("none", "note", "warning", "error");

    private static JsonNode sarif(LintReport report) throws Exception {
        return MAPPER.readTree(render(new SarifReporter(), report));
    }

    private static JsonNode run(LintReport report) throws Exception {
        return sarif(report).get("runs").get(0);
    }

    @Test
    void writesSarif210Envelope() throws Exception {
        JsonNode root = sarif(SampleReports.sample());

        assertThat(root.get("version").asText()).isEqualTo("2.1.0");
        assertThat(root.get("$schema").asText()).isEqualTo("https://json.schemastore.org/sarif-2.1.0.json");
        assertThat(root.get("runs")).hasSize(1);
        JsonNode driver = root.get("runs").get(0).get("tool").get("driver");
        assertThat(driver.get("name").asText()).isEqualTo("zerodown");
        assertThat(driver.get("informationUri").asText()).isEqualTo("https://github.com/zerodown/zerodown");
    }

    @Test
    void describesEachRuleOnceWithIndexOrder() throws Exception {
        JsonNode rules = run(SampleReports.sample()).get("tool").get("driver").get("rules");

        assertThat(rules).hasSize(3);
        assertThat(rules.get(0).get("id").asText()).isEqualTo(INDEX_RULE);
        assertThat(rules.get(1).get("id").asText()).isEqualTo(JSON_RULE);
        assertThat(rules.get(2).get("id").asText()).isEqualTo(IDEMPOTENT_RULE);
        JsonNode first = rules.get(0);
        assertThat(first.get("name").asText()).isEqualTo(INDEX_RULE);
        assertThat(first.get("shortDescription").get("text").asText()).isEqualTo("CREATE INDEX blocks writes");
        assertThat(first.get("helpUri").asText())
                .startsWith("https://")
                .endsWith("docs/rules/pg.index.create-nonconcurrent.md");
        assertThat(first.get("defaultConfiguration").get("level").asText()).isEqualTo("error");
        assertThat(rules.get(1).get("defaultConfiguration").get("level").asText()).isEqualTo("warning");
        assertThat(rules.get(2).get("defaultConfiguration").get("level").asText()).isEqualTo("note");
    }

    @Test
    void mapsLevelsErrorWarningNote() throws Exception {
        JsonNode results = run(SampleReports.sample()).get("results");

        assertThat(results).hasSize(3);
        assertThat(results.get(0).get("level").asText()).isEqualTo("error");
        assertThat(results.get(1).get("level").asText()).isEqualTo("warning");
        assertThat(results.get(2).get("level").asText()).isEqualTo("note");
        assertThat(SarifReporter.level(Severity.INFO)).isEqualTo("note");
    }

    @Test
    void everyResultRuleIndexPointsAtItsRule() throws Exception {
        JsonNode run = run(SampleReports.sample());
        JsonNode rules = run.get("tool").get("driver").get("rules");

        assertThat(run.get("results")).hasSize(3);
        List<Integer> indices = new ArrayList<>();
        for (JsonNode result : run.get("results")) {
            int index = result.get("ruleIndex").asInt();
            indices.add(index);
            assertThat(index).isBetween(0, rules.size() - 1);
            assertThat(rules.get(index).get("id").asText()).isEqualTo(result.get("ruleId").asText());
        }
        assertThat(indices).containsExactly(0, 1, 2);
    }

    @Test
    void writesLocationRegionAndProperties() throws Exception {
        JsonNode results = run(SampleReports.sample()).get("results");

        JsonNode warning = results.get(1);
        JsonNode physical = warning.get("locations").get(0).get("physicalLocation");
        assertThat(physical.get("artifactLocation").get("uri").asText()).isEqualTo("db/V3__x.sql");
        assertThat(physical.get("region").get("startLine").asInt()).isEqualTo(5);
        assertThat(physical.get("region").get("startColumn").asInt()).isEqualTo(3);
        assertThat(warning.get("properties").get("lock").asText()).isEqualTo("ACCESS EXCLUSIVE");
        assertThat(warning.get("properties").get("blocks").asText()).isEqualTo("reads, writes");
        assertThat(warning.get("properties").get("effect").asText()).isEqualTo("catalog");

        JsonNode info = results.get(2);
        assertThat(info.get("locations").get(0).get("physicalLocation").get("artifactLocation").get("uri").asText())
                .isEqualTo("db/V4__y.sql");
        assertThat(info.get("properties").get("effect").asText()).isEqualTo("none");
        assertThat(info.get("properties").has("lock")).isFalse();
    }

    @Test
    void messageCarriesSafeSqlOnlyWhenThereIsAFix() throws Exception {
        JsonNode results = run(SampleReports.sample()).get("results");

        assertThat(results.get(0).get("message").get("text").asText())
                .isEqualTo(SampleReports.ERROR.message() + "\nSafe SQL:\n" + INDEX_FIX);
        assertThat(results.get(1).get("message").get("text").asText())
                .isEqualTo(SampleReports.WARNING.message())
                .doesNotContain("Safe SQL");
    }

    @Test
    void ruleWithoutDescriptorGetsOneAndFileUrisUseForwardSlashes() throws Exception {
        Finding windows = new Finding("db\\migration\\V1__a b.sql", 3, 2, "my.table.rename", Severity.ERROR,
                "EXCLUSIVE", "reads, writes", Effect.REWRITE, "rename breaks running code", null, "RENAME TABLE a TO b");
        LintReport report = new LintReport(Target.parse("mysql:8.0.35"), Runner.FLYWAY, 1, 1, 0, 0,
                List.of(SampleReports.ERROR, windows, SampleReports.ERROR), List.of(SampleReports.RULES.get(0)));

        JsonNode run = run(report);
        JsonNode rules = run.get("tool").get("driver").get("rules");
        assertThat(rules).hasSize(2);
        assertThat(rules.get(1).get("id").asText()).isEqualTo("my.table.rename");
        assertThat(rules.get(1).get("shortDescription").get("text").asText()).isEqualTo("my.table.rename");
        assertThat(rules.get(1).get("defaultConfiguration").get("level").asText()).isEqualTo("error");
        JsonNode results = run.get("results");
        assertThat(results.get(0).get("ruleIndex").asInt()).isZero();
        assertThat(results.get(1).get("ruleIndex").asInt()).isEqualTo(1);
        assertThat(results.get(2).get("ruleIndex").asInt()).isZero();
        assertThat(results.get(1).get("locations").get(0).get("physicalLocation").get("artifactLocation")
                .get("uri").asText()).isEqualTo("db/migration/V1__a%20b.sql");
    }

    @Test
    void fileUriHandlesAbsoluteAndDotPaths() {
        assertThat(SarifReporter.fileUri("./db/V1__a.sql")).isEqualTo("db/V1__a.sql");
        assertThat(SarifReporter.fileUri("/srv/app/db/V1__a.sql")).isEqualTo("file:///srv/app/db/V1__a.sql");
        assertThat(SarifReporter.fileUri("db/é.sql")).isEqualTo("db/%C3%A9.sql");
        assertThat(SarifReporter.fileUri("a:b.sql")).isEqualTo("a%3Ab.sql");
    }

    @Test
    void requiredSarifPropertiesArePresent() throws Exception {
        JsonNode root = sarif(SampleReports.sample());

        // sarifLog: version, runs; run: tool.driver.name; result: message.text; rule: id
        assertThat(root.has("version") && root.get("runs").isArray()).isTrue();
        for (JsonNode run : root.get("runs")) {
            assertThat(run.get("tool").get("driver").get("name").isTextual()).isTrue();
            for (JsonNode rule : run.get("tool").get("driver").get("rules")) {
                assertThat(rule.get("id").isTextual()).isTrue();
                assertThat(LEVELS).contains(rule.get("defaultConfiguration").get("level").asText());
            }
            for (JsonNode result : run.get("results")) {
                assertThat(result.get("message").get("text").isTextual()).isTrue();
                assertThat(result.get("ruleId").isTextual()).isTrue();
                assertThat(result.get("ruleIndex").isInt()).isTrue();
                assertThat(LEVELS).contains(result.get("level").asText());
                JsonNode region = result.get("locations").get(0).get("physicalLocation").get("region");
                assertThat(region.get("startLine").asInt()).isPositive();
                assertThat(region.get("startColumn").asInt()).isPositive();
            }
        }
    }

    @Test
    void emptyReportHasEmptyRulesAndResults() throws Exception {
        JsonNode run = run(SampleReports.empty());

        assertThat(run.get("tool").get("driver").get("rules")).isEmpty();
        assertThat(run.get("results").isArray()).isTrue();
        assertThat(run.get("results")).isEmpty();
    }
}
