package io.zerodown.postgres.apply;

import io.zerodown.api.Finding;
import io.zerodown.api.LintReport;
import io.zerodown.api.Runner;
import io.zerodown.api.Severity;
import io.zerodown.api.Target;
import io.zerodown.core.config.ZerodownConfig;
import io.zerodown.core.lint.LintEngine;
import io.zerodown.core.lint.LockFacts;
import io.zerodown.core.model.AlterAction;
import io.zerodown.core.model.ColumnDef;
import io.zerodown.core.model.ConstraintDef;
import io.zerodown.core.model.Name;
import io.zerodown.core.model.Stmt;
import io.zerodown.core.plan.BackfillSpec;
import io.zerodown.core.plan.MigrationPlan;
import io.zerodown.core.plan.Phase;
import io.zerodown.core.plan.PlanRefusedException;
import io.zerodown.core.plan.Step;
import io.zerodown.core.plan.StepKind;
import io.zerodown.core.schema.ColumnState;
import io.zerodown.core.schema.ConstraintState;
import io.zerodown.core.schema.SchemaModel;
import io.zerodown.core.schema.TableState;
import io.zerodown.core.source.MigrationFile;
import io.zerodown.core.source.MigrationUnit;
import io.zerodown.core.sql.SqlText;
import io.zerodown.postgres.PostgresDialect;
import io.zerodown.postgres.PostgresLocks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns plain-SQL migration files into safe step plans whose end state equals what the naive SQL asks for:
 * concurrent index builds, NOT VALID + VALIDATE, NOT NULL through a validated CHECK, expand/backfill/contract for
 * volatile defaults and serial columns, batched backfills for whole-table UPDATE/DELETE. What it cannot make safe
 * is refused before anything runs.
 */
public final class PostgresPlanner {

    /** Rules whose findings are breaking changes that {@code --allow-breaking} lets through as written. */
    static final Set<String> BREAKING = Set.of("any.column.drop", "any.table.drop", "any.schema.drop",
            "any.column.rename", "any.table.rename", "pg.schema.rename");

    private final Target target;
    private final boolean allowBreaking;
    private final List<TableState> live;

    public PostgresPlanner(Target target, List<TableState> live, boolean allowBreaking) {
        this.target = target;
        this.live = live;
        this.allowBreaking = allowBreaking;
    }

    /** The plans and the lint report they were derived from. */
    public record Result(List<MigrationPlan> plans, LintReport lint) {
    }

    public Result plan(List<MigrationFile> files) {
        LintEngine engine = new LintEngine(target, Runner.ZERODOWN, ZerodownConfig.empty());
        for (TableState t : live) engine.addLiveTable(copy(t));
        Map<String, Builder> builders = new LinkedHashMap<>();
        for (MigrationFile f : files) builders.put(f.file(), new Builder(f));
        List<PlanRefusedException> refusals = new ArrayList<>();
        LintReport report = engine.lint(files, (unit, text, stmt, locks) -> {
            Builder b = builders.get(unit.file());
            try {
                b.statement(engine.schema(), unit, text, stmt, locks);
            } catch (PlanRefusedException e) {
                refusals.add(e);
            }
        });
        for (Finding f : report.findings()) {
            if (f.severity() != Severity.ERROR) continue;
            if (allowBreaking && BREAKING.contains(f.rule())) continue;
            refusals.add(new PlanRefusedException(f.location(), f.rule() + ": " + f.message(),
                    BREAKING.contains(f.rule())
                            ? "follow the expand/contract way shown below, or allow it on purpose with a comment '-- zerodown:ignore "
                            + f.rule() + " <reason>' on the line before, or --allow-breaking\n" + indent(f.fix())
                            : f.fix() == null ? null : "write it this way instead:\n" + indent(f.fix())));
        }
        if (!refusals.isEmpty()) throw refusals.get(0);
        List<MigrationPlan> plans = new ArrayList<>();
        for (Builder b : builders.values()) plans.add(b.build());
        return new Result(plans, report);
    }

    private static String indent(String s) {
        return s == null ? "" : "    " + s.replace("\n", "\n    ");
    }

    private static TableState copy(TableState t) {
        // the lint engine replays into its model; keep the caller's live tables untouched
        TableState c = new TableState(t.name, null);
        c.estimatedRows = t.estimatedRows;
        t.columns.forEach((k, v) -> c.columns.put(k, new ColumnState(v.name, v.type, v.notNull, v.defaultValue, v.charset)));
        t.constraints.forEach((k, v) -> c.constraints.put(k, new ConstraintState(v.name, v.kind, new ArrayList<>(v.columns),
                v.refTable, v.expression, v.validated)));
        c.indexes.putAll(t.indexes);
        return c;
    }

    /** Collects the steps of one file. */
    private final class Builder {
        private final MigrationFile file;
        private final List<Step> steps = new ArrayList<>();
        private final List<String> notes = new ArrayList<>();
        private final List<String> session = new ArrayList<>();
        private final List<MigrationPlan.Check> checks = new ArrayList<>();
        private String origin;

        Builder(MigrationFile file) {
            this.file = file;
        }

        MigrationPlan build() {
            List<Step> numbered = new ArrayList<>();
            for (int i = 0; i < steps.size(); i++) numbered.add(steps.get(i).withIndex(i));
            String id = file.version() != null ? file.version() : file.units().isEmpty() ? file.file() : file.units().get(0).id();
            return new MigrationPlan(id, file.file(), file.description(), file.checksum(), numbered, notes, session, checks);
        }

