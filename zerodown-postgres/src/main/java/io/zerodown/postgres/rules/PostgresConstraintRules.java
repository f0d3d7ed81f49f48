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
import io.zerodown.core.schema.TableState;

import java.util.List;

import static io.zerodown.postgres.rules.PgRuleSupport.info;
import static io.zerodown.postgres.rules.PgRuleSupport.name;

/** FOREIGN KEY, CHECK, UNIQUE, PRIMARY KEY and EXCLUDE constraints added to existing tables. */
public final class PostgresConstraintRules implements Rule {
    static final String FK = "pg.constraint.fk-validating";
    static final String CHECK = "pg.constraint.check-validating";
    static final String VALIDATE_SAME_TX = "pg.constraint.validate-same-tx";
    static final String UNIQUE = "pg.constraint.unique";
    static final String PRIMARY_KEY = "pg.constraint.primary-key";
    static final String EXCLUSION = "pg.constraint.exclusion";
    static final String FK_INDEX = "pg.fk.missing-index";

    private static final List<RuleInfo> INFOS = List.of(
            info(FK, Severity.ERROR, "ADD FOREIGN KEY without NOT VALID scans the table while blocking writes on both tables"),
            info(CHECK, Severity.ERROR, "ADD CHECK without NOT VALID scans the table under ACCESS EXCLUSIVE"),
            info(VALIDATE_SAME_TX, Severity.ERROR, "VALIDATE CONSTRAINT in the transaction that added it, or after an ACCESS EXCLUSIVE lock"),
            info(UNIQUE, Severity.ERROR, "ADD UNIQUE builds its index under ACCESS EXCLUSIVE"),
            info(PRIMARY_KEY, Severity.ERROR, "ADD PRIMARY KEY builds its index (and may scan for NOT NULL) under ACCESS EXCLUSIVE"),
            info(EXCLUSION, Severity.ERROR, "ADD EXCLUDE builds its index under ACCESS EXCLUSIVE; no online path exists"),
            info(FK_INDEX, Severity.WARNING, "Foreign key columns without an index: deletes and key updates on the parent scan the child"));

    @Override
    public List<RuleInfo> infos() {
        return INFOS;
    }

    @Override
    public void check(StatementContext ctx) {
        if (ctx.stmt() instanceof Stmt.AlterTable at) {
            boolean fresh = ctx.isNew(at.table());
            for (AlterAction a : at.actions()) {
                if (a instanceof AlterAction.AddConstraint ac) {
                    addConstraint(ctx, at.table(), ac.constraint(), fresh);
                } else if (a instanceof AlterAction.AddColumn add) {
                    inlineColumnConstraints(ctx, at.table(), add.column(), fresh);
                } else if (a instanceof AlterAction.ValidateConstraint vc) {
                    validate(ctx, at.table(), vc.name(), at.actions().size() > 1);
                }
            }
        } else if (ctx.stmt() instanceof Stmt.CreateTable ct) {
            // the table is not in the schema model yet: judge its keys from the statement itself
            List<List<String>> indexed = new java.util.ArrayList<>();
            for (ConstraintDef cd : ct.constraints()) {
                if (cd.kind() == ConstraintDef.Kind.PRIMARY_KEY || cd.kind() == ConstraintDef.Kind.UNIQUE) indexed.add(cd.columns());
            }
            for (ColumnDef col : ct.columns()) {
                if (col.primaryKey() || col.unique()) indexed.add(List.of(col.name()));
            }
            for (ConstraintDef cd : ct.constraints()) {
                if (cd.kind() == ConstraintDef.Kind.FOREIGN_KEY) createTableFk(ctx, ct.table(), cd.columns(), cd.refTable(), indexed);
            }
            for (ColumnDef col : ct.columns()) {
                if (col.references() != null) createTableFk(ctx, ct.table(), List.of(col.name()), col.references().table(), indexed);
            }
        }
    }

