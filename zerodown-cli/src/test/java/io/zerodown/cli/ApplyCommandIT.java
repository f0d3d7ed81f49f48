package io.zerodown.cli;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import static io.zerodown.cli.LintCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

/** plan, apply, status, verify, rollback and baseline through the command line against a real embedded server. */
class ApplyCommandIT {
    static EmbeddedPostgres pg;

    @BeforeAll
    static void start() throws Exception {
        pg = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stop() throws Exception {
        pg.close();
    }

    static String freshUrl() throws Exception {
        String db = "cli_" + Long.toHexString(System.nanoTime());
        try (Connection c = DriverManager.getConnection(pg.getJdbcUrl("postgres", "postgres")); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + db);
        }
        return "postgresql://postgres@localhost:" + pg.getPort() + "/" + db;
    }

    static long count(String url, String sql) throws Exception {
        String jdbc = "jdbc:" + url.replace("postgres@", "") + "?user=postgres";
        try (Connection c = DriverManager.getConnection(jdbc); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void planApplyStatusVerify(@TempDir Path dir) throws Exception {
        String url = freshUrl();
        Files.writeString(dir.resolve("V1__init.sql"), "CREATE TABLE t (id bigserial PRIMARY KEY, v text);\n"
                + "INSERT INTO t (v) SELECT 'x' || g FROM generate_series(1, 5000) g;");
        assertThat(run("apply", "--url", url, "--report-dir", dir.resolve("r0").toString(), dir.toString()).code()).isZero();
        Files.writeString(dir.resolve("V2__idx.sql"), "CREATE INDEX t_v_idx ON t (v);\nALTER TABLE t ADD COLUMN k uuid NOT NULL DEFAULT gen_random_uuid();");

        LintCommandTest.Result plan = run("plan", "--url", url, "--format", "markdown", dir.toString());
        assertThat(plan.code()).as(plan.err()).isZero();
        assertThat(plan.out()).contains("### ", "CREATE INDEX CONCURRENTLY t_v_idx ON t (v)", "| backfill |");
        assertThat(count(url, "SELECT count(*) FROM pg_class WHERE relname = 't_v_idx'")).isZero();

        LintCommandTest.Result dry = run("apply", "--dry-run", "--url", url, dir.toString());
        assertThat(dry.out()).contains("CREATE INDEX CONCURRENTLY");
        assertThat(count(url, "SELECT count(*) FROM pg_class WHERE relname = 't_v_idx'")).isZero();

        Path reports = dir.resolve("reports");
        LintCommandTest.Result apply = run("apply", "--url", url, "--report-dir", reports.toString(), dir.toString());
        assertThat(apply.code()).as(apply.out() + apply.err()).isZero();
        assertThat(apply.out()).contains("backfilled 5000 rows", "equal what the naive SQL gives", "report: ");
        Path json;
        try (var list = Files.list(reports)) {
            json = list.filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
        }
        var report = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.toFile());
        assertThat(report.get("outcome").asText()).isEqualTo("done");
        assertThat(report.get("canary").get("probes").asLong()).isPositive();
        assertThat(report.get("canary").get("failures").asLong()).isZero();
        assertThat(report.get("canary").get("percentiles").get("p99").asDouble()).isPositive();
        assertThat(report.get("locksTaken").toString()).contains("SHARE UPDATE EXCLUSIVE");
        assertThat(report.get("steps")).anySatisfy(s -> assertThat(s.path("rows").asLong()).isEqualTo(5000));
        assertThat(report.get("steps")).allSatisfy(s -> assertThat(s.has("millis")).isTrue());
        assertThat(Files.readString(Path.of(json.toString().replace(".json", ".html")))).contains("<svg id=\"canary-chart\"",
                "CREATE INDEX CONCURRENTLY t_v_idx");
        assertThat(count(url, "SELECT count(*) FROM t WHERE k IS NULL")).isZero();

        LintCommandTest.Result status = run("status", "--url", url);
        assertThat(status.out()).contains("V2__idx.sql").contains("done");
        LintCommandTest.Result verify = run("verify", "--url", url, dir.toString());
        assertThat(verify.code()).as(verify.out()).isZero();
        assertThat(verify.out()).contains("verify: ok");
    }

    @Test
    void failedMigrationShowsInStatusAndRollsBack(@TempDir Path dir) throws Exception {
        String url = freshUrl();
        Files.writeString(dir.resolve("V1__init.sql"), "CREATE TABLE t (id bigserial PRIMARY KEY, v int);\n"
                + "INSERT INTO t (v) SELECT g FROM generate_series(1, 100) g;");
        run("apply", "--url", url, dir.toString());
        Files.writeString(dir.resolve("V2__bad.sql"), "ALTER TABLE t ADD COLUMN w int;\nALTER TABLE t ADD CONSTRAINT small CHECK (v < 10);");
        LintCommandTest.Result apply = run("apply", "--url", url, dir.toString());
        assertThat(apply.code()).isEqualTo(2);
        assertThat(apply.err()).contains("V2__bad.sql:2", "small", "resumes at this step");
        assertThat(run("status", "--url", url).out()).contains("failed", "reason:", "zerodown rollback");
        LintCommandTest.Result rb = run("rollback", "--url", url);
        assertThat(rb.code()).as(rb.err()).isZero();
        assertThat(count(url, "SELECT count(*) FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'w' AND NOT attisdropped"))
                .isZero();
    }

    @Test
    void baselineMarksFilesAsApplied(@TempDir Path dir) throws Exception {
        String url = freshUrl();
        Files.writeString(dir.resolve("V1__a.sql"), "CREATE TABLE a (id int PRIMARY KEY);");
        Files.writeString(dir.resolve("V2__b.sql"), "CREATE TABLE b (id int PRIMARY KEY);");
        Files.writeString(dir.resolve("V3__c.sql"), "CREATE TABLE c (id int PRIMARY KEY);");
        assertThat(run("baseline", "--url", url, "--version", "2", dir.toString()).out()).contains("2 migration(s)");
        assertThat(run("apply", "--url", url, dir.toString()).code()).isZero();
        assertThat(count(url, "SELECT count(*) FROM pg_tables WHERE tablename IN ('a', 'b', 'c')")).isEqualTo(1);
    }

    @Test
    void lintWithUrlJudgesAgainstTheLiveSchema(@TempDir Path dir) throws Exception {
        String url = freshUrl();
        String jdbc = "jdbc:" + url.replace("postgres@", "") + "?user=postgres";
        try (Connection c = DriverManager.getConnection(jdbc); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE live (id bigint PRIMARY KEY, code varchar(20), n int)");
        }
        Files.writeString(dir.resolve("V5__x.sql"), "ALTER TABLE live ALTER COLUMN code TYPE varchar(40);\n"
                + "ALTER TABLE live ALTER COLUMN n TYPE bigint;");
        LintCommandTest.Result without = run("lint", "--runner", "plain", "--format", "json", dir.toString());
        LintCommandTest.Result with = run("lint", "--runner", "plain", "--format", "json", "--url", url, dir.toString());
        // without the live schema the old types are unknown (warnings); with it, widening is fine and int->bigint an error
        assertThat(without.out()).contains("\"severity\" : \"warning\"");
        assertThat(with.code()).isEqualTo(1);
        assertThat(LintCommandTest.first(with.out(), "pg.column.change-type").get("line").asInt()).isEqualTo(2);
    }

    @Test
    void statusWithoutUrlIsABadUsage() {
        assertThat(run("status").code()).isEqualTo(2);
    }
}