        void statement(SchemaModel schema, MigrationUnit unit, SqlText text, Stmt stmt, LockFacts locks) {
            origin = unit.file() + ":" + text.line();
            String sql = text.sql();
            if (stmt instanceof Stmt.Transaction) {
                note("BEGIN/COMMIT/ROLLBACK in the file are ignored: zerodown runs every step in its own short transaction");
                return;
            }
            if (stmt instanceof Stmt.SetVariable sv) {
                if (sv.name().equals("lock_timeout") || sv.name().equals("statement_timeout")
                        || sv.name().equals("idle_in_transaction_session_timeout")) {
                    note("SET " + sv.name() + " in the file is ignored: zerodown sets its own timeouts on every step");
                } else {
                    session.add(sql);
                }
                return;
            }
            if (stmt instanceof Stmt.ResetVariable) {
                return;
            }
            if (stmt instanceof Stmt.AlterTable at && !schema.isNewInUnit(at.table(), unit.id())) {
                if (!schema.isKnown(at.table()) && !at.ifExists()) {
                    throw new PlanRefusedException(origin, "table " + at.table() + " does not exist in the database "
                            + "and no earlier migration creates it", "check the table name and the database URL");
                }
                alterTable(schema, at, locks);
                return;
            }
            if (stmt instanceof Stmt.IndexDef idx && !schema.isNewInUnit(idx.table(), unit.id())) {
                requireTable(schema, idx.table());
                createIndex(idx, sql);
                return;
            }
            if (stmt instanceof Stmt.DropIndex di && !di.concurrently()) {
                for (Name n : di.names()) {
                    TableState t = schema.tableOfIndex(n);
                    if (t != null && schema.isNewInUnit(t.name, unit.id())) {
                        add(Phase.CONTRACT, StepKind.TRANSACTIONAL, "drop index " + n + " of a new table",
                                "DROP INDEX " + (di.ifExists() ? "IF EXISTS " : "") + q(n), "ACCESS EXCLUSIVE (new table)", t.name, null, null, null);
                    } else {
                        add(Phase.CONTRACT, StepKind.NON_TRANSACTIONAL, "drop index " + n + " concurrently",
                                "DROP INDEX CONCURRENTLY IF EXISTS " + q(n), "SHARE UPDATE EXCLUSIVE", t == null ? null : t.name,
                                n.name(), null, null);
                    }
                }
                return;
            }
            if (stmt instanceof Stmt.DropIndex) {
                add(Phase.CONTRACT, StepKind.NON_TRANSACTIONAL, "run as written", sql, "SHARE UPDATE EXCLUSIVE", null, null, null, null);
                return;
            }
            if (stmt instanceof Stmt.Reindex r && r.concurrently() || stmt instanceof Stmt.Vacuum v && !v.full()) {
                add(Phase.CONTRACT, StepKind.NON_TRANSACTIONAL, "run as written, outside a transaction", sql,
                        locks.mode(), null, null, null, null);
                return;
            }
            if (stmt instanceof Stmt.Dml d && (d.kind().equals("UPDATE") || d.kind().equals("DELETE")) && d.touchesWholeTable()
                    && !schema.isNewInUnit(d.table(), unit.id())) {
                requireTable(schema, d.table());
                backfill(schema, d, sql);
                return;
            }
            // Everything else (CREATE TABLE, functions, views, DML on new tables, statements on new tables) is safe
            // as written once it runs under a short lock_timeout.
            String rollback = null;
            if (stmt instanceof Stmt.CreateTable ct && !ct.ifNotExists()) rollback = "DROP TABLE IF EXISTS " + q(ct.table());
            if (stmt instanceof Stmt.CreateView cv) rollback = "DROP " + (cv.materialized() ? "MATERIALIZED " : "") + "VIEW IF EXISTS " + q(cv.view());
            if (stmt instanceof Stmt.IndexDef idx && idx.name() != null) rollback = "DROP INDEX IF EXISTS " + PostgresDialect.quoteAlways(idx.name());
            if (stmt instanceof Stmt.Unparsed u) {
                throw new PlanRefusedException(origin, "zerodown cannot parse this statement (" + u.reason() + "), so it cannot "
                        + "tell what it locks or whether it is even valid SQL", "fix the syntax; if it is valid SQL zerodown does "
                        + "not know, run it separately with a short lock_timeout");
            }
            boolean concurrent = stmt instanceof Stmt.IndexDef idx2 && idx2.concurrently();
            boolean longWork = stmt instanceof Stmt.Opaque || stmt instanceof Stmt.Dml
                    || !(locks.effect() == io.zerodown.api.Effect.CATALOG || locks.effect() == io.zerodown.api.Effect.NONE);
            if (stmt instanceof Stmt.Opaque o) note(origin + ": " + o.reason() + "; it runs as written under lock_timeout");
            String oneLine = sql.replaceAll("\\s+", " ");
            add(phaseOf(stmt), concurrent ? StepKind.CONCURRENT_INDEX : longWork ? StepKind.AS_WRITTEN : StepKind.TRANSACTIONAL,
                    "run as written: " + (oneLine.length() > 60 ? oneLine.substring(0, 57) + "..." : oneLine), sql,
                    locks.mode() == null ? "none" : locks.mode(), stmt instanceof Stmt.IndexDef i ? i.table() : null,
                    stmt instanceof Stmt.IndexDef i2 ? i2.name() : null, rollback, null);
        }

        private Phase phaseOf(Stmt stmt) {
            if (stmt instanceof Stmt.DropTable || stmt instanceof Stmt.DropSchema) return Phase.CONTRACT;
            return Phase.EXPAND;
        }

        private void requireTable(SchemaModel schema, Name table) {
            if (!schema.isKnown(table)) {
                throw new PlanRefusedException(origin, "table " + table + " does not exist in the database and no earlier "
                        + "migration creates it", "check the table name and the database URL");
            }
        }

