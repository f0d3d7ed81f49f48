package io.zerodown.mysql;

import io.zerodown.api.Effect;
import io.zerodown.api.Finding;
import io.zerodown.api.LintReport;
import io.zerodown.api.Runner;
import io.zerodown.api.Severity;
import io.zerodown.core.config.ZerodownConfig;
import io.zerodown.core.model.Name;
import io.zerodown.core.model.TypeName;
import io.zerodown.core.schema.ColumnState;
import io.zerodown.core.schema.TableState;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every MySQL rule through the real engine: files written to a temp folder, scanned like the CLI does, linted for a
 * target. One bad case that reports the rule and one good case that does not, plus the cross-file schema context,
 * tables created in the same file, and version switches.
 *
 * <p>MySQL 8 cannot run on this machine; the MySQL expectations follow its documented online-DDL behaviour.
 */
class MysqlLintRulesTest {

    static final String USERS = "CREATE TABLE users (\n"
            + "  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,\n"
            + "  email VARCHAR(50) CHARACTER SET utf8mb4 NOT NULL,\n"
            + "  name VARCHAR(50),\n"
            + "  status ENUM('new','active','gone') NOT NULL DEFAULT 'new',\n"
            + "  amount DECIMAL(12,2),\n"
            + "  bio TEXT,\n"
            + "  score INT NULL,\n"
            + "  team_id BIGINT NULL\n"
            + ") DEFAULT CHARSET=utf8mb4;\n"
            + "CREATE TABLE events (id BIGINT NOT NULL PRIMARY KEY, kind VARCHAR(20) NOT NULL);\n";

    static final String LOCK_WAIT = "SET SESSION lock_wait_timeout = 2;\n";

    @TempDir
    Path dir;

    LintRun run(String target) {
        return LintRun.in(dir).target(target).file(USERS);
    }

    /** Findings of the last file for the migration {@code sql} after the users/events setup. */
    List<Finding> lint(String target, String sql) {
        return run(target).file(sql).lastFile();
    }

    static Finding only(List<Finding> findings, String rule) {
        List<Finding> of = findings.stream().filter(f -> f.rule().equals(rule)).toList();
        assertThat(of).as("findings of %s among %s", rule, rules(findings)).hasSize(1);
        return of.get(0);
    }

    static void none(List<Finding> findings, String rule) {
        assertThat(findings).as("no %s expected", rule).noneMatch(f -> f.rule().equals(rule));
    }

    static List<String> rules(List<Finding> findings) {
        return findings.stream().map(f -> f.rule() + ":" + f.severity()).toList();
    }

    // ------------------------------------------------------------------ statement-level rules

    @Nested
    class AlgorithmCopy {
        @Test
        void dropPrimaryKeyAloneCopies() {
            Finding f = only(lint("mysql:8.0.35", LOCK_WAIT + "ALTER TABLE events DROP PRIMARY KEY;"), "my.alter.algorithm-copy");
            assertThat(f.severity()).isEqualTo(Severity.ERROR);
            assertThat(f.lock()).isEqualTo("ALGORITHM=COPY, LOCK=SHARED");
            assertThat(f.blocks()).isEqualTo("writes");
            assertThat(f.effect()).isEqualTo(Effect.REWRITE);
            assertThat(f.message()).contains("events").contains("2.4 s for 2M rows");
            assertThat(f.fix()).contains("ALTER TABLE events DROP PRIMARY KEY, ADD PRIMARY KEY")
                    .contains("ALGORITHM=INPLACE, LOCK=NONE").contains("t=events");
        }

        @Test
        void explicitCopyOfAnInstantChange() {
            Finding f = only(lint("mysql:8.0.35", LOCK_WAIT + "ALTER TABLE users ADD COLUMN note TEXT, ALGORITHM=COPY;"),
                    "my.alter.algorithm-copy");
            assertThat(f.severity()).isEqualTo(Severity.ERROR);
            assertThat(f.message()).contains("can run as INSTANT");
            assertThat(f.fix()).contains("ALTER TABLE users ADD COLUMN note TEXT, ALGORITHM=INSTANT;");
        }

        @Test
        void replacingThePrimaryKeyInOneStatementDoesNotCopy() {
            none(lint("mysql:8.0.35", LOCK_WAIT + "ALTER TABLE events DROP PRIMARY KEY, ADD PRIMARY KEY (id, kind);"),
                    "my.alter.algorithm-copy");
        }

        @Test
        void mariaDb114OnlineCopyIsAWarning() {
            Finding f = only(lint("mariadb:11.4", LOCK_WAIT + "ALTER TABLE events DROP PRIMARY KEY;"), "my.alter.algorithm-copy");
            assertThat(f.severity()).isEqualTo(Severity.WARNING);
            assertThat(f.lock()).contains("ALGORITHM=COPY, LOCK=NONE");
            assertThat(f.message()).contains("online COPY").contains("tmpdir").contains("replicas lag");
        }
    }

    @Nested
    class LockOption {
        @Test
        void sharedLockOnAnOnlineIndexBuild() {
            Finding f = only(lint("mysql:8.0.35", LOCK_WAIT + "ALTER TABLE users ADD INDEX users_name_idx (name), LOCK=SHARED;"),
                    "my.alter.lock-option");
            assertThat(f.severity()).isEqualTo(Severity.ERROR);
            assertThat(f.lock()).isEqualTo("ALGORITHM=INPLACE, LOCK=SHARED");
            assertThat(f.blocks()).isEqualTo("writes");
            assertThat(f.effect()).isEqualTo(Effect.SCAN);
            assertThat(f.message()).contains("LOCK=SHARED stops every write on users").contains("allows LOCK=NONE");
            assertThat(f.fix()).contains("ALTER TABLE users ADD INDEX users_name_idx (name), ALGORITHM=INPLACE, LOCK=NONE;");
        }

