package io.zerodown.postgres.rules;

import io.zerodown.api.Effect;
import io.zerodown.api.RuleInfo;
import io.zerodown.api.Severity;
import io.zerodown.core.lint.Rule;
import io.zerodown.core.lint.StatementContext;
import io.zerodown.core.model.AlterAction;
import io.zerodown.core.model.ColumnDef;
import io.zerodown.core.model.ConstraintDef;
import io.zerodown.core.model.Name;
import io.zerodown.core.model.Stmt;
import io.zerodown.core.model.TypeName;
import io.zerodown.core.schema.ColumnState;
import io.zerodown.core.schema.ConstraintState;
import io.zerodown.core.schema.TableState;
import io.zerodown.postgres.PostgresFunctions;
import io.zerodown.postgres.PostgresLocks;
import io.zerodown.postgres.PostgresTypes;

import java.util.List;

import static io.zerodown.postgres.rules.PgRuleSupport.info;
import static io.zerodown.postgres.rules.PgRuleSupport.name;

/** Adding columns, making them NOT NULL, changing their type. */
public final class PostgresColumnRules implements Rule {
    static final String SET_NOT_NULL = "pg.column.set-not-null";
    static final String ADD_REQUIRED = "pg.column.add-required";
    static final String VOLATILE_DEFAULT = "pg.column.add-volatile-default";
    static final String GENERATED = "pg.column.add-generated-stored";
    static final String SERIAL = "pg.column.add-serial";
    static final String CHANGE_TYPE = "pg.column.change-type";
    static final String CHANGE_TYPE_CHECKED = "pg.column.change-type-checked";
    static final String JSON = "pg.column.add-json";

    private static final List<RuleInfo> INFOS = List.of(
            info(SET_NOT_NULL, Severity.ERROR, "SET NOT NULL scans the table under ACCESS EXCLUSIVE unless a valid CHECK proves it"),
            info(ADD_REQUIRED, Severity.ERROR, "ADD COLUMN ... NOT NULL without a DEFAULT fails on a non-empty table"),
            info(VOLATILE_DEFAULT, Severity.ERROR, "ADD COLUMN with a volatile DEFAULT rewrites the table under ACCESS EXCLUSIVE"),
            info(GENERATED, Severity.ERROR, "ADD COLUMN ... GENERATED ... STORED rewrites the table under ACCESS EXCLUSIVE"),
            info(SERIAL, Severity.ERROR, "ADD COLUMN of serial/bigserial/identity rewrites the table under ACCESS EXCLUSIVE"),
            info(CHANGE_TYPE, Severity.ERROR, "ALTER COLUMN TYPE that is not binary-coercible rewrites the table under ACCESS EXCLUSIVE"),
            info(CHANGE_TYPE_CHECKED, Severity.WARNING, "Type change of a column used by CHECK constraints re-checks every row"),
            info(JSON, Severity.INFO, "json column: prefer jsonb (equality, indexing, no duplicate keys)"));

    @Override
    public List<RuleInfo> infos() {
        return INFOS;
    }

    @Override
    public void check(StatementContext ctx) {
        if (ctx.stmt() instanceof Stmt.CreateTable ct) {
            for (ColumnDef col : ct.columns()) json(ctx, ct.table(), col);
            return;
        }
        if (!(ctx.stmt() instanceof Stmt.AlterTable at)) return;
        boolean fresh = ctx.isNew(at.table());
        for (AlterAction a : at.actions()) {
            if (a instanceof AlterAction.AddColumn ac) {
                json(ctx, at.table(), ac.column());
                if (!fresh) addColumn(ctx, at.table(), ac.column());
            } else if (fresh) {
                continue;
            } else if (a instanceof AlterAction.SetNotNull sn) {
                setNotNull(ctx, at.table(), sn.column());
            } else if (a instanceof AlterAction.AlterColumnType act) {
                changeType(ctx, at.table(), act);
            }
        }
    }

