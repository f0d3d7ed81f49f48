package io.zerodown.postgres.rules;

import io.zerodown.api.Effect;
import io.zerodown.api.RuleInfo;
import io.zerodown.api.Runner;
import io.zerodown.api.Severity;
import io.zerodown.core.lint.Rule;
import io.zerodown.core.lint.StatementContext;
import io.zerodown.core.model.AlterAction;
import io.zerodown.core.model.Name;
import io.zerodown.core.model.Stmt;
import io.zerodown.core.schema.SchemaModel;
import io.zerodown.core.schema.TableState;

import java.util.List;

import static io.zerodown.postgres.rules.PgRuleSupport.info;

/** Index builds and drops, REINDEX, table-rewriting maintenance, explicit LOCK TABLE, DETACH PARTITION. */
public final class PostgresIndexRules implements Rule {
    static final String CREATE = "pg.index.create-nonconcurrent";
    static final String DROP = "pg.index.drop-nonconcurrent";
    static final String REINDEX = "pg.index.reindex-nonconcurrent";
    static final String BAD_MINOR = "pg.index.cic-bad-minor";
    static final String IF_NOT_EXISTS = "pg.index.cic-if-not-exists";
    static final String IN_TX = "pg.tx.concurrent-in-transaction";
    static final String DETACH = "pg.partition.detach-nonconcurrent";
    static final String MAINTENANCE = "pg.table.rewrite-maintenance";
    static final String LOCK = "pg.table.explicit-lock";

    private static final List<RuleInfo> INFOS = List.of(
            info(CREATE, Severity.ERROR, "CREATE INDEX without CONCURRENTLY blocks writes for the whole build"),
            info(DROP, Severity.ERROR, "DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the table"),
            info(REINDEX, Severity.ERROR, "REINDEX without CONCURRENTLY blocks writes (and reads using the index)"),
            info(BAD_MINOR, Severity.ERROR, "Concurrent index builds on PostgreSQL 14.0-14.3 can corrupt the index"),
            info(IF_NOT_EXISTS, Severity.WARNING, "CREATE INDEX CONCURRENTLY IF NOT EXISTS keeps an INVALID index from a failed run"),
            info(IN_TX, Severity.ERROR, "CONCURRENTLY cannot run inside a transaction block (SQLSTATE 25001)"),
            info(DETACH, Severity.ERROR, "DETACH PARTITION without CONCURRENTLY takes ACCESS EXCLUSIVE on the parent"),
            info(MAINTENANCE, Severity.ERROR, "VACUUM FULL, CLUSTER, SET TABLESPACE, SET LOGGED/UNLOGGED rewrite the table under ACCESS EXCLUSIVE"),
            info(LOCK, Severity.WARNING, "Explicit LOCK TABLE holds a lock until the transaction ends"));

    @Override
    public List<RuleInfo> infos() {
        return INFOS;
    }

    @Override
    public void check(StatementContext ctx) {
        Stmt s = ctx.stmt();
        if (s instanceof Stmt.IndexDef idx) {
            createIndex(ctx, idx);
        } else if (s instanceof Stmt.DropIndex di) {
            dropIndex(ctx, di);
        } else if (s instanceof Stmt.Reindex r) {
            reindex(ctx, r);
        } else if (s instanceof Stmt.Vacuum v && v.full()) {
            String t = v.tables().isEmpty() ? "every table" : v.tables().toString();
            maintenance(ctx, "VACUUM FULL of " + t, v.tables().isEmpty() ? null : v.tables().get(0));
        } else if (s instanceof Stmt.Cluster c) {
            maintenance(ctx, "CLUSTER " + (c.table() == null ? "of every clustered table" : "of " + c.table()), c.table());
        } else if (s instanceof Stmt.AlterTable at) {
            for (AlterAction a : at.actions()) {
                if (a instanceof AlterAction.RewriteTable rt && !ctx.isNew(at.table())) {
                    maintenance(ctx, "ALTER TABLE " + at.table() + " " + rt.what(), at.table());
                } else if (a instanceof AlterAction.DetachPartition dp) {
                    detach(ctx, at.table(), dp);
                }
            }
        } else if (s instanceof Stmt.LockTable lt) {
            explicitLock(ctx, lt);
        }
    }

