package io.zerodown.mysql.watch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zerodown.api.ZerodownException;
import io.zerodown.core.source.MigrationScanner;
import io.zerodown.mysql.apply.MysqlApplier;
import io.zerodown.mysql.apply.MysqlConnections;
import io.zerodown.mysql.copy.OnlineCopyException;
import io.zerodown.mysql.copy.OnlineTableCopy;
import io.zerodown.mysql.copy.OnlineTableCopy.Journal;
import io.zerodown.mysql.copy.OnlineTableCopy.Listener;
import io.zerodown.mysql.copy.OnlineTableCopy.Options;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Guard rails of the MySQL/MariaDB online copy and backfill, on the MariaDB server of this machine (127.0.0.1:3306,
 * root without a password; .ci/run starts it), each test in a database of its own. The canary itself is measured for
 * real; to make a threshold crossing deterministic, the tests that check pausing give the rails a p99 or a replica
 * lag that the test sets (a DoubleSupplier / LongSupplier), as the PostgreSQL tests do.
 */
class MysqlGuardRailsIT {
    static final String ROOT = "jdbc:mariadb://127.0.0.1:3306/test?user=root";
    static final String ALTER = "MODIFY amount DECIMAL(14,2) NOT NULL";
    String db;
    MysqlConnections conn;
    final List<String> log = new CopyOnWriteArrayList<>();
    final List<String> pauses = new CopyOnWriteArrayList<>();
    final List<Long> chunkTimes = new CopyOnWriteArrayList<>();

    @BeforeEach
    void database() {
        db = LocalMariaDb.create("zd_watch_");
        conn = LocalMariaDb.connections(db);
    }

    @AfterEach
    void drop() throws Exception {
        LocalMariaDb.drop(db);
    }

