package io.zerodown.core.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static io.zerodown.core.report.SampleReports.ERROR;
import static io.zerodown.core.report.SampleReports.IDEMPOTENT_RULE;
import static io.zerodown.core.report.SampleReports.INDEX_FIX;
import static io.zerodown.core.report.SampleReports.INDEX_RULE;
import static io.zerodown.core.report.SampleReports.JSON_RULE;
import static io.zerodown.core.report.SampleReports.JSON_STATEMENT;
import static io.zerodown.core.report.SampleReports.render;
import static org.assertj.core.api.Assertions.assertThat;

class JsonReporterTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static JsonNode json(io.zerodown.api.LintReport report) throws Exception {
        return MAPPER.readTree(render(new JsonReporter(), report));
    }

    @Test
    void writesTargetRunnerAndSummary() throws Exception {
        JsonNode root = json(SampleReports.sample());

        assertThat(root.get("target").asText()).isEqualTo("postgres:15");
        assertThat(root.get("runner").asText()).isEqualTo("zerodown");
        JsonNode summary = root.get("summary");
        assertThat(summary.get("files").asInt()).isEqualTo(2);
        assertThat(summary.get("statements").asInt()).isEqualTo(7);
        assertThat(summary.get("notAnalysed").asInt()).isEqualTo(1);
        assertThat(summary.get("suppressed").asInt()).isEqualTo(2);
        assertThat(summary.get("errors").asInt()).isEqualTo(1);
        assertThat(summary.get("warnings").asInt()).isEqualTo(1);
        assertThat(summary.get("infos").asInt()).isEqualTo(1);
        assertThat(summary.get("errors").isIntegralNumber()).isTrue();
    }

    @Test
    void writesEveryFindingFieldInOrder() throws Exception {
        JsonNode findings = json(SampleReports.sample()).get("findings");

        assertThat(findings.isArray()).isTrue();
        assertThat(findings).hasSize(3);
        JsonNode f = findings.get(0);
        assertThat(f.get("file").asText()).isEqualTo("db/V3__x.sql");
        assertThat(f.get("line").asInt()).isEqualTo(1);
        assertThat(f.get("column").asInt()).isEqualTo(1);
        assertThat(f.get("rule").asText()).isEqualTo(INDEX_RULE);
        assertThat(f.get("severity").asText()).isEqualTo("error");
        assertThat(f.get("lock").asText()).isEqualTo("SHARE");
        assertThat(f.get("blocks").asText()).isEqualTo("writes");
        assertThat(f.get("effect").asText()).isEqualTo("scan");
        assertThat(f.get("message").asText()).isEqualTo(ERROR.message());
        assertThat(f.get("fix").asText()).isEqualTo(INDEX_FIX);
        assertThat(f.get("statement").asText()).isEqualTo(ERROR.statement());

        assertThat(findings.get(1).get("rule").asText()).isEqualTo(JSON_RULE);
        assertThat(findings.get(1).get("severity").asText()).isEqualTo("warning");
        assertThat(findings.get(1).get("line").asInt()).isEqualTo(5);
        assertThat(findings.get(1).get("column").asInt()).isEqualTo(3);
        assertThat(findings.get(1).get("effect").asText()).isEqualTo("catalog");
        assertThat(findings.get(1).get("statement").asText()).isEqualTo(JSON_STATEMENT);
        assertThat(findings.get(2).get("rule").asText()).isEqualTo(IDEMPOTENT_RULE);
        assertThat(findings.get(2).get("severity").asText()).isEqualTo("info");
        assertThat(findings.get(2).get("effect").asText()).isEqualTo("none");
    }

    @Test
    void writesAbsentValuesAsJsonNull() throws Exception {
        JsonNode findings = json(SampleReports.sample()).get("findings");

        JsonNode warning = findings.get(1);
        assertThat(warning.has("fix")).isTrue();
        assertThat(warning.get("fix").isNull()).isTrue();
        JsonNode info = findings.get(2);
        assertThat(info.get("lock").isNull()).isTrue();
        assertThat(info.get("blocks").isNull()).isTrue();
        assertThat(info.get("fix").isNull()).isTrue();
        assertThat(info.get("effect").isNull()).isFalse();
    }

    @Test
    void emptyReportHasEmptyFindingsAndZeroCounts() throws Exception {
        JsonNode root = json(SampleReports.empty());

        assertThat(root.get("target").asText()).isEqualTo("mysql:8.0.35");
        assertThat(root.get("runner").asText()).isEqualTo("flyway");
        assertThat(root.get("findings").isArray()).isTrue();
        assertThat(root.get("findings")).isEmpty();
        assertThat(root.get("summary").get("files").asInt()).isEqualTo(1);
        assertThat(root.get("summary").get("statements").asInt()).isEqualTo(3);
        assertThat(root.get("summary").get("errors").asInt()).isZero();
        assertThat(root.get("summary").get("warnings").asInt()).isZero();
        assertThat(root.get("summary").get("infos").asInt()).isZero();
    }

    @Test
    void outputIsPrettyPrintedWithTopLevelKeysInContractOrder() {
        String out = render(new JsonReporter(), SampleReports.sample());

        assertThat(out).startsWith("{\n").endsWith("}" + System.lineSeparator());
        assertThat(out).contains("\n  \"target\" : \"postgres:15\"");
        assertThat(out.indexOf("\"target\"")).isLessThan(out.indexOf("\"runner\""));
        assertThat(out.indexOf("\"runner\"")).isLessThan(out.indexOf("\"summary\""));
        assertThat(out.indexOf("\"summary\"")).isLessThan(out.indexOf("\"findings\""));
    }

    @Test
    void forFormatJsonGivesJsonReporter() {
        assertThat(Reporter.forFormat("json", true)).isInstanceOf(JsonReporter.class);
    }
}
