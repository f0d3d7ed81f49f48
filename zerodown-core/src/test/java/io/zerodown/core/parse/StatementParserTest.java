package io.zerodown.core.parse;

import io.zerodown.core.model.AlterAction;
import io.zerodown.core.model.ColumnDef;
import io.zerodown.core.model.ConstraintDef;
import io.zerodown.core.model.Stmt;
import io.zerodown.core.sql.SqlFamily;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The statement model built from real-world DDL and DML shapes, for both families. */
class StatementParserTest {
    private final StatementParser pg = new StatementParser(SqlFamily.POSTGRES, false);
    private final StatementParser my = new StatementParser(SqlFamily.MYSQL, false);

    private Stmt.AlterTable alter(StatementParser p, String sql) {
        Stmt s = p.parse(sql);
        assertThat(s).as(sql).isInstanceOf(Stmt.AlterTable.class);
        return (Stmt.AlterTable) s;
    }

    @Test
    void addColumnWithTypeDefaultAndConstraints() {
        Stmt.AlterTable at = alter(pg, "ALTER TABLE IF EXISTS public.\"Users\" ADD COLUMN IF NOT EXISTS token uuid NOT NULL "
                + "DEFAULT gen_random_uuid() REFERENCES keys (id) ON DELETE CASCADE");
        assertThat(at.table().schema()).isEqualTo("public");
        assertThat(at.table().name()).isEqualTo("Users");
        AlterAction.AddColumn add = (AlterAction.AddColumn) at.actions().get(0);
        ColumnDef c = add.column();
        assertThat(add.ifNotExists()).isTrue();
        assertThat(c.name()).isEqualTo("token");
        assertThat(c.type().base()).isEqualTo("uuid");
        assertThat(c.notNull()).isTrue();
        assertThat(c.defaultValue().functions()).containsExactly("gen_random_uuid");
        assertThat(c.references().table().name()).isEqualTo("keys");
    }

    @Test
    void castInDefaultDoesNotEndTheExpression() {
        Stmt.AlterTable at = alter(pg, "ALTER TABLE t ADD COLUMN s varchar(10) DEFAULT 'x'::character varying NOT NULL");
        ColumnDef c = ((AlterAction.AddColumn) at.actions().get(0)).column();
        assertThat(c.defaultValue().text()).isEqualTo("'x'::character varying");
        assertThat(c.notNull()).isTrue();
        assertThat(c.type().base()).isEqualTo("varchar");
        assertThat(c.type().intArg(0)).isEqualTo(10);
    }

    @Test
    void multiWordTypesAreCanonical() {
        Stmt.CreateTable ct = (Stmt.CreateTable) pg.parse("CREATE TABLE t (a character varying(20), b double precision, "
                + "c timestamp with time zone, d timestamp(3) without time zone, e integer, f int8, g decimal(12,2), h text[])");
        assertThat(ct.columns()).extracting(c -> c.type().base())
                .containsExactly("varchar", "float8", "timestamptz", "timestamp", "int4", "int8", "numeric", "text");
        assertThat(ct.columns().get(3).type().intArg(0)).isEqualTo(3);
        assertThat(ct.columns().get(6).type().args()).containsExactly("12", "2");
        assertThat(ct.columns().get(7).type().array()).isTrue();
    }

    @Test
    void alterColumnForms() {
        Stmt.AlterTable at = alter(pg, "ALTER TABLE t ALTER COLUMN a TYPE bigint USING a::bigint, ALTER b SET NOT NULL, "
                + "ALTER COLUMN c DROP NOT NULL, ALTER COLUMN d SET DEFAULT now(), ALTER COLUMN e DROP DEFAULT, "
                + "ALTER COLUMN f SET DATA TYPE text, ALTER COLUMN g SET STATISTICS 500");
        assertThat(at.actions()).hasSize(7);
        AlterAction.AlterColumnType type = (AlterAction.AlterColumnType) at.actions().get(0);
        assertThat(type.type().base()).isEqualTo("int8");
        assertThat(type.using()).isEqualTo("a::bigint");
        assertThat(at.actions().get(1)).isEqualTo(new AlterAction.SetNotNull("b"));
        assertThat(at.actions().get(2)).isEqualTo(new AlterAction.DropNotNull("c"));
        assertThat(((AlterAction.SetDefault) at.actions().get(3)).value().functions()).containsExactly("now");
        assertThat(at.actions().get(4)).isEqualTo(new AlterAction.DropDefault("e"));
        assertThat(((AlterAction.AlterColumnType) at.actions().get(5)).type().base()).isEqualTo("text");
        assertThat(at.actions().get(6)).isInstanceOf(AlterAction.CatalogOnly.class);
    }