        @Test
        void exclusiveLockOnAnInstantChangeIsAWarning() {
            Finding f = only(lint("mysql:8.0.35", LOCK_WAIT + "ALTER TABLE users ADD COLUMN note TEXT, LOCK=EXCLUSIVE;"),
                    "my.alter.lock-option");
            assertThat(f.severity()).isEqualTo(Severity.WARNING);
            assertThat(f.blocks()).isEqualTo("reads, writes");
        }

        @Test
        void lockNoneIsFine() {
            none(lint("mysql:8.0.35", LOCK_WAIT + "ALTER TABLE users ADD INDEX users_name_idx (name), ALGORITHM=INPLACE, LOCK=NONE;"),
                    "my.alter.lock-option");
        }
    }

    @Nested
    class OptionRefused {
        @Test
        void inplaceForACopyChangeFails() {
            List<Finding> fs = lint("mysql:8.0.35", LOCK_WAIT
                    + "ALTER TABLE users MODIFY name VARCHAR(200), ALGORITHM=INPLACE, LOCK=NONE;");
            Finding f = only(fs, "my.alter.option-refused");
            assertThat(f.severity()).isEqualTo(Severity.ERROR);
            assertThat(f.message()).contains("refuses ALGORITHM=INPLACE").contains("error 1846").contains("users");
            assertThat(f.fix()).contains("t=users").contains("MODIFY name VARCHAR(200)");
            only(fs, "my.column.change-type"); // the cause is still explained
        }

        @Test
        void refusedEvenOnATableCreatedInTheSameFile() {
            Finding f = only(LintRun.in(dir).file("CREATE TABLE IF NOT EXISTS docs (id INT PRIMARY KEY, body TEXT);\n"
                    + "ALTER TABLE docs ADD FULLTEXT INDEX docs_ft (body), LOCK=NONE;").lastFile(), "my.alter.option-refused");
            assertThat(f.message()).contains("LOCK=NONE").contains("LOCK=SHARED");
        }

        @Test
        void acceptedOptionsAreFine() {
            none(lint("mysql:8.0.35", LOCK_WAIT + "ALTER TABLE users MODIFY name VARCHAR(60), ALGORITHM=INPLACE, LOCK=NONE;"),
                    "my.alter.option-refused");
        }
    }

    @Nested
    class InstantMixed {
        @Test
        void addColumnBesideAnIndexBuildRebuilds() {
            Finding f = only(lint("mysql:8.0.35", LOCK_WAIT + "ALTER TABLE users ADD COLUMN note TEXT, ADD INDEX users_name_idx (name);"),
                    "my.alter.instant-mixed");
            assertThat(f.severity()).isEqualTo(Severity.WARNING);
            assertThat(f.effect()).isEqualTo(Effect.REWRITE);
            assertThat(f.message()).contains("ADD COLUMN note").contains("rebuild all of users");
            assertThat(f.fix()).contains("ALTER TABLE users ADD COLUMN note TEXT, ALGORITHM=INSTANT;")
                    .contains("ALTER TABLE users ADD INDEX users_name_idx (name), ALGORITHM=INPLACE, LOCK=NONE;");
        }

        @Test
        void explicitInplaceOnMySqlRebuildsAnInstantAdd() {
            Finding f = only(lint("mysql:8.0.35", LOCK_WAIT + "ALTER TABLE users ADD COLUMN note TEXT, ALGORITHM=INPLACE;"),
                    "my.alter.instant-mixed");
            assertThat(f.fix()).contains("ALTER TABLE users ADD COLUMN note TEXT, ALGORITHM=INSTANT;");
        }

        @Test
        void splitStatementsAreFine() {
            List<Finding> fs = lint("mysql:8.0.35", LOCK_WAIT + "ALTER TABLE users ADD COLUMN note TEXT;\n"
                    + "ALTER TABLE users ADD INDEX users_name_idx (name);");
            none(fs, "my.alter.instant-mixed");
            // MariaDB keeps NOCOPY beside a metadata-only DROP INDEX, so nothing is spoiled there
            none(lint("mariadb:10.11", LOCK_WAIT + "CREATE INDEX users_kind ON events (kind);"), "my.alter.instant-mixed");
        }
    }

    @Nested
    class LockWait {
        @Test
        void missingTimeoutOnAnInstantAlter() {
            Finding f = only(lint("mysql:8.0.35", "ALTER TABLE users ADD COLUMN note TEXT;"), "my.alter.lock-wait-missing");
            assertThat(f.severity()).isEqualTo(Severity.WARNING);
            assertThat(f.lock()).isEqualTo("MDL exclusive (brief), ALGORITHM=INSTANT");
            assertThat(f.blocks()).isEqualTo("reads, writes, briefly (metadata lock)");
            assertThat(f.effect()).isEqualTo(Effect.CATALOG);
            assertThat(f.message()).contains("users").contains("31,536,000 s").contains("ALGORITHM=INSTANT included");
            assertThat(f.fix()).startsWith("SET SESSION lock_wait_timeout = 2;").contains("ALTER TABLE users ADD COLUMN note TEXT;");
        }