    void exec(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    String one(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    void orders(Connection c, int rows) throws SQLException {
        exec(c, "CREATE TABLE orders (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, amount DECIMAL(12,2) NOT NULL, "
                + "name VARCHAR(50) NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
        exec(c, "INSERT INTO orders (amount, name) SELECT seq % 1000 + 0.5, CONCAT('n', seq) FROM seq_1_to_" + rows);
    }

    Listener recording(Runnable onChunk) {
        return new Listener() {
            @Override
            public void log(String s) {
                log.add(s);
                System.out.println("[watch] " + s);
            }

            @Override
            public void paused(String why) {
                pauses.add(why);
                System.out.println("[watch] paused: " + why);
            }

            @Override
            public void chunk(String lastKey, int rows, long nanos) {
                chunkTimes.add(System.nanoTime());
                onChunk.run();
            }
        };
    }

    /** Longest time between two committed chunks, in ms. */
    long longestGapMs() {
        long gap = 0;
        for (int i = 1; i < chunkTimes.size(); i++) {
            gap = Math.max(gap, chunkTimes.get(i) - chunkTimes.get(i - 1));
        }
        return gap / 1_000_000;
    }

    static Options smallChunks() {
        return Options.defaults().withChunks(20, 500, 1000);
    }

    @Test
    void canaryMeasuresTheWaitAnApplicationReadSees() throws Exception {
        try (Connection c = conn.open(); Connection locker = conn.open()) {
            orders(c, 1000);
            try (MysqlCanary canary = new MysqlCanary(conn::open, List.of("orders"), null, 20).start()) {
                Thread.sleep(300);
                assertThat(canary.count()).isGreaterThan(5);
                assertThat(canary.recentP99Ms(300)).isLessThan(200);
                // a session holding the table stalls the canary's primary-key reads like the application's
                exec(locker, "LOCK TABLES orders WRITE");
                Thread.sleep(600);
                exec(locker, "UNLOCK TABLES");
                Thread.sleep(100);
                assertThat(canary.recentP99Ms(1000)).isGreaterThan(400);
                assertThat(canary.percentiles().get("max")).isGreaterThan(400);
                assertThat(canary.failures()).isZero();
            }
        }
    }

    @Test
    void canaryP99AboveTheLimitPausesTheCopyUntilItRecovers() throws Exception {
        try (Connection c = conn.open(); Connection g = conn.open()) {
            orders(c, 30_000);
            AtomicBoolean slow = new AtomicBoolean();
            AtomicInteger chunks = new AtomicInteger();
            // the p99 the rails see is set by the test: 250 ms from the 3rd chunk on, for 700 ms
            MysqlGuardRails rails = new MysqlGuardRails(g, () -> slow.get() ? 250.0 : 2.0, () -> 0,
                    new MysqlGuardRails.Limits(100, 0, 2000, 1000, 0));
            OnlineTableCopy copy = new OnlineTableCopy(c, db, "orders", ALTER, smallChunks(), Journal.inMemory(),
                    recording(() -> {
                        if (chunks.incrementAndGet() == 3) {
                            slow.set(true);
                            CompletableFuture.delayedExecutor(700, TimeUnit.MILLISECONDS).execute(() -> slow.set(false));
                        }
                    })).withGuard(rails);
            copy.prepare();
            copy.copy();
            assertThat(pauses).containsExactly("canary p99 250.0 ms > 100.0 ms");
            assertThat(longestGapMs()).as("no chunk while paused").isGreaterThanOrEqualTo(600);
            assertThat(copy.stats().pausedMillis()).isGreaterThanOrEqualTo(600);
            assertThat(copy.copyChecksum().rows()).isEqualTo(30_000);
            assertThat(copy.copyChecksum().clean()).isTrue();
            assertThat(copy.cutOver()).isEqualTo(OnlineTableCopy.State.CUT_OVER);
            assertThat(one(c, "SELECT SUM(amount) FROM orders")).isEqualTo(one(c, "SELECT SUM(amount) FROM _orders_zdold"));
        }
    }

    @Test
    void operatorPauseResumeAndAbortMidCopyAndAbortLeavesAResumableState() throws Exception {
        try (Connection c = conn.open(); Connection g = conn.open(); Connection operator = conn.open()) {
            orders(c, 30_000);
            MysqlGuardRails rails = new MysqlGuardRails(g, null, () -> 0, new MysqlGuardRails.Limits(100, 0, 2000, 0, 0));
            Journal journal = Journal.inMemory();
            AtomicInteger chunks = new AtomicInteger();
            List<String> watermarksWhilePaused = new CopyOnWriteArrayList<>();
            OnlineTableCopy copy = new OnlineTableCopy(c, db, "orders", ALTER, smallChunks(), journal, recording(() -> {
                int n = chunks.incrementAndGet();
                try {
                    if (n == 3) {
                        MysqlControl.command(operator, "pause");
                        CompletableFuture.runAsync(() -> {
                            try (Connection o = conn.open()) {
                                Thread.sleep(300);
                                watermarksWhilePaused.add(journal.watermark());
                                Thread.sleep(400);
                                watermarksWhilePaused.add(journal.watermark());
                                MysqlControl.command(o, "resume");
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        });
                    }
                    if (n == 8) {
                        MysqlControl.command(operator, "abort");
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            })).withGuard(rails);
            copy.prepare();
            assertThatThrownBy(copy::copy).isInstanceOf(OnlineCopyException.Aborted.class)
                    .hasMessageContaining("aborted by zerodown control").hasMessageContaining("resumes from the watermark");
            assertThat(pauses).contains("paused by zerodown control");
            assertThat(watermarksWhilePaused).hasSize(2);
            assertThat(watermarksWhilePaused.get(1)).as("the copy stood still while paused").isEqualTo(watermarksWhilePaused.get(0));
            assertThat(longestGapMs()).isGreaterThanOrEqualTo(600);
            assertThat(chunks.get()).as("resumed after the pause, stopped at the abort").isEqualTo(8);
            // the abort left what a crash leaves: shadow, triggers, journalled watermark; the table is untouched
            assertThat(journal.state()).isEqualTo("prepared");
            String watermark = journal.watermark();
            assertThat(watermark).isNotNull();
            long copiedBefore = journal.rowsCopied();
            assertThat(copiedBefore).isBetween(1L, 29_999L);
            assertThat(one(c, "SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() "
                    + "AND EVENT_OBJECT_TABLE = 'orders'")).isEqualTo("3");
            assertThat(one(c, "SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
                    + "AND TABLE_NAME = 'orders' AND COLUMN_NAME = 'amount'")).isEqualTo("decimal(12,2)");

            // the operator lifts the abort; a new run resumes from the watermark and finishes
            MysqlControl.command(operator, "resume");
            chunkTimes.clear();
            OnlineTableCopy again = new OnlineTableCopy(c, db, "orders", ALTER, smallChunks(), journal, recording(() -> { }))
                    .withGuard(rails);
            again.prepare();
            assertThat(log).anyMatch(s -> s.startsWith("resuming the copy") && s.contains("watermark " + watermark));
            again.copy();
            assertThat(again.stats().rows()).isEqualTo(30_000 - copiedBefore);
            assertThat(again.copyChecksum().rows()).isEqualTo(30_000);
            assertThat(again.copyChecksum().clean()).isTrue();
            assertThat(again.cutOver()).isEqualTo(OnlineTableCopy.State.CUT_OVER);
            assertThat(one(c, "SELECT COUNT(*) FROM orders")).isEqualTo("30000");
        }
    }

    @Test
    void canaryAboveTheHardLimitAbortsTheCopy() throws Exception {
        try (Connection c = conn.open(); Connection g = conn.open()) {
            orders(c, 10_000);
            AtomicInteger chunks = new AtomicInteger();
            MysqlGuardRails rails = new MysqlGuardRails(g, () -> chunks.get() >= 2 ? 1500.0 : 1.0, () -> 0,
                    new MysqlGuardRails.Limits(100, 1000, 2000, 0, 0));
            Journal journal = Journal.inMemory();
            OnlineTableCopy copy = new OnlineTableCopy(c, db, "orders", ALTER, smallChunks(), journal,
                    recording(chunks::incrementAndGet)).withGuard(rails);
            copy.prepare();
            assertThatThrownBy(copy::copy).isInstanceOfSatisfying(OnlineCopyException.Aborted.class,
                    e -> assertThat(e.reason()).isEqualTo("canary p99 1500.0 ms > hard limit 1000.0 ms"));
            assertThat(chunks.get()).isEqualTo(2);
            assertThat(journal.state()).isEqualTo("prepared");
            assertThat(journal.rowsCopied()).isGreaterThan(500).isLessThan(10_000);
            assertThat(one(c, "SELECT COUNT(*) FROM _orders_zdnew")).isEqualTo(String.valueOf(journal.rowsCopied()));
        }
    }

    @Test
    void replicaLagPausesTheBackfillAndTheReportSaysWhy(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("V1__init.sql"), "CREATE TABLE orders (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, "
                + "amount decimal(12,2) NOT NULL, name varchar(50) NOT NULL) ENGINE=InnoDB;\n"
                + "INSERT INTO orders (amount, name) SELECT seq, CONCAT('n', seq) FROM seq_1_to_20000;");
        new MysqlApplier(conn, MysqlApplier.Options.defaults(), log::add).apply(MigrationScanner.standard().scan(List.of(dir)));
        Files.writeString(dir.resolve("V2__bump.sql"), "UPDATE orders SET amount = amount + 1;");
        AtomicInteger lagReads = new AtomicInteger();
        // the replica lag is set by the test (no replica here): 5 s on the 2nd to 6th reading, then 0
        MysqlApplier.Watch watch = MysqlApplier.Watch.defaults()
                .withReplicaLag(() -> {
                    int n = lagReads.incrementAndGet();
                    return n >= 2 && n <= 6 ? 5_000 : 0;
                })
                .withCanaryP99(() -> 1.0)
                .withReport(dir.resolve("report.json"));
        MysqlApplier applier = new MysqlApplier(conn, MysqlApplier.Options.defaults(), log::add).withWatch(watch);
        applier.apply(MigrationScanner.standard().scan(List.of(dir)));
        try (Connection c = conn.open()) {
            assertThat(one(c, "SELECT SUM(amount) FROM orders")).isEqualTo(String.valueOf(20000L * 20001 / 2 + 20000) + ".00");
        }
        assertThat(log).contains("  paused: replica lag 5000 ms > 1000 ms");
        JsonNode r = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
        assertThat(r.get("engine").asText()).isEqualTo("mysql");
        assertThat(r.get("outcome").asText()).isEqualTo("done");
        assertThat(r.get("pauses")).hasSize(1);
        assertThat(r.get("pauses").get(0).get("reason").asText()).isEqualTo("replica lag 5000 ms > 1000 ms");
        assertThat(r.get("pauses").get(0).get("ms").asLong()).isGreaterThanOrEqualTo(300);
        JsonNode step = r.get("steps").get(0);
        assertThat(step.get("kind").asText()).isEqualTo("backfill");
        assertThat(step.get("state").asText()).isEqualTo("done");
        assertThat(step.get("rows").asLong()).isEqualTo(20_000);
        assertThat(step.get("chunks").size()).isGreaterThan(1);
        assertThat(step.get("rowsPerSecond").asLong()).isPositive();
        assertThat(r.get("canary").get("probes").asLong()).isPositive();
        assertThat(r.get("canary").get("latencyMs").get("p99").asDouble()).isPositive();
        assertThat(r.get("limits").get("maxReplicaLagMs").asLong()).isEqualTo(1000);
        assertThat(r.get("commands").get("resume").asText()).isEqualTo("zerodown apply --url " + conn.display());
        assertThat(r.toString()).doesNotContain("password");
    }

    @Test
    void operatorAbortStopsTheApplyCopyAndTheNextApplyFinishesIt(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("V1__init.sql"), "CREATE TABLE orders (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, "
                + "amount decimal(12,2) NOT NULL, name varchar(50) NOT NULL) ENGINE=InnoDB;\n"
                + "INSERT INTO orders (amount, name) SELECT seq, CONCAT('n', seq) FROM seq_1_to_200000;");
        new MysqlApplier(conn, MysqlApplier.Options.defaults(), log::add).apply(MigrationScanner.standard().scan(List.of(dir)));
        Files.writeString(dir.resolve("V2__widen.sql"), "ALTER TABLE orders MODIFY amount decimal(14,2) NOT NULL;");
        MysqlApplier.Watch watch = MysqlApplier.Watch.defaults().withReplicaLag(() -> 0).withCanaryP99(() -> 1.0)
                .withReport(dir.resolve("aborted.json"));
        MysqlApplier first = new MysqlApplier(conn, MysqlApplier.Options.defaults(), line -> {
            log.add(line);
            if (line.startsWith("  copying ")) {
                // the operator's second terminal: zerodown control --url ... abort
                try (Connection o = conn.open()) {
                    MysqlControl.command(o, "abort");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }
        }).withWatch(watch);
        assertThatThrownBy(() -> first.apply(MigrationScanner.standard().scan(List.of(dir))))
                .isInstanceOf(ZerodownException.class).hasMessageContaining("aborted by zerodown control");
        JsonNode r = new ObjectMapper().readTree(dir.resolve("aborted.json").toFile());
        assertThat(r.get("outcome").asText()).isEqualTo("aborted");
        assertThat(r.get("steps").get(0).get("state").asText()).isEqualTo("aborted");
        try (Connection c = conn.open()) {
            assertThat(one(c, "SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
                    + "AND TABLE_NAME = 'orders' AND COLUMN_NAME = 'amount'")).isEqualTo("decimal(12,2)");
            assertThat(one(c, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
                    + "AND TABLE_NAME = '_orders_zdnew'")).isEqualTo("1");
            assertThat(MysqlControl.state(c)).isEqualTo("abort");
        }
        // a new apply forgets the abort and resumes the copy
        new MysqlApplier(conn, MysqlApplier.Options.defaults(), log::add).withWatch(watch.withReport(dir.resolve("done.json")))
                .apply(MigrationScanner.standard().scan(List.of(dir)));
        assertThat(log).anyMatch(s -> s.contains("resuming the copy"));
        try (Connection c = conn.open()) {
            assertThat(one(c, "SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
                    + "AND TABLE_NAME = 'orders' AND COLUMN_NAME = 'amount'")).isEqualTo("decimal(14,2)");
            assertThat(one(c, "SELECT COUNT(*) FROM orders")).isEqualTo("200000");
            assertThat(MysqlControl.state(c)).isNull();
        }
        JsonNode done = new ObjectMapper().readTree(dir.resolve("done.json").toFile());
        assertThat(done.get("outcome").asText()).isEqualTo("done");
        assertThat(done.get("steps").get(0).get("checksum").get("rows").asLong()).isEqualTo(200_000);
    }

    @Test
    void controlCommandIsValidatedAndTheRunningApplyIsSeen() throws Exception {
        try (Connection c = conn.open(); Connection holder = conn.open()) {
            assertThatThrownBy(() -> MysqlControl.command(c, "stop")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'stop'").hasMessageContaining("pause, resume, abort or proceed");
            assertThat(MysqlControl.state(c)).isNull();
            assertThat(MysqlControl.applyRunning(c, db)).isFalse();
            exec(holder, "DO GET_LOCK('zerodown:" + db + "', 0)");
            assertThat(MysqlControl.applyRunning(c, db)).isTrue();
            MysqlControl.command(c, "PAUSE");
            assertThat(MysqlControl.state(c)).isEqualTo("pause");
            MysqlControl.reset(c);
            assertThat(MysqlControl.state(c)).isNull();
        }
    }

    @Test
    void heartbeatLagAndThreadsRunningPauseWithTheirReasons() throws Exception {
        try (Connection c = conn.open(); Connection g = conn.open(); Connection replica = conn.open()) {
            // the heartbeat table a primary would keep current; here the test writes how old it is
            exec(c, "CREATE TABLE heartbeat (id INT PRIMARY KEY, ts DATETIME(6) NOT NULL)");
            exec(c, "INSERT INTO heartbeat VALUES (1, UTC_TIMESTAMP(6) - INTERVAL 5 SECOND)");
            MysqlGuardRails rails = new MysqlGuardRails(g, null, MysqlGuardRails.heartbeatLag(replica, db + ".heartbeat", "ts"),
                    new MysqlGuardRails.Limits(250, 0, 2000, 1000, 0));
            OnlineTableCopy.Hold h = rails.check();
            assertThat(h).isNotNull();
            assertThat(h.abort()).isFalse();
            assertThat(h.reason()).matches("replica lag 5\\d{3} ms > 1000 ms");
            exec(c, "UPDATE heartbeat SET ts = UTC_TIMESTAMP(6)");
            assertThat(rails.check()).isNull();
            exec(c, "DELETE FROM heartbeat");
            assertThat(rails.check().reason()).startsWith("replica lag unknown");

            // Threads_running counts at least the session asking, so a limit of 1 is crossed by two running queries
            MysqlGuardRails busy = new MysqlGuardRails(g, null, () -> 0, new MysqlGuardRails.Limits(250, 0, 2000, 0, 1));
            CompletableFuture<Void> sleeper = CompletableFuture.runAsync(() -> {
                try (Connection s = conn.open()) {
                    exec(s, "DO SLEEP(1)");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(300);
            assertThat(busy.check().reason()).matches("Threads_running \\d+ > 1");
            sleeper.get(5, TimeUnit.SECONDS);
        }
    }
}
