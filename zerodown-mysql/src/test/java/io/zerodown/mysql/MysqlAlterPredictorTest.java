package io.zerodown.mysql;

import io.zerodown.api.Effect;
import io.zerodown.api.Target;
import io.zerodown.mysql.MysqlAlterPredictor.Algorithm;
import io.zerodown.mysql.MysqlAlterPredictor.Conditions;
import io.zerodown.mysql.MysqlAlterPredictor.Lock;
import io.zerodown.mysql.MysqlAlterPredictor.Op;
import io.zerodown.mysql.MysqlAlterPredictor.Prediction;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operation matrix and version hazards of mysql-online-ddl.md §2–§3, clause by clause and for whole statements.
 *
 * <p>MySQL 8 cannot run on this machine, so the MySQL rows are tested against the documented behaviour (MySQL 8.0
 * manual "Online DDL Operations" as summarised in the reference). The MariaDB rows are the same facts, and a subset
 * of them is also checked against the real MariaDB 10.11 server by {@link MariaDbPredictionTest}.
 */
class MysqlAlterPredictorTest {

    static final String T = "CREATE TABLE t (id BIGINT NOT NULL PRIMARY KEY, a INT NULL, n INT NOT NULL DEFAULT 0, "
            + "v VARCHAR(50) CHARACTER SET utf8mb4 NULL, w VARCHAR(20) NULL, l VARCHAR(100) CHARACTER SET latin1 NULL, "
            + "m VARCHAR(80) CHARACTER SET utf8mb3 NULL, vb VARBINARY(200) NULL, "
            + "e ENUM('a','b') NULL, s SET('x','y') NULL, amount DECIMAL(12,2) NULL, txt TEXT NULL, k INT NULL, "
            + "pid BIGINT NULL, g POINT NOT NULL, INDEX k_idx (k), CONSTRAINT ck CHECK (n >= 0), "
            + "CONSTRAINT t_pid_fk FOREIGN KEY (pid) REFERENCES parent (id)) DEFAULT CHARSET=utf8mb4";

    static final String FULLTEXT = "CREATE TABLE t (id BIGINT NOT NULL PRIMARY KEY, a INT NULL, txt TEXT, "
            + "FULLTEXT KEY ft (txt))";

    static final String SPATIAL = "CREATE TABLE t (id BIGINT NOT NULL PRIMARY KEY, a INT NULL, g POINT NOT NULL, "
            + "SPATIAL INDEX sp (g))";

    static final String NO_PK = "CREATE TABLE t (id BIGINT NOT NULL, nid BIGINT NULL, a INT NULL)";

    private static void expect(Prediction p, String algorithm, boolean rebuild, String lock) {
        assertThat(p.refused()).as("refused: %s", p.reason()).isFalse();
        assertThat(p.algorithm()).as(p.reason()).isEqualTo(Algorithm.valueOf(algorithm));
        assertThat(p.rebuild()).as(p.reason()).isEqualTo(rebuild);
        assertThat(p.lock()).as(p.reason()).isEqualTo(Lock.valueOf(lock));
    }