    private void addConstraint(StatementContext ctx, Name table, ConstraintDef cd, boolean fresh) {
        TableState t = ctx.table(table);
        String cname = cd.name() != null ? cd.name() : t != null ? ctx.schema().defaultConstraintName(t, cd)
                : name(table.name(), String.join("_", cd.columns()), kindSuffix(cd.kind()));
        String qt = ctx.q(table);
        String qc = ctx.q(cname);
        switch (cd.kind()) {
            case FOREIGN_KEY: {
                if (!fresh && !cd.notValid()) {
                    String cols = String.join(", ", cd.columns().stream().map(ctx::q).toList());
                    String refCols = cd.refColumns().isEmpty() ? "" : " (" + String.join(", ", cd.refColumns().stream().map(ctx::q).toList()) + ")";
                    ctx.finding(FK).lock("SHARE ROW EXCLUSIVE on " + table + " and " + cd.refTable(), "writes")
                            .effect(Effect.SCAN)
                            .message("Adding foreign key " + cname + " checks every existing row of " + table
                                    + " while holding SHARE ROW EXCLUSIVE on both " + table + " and " + cd.refTable()
                                    + ": inserts, updates and deletes on both tables wait for the whole scan.")
                            .fix("ALTER TABLE " + qt + " ADD CONSTRAINT " + qc + " FOREIGN KEY (" + cols + ") REFERENCES "
                                    + ctx.q(cd.refTable()) + refCols + " NOT VALID;\n"
                                    + "-- then, in a separate transaction (SHARE UPDATE EXCLUSIVE: reads and writes continue):\n"
                                    + "ALTER TABLE " + qt + " VALIDATE CONSTRAINT " + qc + ";")
                            .zerodownMakesSafe("it adds the constraint NOT VALID, then validates it in its own transaction")
                            .report();
                }
                missingIndex(ctx, table, cd.columns(), cd.refTable(), fresh);
                break;
            }
            case CHECK: {
                if (fresh || cd.notValid()) break;
                ctx.finding(CHECK).lock("ACCESS EXCLUSIVE", "reads, writes").effect(Effect.SCAN)
                        .message("Adding CHECK " + cname + " scans every row of " + table + " while holding ACCESS "
                                + "EXCLUSIVE: no reads or writes until the scan ends.")
                        .fix("ALTER TABLE " + qt + " ADD CONSTRAINT " + qc + " CHECK (" + cd.expression() + ") NOT VALID;\n"
                                + "-- then, in a separate transaction (reads and writes continue):\n"
                                + "ALTER TABLE " + qt + " VALIDATE CONSTRAINT " + qc + ";")
                        .zerodownMakesSafe("it adds the CHECK NOT VALID, then validates it in its own transaction")
                        .report();
                break;
            }
            case NOT_NULL: {
                if (fresh || cd.notValid()) break;
                ctx.finding(CHECK).lock("ACCESS EXCLUSIVE", "reads, writes").effect(Effect.SCAN)
                        .message("Adding NOT NULL constraint " + cname + " scans every row of " + table
                                + " under ACCESS EXCLUSIVE.")
                        .fix("ALTER TABLE " + qt + " ADD CONSTRAINT " + qc + " NOT NULL " + ctx.q(cd.columns().get(0)) + " NOT VALID;\n"
                                + "ALTER TABLE " + qt + " VALIDATE CONSTRAINT " + qc + ";")
                        .report();
                break;
            }
            case UNIQUE:
            case PRIMARY_KEY: {
                if (fresh || cd.usingIndex() != null) {
                    if (cd.usingIndex() != null && cd.kind() == ConstraintDef.Kind.PRIMARY_KEY && !fresh
                            && ctx.locks().effect() == Effect.SCAN) {
                        primaryKeyUsingIndexScan(ctx, table, cd);
                    }
                    break;
                }
                boolean pk = cd.kind() == ConstraintDef.Kind.PRIMARY_KEY;
                String idx = pk ? name(table.name(), "pkey") : cname;
                String cols = String.join(", ", cd.columns().stream().map(ctx::q).toList());
                StringBuilder fix = new StringBuilder();
                if (pk) {
                    for (String col : cd.columns()) {
                        if (t == null || !io.zerodown.postgres.PostgresLocks.provenNotNull(t, col, ctx.target().version().atLeast(12))) {
                            fix.append("-- ").append(col).append(" must be NOT NULL first, without a long lock:\n")
                                    .append(PgRuleSupport.notNullViaCheck(ctx, table, col)).append("\n");
                        }
                    }
                }
                fix.append("-- outside any transaction block:\nCREATE UNIQUE INDEX CONCURRENTLY ").append(ctx.q(idx))
                        .append(" ON ").append(qt).append(" (").append(cols).append(");\n")
                        .append(PgRuleSupport.validityCheck(idx)).append("\n")
                        .append("ALTER TABLE ").append(qt).append(" ADD CONSTRAINT ").append(ctx.q(pk && cd.name() == null ? idx : cname))
                        .append(pk ? " PRIMARY KEY" : " UNIQUE").append(" USING INDEX ").append(ctx.q(idx)).append(";");
                ctx.finding(pk ? PRIMARY_KEY : UNIQUE).lock("ACCESS EXCLUSIVE", "reads, writes").effect(Effect.SCAN)
                        .message("Adding " + (pk ? "PRIMARY KEY" : "UNIQUE constraint " + cname) + " on " + table
                                + " builds a unique index while holding ACCESS EXCLUSIVE: no reads or writes for the "
                                + "whole build" + (pk ? ", plus a NOT NULL scan of columns not yet proven NOT NULL." : "."))
                        .fix(fix.toString())
                        .zerodownMakesSafe("it builds the unique index concurrently, checks it is valid, then attaches it "
                                + "with USING INDEX in a brief transaction")
                        .report();
                break;
            }
            case EXCLUDE: {
                if (fresh) break;
                ctx.finding(EXCLUSION).lock("ACCESS EXCLUSIVE", "reads, writes").effect(Effect.SCAN)
                        .message("Adding EXCLUDE constraint " + cname + " builds its index under ACCESS EXCLUSIVE on "
                                + table + ", and PostgreSQL has no NOT VALID or USING INDEX form for exclusion "
                                + "constraints: the table is unavailable for the whole build.")
                        .fix("-- no online path: run it in a maintenance window with a short lock_timeout, or enforce the rule in a\n"
                                + "-- BEFORE INSERT OR UPDATE trigger backed by an index built CONCURRENTLY.\n"
                                + "SET lock_timeout = '100ms';\n" + ctx.sql() + ";")
                        .report();
                break;
            }
            default:
                break;
        }
    }