        @Test
        void mariaDbDefaultIsOneDay() {
            Finding f = only(lint("mariadb:10.11", "ALTER TABLE users ADD COLUMN note TEXT;"), "my.alter.lock-wait-missing");
            assertThat(f.message()).contains("86,400 s");
            assertThat(f.fix()).contains("WAIT 2");
        }

        @Test
        void shortSessionTimeoutIsFine() {
            none(lint("mysql:8.0.35", "SET SESSION lock_wait_timeout = 2;\nALTER TABLE users ADD COLUMN note TEXT;\n"
                    + "DROP TABLE events;\nRENAME TABLE users TO people;"), "my.alter.lock-wait-missing");
            none(lint("mysql:8.0.35", "SET @@session.lock_wait_timeout = 5;\nCREATE INDEX users_name_idx ON users (name);"),
                    "my.alter.lock-wait-missing");
        }

        @Test
        void longTimeoutIsReported() {
            Finding f = only(lint("mysql:8.0.35", "SET lock_wait_timeout = 60;\nALTER TABLE users ADD COLUMN note TEXT;"),
                    "my.alter.lock-wait-missing");
            assertThat(f.message()).contains("60000 ms").contains("10000 ms");
            ZerodownConfig strict = new ZerodownConfig(null, null, null, Set.of(), Map.of(), 1_000L, null, List.of());
            Finding g = only(run("mysql:8.0.35").config(strict).file(LOCK_WAIT + "ALTER TABLE users ADD COLUMN note TEXT;")
                    .lastFile(), "my.alter.lock-wait-missing");
            assertThat(g.message()).contains("2000 ms").contains("1000 ms");
        }

        @Test
        void mariaDbWaitAndNowaitCount() {
            none(lint("mariadb:10.11", "ALTER TABLE users WAIT 2 ADD COLUMN note TEXT;"), "my.alter.lock-wait-missing");
            none(lint("mariadb:10.11", "ALTER TABLE users NOWAIT ADD COLUMN note TEXT;"), "my.alter.lock-wait-missing");
            only(lint("mariadb:10.11", "ALTER TABLE users WAIT 600 ADD COLUMN note TEXT;"), "my.alter.lock-wait-missing");
        }

        @Test
        void everyMdlStatementOnAnExistingTableCounts() {
            List<Finding> fs = lint("mysql:8.0.35", "DROP INDEX users_email ON users;\nTRUNCATE TABLE events;\n"
                    + "RENAME TABLE users TO people;");
            assertThat(fs.stream().filter(f -> f.rule().equals("my.alter.lock-wait-missing"))).hasSize(3)
                    .allMatch(f -> f.lock().startsWith("MDL exclusive (brief)"));
        }

        @Test
        void mysqlLocksTheParentOfANewForeignKey() {
            Finding f = only(lint("mysql:8.0.35", "CREATE TABLE IF NOT EXISTS orders (id BIGINT PRIMARY KEY, user_id BIGINT, "
                    + "CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id));"), "my.alter.lock-wait-missing");
            assertThat(f.message()).contains("parent table");
            none(lint("mysql:8.0.35", "CREATE TABLE IF NOT EXISTS notes (id BIGINT PRIMARY KEY, body TEXT);"),
                    "my.alter.lock-wait-missing");
        }

        @Test
        void notRaisedForTheZerodownRunnerOrWhenDisabled() {
            none(run("mysql:8.0.35").runner(Runner.ZERODOWN).file("ALTER TABLE users ADD COLUMN note TEXT;").lastFile(),
                    "my.alter.lock-wait-missing");
            ZerodownConfig off = new ZerodownConfig(null, null, null, Set.of(), Map.of(), null, false, List.of());
            none(run("mysql:8.0.35").config(off).file("ALTER TABLE users ADD COLUMN note TEXT;").lastFile(),
                    "my.alter.lock-wait-missing");
        }
    }

    @Nested
    class LargeTable {
        TableState orders(long rows) {
            TableState t = new TableState(Name.of("orders"), null);
            t.columns.put("id", new ColumnState("id", new TypeName("bigint", List.of(), false, "BIGINT"), true, null, null));
            t.columns.put("note", new ColumnState("note", new TypeName("int", List.of(), false, "INT"), false, null, null));
            t.estimatedRows = rows;
            return t;
        }

        @Test
        void rebuildOfAMultiMillionRowTable() {
            Finding f = only(LintRun.in(dir).liveTable(orders(5_000_000)).file(LOCK_WAIT
                    + "ALTER TABLE orders MODIFY note INT NOT NULL;").lastFile(), "my.table.large-use-osc");
            assertThat(f.severity()).isEqualTo(Severity.WARNING);
            assertThat(f.effect()).isEqualTo(Effect.REWRITE);
            assertThat(f.message()).contains("5,000,000 rows").contains("~6 s").contains("innodb_online_alter_log_max_size");
            assertThat(f.fix()).contains("t=orders").contains("MODIFY note INT NOT NULL");
        }