        private void alterTable(SchemaModel schema, Stmt.AlterTable at, LockFacts locks) {
            TableState t = schema.table(at.table());
            Name table = at.table();
            String qt = q(table);
            for (int i = 0; i < at.actions().size(); i++) {
                AlterAction a = at.actions().get(i);
                String clause = at.clauseTexts().get(i);
                if (a instanceof AlterAction.AddColumn ac) {
                    addColumn(t, table, ac.column(), clause);
                } else if (a instanceof AlterAction.SetNotNull sn) {
                    setNotNull(t, table, sn.column());
                } else if (a instanceof AlterAction.AddConstraint ac) {
                    addConstraint(t, table, ac.constraint(), clause);
                } else if (a instanceof AlterAction.ValidateConstraint vc) {
                    add(Phase.CONTRACT, StepKind.VALIDATE, "validate constraint " + vc.name(),
                            "ALTER TABLE " + qt + " VALIDATE CONSTRAINT " + qi(vc.name()), "SHARE UPDATE EXCLUSIVE", table, null, "", null);
                } else if (a instanceof AlterAction.AlterColumnType act) {
                    ColumnState col = t == null ? null : t.column(act.column());
                    io.zerodown.postgres.PostgresTypes.Change ch = col == null ? io.zerodown.postgres.PostgresTypes.Change.REWRITE
                            : io.zerodown.postgres.PostgresTypes.change(col.type, act.type(), act.using());
                    if (ch == io.zerodown.postgres.PostgresTypes.Change.REWRITE) {
                        typeChange(t, table, act);
                    } else {
                        add(Phase.EXPAND, StepKind.TRANSACTIONAL, "change type of " + act.column() + " (no rewrite)",
                                "ALTER TABLE " + qt + " " + clause, "ACCESS EXCLUSIVE (brief)", table, null,
                                col == null ? null : "ALTER TABLE " + qt + " ALTER COLUMN " + qi(act.column()) + " TYPE " + col.type.raw(), null);
                    }
                } else if (a instanceof AlterAction.SetDefault sd) {
                    ColumnState col = t == null ? null : t.column(sd.column());
                    String rb = col == null ? null : col.defaultValue == null
                            ? "ALTER TABLE " + qt + " ALTER COLUMN " + qi(sd.column()) + " DROP DEFAULT"
                            : "ALTER TABLE " + qt + " ALTER COLUMN " + qi(sd.column()) + " SET DEFAULT " + col.defaultValue.text();
                    add(Phase.EXPAND, StepKind.TRANSACTIONAL, "set default of " + sd.column(), "ALTER TABLE " + qt + " " + clause,
                            "ACCESS EXCLUSIVE (brief)", table, null, rb, null);
                } else if (a instanceof AlterAction.RenameColumn rc) {
                    add(Phase.CONTRACT, StepKind.TRANSACTIONAL, "rename column " + rc.from() + " to " + rc.to(),
                            "ALTER TABLE " + qt + " " + clause, "ACCESS EXCLUSIVE (brief)", table, null,
                            "ALTER TABLE " + qt + " RENAME COLUMN " + qi(rc.to()) + " TO " + qi(rc.from()), null);
                } else if (a instanceof AlterAction.DropColumn || a instanceof AlterAction.DropConstraint
                        || a instanceof AlterAction.DropNotNull || a instanceof AlterAction.DropDefault
                        || a instanceof AlterAction.RenameTable || a instanceof AlterAction.RenameConstraint
                        || a instanceof AlterAction.CatalogOnly) {
                    boolean contract = a instanceof AlterAction.DropColumn || a instanceof AlterAction.DropConstraint
                            || a instanceof AlterAction.RenameTable;
                    String rb = a instanceof AlterAction.DropNotNull dn
                            ? "ALTER TABLE " + qt + " ALTER COLUMN " + qi(dn.column()) + " SET NOT NULL" : null;
                    add(contract ? Phase.CONTRACT : Phase.EXPAND, StepKind.TRANSACTIONAL, "run as written: " + clause,
                            "ALTER TABLE " + qt + " " + clause, "ACCESS EXCLUSIVE (brief)", table, null, rb, null);
                } else if (a instanceof AlterAction.DetachPartition dp && dp.concurrently()) {
                    add(Phase.CONTRACT, StepKind.NON_TRANSACTIONAL, "detach partition concurrently", "ALTER TABLE " + qt + " " + clause,
                            "SHARE UPDATE EXCLUSIVE", table, null, null, null);
                } else {
                    add(Phase.EXPAND, StepKind.TRANSACTIONAL, "run as written: " + clause, "ALTER TABLE " + qt + " " + clause,
                            locks.mode(), table, null, null, null);
                }
            }
        }