    private void primaryKeyUsingIndexScan(StatementContext ctx, Name table, ConstraintDef cd) {
        TableState t = ctx.table(table);
        StringBuilder fix = new StringBuilder();
        if (t != null && t.indexes.containsKey(cd.usingIndex())) {
            for (String col : t.indexes.get(cd.usingIndex()).columns) {
                if (!io.zerodown.postgres.PostgresLocks.provenNotNull(t, col, ctx.target().version().atLeast(12))) {
                    fix.append(PgRuleSupport.notNullViaCheck(ctx, table, col)).append("\n");
                }
            }
        }
        fix.append(ctx.sql()).append(";");
        ctx.finding(PRIMARY_KEY).lock("ACCESS EXCLUSIVE", "reads, writes").effect(Effect.SCAN)
                .message("PRIMARY KEY USING INDEX " + cd.usingIndex() + " also sets NOT NULL on its columns, and at "
                        + "least one of them is not yet proven NOT NULL, so it scans " + table + " under ACCESS EXCLUSIVE.")
                .fix(fix.toString())
                .report();
    }

    private void inlineColumnConstraints(StatementContext ctx, Name table, ColumnDef col, boolean fresh) {
        if (fresh) return;
        String qt = ctx.q(table);
        if (col.references() != null) {
            String cname = name(table.name(), col.name(), "fkey");
            String refCols = col.references().columns().isEmpty() ? "" : " (" + String.join(", ", col.references().columns()) + ")";
            ctx.finding(FK).lock("ACCESS EXCLUSIVE on " + table + ", SHARE ROW EXCLUSIVE on " + col.references().table(),
                            "reads, writes").effect(Effect.SCAN)
                    .message("ADD COLUMN ... REFERENCES " + col.references().table() + " takes SHARE ROW EXCLUSIVE on "
                            + "both tables and validates at once; as a separate NOT VALID constraint the lock is brief "
                            + "and validation runs without blocking writes.")
                    .fix("ALTER TABLE " + qt + " ADD COLUMN " + ctx.q(col.name()) + " " + col.type().raw() + ";\n"
                            + "ALTER TABLE " + qt + " ADD CONSTRAINT " + ctx.q(cname) + " FOREIGN KEY (" + ctx.q(col.name())
                            + ") REFERENCES " + ctx.q(col.references().table()) + refCols + " NOT VALID;\n"
                            + "ALTER TABLE " + qt + " VALIDATE CONSTRAINT " + ctx.q(cname) + ";")
                    .zerodownMakesSafe("it adds the column, then the foreign key NOT VALID, then validates it separately")
                    .report();
        }
        if (col.unique() || col.primaryKey()) {
            boolean pk = col.primaryKey();
            String idx = pk ? name(table.name(), "pkey") : name(table.name(), col.name(), "key");
            ctx.finding(pk ? PRIMARY_KEY : UNIQUE).lock("ACCESS EXCLUSIVE", "reads, writes").effect(Effect.SCAN)
                    .message("ADD COLUMN ... " + (pk ? "PRIMARY KEY" : "UNIQUE") + " builds a unique index on " + table
                            + " under ACCESS EXCLUSIVE.")
                    .fix("ALTER TABLE " + qt + " ADD COLUMN " + ctx.q(col.name()) + " " + col.type().raw() + ";\n"
                            + "-- fill it, then outside a transaction:\nCREATE UNIQUE INDEX CONCURRENTLY " + ctx.q(idx) + " ON "
                            + qt + " (" + ctx.q(col.name()) + ");\n"
                            + "ALTER TABLE " + qt + " ADD CONSTRAINT " + ctx.q(idx) + (pk ? " PRIMARY KEY" : " UNIQUE")
                            + " USING INDEX " + ctx.q(idx) + ";")
                    .zerodownMakesSafe("it adds the column, builds the unique index concurrently and attaches it")
                    .report();
        }
        if (col.check() != null) {
            String cname = name(table.name(), col.name(), "check");
            ctx.finding(CHECK).lock("ACCESS EXCLUSIVE", "reads, writes").effect(Effect.SCAN)
                    .message("ADD COLUMN ... CHECK validates every row of " + table + " under ACCESS EXCLUSIVE.")
                    .fix("ALTER TABLE " + qt + " ADD COLUMN " + ctx.q(col.name()) + " " + col.type().raw() + ";\n"
                            + "ALTER TABLE " + qt + " ADD CONSTRAINT " + ctx.q(cname) + " CHECK (" + col.check() + ") NOT VALID;\n"
                            + "ALTER TABLE " + qt + " VALIDATE CONSTRAINT " + ctx.q(cname) + ";")
                    .zerodownMakesSafe("it adds the CHECK NOT VALID and validates it separately")
                    .report();
        }
    }

