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

/** plan, start, version, status, complete and rollback of a versioned migration through the command line. */
class VersionedCommandsIT {
    static EmbeddedPostgres pg;

    @BeforeAll
    static void start() throws Exception {
        pg = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stop() throws Exception {
        pg.close();
    }

    static final String MIGRATION = """
            name: v2
            operations:
              - rename_column: {table: users, from: name, to: full_name}
              - add_column: {table: users, column: {name: score, type: int}, up: "length(name)"}
            """;

    static String setUp() throws Exception {
        String db = "vcli_" + Long.toHexString(System.nanoTime());
        try (Connection c = DriverManager.getConnection(pg.getJdbcUrl("postgres", "postgres")); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + db);
        }
        try (Connection c = DriverManager.getConnection(pg.getJdbcUrl("postgres", db)); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE users (id bigserial PRIMARY KEY, name text); INSERT INTO users (name) SELECT 'user' || g FROM generate_series(1, 2000) g");
        }
        return "postgresql://postgres@localhost:" + pg.getPort() + "/" + db;
    }

    static String one(String jdbcUrl, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", ""); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    @Test
    void planStartVersionStatusComplete(@TempDir Path dir) throws Exception {
        String url = setUp();
        Path file = dir.resolve("v2.yaml");
        Files.writeString(file, MIGRATION);

        LintCommandTest.Result plan = run("plan", "--url", url, file.toString());
        assertThat(plan.code()).as(plan.err()).isZero();
        assertThat(plan.out()).contains("zerodown start:", "ACCESS EXCLUSIVE (catalog only, brief)", "CREATE TRIGGER \"_zd_v2_sync\"",
                "CREATE VIEW \"public_v2\".\"users\"", "\"name\" AS \"full_name\"", "zerodown complete", "RENAME COLUMN \"name\" TO \"full_name\"",
                "zerodown rollback");

        LintCommandTest.Result started = run("start", "--url", url, "--batch-size", "500", file.toString());
        assertThat(started.code()).as(started.err()).isZero();
        assertThat(started.out()).contains("version v2 is live in schema public_v2", "backfill users done: 2000 rows");

        LintCommandTest.Result sp = run("version", "--url", url, "--print", "search_path");
        assertThat(sp.out().trim()).isEqualTo("\"public_v2\", \"public\"");
        LintCommandTest.Result jdbc = run("version", "--url", url, "--print", "jdbc-url");
        String appUrl = jdbc.out().trim();
        assertThat(appUrl).endsWith("?currentSchema=public_v2,public");
        // the printed URL is what a new app instance uses: it sees the new names
        assertThat(one(appUrl, "SELECT full_name || ':' || score FROM users WHERE id = 7")).isEqualTo("user7:5");
        LintCommandTest.Result role = run("version", "--url", url, "--print", "role-sql", "--role", "app_v2");
        assertThat(role.out()).contains("ALTER ROLE \"app_v2\" SET search_path = \"public_v2\", \"public\";");

        LintCommandTest.Result status = run("status", "--url", url);
        assertThat(status.out()).contains("live versions", "(tables)", "old version", "v2", "new version, live");

        LintCommandTest.Result again = run("start", "--url", url, file.toString());
        assertThat(again.code()).isEqualTo(2);
        assertThat(again.err()).contains("already started", "zerodown complete");

        LintCommandTest.Result done = run("complete", "--url", url);
        assertThat(done.code()).as(done.err()).isZero();
        assertThat(one(appUrl, "SELECT full_name || ':' || score FROM public.users WHERE id = 7")).isEqualTo("user7:5");
        assertThat(run("status", "--url", url).out()).contains("current (completed)");
    }

    @Test
    void rollbackUndoesTheVersionedStart(@TempDir Path dir) throws Exception {
        String url = setUp();
        Path file = dir.resolve("v2.json");
        Files.writeString(file, "{\"name\": \"v2\", \"operations\": [{\"add_column\": {\"table\": \"users\", "
                + "\"column\": {\"name\": \"score\", \"type\": \"int\"}, \"up\": \"1\"}}]}");
        assertThat(run("start", "--url", url, file.toString()).code()).isZero();
        LintCommandTest.Result rb = run("rollback", "--url", url);
        assertThat(rb.code()).as(rb.err()).isZero();
        assertThat(rb.out()).contains("rolled back: version v2");
        String jdbc = "jdbc:postgresql://localhost:" + pg.getPort() + url.substring(url.lastIndexOf('/'));
        assertThat(one(jdbc, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'users'")).isEqualTo("2");
        assertThat(one(jdbc, "SELECT count(*) FROM pg_namespace WHERE nspname = 'public_v2'")).isEqualTo("0");

        LintCommandTest.Result bad = run("start", "--url", url, dir.resolve("missing.yaml").toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("missing.yaml", "cannot read the file");
    }
}
