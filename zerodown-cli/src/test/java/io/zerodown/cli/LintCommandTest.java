package io.zerodown.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The lint command end to end: exit codes, formats, config, runner semantics and bad input. */
class LintCommandTest {

    record Result(int code, String out, String err) {
    }

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Path folder(Path dir, String... nameAndSql) throws Exception {
        for (int i = 0; i < nameAndSql.length; i += 2) Files.writeString(dir.resolve(nameAndSql[i]), nameAndSql[i + 1]);
        return dir;
    }

    @Test
    void cleanMigrationsExitZero(@TempDir Path dir) throws Exception {
        folder(dir, "V1__init.sql", "CREATE TABLE t (id bigint PRIMARY KEY, v text);\nCREATE INDEX t_v_idx ON t (v);");
        Result r = run("lint", "--runner", "flyway", dir.toString());
        assertThat(r.code).as(r.out + r.err).isZero();
        assertThat(r.out).contains("1 file, 2 statements: 0 errors");
    }

    @Test
    void errorFindingsExitOneAndShowTheFix(@TempDir Path dir) throws Exception {
        folder(dir, "V1__init.sql", "CREATE TABLE t (id bigint PRIMARY KEY, v text);",
                "V2__idx.sql", "CREATE INDEX t_v_idx ON t (v);");
        Result r = run("lint", "--runner", "flyway", "--no-color", dir.toString());
        assertThat(r.code).isEqualTo(1);
        assertThat(r.out).contains("V2__idx.sql:1:1", "pg.index.create-nonconcurrent",
                "CREATE INDEX CONCURRENTLY t_v_idx ON t (v)").doesNotContain("\u001b[");
    }

    @Test
    void zerodownRunnerReportsWhatItMakesSafeAsInfo(@TempDir Path dir) throws Exception {
        folder(dir, "V1__init.sql", "CREATE TABLE t (id bigint PRIMARY KEY, v text);",
                "V2__idx.sql", "CREATE INDEX t_v_idx ON t (v);");
        Result r = run("lint", "--format", "json", dir.toString());
        assertThat(r.code).as(r.out + r.err).isZero();
        JsonNode f = first(r.out, "pg.index.create-nonconcurrent");
        assertThat(f.get("severity").asText()).isEqualTo("info");
        assertThat(f.get("message").asText()).startsWith("zerodown apply makes this safe");
    }

    @Test
    void breakingChangeStaysAnErrorUnderZerodownRunner(@TempDir Path dir) throws Exception {
        folder(dir, "V1__init.sql", "CREATE TABLE t (id bigint PRIMARY KEY, v text);",
                "V2__drop.sql", "ALTER TABLE t DROP COLUMN v;");
        Result r = run("lint", "--format", "json", dir.toString());
        assertThat(r.code).isEqualTo(1);
        assertThat(first(r.out, "any.column.drop").get("severity").asText()).isEqualTo("error");
    }

    @Test
    void zerodownRunnerOnlyPromisesWhatApplyDoes(@TempDir Path dir) throws Exception {
        folder(dir, "V1__init.sql", "CREATE TABLE t (id int PRIMARY KEY, n int);",
                "V2__x.sql", "ALTER TABLE t ALTER COLUMN n TYPE bigint;\nALTER TABLE t ALTER COLUMN id TYPE bigint;");
        Result r = run("lint", "--format", "json", dir.toString());
        JsonNode findings = new ObjectMapper().readTree(r.out).get("findings");
        String nSeverity = null;
        String idSeverity = null;
        for (JsonNode f : findings) {
            if (!f.get("rule").asText().equals("pg.column.change-type")) continue;
            if (f.get("line").asInt() == 1) nSeverity = f.get("severity").asText();
            if (f.get("line").asInt() == 2) idSeverity = f.get("severity").asText();
        }
        // apply runs the expand/contract plan for a plain column, but not yet for a primary key column
        assertThat(nSeverity).isEqualTo("info");
        assertThat(idSeverity).isEqualTo("error");
    }

    @Test
    void jsonFollowsTheContract(@TempDir Path dir) throws Exception {
        folder(dir, "V1__init.sql", "CREATE TABLE t (id bigint PRIMARY KEY, v text);",
                "V3__x.sql", "\n\nALTER TABLE t ADD COLUMN u uuid NOT NULL DEFAULT gen_random_uuid();");
        Result r = run("lint", "--target", "postgres:15", "--runner", "plain", "--format", "json", dir.toString());
        JsonNode root = new ObjectMapper().readTree(r.out);
        assertThat(root.get("target").asText()).isEqualTo("postgres:15");
        JsonNode f = first(r.out, "pg.column.add-volatile-default");
        assertThat(f.get("file").asText()).endsWith("V3__x.sql");
        assertThat(f.get("line").asInt()).isEqualTo(3);
        assertThat(f.get("column").asInt()).isEqualTo(1);
        assertThat(f.get("severity").asText()).isEqualTo("error");
        assertThat(f.get("lock").asText()).isEqualTo("ACCESS EXCLUSIVE");
        assertThat(f.get("blocks").asText()).isEqualTo("reads, writes");
        assertThat(f.get("effect").asText()).isEqualTo("rewrite");
        assertThat(f.get("fix").asText()).contains("ALTER TABLE t ADD COLUMN u uuid;",
                "ALTER TABLE t ALTER COLUMN u SET DEFAULT gen_random_uuid();", "CHECK (u IS NOT NULL) NOT VALID",
                "VALIDATE CONSTRAINT t_u_not_null", "SET NOT NULL", "DROP CONSTRAINT t_u_not_null");
    }