        @Test
        void smallOrUnknownTablesAndInstantChangesAreSilent() {
            none(LintRun.in(dir).liveTable(orders(10_000)).file(LOCK_WAIT + "ALTER TABLE orders MODIFY note INT NOT NULL;")
                    .lastFile(), "my.table.large-use-osc");
            none(LintRun.in(dir).liveTable(orders(5_000_000)).file(LOCK_WAIT + "ALTER TABLE orders ADD COLUMN x INT;")
                    .lastFile(), "my.table.large-use-osc");
            none(lint("mysql:8.0.35", LOCK_WAIT + "ALTER TABLE users MODIFY score INT NOT NULL DEFAULT 0;"),
                    "my.table.large-use-osc");
        }
    }

    @Nested
    class VersionHazard {
        @Test
        void instantAddOnMysql8029() {
            Finding f = only(lint("mysql:8.0.29", LOCK_WAIT + "ALTER TABLE users ADD COLUMN note TEXT;"), "my.version.instant-8029");
            assertThat(f.severity()).isEqualTo(Severity.ERROR);
            assertThat(f.lock()).isEqualTo("MDL exclusive (brief), ALGORITHM=INSTANT");
            assertThat(f.message()).contains("ADD COLUMN note").contains("XtraBackup");
            assertThat(f.fix()).contains("ALTER TABLE users ADD COLUMN note TEXT, ALGORITHM=INPLACE, LOCK=NONE;");
            only(lint("mysql:8.0.29", LOCK_WAIT + "ALTER TABLE users DROP COLUMN bio;"), "my.version.instant-8029");
        }

        @Test
        void mariaDbBugReleases() {
            Finding f = only(lint("mariadb:10.6.5", LOCK_WAIT + "ALTER TABLE users ADD COLUMN note TEXT;"), "my.version.instant-8029");
            assertThat(f.message()).contains("MDEV-20066");
            assertThat(f.fix()).contains("FORCE, ALGORITHM=INPLACE, LOCK=NONE");
        }

        @Test
        void fixedReleasesAndExplicitInplaceAreFine() {
            none(lint("mysql:8.0.30", LOCK_WAIT + "ALTER TABLE users ADD COLUMN note TEXT;"), "my.version.instant-8029");
            none(lint("mysql:8.0.29", LOCK_WAIT + "ALTER TABLE users ADD COLUMN note TEXT, ALGORITHM=INPLACE, LOCK=NONE;"),
                    "my.version.instant-8029");
            none(lint("mariadb:10.6.9", LOCK_WAIT + "ALTER TABLE users ADD COLUMN note TEXT;"), "my.version.instant-8029");
            none(lint("mariadb:10.6", LOCK_WAIT + "ALTER TABLE users ADD COLUMN note TEXT;"), "my.version.instant-8029");
        }
    }

    // ------------------------------------------------------------------ column rules

    @Nested
    class Columns {
        @Test
        void expressionDefault() {
            Finding f = only(lint("mysql:8.0.35", LOCK_WAIT + "ALTER TABLE users ADD COLUMN created DATE DEFAULT (CURRENT_DATE);"),
                    "my.column.add-expression-default");
            assertThat(f.severity()).isEqualTo(Severity.ERROR);
            assertThat(f.lock()).isEqualTo("ALGORITHM=COPY, LOCK=SHARED");
            assertThat(f.effect()).isEqualTo(Effect.REWRITE);
            assertThat(f.fix()).contains("ALTER TABLE users ADD COLUMN created DATE NULL, ALGORITHM=INSTANT;")
                    .contains("ALTER TABLE users ALTER COLUMN created SET DEFAULT (CURRENT_DATE)")
                    .contains("UPDATE users SET created = (CURRENT_DATE) WHERE id > :last_id");
            assertThat(only(lint("mariadb:11.4", LOCK_WAIT + "ALTER TABLE users ADD COLUMN created DATE DEFAULT (CURRENT_DATE);"),
                    "my.column.add-expression-default").severity()).isEqualTo(Severity.WARNING);
        }

        @Test
        void literalAndCurrentTimestampDefaultsAreFine() {
            List<Finding> fs = lint("mysql:8.0.35", LOCK_WAIT + "ALTER TABLE users ADD COLUMN plan VARCHAR(10) NOT NULL DEFAULT 'free';\n"
                    + "ALTER TABLE users ADD COLUMN seen DATETIME DEFAULT CURRENT_TIMESTAMP;");
            assertThat(fs).isEmpty();
        }

        @Test
        void positionSwitchesWithTheVersion() {
            String sql = LOCK_WAIT + "ALTER TABLE users ADD COLUMN note TEXT AFTER email;";
            Finding f = only(lint("mysql:8.0.28", sql), "my.column.add-position");
            assertThat(f.severity()).isEqualTo(Severity.WARNING);
            assertThat(f.lock()).isEqualTo("MDL exclusive (brief), ALGORITHM=INPLACE, LOCK=NONE, table rebuild");
            assertThat(f.effect()).isEqualTo(Effect.REWRITE);
            assertThat(f.message()).contains("AFTER email").contains("8.0.29");
            assertThat(f.fix()).contains("ALTER TABLE users ADD COLUMN note TEXT, ALGORITHM=INSTANT;").doesNotContain("AFTER");
            assertThat(lint("mysql:8.0.30", sql)).isEmpty();
            assertThat(lint("mariadb:10.6", sql)).isEmpty();
        }

