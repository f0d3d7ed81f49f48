package io.zerodown.core.lint.rules;

import io.zerodown.api.Effect;
import io.zerodown.api.Engine;
import io.zerodown.api.RuleInfo;
import io.zerodown.api.Severity;
import io.zerodown.core.lint.Rule;
import io.zerodown.core.lint.StatementContext;
import io.zerodown.core.model.AlterAction;
import io.zerodown.core.model.ConstraintDef;
import io.zerodown.core.model.Name;
import io.zerodown.core.model.Stmt;
import io.zerodown.core.schema.ConstraintState;
import io.zerodown.core.schema.TableState;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Rules shared by every engine: changes that break running application code, data loss, transaction hygiene. */
public final class CompatibilityRules implements Rule {
    public static final String COLUMN_DROP = "any.column.drop";
    public static final String TABLE_DROP = "any.table.drop";
    public static final String SCHEMA_DROP = "any.schema.drop";
    public static final String COLUMN_RENAME = "any.column.rename";
    public static final String TABLE_RENAME = "any.table.rename";
    public static final String DROP_NOT_NULL = "any.column.drop-not-null";
    public static final String FK_DROP = "any.fk.drop";
    public static final String TRUNCATE_CASCADE = "any.truncate.cascade";
    public static final String TX_UNCOMMITTED = "any.tx.uncommitted";
    public static final String NON_IDEMPOTENT = "any.stmt.non-idempotent";
    public static final String MULTIPLE_ALTER = "any.alter.multiple-same-table";
    public static final String BACKFILL = "any.dml.backfill-in-ddl-tx";

    private static final Set<Engine> ALL = EnumSet.allOf(Engine.class);
    private static final List<RuleInfo> INFOS = List.of(
            new RuleInfo(COLUMN_DROP, Severity.ERROR, "DROP COLUMN breaks app code that still reads or writes the column", ALL),
            new RuleInfo(TABLE_DROP, Severity.ERROR, "DROP TABLE breaks app code that still uses the table and loses its data", ALL),
            new RuleInfo(SCHEMA_DROP, Severity.ERROR, "DROP SCHEMA/DATABASE removes everything in it", ALL),
            new RuleInfo(COLUMN_RENAME, Severity.ERROR, "RENAME COLUMN breaks app code that uses the old name", ALL),
            new RuleInfo(TABLE_RENAME, Severity.ERROR, "Renaming a table breaks app code that uses the old name", ALL),
            new RuleInfo(DROP_NOT_NULL, Severity.WARNING, "DROP NOT NULL lets NULLs reach readers that assume none", ALL),
            new RuleInfo(FK_DROP, Severity.WARNING, "Dropping a foreign key stops integrity checks", ALL),
            new RuleInfo(TRUNCATE_CASCADE, Severity.WARNING, "TRUNCATE ... CASCADE empties every referencing table too", ALL),
            new RuleInfo(TX_UNCOMMITTED, Severity.ERROR, "BEGIN without COMMIT, nested BEGIN, or COMMIT without BEGIN", ALL),
            new RuleInfo(NON_IDEMPOTENT, Severity.INFO, "Statement run outside a transaction is not safe to re-run after a partial failure", ALL),
            new RuleInfo(MULTIPLE_ALTER, Severity.INFO, "Several table-scanning ALTERs on one table: merge them into one pass", ALL),
            new RuleInfo(BACKFILL, Severity.ERROR, "UPDATE/DELETE of a whole existing table in one transaction", ALL));

    /** Heavy ALTER statements per unit and table, for {@link #MULTIPLE_ALTER}. */
    private final Map<String, Integer> heavyAlters = new HashMap<>();
    private String heavyAltersUnit;

    @Override
    public List<RuleInfo> infos() {
        return INFOS;
    }