    @ParameterizedTest(name = "{0}: {1} -> {2} rebuild={3} LOCK={4}")
    @CsvSource(delimiter = '|', value = {
            // ADD COLUMN: INSTANT from MySQL 8.0.12 / MariaDB 10.3.2 at the end, anywhere from 8.0.29 / 10.4
            "mysql:8.0.35  | ALTER TABLE t ADD COLUMN x INT                          | INSTANT | false | NONE",
            "mysql:8.0.35  | ALTER TABLE t ADD COLUMN x INT NOT NULL DEFAULT 5        | INSTANT | false | NONE",
            "mysql:8.0.11  | ALTER TABLE t ADD COLUMN x INT                          | INPLACE | true  | NONE",
            "mysql:8.0.12  | ALTER TABLE t ADD COLUMN x INT                          | INSTANT | false | NONE",
            "mysql:8.0.28  | ALTER TABLE t ADD COLUMN x INT AFTER a                  | INPLACE | true  | NONE",
            "mysql:8.0.29  | ALTER TABLE t ADD COLUMN x INT FIRST                    | INSTANT | false | NONE",
            "mysql:8.4     | ALTER TABLE t ADD COLUMN x INT AFTER a                  | INSTANT | false | NONE",
            "mariadb:10.6  | ALTER TABLE t ADD COLUMN x INT AFTER a                  | INSTANT | false | NONE",
            "mariadb:10.11 | ALTER TABLE t ADD COLUMN x DATETIME DEFAULT CURRENT_TIMESTAMP | INSTANT | false | NONE",
            // expression defaults, STORED generated columns: COPY; MariaDB 11.2+ online COPY
            "mysql:8.0.35  | ALTER TABLE t ADD COLUMN x INT DEFAULT (a + 1)          | COPY    | true  | SHARED",
            "mariadb:10.11 | ALTER TABLE t ADD COLUMN x INT DEFAULT (a + 1)          | COPY    | true  | SHARED",
            "mariadb:11.4  | ALTER TABLE t ADD COLUMN x INT DEFAULT (a + 1)          | COPY    | true  | NONE",
            "mysql:8.0.35  | ALTER TABLE t ADD COLUMN x INT AS (a + 1) STORED        | COPY    | true  | SHARED",
            "mariadb:11.4  | ALTER TABLE t ADD COLUMN x INT AS (a + 1) STORED        | COPY    | true  | NONE",
            "mysql:8.0.35  | ALTER TABLE t ADD COLUMN x INT AS (a + 1) VIRTUAL       | INSTANT | false | NONE",
            "mariadb:10.11 | ALTER TABLE t ADD COLUMN x INT GENERATED ALWAYS AS (a + 1) VIRTUAL | INSTANT | false | NONE",
            // AUTO_INCREMENT: rebuild without concurrent writes, not online even on 11.4
            "mysql:8.0.35  | ALTER TABLE t ADD COLUMN x INT AUTO_INCREMENT UNIQUE    | INPLACE | true  | SHARED",
            "mariadb:11.4  | ALTER TABLE t ADD COLUMN x INT AUTO_INCREMENT UNIQUE    | INPLACE | true  | SHARED",
            // DROP COLUMN: INSTANT from 8.0.29 / MariaDB 10.4; an indexed column is not instant
            "mysql:8.0.35  | ALTER TABLE t DROP COLUMN a                             | INSTANT | false | NONE",
            "mysql:8.0.28  | ALTER TABLE t DROP COLUMN a                             | INPLACE | true  | NONE",
            "mariadb:10.11 | ALTER TABLE t DROP COLUMN a                             | INSTANT | false | NONE",
            "mariadb:10.11 | ALTER TABLE t DROP COLUMN k                             | INPLACE | false | NONE",
            "mysql:8.0.35  | ALTER TABLE t DROP COLUMN k                             | INPLACE | true  | NONE",
            "mysql:8.0.35  | ALTER TABLE t DROP COLUMN id                            | INPLACE | true  | NONE",
            // rename: INSTANT from 8.0.28
            "mysql:8.0.28  | ALTER TABLE t RENAME COLUMN a TO b                      | INSTANT | false | NONE",
            "mysql:8.0.27  | ALTER TABLE t RENAME COLUMN a TO b                      | INPLACE | false | NONE",
            "mariadb:10.11 | ALTER TABLE t CHANGE a b INT NULL                       | INSTANT | false | NONE",
            // reorder: INPLACE with rebuild on MySQL, INSTANT on MariaDB 10.4+
            "mysql:8.0.35  | ALTER TABLE t MODIFY k INT NULL FIRST                   | INPLACE | true  | NONE",
            "mariadb:10.11 | ALTER TABLE t MODIFY k INT NULL AFTER amount            | INSTANT | false | NONE",
            // defaults and metadata
            "mysql:8.0.35  | ALTER TABLE t ALTER COLUMN n SET DEFAULT 5              | INSTANT | false | NONE",
            "mariadb:10.11 | ALTER TABLE t ALTER COLUMN n DROP DEFAULT               | INSTANT | false | NONE",
            "mysql:8.0.35  | ALTER TABLE t MODIFY n INT NOT NULL DEFAULT 7 COMMENT 'x' | INSTANT | false | NONE",
            // VARCHAR widening: same length prefix is in place; crossing 255 bytes copies
            "mysql:8.0.35  | ALTER TABLE t MODIFY v VARCHAR(60)                      | INPLACE | false | NONE",
            "mysql:8.0.35  | ALTER TABLE t MODIFY v VARCHAR(63)                      | INPLACE | false | NONE",
            "mysql:8.0.35  | ALTER TABLE t MODIFY v VARCHAR(64)                      | COPY    | true  | SHARED",
            "mysql:8.0.35  | ALTER TABLE t MODIFY v VARCHAR(200)                     | COPY    | true  | SHARED",
            "mariadb:10.11 | ALTER TABLE t MODIFY v VARCHAR(60)                      | INSTANT | false | NONE",
            "mariadb:10.11 | ALTER TABLE t MODIFY v VARCHAR(200)                     | COPY    | true  | SHARED",
            "mariadb:11.4  | ALTER TABLE t MODIFY v VARCHAR(200)                     | COPY    | true  | NONE",
            "mysql:8.0.35  | ALTER TABLE t MODIFY v VARCHAR(40)                      | COPY    | true  | SHARED",
            "mysql:8.0.35  | ALTER TABLE t MODIFY w VARCHAR(100)                     | COPY    | true  | SHARED",
            "mariadb:10.11 | ALTER TABLE t MODIFY w VARCHAR(100)                     | INSTANT | false | NONE",
            "mysql:8.0.35  | ALTER TABLE t MODIFY l VARCHAR(255) CHARACTER SET latin1 | INPLACE | false | NONE",
            "mysql:8.0.35  | ALTER TABLE t MODIFY l VARCHAR(256) CHARACTER SET latin1 | COPY    | true  | SHARED",
            "mariadb:10.11 | ALTER TABLE t MODIFY l VARCHAR(400) CHARACTER SET latin1 | INSTANT | false | NONE",
            "mysql:8.0.35  | ALTER TABLE t MODIFY m VARCHAR(85) CHARACTER SET utf8     | INPLACE | false | NONE",
            "mariadb:10.11 | ALTER TABLE t MODIFY m VARCHAR(86) CHARACTER SET utf8mb3  | COPY    | true  | SHARED",
            "mysql:8.0.35  | ALTER TABLE t MODIFY vb VARBINARY(255)                  | INPLACE | false | NONE",
            "mysql:8.0.35  | ALTER TABLE t MODIFY vb VARBINARY(256)                  | COPY    | true  | SHARED",
            // other type changes copy
            "mysql:8.0.35  | ALTER TABLE t MODIFY v VARCHAR(50) CHARACTER SET latin1 | COPY    | true  | SHARED",
            "mysql:8.0.35  | ALTER TABLE t MODIFY amount DECIMAL(14,2)               | COPY    | true  | SHARED",
            "mariadb:10.11 | ALTER TABLE t MODIFY a BIGINT                           | COPY    | true  | SHARED",
            "mysql:8.0.35  | ALTER TABLE t MODIFY a INT(11) NULL                     | INSTANT | false | NONE",
            "mysql:8.0.35  | ALTER TABLE t MODIFY v TEXT                             | COPY    | true  | SHARED",
            // nullability: rebuilds in place
            "mysql:8.0.35  | ALTER TABLE t MODIFY a INT NOT NULL                     | INPLACE | true  | NONE",
            "mariadb:10.11 | ALTER TABLE t MODIFY n INT NULL DEFAULT 0               | INPLACE | true  | NONE",
            // ENUM / SET: append with the same storage is INSTANT, anything else copies
            "mysql:8.0.35  | ALTER TABLE t MODIFY e ENUM('a','b','c')                | INSTANT | false | NONE",
            "mariadb:10.11 | ALTER TABLE t MODIFY e ENUM('b','a')                    | COPY    | true  | SHARED",
            "mysql:8.0.35  | ALTER TABLE t MODIFY e ENUM('a','c','b')                | COPY    | true  | SHARED",
            "mysql:8.0.35  | ALTER TABLE t MODIFY e ENUM('a')                        | COPY    | true  | SHARED",
            "mariadb:10.11 | ALTER TABLE t MODIFY s SET('x','y','z')                 | INSTANT | false | NONE",
            // indexes
            "mysql:8.0.35  | ALTER TABLE t ADD INDEX a_idx (a)                       | INPLACE | false | NONE",
            "mariadb:10.11 | ALTER TABLE t ADD UNIQUE INDEX a_uq (a)                 | INPLACE | false | NONE",
            "mysql:8.0.35  | CREATE INDEX a_idx ON t (a)                             | INPLACE | false | NONE",
            "mysql:8.0.35  | ALTER TABLE t ADD FULLTEXT INDEX ft (txt)               | INPLACE | true  | SHARED",
            "mysql:8.0.35  | CREATE FULLTEXT INDEX ft ON t (txt)                     | INPLACE | true  | SHARED",
            "mariadb:10.11 | ALTER TABLE t ADD SPATIAL INDEX sp (g)                  | INPLACE | false | SHARED",
            "mysql:8.0.35  | ALTER TABLE t DROP INDEX k_idx                          | INPLACE | false | NONE",
            "mysql:8.0.35  | DROP INDEX k_idx ON t                                   | INPLACE | false | NONE",
            "mysql:8.0.35  | ALTER TABLE t RENAME INDEX k_idx TO k2                  | INPLACE | false | NONE",
            "mariadb:10.11 | ALTER TABLE t RENAME INDEX k_idx TO k2                  | INSTANT | false | NONE",
            // primary keys
            "mysql:8.0.35  | ALTER TABLE t DROP PRIMARY KEY                          | COPY    | true  | SHARED",
            "mariadb:11.4  | ALTER TABLE t DROP PRIMARY KEY                          | COPY    | true  | NONE",
            "mysql:8.0.35  | ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (id, n) | INPLACE | true  | NONE",
            // foreign keys and checks
            "mysql:8.0.35  | ALTER TABLE t ADD CONSTRAINT fk2 FOREIGN KEY (a) REFERENCES other (id) | COPY | true | SHARED",
            "mariadb:11.4  | ALTER TABLE t ADD CONSTRAINT fk2 FOREIGN KEY (a) REFERENCES other (id) | COPY | true | NONE",
            "mariadb:11.4  | ALTER TABLE t ADD CONSTRAINT fk2 FOREIGN KEY (a) REFERENCES other (id) ON DELETE CASCADE | COPY | true | SHARED",
            "mysql:8.0.35  | ALTER TABLE t DROP FOREIGN KEY t_pid_fk                 | INPLACE | false | NONE",
            "mariadb:10.11 | ALTER TABLE t DROP FOREIGN KEY t_pid_fk                 | INSTANT | false | NONE",
            "mysql:8.0.35  | ALTER TABLE t ADD CONSTRAINT pos CHECK (a > 0)          | COPY    | true  | SHARED",
            "mariadb:11.4  | ALTER TABLE t ADD CONSTRAINT pos CHECK (a > 0)          | COPY    | true  | NONE",
            "mariadb:10.11 | ALTER TABLE t DROP CONSTRAINT ck                        | INSTANT | false | NONE",
            "mysql:8.0.35  | ALTER TABLE t DROP CHECK ck                             | INPLACE | false | NONE",
            // table options
            "mysql:8.0.35  | ALTER TABLE t ENGINE=InnoDB                             | INPLACE | true  | NONE",
            "mariadb:10.11 | ALTER TABLE t FORCE                                     | INPLACE | true  | NONE",
            "mysql:8.0.35  | ALTER TABLE t ROW_FORMAT=DYNAMIC                        | INPLACE | true  | NONE",
            "mysql:8.0.35  | ALTER TABLE t ENGINE=MyISAM                             | COPY    | true  | SHARED",
            "mysql:8.0.35  | ALTER TABLE t CONVERT TO CHARACTER SET latin1           | COPY    | true  | SHARED",
            "mariadb:11.4  | ALTER TABLE t CONVERT TO CHARACTER SET latin1           | COPY    | true  | NONE",
            "mariadb:10.11 | ALTER TABLE t DEFAULT CHARSET=latin1                    | INSTANT | false | NONE",
            "mysql:8.0.35  | ALTER TABLE t DEFAULT CHARSET=latin1                    | INPLACE | true  | NONE",
            "mysql:8.0.35  | ALTER TABLE t DEFAULT CHARSET=utf8mb4                   | INPLACE | false | NONE",
            "mariadb:10.11 | ALTER TABLE t AUTO_INCREMENT=1000                       | INSTANT | false | NONE",
            "mysql:8.0.35  | ALTER TABLE t COMMENT='orders'                          | INPLACE | false | NONE",
            "mysql:8.0.35  | ALTER TABLE t RENAME TO t2                              | INSTANT | false | NONE",
            "mysql:8.0.35  | ALTER TABLE t ORDER BY a                                | COPY    | true  | SHARED",
            // MySQL before 8.0.12 has no INSTANT at all
            "mysql:8.0.11  | ALTER TABLE t ALTER COLUMN n SET DEFAULT 5              | INPLACE | false | NONE",
    })
    void matrix(String target, String alter, String algorithm, boolean rebuild, String lock) {
        expect(Predict.of(target.trim(), T, alter.trim()), algorithm.trim(), rebuild, lock.trim());
    }