    private void validate(StatementContext ctx, Name table, String constraint, boolean withOtherClauses) {
        boolean addedHere = ctx.tx().inTransaction() && ctx.tx().constraintsAdded().contains(constraint);
        boolean afterAel = ctx.tx().inTransaction() && !ctx.tx().accessExclusiveHeld().isEmpty();
        if (!addedHere && !afterAel && !withOtherClauses) return;
        String why = addedHere
                ? "it runs in the same transaction that added " + constraint + ", so the brief lock taken by the ADD "
                + "(ACCESS EXCLUSIVE for CHECK, SHARE ROW EXCLUSIVE for a foreign key) is held for the whole scan"
                : afterAel ? "an earlier statement in this transaction holds ACCESS EXCLUSIVE on "
                + ctx.tx().accessExclusiveHeld() + ", so the scan runs while the table is blocked"
                : "it shares an ALTER TABLE with other clauses, so the statement takes their stronger lock for the scan";
        ctx.finding(VALIDATE_SAME_TX).lock("held from the earlier statement", "reads, writes").effect(Effect.SCAN)
                .message("VALIDATE CONSTRAINT " + constraint + " is only lock-friendly on its own: " + why + ".")
                .fix((ctx.tx().explicitOpenForRules() ? "COMMIT;  -- end the transaction that added the constraint\n"
                        : "-- the " + ctx.runner().id() + " runner wraps the file in one transaction: put this in its own "
                        + (ctx.runner() == io.zerodown.api.Runner.LIQUIBASE ? "changeset" : "migration file") + "\n")
                        + "ALTER TABLE " + ctx.q(table) + " VALIDATE CONSTRAINT " + ctx.q(constraint) + ";  -- alone, in its own transaction")
                .zerodownMakesSafe("it runs VALIDATE CONSTRAINT as its own step in its own transaction")
                .report();
    }