    @Override
    public void check(StatementContext ctx) {
        Stmt s = ctx.stmt();
        if (s instanceof Stmt.AlterTable at) {
            alterTable(ctx, at);
        } else if (s instanceof Stmt.DropTable dt) {
            dropTable(ctx, dt);
        } else if (s instanceof Stmt.DropSchema ds) {
            ctx.finding(SCHEMA_DROP).lock("ACCESS EXCLUSIVE", "reads, writes").effect(Effect.CATALOG)
                    .message("DROP " + ds.kind() + " " + ds.name() + (ds.cascade() ? " CASCADE" : "")
                            + " removes every object in it and its data; no app version that uses it can keep running.")
                    .fix("-- 1. deploy app code that no longer uses " + ds.kind().toLowerCase() + " " + ds.name()
                            + "\n-- 2. take a backup you can restore from\n-- 3. then, in its own migration:\nDROP "
                            + ds.kind() + " " + ctx.q(ds.name()) + ";")
                    .report();
        } else if (s instanceof Stmt.RenameTables rt) {
            for (int i = 0; i < rt.from().size(); i++) {
                renameTable(ctx, rt.from().get(i), rt.to().get(i));
            }
        } else if (s instanceof Stmt.Truncate tr && tr.cascade()) {
            ctx.finding(TRUNCATE_CASCADE).severity(Severity.WARNING)
                    .message("TRUNCATE ... CASCADE also empties every table with a foreign key to "
                            + tr.tables() + ", including tables added later that this migration does not name.")
                    .fix("TRUNCATE " + String.join(", ", tr.tables().stream().map(ctx::q).toList())
                            + " /* , and each referencing table, named explicitly */;")
                    .report();
        } else if (s instanceof Stmt.Transaction t) {
            transaction(ctx, t);
        } else if (s instanceof Stmt.Dml dml) {
            dml(ctx, dml);
        }
        nonIdempotent(ctx);
    }

    private void alterTable(StatementContext ctx, Stmt.AlterTable at) {
        boolean fresh = ctx.isNew(at.table());
        TableState table = ctx.table(at.table());
        for (AlterAction a : at.actions()) {
            if (fresh) continue;
            if (a instanceof AlterAction.DropColumn dc) {
                ctx.finding(COLUMN_DROP)
                        .message("Dropping column " + dc.column() + " of " + at.table() + " breaks every running app "
                                + "instance that still selects or inserts it (including ORMs that list all columns), "
                                + "and its data is gone.")
                        .fix("-- release N: stop reading and writing " + dc.column() + " (e.g. mark it ignored in the ORM) and deploy\n"
                                + "-- release N+1, once no running code uses it:\n"
                                + "ALTER TABLE " + ctx.q(at.table()) + " DROP COLUMN " + ctx.q(dc.column()) + ";")
                        .report();
            } else if (a instanceof AlterAction.RenameColumn rc) {
                renameColumn(ctx, at.table(), rc.from(), rc.to(), table);
            } else if (a instanceof AlterAction.ModifyColumn mc && !mc.oldName().equals(mc.column().name())) {
                renameColumn(ctx, at.table(), mc.oldName(), mc.column().name(), table);
            } else if (a instanceof AlterAction.RenameTable rt) {
                renameTable(ctx, at.table(), rt.to());
            } else if (a instanceof AlterAction.DropNotNull dn) {
                ctx.finding(DROP_NOT_NULL).severity(Severity.WARNING)
                        .message("After DROP NOT NULL on " + at.table() + "." + dn.column() + ", new NULLs can reach "
                                + "code of the running version that assumes the column is never NULL.")
                        .fix("-- deploy readers that handle NULL in " + dn.column() + " first, then:\n"
                                + "ALTER TABLE " + ctx.q(at.table()) + " ALTER COLUMN " + ctx.q(dn.column()) + " DROP NOT NULL;")
                        .report();
            } else if (a instanceof AlterAction.DropConstraint dc && isForeignKey(dc, table)) {
                ctx.finding(FK_DROP).severity(Severity.WARNING)
                        .message("Dropping foreign key " + dc.name() + " on " + at.table() + " stops the database from "
                                + "checking those references; orphan rows can appear from then on.")
                        .fix(null)
                        .report();
            }
        }
        multipleAlters(ctx, at);
    }