        @Test
        void autoIncrement() {
            Finding f = only(lint("mysql:8.0.35", LOCK_WAIT + "ALTER TABLE events ADD COLUMN seq BIGINT AUTO_INCREMENT, ADD UNIQUE KEY events_seq (seq);"),
                    "my.column.add-auto-increment");
            assertThat(f.severity()).isEqualTo(Severity.ERROR);
            assertThat(f.lock()).isEqualTo("ALGORITHM=INPLACE, LOCK=SHARED, table rebuild");
            assertThat(f.blocks()).isEqualTo("writes");
            assertThat(f.message()).contains("seq").contains("events");
            assertThat(f.fix()).contains("t=events").contains("ADD COLUMN seq BIGINT AUTO_INCREMENT");
            none(lint("mysql:8.0.35", LOCK_WAIT + "ALTER TABLE events ADD COLUMN seq BIGINT NULL;"), "my.column.add-auto-increment");
        }

        @Test
        void storedGenerated() {
            Finding f = only(lint("mysql:8.0.35", LOCK_WAIT
                    + "ALTER TABLE users ADD COLUMN email_lower VARCHAR(50) AS (lower(email)) STORED;"), "my.column.add-stored-generated");
            assertThat(f.severity()).isEqualTo(Severity.ERROR);
            assertThat(f.lock()).isEqualTo("ALGORITHM=COPY, LOCK=SHARED");
            assertThat(f.fix()).contains("ADD COLUMN email_lower VARCHAR(50) AS (lower(email)) VIRTUAL, ALGORITHM=INSTANT;")
                    .contains("ADD INDEX users_email_lower_idx (email_lower)");
            none(lint("mysql:8.0.35", LOCK_WAIT + "ALTER TABLE users ADD COLUMN email_lower VARCHAR(50) AS (lower(email)) VIRTUAL;"),
                    "my.column.add-stored-generated");
        }

        @Test
        void enumRemoval() {
            Finding f = only(lint("mysql:8.0.35", LOCK_WAIT + "ALTER TABLE users MODIFY status ENUM('new','active') NOT NULL DEFAULT 'new';"),
                    "my.column.enum-set-change");
            assertThat(f.severity()).isEqualTo(Severity.ERROR);
            assertThat(f.lock()).isEqualTo("ALGORITHM=COPY, LOCK=SHARED");
            assertThat(f.message()).contains("ENUM status removes 'gone'");
            assertThat(f.fix()).contains("UPDATE users SET status = <replacement>").contains("status IN ('gone')")
                    .contains("t=users");
        }

        @Test
        void enumInsertInTheMiddleSuggestsAppending() {
            Finding f = only(lint("mariadb:10.11", LOCK_WAIT + "ALTER TABLE users MODIFY status ENUM('new','paused','active','gone') NOT NULL DEFAULT 'new';"),
                    "my.column.enum-set-change");
            assertThat(f.fix()).contains("ALTER TABLE users MODIFY status ENUM('new', 'active', 'gone', 'paused') NOT NULL DEFAULT 'new', ALGORITHM=INSTANT;");
        }

        @Test
        void enumAppendIsFine() {
            assertThat(lint("mysql:8.0.35", LOCK_WAIT
                    + "ALTER TABLE users MODIFY status ENUM('new','active','gone','banned') NOT NULL DEFAULT 'new';")).isEmpty();
        }

        @Test
        void enumOfAnUnknownTableIsAWarning() {
            Finding f = only(lint("mysql:8.0.35", LOCK_WAIT + "ALTER TABLE orders MODIFY state ENUM('a','b','c');"),
                    "my.column.enum-set-change");
            assertThat(f.severity()).isEqualTo(Severity.WARNING);
            assertThat(f.fix()).contains("ALTER TABLE orders MODIFY state ENUM('a','b','c'), ALGORITHM=INSTANT;");
        }

        @Test
        void notNullOnANullableColumn() {
            Finding f = only(lint("mysql:8.0.35", LOCK_WAIT + "ALTER TABLE users MODIFY score INT NOT NULL DEFAULT 0;"),
                    "my.column.modify-not-null");
            assertThat(f.severity()).isEqualTo(Severity.ERROR);
            assertThat(f.effect()).isEqualTo(Effect.REWRITE);
            assertThat(f.message()).contains("score is nullable today").contains("1138");
            assertThat(f.fix()).contains("UPDATE users SET score = 0 WHERE id > :last_id AND id <= :last_id + 5000 AND score IS NULL;")
                    .contains("STRICT_TRANS_TABLES")
                    .contains("ALTER TABLE users MODIFY score INT NOT NULL DEFAULT 0, ALGORITHM=INPLACE, LOCK=NONE;");
        }

        @Test
        void restatingNotNullIsFine() {
            assertThat(lint("mysql:8.0.35", LOCK_WAIT + "ALTER TABLE users MODIFY email VARCHAR(50) CHARACTER SET utf8mb4 NOT NULL;"))
                    .isEmpty();
        }
    }

    @Nested
    class ChangeType {
        @Test
        void crossFileVarcharWideningWithinThePrefixIsFine() {
            assertThat(lint("mysql:8.0.35", LOCK_WAIT + "ALTER TABLE users MODIFY name VARCHAR(60);")).isEmpty();
            assertThat(lint("mariadb:10.11", LOCK_WAIT + "ALTER TABLE users MODIFY name VARCHAR(63);")).isEmpty();
        }

