package io.zerodown.postgres.watch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zerodown.core.plan.Step;
import io.zerodown.core.source.MigrationScanner;
import io.zerodown.postgres.PostgresVersions;
import io.zerodown.postgres.apply.ApplyListener;
import io.zerodown.postgres.apply.ApplyOptions;
import io.zerodown.postgres.apply.PostgresApplier;
import io.zerodown.postgres.apply.PostgresConnections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The report of a real run that met a long transaction, a lagging replica (a lag signal the test controls), an app
 * session waiting on another's row lock, and a setting changed while it ran: the JSON holds each of them as measured,
 * and the HTML shows them with no outside resource.
 */
class RunReportIT {
    static int pid(Connection c) throws Exception {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void reportHoldsWhatTheRunMet(@TempDir Path dir) throws Exception {
        PostgresVersions.Server server = PostgresVersions.embedded(16);
        PostgresConnections db = PostgresConnections.of(server.freshDatabase(), server.user());
        Path migrations = Files.createDirectories(dir.resolve("m"));
        Files.writeString(migrations.resolve("V1__init.sql"), "CREATE TABLE items (id bigint PRIMARY KEY, v int);\n"
                + "INSERT INTO items SELECT g, g FROM generate_series(1, 20000) g;\n"
                + "CREATE TABLE other (id int PRIMARY KEY, n int); INSERT INTO other VALUES (1, 0);\n"
                // every UPDATE statement on items takes at least 10 ms, so the backfill lasts a few seconds
                + "CREATE FUNCTION slow_statement() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN PERFORM pg_sleep(0.01); RETURN NULL; END$$;\n"
                + "CREATE TRIGGER slow BEFORE UPDATE ON items FOR EACH STATEMENT EXECUTE FUNCTION slow_statement();");
        new PostgresApplier(db, ApplyOptions.defaults(), ApplyListener.NONE).apply(MigrationScanner.standard().scan(List.of(migrations)));
        Files.writeString(migrations.resolve("V2__token.sql"), "ALTER TABLE items ADD COLUMN token text DEFAULT md5(random()::text);\n"
                + "CREATE INDEX items_v_idx ON items (v);");

        AtomicLong rows = new AtomicLong();
        List<String> paused = new java.util.concurrent.CopyOnWriteArrayList<>();
        RunReport report = new RunReport(new ApplyListener() {
            @Override
            public void backfillProgress(Step step, long rowsDone, long estimatedRows, int batchSize) {
                rows.set(rowsDone);
            }

            @Override
            public void paused(String reason) {
                paused.add(reason);
            }
        }, db);
        GuardRails rails = new GuardRails(report::canaryRecentP99Ms, 10_000, 0);
        // the lag signal: 3 s for its first three readings, then 0.7 s, against a 2 s limit
        AtomicInteger readings = new AtomicInteger();
        ApplyOptions o = ApplyOptions.defaults().withBackfill(30, 50, 10, 100)
                .withReplicaLag(2_000, () -> readings.incrementAndGet() <= 3 ? 3_000 : 700).withGuardRails(rails);
        report.settings(() -> rails.settings(o.backfillTargetMs(), o.maxReplicaLagMs()));
        report.commands("zerodown apply --url X m", "zerodown rollback --url X");

        int blockerPid;
        int writerPid;
        int waiterPid;
        try (Connection blocker = db.open(); Connection writer = db.open(); Connection waiter = db.open()) {
            try (Statement st = blocker.createStatement()) {
                st.execute("SET application_name = 'report-job'");
                blocker.setAutoCommit(false);
                st.execute("SELECT count(*) FROM items WHERE id < 10"); // a long transaction holding ACCESS SHARE on items
            }
            blockerPid = pid(blocker);
            try (Statement st = writer.createStatement()) {
                writer.setAutoCommit(false);
                st.execute("UPDATE other SET n = n + 1 WHERE id = 1"); // holds the row lock the app-writer will wait for
            }
            writerPid = pid(writer);
            try (Statement st = waiter.createStatement()) {
                st.execute("SET application_name = 'app-writer'");
            }
            waiterPid = pid(waiter);
            CompletableFuture<Void> waits = CompletableFuture.runAsync(() -> {
                try (Statement st = waiter.createStatement()) {
                    st.execute("UPDATE other SET n = n + 1 WHERE id = 1");
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            CompletableFuture<Object> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return new PostgresApplier(db, o, report).apply(MigrationScanner.standard().scan(List.of(migrations)));
                } catch (Exception e) {
                    return e;
                }
            });
            // release the long transaction and the row lock only once the run has met both: held back, and seen waiting
            long until = System.currentTimeMillis() + 60_000;
            while (paused.stream().noneMatch(p -> p.startsWith("long transaction pid " + blockerPid))
                    || ((List<?>) report.live().get("lockWaits")).isEmpty()) {
                assertThat(System.currentTimeMillis()).as("the run to meet the long transaction and the lock wait").isLessThan(until);
                Thread.sleep(50);
            }
            blocker.commit();
            writer.commit();
            waits.get(10, TimeUnit.SECONDS);
            long deadline = System.currentTimeMillis() + 60_000;
            while (rows.get() == 0 && System.currentTimeMillis() < deadline) Thread.sleep(20);
            try (Connection c = db.open()) {
                GuardRails.set(c, "batch-time", "40ms");
            }
            assertThat(run.get(120, TimeUnit.SECONDS)).isInstanceOf(PostgresApplier.Outcome.class);
        }
        report.verification(List.of("no INVALID index, every constraint zerodown validated is valid"));
        report.finish("done", null);
        Path html = report.write(dir.resolve("reports"));
        Path json = Path.of(html.toString().replaceAll("\\.html$", ".json"));
        JsonNode r = new ObjectMapper().readTree(json.toFile());

        assertThat(r.path("outcome").asText()).isEqualTo("done");
        assertThat(r.path("migrations").toString()).contains("V2__token.sql");
        List<String> kinds = new ArrayList<>();
        for (JsonNode s : r.path("steps")) {
            assertThat(s.path("state").asText()).as(s.toString()).isEqualTo("done");
            assertThat(s.path("millis").isNumber()).as(s.toString()).isTrue();
            kinds.add(s.path("phase").asText());
        }
        assertThat(kinds).contains("expand", "backfill");
        JsonNode first = r.path("steps").get(0);
        assertThat(first.path("lockRetries").asInt()).as("the long transaction held the first step back").isPositive();
        assertThat(first.path("lastLockRetryReason").asText()).contains("pid " + blockerPid);
        assertThat(r.path("lockRetries").asInt()).isGreaterThanOrEqualTo(first.path("lockRetries").asInt());
        assertThat(r.path("locksTaken").toString()).contains("ACCESS EXCLUSIVE", "SHARE UPDATE EXCLUSIVE");
        JsonNode backfill = null;
        for (JsonNode s : r.path("steps")) if (s.path("phase").asText().equals("backfill")) backfill = s;
        assertThat(backfill.path("rows").asLong()).isEqualTo(20_000);
        assertThat(backfill.path("rowsPerSecond").asLong()).isPositive();
        assertThat(r.path("rowsPerSecond").size()).isPositive();

        assertThat(r.path("maxReplicaLagMs").asLong()).isEqualTo(3_000);
        assertThat(r.path("replicaLag").toString()).contains("3000.0", "700.0");
        String pauses = r.path("pauses").toString();
        assertThat(pauses).contains("long transaction pid " + blockerPid + " (report-job", "replica lag 3000 ms > 2000 ms");
        assertThat(r.path("controls").toString()).contains("batch-time set to 40 ms by zerodown control");
        assertThat(r.path("settings").path("batch-time").asLong()).isEqualTo(40);

        JsonNode waits = r.path("lockWaitsSeen");
        boolean seen = false;
        for (JsonNode w : waits) {
            if (w.path("pid").asInt() == waiterPid) {
                seen = true;
                assertThat(w.path("applicationName").asText()).isEqualTo("app-writer");
                assertThat(w.path("blockerPid").asInt()).isEqualTo(writerPid);
                assertThat(w.path("waitingSeconds").asDouble()).isPositive();
            }
        }
        assertThat(seen).as("the app-writer's wait in " + waits).isTrue();

        JsonNode canary = r.path("canary");
        long probes = canary.path("probes").asLong();
        assertThat(probes).isPositive();
        long inBuckets = 0;
        for (JsonNode b : canary.path("histogram")) inBuckets += b.get(1).asLong();
        assertThat(inBuckets).isEqualTo(probes);
        assertThat(canary.path("percentiles").path("p99").asDouble()).isLessThanOrEqualTo(canary.path("maxMs").asDouble());
        assertThat(r.path("verification").toString()).contains("no INVALID index");
        assertThat(r.path("resume").asText()).isEqualTo("zerodown apply --url X m");
        assertThat(r.path("rollback").asText()).isEqualTo("zerodown rollback --url X");

        String page = Files.readString(html);
        assertThat(page).contains("id=\"canary-chart\"", "id=\"canary-histogram\"", "id=\"lag-chart\"", "id=\"rate-chart\"",
                "id=\"lock-waits\"", "app-writer", "long transaction pid " + blockerPid, "replica lag 3000 ms &gt; 2000 ms",
                "batch-time set to 40 ms", "zerodown rollback --url X", "no INVALID index");
        // self-contained: no script, stylesheet, image or link fetched from anywhere
        assertThat(page.replace("xmlns=\"http://www.w3.org/2000/svg\"", "")).doesNotContain("http://", "https://", "src=", "href=", "<link");
    }
}