    private static boolean isForeignKey(AlterAction.DropConstraint dc, TableState table) {
        if (dc.kind() == ConstraintDef.Kind.FOREIGN_KEY) return true;
        if (table == null) return false;
        ConstraintState c = table.constraints.get(dc.name());
        return c != null && c.kind == ConstraintDef.Kind.FOREIGN_KEY;
    }

    private void renameColumn(StatementContext ctx, Name table, String from, String to, TableState known) {
        boolean pg = ctx.target().engine() == Engine.POSTGRES;
        String type = known != null && known.column(from) != null && known.column(from).type != null
                ? known.column(from).type.raw() : "<type of " + from + ">";
        String t = ctx.q(table);
        String fix;
        if (pg) {
            String fn = ctx.q(table.name() + "_" + to + "_sync");
            fix = "-- expand (release N): add the new name and keep both in step\n"
                    + "ALTER TABLE " + t + " ADD COLUMN " + ctx.q(to) + " " + type + ";\n"
                    + "CREATE FUNCTION " + fn + "() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                    + "BEGIN\n"
                    + "  IF TG_OP = 'INSERT' OR NEW." + ctx.q(from) + " IS DISTINCT FROM OLD." + ctx.q(from) + " THEN NEW." + ctx.q(to) + " := NEW." + ctx.q(from) + ";\n"
                    + "  ELSIF NEW." + ctx.q(to) + " IS DISTINCT FROM OLD." + ctx.q(to) + " THEN NEW." + ctx.q(from) + " := NEW." + ctx.q(to) + ";\n"
                    + "  END IF;\n  RETURN NEW;\nEND $$;\n"
                    + "CREATE TRIGGER " + fn + " BEFORE INSERT OR UPDATE ON " + t + " FOR EACH ROW EXECUTE FUNCTION " + fn + "();\n"
                    + "-- backfill " + to + " from " + from + " in batches; deploy code that reads " + to + "\n"
                    + "-- contract (release N+1, when nothing uses " + from + "):\n"
                    + "DROP TRIGGER " + fn + " ON " + t + ";\nDROP FUNCTION " + fn + "();\n"
                    + "ALTER TABLE " + t + " DROP COLUMN " + ctx.q(from) + ";";
        } else {
            fix = "-- expand (release N): add " + to + ", copy " + from + " into it by triggers and a batched backfill,\n"
                    + "-- deploy code that reads " + to + " and writes both, then (release N+1):\n"
                    + "ALTER TABLE " + t + " ADD COLUMN " + ctx.q(to) + " " + type + ", ALGORITHM=INSTANT;\n"
                    + "-- ... later, when nothing uses " + from + ":\n"
                    + "ALTER TABLE " + t + " DROP COLUMN " + ctx.q(from) + ", ALGORITHM=INSTANT;";
        }
        ctx.finding(COLUMN_RENAME)
                .message("Renaming " + table + "." + from + " to " + to + " breaks every running app instance that "
                        + "still uses " + from + " until all of them are redeployed; a rolling deploy cannot survive it.")
                .fix(fix)
                .report();
    }

    private void renameTable(StatementContext ctx, Name from, Name to) {
        if (ctx.isNew(from)) return;
        // A view with the old name right after the rename keeps old code working (the shim pattern).
        if (ctx.next() instanceof Stmt.CreateView v && v.view().sameAs(from) && !v.materialized()) return;
        ctx.finding(TABLE_RENAME)
                .message("Renaming " + from + " to " + to + " breaks every running app instance that still queries "
                        + from + ".")
                .fix("ALTER TABLE " + ctx.q(from) + " RENAME TO " + ctx.q(to) + ";\n"
                        + "CREATE VIEW " + ctx.q(from) + " AS SELECT * FROM " + ctx.q(to) + ";  -- simple views are updatable\n"
                        + "-- next release, when nothing uses " + from + ":\n"
                        + "DROP VIEW " + ctx.q(from) + ";")
                .report();
    }

