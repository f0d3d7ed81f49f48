package io.zerodown.postgres;

import io.zerodown.api.Finding;
import io.zerodown.api.LintReport;
import io.zerodown.api.Runner;
import io.zerodown.api.Severity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.List;

import static io.zerodown.postgres.LintFixture.of;
import static org.assertj.core.api.Assertions.assertThat;

/** Judgements that depend on earlier files, on the same file, and on the target version. */
class ContextAndVersionTest {

    @Test
    void tableFromEarlierFileIsExistingButSameFileIsNew(@TempDir Path dir) {
        LintReport r = new LintFixture(dir)
                .file("V1__a.sql", "CREATE TABLE a (id int, v int);")
                .file("V2__b.sql", "CREATE INDEX a_v_idx ON a (v);\nCREATE TABLE b (id int, v int);\nCREATE INDEX b_v_idx ON b (v);")
                .lint();
        List<Finding> f = of(r, "pg.index.create-nonconcurrent");
        assertThat(f).hasSize(1);
        assertThat(f.get(0).line()).isEqualTo(1);
    }

    @Test
    void newTableWithRowsCopiedInIsNoLongerSafe(@TempDir Path dir) {
        LintReport r = new LintFixture(dir)
                .file("V1__a.sql", "CREATE TABLE a (id int, v int);")
                .file("V2__b.sql", "CREATE TABLE b (id int, v int);\nINSERT INTO b SELECT id, v FROM a;\nCREATE INDEX b_v_idx ON b (v);")
                .lint();
        assertThat(of(r, "pg.index.create-nonconcurrent")).extracting(Finding::line).containsExactly(3);
    }

    @Test
    void checkValidatedInEarlierFileMakesSetNotNullSafeOnPg12(@TempDir Path dir) {
        LintFixture fx = new LintFixture(dir)
                .file("V1__a.sql", "CREATE TABLE a (id int, v int);")
                .file("V2__check.sql", "ALTER TABLE a ADD CONSTRAINT a_v_nn CHECK (v IS NOT NULL) NOT VALID;")
                .file("V3__validate.sql", "ALTER TABLE a VALIDATE CONSTRAINT a_v_nn;")
                .file("V4__nn.sql", "ALTER TABLE a ALTER COLUMN v SET NOT NULL;");
        assertThat(of(fx.target("postgres:12").lint(), "pg.column.set-not-null")).isEmpty();
        assertThat(of(fx.target("postgres:11").lint(), "pg.column.set-not-null")).hasSize(1);
    }

    @Test
    void notValidCheckWithoutValidateDoesNotHelp(@TempDir Path dir) {
        LintReport r = new LintFixture(dir)
                .file("V1__a.sql", "CREATE TABLE a (id int, v int);")
                .file("V2__check.sql", "ALTER TABLE a ADD CONSTRAINT a_v_nn CHECK (v IS NOT NULL) NOT VALID;")
                .file("V3__nn.sql", "ALTER TABLE a ALTER COLUMN v SET NOT NULL;")
                .lint();
        Finding f = of(r, "pg.column.set-not-null").get(0);
        assertThat(f.fix()).startsWith("ALTER TABLE a VALIDATE CONSTRAINT a_v_nn;");
        assertThat(f.message()).contains("NOT VALID yet");
    }

    @Test
    void checkThatOnlyImpliesWithOrIsNotProof(@TempDir Path dir) {
        LintReport r = new LintFixture(dir)
                .file("V1__a.sql", "CREATE TABLE a (id int, v int, w int);\nALTER TABLE a ADD CONSTRAINT c CHECK (v IS NOT NULL OR w > 0);")
                .file("V2__nn.sql", "ALTER TABLE a ALTER COLUMN v SET NOT NULL;")
                .lint();
        assertThat(of(r, "pg.column.set-not-null")).hasSize(1);
    }

    @ParameterizedTest(name = "{0} -> {1}: {2}")
    @CsvSource({
            "varchar(255), varchar(320), safe",
            "varchar(255), text, safe",
            "varchar, text, safe",
            "'numeric(12,2)', 'numeric(14,2)', safe",
            "text, varchar, safe",
            "timestamp(0), timestamp(6), safe",
            "int, bigint, rewrite",
            "text, varchar(100), rewrite",
            "varchar(320), varchar(255), rewrite",
            "'numeric(12,2)', 'numeric(12,4)', rewrite",
            "int, text, rewrite"})
    void typeChangeJudgedAgainstKnownOldType(String from, String to, String verdict, @TempDir Path dir) {
        LintReport r = new LintFixture(dir)
                .file("V1__a.sql", "CREATE TABLE a (id int, c " + from + ");")
                .file("V2__t.sql", "ALTER TABLE a ALTER COLUMN c TYPE " + to + ";")
                .lint();
        List<Finding> f = of(r, "pg.column.change-type");
        if (verdict.equals("safe")) {
            assertThat(f).isEmpty();
        } else {
            assertThat(f).hasSize(1);
            assertThat(f.get(0).severity()).isEqualTo(Severity.ERROR);
            assertThat(f.get(0).effect().id()).isEqualTo("rewrite");
        }
    }