    private void addColumn(StatementContext ctx, Name table, ColumnDef col) {
        String qt = ctx.q(table);
        String qc = ctx.q(col.name());
        String type = col.type() == null ? "<type>" : col.type().raw();
        boolean pg11 = ctx.target().version().atLeast(11);
        boolean pg18 = ctx.target().version().atLeast(18);
        if (col.type() != null && col.type().isSerial() || col.identity()) {
            String seq = name(table.name(), col.name(), "seq");
            String intType = col.type() != null && col.type().base().equals("bigserial") ? "bigint"
                    : col.type() != null && col.type().base().equals("smallserial") ? "smallint"
                    : col.type() != null && !col.type().isSerial() ? type : "integer";
            ctx.finding(SERIAL).lock("ACCESS EXCLUSIVE", "reads, writes").effect(Effect.REWRITE)
                    .message("Adding " + (col.identity() ? "an identity" : "a " + type) + " column to " + table
                            + " fills every existing row from a sequence, which rewrites the whole table under ACCESS "
                            + "EXCLUSIVE: no reads or writes until it is done.")
                    .fix("CREATE SEQUENCE " + ctx.q(seq) + " AS " + intType + " OWNED BY " + qt + "." + qc + ";  -- after step 1\n"
                            + "ALTER TABLE " + qt + " ADD COLUMN " + qc + " " + intType + ";                -- 1: catalog only\n"
                            + "ALTER TABLE " + qt + " ALTER COLUMN " + qc + " SET DEFAULT nextval('" + seq + "');  -- 2: new rows\n"
                            + PgRuleSupport.backfillBatch(ctx, table, col.name(), "nextval('" + seq + "')") + "\n"
                            + PgRuleSupport.notNullViaCheck(ctx, table, col.name()))
                    .zerodownMakesSafe(col.identity() ? null : "it adds the column plain, sets the sequence default for new "
                            + "rows, backfills existing rows in batches and adds NOT NULL through a validated CHECK")
                    .report();
            return;
        }
        if (col.generated() == ColumnDef.Generated.STORED || col.generated() == ColumnDef.Generated.VIRTUAL && !pg18) {
            ctx.finding(GENERATED).lock("ACCESS EXCLUSIVE", "reads, writes").effect(Effect.REWRITE)
                    .message("Adding generated column " + col.name() + " to " + table + " computes it for every row in a "
                            + "table rewrite under ACCESS EXCLUSIVE."
                            + (pg18 ? " PostgreSQL 18 VIRTUAL generated columns need no rewrite." : ""))
                    .fix(pg18 ? "ALTER TABLE " + qt + " ADD COLUMN " + qc + " " + type + " GENERATED ALWAYS AS (<expr>) VIRTUAL;"
                            : "ALTER TABLE " + qt + " ADD COLUMN " + qc + " " + type + ";\n"
                            + "-- keep it filled for new and changed rows with a BEFORE INSERT OR UPDATE trigger computing <expr>,\n"
                            + PgRuleSupport.backfillBatch(ctx, table, col.name(), "<expr>"))
                    .report();
            return;
        }
        boolean hasDefault = col.defaultValue() != null && !col.defaultValue().isNullLiteral();
        if (hasDefault && PostgresLocks.addColumnRewrites(col, pg11, pg18)) {
            String def = col.defaultValue().text();
            boolean unknown = PostgresFunctions.of(col.defaultValue()) == PostgresFunctions.Volatility.UNKNOWN;
            String why = !pg11 ? "before PostgreSQL 11 any DEFAULT is written into every row"
                    : unknown ? "zerodown does not know the volatility of " + PostgresFunctions.culprit(col.defaultValue())
                    + " and treats it as volatile (a volatile default is computed per row, which rewrites the table); "
                    + "if the function is STABLE or IMMUTABLE the ADD is catalog-only and this finding can be ignored"
                    : PostgresFunctions.culprit(col.defaultValue()) + " is volatile, so "
                    + "PostgreSQL computes it for every existing row in a table rewrite";
            StringBuilder fix = new StringBuilder();
            fix.append("ALTER TABLE ").append(qt).append(" ADD COLUMN ").append(qc).append(" ").append(type).append(";  -- catalog only\n")
                    .append("ALTER TABLE ").append(qt).append(" ALTER COLUMN ").append(qc).append(" SET DEFAULT ").append(def)
                    .append(";  -- new rows\n")
                    .append(PgRuleSupport.backfillBatch(ctx, table, col.name(), def));
            if (col.notNull()) fix.append("\n").append(PgRuleSupport.notNullViaCheck(ctx, table, col.name()));
            ctx.finding(VOLATILE_DEFAULT).lock("ACCESS EXCLUSIVE", "reads, writes").effect(Effect.REWRITE)
                    .message("ADD COLUMN " + col.name() + " ... DEFAULT " + def + " on " + table + ": " + why
                            + "; reads and writes wait for the whole rewrite (measured: 3.2 s for 2M rows, 18 s for 10M).")
                    .fix(fix.toString())
                    .zerodownMakesSafe("it adds the column without the default, sets the default for new rows, backfills "
                            + "existing rows in batches" + (col.notNull() ? " and adds NOT NULL through a validated CHECK" : ""))
                    .report();
            return;
        }
        if (col.notNull() && !hasDefault && !col.primaryKey()) {
            ctx.finding(ADD_REQUIRED).lock("ACCESS EXCLUSIVE", "reads, writes").effect(Effect.CATALOG)
                    .message("ADD COLUMN " + col.name() + " ... NOT NULL without a DEFAULT fails with 'contains null "
                            + "values' as soon as " + table + " has a row; and running app code that inserts without "
                            + "the new column would fail after it.")
                    .fix("ALTER TABLE " + qt + " ADD COLUMN " + qc + " " + type + ";  -- nullable first\n"
                            + "-- deploy code that writes " + col.name() + ", then fill old rows:\n"
                            + PgRuleSupport.backfillBatch(ctx, table, col.name(), "<value>") + "\n"
                            + PgRuleSupport.notNullViaCheck(ctx, table, col.name()))
                    .report();
        }
    }