    private void dropTable(StatementContext ctx, Stmt.DropTable dt) {
        if (dt.view()) return;
        for (Name t : dt.tables()) {
            if (ctx.isNew(t)) continue;
            TableState known = ctx.table(t);
            // the old copy of a copy-and-swap: renamed away in this same file, so no running code uses this name
            if (known != null && ctx.unit().id().equals(known.renamedInUnit)) continue;
            ctx.finding(TABLE_DROP)
                    .message("Dropping " + t + (dt.cascade() ? " with CASCADE (which also drops dependent views and foreign keys)" : "")
                            + " breaks every running app instance that still uses it, and the data cannot be recovered "
                            + "without a backup.")
                    .fix("-- release N: stop using " + t + " and deploy; check it is no longer written:\n"
                            + "SELECT count(*) FROM " + ctx.q(t) + ";\n"
                            + "-- release N+1, after a backup:\n"
                            + "DROP TABLE " + ctx.q(t) + ";")
                    .report();
        }
    }

    private void transaction(StatementContext ctx, Stmt.Transaction t) {
        switch (t.kind()) {
            case BEGIN:
                if (ctx.tx().inTransaction()) {
                    ctx.finding(TX_UNCOMMITTED).effect(Effect.NONE).lock(null, null)
                            .message("BEGIN inside a transaction that is already open ("
                                    + (ctx.tx().explicitOpenForRules() ? "an earlier BEGIN" : "the " + ctx.runner().id()
                                    + " runner wraps this " + (ctx.unit().id().contains(":") ? "changeset" : "file"))
                                    + "): PostgreSQL ignores it with a warning and the next COMMIT ends the outer "
                                    + "transaction early; MySQL commits the open one implicitly.")
                            .fix("-- remove the BEGIN/COMMIT pair, or tell the runner not to wrap this file")
                            .report();
                }
                break;
            case COMMIT:
            case ROLLBACK:
                if (!ctx.tx().explicitOpenForRules()) {
                    ctx.finding(TX_UNCOMMITTED).effect(Effect.NONE).lock(null, null)
                            .message(t.kind() + " without a BEGIN in this " + (ctx.tx().inTransaction()
                                    ? "file: it ends the runner's own transaction early, so what follows runs outside it"
                                    : "file: it does nothing but hides a missing BEGIN"))
                            .fix("-- remove it, or add the matching BEGIN")
                            .report();
                }
                break;
            default:
                break;
        }
    }

    /** Called by the engine at the end of a unit whose BEGIN was never committed. */
    public static void reportNeverCommitted(StatementContext ctx) {
        ctx.finding(TX_UNCOMMITTED).effect(Effect.NONE).lock(null, null)
                .message("BEGIN is never followed by COMMIT in this " + (ctx.unit().id().contains(":") ? "changeset" : "file")
                        + ": every lock taken after it stays held until the connection closes, and the changes may be "
                        + "rolled back.")
                .fix("COMMIT;")
                .report();
    }

