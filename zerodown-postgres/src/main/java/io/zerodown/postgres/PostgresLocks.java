package io.zerodown.postgres;

import io.zerodown.api.Effect;
import io.zerodown.core.lint.LockFacts;
import io.zerodown.core.lint.StatementContext;
import io.zerodown.core.model.AlterAction;
import io.zerodown.core.model.ColumnDef;
import io.zerodown.core.model.ConstraintDef;
import io.zerodown.core.model.Name;
import io.zerodown.core.model.Stmt;
import io.zerodown.core.schema.ColumnState;
import io.zerodown.core.schema.ConstraintState;
import io.zerodown.core.schema.TableState;

import java.util.ArrayList;
import java.util.List;

/**
 * Predicts the table lock a statement takes and what it does while holding it (postgres-locks.md §2). These
 * predictions are checked against pg_locks and pg_class.relfilenode on a real server by PostgresLockPredictionIT.
 */
public final class PostgresLocks {

    /** Lock modes from weakest to strongest. */
    public enum Mode {
        NONE(null, null, false),
        ACCESS_SHARE("ACCESS SHARE", null, false),
        ROW_SHARE("ROW SHARE", null, false),
        ROW_EXCLUSIVE("ROW EXCLUSIVE", null, false),
        SHARE_UPDATE_EXCLUSIVE("SHARE UPDATE EXCLUSIVE", "other DDL, VACUUM (reads and writes continue)", false),
        SHARE("SHARE", "writes", true),
        SHARE_ROW_EXCLUSIVE("SHARE ROW EXCLUSIVE", "writes", true),
        EXCLUSIVE("EXCLUSIVE", "writes, SELECT FOR UPDATE", true),
        ACCESS_EXCLUSIVE("ACCESS EXCLUSIVE", "reads, writes", true);

        public final String sql;
        public final String blocks;
        public final boolean blocksTraffic;

        Mode(String sql, String blocks, boolean blocksTraffic) {
            this.sql = sql;
            this.blocks = blocks;
            this.blocksTraffic = blocksTraffic;
        }

        public static Mode ofSql(String s) {
            for (Mode m : values()) {
                if (m.sql != null && m.sql.equalsIgnoreCase(s.trim())) return m;
            }
            return ACCESS_EXCLUSIVE;
        }
    }

    private PostgresLocks() {
    }

    static LockFacts analyze(StatementContext ctx) {
        Stmt s = ctx.stmt();
        Acc acc = new Acc();
        if (s instanceof Stmt.AlterTable at) {
            for (AlterAction a : at.actions()) action(ctx, at.table(), a, acc);
        } else if (s instanceof Stmt.IndexDef idx) {
            acc.add(idx.table(), idx.concurrently() ? Mode.SHARE_UPDATE_EXCLUSIVE : Mode.SHARE, Effect.SCAN);
        } else if (s instanceof Stmt.DropIndex di) {
            for (Name n : di.names()) {
                TableState t = ctx.schema().tableOfIndex(n);
                acc.add(t != null ? t.name : n, di.concurrently() ? Mode.SHARE_UPDATE_EXCLUSIVE : Mode.ACCESS_EXCLUSIVE,
                        Effect.CATALOG);
            }
        } else if (s instanceof Stmt.DropTable dt) {
            for (Name n : dt.tables()) acc.add(n, Mode.ACCESS_EXCLUSIVE, Effect.CATALOG);
        } else if (s instanceof Stmt.Truncate tr) {
            for (Name n : tr.tables()) acc.add(n, Mode.ACCESS_EXCLUSIVE, Effect.CATALOG);
        } else if (s instanceof Stmt.LockTable lt) {
            for (Name n : lt.tables()) acc.add(n, Mode.ofSql(lt.mode()), Effect.NONE);
        } else if (s instanceof Stmt.Vacuum v) {
            for (Name n : v.tables()) acc.add(n, v.full() ? Mode.ACCESS_EXCLUSIVE : Mode.SHARE_UPDATE_EXCLUSIVE,
                    v.full() ? Effect.REWRITE : Effect.SCAN);
            if (v.tables().isEmpty()) acc.add(null, v.full() ? Mode.ACCESS_EXCLUSIVE : Mode.SHARE_UPDATE_EXCLUSIVE,
                    v.full() ? Effect.REWRITE : Effect.SCAN);
        } else if (s instanceof Stmt.Cluster c) {
            acc.add(c.table(), Mode.ACCESS_EXCLUSIVE, Effect.REWRITE);
        } else if (s instanceof Stmt.Reindex r) {
            Name target = Name.of(r.name());
            if (r.kind().equals("INDEX")) {
                TableState t = ctx.schema().tableOfIndex(target);
                if (t != null) target = t.name;
            }
            acc.add(target, r.concurrently() ? Mode.SHARE_UPDATE_EXCLUSIVE : Mode.SHARE, Effect.REWRITE);
            if (!r.concurrently()) acc.blocksOverride = "writes; reads that use the index being rebuilt";
        } else if (s instanceof Stmt.CreateTrigger ct) {
            acc.add(ct.table(), Mode.SHARE_ROW_EXCLUSIVE, Effect.CATALOG);
        } else if (s instanceof Stmt.CreateTable ct) {
            // REFERENCES to an existing table takes SHARE ROW EXCLUSIVE on it, briefly
            for (ColumnDef col : ct.columns()) {
                if (col.references() != null) acc.add(col.references().table(), Mode.SHARE_ROW_EXCLUSIVE, Effect.CATALOG);
            }
            for (ConstraintDef cd : ct.constraints()) {
                if (cd.kind() == ConstraintDef.Kind.FOREIGN_KEY) acc.add(cd.refTable(), Mode.SHARE_ROW_EXCLUSIVE, Effect.CATALOG);
            }
            if (ct.partitionOf() != null) acc.add(ct.partitionOf(), Mode.ACCESS_EXCLUSIVE, Effect.CATALOG);
        } else if (s instanceof Stmt.Dml d) {
            if (d.kind().equals("UPDATE") || d.kind().equals("DELETE") || d.kind().equals("MERGE") || d.kind().equals("INSERT")) {
                acc.add(d.table(), Mode.ROW_EXCLUSIVE, d.hasWhere() || d.kind().equals("INSERT") ? Effect.NONE : Effect.REWRITE);
            }
        } else if (s instanceof Stmt.CreateView v && v.materialized()) {
            return LockFacts.NONE;
        }
        return acc.facts(ctx);
    }