    private void setNotNull(StatementContext ctx, Name table, String column) {
        TableState t = ctx.table(table);
        boolean pg12 = ctx.target().version().atLeast(12);
        if (t != null && PostgresLocks.provenNotNull(t, column, pg12)) return;
        boolean invalidCheck = t != null && t.constraints.values().stream()
                .anyMatch(k -> !k.validated && k.provesNotNull(column));
        String qt = ctx.q(table);
        String fix;
        if (invalidCheck && pg12) {
            ConstraintState k = t.constraints.values().stream().filter(x -> !x.validated && x.provesNotNull(column)).findFirst().get();
            fix = "ALTER TABLE " + qt + " VALIDATE CONSTRAINT " + ctx.q(k.name) + ";  -- first, in its own transaction\n"
                    + "ALTER TABLE " + qt + " ALTER COLUMN " + ctx.q(column) + " SET NOT NULL;";
        } else {
            fix = PgRuleSupport.notNullViaCheck(ctx, table, column);
            if (ctx.target().version().atLeast(18)) {
                String n = name(table.name(), column, "not_null");
                fix += "\n-- PostgreSQL 18 alternative, fewer ACCESS EXCLUSIVE steps:\n"
                        + "-- ALTER TABLE " + qt + " ADD CONSTRAINT " + ctx.q(n) + " NOT NULL " + ctx.q(column) + " NOT VALID;\n"
                        + "-- ALTER TABLE " + qt + " VALIDATE CONSTRAINT " + ctx.q(n) + ";";
            }
        }
        ctx.finding(SET_NOT_NULL).lock("ACCESS EXCLUSIVE", "reads, writes").effect(Effect.SCAN)
                .message("SET NOT NULL on " + table + "." + column + " scans every row while holding ACCESS EXCLUSIVE "
                        + "(measured: 0.55 s for 10M rows, the app stalled as long)"
                        + (invalidCheck ? "; the CHECK that would prove it is NOT VALID yet, so it does not help"
                        : pg12 ? "; no valid CHECK (" + column + " IS NOT NULL) exists to let PostgreSQL skip the scan"
                        : "; PostgreSQL " + ctx.target().version() + " cannot skip the scan") + ".")
                .fix(fix)
                .zerodownMakesSafe(pg12 ? "it adds CHECK (" + column + " IS NOT NULL) NOT VALID, validates it without "
                        + "blocking, then sets NOT NULL without a scan and drops the CHECK" : null)
                .report();
    }

