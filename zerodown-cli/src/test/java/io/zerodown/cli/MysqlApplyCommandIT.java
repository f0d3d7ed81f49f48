package io.zerodown.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Stream;

import static io.zerodown.cli.LintCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code zerodown apply --url mysql://…} on the local MariaDB runs the online copy with the guard-rail flags of the
 * command line: the canary probes the table, the limits given on the command line are the ones in force, and the run's
 * JSON report lands in --report-dir.
 */
class MysqlApplyCommandIT {
    static final String SERVER = "jdbc:mariadb://127.0.0.1:3306/test?user=root";

    @Test
    void applyRunsTheOnlineCopyUnderTheCommandLinesGuardRailsAndWritesItsReport(@TempDir Path dir) throws Exception {
        String db = "zd_cli_apply_" + Long.toHexString(System.nanoTime());
        try (Connection c = DriverManager.getConnection(SERVER); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + db);
        }
        try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/" + db + "?user=root");
             Statement st = c.createStatement()) {
            st.execute("CREATE TABLE orders (id bigint PRIMARY KEY AUTO_INCREMENT, amount decimal(10,2) NOT NULL DEFAULT 0)");
            st.execute("INSERT INTO orders (amount) SELECT seq / 100 FROM seq_1_to_30000");
            Path migrations = Files.createDirectories(dir.resolve("m"));
            // a precision change: a COPY on every MariaDB, so apply runs the online copy
            Files.writeString(migrations.resolve("V1__widen.sql"), "ALTER TABLE orders MODIFY amount decimal(14,2) NOT NULL DEFAULT 0;\n");
            Path reports = dir.resolve("reports");

            LintCommandTest.Result r = run("apply", "--url", "mysql://root@127.0.0.1:3306/" + db, "--canary-pause", "300ms",
                    "--canary-abort", "7s", "--max-replica-lag", "3s", "--report-dir", reports.toString(), migrations.toString());

            assertThat(r.code()).as(r.out() + r.err()).isZero();
            try (ResultSet rs = st.executeQuery("SELECT column_type FROM information_schema.columns WHERE table_schema = '" + db
                    + "' AND table_name = 'orders' AND column_name = 'amount'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("decimal(14,2)");
            }
            try (ResultSet rs = st.executeQuery("SELECT count(*), sum(amount) FROM orders")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(30000);
                assertThat(rs.getBigDecimal(2)).isEqualByComparingTo("4500150.00");
            }
            List<Path> files;
            try (Stream<Path> s = Files.list(reports)) {
                files = s.filter(p -> p.getFileName().toString().endsWith("-mysql.json")).toList();
            }
            assertThat(files).hasSize(1);
            Path html = files.get(0).resolveSibling(files.get(0).getFileName().toString().replace(".json", ".html"));
            assertThat(r.out()).contains("report: " + html + " (and " + files.get(0) + ")");
            String page = Files.readString(html);
            // the self-contained HTML report: the plan's steps, the canary's chart and histogram, no outside resource
            assertThat(page).contains("<table id=\"steps\"", "online copy", "id=\"canary-chart\"", "id=\"canary-histogram\"")
                    .doesNotContain("src=\"http", "href=\"http", "url(http");
            // status links the newest report
            LintCommandTest.Result status = run("status", "--url", "mysql://root@127.0.0.1:3306/" + db, "--report-dir", reports.toString());
            assertThat(status.code()).as(status.out() + status.err()).isZero();
            assertThat(status.out()).contains("last report: " + html, "V1");
            JsonNode report = new ObjectMapper().readTree(files.get(0).toFile());
            assertThat(report.path("engine").asText()).isEqualTo("mysql");
            assertThat(report.path("outcome").asText()).isEqualTo("done");
            assertThat(report.path("limits").path("canaryPauseMs").asDouble()).isEqualTo(300);
            assertThat(report.path("limits").path("canaryAbortMs").asDouble()).isEqualTo(7000);
            assertThat(report.path("limits").path("maxReplicaLagMs").asLong()).isEqualTo(3000);
            assertThat(report.path("steps").size()).isPositive();
            JsonNode step = report.path("steps").get(0);
            assertThat(step.path("phase").asText()).isNotEmpty();
            assertThat(step.path("lock").asText()).isNotEmpty();
            assertThat(step.path("rows").asLong()).isEqualTo(30000);
            assertThat(report.path("canary").path("samples").size()).isPositive();
            assertThat(report.path("canary").path("histogram").size()).isPositive();
            assertThat(report.path("rowsPerSecond").isArray()).isTrue();
        } finally {
            try (Connection c = DriverManager.getConnection(SERVER); Statement st = c.createStatement()) {
                st.execute("DROP DATABASE " + db);
            }
        }
    }
}