    private static void action(StatementContext ctx, Name table, AlterAction a, Acc acc) {
        TableState t = ctx.table(table);
        boolean pg11 = ctx.target().version().atLeast(11);
        boolean pg12 = ctx.target().version().atLeast(12);
        if (a instanceof AlterAction.AddColumn ac) {
            ColumnDef col = ac.column();
            Effect e = Effect.CATALOG;
            if (addColumnRewrites(col, pg11, ctx.target().version().atLeast(18))) e = Effect.REWRITE;
            else if (col.primaryKey() || col.unique() || col.check() != null) e = Effect.SCAN;
            acc.add(table, Mode.ACCESS_EXCLUSIVE, e);
            if (col.references() != null) acc.add(col.references().table(), Mode.SHARE_ROW_EXCLUSIVE, Effect.CATALOG);
        } else if (a instanceof AlterAction.AlterColumnType act) {
            ColumnState c = t == null ? null : t.column(act.column());
            PostgresTypes.Change ch = c == null ? PostgresTypes.Change.REWRITE : PostgresTypes.change(c.type, act.type(), act.using());
            boolean utc = ch == PostgresTypes.Change.NO_REWRITE_IF_UTC && ctx.tx().timeZoneIsUtc();
            acc.add(table, Mode.ACCESS_EXCLUSIVE, ch == PostgresTypes.Change.REWRITE || ch == PostgresTypes.Change.NO_REWRITE_IF_UTC && !utc
                    ? Effect.REWRITE : ch == PostgresTypes.Change.NO_REWRITE_INDEX_REBUILD ? Effect.SCAN : Effect.CATALOG);
        } else if (a instanceof AlterAction.SetNotNull sn) {
            boolean proven = pg12 && t != null && t.constraints.values().stream()
                    .anyMatch(k -> k.validated && k.provesNotNull(sn.column()));
            boolean already = t != null && t.column(sn.column()) != null && t.column(sn.column()).notNull;
            acc.add(table, Mode.ACCESS_EXCLUSIVE, proven || already ? Effect.CATALOG : Effect.SCAN);
        } else if (a instanceof AlterAction.AddConstraint ac) {
            ConstraintDef cd = ac.constraint();
            switch (cd.kind()) {
                case FOREIGN_KEY:
                    acc.add(table, Mode.SHARE_ROW_EXCLUSIVE, cd.notValid() ? Effect.CATALOG : Effect.SCAN);
                    acc.add(cd.refTable(), Mode.SHARE_ROW_EXCLUSIVE, Effect.CATALOG);
                    break;
                case CHECK:
                case NOT_NULL:
                    acc.add(table, Mode.ACCESS_EXCLUSIVE, cd.notValid() ? Effect.CATALOG : Effect.SCAN);
                    break;
                case UNIQUE:
                case PRIMARY_KEY:
                    if (cd.usingIndex() != null) {
                        boolean scan = cd.kind() == ConstraintDef.Kind.PRIMARY_KEY && t != null
                                && t.indexes.containsKey(cd.usingIndex())
                                && t.indexes.get(cd.usingIndex()).columns.stream().anyMatch(col -> !provenNotNull(t, col, pg12));
                        acc.add(table, Mode.ACCESS_EXCLUSIVE, scan ? Effect.SCAN : Effect.CATALOG);
                    } else {
                        acc.add(table, Mode.ACCESS_EXCLUSIVE, Effect.SCAN);
                    }
                    break;
                default:
                    acc.add(table, Mode.ACCESS_EXCLUSIVE, Effect.SCAN);
            }
        } else if (a instanceof AlterAction.ValidateConstraint vc) {
            acc.add(table, Mode.SHARE_UPDATE_EXCLUSIVE, Effect.SCAN);
            ConstraintState k = t == null ? null : t.constraints.get(vc.name());
            if (k != null && k.refTable != null) acc.add(k.refTable, Mode.ROW_SHARE, Effect.NONE);
        } else if (a instanceof AlterAction.RewriteTable) {
            acc.add(table, Mode.ACCESS_EXCLUSIVE, Effect.REWRITE);
        } else if (a instanceof AlterAction.AttachPartition ap) {
            acc.add(table, pg12 ? Mode.SHARE_UPDATE_EXCLUSIVE : Mode.ACCESS_EXCLUSIVE, Effect.CATALOG);
            acc.add(ap.partition(), Mode.ACCESS_EXCLUSIVE, Effect.SCAN);
        } else if (a instanceof AlterAction.DetachPartition dp) {
            acc.add(table, dp.concurrently() ? Mode.SHARE_UPDATE_EXCLUSIVE : Mode.ACCESS_EXCLUSIVE, Effect.CATALOG);
        } else if (a instanceof AlterAction.CatalogOnly co) {
            String w = co.what().toUpperCase(java.util.Locale.ROOT);
            Mode m = w.startsWith("ENABLE") || w.startsWith("DISABLE") ? (w.contains("TRIGGER") ? Mode.SHARE_ROW_EXCLUSIVE : Mode.ACCESS_EXCLUSIVE)
                    : w.contains("SET STATISTICS") || w.startsWith("CLUSTER ON") || w.startsWith("SET WITHOUT CLUSTER")
                    ? Mode.SHARE_UPDATE_EXCLUSIVE : Mode.ACCESS_EXCLUSIVE;
            acc.add(table, m, Effect.CATALOG);
        } else {
            // ADD/DROP COLUMN, RENAME, SET/DROP DEFAULT, DROP NOT NULL, DROP CONSTRAINT, unknown clauses
            acc.add(table, Mode.ACCESS_EXCLUSIVE, Effect.CATALOG);
        }
    }

