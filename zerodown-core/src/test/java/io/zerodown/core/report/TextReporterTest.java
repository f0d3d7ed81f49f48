package io.zerodown.core.report;

import io.zerodown.api.Effect;
import io.zerodown.api.Finding;
import io.zerodown.api.LintReport;
import io.zerodown.api.Runner;
import io.zerodown.api.Severity;
import io.zerodown.api.Target;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.zerodown.core.report.SampleReports.INDEX_FIX;
import static io.zerodown.core.report.SampleReports.INDEX_RULE;
import static io.zerodown.core.report.SampleReports.render;
import static org.assertj.core.api.Assertions.assertThat;

class TextReporterTest {

    private static final String ESC = "\u001b[";

    private static List<String> lines(String text) {
        return List.of(text.split("\n", -1));
    }

    @Test
    void plainOutputHasNoEscapeCodes() {
        String out = render(new TextReporter(false), SampleReports.sample());

        assertThat(out).doesNotContain("\u001b");
        assertThat(out).contains("db/V3__x.sql:1:1  error  pg.index.create-nonconcurrent\n");
        assertThat(out).contains("db/V3__x.sql:5:3  warning  pg.column.add-json\n");
        assertThat(out).contains("db/V4__y.sql:2:7  info  any.stmt.non-idempotent\n");
    }

    @Test
    void colouredOutputPaintsSeverityRuleAndFix() {
        String out = render(new TextReporter(true), SampleReports.sample());

        assertThat(out).contains(ESC + "31merror" + ESC + "0m");
        assertThat(out).contains(ESC + "33mwarning" + ESC + "0m");
        assertThat(out).contains(ESC + "36minfo" + ESC + "0m");
        assertThat(out).contains(ESC + "1m" + INDEX_RULE + ESC + "0m");
        assertThat(out).contains(ESC + "32m" + INDEX_FIX + ESC + "0m");
    }

    @Test
    void endsWithSummaryLine() {
        String out = render(new TextReporter(false), SampleReports.sample());

        List<String> lines = lines(out);
        assertThat(lines.get(lines.size() - 1)).isEmpty(); // trailing newline
        assertThat(lines.get(lines.size() - 2))
                .isEqualTo("2 files, 7 statements: 1 error, 1 warning, 1 info (1 not analysed, 2 suppressed)");
    }

    @Test
    void summaryOfEmptyReportIsTheOnlyLine() {
        String out = render(new TextReporter(false), SampleReports.empty());

        assertThat(out).isEqualTo("1 file, 3 statements: 0 errors, 0 warnings, 0 infos (0 not analysed, 0 suppressed)\n");
    }

    @Test
    void printsMessageLockStatementAndFix() {
        String out = render(new TextReporter(false), SampleReports.sample());

        assertThat(out).contains("db/V3__x.sql:1:1  error  pg.index.create-nonconcurrent\n"
                + "  CREATE INDEX without CONCURRENTLY blocks writes while the index is built.\n"
                + "  lock: SHARE (blocks writes) · scan\n"
                + "    CREATE INDEX idx_users_email ON users (email);\n"
                + "  safe SQL:\n"
                + "    " + INDEX_FIX + "\n"
                + "\n");
        assertThat(out).contains("  lock: ACCESS EXCLUSIVE (blocks reads, writes) · catalog\n");
    }

    @Test
    void longStatementIsCutAfterThreeLinesWithEllipsis() {
        String out = render(new TextReporter(false), SampleReports.sample());

        assertThat(out).contains("    ALTER TABLE users\n"
                + "      ADD COLUMN a json,\n"
                + "      ADD COLUMN b int,\n"
                + "    …\n");
        assertThat(out).doesNotContain("ADD COLUMN c int");
    }

    @Test
    void findingWithoutLockOrFixPrintsNeitherLine() {
        String out = render(new TextReporter(false), SampleReports.sample());

        String info = out.substring(out.indexOf("db/V4__y.sql:2:7"));
        assertThat(info).startsWith("db/V4__y.sql:2:7  info  any.stmt.non-idempotent\n"
                + "  CREATE TABLE without IF NOT EXISTS fails when run twice.\n"
                + "    CREATE TABLE t (id int)\n"
                + "\n");
        assertThat(info).doesNotContain("lock:").doesNotContain("safe SQL:");
    }

    @Test
    void groupsFindingsByFileWithBlankLineBetween() {
        Finding a1 = new Finding("a.sql", 1, 1, "r.one", Severity.ERROR, null, null, Effect.CATALOG, "m1", null, "S1");
        Finding b1 = new Finding("b.sql", 1, 1, "r.two", Severity.WARNING, null, null, Effect.CATALOG, "m2", null, "S2");
        Finding a2 = new Finding("a.sql", 9, 1, "r.three", Severity.INFO, null, null, Effect.CATALOG, "m3", null, "S3");
        LintReport report = new LintReport(Target.parse("postgres:16"), Runner.PLAIN, 2, 3, 0, 0,
                List.of(a1, b1, a2), List.of());

        String out = render(new TextReporter(false), report);

        assertThat(out.indexOf("a.sql:1:1")).isLessThan(out.indexOf("a.sql:9:1"));
        assertThat(out.indexOf("a.sql:9:1")).isLessThan(out.indexOf("b.sql:1:1"));
        assertThat(out).contains("    S1\n\na.sql:9:1").contains("    S3\n\nb.sql:1:1");
        assertThat(out).endsWith("    S2\n\n2 files, 3 statements: 1 error, 1 warning, 1 info "
                + "(0 not analysed, 0 suppressed)\n");
    }

    @Test
    void forFormatTextGivesTextReporter() {
        assertThat(Reporter.forFormat("text", false)).isInstanceOf(TextReporter.class);
        assertThat(Reporter.forFormat("sarif", false)).isInstanceOf(SarifReporter.class);
    }
}