    private void createIndex(StatementContext ctx, Stmt.IndexDef idx) {
        String name = idx.name() != null ? idx.name() : SchemaModel.defaultIndexName(idx.table(), idx.columns());
        if (idx.concurrently()) {
            concurrentChecks(ctx, "CREATE INDEX CONCURRENTLY");
            if (idx.ifNotExists()) {
                ctx.finding(IF_NOT_EXISTS).severity(Severity.WARNING)
                        .message("If an earlier run of this CREATE INDEX CONCURRENTLY failed, it left an INVALID index "
                                + "named " + name + "; IF NOT EXISTS then skips the build and the invalid index stays, "
                                + "slowing every write and never used by queries.")
                        .fix(PgRuleSupport.validityCheck(name) + "\n"
                                + "DROP INDEX CONCURRENTLY IF EXISTS " + ctx.q(name) + ";  -- only when the check says false\n"
                                + createSql(ctx, idx, name, true, false) + ";")
                        .zerodownMakesSafe("it checks pg_index.indisvalid after the build and drops and rebuilds an invalid index")
                        .report();
            }
            return;
        }
        if (ctx.isNew(idx.table())) return;
        ctx.finding(CREATE)
                .message("CREATE INDEX on existing table " + idx.table() + " holds a SHARE lock for the whole build: "
                        + "every INSERT, UPDATE and DELETE waits until the index is built (measured: 0.6 s for 2M rows, "
                        + "3 s for 10M), and with a fixed connection pool reads stall behind the waiting writes.")
                .fix("-- outside any transaction block:\n" + createSql(ctx, idx, name, true, idx.ifNotExists()) + ";\n"
                        + PgRuleSupport.validityCheck(name))
                .zerodownMakesSafe("it builds the index with CREATE INDEX CONCURRENTLY outside a transaction, checks "
                        + "indisvalid, and drops and retries an invalid build")
                .report();
    }

    private static String createSql(StatementContext ctx, Stmt.IndexDef idx, String name, boolean concurrently,
                                    boolean ifNotExists) {
        StringBuilder b = new StringBuilder("CREATE ");
        if (idx.unique()) b.append("UNIQUE ");
        b.append("INDEX ");
        if (concurrently) b.append("CONCURRENTLY ");
        if (ifNotExists) b.append("IF NOT EXISTS ");
        b.append(ctx.q(name)).append(" ON ");
        if (idx.only()) b.append("ONLY ");
        b.append(ctx.q(idx.table()));
        if (idx.method() != null) b.append(" USING ").append(idx.method());
        b.append(" (").append(String.join(", ", idx.columns().stream().map(c -> c.matches("[a-z_][a-z0-9_]*") ? ctx.q(c) : c).toList())).append(")");
        if (idx.where() != null) b.append(" WHERE ").append(idx.where());
        return b.toString();
    }

    /** CONCURRENTLY statements fail inside a transaction, and are unsafe on 14.0-14.3. */
    private void concurrentChecks(StatementContext ctx, String what) {
        if (ctx.tx().inTransaction() && ctx.runner() != Runner.ZERODOWN) {
            String why = ctx.tx().explicitOpenForRules() ? "the file's own BEGIN"
                    : ctx.runner() == Runner.FLYWAY ? "Flyway, which wraps this file in a transaction because it does "
                    + "not recognise this statement as non-transactional"
                    : ctx.runner() == Runner.LIQUIBASE ? "Liquibase, which runs each changeset in a transaction"
                    : "the runner";
            String fix = ctx.runner() == Runner.LIQUIBASE
                    ? "--changeset " + ctx.unit().id() + " runInTransaction:false\n" + ctx.sql() + ";"
                    : ctx.runner() == Runner.FLYWAY
                    ? "-- put it in its own migration file with a sibling .conf file holding executeInTransaction=false\n" + ctx.sql() + ";"
                    : "-- run it outside BEGIN ... COMMIT\n" + ctx.sql() + ";";
            ctx.finding(IN_TX).lock(null, null).effect(Effect.NONE)
                    .message(what + " runs inside a transaction block here (opened by " + why + "), so PostgreSQL "
                            + "rejects it with SQLSTATE 25001 and the migration fails.")
                    .fix(fix)
                    .report();
        }
        var v = ctx.target().version();
        boolean builds = what.startsWith("CREATE INDEX") || what.startsWith("REINDEX");
        // a target of "postgres:14" reads as the whole series; 14.1-14.3 name the affected minors
        if (builds && v.major() == 14 && v.minor() >= 1 && v.minor() <= 3) {
            ctx.finding(BAD_MINOR)
                    .message(what + " on PostgreSQL " + v + ": releases 14.0 to 14.3 have a bug that can silently "
                            + "corrupt indexes built or rebuilt concurrently.")
                    .fix("-- upgrade to PostgreSQL 14.4 or later first; then rebuild indexes built concurrently on 14.0-14.3:\n"
                            + "REINDEX INDEX CONCURRENTLY <index>;")
                    .report();
        }
    }

    private void dropIndex(StatementContext ctx, Stmt.DropIndex di) {
        if (di.concurrently()) {
            concurrentChecks(ctx, "DROP INDEX CONCURRENTLY");
            return;
        }
        StringBuilder fix = new StringBuilder("-- outside any transaction block, one index per statement:\n");
        boolean anyExisting = false;
        for (Name n : di.names()) {
            TableState t = ctx.schema().tableOfIndex(n);
            if (t != null && ctx.isNew(t.name)) continue;
            anyExisting = true;
            fix.append("DROP INDEX CONCURRENTLY IF EXISTS ").append(ctx.q(n)).append(";\n");
        }
        if (!anyExisting) return;
        ctx.finding(DROP)
                .message("DROP INDEX takes ACCESS EXCLUSIVE on the index's table: brief, but if any transaction is "
                        + "using the table the DROP waits, and every query on the table queues behind it.")
                .fix(fix.toString().trim())
                .zerodownMakesSafe("it runs DROP INDEX CONCURRENTLY outside a transaction")
                .report();
    }