    public static boolean provenNotNull(TableState t, String col, boolean pg12) {
        ColumnState c = t.column(col);
        if (c != null && c.notNull) return true;
        return pg12 && t.constraints.values().stream().anyMatch(k -> k.validated && k.provesNotNull(col));
    }

    public static boolean addColumnRewrites(ColumnDef col, boolean pg11, boolean pg18) {
        if (col.type() != null && col.type().isSerial()) return true;
        if (col.identity()) return true;
        if (col.generated() == ColumnDef.Generated.STORED) return true;
        if (col.generated() == ColumnDef.Generated.VIRTUAL && !pg18) return true;
        if (col.defaultValue() == null || col.defaultValue().isNullLiteral()) return false;
        if (!pg11) return true;
        PostgresFunctions.Volatility v = PostgresFunctions.of(col.defaultValue());
        return v == PostgresFunctions.Volatility.VOLATILE || v == PostgresFunctions.Volatility.UNKNOWN;
    }

    /** Collects the strongest lock and heaviest effect over all tables a statement touches. */
    private static final class Acc {
        Mode mode = Mode.NONE;
        Effect effect = Effect.NONE;
        final List<Name> tables = new ArrayList<>();
        String blocksOverride;

        void add(Name table, Mode m, Effect e) {
            if (m.ordinal() > mode.ordinal()) mode = m;
            if (rank(e) > rank(effect)) effect = e;
            if (table != null && m != Mode.NONE && tables.stream().noneMatch(table::sameAs)) tables.add(table);
        }

        private static int rank(Effect e) {
            switch (e) {
                case REWRITE: return 3;
                case SCAN: return 2;
                case CATALOG: return 1;
                default: return 0;
            }
        }

        LockFacts facts(StatementContext ctx) {
            if (mode == Mode.NONE) return new LockFacts(null, null, effect, List.of(), false);
            List<Name> existing = new ArrayList<>();
            for (Name n : tables) {
                if (!ctx.isNew(n)) existing.add(n);
            }
            boolean traffic = mode.blocksTraffic && !existing.isEmpty();
            return new LockFacts(mode.sql, blocksOverride != null ? blocksOverride : mode.blocks, effect, existing, traffic);
        }
    }
}