        private void addColumn(TableState t, Name table, ColumnDef col, String clause) {
            String qt = q(table);
            String qc = qi(col.name());
            String drop = "ALTER TABLE " + qt + " DROP COLUMN IF EXISTS " + qc;
            boolean pg11 = target.version().atLeast(11);
            boolean pg18 = target.version().atLeast(18);
            boolean serial = col.type() != null && col.type().isSerial();
            if (col.identity() || col.generated() == ColumnDef.Generated.STORED
                    || col.generated() == ColumnDef.Generated.VIRTUAL && !pg18) {
                throw new PlanRefusedException(origin, "adding " + (col.identity() ? "an identity" : "a stored generated")
                        + " column to existing table " + table + " rewrites it, and zerodown does not support rewriting this "
                        + "case online yet", col.identity() ? "add a bigint column with a sequence default (ADD COLUMN "
                        + col.name() + " bigserial is planned safely)" : "add a plain column, fill it from a trigger and a backfill");
            }
            boolean rewrites = PostgresLocks.addColumnRewrites(col, pg11, pg18);
            boolean inlineConstraint = col.references() != null || col.unique() || col.primaryKey() || col.check() != null;
            if (!rewrites && !inlineConstraint) {
                add(Phase.EXPAND, StepKind.TRANSACTIONAL, "add column " + col.name(), "ALTER TABLE " + qt + " " + clause,
                        "ACCESS EXCLUSIVE (brief)", table, null, drop, null);
                return;
            }
            String type = serial ? (col.type().base().equals("bigserial") ? "bigint" : col.type().base().equals("smallserial")
                    ? "smallint" : "integer") : col.type().raw();
            add(Phase.EXPAND, StepKind.TRANSACTIONAL, "add column " + col.name() + " (nullable, no default)",
                    "ALTER TABLE " + qt + " ADD COLUMN " + qc + " " + type, "ACCESS EXCLUSIVE (brief)", table, null, drop, null);
            String fill = null;
            if (serial) {
                String seq = ident(table.name() + "_" + col.name() + "_seq");
                add(Phase.EXPAND, StepKind.TRANSACTIONAL, "create sequence " + seq,
                        "CREATE SEQUENCE " + qi(seq) + " AS " + type + " OWNED BY " + qt + "." + qc, "none", table, null,
                        "DROP SEQUENCE IF EXISTS " + qi(seq), null);
                fill = "nextval('" + (table.schema() == null ? "" : table.schema() + ".") + seq + "')";
            } else if (rewrites) {
                fill = col.defaultValue().text();
            } else if (col.defaultValue() != null && !col.defaultValue().isNullLiteral()) {
                // a non-volatile default is stored once in the catalog: no backfill needed
                add(Phase.EXPAND, StepKind.TRANSACTIONAL, "set default of " + col.name(), "ALTER TABLE " + qt + " ALTER COLUMN "
                        + qc + " SET DEFAULT " + col.defaultValue().text(), "ACCESS EXCLUSIVE (brief)", table, null, "", null);
            }
            if (fill != null) {
                add(Phase.EXPAND, StepKind.TRANSACTIONAL, "default for new rows", "ALTER TABLE " + qt + " ALTER COLUMN " + qc
                        + " SET DEFAULT " + fill, "ACCESS EXCLUSIVE (brief)", table, null, "", null);
                String key = key(t, table);
                add(Phase.BACKFILL, StepKind.BACKFILL, "backfill " + col.name() + " in batches",
                        "UPDATE " + qt + " SET " + qc + " = " + fill + " WHERE " + qi(key) + " > :last AND " + qi(key)
                                + " <= :upper AND " + qc + " IS NULL", "ROW EXCLUSIVE (row locks per batch)", table, null, "",
                        new BackfillSpec(table, key, qc + " = " + fill, qc + " IS NULL"));
            }
            if (col.notNull() || serial || col.primaryKey()) notNullSteps(table, col.name(), true);
            if (col.references() != null) {
                ConstraintDef fk = new ConstraintDef(null, ConstraintDef.Kind.FOREIGN_KEY, List.of(col.name()),
                        col.references().table(), col.references().columns(), null, false, null);
                addConstraint(t, table, fk, null);
            }
            if (col.check() != null) {
                addConstraint(t, table, new ConstraintDef(null, ConstraintDef.Kind.CHECK, List.of(col.name()), null, List.of(),
                        col.check(), false, null), null);
            }
            if (col.unique() || col.primaryKey()) {
                addConstraint(t, table, new ConstraintDef(null, col.primaryKey() ? ConstraintDef.Kind.PRIMARY_KEY
                        : ConstraintDef.Kind.UNIQUE, List.of(col.name()), null, List.of(), null, false, null), null);
            }
        }

        private void setNotNull(TableState t, Name table, String column) {
            boolean pg12 = target.version().atLeast(12);
            if (t != null && PostgresLocks.provenNotNull(t, column, pg12)) {
                add(Phase.CONTRACT, StepKind.TRANSACTIONAL, "set NOT NULL on " + column + " (proven by a valid CHECK: no scan)",
                        "ALTER TABLE " + q(table) + " ALTER COLUMN " + qi(column) + " SET NOT NULL", "ACCESS EXCLUSIVE (brief)",
                        table, null, "ALTER TABLE " + q(table) + " ALTER COLUMN " + qi(column) + " DROP NOT NULL", null);
                return;
            }
            // an invalid CHECK that would prove it: validate it instead of adding another
            if (t != null) {
                for (ConstraintState k : t.constraints.values()) {
                    if (!k.validated && k.provesNotNull(column)) {
                        add(Phase.CONTRACT, StepKind.VALIDATE, "validate " + k.name, "ALTER TABLE " + q(table)
                                + " VALIDATE CONSTRAINT " + qi(k.name), "SHARE UPDATE EXCLUSIVE", table, null, "", null);
                        add(Phase.CONTRACT, StepKind.TRANSACTIONAL, "set NOT NULL on " + column + " (no scan)",
                                "ALTER TABLE " + q(table) + " ALTER COLUMN " + qi(column) + " SET NOT NULL", "ACCESS EXCLUSIVE (brief)",
                                table, null, "ALTER TABLE " + q(table) + " ALTER COLUMN " + qi(column) + " DROP NOT NULL", null);
                        return;
                    }
                }
            }
            notNullSteps(table, column, false);
        }