    private void changeType(StatementContext ctx, Name table, AlterAction.AlterColumnType act) {
        TableState t = ctx.table(table);
        ColumnState c = t == null ? null : t.column(act.column());
        TypeName from = c == null ? null : c.type;
        String qt = ctx.q(table);
        String qc = ctx.q(act.column());
        PostgresTypes.Change ch = from == null ? PostgresTypes.Change.REWRITE : PostgresTypes.change(from, act.type(), act.using());
        switch (ch) {
            case SAME:
                return;
            case NO_REWRITE:
                checkedColumn(ctx, t, table, act.column());
                return;
            case NO_REWRITE_INDEX_REBUILD: {
                List<String> idx = indexesOn(t, act.column());
                if (!idx.isEmpty()) {
                    ctx.finding(CHANGE_TYPE).severity(Severity.WARNING).lock("ACCESS EXCLUSIVE", "reads, writes").effect(Effect.SCAN)
                            .message(from.raw() + " to " + act.type().raw() + " on " + table + "." + act.column() + " needs no "
                                    + "table rewrite, but comparison rules change, so the indexes " + idx + " are rebuilt "
                                    + "under ACCESS EXCLUSIVE.")
                            .fix("-- rebuild the indexes concurrently under new names first, then change the type:\n" + ctx.sql() + ";")
                            .report();
                }
                return;
            }
            case NO_REWRITE_IF_UTC:
                if (ctx.tx().timeZoneIsUtc()) return;
                ctx.finding(CHANGE_TYPE).severity(Severity.WARNING).lock("ACCESS EXCLUSIVE", "reads, writes").effect(Effect.REWRITE)
                        .message(from.raw() + " to " + act.type().raw() + " on " + table + "." + act.column()
                                + " skips the rewrite only when the session TimeZone is UTC; otherwise every row is "
                                + "rewritten under ACCESS EXCLUSIVE.")
                        .fix("SET LOCAL TimeZone = 'UTC';\n" + ctx.sql() + ";")
                        .report();
                return;
            default:
                break;
        }
        String newType = act.type().raw();
        String tmp = name(act.column(), "new");
        String fn = name(table.name(), act.column(), "sync");
        String using = act.using() != null ? act.using().replaceAll("(?i)\\b" + java.util.regex.Pattern.quote(act.column()) + "\\b", "NEW." + qc)
                : "NEW." + qc;
        String fix = "-- expand: a new column kept in step by a trigger, filled in batches\n"
                + "ALTER TABLE " + qt + " ADD COLUMN " + ctx.q(tmp) + " " + newType + ";\n"
                + "CREATE FUNCTION " + ctx.q(fn) + "() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                + "BEGIN NEW." + ctx.q(tmp) + " := " + using + "; RETURN NEW; END $$;\n"
                + "CREATE TRIGGER " + ctx.q(fn) + " BEFORE INSERT OR UPDATE ON " + qt + " FOR EACH ROW EXECUTE FUNCTION " + ctx.q(fn) + "();\n"
                + PgRuleSupport.backfillBatch(ctx, table, tmp, act.using() != null ? act.using() : qc + "::" + newType) + "\n"
                + "-- build the column's indexes and constraints on " + tmp + " concurrently / NOT VALID, then swap in one short transaction:\n"
                + "BEGIN;\nSET LOCAL lock_timeout = '100ms';\n"
                + "ALTER TABLE " + qt + " RENAME COLUMN " + qc + " TO " + ctx.q(name(act.column(), "old")) + ";\n"
                + "ALTER TABLE " + qt + " RENAME COLUMN " + ctx.q(tmp) + " TO " + qc + ";\n"
                + "DROP TRIGGER " + ctx.q(fn) + " ON " + qt + ";\nCOMMIT;\n"
                + "-- contract, once nothing reads the old column:\n"
                + "ALTER TABLE " + qt + " DROP COLUMN " + ctx.q(name(act.column(), "old")) + ";\nDROP FUNCTION " + ctx.q(fn) + "();";
        if (c != null && c.notNull) {
            fix = fix.replace("-- build the column's indexes", "-- make " + tmp + " NOT NULL before the swap:\n"
                    + PgRuleSupport.notNullViaCheck(ctx, table, tmp) + "\n-- build the column's indexes");
        }
        if (c != null && c.defaultValue != null) {
            fix = fix.replace("ALTER TABLE " + qt + " RENAME COLUMN " + ctx.q(tmp) + " TO " + qc + ";",
                    "ALTER TABLE " + qt + " RENAME COLUMN " + ctx.q(tmp) + " TO " + qc + ";\nALTER TABLE " + qt + " ALTER COLUMN "
                            + qc + " SET DEFAULT " + c.defaultValue.text() + ";");
        }
        boolean known = from != null;
        ctx.finding(CHANGE_TYPE).severity(known ? Severity.ERROR : Severity.WARNING)
                .lock("ACCESS EXCLUSIVE", "reads, writes").effect(Effect.REWRITE)
                .message((known ? "Changing " + table + "." + act.column() + " from " + from.raw() + " to " + newType
                        + (act.using() != null ? " with USING" : "") + " is not binary-coercible"
                        : "zerodown does not know the current type of " + table + "." + act.column()
                        + " (the table was not created by these migrations); unless the change is binary-coercible "
                        + "(e.g. varchar widening) it")
                        + (known ? ": PostgreSQL" : "") + " rewrites the whole table and rebuilds its indexes under ACCESS "
                        + "EXCLUSIVE (measured: int to bigint took 6.5 s on 10M rows, the app stalled as long). Prepared "
                        + "statements that return this column also fail with 'cached plan must not change result type'.")
                .fix(fix)
                .zerodownMakesSafe(known && !inKeyConstraint(t, act.column()) ? "it runs the expand/contract plan: new column, "
                        + "sync trigger, batched backfill, indexes rebuilt concurrently, and a short swap transaction" : null)
                .report();
        checkedColumn(ctx, t, table, act.column());
    }

