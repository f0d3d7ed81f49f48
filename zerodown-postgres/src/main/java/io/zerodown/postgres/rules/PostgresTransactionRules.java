package io.zerodown.postgres.rules;

import io.zerodown.api.Effect;
import io.zerodown.api.RuleInfo;
import io.zerodown.api.Runner;
import io.zerodown.api.Severity;
import io.zerodown.core.lint.Rule;
import io.zerodown.core.lint.StatementContext;
import io.zerodown.core.model.Name;
import io.zerodown.core.model.Stmt;

import java.util.List;

import static io.zerodown.postgres.rules.PgRuleSupport.info;

/** Lock and statement timeouts, locks held across statements, and Flyway's transaction rules. */
public final class PostgresTransactionRules implements Rule {
    static final String LOCK_TIMEOUT = "pg.tx.lock-timeout-missing";
    static final String STATEMENT_TIMEOUT = "pg.tx.statement-timeout-missing";
    static final String AFTER_AEL = "pg.tx.stmts-after-access-exclusive";
    static final String FLYWAY_MIXED = "pg.tx.flyway-mixed";

    private static final List<RuleInfo> INFOS = List.of(
            info(LOCK_TIMEOUT, Severity.WARNING, "A lock on an existing table is requested with no lock_timeout (or a long one)"),
            info(STATEMENT_TIMEOUT, Severity.INFO, "No statement_timeout caps this file's short DDL"),
            info(AFTER_AEL, Severity.WARNING, "Statements run after an ACCESS EXCLUSIVE lock in the same transaction keep the table blocked"),
            info(FLYWAY_MIXED, Severity.WARNING, "Flyway refuses files that mix transactional and non-transactional statements"));

    @Override
    public List<RuleInfo> infos() {
        return INFOS;
    }

    @Override
    public void check(StatementContext ctx) {
        lockTimeout(ctx);
        afterAccessExclusive(ctx);
        flywayMixed(ctx);
    }

    private void lockTimeout(StatementContext ctx) {
        if (ctx.runner() == Runner.ZERODOWN || !ctx.locks().blocksTraffic()) return;
        statementTimeout(ctx);
        if (!ctx.config().requireLockTimeoutOrDefault()) return;
        Long timeout = ctx.tx().lockTimeoutMs();
        long max = ctx.config().lockTimeoutMaxMsOrDefault();
        List<Name> tables = ctx.locks().tables();
        String tableText = tables.size() == 1 ? tables.get(0).toString() : tables.toString();
        boolean inTx = ctx.tx().inTransaction();
        String set = (inTx ? "SET LOCAL" : "SET") + " lock_timeout = '100ms';";
        if (timeout == null && !ctx.tx().reportedLockTimeoutForRules()) {
            // once per file: one SET at the top covers every later statement
            ctx.tx().markLockTimeoutReported();
            ctx.finding(LOCK_TIMEOUT).severity(Severity.WARNING)
                    .message("This statement needs " + ctx.locks().mode() + " on " + tableText + " and no lock_timeout "
                            + "is set: if any transaction is using the table, the statement waits, and every query "
                            + "that arrives after it queues behind it (measured: 9 s of stalled queries behind one "
                            + "10 s reader). With a lock_timeout it gives up quickly and can be retried. Set it once at the top "
                            + "of the file; the later statements of this file that lock existing tables need it too.")
                    .fix(set + "  -- first statement of the file; retry the migration (with backoff) on SQLSTATE 55P03\n" + ctx.sql() + ";")
                    .report();
        } else if (timeout != null && timeout > max) {
            ctx.finding(LOCK_TIMEOUT).severity(Severity.WARNING)
                    .message("lock_timeout is " + timeout + " ms, above the " + max + " ms this project allows: queries "
                            + "on " + tableText + " can queue that long behind this statement.")
                    .fix(set + "\n" + ctx.sql() + ";")
                    .report();
        }
    }

    private void statementTimeout(StatementContext ctx) {
        if (!ctx.tx().statementTimeoutSet() && !ctx.tx().reportedStatementTimeoutForRules()
                && ctx.locks().isAccessExclusive() && ctx.locks().effect() == Effect.CATALOG) {
            ctx.tx().markStatementTimeoutReported();
            ctx.finding(STATEMENT_TIMEOUT).severity(Severity.INFO)
                    .message("No statement_timeout caps this file's catalog-only DDL; a short one (a few seconds) "
                            + "stops a step that unexpectedly scans or rewrites from holding ACCESS EXCLUSIVE for long.")
                    .fix((ctx.tx().inTransaction() ? "SET LOCAL" : "SET") + " statement_timeout = '5s';")
                    .report();
        }
    }

    private void afterAccessExclusive(StatementContext ctx) {
        if (!ctx.tx().inTransaction() || ctx.tx().accessExclusiveHeld().isEmpty()) return;
        if (ctx.tx().reportedStatementsAfterAelForRules()) return;
        Stmt s = ctx.stmt();
        if (s instanceof Stmt.Transaction || s instanceof Stmt.SetVariable || s instanceof Stmt.ResetVariable) return;
        if (ctx.runner() == Runner.ZERODOWN) return;
        ctx.tx().markStatementsAfterAelReported();
        List<Name> held = ctx.tx().accessExclusiveHeld();
        ctx.finding(AFTER_AEL).severity(Severity.WARNING)
                .message("An earlier statement of this transaction took ACCESS EXCLUSIVE on " + held + "; it is held "
                        + "until COMMIT, so every query on " + (held.size() == 1 ? "that table" : "those tables")
                        + " waits while this and the following statements run.")
                .fix(ctx.tx().explicitOpenForRules()
                        ? "-- commit after each statement that locks an existing table, e.g.:\nCOMMIT;\nBEGIN;\n" + ctx.sql() + ";"
                        : "-- the " + ctx.runner().id() + " runner wraps the whole " + (ctx.runner() == Runner.LIQUIBASE ? "changeset" : "file")
                        + " in one transaction: move this statement into its own " + (ctx.runner() == Runner.LIQUIBASE
                        ? "changeset" : "migration file") + "\n" + ctx.sql() + ";")
                .report();
    }

    private void flywayMixed(StatementContext ctx) {
        if (ctx.runner() != Runner.FLYWAY || Boolean.FALSE.equals(ctx.unit().runInTransaction())) return;
        if (!(ctx.stmt() instanceof Stmt.IndexDef || ctx.stmt() instanceof Stmt.DropIndex || ctx.stmt() instanceof Stmt.Vacuum
                || ctx.stmt() instanceof Stmt.Reindex)) {
            return;
        }
        var dialect = new io.zerodown.postgres.PostgresDialect();
        if (!dialect.flywayDetectsNonTransactional(ctx.sql(), ctx.target())) return;
        // Flyway looks at the whole file: any other statement it would run in a transaction makes it refuse
        if (ctx.tx().unitHasTransactionalStatement()) {
            ctx.finding(FLYWAY_MIXED).severity(Severity.WARNING).lock(null, null).effect(Effect.NONE)
                    .message("Flyway runs a file that contains this statement outside a transaction, and refuses to "
                            + "run it at all when the same file also holds statements it would run in one (\"Detected "
                            + "both transactional and non-transactional statements\"), unless mixed=true is set; with "
                            + "mixed=true the other statements run without a transaction either.")
                    .fix("-- move this statement into its own migration file:\n" + ctx.sql() + ";")
                    .report();
        }
    }
}