    @ParameterizedTest(name = "{0}: {1} on a table with FULLTEXT -> {2} rebuild={3} LOCK={4}")
    @CsvSource(delimiter = '|', value = {
            "mysql:8.0.35  | ALTER TABLE t ADD COLUMN x INT            | INPLACE | true  | SHARED",
            "mariadb:10.11 | ALTER TABLE t ADD COLUMN x INT            | INPLACE | true  | SHARED",
            "mariadb:11.4  | ALTER TABLE t DROP COLUMN a               | INPLACE | true  | SHARED",
            "mysql:8.0.35  | ALTER TABLE t ADD INDEX a_idx (a)         | INPLACE | false | NONE",
            "mariadb:10.11 | ALTER TABLE t ADD FULLTEXT INDEX ft2 (txt) | INPLACE | false | SHARED",
            "mysql:8.0.35  | ALTER TABLE t FORCE                       | COPY    | true  | SHARED",
            "mariadb:10.11 | ALTER TABLE t ENGINE=InnoDB               | INPLACE | true  | SHARED",
            "mysql:8.0.35  | ALTER TABLE t RENAME COLUMN a TO b        | INSTANT | false | NONE",
    })
    void fulltextTable(String target, String alter, String algorithm, boolean rebuild, String lock) {
        expect(Predict.of(target.trim(), FULLTEXT, alter.trim()), algorithm.trim(), rebuild, lock.trim());
    }