    @Test
    void constraintsWithNotValidAndUsingIndex() {
        Stmt.AlterTable at = alter(pg, "ALTER TABLE c ADD CONSTRAINT c_p_fk FOREIGN KEY (p_id) REFERENCES p (id) NOT VALID");
        ConstraintDef fk = ((AlterAction.AddConstraint) at.actions().get(0)).constraint();
        assertThat(fk.kind()).isEqualTo(ConstraintDef.Kind.FOREIGN_KEY);
        assertThat(fk.notValid()).isTrue();
        assertThat(fk.columns()).containsExactly("p_id");
        assertThat(fk.refTable().name()).isEqualTo("p");

        ConstraintDef uq = ((AlterAction.AddConstraint) alter(pg, "ALTER TABLE t ADD CONSTRAINT t_c_key UNIQUE USING INDEX t_c_idx")
                .actions().get(0)).constraint();
        assertThat(uq.kind()).isEqualTo(ConstraintDef.Kind.UNIQUE);
        assertThat(uq.usingIndex()).isEqualTo("t_c_idx");

        ConstraintDef nn = ((AlterAction.AddConstraint) alter(pg, "ALTER TABLE t ADD CONSTRAINT t_c_nn NOT NULL c NOT VALID")
                .actions().get(0)).constraint();
        assertThat(nn.kind()).isEqualTo(ConstraintDef.Kind.NOT_NULL);
        assertThat(nn.notValid()).isTrue();

        assertThat(alter(pg, "ALTER TABLE t VALIDATE CONSTRAINT t_c_nn").actions())
                .containsExactly(new AlterAction.ValidateConstraint("t_c_nn"));
    }

    @Test
    void indexStatementsThatJsqlParserMisreads() {
        Stmt.DropIndex di = (Stmt.DropIndex) pg.parse("DROP INDEX CONCURRENTLY IF EXISTS idx_a, public.idx_b CASCADE");
        assertThat(di.concurrently()).isTrue();
        assertThat(di.ifExists()).isTrue();
        assertThat(di.names()).extracting(n -> n.name()).containsExactly("idx_a", "idx_b");
        Stmt.IndexDef ci = (Stmt.IndexDef) pg.parse("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON ONLY t USING btree "
                + "(lower(email), id DESC) WHERE deleted_at IS NULL");
        assertThat(ci.unique()).isTrue();
        assertThat(ci.concurrently()).isTrue();
        assertThat(ci.only()).isTrue();
        assertThat(ci.method()).isEqualTo("btree");
        assertThat(ci.columns()).containsExactly("lower(email)", "id");
        assertThat(ci.where()).isEqualTo("deleted_at IS NULL");
        Stmt.Reindex r = (Stmt.Reindex) pg.parse("REINDEX (VERBOSE) TABLE CONCURRENTLY t");
        assertThat(r.concurrently()).isTrue();
        assertThat(r.kind()).isEqualTo("TABLE");
    }

    @Test
    void maintenanceAndTransactionStatements() {
        assertThat(((Stmt.Vacuum) pg.parse("VACUUM (FULL, ANALYZE) t")).full()).isTrue();
        assertThat(((Stmt.Vacuum) pg.parse("VACUUM ANALYZE t")).full()).isFalse();
        assertThat(((Stmt.LockTable) pg.parse("LOCK TABLE a, b IN SHARE ROW EXCLUSIVE MODE NOWAIT")).mode())
                .isEqualTo("SHARE ROW EXCLUSIVE");
        assertThat(pg.parse("BEGIN")).isEqualTo(new Stmt.Transaction(Stmt.Transaction.Kind.BEGIN));
        assertThat(pg.parse("START TRANSACTION ISOLATION LEVEL SERIALIZABLE")).isEqualTo(new Stmt.Transaction(Stmt.Transaction.Kind.BEGIN));
        assertThat(pg.parse("ROLLBACK TO SAVEPOINT s")).isEqualTo(new Stmt.Transaction(Stmt.Transaction.Kind.SAVEPOINT));
        Stmt.SetVariable set = (Stmt.SetVariable) pg.parse("SET LOCAL lock_timeout TO '2s'");
        assertThat(set.local()).isTrue();
        assertThat(set.name()).isEqualTo("lock_timeout");
        assertThat(set.value()).isEqualTo("2s");
        Stmt.AlterEnum ae = (Stmt.AlterEnum) pg.parse("ALTER TYPE mood ADD VALUE IF NOT EXISTS 'happy' BEFORE 'ok'");
        assertThat(ae.ordered()).isTrue();
        assertThat(ae.ifNotExists()).isTrue();
        Stmt.AlterTable detach = alter(pg, "ALTER TABLE m DETACH PARTITION m_2020 CONCURRENTLY");
        assertThat(detach.actions().get(0)).isInstanceOf(AlterAction.DetachPartition.class);
    }

