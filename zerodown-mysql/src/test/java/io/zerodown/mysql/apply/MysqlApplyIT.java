package io.zerodown.mysql.apply;

import io.zerodown.api.ZerodownException;
import io.zerodown.core.plan.PlanRefusedException;
import io.zerodown.core.source.MigrationScanner;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** apply on the MariaDB server of this machine (127.0.0.1:3306, root, no password): native DDL, retries, guard, backfill. */
class MysqlApplyIT {
    static final String ROOT = "jdbc:mariadb://127.0.0.1:3306/test?user=root";
    String db;
    MysqlConnections conn;
    final List<String> log = new ArrayList<>();

    @BeforeEach
    void database() throws Exception {
        db = "zd_" + Long.toHexString(System.nanoTime());
        try (Connection c = DriverManager.getConnection(ROOT); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + db);
        }
        conn = MysqlConnections.parse("mysql://root@127.0.0.1:3306/" + db);
    }

    MysqlApplier applier(MysqlApplier.Options o) {
        return new MysqlApplier(conn, o, log::add);
    }

    void apply(Path dir) throws Exception {
        applier(MysqlApplier.Options.defaults()).apply(MigrationScanner.standard().scan(List.of(dir)));
    }

    String one(String sql) throws Exception {
        try (Connection c = conn.open(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    @Test
    void nativeDdlRunsWithExplicitAlgorithmAndTheJournalRecordsIt(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("V1__init.sql"), "CREATE TABLE orders (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, "
                + "customer varchar(50) NOT NULL, amount decimal(12,2) NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n"
                + "INSERT INTO orders (customer, amount) SELECT CONCAT('c', seq), seq FROM seq_1_to_5000;");
        apply(dir);
        Files.writeString(dir.resolve("V2__change.sql"), "ALTER TABLE orders ADD COLUMN note text;\n"
                + "ALTER TABLE orders ADD INDEX orders_customer_idx (customer);\nUPDATE orders SET amount = amount + 1;");
        apply(dir);
        assertThat(one("SELECT sql_text FROM zerodown_steps WHERE migration_id = '2' AND idx = 0")).contains("ALGORITHM=INSTANT");
        assertThat(one("SELECT sql_text FROM zerodown_steps WHERE migration_id = '2' AND idx = 1")).contains("ALGORITHM=").contains("LOCK=NONE");
        assertThat(one("SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND INDEX_NAME = 'orders_customer_idx'"))
                .isNotEqualTo("0");
        assertThat(one("SELECT SUM(amount) FROM orders")).isEqualTo(String.valueOf((5000L * 5001 / 2) + 5000) + ".00");
        assertThat(one("SELECT rows_done FROM zerodown_steps WHERE migration_id = '2' AND idx = 2")).isEqualTo("5000");
        assertThat(one("SELECT status FROM zerodown_migrations WHERE id = '2'")).isEqualTo("done");
    }

    @Test
    void metadataLockWaitIsRetriedUntilTheBlockerCommits(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("V1__init.sql"), "CREATE TABLE t (id int PRIMARY KEY, v int);\nINSERT INTO t VALUES (1, 1);");
        apply(dir);
        Files.writeString(dir.resolve("V2__add.sql"), "ALTER TABLE t ADD COLUMN w int;");
        try (Connection blocker = conn.open()) {
            blocker.setAutoCommit(false);
            try (Statement st = blocker.createStatement()) {
                st.executeQuery("SELECT * FROM t").close();
            }
            CompletableFuture<Void> release = CompletableFuture.runAsync(() -> {
                try {
                    Thread.sleep(1500);
                    blocker.commit();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            apply(dir);
            release.get(5, TimeUnit.SECONDS);
        }
        assertThat(log).anyMatch(l -> l.contains("metadata lock busy, retry"));
        assertThat(one("SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 't' "
                + "AND COLUMN_NAME = 'w'")).isEqualTo("1");
    }

    @Test
    void givesUpNamingTheBlockingTransaction(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("V1__init.sql"), "CREATE TABLE t (id int PRIMARY KEY);\nINSERT INTO t VALUES (1);");
        apply(dir);
        Files.writeString(dir.resolve("V2__add.sql"), "ALTER TABLE t ADD COLUMN w int;");
        try (Connection blocker = conn.open()) {
            blocker.setAutoCommit(false);
            long id;
            try (Statement st = blocker.createStatement()) {
                st.executeQuery("SELECT * FROM t").close();
                try (ResultSet rs = st.executeQuery("SELECT CONNECTION_ID()")) {
                    rs.next();
                    id = rs.getLong(1);
                }
            }
            assertThatThrownBy(() -> applier(MysqlApplier.Options.defaults().withBudget(3, 10_000))
                    .apply(MigrationScanner.standard().scan(List.of(dir))))
                    .isInstanceOf(ZerodownException.class).hasMessageContaining("thread " + id).hasMessageContaining("3 attempts");
            blocker.rollback();
        }
        assertThat(one("SELECT status FROM zerodown_migrations WHERE id = '2'")).isEqualTo("failed");
    }

    @Test
    void secondRunnerIsTurnedAway(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("V1__init.sql"), "CREATE TABLE t (id int PRIMARY KEY);");
        try (Connection other = conn.open(); Statement st = other.createStatement()) {
            st.executeQuery("SELECT GET_LOCK('zerodown:" + db + "', 0)").close();
            assertThatThrownBy(() -> apply(dir)).isInstanceOf(ZerodownException.class).hasMessageContaining("holds the migration lock");
        }
        apply(dir);
        assertThat(one("SELECT COUNT(*) FROM t")).isEqualTo("0");
    }

    @Test
    void copyClassChangeRunsAsAnOnlineCopy(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("V1__init.sql"), "CREATE TABLE t (id int PRIMARY KEY, c varchar(50)) DEFAULT CHARSET=utf8mb4;\n"
                + "INSERT INTO t SELECT seq, CONCAT('v', seq) FROM seq_1_to_20000;");
        apply(dir);
        Files.writeString(dir.resolve("V2__widen.sql"), "ALTER TABLE t MODIFY c varchar(200);");
        apply(dir);
        assertThat(one("SELECT CHARACTER_MAXIMUM_LENGTH FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
                + "AND TABLE_NAME = 't' AND COLUMN_NAME = 'c'")).isEqualTo("200");
        assertThat(one("SELECT COUNT(*) FROM t")).isEqualTo("20000");
        assertThat(one("SELECT SUM(CRC32(c)) FROM t")).isEqualTo(one("SELECT SUM(CRC32(CONCAT('v', seq))) FROM seq_1_to_20000"));
        assertThat(one("SELECT kind FROM zerodown_steps WHERE migration_id = '2' AND idx = 0")).isEqualTo("ONLINE_COPY");
        assertThat(one("SELECT rows_done FROM zerodown_steps WHERE migration_id = '2' AND idx = 0")).isEqualTo("20000");
        assertThat(log).anyMatch(l -> l.contains("old table kept as"));
        assertThat(log).anyMatch(l -> l.contains("has exactly the definition the ALTER gives"));
    }

    @Test
    void failedMigrationRollsBackNativeStepsAndRevertsTheCopy(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("V1__init.sql"), "CREATE TABLE t (id int PRIMARY KEY, c varchar(50), v int) DEFAULT CHARSET=utf8mb4;\n"
                + "INSERT INTO t SELECT seq, CONCAT('v', seq), seq FROM seq_1_to_3000;");
        apply(dir);
        Files.writeString(dir.resolve("V2__change.sql"), "ALTER TABLE t ADD COLUMN note text;\nALTER TABLE t MODIFY c varchar(200);\n"
                + "ALTER TABLE t ADD COLUMN note int;");
        assertThatThrownBy(() -> apply(dir)).isInstanceOf(ZerodownException.class).hasMessageContaining("V2__change.sql:3");
        assertThat(one("SELECT status FROM zerodown_migrations WHERE id = '2'")).isEqualTo("failed");
        assertThat(one("SELECT CHARACTER_MAXIMUM_LENGTH FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
                + "AND TABLE_NAME = 't' AND COLUMN_NAME = 'c'")).isEqualTo("200");
        List<String> undone = applier(MysqlApplier.Options.defaults()).rollback(null);
        assertThat(undone).hasSize(2);
        assertThat(one("SELECT CHARACTER_MAXIMUM_LENGTH FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
                + "AND TABLE_NAME = 't' AND COLUMN_NAME = 'c'")).isEqualTo("50");
        assertThat(one("SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 't' "
                + "AND COLUMN_NAME = 'note'")).isEqualTo("0");
        assertThat(one("SELECT COUNT(*) FROM t")).isEqualTo("3000");
        assertThat(one("SELECT status FROM zerodown_migrations WHERE id = '2'")).isEqualTo("rolled_back");
    }

    @Test
    void killedProcessMidCopyResumesFromTheWatermark(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("V1__init.sql"), "CREATE TABLE t (id int PRIMARY KEY, c varchar(50)) DEFAULT CHARSET=utf8mb4;\n"
                + "INSERT INTO t SELECT seq, CONCAT('v', seq) FROM seq_1_to_400000;");
        apply(dir);
        Files.writeString(dir.resolve("V2__widen.sql"), "ALTER TABLE t MODIFY c varchar(200);");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), MysqlApplyProcessMain.class.getName(),
                "mysql://root@127.0.0.1:3306/" + db, dir.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("child.log").toFile()).start();
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            String n = null;
            try {
                n = one("SELECT rows_done FROM zerodown_steps WHERE migration_id = '2' AND kind = 'ONLINE_COPY'");
            } catch (Exception ignored) {
                // the journal may not exist yet
            }
            if (n != null && Long.parseLong(n) > 20_000) break;
            Thread.sleep(20);
        }
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        long partial = Long.parseLong(one("SELECT rows_done FROM zerodown_steps WHERE migration_id = '2' AND kind = 'ONLINE_COPY'"));
        assertThat(partial).isBetween(1L, 399_999L);
        assertThat(one("SELECT CHARACTER_MAXIMUM_LENGTH FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
                + "AND TABLE_NAME = 't' AND COLUMN_NAME = 'c'")).isEqualTo("50");
        apply(dir);
        assertThat(one("SELECT CHARACTER_MAXIMUM_LENGTH FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
                + "AND TABLE_NAME = 't' AND COLUMN_NAME = 'c'")).isEqualTo("200");
        assertThat(one("SELECT COUNT(*) FROM t")).isEqualTo("400000");
        assertThat(one("SELECT rows_done FROM zerodown_steps WHERE migration_id = '2' AND kind = 'ONLINE_COPY'")).isEqualTo("400000");
        assertThat(log).noneMatch(l -> l.contains("from the start"));
    }

    @Test
    void postponedCutOverWaitsForTheNextApply(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("V1__init.sql"), "CREATE TABLE t (id int PRIMARY KEY, c varchar(50)) DEFAULT CHARSET=utf8mb4;\n"
                + "INSERT INTO t SELECT seq, CONCAT('v', seq) FROM seq_1_to_5000;");
        apply(dir);
        Files.writeString(dir.resolve("V2__widen.sql"), "ALTER TABLE t MODIFY c varchar(200);");
        MysqlApplier.Outcome first = applier(MysqlApplier.Options.defaults().withPostponeCutOver(true))
                .apply(MigrationScanner.standard().scan(List.of(dir)));
        assertThat(first.applied()).isEmpty();
        assertThat(one("SELECT CHARACTER_MAXIMUM_LENGTH FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
                + "AND TABLE_NAME = 't' AND COLUMN_NAME = 'c'")).isEqualTo("50");
        try (Connection c = conn.open(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO t VALUES (5001, 'written while waiting')");
        }
        apply(dir);
        assertThat(one("SELECT CHARACTER_MAXIMUM_LENGTH FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
                + "AND TABLE_NAME = 't' AND COLUMN_NAME = 'c'")).isEqualTo("200");
        assertThat(one("SELECT c FROM t WHERE id = 5001")).isEqualTo("written while waiting");
        assertThat(one("SELECT status FROM zerodown_migrations WHERE id = '2'")).isEqualTo("done");
    }

    @Test
    void copyClassChangeIsRefusedWithoutTheOnlineCopy(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("V1__init.sql"), "CREATE TABLE t (id int PRIMARY KEY, c varchar(50)) DEFAULT CHARSET=utf8mb4;");
        apply(dir);
        Files.writeString(dir.resolve("V2__widen.sql"), "ALTER TABLE t MODIFY c varchar(200);");
        assertThatThrownBy(() -> applier(MysqlApplier.Options.defaults().withOnlineCopy(false))
                .apply(MigrationScanner.standard().scan(List.of(dir))))
                .isInstanceOf(PlanRefusedException.class).hasMessageContaining("V2__widen.sql:1");
        assertThat(one("SELECT CHARACTER_MAXIMUM_LENGTH FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
                + "AND TABLE_NAME = 't' AND COLUMN_NAME = 'c'")).isEqualTo("50");
    }
}