    @Test
    void fulltextTableReasonNamesTheIndex() {
        Prediction p = Predict.of("mysql:8.0.35", FULLTEXT, "ALTER TABLE t ADD COLUMN x INT");
        assertThat(p.reason()).contains("t has a FULLTEXT index").contains("LOCK=SHARED");
        assertThat(MysqlAlterPredictor.instantBlocker(Predict.table("mysql:8.0.35", FULLTEXT))).contains("FULLTEXT");
        assertThat(MysqlAlterPredictor.rebuildNeedsSharedLock(Predict.table("mysql:8.0.35", SPATIAL))).isTrue();
    }

    @Test
    void spatialTableRebuildsNeedSharedLockButInstantStillWorks() {
        expect(Predict.of("mariadb:10.11", SPATIAL, "ALTER TABLE t ADD COLUMN x INT"), "INSTANT", false, "NONE");
        expect(Predict.of("mariadb:10.11", SPATIAL, "ALTER TABLE t FORCE"), "INPLACE", true, "SHARED");
        expect(Predict.of("mysql:8.0.28", SPATIAL, "ALTER TABLE t DROP COLUMN a"), "INPLACE", true, "SHARED");
    }

    @Test
    void compressedTablesHaveNoInstantAddColumn() {
        String c = "CREATE TABLE t (id INT PRIMARY KEY, a INT) ROW_FORMAT=COMPRESSED";
        expect(Predict.of("mysql:8.0.35", c, "ALTER TABLE t ADD COLUMN x INT"), "INPLACE", true, "NONE");
        expect(Predict.of("mariadb:10.11", c, "ALTER TABLE t ADD COLUMN x INT"), "INPLACE", true, "NONE");
        String kbs = "CREATE TABLE t (id INT PRIMARY KEY, a INT) KEY_BLOCK_SIZE=8";
        expect(Predict.of("mysql:8.0.35", kbs, "ALTER TABLE t DROP COLUMN a"), "INPLACE", true, "NONE");
    }