        @Test
        void crossFileVarcharWideningAcross255BytesCopies() {
            Finding f = only(lint("mysql:8.0.35", LOCK_WAIT + "ALTER TABLE users MODIFY name VARCHAR(200);"), "my.column.change-type");
            assertThat(f.severity()).isEqualTo(Severity.ERROR);
            assertThat(f.lock()).isEqualTo("ALGORITHM=COPY, LOCK=SHARED");
            assertThat(f.blocks()).isEqualTo("writes");
            assertThat(f.effect()).isEqualTo(Effect.REWRITE);
            assertThat(f.message()).contains("VARCHAR(50)→VARCHAR(200) in utf8mb4 crosses the 255-byte length prefix")
                    .contains("200→800 bytes").contains("COPY").contains("2.4 s for 2M rows");
            assertThat(f.fix()).contains("ALTER TABLE users MODIFY name VARCHAR(63), ALGORITHM=INPLACE, LOCK=NONE;")
                    .contains("ALTER TABLE users ADD COLUMN name_new VARCHAR(200) NULL, ALGORITHM=INSTANT;")
                    .contains("CREATE TRIGGER users_name_sync_ins BEFORE INSERT ON users FOR EACH ROW SET NEW.name_new = NEW.name;")
                    .contains("UPDATE users SET name_new = name WHERE id > :last_id AND id <= :last_id + 5000;")
                    .contains("RENAME COLUMN name TO name_old, RENAME COLUMN name_new TO name")
                    .contains("pt-online-schema-change --alter \"MODIFY name VARCHAR(200)\" D=<database>,t=users");
        }

        @Test
        void otherTypeChangesCopy() {
            Finding f = only(lint("mariadb:10.11", LOCK_WAIT + "ALTER TABLE users MODIFY amount DECIMAL(14,2);"), "my.column.change-type");
            assertThat(f.severity()).isEqualTo(Severity.ERROR);
            assertThat(f.message()).contains("amount DECIMAL(12,2) → DECIMAL(14,2)");
            assertThat(f.fix()).contains("amount_new DECIMAL(14,2)");
        }

        @Test
        void mariaDb114OnlineCopyIsAWarning() {
            Finding f = only(lint("mariadb:11.4", LOCK_WAIT + "ALTER TABLE users MODIFY name VARCHAR(200);"), "my.column.change-type");
            assertThat(f.severity()).isEqualTo(Severity.WARNING);
            assertThat(f.lock()).isEqualTo("MDL exclusive (brief), ALGORITHM=COPY, LOCK=NONE (online copy)");
            assertThat(f.message()).contains("online COPY");
        }

        @Test
        void unknownTableIsAWarningThatProbesFirst() {
            Finding f = only(lint("mysql:8.0.35", LOCK_WAIT + "ALTER TABLE orders MODIFY amount DECIMAL(14,2);"), "my.column.change-type");
            assertThat(f.severity()).isEqualTo(Severity.WARNING);
            assertThat(f.message()).contains("does not know the current definition of orders.amount");
            assertThat(f.fix()).contains("ALTER TABLE orders MODIFY amount DECIMAL(14,2), ALGORITHM=INPLACE, LOCK=NONE;");
        }

        @Test
        void zerodownRunnerTurnsCopyClassChangesIntoInfo() {
            Finding f = only(run("mysql:8.0.35").runner(Runner.ZERODOWN).file("ALTER TABLE users MODIFY name VARCHAR(200);")
                    .lastFile(), "my.column.change-type");
            assertThat(f.severity()).isEqualTo(Severity.INFO);
            assertThat(f.message()).startsWith("zerodown apply makes this safe: it runs this COPY-class change as an online table copy");
        }
    }

    // ------------------------------------------------------------------ table rules

    @Nested
    class Tables {
        @Test
        void foreignKeyWithChecksOnCopies() {
            Finding f = only(lint("mysql:8.0.35", LOCK_WAIT + "ALTER TABLE users ADD CONSTRAINT users_team_fk FOREIGN KEY (team_id) REFERENCES teams (id);"),
                    "my.fk.add");
            assertThat(f.severity()).isEqualTo(Severity.ERROR);
            assertThat(f.lock()).isEqualTo("ALGORITHM=COPY, LOCK=SHARED");
            assertThat(f.message()).contains("users_team_fk").contains("teams").contains("gh-ost");
            assertThat(f.fix()).contains("LEFT JOIN teams p ON p.id = c.team_id")
                    .contains("ALTER TABLE users ADD INDEX users_team_id_idx (team_id), ALGORITHM=INPLACE, LOCK=NONE;")
                    .contains("SET SESSION foreign_key_checks = 0;")
                    .contains("ALTER TABLE users ADD CONSTRAINT users_team_fk FOREIGN KEY (team_id) REFERENCES teams (id), ALGORITHM=INPLACE, LOCK=NONE;");
        }

        @Test
        void foreignKeyWithChecksOffIsOnlyAWarning() {
            Finding f = only(lint("mysql:8.0.35", LOCK_WAIT + "SET foreign_key_checks = 0;\n"
                    + "ALTER TABLE users ADD CONSTRAINT users_team_fk FOREIGN KEY (team_id) REFERENCES teams (id) ON DELETE CASCADE;"),
                    "my.fk.add");
            assertThat(f.severity()).isEqualTo(Severity.WARNING);
            assertThat(f.message()).contains("does not check existing rows");
            assertThat(f.fix()).contains("REFERENCES teams (id) ON DELETE CASCADE, ALGORITHM=INPLACE, LOCK=NONE;");
        }

