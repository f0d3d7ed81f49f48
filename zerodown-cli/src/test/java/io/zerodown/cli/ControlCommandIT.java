package io.zerodown.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.zerodown.cli.LintCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * apply --postpone-contract steered from a second "terminal" with zerodown control, and apply's --canary-sql, against
 * a real embedded server (and the local MariaDB for MySQL URLs).
 */
class ControlCommandIT {
    static EmbeddedPostgres pg;

    @BeforeAll
    static void start() throws Exception {
        pg = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stop() throws Exception {
        pg.close();
    }

    /** A new database on the embedded server; its libpq URL. */
    static String freshDatabase() throws Exception {
        String db = "ctl_" + Long.toHexString(System.nanoTime());
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
    void postponedContractProceedsOnControlAndTheReportSaysSo(@TempDir Path dir) throws Exception {
        String url = freshDatabase();
        Path migrations = Files.createDirectories(dir.resolve("m"));
        Files.writeString(migrations.resolve("V1__init.sql"), "CREATE TABLE t (id bigint PRIMARY KEY, v int);\n"
                + "INSERT INTO t SELECT g, g FROM generate_series(1, 3000) g;");
        assertThat(run("apply", "--url", url, "--no-verify", "--report-dir", dir.resolve("r0").toString(), migrations.toString()).code()).isZero();
        Files.writeString(migrations.resolve("V2__nn.sql"), "ALTER TABLE t ALTER COLUMN v SET NOT NULL;");

        assertThat(run("control", "--url", url, "pause").code()).as("no apply runs: the command cannot take effect").isEqualTo(1);
        Path reports = dir.resolve("reports");
        CompletableFuture<LintCommandTest.Result> apply = CompletableFuture.supplyAsync(() -> run("apply", "--url", url, "--no-verify",
                "--postpone-contract", "--report-dir", reports.toString(), migrations.toString()));
        long deadline = System.currentTimeMillis() + 60_000;
        while (count(url, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted") == 0) {
            assertThat(System.currentTimeMillis()).as("apply to take the migration lock").isLessThan(deadline);
            Thread.sleep(50);
        }
        Thread.sleep(1_000);
        assertThat(apply).as("apply waits before the contract phase").isNotDone();
        assertThat(count(url, "SELECT count(*) FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'v' AND attnotnull")).isZero();

        LintCommandTest.Result bad = run("control", "--url", url, "set", "batch-time", "soon");
        assertThat(bad.code()).isNotZero();
        assertThat(bad.err()).contains("batch-time: 'soon' is not a duration");
        LintCommandTest.Result unknown = run("control", "--url", url, "set", "nap-time", "5ms");
        assertThat(unknown.err()).contains("unknown setting 'nap-time'", "batch-time", "max-replica-lag");
        LintCommandTest.Result set = run("control", "--url", url, "set", "max-replica-lag", "3s");
        assertThat(set.code()).as(set.err()).isZero();
        assertThat(set.out()).contains("set max-replica-lag to 3000 ms");

        LintCommandTest.Result proceed = run("control", "--url", url, "proceed");
        assertThat(proceed.code()).as(proceed.err()).isZero();
        LintCommandTest.Result done = apply.get(60, TimeUnit.SECONDS);
        assertThat(done.code()).as(done.out() + done.err()).isZero();
        assertThat(done.out()).contains("contract phase postponed before", "zerodown control proceed",
                "control: max-replica-lag set to 3000 ms by zerodown control", "control: proceeding with the contract phase");
        assertThat(count(url, "SELECT count(*) FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'v' AND attnotnull")).isEqualTo(1);

        Path json;
        try (Stream<Path> files = Files.list(reports)) {
            json = files.filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
        }
        JsonNode report = new ObjectMapper().readTree(json.toFile());
        assertThat(report.path("controls").toString()).contains("proceeding with the contract phase");
        assertThat(report.path("pauses").toString()).contains("postponed before step");
        assertThat(report.path("settings").path("max-replica-lag").asLong()).isEqualTo(3000);
        assertThat(report.path("resume").asText()).contains("zerodown apply --url postgresql://postgres@localhost:" + pg.getPort(),
                migrations.toString());
        assertThat(report.path("rollback").asText()).startsWith("zerodown rollback --url postgresql://postgres@localhost:");
    }

    @Test
    void mysqlUrlsSteerTheMysqlApplyThroughItsControlTable() throws Exception {
        String db = "zd_ctl_" + Long.toHexString(System.nanoTime());
        String server = "jdbc:mariadb://127.0.0.1:3306/test?user=root";
        try (Connection c = DriverManager.getConnection(server); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + db);
        }
        String url = "mysql://root@127.0.0.1:3306/" + db;
        try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/" + db + "?user=root")) {
            LintCommandTest.Result idle = run("control", "--url", url, "pause");
            assertThat(idle.code()).as("no apply runs: the command cannot take effect").isEqualTo(1);
            assertThat(idle.err()).contains("no apply is running");
            // an apply holds this lock while it runs (MysqlApplier): hold it as one would
            try (Connection runner = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/" + db + "?user=root");
                 Statement st = runner.createStatement()) {
                st.execute("SELECT GET_LOCK('zerodown:" + db + "', 1)");
                LintCommandTest.Result abort = run("control", "--url", url, "abort");
                assertThat(abort.code()).as(abort.err()).isZero();
                assertThat(abort.out()).contains("sent abort");
                try (Statement q = c.createStatement(); ResultSet rs = q.executeQuery("SELECT `value` FROM zerodown_control WHERE `key` = 'state'")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("abort");
                }
            }
            LintCommandTest.Result set = run("control", "--url", url, "set", "batch-time", "50ms");
            assertThat(set.code()).isNotZero();
            assertThat(set.err()).contains("PostgreSQL only");
        } finally {
            try (Connection c = DriverManager.getConnection(server); Statement st = c.createStatement()) {
                st.execute("DROP DATABASE " + db);
            }
        }
    }

    @Test
    void applyRefusesACanaryProbeThatCannotRunReadOnlyAndRunsAGoodOne(@TempDir Path dir) throws Exception {
        String url = freshDatabase();
        Path migrations = Files.createDirectories(dir.resolve("m"));
        Files.writeString(migrations.resolve("V1__init.sql"), "CREATE TABLE t (id bigint PRIMARY KEY, v int);\n"
                + "INSERT INTO t SELECT g, g FROM generate_series(1, 20000) g;");
        assertThat(run("apply", "--url", url, "--no-verify", "--report-dir", dir.resolve("r0").toString(), migrations.toString()).code()).isZero();
        Files.writeString(migrations.resolve("V2__fill.sql"), "ALTER TABLE t ADD COLUMN token text DEFAULT md5(random()::text);");

        LintCommandTest.Result writes = run("apply", "--url", url, "--no-verify", "--canary-sql", "DELETE FROM t",
                "--report-dir", dir.resolve("r1").toString(), migrations.toString());
        assertThat(writes.code()).isNotZero();
        assertThat(writes.err()).contains("--canary-sql: the probe cannot run read-only", "read-only transaction");
        assertThat(count(url, "SELECT count(*) FROM t")).isEqualTo(20_000);
        assertThat(count(url, "SELECT count(*) FROM zerodown.migrations WHERE id = '2'")).as("nothing ran").isZero();

        Path reports = dir.resolve("r2");
        LintCommandTest.Result ok = run("apply", "--url", url, "--no-verify", "--canary-sql", "SELECT v FROM t WHERE id = 4242",
                "--report-dir", reports.toString(), migrations.toString());
        assertThat(ok.code()).as(ok.out() + ok.err()).isZero();
        Path json;
        try (Stream<Path> files = Files.list(reports)) {
            json = files.filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
        }
        JsonNode canary = new ObjectMapper().readTree(json.toFile()).path("canary");
        assertThat(canary.path("probe").asText()).isEqualTo("SELECT v FROM t WHERE id = 4242");
        assertThat(canary.path("probes").asLong()).isPositive();
        assertThat(canary.path("failures").asLong()).isZero();
    }
}