    @Test
    void redundantRowFormatMakesMariaDbNullabilityAndWideningInstant() {
        String r = "CREATE TABLE t (id INT PRIMARY KEY, a INT NOT NULL, v VARCHAR(50) CHARACTER SET utf8mb4) ROW_FORMAT=REDUNDANT";
        expect(Predict.of("mariadb:10.11", r, "ALTER TABLE t MODIFY a INT NULL"), "INSTANT", false, "NONE");
        expect(Predict.of("mariadb:10.11", r, "ALTER TABLE t MODIFY v VARCHAR(100)"), "INSTANT", false, "NONE");
        expect(Predict.of("mysql:8.0.35", r, "ALTER TABLE t MODIFY a INT NULL"), "INPLACE", true, "NONE");
    }

    @Test
    void primaryKeyOnNullableColumns() {
        expect(Predict.of("mysql:8.0.35", NO_PK, "ALTER TABLE t ADD PRIMARY KEY (id)"), "INPLACE", true, "NONE");
        Prediction p = Predict.of("mysql:8.0.35", NO_PK, "ALTER TABLE t ADD PRIMARY KEY (nid)");
        expect(p, "COPY", true, "SHARED");
        assertThat(p.reason()).contains("[nid]").contains("NOT NULL implicitly");
        Prediction m = Predict.of("mariadb:10.11", NO_PK, "ALTER TABLE t ADD PRIMARY KEY (nid)");
        expect(m, "INPLACE", true, "NONE");
        assertThat(m.reason()).contains("fails if [nid] hold NULLs");
    }

    @Test
    void enumAndSetStorageSizeChangesCopy() {
        List<String> members = new ArrayList<>();
        for (int i = 0; i < 255; i++) members.add("'m" + i + "'");
        String create = "CREATE TABLE t (id INT PRIMARY KEY, e ENUM(" + String.join(",", members) + "), "
                + "s SET('a','b','c','d','e','f','g','h'))";
        List<String> more = new ArrayList<>(members);
        more.add("'m255'");
        Prediction e = Predict.of("mysql:8.0.35", create, "ALTER TABLE t MODIFY e ENUM(" + String.join(",", more) + ")");
        expect(e, "COPY", true, "SHARED");
        assertThat(e.reason()).contains("255 to 256 members").contains("1 to 2 bytes");
        Prediction s = Predict.of("mariadb:10.11", create, "ALTER TABLE t MODIFY s SET('a','b','c','d','e','f','g','h','i')");
        expect(s, "COPY", true, "SHARED");
        assertThat(s.clauses()).extracting(MysqlAlterPredictor.Clause::op).containsExactly(Op.ENUM_SET_CHANGE);
    }

    @Test
    void foreignKeyWithChecksOffIsInPlace() {
        Conditions off = new Conditions(false, false, false, false);
        Prediction p = Predict.of("mysql:8.0.35", T, "ALTER TABLE t ADD CONSTRAINT fk2 FOREIGN KEY (k) REFERENCES other (id)", off);
        expect(p, "INPLACE", false, "NONE");
        assertThat(p.effect()).isEqualTo(Effect.CATALOG); // k is indexed
        Prediction q = Predict.of("mysql:8.0.35", T, "ALTER TABLE t ADD CONSTRAINT fk2 FOREIGN KEY (a) REFERENCES other (id)", off);
        assertThat(q.effect()).as("the missing index on a is built first").isEqualTo(Effect.SCAN);
    }

    @Test
    void mariaDbOnlineCopyExceptions() {
        Conditions ignore = new Conditions(true, true, false, false);
        expect(Predict.of("mariadb:11.4", T, "ALTER TABLE t MODIFY a BIGINT", ignore), "COPY", true, "SHARED");
        Conditions cascade = new Conditions(true, false, true, false);
        expect(Predict.of("mariadb:11.4", T, "ALTER TABLE t MODIFY a BIGINT", cascade), "COPY", true, "SHARED");
        expect(Predict.of("mariadb:11.4", T, "ALTER TABLE t ADD COLUMN q BIGINT DEFAULT NEXTVAL(seq1)"), "COPY", true, "SHARED");
        expect(Predict.of("mariadb:11.4", T, "ALTER TABLE t ORDER BY a"), "COPY", true, "SHARED");
        Prediction online = Predict.of("mariadb:11.4", T, "ALTER TABLE t MODIFY a BIGINT");
        assertThat(online.onlineCopy()).isTrue();
        assertThat(online.reason()).contains("online COPY");
        assertThat(Predict.of("mariadb:11.1", T, "ALTER TABLE t MODIFY a BIGINT").onlineCopy()).isFalse();
    }

