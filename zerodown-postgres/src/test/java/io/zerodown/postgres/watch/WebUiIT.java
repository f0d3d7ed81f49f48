package io.zerodown.postgres.watch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zerodown.core.source.MigrationScanner;
import io.zerodown.postgres.PostgresVersions;
import io.zerodown.postgres.apply.ApplyListener;
import io.zerodown.postgres.apply.ApplyOptions;
import io.zerodown.postgres.apply.PostgresApplier;
import io.zerodown.postgres.apply.PostgresConnections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The live page over HTTP during a real backfill: its state moves, and its pause and resume buttons take effect. */
class WebUiIT {
    final HttpClient http = HttpClient.newHttpClient();
    final ObjectMapper json = new ObjectMapper();

    JsonNode state(int port) throws Exception {
        return json.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/state")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    int post(int port, String action) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/control?action=" + action))
                .header(WebUi.CONTROL_HEADER, "control").POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    /** A control request as another web site could send it: no custom header (it would need a CORS preflight). */
    int postWithoutHeader(int port, String action) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/control?action=" + action))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    static long rowsDone(PostgresConnections db) throws Exception {
        try (Connection c = db.open(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT coalesce(max(rows_done), 0) FROM zerodown.steps WHERE migration_id = '2'")) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            return 0;
        }
    }

    /**
     * Makes every UPDATE statement on items take at least 10 ms, like a busy table's, so the backfill lasts seconds
     * on any machine and the test's clicks land while it runs.
     */
    static final String SLOW_UPDATES = "CREATE FUNCTION slow_statement() RETURNS trigger LANGUAGE plpgsql AS "
            + "$$BEGIN PERFORM pg_sleep(0.01); RETURN NULL; END$$;\n"
            + "CREATE TRIGGER slow BEFORE UPDATE ON items FOR EACH STATEMENT EXECUTE FUNCTION slow_statement();\n";

    @Test
    void pageShowsTheRunAndItsButtonsPauseAndResume(@TempDir Path dir) throws Exception {
        PostgresVersions.Server server = PostgresVersions.embedded(16);
        PostgresConnections db = PostgresConnections.of(server.freshDatabase(), server.user());
        Files.writeString(dir.resolve("V1__init.sql"), "CREATE TABLE items (id bigint PRIMARY KEY, v int);\n"
                + "INSERT INTO items SELECT g, g FROM generate_series(1, 60000) g;\n" + SLOW_UPDATES);
        new PostgresApplier(db, ApplyOptions.defaults(), ApplyListener.NONE).apply(MigrationScanner.standard().scan(List.of(dir)));
        Files.writeString(dir.resolve("V2__fill.sql"), "ALTER TABLE items ADD COLUMN token text DEFAULT md5(random()::text);");

        RunReport report = new RunReport(ApplyListener.NONE, db);
        try (WebUi ui = new WebUi(0, report, db)) {
            int port = ui.port();
            String page = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(page).contains("Canary latency", "id=\"pause\"", "/api/state").doesNotContain("http://", "https://");
            ApplyOptions o = ApplyOptions.defaults().withBackfill(30, 50, 10, 100)
                    .withGuardRails(new GuardRails(report::canaryRecentP99Ms, 10_000, 0));
            CompletableFuture<PostgresApplier.Outcome> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return new PostgresApplier(db, o, report).apply(MigrationScanner.standard().scan(List.of(dir)));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            long deadline = System.currentTimeMillis() + 60_000;
            JsonNode s = state(port);
            while (System.currentTimeMillis() < deadline && (s.path("rowsDone").asLong() < 1000
                    || !s.path("currentStep").asText().contains("backfill"))) {
                Thread.sleep(50);
                s = state(port);
            }
            assertThat(s.path("currentStep").asText()).contains("backfill");
            assertThat(s.path("canary").path("probes").asLong()).isPositive();
            assertThat(postWithoutHeader(port, "pause")).isEqualTo(403);
            Thread.sleep(400);
            assertThat(state(port).path("pauses").toString()).doesNotContain("paused by zerodown control");
            assertThat(post(port, "set&name=batch-time&value=soon")).isEqualTo(400);
            assertThat(post(port, "set&name=nap-time&value=5ms")).isEqualTo(400);
            assertThat(post(port, "pause")).isEqualTo(200);
            Thread.sleep(800);
            long paused = rowsDone(db);
            Thread.sleep(800);
            assertThat(rowsDone(db)).isEqualTo(paused);
            assertThat(state(port).path("pauses").toString()).contains("paused by zerodown control");
            assertThat(post(port, "resume")).isEqualTo(200);
            PostgresApplier.Outcome out = run.get(120, TimeUnit.SECONDS);
            assertThat(out.applied()).contains("2");
            assertThat(post(port, "bogus")).isEqualTo(400);
        }
        assertThat(rowsDone(db)).isEqualTo(60_000);
    }
}
