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
            assertThat(set.code()).as("stored, but no apply runs to use it").isEqualTo(1);
            assertThat(set.out()).contains("set batch-time to 50 ms");
            try (Statement q = c.createStatement(); ResultSet rs = q.executeQuery("SELECT `value` FROM zerodown_control WHERE `key` = 'batch-time'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("50");
            }
            LintCommandTest.Result unknown = run("control", "--url", url, "set", "lag", "2s");
            assertThat(unknown.code()).isNotZero();
            assertThat(unknown.err()).contains("unknown setting 'lag'", "max-lock-wait", "max-threads-running");
            LintCommandTest.Result bad = run("control", "--url", url, "set", "max-replica-lag", "soon");
            assertThat(bad.code()).isNotZero();
            assertThat(bad.err()).contains("'soon' is not a duration", "1.5s");
        } finally {
            try (Connection c = DriverManager.getConnection(server); Statement st = c.createStatement()) {
                st.execute("DROP DATABASE " + db);
            }
        }
    }

    /** A MySQL/MariaDB apply with its guard rails, run in this JVM so the test sets the replica lag it sees. */
    static CompletableFuture<io.zerodown.mysql.apply.MysqlApplier.Outcome> mysqlApply(io.zerodown.mysql.apply.MysqlConnections db,
            io.zerodown.mysql.apply.MysqlApplier applier, Path migrations) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return applier.apply(io.zerodown.core.source.MigrationScanner.standard().scan(java.util.List.of(migrations)));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    static void waitFor(java.util.function.BooleanSupplier condition, String what, java.util.List<String> log) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (!condition.getAsBoolean()) {
            assertThat(System.currentTimeMillis()).as("waiting for " + what + "; log:\n" + String.join("\n", log)).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    void mysqlControlSetChangesTheRunningApplysLimitAndProceedCutsOver(@TempDir Path dir) throws Exception {
        String db = "zd_ctlset_" + Long.toHexString(System.nanoTime());
        String server = "jdbc:mariadb://127.0.0.1:3306/test?user=root";
        try (Connection c = DriverManager.getConnection(server); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + db);
        }
        String url = "mysql://root@127.0.0.1:3306/" + db;
        io.zerodown.mysql.apply.MysqlConnections conn = io.zerodown.mysql.apply.MysqlConnections.parse(url);
        try {
            Path migrations = Files.createDirectories(dir.resolve("m"));
            Files.writeString(migrations.resolve("V1__init.sql"), "CREATE TABLE orders (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, "
                    + "amount decimal(12,2) NOT NULL) ENGINE=InnoDB;\n"
                    + "INSERT INTO orders (amount) SELECT seq FROM seq_1_to_5000;");
            new io.zerodown.mysql.apply.MysqlApplier(conn, io.zerodown.mysql.apply.MysqlApplier.Options.defaults(), line -> { })
                    .apply(io.zerodown.core.source.MigrationScanner.standard().scan(java.util.List.of(migrations)));
            Files.writeString(migrations.resolve("V2__bump.sql"), "UPDATE orders SET amount = amount + 1;");
            Files.writeString(migrations.resolve("V3__widen.sql"), "ALTER TABLE orders MODIFY amount decimal(14,2) NOT NULL;");
            java.util.List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();
            // a replica 500 ms behind, under the 1 s limit until control set lowers it; slow batches keep the backfill going
            var watch = io.zerodown.mysql.apply.MysqlApplier.Watch.defaults().withReplicaLag(() -> 500).withCanaryP99(() -> 1.0)
                    .withLimits(new io.zerodown.mysql.watch.MysqlGuardRails.Limits(250, 0, 2000, 1000, 0));
            var applier = new io.zerodown.mysql.apply.MysqlApplier(conn, io.zerodown.mysql.apply.MysqlApplier.Options.defaults()
                    .withPostponeCutOver(true), log::add).withWatch(watch).withBatchHook(c -> {
                        try {
                            Thread.sleep(100);
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                    });
            CompletableFuture<io.zerodown.mysql.apply.MysqlApplier.Outcome> run = mysqlApply(conn, applier, migrations);
            waitFor(() -> log.stream().anyMatch(l -> l.startsWith("[0] UPDATE")), "the backfill to start", log);

            LintCommandTest.Result lower = run("control", "--url", url, "set", "max-replica-lag", "100ms");
            assertThat(lower.code()).as(lower.err()).isZero();
            assertThat(lower.out()).contains("set max-replica-lag to 100 ms for the apply running on");
            waitFor(() -> log.contains("  paused: replica lag 500 ms > 100 ms"), "the backfill to pause on the new limit", log);
            Thread.sleep(300);
            assertThat(run).as("paused by the lowered limit").isNotDone();
            LintCommandTest.Result raise = run("control", "--url", url, "set", "max-replica-lag", "2s");
            assertThat(raise.code()).as(raise.err()).isZero();

            waitFor(() -> log.stream().anyMatch(l -> l.contains("waiting for 'zerodown control proceed'")), "the copy to be ready", log);
            Thread.sleep(300);
            assertThat(run).as("the cut-over waits for proceed").isNotDone();
            LintCommandTest.Result proceed = run("control", "--url", url, "proceed");
            assertThat(proceed.code()).as(proceed.err()).isZero();
            assertThat(proceed.out()).contains("sent proceed");
            assertThat(run.get(60, TimeUnit.SECONDS).applied()).containsExactly("2", "3");
            assertThat(log).contains("  set max-replica-lag to 100 ms (zerodown control)", "  set max-replica-lag to 2000 ms (zerodown control)",
                    "  proceed: cutting over");
            assertThat(applier.report().toMap().get("controls").toString()).contains("set max-replica-lag to 100 ms", "proceed");
            try (Connection c = conn.open(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT SUM(amount), (SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE "
                         + "TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'orders' AND COLUMN_NAME = 'amount') FROM orders")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo(String.valueOf(5000L * 5001 / 2 + 5000) + ".00");
                assertThat(rs.getString(2)).isEqualTo("decimal(14,2)");
            }
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