    @Nested
    class Mixing {
        @Test
        void instantClausesMixedWithAnIndexBuildRebuildOnBothEngines() {
            expect(Predict.of("mysql:8.0.35", T, "ALTER TABLE t ADD COLUMN x INT, ADD INDEX a_idx (a)"), "INPLACE", true, "NONE");
            Prediction m = Predict.of("mariadb:10.11", T, "ALTER TABLE t ADD COLUMN x INT, ADD INDEX a_idx (a)");
            expect(m, "INPLACE", true, "NONE");
            assertThat(m.reason()).contains("ADD COLUMN x").contains("rebuilds the table");
            assertThat(m.clauses()).extracting(MysqlAlterPredictor.Clause::algorithm)
                    .containsExactly(Algorithm.INSTANT, Algorithm.INPLACE);
            assertThat(m.effective().get(0).rebuild()).isTrue();
        }

        @Test
        void mariaDbKeepsNoCopyWithMetadataOnlyClausesButMySqlRebuilds() {
            expect(Predict.of("mariadb:10.11", T, "ALTER TABLE t ADD COLUMN x INT, DROP INDEX k_idx"), "INPLACE", false, "NONE");
            expect(Predict.of("mysql:8.0.35", T, "ALTER TABLE t ADD COLUMN x INT, DROP INDEX k_idx"), "INPLACE", true, "NONE");
            expect(Predict.of("mariadb:10.11", T, "ALTER TABLE t ADD COLUMN x INT, RENAME INDEX k_idx TO k2"), "INSTANT", false, "NONE");
            expect(Predict.of("mysql:8.0.35", T, "ALTER TABLE t ADD COLUMN x INT, ALTER COLUMN n SET DEFAULT 3"), "INSTANT", false, "NONE");
            expect(Predict.of("mysql:8.0.35", T, "ALTER TABLE t RENAME COLUMN a TO b, ADD INDEX n_idx (n)"), "INPLACE", false, "NONE");
        }

        @Test
        void anyCopyClauseCopiesTheWholeStatement() {
            Prediction p = Predict.of("mysql:8.0.35", T, "ALTER TABLE t ADD COLUMN x INT, MODIFY v VARCHAR(200)");
            expect(p, "COPY", true, "SHARED");
            assertThat(p.reason()).contains("VARCHAR(50)→VARCHAR(200)");
        }

        @Test
        void twoFulltextIndexesInOneStatementCopy() {
            String c = "CREATE TABLE t (id INT PRIMARY KEY, a TEXT, b TEXT)";
            Prediction p = Predict.of("mariadb:10.11", c, "ALTER TABLE t ADD FULLTEXT INDEX fa (a), ADD FULLTEXT INDEX fb (b)");
            expect(p, "COPY", true, "SHARED");
            assertThat(p.reason()).contains("2 FULLTEXT indexes");
        }

        @Test
        void dropAndAddPrimaryKeyTogetherIsAnOnlineRebuild() {
            Prediction p = Predict.of("mariadb:10.11", T, "ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (id, n)");
            expect(p, "INPLACE", true, "NONE");
        }
    }

    @Nested
    class ExplicitOptions {
        @Test
        void acceptedOptions() {
            expect(Predict.of("mysql:8.0.35", T, "ALTER TABLE t ADD COLUMN x INT, ALGORITHM=INSTANT"), "INSTANT", false, "NONE");
            expect(Predict.of("mysql:8.0.35", T, "ALTER TABLE t ADD INDEX a_idx (a), ALGORITHM=INPLACE, LOCK=NONE"), "INPLACE", false, "NONE");
            expect(Predict.of("mysql:8.0.35", T, "ALTER TABLE t ADD INDEX a_idx (a), LOCK=SHARED"), "INPLACE", false, "SHARED");
            expect(Predict.of("mysql:8.0.35", T, "ALTER TABLE t ADD INDEX a_idx (a), ALGORITHM=DEFAULT, LOCK=DEFAULT"), "INPLACE", false, "NONE");
            expect(Predict.of("mariadb:10.11", T, "ALTER TABLE t ADD INDEX a_idx (a), ALGORITHM=NOCOPY"), "INPLACE", false, "NONE");
            expect(Predict.of("mariadb:11.4", T, "ALTER TABLE t MODIFY v VARCHAR(200), ALGORITHM=COPY, LOCK=NONE"), "COPY", true, "NONE");
        }

        @Test
        void mysqlAlgorithmInplaceTurnsAnInstantAddIntoARebuildMariaDbKeepsItInstant() {
            Prediction my = Predict.of("mysql:8.0.35", T, "ALTER TABLE t ADD COLUMN x INT, ALGORITHM=INPLACE");
            expect(my, "INPLACE", true, "NONE");
            assertThat(my.best().algorithm()).isEqualTo(Algorithm.INSTANT);
            assertThat(my.reason()).contains("explicit ALGORITHM=INPLACE");
            expect(Predict.of("mariadb:10.11", T, "ALTER TABLE t ADD COLUMN x INT, ALGORITHM=INPLACE"), "INSTANT", false, "NONE");
        }

        @Test
        void explicitCopyCopiesEvenWhenNotNeeded() {
            Prediction p = Predict.of("mysql:8.0.35", T, "ALTER TABLE t ADD COLUMN x INT, ALGORITHM=COPY");
            expect(p, "COPY", true, "SHARED");
            assertThat(p.best()).isEqualTo(new MysqlAlterPredictor.Outcome(Algorithm.INSTANT, Lock.NONE, false));
            assertThat(p.requestedAlgorithm()).isEqualTo("COPY");
            assertThat(Predict.of("mariadb:11.4", T, "ALTER TABLE t ADD COLUMN x INT, ALGORITHM=COPY").lock()).isEqualTo(Lock.NONE);
        }

