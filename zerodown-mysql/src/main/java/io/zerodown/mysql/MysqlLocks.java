package io.zerodown.mysql;

import io.zerodown.api.Effect;
import io.zerodown.api.Engine;
import io.zerodown.core.lint.LockFacts;
import io.zerodown.core.lint.StatementContext;
import io.zerodown.core.model.AlterAction;
import io.zerodown.core.model.ConstraintDef;
import io.zerodown.core.model.Name;
import io.zerodown.core.model.Stmt;
import io.zerodown.core.schema.TableState;
import io.zerodown.mysql.MysqlAlterPredictor.Algorithm;
import io.zerodown.mysql.MysqlAlterPredictor.Lock;
import io.zerodown.mysql.MysqlAlterPredictor.Prediction;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The locks a MySQL/MariaDB statement takes on existing tables (mysql-online-ddl.md §1–§4).
 *
 * <p>Every ALTER TABLE, CREATE/DROP INDEX, DROP/RENAME/TRUNCATE TABLE and CREATE TRIGGER needs an exclusive
 * metadata lock on the table, at least briefly, INSTANT included: while it waits behind any open transaction that
 * touched the table, every new query on the table queues behind it. So {@code blocksTraffic} is true for all of them
 * on an existing table. The mode text then says what is held while the operation runs (ALGORITHM and LOCK).
 */
public final class MysqlLocks {

    public static final String MDL = "MDL exclusive (brief)";
    public static final String BRIEF = "reads, writes, briefly (metadata lock)";

    private static final Pattern OPTIMIZE = Pattern.compile("(?is)^\\s*OPTIMIZE\\s+(?:NO_WRITE_TO_BINLOG\\s+|LOCAL\\s+)?TABLES?\\s+(.+)$");

    private MysqlLocks() {
    }

    /** Mode text, e.g. {@code MDL exclusive (brief), ALGORITHM=INSTANT} or {@code ALGORITHM=COPY, LOCK=SHARED}. */
    public static String mode(Prediction p) {
        String core = p.algorithm() == Algorithm.INSTANT && p.lock() == Lock.NONE ? "ALGORITHM=INSTANT"
                : "ALGORITHM=" + p.algorithm() + ", LOCK=" + p.lock();
        if (p.algorithm() == Algorithm.INPLACE && p.rebuild()) core += ", table rebuild";
        if (p.onlineCopy()) core += " (online copy)";
        return p.lock() == Lock.NONE ? MDL + ", " + core : core;
    }

    /** What the lock held during the operation stops. */
    public static String blocks(Lock lock) {
        switch (lock) {
            case EXCLUSIVE: return "reads, writes";
            case SHARED: return "writes";
            default: return BRIEF;
        }
    }

    static LockFacts analyze(StatementContext ctx, MysqlSession session) {
        Stmt s = ctx.stmt();
        Prediction p = session.prediction(ctx);
        if (p != null) {
            Stmt.AlterTable at = session.alter(ctx);
            List<Name> tables = new ArrayList<>();
            addExisting(ctx, tables, at.table());
            if (ctx.target().engine() == Engine.MYSQL) {
                // MySQL 8.0 also takes an exclusive MDL on the parent table of a new FOREIGN KEY
                for (AlterAction a : at.actions()) {
                    if (a instanceof AlterAction.AddConstraint ac && ac.constraint().kind() == ConstraintDef.Kind.FOREIGN_KEY) {
                        addExisting(ctx, tables, ac.constraint().refTable());
                    }
                }
            }
            return new LockFacts(mode(p), blocks(p.lock()), p.effect(), tables, !tables.isEmpty());
        }
        if (s instanceof Stmt.DropTable dt && !dt.view()) return brief(ctx, dt.tables(), Effect.CATALOG);
        if (s instanceof Stmt.Truncate tr) return brief(ctx, tr.tables(), Effect.CATALOG);
        if (s instanceof Stmt.RenameTables rt) return brief(ctx, rt.from(), Effect.CATALOG);
        if (s instanceof Stmt.CreateTrigger tg) return brief(ctx, List.of(tg.table()), Effect.CATALOG);
        if (s instanceof Stmt.DropIndex di) {
            List<Name> tables = new ArrayList<>();
            for (Name n : di.names()) {
                TableState t = ctx.schema().tableOfIndex(n);
                if (t != null) tables.add(t.name);
            }
            return brief(ctx, tables, Effect.CATALOG);
        }
        if (s instanceof Stmt.CreateTable ct && ctx.target().engine() == Engine.MYSQL) {
            // MySQL 8.0 updates the parent's foreign-key metadata: exclusive MDL on each referenced table
            // (an inline column REFERENCES is ignored by MySQL: no FK, no lock)
            List<Name> parents = new ArrayList<>();
            for (ConstraintDef cd : ct.constraints()) {
                if (cd.kind() == ConstraintDef.Kind.FOREIGN_KEY && cd.refTable() != null && !cd.refTable().sameAs(ct.table())) {
                    parents.add(cd.refTable());
                }
            }
            if (!parents.isEmpty()) return brief(ctx, parents, Effect.CATALOG);
            return LockFacts.NONE;
        }
        if (s instanceof Stmt.LockTable lt) {
            boolean write = lt.mode().toUpperCase(Locale.ROOT).contains("WRITE");
            List<Name> tables = new ArrayList<>();
            for (Name n : lt.tables()) addExisting(ctx, tables, n);
            return new LockFacts("LOCK TABLES " + (write ? "WRITE" : "READ"), write ? "reads, writes" : "writes",
                    Effect.NONE, tables, !tables.isEmpty());
        }
        if (s instanceof Stmt.Dml d) {
            boolean all = (d.kind().equals("UPDATE") || d.kind().equals("DELETE")) && !d.hasWhere() && !d.hasLimit();
            return new LockFacts("row locks", "writes to the same rows", all ? Effect.REWRITE : Effect.NONE,
                    d.table() == null ? List.of() : List.of(d.table()), false);
        }
        if (s instanceof Stmt.Other o && o.kind().equals("OPTIMIZE")) {
            Matcher m = OPTIMIZE.matcher(ctx.sql());
            if (m.find()) {
                List<Name> tables = new ArrayList<>();
                for (String part : m.group(1).split(",")) {
                    String n = part.trim().replace("`", "").toLowerCase(Locale.ROOT);
                    if (n.isEmpty()) continue;
                    int dot = n.indexOf('.');
                    addExisting(ctx, tables, dot > 0 ? new Name(n.substring(0, dot), n.substring(dot + 1)) : Name.of(n));
                }
                // InnoDB maps OPTIMIZE TABLE to ALTER TABLE ... FORCE: an online rebuild
                return new LockFacts(MDL + ", ALGORITHM=INPLACE, LOCK=NONE, table rebuild", BRIEF, Effect.REWRITE,
                        tables, !tables.isEmpty());
            }
        }
        return LockFacts.NONE;
    }

    private static LockFacts brief(StatementContext ctx, List<Name> names, Effect effect) {
        List<Name> tables = new ArrayList<>();
        for (Name n : names) addExisting(ctx, tables, n);
        return new LockFacts(MDL, BRIEF, effect, tables, !tables.isEmpty());
    }

    private static void addExisting(StatementContext ctx, List<Name> out, Name n) {
        if (n == null || ctx.isNew(n)) return;
        for (Name x : out) {
            if (x.sameAs(n)) return;
        }
        out.add(n);
    }
}