    private void reindex(StatementContext ctx, Stmt.Reindex r) {
        if (r.concurrently()) {
            concurrentChecks(ctx, "REINDEX CONCURRENTLY");
            return;
        }
        String target = r.kind() + " " + r.name();
        String fix = ctx.target().version().atLeast(12)
                ? "-- outside any transaction block:\nREINDEX " + r.kind() + " CONCURRENTLY " + r.name() + ";"
                : "-- PostgreSQL 11 has no REINDEX CONCURRENTLY: build a replacement and swap\n"
                + "CREATE INDEX CONCURRENTLY <new_name> ON <table> (<same columns>);\n"
                + "DROP INDEX CONCURRENTLY " + r.name() + ";\nALTER INDEX <new_name> RENAME TO " + r.name() + ";";
        ctx.finding(REINDEX)
                .message("REINDEX " + target + " holds SHARE on the table (writes wait) and ACCESS EXCLUSIVE on each "
                        + "index being rebuilt (queries that would use it wait) for the whole rebuild.")
                .fix(fix)
                .report();
    }

    private void detach(StatementContext ctx, Name parent, AlterAction.DetachPartition dp) {
        if (dp.concurrently()) {
            concurrentChecks(ctx, "DETACH PARTITION ... CONCURRENTLY");
            return;
        }
        if (ctx.isNew(parent)) return;
        boolean pg14 = ctx.target().version().atLeast(14);
        ctx.finding(DETACH).lock("ACCESS EXCLUSIVE", "reads, writes").effect(Effect.CATALOG)
                .message("DETACH PARTITION " + dp.partition() + " takes ACCESS EXCLUSIVE on " + parent
                        + ": every query on the partitioned table queues behind it while any transaction uses it."
                        + (pg14 ? "" : " PostgreSQL " + ctx.target().version() + " has no concurrent form."))
                .fix(pg14 ? "-- outside any transaction block:\nALTER TABLE " + ctx.q(parent) + " DETACH PARTITION "
                        + ctx.q(dp.partition()) + " CONCURRENTLY;"
                        : "-- upgrade to PostgreSQL 14+ for DETACH ... CONCURRENTLY; until then run it with a short lock_timeout and retries:\n"
                        + "SET lock_timeout = '100ms';\nALTER TABLE " + ctx.q(parent) + " DETACH PARTITION " + ctx.q(dp.partition()) + ";")
                .report();
    }

    private void maintenance(StatementContext ctx, String what, Name table) {
        if (table != null && ctx.isNew(table)) return;
        String t = table == null ? "<table>" : table.toString();
        ctx.finding(MAINTENANCE)
                .message(what + " rewrites the whole table while holding ACCESS EXCLUSIVE: no reads or writes for as "
                        + "long as the copy takes, which grows with the table.")
                .fix("-- rebuild online instead, e.g. with the pg_repack extension (copy + log table + brief swap):\n"
                        + "--   pg_repack --table=" + t + " <database>\n"
                        + "-- plain VACUUM (no FULL) reclaims space for reuse without blocking reads or writes:\n"
                        + "VACUUM (ANALYZE) " + (table == null ? "" : ctx.q(table)) + ";")
                .report();
    }

    private void explicitLock(StatementContext ctx, Stmt.LockTable lt) {
        boolean anyOld = lt.tables().stream().anyMatch(t -> !ctx.isNew(t));
        if (!anyOld || !ctx.locks().blocksTraffic()) return;
        boolean timeout = ctx.tx().lockTimeoutMs() != null || lt.nowait();
        // taking the lock once, explicitly, under a timeout is the recommended way to batch catalog steps
        if (timeout) return;
        ctx.finding(LOCK).severity(Severity.WARNING)
                .message("LOCK TABLE " + lt.tables() + " IN " + lt.mode() + " MODE blocks " + ctx.locks().blocks()
                        + " on those tables until the transaction ends, and while it waits for the lock every later "
                        + "query queues behind it" + (timeout ? "." : "; no lock_timeout or NOWAIT bounds that wait.")
                        + " Keep the transaction to catalog-only statements.")
                .fix("SET LOCAL lock_timeout = '100ms';  -- retry the transaction on SQLSTATE 55P03\n"
                        + "LOCK TABLE " + String.join(", ", lt.tables().stream().map(ctx::q).toList()) + " IN "
                        + lt.mode() + " MODE;")
                .report();
    }
}
