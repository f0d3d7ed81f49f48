package io.zerodown.mysql.watch;

import io.zerodown.core.source.MigrationScanner;
import io.zerodown.mysql.apply.MysqlApplier;
import io.zerodown.mysql.apply.MysqlConnections;
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
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lock rails of a MySQL/MariaDB apply, on the MariaDB server of this machine (127.0.0.1:3306, root without a
 * password), each test in a database of its own: an application session blocked by zerodown's own backfill
 * transaction pauses the backfill; a long transaction on the table makes a DDL step wait, then go on; control set
 * changes the limits of the running apply; a postponed cut-over waits for proceed, and an abort leaves it ready.
 */
class MysqlLockRailsIT {
    static final String ROOT = "jdbc:mariadb://127.0.0.1:3306/test?user=root";
    String db;
    MysqlConnections conn;
    final List<String> log = new CopyOnWriteArrayList<>();

    @BeforeEach
    void database() {
        db = LocalMariaDb.create("zd_lockrail_");
        conn = LocalMariaDb.connections(db);
    }

    @AfterEach
    void drop() throws Exception {
        LocalMariaDb.drop(db);
    }

    static void exec(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    static String one(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    static long threadId(Connection c) throws SQLException {
        return Long.parseLong(one(c, "SELECT CONNECTION_ID()"));
    }

    MysqlApplier.Watch quietWatch() {
        // canary and replica lag set by the test, no Threads_running rail: only the rails under test can pause
        return MysqlApplier.Watch.defaults().withReplicaLag(() -> 0).withCanaryP99(() -> 1.0)
                .withLimits(new MysqlGuardRails.Limits(250, 0, 2000, 1000, 0));
    }

    void orders(Path dir, int rows) throws Exception {
        Files.writeString(dir.resolve("V1__init.sql"), "CREATE TABLE orders (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, "
                + "amount decimal(12,2) NOT NULL, name varchar(50) NOT NULL) ENGINE=InnoDB;\n"
                + "INSERT INTO orders (amount, name) SELECT seq, CONCAT('n', seq) FROM seq_1_to_" + rows + ";");
        new MysqlApplier(conn, MysqlApplier.Options.defaults(), log::add).apply(MigrationScanner.standard().scan(List.of(dir)));
    }

    @Test
    void anApplicationSessionBlockedByTheBackfillBatchIsSeenAndPausesTheBackfill(@TempDir Path dir) throws Exception {
        orders(dir, 3000);
        Files.writeString(dir.resolve("V2__bump.sql"), "UPDATE orders SET amount = amount + 1;");
        CountDownLatch firstBatchWritten = new CountDownLatch(1);
        AtomicBoolean first = new AtomicBoolean(true);
        AtomicLong backfillThread = new AtomicLong();
        MysqlApplier applier = new MysqlApplier(conn, MysqlApplier.Options.defaults(), log::add).withWatch(quietWatch())
                .withBatchHook(c -> {
                    if (!first.getAndSet(false)) return;
                    try {
                        backfillThread.set(threadId(c));
                        firstBatchWritten.countDown();
                        Thread.sleep(1500); // the batch keeps its row locks: ids 1..1000 stay locked this long
                    } catch (SQLException | InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
        AtomicLong appThread = new AtomicLong();
        CompletableFuture<Long> app = CompletableFuture.supplyAsync(() -> {
            try (Connection a = conn.open()) {
                appThread.set(threadId(a));
                assertThat(firstBatchWritten.await(30, TimeUnit.SECONDS)).isTrue();
                long t0 = System.nanoTime();
                exec(a, "UPDATE orders SET name = 'app' WHERE id = 7");
                return (System.nanoTime() - t0) / 1_000_000;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        applier.apply(MigrationScanner.standard().scan(List.of(dir)));
        long appWaitedMs = app.get(30, TimeUnit.SECONDS);
        assertThat(appWaitedMs).as("the application's update waited for the batch's row lock").isGreaterThan(700);

        List<Map<String, Object>> seen = applier.lockWaits().seen();
        assertThat(seen).as("the lock watcher saw the application session wait on the backfill")
                .anySatisfy(w -> {
                    assertThat(((Number) w.get("pid")).longValue()).isEqualTo(appThread.get());
                    assertThat(((Number) w.get("blockerPid")).longValue()).isEqualTo(backfillThread.get());
                    assertThat(((Number) w.get("waitingSeconds")).doubleValue()).isGreaterThan(0.5);
                    assertThat((String) w.get("lockType")).startsWith("row X").contains("orders");
                    assertThat((String) w.get("applicationName")).startsWith("root@");
                    assertThat((String) w.get("query")).contains("UPDATE orders SET name = 'app'");
                });
        assertThat(applier.ownThreads()).contains(backfillThread.get());
        List<Map<String, Object>> pauses = applier.report().pauses();
        assertThat(pauses).as(String.join("\n", log)).anySatisfy(p -> assertThat(p.get("reason").toString())
                .startsWith("thread " + appThread.get() + " (root@")
                .contains("held by zerodown's thread " + backfillThread.get())
                .endsWith("> 500 ms"));
        assertThat(log).anyMatch(l -> l.startsWith("  paused: thread " + appThread.get()));
        try (Connection c = conn.open()) {
            assertThat(one(c, "SELECT SUM(amount) FROM orders")).isEqualTo(String.valueOf(3000L * 3001 / 2 + 3000) + ".00");
            assertThat(one(c, "SELECT name FROM orders WHERE id = 7")).isEqualTo("app");
        }
    }

    @Test
    void lockWaitsAboveTheHardLimitAbortTheBackfillResumably(@TempDir Path dir) throws Exception {
        orders(dir, 3000);
        Files.writeString(dir.resolve("V2__bump.sql"), "UPDATE orders SET amount = amount + 1;");
        CountDownLatch firstBatchWritten = new CountDownLatch(1);
        AtomicBoolean first = new AtomicBoolean(true);
        MysqlApplier.Watch watch = quietWatch().withLimits(new MysqlGuardRails.Limits(250, 0, 2000, 1000, 0).withLockWait(200, 600));
        MysqlApplier applier = new MysqlApplier(conn, MysqlApplier.Options.defaults(), log::add).withWatch(watch)
                .withBatchHook(c -> {
                    if (!first.getAndSet(false)) return;
                    firstBatchWritten.countDown();
                    try {
                        Thread.sleep(1500);
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
        CompletableFuture<Void> app = CompletableFuture.runAsync(() -> {
            try (Connection a = conn.open()) {
                assertThat(firstBatchWritten.await(30, TimeUnit.SECONDS)).isTrue();
                exec(a, "UPDATE orders SET name = 'app' WHERE id = 7");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> applier.apply(MigrationScanner.standard().scan(List.of(dir))))
                .hasMessageContaining("aborted").hasMessageContaining("> hard limit 600 ms");
        app.get(30, TimeUnit.SECONDS);
        try (Connection c = conn.open()) {
            assertThat(one(c, "SELECT watermark FROM zerodown_steps WHERE migration_id = '2'")).as("the first batch is kept")
                    .isEqualTo("1000");
        }
        new MysqlApplier(conn, MysqlApplier.Options.defaults(), log::add).withWatch(quietWatch())
                .apply(MigrationScanner.standard().scan(List.of(dir)));
        try (Connection c = conn.open()) {
            assertThat(one(c, "SELECT SUM(amount) FROM orders")).isEqualTo(String.valueOf(3000L * 3001 / 2 + 3000) + ".00");
        }
    }

    @Test
    void aLongTransactionOnTheTableMakesTheDdlStepWaitThenItProceeds(@TempDir Path dir) throws Exception {
        orders(dir, 10);
        Files.writeString(dir.resolve("V2__add.sql"), "ALTER TABLE orders ADD COLUMN note varchar(20) NULL;");
        try (Connection blocker = conn.open()) {
            blocker.setAutoCommit(false);
            long blockerThread = threadId(blocker);
            one(blocker, "SELECT COUNT(*) FROM orders"); // holds a shared metadata lock on orders until it commits
            Thread.sleep(400);
            CompletableFuture<Void> release = CompletableFuture.runAsync(() -> {
                try {
                    Thread.sleep(1500);
                    blocker.commit();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            MysqlApplier applier = new MysqlApplier(conn, MysqlApplier.Options.defaults().withLongTransactionLimit(300)
                    .withBudget(30, 30_000), log::add).withWatch(quietWatch());
            applier.apply(MigrationScanner.standard().scan(List.of(dir)));
            release.get(10, TimeUnit.SECONDS);
            assertThat(log).as("no attempt queued behind the long transaction").noneMatch(l -> l.contains("metadata lock busy"));
            assertThat(applier.report().pauses()).as(String.join("\n", log)).anySatisfy(p -> assertThat(p.get("reason").toString())
                    .startsWith("waiting before the DDL on orders: ")
                    .contains("thread " + blockerThread + " (root@")
                    .contains("transaction open ")
                    .contains("longer than 300 ms"));
            assertThat(applier.report().pauses()).allSatisfy(p -> assertThat(((Number) p.get("ms")).longValue()).isPositive());
            assertThat(log).anyMatch(l -> l.startsWith("  resuming: no long transaction holds orders"));
        }
        try (Connection c = conn.open()) {
            assertThat(one(c, "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
                    + "AND TABLE_NAME = 'orders' AND COLUMN_NAME = 'note'")).isEqualTo("1");
        }
    }

    @Test
    void aDdlAttemptThatSessionsQueueBehindTooLongIsCancelledAndRetried(@TempDir Path dir) throws Exception {
        orders(dir, 10);
        Files.writeString(dir.resolve("V2__add.sql"), "ALTER TABLE orders ADD COLUMN note varchar(20) NULL;");
        // each attempt may wait 5 s for its lock (WAIT 5), and the long-transaction rail is off: only the
        // lock-wait rail can keep the application's reads from queueing that long behind the ALTER
        MysqlApplier.Options options = new MysqlApplier.Options(5, 5, 30, 30_000, 30, false, true, false, 0);
        try (Connection holder = conn.open(); Connection app = conn.open()) {
            holder.setAutoCommit(false);
            one(holder, "SELECT COUNT(*) FROM orders"); // the ALTER waits for this shared metadata lock
            long appThread = threadId(app);
            MysqlApplier applier = new MysqlApplier(conn, options, log::add).withWatch(quietWatch());
            CompletableFuture<MysqlApplier.Outcome> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return applier.apply(MigrationScanner.standard().scan(List.of(dir)));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (Connection probe = conn.open()) {
                waitFor(() -> {
                    try {
                        return one(probe, "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = '" + db
                                + "' AND INFO LIKE 'ALTER TABLE%' AND STATE LIKE 'Waiting for table metadata lock'").equals("1");
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }, "the ALTER to wait for its lock");
            }
            long t0 = System.nanoTime();
            one(app, "SELECT COUNT(*) FROM orders"); // queues behind the ALTER's pending exclusive lock
            long appWaitedMs = (System.nanoTime() - t0) / 1_000_000;
            assertThat(appWaitedMs).as("the application's read waited until the attempt was cancelled, not 5 s").isBetween(400L, 3000L);
            waitFor(() -> log.stream().anyMatch(l -> l.contains("metadata lock busy, retry")), "the retry");
            holder.commit();
            assertThat(run.get(30, TimeUnit.SECONDS).applied()).containsExactly("2");
            assertThat(log).anyMatch(l -> l.startsWith("  cancelling the DDL attempt: thread " + appThread + " (root@")
                    && l.contains("(queued behind DDL) held by zerodown's thread") && l.endsWith("> 500 ms"));
            assertThat(applier.report().pauses()).anySatisfy(p -> assertThat(p.get("reason").toString())
                    .startsWith("thread " + appThread + " (root@"));
        }
        try (Connection c = conn.open()) {
            assertThat(one(c, "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
                    + "AND TABLE_NAME = 'orders' AND COLUMN_NAME = 'note'")).isEqualTo("1");
        }
    }

    @Test
    void aLongTransactionThatOutlivesTheBudgetStopsTheStepNamingIt(@TempDir Path dir) throws Exception {
        orders(dir, 10);
        Files.writeString(dir.resolve("V2__add.sql"), "ALTER TABLE orders ADD COLUMN note varchar(20) NULL;");
        try (Connection blocker = conn.open()) {
            blocker.setAutoCommit(false);
            long blockerThread = threadId(blocker);
            one(blocker, "SELECT COUNT(*) FROM orders");
            Thread.sleep(400);
            MysqlApplier applier = new MysqlApplier(conn, MysqlApplier.Options.defaults().withLongTransactionLimit(300)
                    .withBudget(30, 1500), log::add).withWatch(quietWatch());
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> applier.apply(MigrationScanner.standard().scan(List.of(dir))))
                    .hasMessageContaining("could not get the metadata lock on orders after 0 attempts")
                    .hasMessageContaining("thread " + blockerThread);
            blocker.rollback();
        }
    }

    @Test
    void controlSetChangesTheLimitsTheRunningApplyUses(@TempDir Path dir) throws Exception {
        orders(dir, 5000);
        Files.writeString(dir.resolve("V2__bump.sql"), "UPDATE orders SET amount = amount + 1;");
        MysqlApplier applier = new MysqlApplier(conn, MysqlApplier.Options.defaults(), log::add)
                .withWatch(quietWatch().withReplicaLag(() -> 500))
                .withBatchHook(c -> {
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
        CompletableFuture<MysqlApplier.Outcome> run = CompletableFuture.supplyAsync(() -> {
            try {
                return applier.apply(MigrationScanner.standard().scan(List.of(dir)));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try (Connection c = conn.open()) {
            waitFor(() -> log.stream().anyMatch(l -> l.startsWith("[0] UPDATE")), "the backfill to start");
            assertThat(MysqlControl.set(c, "max-replica-lag", "100ms")).isEqualTo(100);
            waitFor(() -> log.contains("  paused: replica lag 500 ms > 100 ms"), "the backfill to pause on the new limit");
            assertThat(applier.guard().settings()).containsEntry("max-replica-lag", 100L).containsEntry("batch-time", 30L);
            assertThat(MysqlControl.set(c, "batch-time", "50ms")).isEqualTo(50);
            waitFor(() -> log.contains("  set batch-time to 50 ms (zerodown control)"), "the paused run to pick up batch-time");
            assertThat(applier.guard().settings()).containsEntry("batch-time", 50L);
            assertThat(applier.guard().batchTargetMs(30)).isEqualTo(50);
            assertThat(run).as("paused").isNotDone();
            assertThat(MysqlControl.set(c, "max-replica-lag", "1.5s")).isEqualTo(1500);
        }
        run.get(60, TimeUnit.SECONDS);
        assertThat(log).contains("  set max-replica-lag to 100 ms (zerodown control)", "  set max-replica-lag to 1500 ms (zerodown control)");
        assertThat(applier.report().toMap().get("controls").toString()).contains("set max-replica-lag to 100 ms",
                "set max-replica-lag to 1500 ms");
        try (Connection c = conn.open()) {
            assertThat(one(c, "SELECT SUM(amount) FROM orders")).isEqualTo(String.valueOf(5000L * 5001 / 2 + 5000) + ".00");
        }
    }

    @Test
    void aPostponedCutOverWaitsForProceedAndAnAbortLeavesItReady(@TempDir Path dir) throws Exception {
        orders(dir, 2000);
        Files.writeString(dir.resolve("V2__widen.sql"), "ALTER TABLE orders MODIFY amount decimal(14,2) NOT NULL;");
        MysqlApplier.Options postponed = MysqlApplier.Options.defaults().withPostponeCutOver(true);
        // abort while waiting: the copy stays ready, nothing is cut over
        MysqlApplier aborted = new MysqlApplier(conn, postponed, log::add).withWatch(quietWatch());
        CompletableFuture<MysqlApplier.Outcome> first = CompletableFuture.supplyAsync(() -> {
            try {
                return aborted.apply(MigrationScanner.standard().scan(List.of(dir)));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        waitFor(() -> log.stream().anyMatch(l -> l.contains("waiting for 'zerodown control proceed'")), "the copy to be ready");
        Thread.sleep(300);
        assertThat(first).as("waits for proceed").isNotDone();
        try (Connection c = conn.open()) {
            MysqlControl.command(c, "abort");
        }
        assertThat(first.get(30, TimeUnit.SECONDS).applied()).isEmpty();
        try (Connection c = conn.open()) {
            assertThat(amountType(c)).isEqualTo("decimal(12,2)");
            assertThat(one(c, "SELECT copy_state FROM zerodown_steps WHERE migration_id = '2'")).isEqualToIgnoringCase("ready");
        }
        // again, postponed: proceed cuts over in the same run
        log.clear();
        MysqlApplier proceeding = new MysqlApplier(conn, postponed, log::add).withWatch(quietWatch());
        CompletableFuture<MysqlApplier.Outcome> second = CompletableFuture.supplyAsync(() -> {
            try {
                return proceeding.apply(MigrationScanner.standard().scan(List.of(dir)));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        waitFor(() -> log.stream().anyMatch(l -> l.contains("waiting for 'zerodown control proceed'")), "the copy to be ready again");
        try (Connection c = conn.open()) {
            assertThat(amountType(c)).isEqualTo("decimal(12,2)");
            MysqlControl.command(c, "proceed");
        }
        assertThat(second.get(30, TimeUnit.SECONDS).applied()).containsExactly("2");
        assertThat(log).contains("  proceed: cutting over");
        try (Connection c = conn.open()) {
            assertThat(amountType(c)).isEqualTo("decimal(14,2)");
            assertThat(MysqlControl.proceedRequested(c)).as("the proceed was used up").isFalse();
        }
    }

    static String amountType(Connection c) throws SQLException {
        return one(c, "SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
                + "AND TABLE_NAME = 'orders' AND COLUMN_NAME = 'amount'");
    }

    void waitFor(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        while (!condition.getAsBoolean()) {
            assertThat(System.currentTimeMillis()).as("waiting for " + what + "; log:\n" + String.join("\n", log)).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
