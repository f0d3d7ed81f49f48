package io.zerodown.core.report;

import io.zerodown.api.Effect;
import io.zerodown.api.Engine;
import io.zerodown.api.Finding;
import io.zerodown.api.LintReport;
import io.zerodown.api.RuleInfo;
import io.zerodown.api.Runner;
import io.zerodown.api.Severity;
import io.zerodown.api.Target;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/** Reports shared by the reporter tests. */
final class SampleReports {

    static final String INDEX_RULE = "pg.index.create-nonconcurrent";
    static final String JSON_RULE = "pg.column.add-json";
    static final String IDEMPOTENT_RULE = "any.stmt.non-idempotent";

    static final String INDEX_FIX = "CREATE INDEX CONCURRENTLY idx_users_email ON users (email);";
    static final String JSON_STATEMENT = "ALTER TABLE users\n  ADD COLUMN a json,\n  ADD COLUMN b int,\n"
            + "  ADD COLUMN c int,\n  ADD COLUMN d int";

    static final Finding ERROR = new Finding("db/V3__x.sql", 1, 1, INDEX_RULE, Severity.ERROR, "SHARE", "writes",
            Effect.SCAN, "CREATE INDEX without CONCURRENTLY blocks writes while the index is built.", INDEX_FIX,
            "CREATE INDEX idx_users_email ON users (email);");
    static final Finding WARNING = new Finding("db/V3__x.sql", 5, 3, JSON_RULE, Severity.WARNING,
            "ACCESS EXCLUSIVE", "reads, writes", Effect.CATALOG, "json has no equality operator; use jsonb.", null,
            JSON_STATEMENT);
    static final Finding INFO = new Finding("db/V4__y.sql", 2, 7, IDEMPOTENT_RULE, Severity.INFO, null, null,
            Effect.NONE, "CREATE TABLE without IF NOT EXISTS fails when run twice.", null, "CREATE TABLE t (id int)");

    static final List<RuleInfo> RULES = List.of(
            new RuleInfo(INDEX_RULE, Severity.ERROR, "CREATE INDEX blocks writes", Set.of(Engine.POSTGRES)),
            new RuleInfo(JSON_RULE, Severity.WARNING, "json column instead of jsonb", Set.of(Engine.POSTGRES)),
            new RuleInfo(IDEMPOTENT_RULE, Severity.INFO, "statement is not idempotent",
                    Set.of(Engine.POSTGRES, Engine.MYSQL, Engine.MARIADB)));

    private SampleReports() {
    }

    /** Three findings (one of each severity) in two files; 2 files, 7 statements, 1 not analysed, 2 suppressed. */
    static LintReport sample() {
        return new LintReport(Target.parse("postgres:15"), Runner.ZERODOWN, 2, 7, 1, 2,
                List.of(ERROR, WARNING, INFO), RULES);
    }

    static LintReport empty() {
        return new LintReport(Target.parse("mysql:8.0.35"), Runner.FLYWAY, 1, 3, 0, 0, List.of(), List.of());
    }

    static String render(Reporter reporter, LintReport report) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        reporter.write(report, out);
        out.flush();
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