        @Test
        void foreignKeyOnANewTableIsFine() {
            List<Finding> fs = lint("mysql:8.0.35", LOCK_WAIT + "CREATE TABLE IF NOT EXISTS orders (id BIGINT PRIMARY KEY, user_id BIGINT);\n"
                    + "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);");
            none(fs, "my.fk.add");
        }

        @Test
        void inlineReferencesAreIgnoredByMysql() {
            Finding f = only(lint("mysql:8.0.35", LOCK_WAIT + "ALTER TABLE events ADD COLUMN user_id BIGINT REFERENCES users (id);"),
                    "my.fk.add");
            assertThat(f.severity()).isEqualTo(Severity.INFO);
            assertThat(f.fix()).contains("ALTER TABLE events ADD CONSTRAINT events_user_id_fk FOREIGN KEY (user_id) REFERENCES users (id)");
        }

        @Test
        void checkConstraint() {
            Finding f = only(lint("mysql:8.0.35", LOCK_WAIT + "ALTER TABLE users ADD CONSTRAINT score_pos CHECK (score >= 0);"), "my.check.add");
            assertThat(f.severity()).isEqualTo(Severity.ERROR);
            assertThat(f.lock()).isEqualTo("ALGORITHM=COPY, LOCK=SHARED");
            assertThat(f.message()).contains("score_pos").contains("users").contains("3819");
            assertThat(f.fix()).contains("SELECT COUNT(*) FROM users WHERE NOT (score >= 0);").contains("t=users");
            none(lint("mysql:8.0.35", "CREATE TABLE IF NOT EXISTS scores (id INT PRIMARY KEY, v INT, CONSTRAINT v_pos CHECK (v >= 0));"),
                    "my.check.add");
        }

        @Test
        void tableWithoutPrimaryKey() {
            Finding f = only(lint("mysql:8.0.35", "CREATE TABLE IF NOT EXISTS audit_log (msg TEXT, at DATETIME);"), "my.table.no-pk");
            assertThat(f.severity()).isEqualTo(Severity.WARNING);
            assertThat(f.message()).contains("audit_log");
            assertThat(f.fix()).contains("CREATE TABLE IF NOT EXISTS audit_log (\n  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,");
            Finding g = only(lint("mysql:8.0.35", "CREATE TABLE IF NOT EXISTS tags (id INT, label TEXT);"), "my.table.no-pk");
            assertThat(g.fix()).contains("PRIMARY KEY (id)");
        }

        @Test
        void tablesWithAKeyAreFine() {
            List<Finding> fs = lint("mysql:8.0.35", "CREATE TABLE IF NOT EXISTS tags (code VARCHAR(10) NOT NULL, UNIQUE KEY tags_code (code));\n"
                    + "CREATE TABLE IF NOT EXISTS kv (k VARCHAR(10) NOT NULL UNIQUE, v TEXT);\n"
                    + "CREATE TABLE IF NOT EXISTS users_copy LIKE users;");
            none(fs, "my.table.no-pk");
            only(lint("mysql:8.0.35", "CREATE TABLE IF NOT EXISTS tags (code VARCHAR(10) NULL, UNIQUE KEY tags_code (code));"),
                    "my.table.no-pk");
        }

        @Test
        void convertCharset() {
            Finding f = only(lint("mysql:8.0.35", LOCK_WAIT + "ALTER TABLE users CONVERT TO CHARACTER SET latin1;"), "my.table.charset-change");
            assertThat(f.severity()).isEqualTo(Severity.ERROR);
            assertThat(f.lock()).isEqualTo("ALGORITHM=COPY, LOCK=SHARED");
            assertThat(f.message()).contains("users").contains("utf8mb4");
            assertThat(f.fix()).contains("--alter \"CONVERT TO CHARACTER SET latin1\" D=<database>,t=users");
        }

        @Test
        void defaultCharsetDoesNotConvert() {
            Finding f = only(lint("mariadb:10.11", LOCK_WAIT + "ALTER TABLE users DEFAULT CHARSET=latin1;"), "my.table.charset-change");
            assertThat(f.severity()).isEqualTo(Severity.WARNING);
            assertThat(f.lock()).isEqualTo("MDL exclusive (brief), ALGORITHM=INSTANT");
            assertThat(f.message()).contains("existing columns [email, name, status, bio] keep utf8mb4");
            assertThat(f.fix()).contains("CONVERT TO CHARACTER SET latin1").contains("t=users");
            none(lint("mariadb:10.11", LOCK_WAIT + "ALTER TABLE users DEFAULT CHARSET=utf8mb4;"), "my.table.charset-change");
        }

        @Test
        void fulltextIndex() {
            Finding f = only(lint("mysql:8.0.35", LOCK_WAIT + "ALTER TABLE users ADD FULLTEXT INDEX users_bio_ft (bio);"),
                    "my.index.fulltext-spatial");
            assertThat(f.severity()).isEqualTo(Severity.ERROR);
            assertThat(f.lock()).isEqualTo("ALGORITHM=INPLACE, LOCK=SHARED, table rebuild");
            assertThat(f.blocks()).isEqualTo("writes");
            assertThat(f.effect()).isEqualTo(Effect.REWRITE);
            assertThat(f.message()).contains("users_bio_ft").contains("FTS_DOC_ID");
            assertThat(f.fix()).contains("--alter \"ADD FULLTEXT INDEX users_bio_ft (bio)\"")
                    .contains("ALTER TABLE users ADD FULLTEXT INDEX users_bio_ft (bio), ALGORITHM=INPLACE, LOCK=SHARED;");
            none(lint("mysql:8.0.35", LOCK_WAIT + "ALTER TABLE users ADD INDEX users_name_idx (name);"), "my.index.fulltext-spatial");
        }