    private void dml(StatementContext ctx, Stmt.Dml dml) {
        if (!(dml.kind().equals("UPDATE") || dml.kind().equals("DELETE"))) return;
        if (!dml.touchesWholeTable()) return;
        Name t = dml.table();
        if (ctx.isNew(t) || ctx.table(t) != null && ctx.table(t).createdInUnit != null
                && ctx.table(t).createdInUnit.equals(ctx.unit().id())) {
            return;
        }
        boolean pg = ctx.target().engine() == Engine.POSTGRES;
        String key = primaryKey(ctx.table(t));
        String qt = ctx.q(t);
        String qk = ctx.q(key);
        String fix;
        String set = setClauseOf(ctx.sql());
        if (dml.kind().equals("UPDATE")) {
            String also = dml.hasWhere() ? " AND (" + dml.whereText() + ")" : "";
            set = set.replaceFirst("(?is)\\s+WHERE\\s+.*$", "");
            fix = pg
                    ? "-- repeat, each batch in its own short transaction, until it returns no row; keep :last_id = max(" + key + ") of each batch\n"
                    + "UPDATE " + qt + " SET " + set + "\nWHERE " + qk + " IN (SELECT " + qk + " FROM " + qt + " WHERE " + qk
                    + " > :last_id" + also + " ORDER BY " + qk + " LIMIT 5000)\nRETURNING " + qk + ";"
                    : "-- repeat for consecutive key ranges, each in its own short transaction, until past max(" + key + ")\n"
                    + "UPDATE " + qt + " SET " + set + "\nWHERE " + qk + " > :last_id AND " + qk + " <= :last_id + 5000" + also + ";";
        } else {
            fix = pg
                    ? "-- repeat, each batch in its own short transaction, until it deletes no row\n"
                    + "DELETE FROM " + qt + " WHERE " + qk + " IN (SELECT " + qk + " FROM " + qt + " ORDER BY " + qk + " LIMIT 5000);"
                    : "-- repeat, each batch in its own short transaction, until it deletes no row\n"
                    + "DELETE FROM " + qt + " ORDER BY " + qk + " LIMIT 5000;";
        }
        String held = ctx.tx().inTransaction() ? " It runs in the same transaction as the migration's DDL, so the DDL's "
                + "locks are held until it finishes too." : "";
        ctx.finding(BACKFILL).lock("ROW EXCLUSIVE + row locks on every row", "writes to the same rows")
                .effect(Effect.REWRITE)
                .message(dml.kind() + " of every row of " + t + " in one statement: it locks each row until commit, so "
                        + "app updates of those rows wait for the whole run (measured: 4.6 s for 2M rows, 28 s for 10M), "
                        + "writes the whole table again to WAL/binlog and floods replicas." + held)
                .fix(fix)
                .zerodownMakesSafe("it runs the " + dml.kind() + " in keyset batches of about 20-50 ms, each committed "
                        + "on its own, resumable from a journalled watermark")
                .report();
    }

    private static String setClauseOf(String sql) {
        String upper = sql.toUpperCase(java.util.Locale.ROOT);
        int set = upper.indexOf(" SET ");
        return set < 0 ? "..." : sql.substring(set + 5).trim();
    }

    static String primaryKey(TableState t) {
        if (t != null) {
            for (ConstraintState c : t.constraints.values()) {
                if (c.kind == ConstraintDef.Kind.PRIMARY_KEY && c.columns.size() == 1) return c.columns.get(0);
            }
        }
        return "id";
    }

    private void multipleAlters(StatementContext ctx, Stmt.AlterTable at) {
        if (!ctx.unit().id().equals(heavyAltersUnit)) {
            heavyAlters.clear();
            heavyAltersUnit = ctx.unit().id();
        }
        Effect e = ctx.locks().effect();
        if (ctx.isNew(at.table()) || !(e == Effect.REWRITE || e == Effect.SCAN)) return;
        int n = heavyAlters.merge(at.table().key(), 1, Integer::sum);
        if (n == 2) {
            ctx.finding(MULTIPLE_ALTER).severity(Severity.INFO)
                    .message("This is the second ALTER TABLE on " + at.table() + " in this file that scans or rewrites "
                            + "the table; each one pays the full pass again. Where the steps must stay in one "
                            + "release, merge their clauses into one ALTER TABLE.")
                    .report();
        }
    }

    private void nonIdempotent(StatementContext ctx) {
        if (ctx.tx().inTransaction()) return;
        if (ctx.runner() == io.zerodown.api.Runner.ZERODOWN) return; // zerodown journals each step instead
        Stmt s = ctx.stmt();
        String what = null;
        if (s instanceof Stmt.CreateTable ct && !ct.ifNotExists()) what = "CREATE TABLE without IF NOT EXISTS";
        else if (s instanceof Stmt.DropTable dt && !dt.ifExists()) what = "DROP without IF EXISTS";
        else if (s instanceof Stmt.DropIndex di && !di.ifExists()) what = "DROP INDEX without IF EXISTS";
        else if (s instanceof Stmt.IndexDef idx && !idx.ifNotExists() && !idx.concurrently()
                && ctx.target().engine() == Engine.POSTGRES) {
            what = "CREATE INDEX without IF NOT EXISTS";
        }
        if (what == null) return;
        ctx.finding(NON_IDEMPOTENT).severity(Severity.INFO).lock(ctx.locks().mode(), ctx.locks().blocks())
                .message(what + " outside a transaction: if the migration fails after this statement, re-running the "
                        + "file fails here instead of carrying on.")
                .report();
    }
}