        @Test
        void refusedAlgorithms() {
            Prediction p = Predict.of("mysql:8.0.35", T, "ALTER TABLE t ADD INDEX a_idx (a), ALGORITHM=INSTANT");
            assertThat(p.refused()).isTrue();
            assertThat(p.refusal().errorCode()).isEqualTo(1846);
            assertThat(p.refusal().option()).isEqualTo("ALGORITHM=INSTANT");
            assertThat(p.reason()).contains("refuses ALGORITHM=INSTANT").contains("INPLACE without rebuild");

            Prediction c = Predict.of("mysql:8.0.35", T, "ALTER TABLE t MODIFY v VARCHAR(200), ALGORITHM=INPLACE, LOCK=NONE");
            assertThat(c.refused()).isTrue();
            assertThat(c.refusal().option()).isEqualTo("ALGORITHM=INPLACE");
            assertThat(c.algorithm()).as("what the change needs").isEqualTo(Algorithm.COPY);

            Prediction n = Predict.of("mariadb:10.11", T, "ALTER TABLE t FORCE, ALGORITHM=NOCOPY");
            assertThat(n.refused()).isTrue();
            assertThat(Predict.of("mysql:8.0.35", T, "ALTER TABLE t ADD INDEX a_idx (a), ALGORITHM=NOCOPY").refusal().errorCode())
                    .isEqualTo(1800);
        }

        @Test
        void refusedLocks() {
            Prediction ft = Predict.of("mysql:8.0.35", T, "ALTER TABLE t ADD FULLTEXT INDEX ft (txt), LOCK=NONE");
            assertThat(ft.refused()).isTrue();
            assertThat(ft.refusal().option()).isEqualTo("LOCK=NONE");
            assertThat(ft.reason()).contains("needs LOCK=SHARED");
            Prediction copy = Predict.of("mariadb:10.11", T, "ALTER TABLE t MODIFY a BIGINT, ALGORITHM=COPY, LOCK=NONE");
            assertThat(copy.refused()).isTrue();
            Prediction ai = Predict.of("mariadb:11.4", T, "ALTER TABLE t ADD COLUMN x INT AUTO_INCREMENT UNIQUE, LOCK=NONE");
            assertThat(ai.refused()).isTrue();
        }

        @Test
        void alterOnlineMeansLockNone() {
            Conditions online = new Conditions(true, false, false, true);
            assertThat(Predict.of("mariadb:10.11", T, "ALTER TABLE t MODIFY a BIGINT", online).refused()).isTrue();
            expect(Predict.of("mariadb:10.11", T, "ALTER TABLE t ADD INDEX a_idx (a)", online), "INPLACE", false, "NONE");
        }

        @Test
        void createAndDropIndexKeepTheirOptions() {
            Prediction c = Predict.of("mysql:8.0.35", T, "CREATE INDEX a_idx ON t (a) ALGORITHM=INPLACE LOCK=SHARED");
            expect(c, "INPLACE", false, "SHARED");
            Prediction d = Predict.of("mysql:8.0.35", T, "DROP INDEX k_idx ON t ALGORITHM=INSTANT");
            assertThat(d.refused()).isTrue();
        }
    }

    @Nested
    class Context {
        @Test
        void unknownTableAssumesCopyForModifyButKnowsAddColumn() {
            Prediction p = Predict.of("mysql:8.0.35", (String) null, "ALTER TABLE orders MODIFY amount DECIMAL(14,2)");
            expect(p, "COPY", true, "SHARED");
            assertThat(p.certain()).isFalse();
            assertThat(p.reason()).contains("unknown");
            Prediction a = Predict.of("mysql:8.0.35", (String) null, "ALTER TABLE orders ADD COLUMN note TEXT");
            expect(a, "INSTANT", false, "NONE");
            assertThat(a.certain()).isTrue();
        }

        @Test
        void charsetComesFromColumnThenTableThenUtf8mb4() {
            String latinTable = "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(100)) CHARACTER SET latin1";
            expect(Predict.of("mysql:8.0.35", latinTable, "ALTER TABLE t MODIFY v VARCHAR(255)"), "INPLACE", false, "NONE");
            String collated = "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(100)) COLLATE=latin1_swedish_ci";
            expect(Predict.of("mysql:8.0.35", collated, "ALTER TABLE t MODIFY v VARCHAR(255)"), "INPLACE", false, "NONE");
            String undeclared = "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(50))";
            Prediction p = Predict.of("mysql:8.0.35", undeclared, "ALTER TABLE t MODIFY v VARCHAR(100)");
            expect(p, "COPY", true, "SHARED");
            assertThat(p.reason()).contains("utf8mb4 assumed").contains("200→400 bytes");
            // MODIFY without CHARACTER SET takes the table default, which re-encodes a latin1 column
            String mixed = "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10) CHARACTER SET latin1) DEFAULT CHARSET=utf8mb4";
            Prediction q = Predict.of("mysql:8.0.35", mixed, "ALTER TABLE t MODIFY v VARCHAR(10)");
            expect(q, "COPY", true, "SHARED");
            assertThat(q.reason()).contains("latin1").contains("utf8mb4").contains("table default");
        }