    @Test
    void sarifIsVersion210WithRuleIndexes(@TempDir Path dir) throws Exception {
        folder(dir, "V1__init.sql", "CREATE TABLE t (id bigint PRIMARY KEY, v text);", "V2__x.sql", "ALTER TABLE t DROP COLUMN v;");
        Result r = run("lint", "--format", "sarif", dir.toString());
        JsonNode root = new ObjectMapper().readTree(r.out);
        assertThat(root.get("version").asText()).isEqualTo("2.1.0");
        JsonNode run = root.get("runs").get(0);
        JsonNode result = run.get("results").get(0);
        int idx = result.get("ruleIndex").asInt();
        assertThat(run.get("tool").get("driver").get("rules").get(idx).get("id").asText()).isEqualTo(result.get("ruleId").asText());
        assertThat(result.get("locations").get(0).get("physicalLocation").get("region").get("startLine").asInt()).isEqualTo(1);
    }

    @Test
    void unterminatedStringGivesExitTwoWithFileAndLine(@TempDir Path dir) throws Exception {
        folder(dir, "V1__bad.sql", "CREATE TABLE t (id int);\n\nINSERT INTO t VALUES ('oops);\n");
        Result r = run("lint", dir.toString());
        assertThat(r.code).isEqualTo(2);
        assertThat(r.err).contains("V1__bad.sql:3").contains("unterminated");
    }

    @Test
    void missingPathGivesExitTwo(@TempDir Path dir) {
        Result r = run("lint", dir.resolve("nope").toString());
        assertThat(r.code).isEqualTo(2);
        assertThat(r.err).contains("nope");
    }

    @Test
    void unsupportedTargetGivesExitTwo(@TempDir Path dir) throws Exception {
        folder(dir, "V1__a.sql", "SELECT 1;");
        Result r = run("lint", "--target", "postgres:9", dir.toString());
        assertThat(r.code).isEqualTo(2);
        assertThat(r.err).contains("postgres:11 to postgres:18");
    }

    @Test
    void unknownFormatGivesExitTwo(@TempDir Path dir) throws Exception {
        folder(dir, "V1__a.sql", "SELECT 1;");
        assertThat(run("lint", "--format", "xml", dir.toString()).code).isEqualTo(2);
    }

    @Test
    void configFileSetsTargetRunnerAndDisabledRules(@TempDir Path dir) throws Exception {
        Path mig = Files.createDirectories(dir.resolve("db"));
        folder(mig, "V1__init.sql", "CREATE TABLE t (id bigint PRIMARY KEY, v text);", "V2__x.sql", "ALTER TABLE t DROP COLUMN v;");
        Path cfg = dir.resolve(".zerodown.yaml");
        Files.writeString(cfg, "target: postgres:13\nrunner: plain\nrules:\n  disable: [any.column.drop]\npaths: [db]\n");
        Result r = run("lint", "--config", cfg.toString(), "--format", "json");
        assertThat(r.code).as(r.err).isZero();
        JsonNode root = new ObjectMapper().readTree(r.out);
        assertThat(root.get("target").asText()).isEqualTo("postgres:13");
        assertThat(root.get("summary").get("suppressed").asInt()).isEqualTo(1);
    }

    @Test
    void ignoreDirectiveNeedsAReason(@TempDir Path dir) throws Exception {
        folder(dir, "V1__init.sql", "CREATE TABLE t (id bigint PRIMARY KEY, v text, w text);",
                "V2__x.sql", "-- zerodown:ignore any.column.drop column unused since 2024\nALTER TABLE t DROP COLUMN v;\n"
                        + "-- zerodown:ignore any.column.drop\nALTER TABLE t DROP COLUMN w;");
        Result r = run("lint", "--format", "json", dir.toString());
        JsonNode root = new ObjectMapper().readTree(r.out);
        long drops = 0;
        for (JsonNode f : root.get("findings")) if (f.get("rule").asText().equals("any.column.drop")) drops++;
        assertThat(drops).isEqualTo(1);
        assertThat(first(r.out, "zerodown.bad-directive").get("line").asInt()).isEqualTo(4);
        assertThat(r.code).isEqualTo(1);
    }

    @Test
    void rulesCommandListsTheCatalogue() {
        Result r = run("rules", "--target", "postgres:16");
        assertThat(r.code).isZero();
        assertThat(r.out).contains("pg.index.create-nonconcurrent", "any.column.drop", "zerodown.not-analysed");
    }

    static JsonNode first(String json, String rule) throws Exception {
        for (JsonNode f : new ObjectMapper().readTree(json).get("findings")) {
            if (f.get("rule").asText().equals(rule)) return f;
        }
        throw new AssertionError("no " + rule + " finding in " + json);
    }
}