        /** R3: CHECK NOT VALID → VALIDATE → SET NOT NULL (no scan on PG12+) → drop the CHECK. */
        void notNullSteps(Name table, String column, boolean newColumn) {
            String qt = q(table);
            if (!newColumn) {
                checks.add(new MigrationPlan.Check("SELECT EXISTS (SELECT 1 FROM " + qt + " WHERE " + qi(column) + " IS NULL)",
                        origin + ": " + table + "." + column + " has NULL values, so making it NOT NULL would fail; "
                                + "fill them first (an UPDATE ... WHERE " + column + " IS NULL in an earlier migration)"));
            }
            // not "<table>_<column>_not_null": PostgreSQL 18 gives that name to the NOT NULL constraint itself
            String check = ident(table.name() + "_" + column + "_zd_nn");
            add(Phase.CONTRACT, StepKind.TRANSACTIONAL, "add CHECK (" + column + " IS NOT NULL) NOT VALID",
                    "ALTER TABLE " + qt + " ADD CONSTRAINT " + qi(check) + " CHECK (" + qi(column) + " IS NOT NULL) NOT VALID",
                    "ACCESS EXCLUSIVE (brief)", table, null, "ALTER TABLE " + qt + " DROP CONSTRAINT IF EXISTS " + qi(check), null);
            add(Phase.CONTRACT, StepKind.VALIDATE, "validate " + check + " (reads and writes continue)",
                    "ALTER TABLE " + qt + " VALIDATE CONSTRAINT " + qi(check), "SHARE UPDATE EXCLUSIVE", table, null, "", null);
            add(Phase.CONTRACT, StepKind.TRANSACTIONAL, "set NOT NULL on " + column + " (proven by the CHECK: no scan)",
                    "ALTER TABLE " + qt + " ALTER COLUMN " + qi(column) + " SET NOT NULL", "ACCESS EXCLUSIVE (brief)", table, null,
                    newColumn ? "" : "ALTER TABLE " + qt + " ALTER COLUMN " + qi(column) + " DROP NOT NULL", null);
            add(Phase.CONTRACT, StepKind.TRANSACTIONAL, "drop helper CHECK " + check,
                    "ALTER TABLE " + qt + " DROP CONSTRAINT IF EXISTS " + qi(check), "ACCESS EXCLUSIVE (brief)", table, null, "", null);
        }

        private void addConstraint(TableState t, Name table, ConstraintDef cd, String clause) {
            String qt = q(table);
            String name = cd.name() != null ? cd.name() : defaultName(table, cd);
            String drop = "ALTER TABLE " + qt + " DROP CONSTRAINT IF EXISTS " + qi(name);
            switch (cd.kind()) {
                case FOREIGN_KEY: {
                    String cols = String.join(", ", cd.columns().stream().map(PostgresPlanner::qi).toList());
                    String ref = cd.refColumns().isEmpty() ? "" : " (" + String.join(", ", cd.refColumns().stream().map(PostgresPlanner::qi).toList()) + ")";
                    String body = clause != null && cd.name() != null ? stripNotValid(clause)
                            : "ADD CONSTRAINT " + qi(name) + " FOREIGN KEY (" + cols + ") REFERENCES " + q(cd.refTable()) + ref;
                    if (clause != null && cd.name() == null) body = "ADD CONSTRAINT " + qi(name) + " " + stripNotValid(clause).replaceFirst("(?i)^ADD\\s+", "");
                    add(Phase.EXPAND, StepKind.TRANSACTIONAL, "add foreign key " + name + " NOT VALID", "ALTER TABLE " + qt + " " + body + " NOT VALID",
                            "SHARE ROW EXCLUSIVE on " + table + " and " + cd.refTable() + " (brief)", table, null, drop, null);
                    if (!cd.notValid()) {
                        add(Phase.CONTRACT, StepKind.VALIDATE, "validate " + name + " (reads and writes continue)",
                                "ALTER TABLE " + qt + " VALIDATE CONSTRAINT " + qi(name), "SHARE UPDATE EXCLUSIVE", table, null, "", null);
                    }
                    return;
                }
                case CHECK: {
                    String body = clause != null && cd.name() != null ? stripNotValid(clause)
                            : "ADD CONSTRAINT " + qi(name) + " CHECK (" + cd.expression() + ")";
                    add(Phase.EXPAND, StepKind.TRANSACTIONAL, "add CHECK " + name + " NOT VALID", "ALTER TABLE " + qt + " " + body + " NOT VALID",
                            "ACCESS EXCLUSIVE (brief)", table, null, drop, null);
                    if (!cd.notValid()) {
                        add(Phase.CONTRACT, StepKind.VALIDATE, "validate " + name + " (reads and writes continue)",
                                "ALTER TABLE " + qt + " VALIDATE CONSTRAINT " + qi(name), "SHARE UPDATE EXCLUSIVE", table, null, "", null);
                    }
                    return;
                }
                case UNIQUE:
                case PRIMARY_KEY: {
                    if (cd.usingIndex() != null) {
                        add(Phase.CONTRACT, StepKind.TRANSACTIONAL, "attach index " + cd.usingIndex(), "ALTER TABLE " + qt + " " + clause,
                                "ACCESS EXCLUSIVE (brief)", table, null, drop, null);
                        return;
                    }
                    boolean pk = cd.kind() == ConstraintDef.Kind.PRIMARY_KEY;
                    if (pk) {
                        for (String col : cd.columns()) {
                            if (t == null || !PostgresLocks.provenNotNull(t, col, target.version().atLeast(12))) {
                                notNullSteps(table, col, false);
                            }
                        }
                    }
                    String cols = String.join(", ", cd.columns().stream().map(PostgresPlanner::qi).toList());
                    add(Phase.EXPAND, StepKind.CONCURRENT_INDEX, "build unique index " + name + " concurrently",
                            "CREATE UNIQUE INDEX CONCURRENTLY " + qi(name) + " ON " + qt + " (" + cols + ")",
                            "SHARE UPDATE EXCLUSIVE", table, name, "DROP INDEX CONCURRENTLY IF EXISTS " + qi(name), null);
                    add(Phase.CONTRACT, StepKind.TRANSACTIONAL, "attach " + name + " as " + (pk ? "primary key" : "unique constraint"),
                            "ALTER TABLE " + qt + " ADD CONSTRAINT " + qi(name) + (pk ? " PRIMARY KEY" : " UNIQUE") + " USING INDEX " + qi(name),
                            "ACCESS EXCLUSIVE (brief)", table, null, drop, null);
                    return;
                }
                case NOT_NULL: {
                    add(Phase.EXPAND, StepKind.TRANSACTIONAL, "add NOT NULL constraint " + name + " NOT VALID",
                            "ALTER TABLE " + qt + " " + stripNotValid(clause) + " NOT VALID", "ACCESS EXCLUSIVE (brief)", table, null, drop, null);
                    if (!cd.notValid()) {
                        add(Phase.CONTRACT, StepKind.VALIDATE, "validate " + name, "ALTER TABLE " + qt + " VALIDATE CONSTRAINT " + qi(name),
                                "SHARE UPDATE EXCLUSIVE", table, null, "", null);
                    }
                    return;
                }
                default:
                    throw new PlanRefusedException(origin, "EXCLUDE constraints have no online form in PostgreSQL",
                            "run it in a maintenance window");
            }
        }