        @Test
        void reasonCarriesNamesAndBytes() {
            Prediction p = Predict.of("mysql:8.0.35", T, "ALTER TABLE t MODIFY v VARCHAR(200)");
            assertThat(p.reason()).contains("VARCHAR(50)→VARCHAR(200) in utf8mb4 crosses the 255-byte length prefix")
                    .contains("200→800 bytes").endsWith("COPY, LOCK=SHARED");
            assertThat(p.cause()).doesNotContain("COPY, LOCK=SHARED");
            assertThat(p.describe()).isEqualTo("COPY, LOCK=SHARED");
            assertThat(p.clauseText()).isEqualTo("ALGORITHM=COPY, LOCK=SHARED");
            Prediction ok = Predict.of("mysql:8.0.35", T, "ALTER TABLE t MODIFY v VARCHAR(60)");
            assertThat(ok.reason()).contains("keeps the 1-byte length prefix (200→240 bytes)");
            assertThat(ok.clauseText()).isEqualTo("ALGORITHM=INPLACE, LOCK=NONE");
            Prediction m = Predict.of("mariadb:10.11", T, "ALTER TABLE t MODIFY w VARCHAR(100)");
            assertThat(m.reason()).contains("at most 127 bytes").contains("80→400 bytes");
        }

        @Test
        void effects() {
            assertThat(Predict.of("mysql:8.0.35", T, "ALTER TABLE t ADD COLUMN x INT").effect()).isEqualTo(Effect.CATALOG);
            assertThat(Predict.of("mysql:8.0.35", T, "ALTER TABLE t ADD INDEX a_idx (a)").effect()).isEqualTo(Effect.SCAN);
            assertThat(Predict.of("mysql:8.0.35", T, "ALTER TABLE t MODIFY a INT NOT NULL").effect()).isEqualTo(Effect.REWRITE);
            assertThat(Predict.of("mysql:8.0.35", T, "ALTER TABLE t MODIFY a BIGINT").effect()).isEqualTo(Effect.REWRITE);
            assertThat(Predict.of("mysql:8.0.35", T, "ALTER TABLE t DROP INDEX k_idx").effect()).isEqualTo(Effect.CATALOG);
        }

        @Test
        void unknownClausesAndPartitionsAssumeCopy() {
            Prediction p = Predict.of("mysql:8.0.35", T, "ALTER TABLE t REORGANIZE PARTITION p0 INTO (PARTITION p1 VALUES LESS THAN (10))");
            expect(p, "COPY", true, "SHARED");
            assertThat(p.certain()).isFalse();
            assertThat(p.reason()).contains("not modelled");
        }

        @Test
        void clauseOpsAreReported() {
            Prediction p = Predict.of("mysql:8.0.35", T, "ALTER TABLE t MODIFY a BIGINT NOT NULL AFTER n");
            assertThat(p.clauses()).extracting(MysqlAlterPredictor.Clause::op)
                    .containsExactly(Op.CHANGE_TYPE, Op.SET_NOT_NULL, Op.REORDER_COLUMN);
            assertThat(p.has(Op.SET_NOT_NULL)).isTrue();
            assertThat(p.clauses(Op.CHANGE_TYPE)).hasSize(1);
        }
    }

    @Test
    void instantColumnHazardVersions() {
        assertThat(MysqlAlterPredictor.instantColumnHazard(Target.parse("mysql:8.0.29"))).isTrue();
        assertThat(MysqlAlterPredictor.instantColumnHazard(Target.parse("mysql:8.0.28"))).isFalse();
        assertThat(MysqlAlterPredictor.instantColumnHazard(Target.parse("mysql:8.0.30"))).isFalse();
        assertThat(MysqlAlterPredictor.instantColumnHazard(Target.parse("mysql:8.4"))).isFalse();
        assertThat(MysqlAlterPredictor.instantColumnHazard(Target.parse("mariadb:10.6.8"))).isTrue();
        assertThat(MysqlAlterPredictor.instantColumnHazard(Target.parse("mariadb:10.6.9"))).isFalse();
        assertThat(MysqlAlterPredictor.instantColumnHazard(Target.parse("mariadb:10.6"))).as("the series, not 10.6.0").isFalse();
        assertThat(MysqlAlterPredictor.instantColumnHazard(Target.parse("mariadb:10.11.2"))).isFalse();
        assertThat(MysqlAlterPredictor.instantColumnHazard(Target.parse("mariadb:11.4.5"))).isFalse();
    }

    @Test
    void versionGates() {
        assertThat(MysqlAlterPredictor.instantAddLast(Target.parse("mysql:8.0.11"))).isFalse();
        assertThat(MysqlAlterPredictor.instantAddLast(Target.parse("mysql:8.0.12"))).isTrue();
        assertThat(MysqlAlterPredictor.instantAddAnywhere(Target.parse("mysql:8.0.28"))).isFalse();
        assertThat(MysqlAlterPredictor.instantAddAnywhere(Target.parse("mysql:8.0.29"))).isTrue();
        assertThat(MysqlAlterPredictor.instantAddAnywhere(Target.parse("mariadb:10.6"))).isTrue();
    }
}