    /** zerodown apply does not carry primary keys, unique constraints or foreign keys over to a new column yet. */
    private static boolean inKeyConstraint(TableState t, String column) {
        if (t == null) return false;
        for (ConstraintState k : t.constraints.values()) {
            if (k.columns.contains(column) && (k.kind == ConstraintDef.Kind.PRIMARY_KEY || k.kind == ConstraintDef.Kind.UNIQUE
                    || k.kind == ConstraintDef.Kind.FOREIGN_KEY)) {
                return true;
            }
        }
        return false;
    }

    private void checkedColumn(StatementContext ctx, TableState t, Name table, String column) {
        if (t == null) return;
        for (ConstraintState k : t.constraints.values()) {
            if (k.kind == ConstraintDef.Kind.CHECK && k.columns.contains(column)) {
                ctx.finding(CHANGE_TYPE_CHECKED).severity(Severity.WARNING).lock("ACCESS EXCLUSIVE", "reads, writes")
                        .effect(Effect.SCAN)
                        .message("CHECK constraint " + k.name + " uses " + column + ", so changing its type re-checks "
                                + "every row of " + table + " under ACCESS EXCLUSIVE even when the type change itself "
                                + "is catalog-only.")
                        .fix("ALTER TABLE " + ctx.q(table) + " DROP CONSTRAINT " + ctx.q(k.name) + ";\n" + ctx.sql() + ";\n"
                                + "ALTER TABLE " + ctx.q(table) + " ADD CONSTRAINT " + ctx.q(k.name) + " CHECK (" + k.expression + ") NOT VALID;\n"
                                + "ALTER TABLE " + ctx.q(table) + " VALIDATE CONSTRAINT " + ctx.q(k.name) + ";")
                        .report();
                return;
            }
        }
    }

    private static List<String> indexesOn(TableState t, String column) {
        if (t == null) return List.of();
        return t.indexes.values().stream().filter(i -> i.columns.contains(column)).map(i -> i.name).toList();
    }

    private void json(StatementContext ctx, Name table, ColumnDef col) {
        if (col.type() == null || !col.type().base().equals("json")) return;
        ctx.finding(JSON).severity(Severity.INFO).lock(null, null).effect(Effect.NONE)
                .message("Column " + table + "." + col.name() + " is json: jsonb supports equality, GIN indexes and "
                        + "drops duplicate keys; json cannot be compared, so SELECT DISTINCT or UNION on it fails.")
                .fix(ctx.sql().replaceAll("(?i)\\bjson\\b", "jsonb") + ";")
                .report();
    }
}