    @Test
    void typeChangeAfterRenameFollowsTheColumn(@TempDir Path dir) {
        LintReport r = new LintFixture(dir)
                .file("V1__a.sql", "CREATE TABLE a (id int, c varchar(10));")
                .file("V2__r.sql", "-- zerodown:ignore any.column.rename no running code uses c yet\nALTER TABLE a RENAME COLUMN c TO d;")
                .file("V3__t.sql", "ALTER TABLE a ALTER COLUMN d TYPE varchar(20);")
                .lint();
        assertThat(of(r, "pg.column.change-type")).isEmpty();
    }

    @ParameterizedTest(name = "{0}: {1} fires={2}")
    @CsvSource(delimiter = '|', value = {
            "postgres:11 | ALTER TABLE a ADD COLUMN x int NOT NULL DEFAULT 0 | pg.column.add-volatile-default | false",
            "postgres:11 | ALTER TABLE a ALTER COLUMN v SET NOT NULL | pg.column.set-not-null | true",
            "postgres:17 | ALTER TABLE a ADD COLUMN g int GENERATED ALWAYS AS (v * 2) VIRTUAL | pg.column.add-generated-stored | true",
            "postgres:18 | ALTER TABLE a ADD COLUMN g int GENERATED ALWAYS AS (v * 2) VIRTUAL | pg.column.add-generated-stored | false",
            "postgres:14.3 | CREATE INDEX CONCURRENTLY a_v_idx ON a (v) | pg.index.cic-bad-minor | true",
            "postgres:14 | CREATE INDEX CONCURRENTLY a_v_idx ON a (v) | pg.index.cic-bad-minor | false",
            "postgres:15 | CREATE INDEX CONCURRENTLY a_v_idx ON a (v) | pg.index.cic-bad-minor | false"})
    void versionSwitches(String target, String sql, String rule, boolean fires, @TempDir Path dir) {
        LintReport r = new LintFixture(dir).target(target)
                .file("V1__a.sql", "CREATE TABLE a (id int, v int);")
                .file("V2__b.sql", sql + ";")
                .lint();
        assertThat(of(r, rule)).as(r.findings().toString()).hasSize(fires ? 1 : 0);
    }

    @Test
    void reindexFixDependsOnVersion(@TempDir Path dir) {
        LintFixture fx = new LintFixture(dir).file("V1__a.sql", "CREATE TABLE a (id int, v int);\nCREATE INDEX a_v_idx ON a (v);")
                .file("V2__b.sql", "REINDEX INDEX a_v_idx;");
        assertThat(of(fx.target("postgres:12").lint(), "pg.index.reindex-nonconcurrent").get(0).fix())
                .contains("REINDEX INDEX CONCURRENTLY a_v_idx");
        assertThat(of(fx.target("postgres:11").lint(), "pg.index.reindex-nonconcurrent").get(0).fix())
                .contains("CREATE INDEX CONCURRENTLY").doesNotContain("REINDEX INDEX CONCURRENTLY");
    }

    @Test
    void liquibaseChangesetIsTheUnit(@TempDir Path dir) {
        LintReport r = new LintFixture(dir).runner(Runner.LIQUIBASE)
                .file("changelog.sql", """
                        --liquibase formatted sql
                        --changeset a:1
                        CREATE TABLE t (id int, v int);
                        CREATE INDEX t_v_idx ON t (v);
                        --changeset a:2
                        CREATE INDEX t_id_idx ON t (id);
                        --rollback DROP INDEX t_id_idx;
                        """)
                .lint();
        List<Finding> f = of(r, "pg.index.create-nonconcurrent");
        assertThat(f).extracting(Finding::line).containsExactly(6);
    }

    @Test
    void flywayWrapsAFileButNotOneWithConcurrentIndex(@TempDir Path dir) {
        LintReport r = new LintFixture(dir).runner(Runner.FLYWAY)
                .file("V1__a.sql", "CREATE TABLE a (id int, v int);")
                .file("V2__b.sql", "ALTER TABLE a ADD CONSTRAINT a_v_chk CHECK (v > 0) NOT VALID;\nALTER TABLE a VALIDATE CONSTRAINT a_v_chk;")
                .file("V3__c.sql", "CREATE INDEX CONCURRENTLY a_v_idx ON a (v);")
                .lint();
        assertThat(of(r, "pg.constraint.validate-same-tx")).extracting(Finding::file).allMatch(f -> f.endsWith("V2__b.sql"));
        assertThat(of(r, "pg.tx.concurrent-in-transaction")).isEmpty();
    }
}