        private void createIndex(Stmt.IndexDef idx, String sql) {
            String name = idx.name() != null ? idx.name() : SchemaModel.defaultIndexName(idx.table(), idx.columns());
            String cic;
            if (idx.concurrently()) {
                cic = sql.replaceFirst("(?i)\\s+IF\\s+NOT\\s+EXISTS", "");
            } else {
                cic = sql.replaceFirst("(?i)^\\s*CREATE\\s+(UNIQUE\\s+)?INDEX\\s+(IF\\s+NOT\\s+EXISTS\\s+)?",
                        "CREATE " + (idx.unique() ? "UNIQUE " : "") + "INDEX CONCURRENTLY ");
                if (idx.name() == null) cic = cic.replaceFirst("(?i)CONCURRENTLY\\s+ON\\s", "CONCURRENTLY " + qi(name) + " ON ");
            }
            add(Phase.EXPAND, StepKind.CONCURRENT_INDEX, "build index " + name + " concurrently", cic, "SHARE UPDATE EXCLUSIVE",
                    idx.table(), name, "DROP INDEX CONCURRENTLY IF EXISTS " + qi(name), null);
        }

        private void backfill(SchemaModel schema, Stmt.Dml d, String sql) {
            TableState t = schema.table(d.table());
            String key = key(t, d.table());
            String qt = q(d.table());
            String where = d.hasWhere() ? whereClause(sql) : null;
            String also = where == null ? "" : " AND (" + where + ")";
            if (d.kind().equals("UPDATE")) {
                String set = setClause(sql).replaceFirst("(?is)\\s+WHERE\\s+.*$", "");
                add(Phase.BACKFILL, StepKind.BACKFILL, "UPDATE " + (where == null ? "every row" : "the rows where " + where) + " of "
                        + d.table() + " in key batches", "UPDATE " + qt + " SET " + set + " WHERE " + qi(key) + " > :last AND " + qi(key)
                        + " <= :upper" + also, "ROW EXCLUSIVE (row locks per batch)", d.table(), null, null,
                        new BackfillSpec(d.table(), key, set, where));
            } else {
                add(Phase.BACKFILL, StepKind.BACKFILL, "DELETE " + (where == null ? "every row" : "the rows where " + where) + " of "
                        + d.table() + " in key batches", "DELETE FROM " + qt + " WHERE " + qi(key) + " > :last AND " + qi(key)
                        + " <= :upper" + also, "ROW EXCLUSIVE (row locks per batch)", d.table(), null, null,
                        new BackfillSpec(d.table(), key, null, where));
            }
        }

        String key(TableState t, Name table) {
            if (t != null) {
                for (ConstraintState c : t.constraints.values()) {
                    if (c.kind == ConstraintDef.Kind.PRIMARY_KEY && c.columns.size() == 1) return c.columns.get(0);
                }
                for (ConstraintState c : t.constraints.values()) {
                    if (c.kind == ConstraintDef.Kind.UNIQUE && c.columns.size() == 1 && t.column(c.columns.get(0)) != null
                            && t.column(c.columns.get(0)).notNull) {
                        return c.columns.get(0);
                    }
                }
            }
            throw new PlanRefusedException(origin, "a batched backfill of " + table + " needs a single-column primary key "
                    + "or a unique NOT NULL column to walk the table in key order, and " + table + " has none",
                    "add a single-column primary key first, or batch the statement yourself with a WHERE clause on a key range");
        }