    @Test
    void dmlThroughJsqlParserAndFallback() {
        Stmt.Dml upd = (Stmt.Dml) pg.parse("UPDATE accounts SET status = 0");
        assertThat(upd.kind()).isEqualTo("UPDATE");
        assertThat(upd.hasWhere()).isFalse();
        Stmt.Dml del = (Stmt.Dml) pg.parse("DELETE FROM logs WHERE created < now() - interval '30 days'");
        assertThat(del.hasWhere()).isTrue();
        Stmt.Dml ins = (Stmt.Dml) pg.parse("INSERT INTO archive (id) SELECT id FROM logs");
        assertThat(ins.fromSelect()).isTrue();
        // PostgreSQL-only syntax JSqlParser rejects still yields a DML statement
        Stmt.Dml odd = (Stmt.Dml) pg.parse("UPDATE ONLY t AS x SET v = v || '{\"a\":1}'::jsonb FROM u WHERE x.id = u.id RETURNING *");
        assertThat(odd.table().name()).isEqualTo("t");
        assertThat(odd.hasWhere()).isTrue();
    }

    @Test
    void unknownStatementsAreUnparsedNotThrown() {
        assertThat(pg.parse("FROBNICATE everything")).isInstanceOf(Stmt.Unparsed.class);
        assertThat(pg.parse("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$")).isInstanceOf(Stmt.Other.class);
        Stmt.AlterTable at = alter(pg, "ALTER TABLE t FROB x, ADD COLUMN y int");
        assertThat(at.actions().get(0)).isInstanceOf(AlterAction.Unknown.class);
        assertThat(at.actions().get(1)).isInstanceOf(AlterAction.AddColumn.class);
    }

    @Test
    void mysqlAlterClauses() {
        Stmt.AlterTable at = alter(my, "ALTER TABLE `Orders` ADD COLUMN note text AFTER id, MODIFY COLUMN customer VARCHAR(200) "
                + "CHARACTER SET utf8mb4 NOT NULL, CHANGE old_name new_name INT UNSIGNED, ADD UNIQUE KEY uk_c (customer), "
                + "ADD FULLTEXT INDEX ft (note), DROP FOREIGN KEY fk_x, DROP PRIMARY KEY, ALGORITHM=INPLACE, LOCK=NONE");
        assertThat(at.table().name()).isEqualTo("orders");
        ColumnDef note = ((AlterAction.AddColumn) at.actions().get(0)).column();
        assertThat(note.position()).isEqualTo("AFTER id");
        AlterAction.ModifyColumn mod = (AlterAction.ModifyColumn) at.actions().get(1);
        assertThat(mod.column().type().intArg(0)).isEqualTo(200);
        assertThat(mod.column().charset()).isEqualTo("utf8mb4");
        AlterAction.ModifyColumn change = (AlterAction.ModifyColumn) at.actions().get(2);
        assertThat(change.oldName()).isEqualTo("old_name");
        assertThat(change.column().name()).isEqualTo("new_name");
        assertThat(((AlterAction.AddIndex) at.actions().get(3)).index().unique()).isTrue();
        assertThat(((AlterAction.AddIndex) at.actions().get(4)).index().kind()).isEqualTo("FULLTEXT");
        assertThat(at.actions().get(5)).isEqualTo(new AlterAction.DropConstraint("fk_x", false, ConstraintDef.Kind.FOREIGN_KEY));
        assertThat(at.actions().get(6)).isInstanceOf(AlterAction.DropPrimaryKey.class);
        assertThat(at.actions().get(7)).isEqualTo(new AlterAction.Algorithm("INPLACE"));
        assertThat(at.actions().get(8)).isEqualTo(new AlterAction.Lock("NONE"));
    }

    @Test
    void mysqlCreateTableWithEnumAndOptions() {
        Stmt.CreateTable ct = (Stmt.CreateTable) my.parse("CREATE TABLE t (id bigint NOT NULL AUTO_INCREMENT, "
                + "state enum('a','b') NOT NULL DEFAULT 'a', PRIMARY KEY (id), KEY k_state (state)) ENGINE=InnoDB "
                + "DEFAULT CHARSET=latin1 ROW_FORMAT=COMPRESSED");
        assertThat(ct.columns().get(0).autoIncrement()).isTrue();
        assertThat(ct.columns().get(1).type().args()).containsExactly("'a'", "'b'");
        assertThat(ct.constraints()).extracting(ConstraintDef::kind).containsExactly(ConstraintDef.Kind.PRIMARY_KEY);
        assertThat(ct.indexes()).extracting(Stmt.IndexDef::name).containsExactly("k_state");
        assertThat(ct.options()).containsEntry("ENGINE", "InnoDB").containsEntry("CHARSET", "latin1")
                .containsEntry("ROW_FORMAT", "COMPRESSED");
    }

    @Test
    void mysqlSessionVariables() {
        Stmt.SetVariable a = (Stmt.SetVariable) my.parse("SET SESSION lock_wait_timeout = 5");
        assertThat(a.name()).isEqualTo("lock_wait_timeout");
        assertThat(a.value()).isEqualTo("5");
        Stmt.SetVariable b = (Stmt.SetVariable) my.parse("SET @@session.lock_wait_timeout = 3");
        assertThat(b.name()).isEqualTo("lock_wait_timeout");
        Stmt.RenameTables rt = (Stmt.RenameTables) my.parse("RENAME TABLE a TO a_old, a_new TO a");
        assertThat(rt.from()).hasSize(2);
    }
}