    private void createTableFk(StatementContext ctx, Name table, List<String> columns, Name ref, List<List<String>> indexed) {
        for (List<String> cols : indexed) {
            if (cols.size() >= columns.size() && cols.subList(0, columns.size()).equals(columns)) return;
        }
        missingIndexFinding(ctx, table, columns, ref, true);
    }

    private void missingIndex(StatementContext ctx, Name table, List<String> columns, Name ref, boolean fresh) {
        TableState t = ctx.table(table);
        if (t == null || columns.isEmpty() || PgRuleSupport.hasIndexLeadingWith(t, columns)) return;
        // an index created later in the same unit counts
        for (Stmt later : ctx.following()) {
            if (later instanceof Stmt.IndexDef idx && idx.table().sameAs(table) && idx.columns().size() >= columns.size()
                    && idx.columns().subList(0, columns.size()).equals(columns)) {
                return;
            }
        }
        missingIndexFinding(ctx, table, columns, ref, fresh);
    }

    private void missingIndexFinding(StatementContext ctx, Name table, List<String> columns, Name ref, boolean fresh) {
        for (Stmt later : ctx.following()) {
            if (later instanceof Stmt.IndexDef idx && idx.table().sameAs(table) && idx.columns().size() >= columns.size()
                    && idx.columns().subList(0, columns.size()).equals(columns)) {
                return;
            }
        }
        String idx = name(table.name(), String.join("_", columns), "idx");
        ctx.finding(FK_INDEX).severity(Severity.WARNING).lock(null, null).effect(Effect.NONE)
                .message("No index on " + table + " (" + String.join(", ", columns) + "), the columns of the foreign key to "
                        + ref + ": every DELETE or key UPDATE on " + ref + " scans " + table + " to check references"
                        + (fresh ? "." : ", and validating the constraint is slower."))
                .fix("-- outside any transaction block:\nCREATE INDEX CONCURRENTLY " + ctx.q(idx) + " ON " + ctx.q(table) + " ("
                        + String.join(", ", columns.stream().map(ctx::q).toList()) + ");")
                .report();
    }

    private static String kindSuffix(ConstraintDef.Kind k) {
        switch (k) {
            case FOREIGN_KEY: return "fkey";
            case UNIQUE: return "key";
            case PRIMARY_KEY: return "pkey";
            case CHECK: return "check";
            case NOT_NULL: return "not_null";
            default: return "excl";
        }
    }
}