        /**
         * R7: a type change that rewrites becomes a new column kept in step by a trigger, a batched backfill, copies of
         * its indexes built concurrently, NOT NULL through a CHECK, a short swap transaction, then dropping the old column.
         */
        private void typeChange(TableState t, Name table, AlterAction.AlterColumnType act) {
            String c = act.column();
            ColumnState col = t == null ? null : t.column(c);
            if (col == null) {
                throw new PlanRefusedException(origin, "column " + table + "." + c + " does not exist", "check the column name");
            }
            List<ConstraintState> checks = new ArrayList<>();
            for (ConstraintState k : t.constraints.values()) {
                if (!k.columns.contains(c) || k.kind == ConstraintDef.Kind.NOT_NULL) continue;
                if (k.kind == ConstraintDef.Kind.CHECK) {
                    checks.add(k);
                    continue;
                }
                throw new PlanRefusedException(origin, "changing the type of " + table + "." + c + " rewrites the table, and the "
                        + "column is part of constraint " + k.name + " (" + k.kind + "); carrying primary keys, unique and "
                        + "foreign keys over to the new column is not supported yet", "run the type change in a maintenance "
                        + "window, or split it: add the new column and swap keys by hand");
            }
            String qt = q(table);
            String qc = qi(c);
            String tmp = ident(c + "_zd_new");
            String old = ident(c + "_zd_old");
            String fn = ident("zd_sync_" + table.name() + "_" + c);
            String newType = act.type().raw();
            String expr = act.using() != null ? act.using().replaceAll("(?i)(?<![.\\w])" + java.util.regex.Pattern.quote(c) + "\\b", "NEW." + qc)
                    : "NEW." + qc + "::" + newType;
            String fill = act.using() != null ? act.using() : qc + "::" + newType;
            String key = key(t, table);
            add(Phase.EXPAND, StepKind.TRANSACTIONAL, "add column " + tmp + " " + newType, "ALTER TABLE " + qt + " ADD COLUMN " + qi(tmp) + " " + newType,
                    "ACCESS EXCLUSIVE (brief)", table, null, "ALTER TABLE " + qt + " DROP COLUMN IF EXISTS " + qi(tmp), null);
            String trigger = "CREATE FUNCTION " + qi(fn) + "() RETURNS trigger LANGUAGE plpgsql AS $zd$ BEGIN NEW." + qi(tmp) + " := "
                    + expr + "; RETURN NEW; END $zd$;\nCREATE TRIGGER " + qi(fn) + " BEFORE INSERT OR UPDATE ON " + qt
                    + " FOR EACH ROW EXECUTE FUNCTION " + qi(fn) + "()";
            String dropTrigger = "DROP TRIGGER IF EXISTS " + qi(fn) + " ON " + qt + ";\nDROP FUNCTION IF EXISTS " + qi(fn) + "()";
            for (ConstraintState k : checks) {
                String copy = ident(k.name + "_zd_new");
                String expr2 = k.expression.replaceAll("(?<![\\w\"])" + java.util.regex.Pattern.quote(c) + "(?![\\w\"])", qi(tmp))
                        .replace("\"" + c + "\"", qi(tmp));
                add(Phase.EXPAND, StepKind.TRANSACTIONAL, "copy CHECK " + k.name + " onto " + tmp + " NOT VALID",
                        "ALTER TABLE " + qt + " ADD CONSTRAINT " + qi(copy) + " CHECK (" + expr2 + ") NOT VALID", "ACCESS EXCLUSIVE (brief)",
                        table, null, "ALTER TABLE " + qt + " DROP CONSTRAINT IF EXISTS " + qi(copy), null);
            }
            add(Phase.EXPAND, StepKind.TRANSACTIONAL, "sync trigger keeping " + tmp + " equal to " + c, trigger,
                    "SHARE ROW EXCLUSIVE (brief)", table, null, dropTrigger, null);
            add(Phase.BACKFILL, StepKind.BACKFILL, "backfill " + tmp + " from " + c + " in batches",
                    "UPDATE " + qt + " SET " + qi(tmp) + " = " + fill + " WHERE " + qi(key) + " > :last AND " + qi(key) + " <= :upper",
                    "ROW EXCLUSIVE (row locks per batch)", table, null, "", new BackfillSpec(table, key, qi(tmp) + " = " + fill, null));
            List<String[]> indexRenames = new ArrayList<>();
            for (var idx : t.indexes.values()) {
                if (!idx.columns.contains(c)) continue;
                if (idx.definition == null) {
                    throw new PlanRefusedException(origin, "index " + idx.name + " on " + c + " must be rebuilt for the new type, "
                            + "and its definition is unknown", "apply against the live database so zerodown can read it");
                }
                String newIdx = ident(idx.name + "_zd_new");
                String def = idx.definition.replaceFirst("(?i)^CREATE (UNIQUE )?INDEX \\S+ ON ", "CREATE $1INDEX CONCURRENTLY " + qi(newIdx) + " ON ");
                int paren = def.indexOf('(');
                def = def.substring(0, paren) + def.substring(paren).replaceAll("(?<![\\w\"])" + java.util.regex.Pattern.quote(c) + "(?![\\w\"])", qi(tmp))
                        .replace("\"" + c + "\"", qi(tmp));
                add(Phase.EXPAND, StepKind.CONCURRENT_INDEX, "copy index " + idx.name + " onto " + tmp, def, "SHARE UPDATE EXCLUSIVE",
                        table, newIdx, "DROP INDEX CONCURRENTLY IF EXISTS " + qi(newIdx), null);
                indexRenames.add(new String[] {idx.name, newIdx, ident(idx.name + "_zd_old")});
            }
            for (ConstraintState k : checks) {
                String copy = ident(k.name + "_zd_new");
                add(Phase.CONTRACT, StepKind.VALIDATE, "validate " + copy, "ALTER TABLE " + qt + " VALIDATE CONSTRAINT " + qi(copy),
                        "SHARE UPDATE EXCLUSIVE", table, null, "", null);
            }
            if (col.notNull) notNullSteps(table, tmp, true);
            StringBuilder swap = new StringBuilder("LOCK TABLE " + qt + " IN ACCESS EXCLUSIVE MODE;\n");
            StringBuilder unswap = new StringBuilder("LOCK TABLE " + qt + " IN ACCESS EXCLUSIVE MODE;\n");
            swap.append("DROP TRIGGER IF EXISTS ").append(qi(fn)).append(" ON ").append(qt).append(";\n");
            if (col.defaultValue != null) {
                swap.append("ALTER TABLE ").append(qt).append(" ALTER COLUMN ").append(qc).append(" DROP DEFAULT;\n");
                swap.append("ALTER TABLE ").append(qt).append(" ALTER COLUMN ").append(qi(tmp)).append(" SET DEFAULT ")
                        .append(col.defaultValue.text()).append(";\n");
            }
            for (ConstraintState k : checks) {
                String copy = ident(k.name + "_zd_new");
                swap.append("ALTER TABLE ").append(qt).append(" DROP CONSTRAINT ").append(qi(k.name)).append(";\n");
                swap.append("ALTER TABLE ").append(qt).append(" RENAME CONSTRAINT ").append(qi(copy)).append(" TO ").append(qi(k.name)).append(";\n");
                unswap.append("ALTER TABLE ").append(qt).append(" RENAME CONSTRAINT ").append(qi(k.name)).append(" TO ").append(qi(copy)).append(";\n");
                unswap.append("ALTER TABLE ").append(qt).append(" ADD CONSTRAINT ").append(qi(k.name)).append(" CHECK (")
                        .append(k.expression).append(") NOT VALID;\n");
            }
            if (col.notNull && target.version().atLeast(18)) {
                // PostgreSQL 18 names NOT NULL constraints after the column: give the new one the old name
                swap.append("ALTER TABLE ").append(qt).append(" ALTER COLUMN ").append(qc).append(" DROP NOT NULL;\n");
                swap.append("ALTER TABLE ").append(qt).append(" RENAME CONSTRAINT ").append(qi(ident(table.name() + "_" + tmp + "_not_null")))
                        .append(" TO ").append(qi(ident(table.name() + "_" + c + "_not_null"))).append(";\n");
            }
            swap.append("ALTER TABLE ").append(qt).append(" RENAME COLUMN ").append(qc).append(" TO ").append(qi(old)).append(";\n");
            swap.append("ALTER TABLE ").append(qt).append(" RENAME COLUMN ").append(qi(tmp)).append(" TO ").append(qc).append(";\n");
            unswap.append("ALTER TABLE ").append(qt).append(" RENAME COLUMN ").append(qc).append(" TO ").append(qi(tmp)).append(";\n");
            unswap.append("ALTER TABLE ").append(qt).append(" RENAME COLUMN ").append(qi(old)).append(" TO ").append(qc).append(";\n");
            java.util.regex.Matcher seq = col.defaultValue == null ? null
                    : java.util.regex.Pattern.compile("nextval\\('([^']+)'").matcher(col.defaultValue.text());
            if (seq != null && seq.find()) {
                swap.append("ALTER SEQUENCE ").append(seq.group(1)).append(" OWNED BY ").append(qt).append(".").append(qc).append(";\n");
            }
            for (String[] r : indexRenames) {
                swap.append("ALTER INDEX ").append(qi(r[0])).append(" RENAME TO ").append(qi(r[2])).append(";\n");
                swap.append("ALTER INDEX ").append(qi(r[1])).append(" RENAME TO ").append(qi(r[0])).append(";\n");
                unswap.append("ALTER INDEX ").append(qi(r[0])).append(" RENAME TO ").append(qi(r[1])).append(";\n");
                unswap.append("ALTER INDEX ").append(qi(r[2])).append(" RENAME TO ").append(qi(r[0])).append(";\n");
            }
            if (col.defaultValue != null) {
                unswap.append("ALTER TABLE ").append(qt).append(" ALTER COLUMN ").append(qi(tmp)).append(" DROP DEFAULT;\n");
                unswap.append("ALTER TABLE ").append(qt).append(" ALTER COLUMN ").append(qc).append(" SET DEFAULT ")
                        .append(col.defaultValue.text()).append(";\n");
            }
            unswap.append(trigger.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"));
            add(Phase.CONTRACT, StepKind.TRANSACTIONAL, "swap " + c + " to the new column in one short transaction",
                    swap.toString().trim(), "ACCESS EXCLUSIVE (brief)", table, null, unswap.toString().trim(), null);
            add(Phase.CONTRACT, StepKind.TRANSACTIONAL, "drop the old column " + old + " and the sync function",
                    "ALTER TABLE " + qt + " DROP COLUMN " + qi(old) + ";\nDROP FUNCTION IF EXISTS " + qi(fn) + "()",
                    "ACCESS EXCLUSIVE (brief)", table, null, null, null);
            note("the type change of " + table + "." + c + " moves the column to the end of the table; apps using "
                    + "server-side prepared statements that return it may see 'cached plan must not change result type' once");
        }

        private String defaultName(Name table, ConstraintDef cd) {
            String cols = String.join("_", cd.columns());
            switch (cd.kind()) {
                case FOREIGN_KEY: return ident(table.name() + "_" + cols + "_fkey");
                case UNIQUE: return ident(table.name() + "_" + cols + "_key");
                case PRIMARY_KEY: return ident(table.name() + "_pkey");
                case CHECK: return ident(table.name() + (cd.columns().size() == 1 ? "_" + cols : "") + "_check");
                default: return ident(table.name() + "_" + cols + "_not_null");
            }
        }

        void note(String n) {
            if (!notes.contains(n)) notes.add(n);
        }

        void add(Phase phase, StepKind kind, String description, String sql, String lock, Name table, String index,
                 String rollback, BackfillSpec backfill) {
            steps.add(new Step(steps.size(), phase, kind, description, sql, lock, table, index, rollback, backfill, origin));
        }
    }

    static String stripNotValid(String clause) {
        return clause.replaceFirst("(?i)\\s+NOT\\s+VALID\\s*$", "");
    }

    /** The WHERE condition of a single-table UPDATE/DELETE as written. */
    static String whereClause(String sql) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?is)\\bWHERE\\s+(.*)$").matcher(sql);
        return m.find() ? m.group(1).trim() : null;
    }

    static String setClause(String sql) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?is)^\\s*UPDATE\\s+.*?\\s+SET\\s+(.*)$").matcher(sql);
        if (!m.matches()) throw new IllegalStateException("not an UPDATE: " + sql);
        return m.group(1).trim();
    }

    /** PostgreSQL truncates identifiers to 63 bytes; generated names follow the same rule. */
    static String ident(String s) {
        return s.length() > 63 ? s.substring(0, 63) : s;
    }

    static String qi(String ident) {
        return new PostgresDialect().quote(ident);
    }

    static String q(Name n) {
        return n.schema() == null ? qi(n.name()) : qi(n.schema()) + "." + qi(n.name());
    }

}