        @Test
        void createFulltextIndexAndSecondFulltextIndex() {
            Finding f = only(run("mysql:8.0.35").file(LOCK_WAIT + "CREATE FULLTEXT INDEX users_bio_ft ON users (bio);")
                    .file(LOCK_WAIT + "CREATE FULLTEXT INDEX users_name_ft ON users (name);").lastFile(), "my.index.fulltext-spatial");
            assertThat(f.lock()).isEqualTo("ALGORITHM=INPLACE, LOCK=SHARED");
            assertThat(f.effect()).isEqualTo(Effect.SCAN);
            assertThat(f.fix()).contains("CREATE FULLTEXT INDEX users_name_ft ON users (name) ALGORITHM=INPLACE LOCK=SHARED;");
        }

        @Test
        void rebuildOfATableWithAFulltextIndex() {
            Finding f = only(run("mariadb:10.11").file(LOCK_WAIT + "ALTER TABLE users ADD FULLTEXT INDEX users_bio_ft (bio);")
                    .file(LOCK_WAIT + "ALTER TABLE users ADD COLUMN note TEXT;").lastFile(), "my.index.fulltext-spatial");
            assertThat(f.severity()).isEqualTo(Severity.ERROR);
            assertThat(f.lock()).isEqualTo("ALGORITHM=INPLACE, LOCK=SHARED, table rebuild");
            assertThat(f.message()).contains("users has the FULLTEXT index [users_bio_ft]").contains("ADD COLUMN note");
        }
    }

    // ------------------------------------------------------------------ context

    @Test
    void tableCreatedInTheSameFileHasNoFindings() {
        LintReport r = LintRun.in(dir).file("CREATE TABLE IF NOT EXISTS accounts (id BIGINT PRIMARY KEY, name VARCHAR(50), "
                + "state ENUM('a','b'), score INT NULL);\n"
                + "ALTER TABLE accounts MODIFY name VARCHAR(200);\n"
                + "ALTER TABLE accounts MODIFY state ENUM('b','a');\n"
                + "ALTER TABLE accounts MODIFY score INT NOT NULL, ADD COLUMN created DATE DEFAULT (CURRENT_DATE);\n"
                + "ALTER TABLE accounts ADD FULLTEXT INDEX accounts_ft (name), ADD CONSTRAINT score_pos CHECK (score > 0);\n"
                + "ALTER TABLE accounts ADD COLUMN note TEXT AFTER id, DROP PRIMARY KEY;\n"
                + "CREATE INDEX accounts_name ON accounts (name);").lint();
        assertThat(r.findings()).as(rules(r.findings()).toString()).isEmpty();
    }

    @Test
    void insertedRowsEndTheNewTableExemption() {
        List<Finding> fs = LintRun.in(dir).file("CREATE TABLE IF NOT EXISTS accounts (id BIGINT PRIMARY KEY, name VARCHAR(50));\n"
                + "INSERT INTO accounts (id, name) VALUES (1, 'a');\n"
                + LOCK_WAIT + "ALTER TABLE accounts MODIFY name VARCHAR(200);").lastFile();
        only(fs, "my.column.change-type");
    }

    @Test
    void laterFileSeesTheTableFromAnEarlierFile() {
        LintRun r = LintRun.in(dir).file("CREATE TABLE IF NOT EXISTS accounts (id BIGINT PRIMARY KEY, name VARCHAR(50) CHARACTER SET utf8mb4);")
                .file(LOCK_WAIT + "ALTER TABLE accounts MODIFY name VARCHAR(60);");
        assertThat(r.lastFile()).isEmpty();
        Finding f = only(r.file(LOCK_WAIT + "ALTER TABLE accounts MODIFY name VARCHAR(200);").lastFile(), "my.column.change-type");
        assertThat(f.message()).as("the model follows the earlier widening to 60").contains("VARCHAR(60)→VARCHAR(200)");
    }

    @Test
    void catalogueListsEveryRuleForBothEngines() {
        var mysql = new io.zerodown.core.lint.LintEngine(io.zerodown.api.Target.parse("mysql:8.0.35"), Runner.PLAIN,
                ZerodownConfig.empty()).catalogue();
        var maria = new io.zerodown.core.lint.LintEngine(io.zerodown.api.Target.parse("mariadb:11.4"), Runner.PLAIN,
                ZerodownConfig.empty()).catalogue();
        List<String> ids = List.of("my.alter.algorithm-copy", "my.alter.lock-option", "my.alter.option-refused",
                "my.alter.instant-mixed", "my.alter.lock-wait-missing", "my.column.add-expression-default",
                "my.column.add-position", "my.column.add-auto-increment", "my.column.add-stored-generated",
                "my.column.enum-set-change", "my.column.change-type", "my.column.modify-not-null", "my.fk.add",
                "my.check.add", "my.table.no-pk", "my.table.charset-change", "my.table.large-use-osc",
                "my.version.instant-8029", "my.index.fulltext-spatial");
        assertThat(mysql.keySet()).containsAll(ids);
        assertThat(maria.keySet()).containsAll(ids);
        assertThat(mysql.keySet()).noneMatch(id -> id.startsWith("pg."));
    }
}
