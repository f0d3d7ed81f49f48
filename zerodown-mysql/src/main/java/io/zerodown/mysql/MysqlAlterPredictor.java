package io.zerodown.mysql;

import io.zerodown.api.Effect;
import io.zerodown.api.Engine;
import io.zerodown.api.Target;
import io.zerodown.api.Version;
import io.zerodown.core.model.AlterAction;
import io.zerodown.core.model.ColumnDef;
import io.zerodown.core.model.ConstraintDef;
import io.zerodown.core.model.Expr;
import io.zerodown.core.model.Name;
import io.zerodown.core.model.Stmt;
import io.zerodown.core.model.TypeName;
import io.zerodown.core.schema.ColumnState;
import io.zerodown.core.schema.ConstraintState;
import io.zerodown.core.schema.IndexState;
import io.zerodown.core.schema.TableState;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Predicts how MySQL 8.0/8.4 or MariaDB 10.6–11.4 runs an ALTER TABLE: the algorithm (INSTANT, INPLACE without
 * rebuild, INPLACE with a table rebuild, COPY), the weakest LOCK level the server accepts, and whether explicit
 * {@code ALGORITHM=}/{@code LOCK=} clauses are refused (errors 1845/1846).
 *
 * <p>A pure function of the target, the statement, the table as the migrations leave it ({@link TableState}: column
 * types and charsets, FULLTEXT/SPATIAL indexes, ROW_FORMAT, ENUM members) and a few session {@link Conditions}.
 * Sources: the operation matrix and version hazards of {@code mysql-online-ddl.md} §2–§3; the MariaDB rows were
 * re-checked against MariaDB 10.11 (see {@code MariaDbPredictionTest}). Where a fact is marked unverified there, the
 * reason says so.
 *
 * <p>Every algorithm, INSTANT included, takes an exclusive metadata lock briefly at start and end; that is not part
 * of {@link Lock}, which is the lock held <em>during</em> the operation.
 */
public final class MysqlAlterPredictor {

    /** Ordered worst to best, as the server ranks them. */
    public enum Algorithm {
        COPY, INPLACE, INSTANT;

        public boolean betterThan(Algorithm o) {
            return ordinal() > o.ordinal();
        }
    }

    /** Ordered from least to most blocking: NONE lets reads and writes run, SHARED reads only, EXCLUSIVE nothing. */
    public enum Lock {
        NONE, SHARED, EXCLUSIVE;

        public Lock max(Lock o) {
            return ordinal() >= o.ordinal() ? this : o;
        }
    }

    /** What one clause does, as far as online DDL cares. */
    public enum Op {
        ADD_COLUMN, ADD_VIRTUAL_COLUMN, ADD_STORED_COLUMN, ADD_COLUMN_EXPRESSION_DEFAULT, ADD_AUTO_INCREMENT_COLUMN,
        DROP_COLUMN, RENAME_COLUMN, REORDER_COLUMN, SET_DEFAULT, DROP_DEFAULT, COLUMN_METADATA,
        WIDEN_VARCHAR, CHANGE_TYPE, ENUM_SET_APPEND, ENUM_SET_CHANGE, SET_NOT_NULL, DROP_NOT_NULL,
        ADD_INDEX, ADD_FULLTEXT_INDEX, ADD_SPATIAL_INDEX, DROP_INDEX, RENAME_INDEX,
        ADD_PRIMARY_KEY, DROP_PRIMARY_KEY, ADD_FOREIGN_KEY, DROP_FOREIGN_KEY, ADD_CHECK, DROP_CHECK,
        REBUILD, CHANGE_ENGINE, CONVERT_CHARSET, TABLE_CHARSET, TABLE_METADATA, RENAME_TABLE, PARTITION, ORDER_BY,
        UNKNOWN;

        /** ADD/DROP COLUMN and reordering: instant alone, but a rebuild when mixed with non-instant clauses. */
        boolean instantOnlyAlone() {
            return this == ADD_COLUMN || this == DROP_COLUMN || this == REORDER_COLUMN;
        }
    }

    /**
     * Session and statement facts beyond the table definition.
     *
     * @param foreignKeyChecks     {@code foreign_key_checks} is on (the default); off lets ADD FOREIGN KEY run INPLACE
     * @param alterIgnore          {@code ALTER IGNORE TABLE}: MariaDB 11.2+ online COPY does not apply
     * @param cascadingForeignKeys the table has (or this statement adds) a FK with ON DELETE/UPDATE CASCADE, SET NULL or
     *                             SET DEFAULT: MariaDB 11.2+ online COPY does not apply
     * @param onlineKeyword        MariaDB {@code ALTER ONLINE TABLE}, the same as {@code LOCK=NONE}
     */
    public record Conditions(boolean foreignKeyChecks, boolean alterIgnore, boolean cascadingForeignKeys,
                             boolean onlineKeyword) {
        public static final Conditions DEFAULT = new Conditions(true, false, false, false);

        private static final Pattern IGNORE = Pattern.compile("(?is)^\\s*ALTER\\s+(ONLINE\\s+)?IGNORE\\s+TABLE\\b");
        private static final Pattern ONLINE = Pattern.compile("(?is)^\\s*ALTER\\s+ONLINE\\s+(IGNORE\\s+)?TABLE\\b");
        private static final Pattern CASCADING = Pattern.compile(
                "(?is)\\bREFERENCES\\b.*\\bON\\s+(DELETE|UPDATE)\\s+(CASCADE|SET\\s+NULL|SET\\s+DEFAULT)\\b");

        /**
         * The conditions a statement's own text shows: ALTER IGNORE, MariaDB ALTER ONLINE, a new FK with cascading
         * actions (the schema model does not keep ON DELETE/UPDATE of existing FKs, so those are not seen).
         */
        public static Conditions of(String sql, Engine engine, boolean foreignKeyChecks) {
            String s = sql == null ? "" : sql;
            return new Conditions(foreignKeyChecks, IGNORE.matcher(s).find(), CASCADING.matcher(s).find(),
                    engine == Engine.MARIADB && ONLINE.matcher(s).find());
        }
    }

    /**
     * One clause on its own.
     *
     * @param action      the parsed clause
     * @param op          what it does
     * @param column      the column it is about, or null
     * @param algorithm   the best algorithm the server has for it alone
     * @param rebuild     that algorithm rebuilds the table (always true for COPY)
     * @param lock        the weakest lock the server accepts for it
     * @param buildsIndex it reads the whole table to build an index (effect "scan" when there is no rebuild)
     * @param certain     false when the table definition was unknown or the clause is not modelled: the worst
     *                    plausible outcome is assumed
     * @param onlineCopy  a COPY that MariaDB 11.2+ runs with LOCK=NONE
     * @param reason      why, one line with the real names and numbers
     */
    public record Clause(AlterAction action, Op op, String column, Algorithm algorithm, boolean rebuild, Lock lock,
                         boolean buildsIndex, boolean certain, boolean onlineCopy, String reason) {

        public String describe() {
            return MysqlAlterPredictor.describe(algorithm, rebuild, lock);
        }
    }

    /** The server rejects the statement as written; nothing changes. */
    public record Refusal(int errorCode, String option, String message) {
    }

    /** Algorithm, lock and rebuild of a whole statement. */
    public record Outcome(Algorithm algorithm, Lock lock, boolean rebuild) {
    }

    /**
     * The statement as a whole.
     *
     * @param algorithm  what the server uses (honouring explicit clauses); when refused, what the change needs
     * @param lock       the lock held while it runs
     * @param rebuild    the table (clustered index) is rebuilt
     * @param reason     one line: {@code cause}, then the outcome (or why the server refuses the statement)
     * @param cause      why, in the words of the clause that decides the outcome, without the outcome itself
     * @param clauses    every clause judged on its own (ALGORITHM=/LOCK= clauses are not listed)
     * @param effective  the same clauses as they run in this statement: instant ones mixed with non-instant ones
     *                   take their in-place form (ADD/DROP COLUMN then rebuild the table)
     * @param onlineCopy COPY with LOCK=NONE through MariaDB 11.2+'s online change buffer
     * @param certain    every clause was judged from a known definition
     * @param refusal    non-null when the explicit ALGORITHM=/LOCK= (or the clause mix) makes the server refuse it
     * @param best       what the server picks by itself, without the statement's explicit ALGORITHM=/LOCK=
     * @param requestedAlgorithm the explicit ALGORITHM= value, upper case, or null
     * @param requestedLock      the explicit LOCK= value (or NONE for ALTER ONLINE), upper case, or null
     */
    public record Prediction(Algorithm algorithm, Lock lock, boolean rebuild, String reason, String cause,
                             List<Clause> clauses,
                             List<Clause> effective, boolean onlineCopy, boolean certain, Refusal refusal, Outcome best,
                             String requestedAlgorithm, String requestedLock) {

        public boolean refused() {
            return refusal != null;
        }

        public boolean instant() {
            return algorithm == Algorithm.INSTANT;
        }

        /** rewrite for COPY and rebuilds, scan for index builds, catalog for instant and metadata-only changes. */
        public Effect effect() {
            if (clauses.isEmpty()) return Effect.NONE;
            if (rebuild || algorithm == Algorithm.COPY) return Effect.REWRITE;
            if (algorithm != Algorithm.INSTANT && effective.stream().anyMatch(Clause::buildsIndex)) return Effect.SCAN;
            return Effect.CATALOG;
        }

        /** e.g. "INPLACE with table rebuild, LOCK=NONE". */
        public String describe() {
            return MysqlAlterPredictor.describe(algorithm, rebuild, lock) + (onlineCopy ? " (MariaDB online COPY)" : "");
        }

        /** The explicit clauses that make the server choose this outcome, e.g. "ALGORITHM=INPLACE, LOCK=NONE". */
        public String clauseText() {
            return algorithm == Algorithm.INSTANT ? "ALGORITHM=INSTANT"
                    : "ALGORITHM=" + algorithm + ", LOCK=" + lock;
        }

        public List<Clause> clauses(Op op) {
            return clauses.stream().filter(c -> c.op() == op).toList();
        }

        public boolean has(Op op) {
            return clauses.stream().anyMatch(c -> c.op() == op);
        }
    }

    private static final Pattern NOT_ENFORCED = Pattern.compile("(?i)\\bNOT\\s+ENFORCED\\b");
    private static final Pattern ENFORCED = Pattern.compile("(?i)\\bENFORCED\\b");

    private MysqlAlterPredictor() {
    }

    // ------------------------------------------------------------------ entry points

    public static Prediction predict(Target target, Stmt.AlterTable alter, TableState table) {
        return predict(target, alter, table, Conditions.DEFAULT);
    }

    public static Prediction predict(Target target, Stmt.AlterTable alter, TableState table, Conditions cond) {
        Facts f = new Facts(target, table, cond);
        List<Clause> clauses = new ArrayList<>();
        String reqAlg = null;
        String reqLock = null;
        for (AlterAction a : alter.actions()) {
            if (a instanceof AlterAction.Algorithm al) reqAlg = al.value().toUpperCase(Locale.ROOT);
            else if (a instanceof AlterAction.Lock lk) reqLock = lk.value().toUpperCase(Locale.ROOT);
            else clauses.addAll(f.clause(a));
        }
        if (cond.onlineKeyword() && reqLock == null) reqLock = "NONE";
        clauses = f.pairPrimaryKeys(clauses);
        clauses = f.oneFulltextPerStatement(clauses);
        clauses = f.beforeInstantExisted(clauses);
        return f.combine(clauses, reqAlg, reqLock);
    }

    /**
     * The ALTER TABLE a statement amounts to: ALTER TABLE itself, CREATE [UNIQUE|FULLTEXT|SPATIAL] INDEX, or DROP
     * INDEX ... ON t (whose ALGORITHM=/LOCK= the parser does not keep, so they are read from {@code sql}); else null.
     */
    public static Stmt.AlterTable asAlter(Stmt stmt, String sql) {
        if (stmt instanceof Stmt.AlterTable at) return at;
        if (stmt instanceof Stmt.IndexDef idx && idx.table() != null) {
            List<AlterAction> actions = new ArrayList<>();
            actions.add(new AlterAction.AddIndex(idx));
            if (idx.algorithm() != null) actions.add(new AlterAction.Algorithm(idx.algorithm()));
            if (idx.lock() != null) actions.add(new AlterAction.Lock(idx.lock()));
            return new Stmt.AlterTable(idx.table(), false, false, actions);
        }
        if (stmt instanceof Stmt.DropIndex di && di.table() != null && !di.names().isEmpty()) {
            List<AlterAction> actions = new ArrayList<>();
            for (Name n : di.names()) actions.add(new AlterAction.DropIndex(n.name()));
            Matcher m = Pattern.compile("(?i)\\bALGORITHM\\s*=?\\s*(\\w+)").matcher(sql == null ? "" : sql);
            if (m.find()) actions.add(new AlterAction.Algorithm(m.group(1)));
            m = Pattern.compile("(?i)\\bLOCK\\s*=?\\s*(\\w+)").matcher(sql == null ? "" : sql);
            if (m.find()) actions.add(new AlterAction.Lock(m.group(1)));
            return new Stmt.AlterTable(di.table(), false, false, actions);
        }
        return null;
    }

    /**
     * INSTANT ADD/DROP COLUMN is hazardous on this release: MySQL 8.0.29 wrote a redo-log format that crash recovery
     * and XtraBackup misread; MariaDB before 10.4.9 / 10.6.9 has instant-ALTER corruption bugs.
     */
    public static boolean instantColumnHazard(Target target) {
        Version v = target.version();
        if (target.engine() == Engine.MYSQL) return v.major() == 8 && v.minor() == 0 && v.patch() == 29;
        // MariaDB instant-ALTER corruption bugs (MDEV-20066, -20117, -19743, -19783, -20090, -18519): fixed in
        // 10.4.9 and 10.6.9. A patch of 0 means "the series" (x.y.0 were never GA releases), so 10.6 is not flagged.
        if (v.patch() == 0) return false;
        if (!v.atLeast(10, 4, 9)) return v.atLeast(10, 3);
        return v.major() == 10 && (v.minor() == 5 || v.minor() == 6 && v.patch() < 9);
    }

    /** INSTANT ADD COLUMN at the end of the table exists on this target. */
    public static boolean instantAddLast(Target target) {
        return new Facts(target, null, Conditions.DEFAULT).instantAddLast();
    }

    /** INSTANT ADD COLUMN at any position (FIRST/AFTER) exists on this target. */
    public static boolean instantAddAnywhere(Target target) {
        return new Facts(target, null, Conditions.DEFAULT).instantAddAnywhere();
    }

    /** Why INSTANT ADD/DROP COLUMN is impossible on this table (FULLTEXT index, ROW_FORMAT=COMPRESSED), or null. */
    public static String instantBlocker(TableState table) {
        return table == null ? null : new Facts(Target.parse("mysql:8.4"), table, Conditions.DEFAULT).instantBlocker();
    }

    /** The table has a FULLTEXT or SPATIAL index, so rebuilding it needs LOCK=SHARED. */
    public static boolean rebuildNeedsSharedLock(TableState table) {
        return table != null && new Facts(Target.parse("mysql:8.4"), table, Conditions.DEFAULT).rebuildLock() == Lock.SHARED;
    }

    static String describe(Algorithm a, boolean rebuild, Lock lock) {
        switch (a) {
            case INSTANT: return "INSTANT";
            case INPLACE: return (rebuild ? "INPLACE with table rebuild" : "INPLACE without rebuild") + ", LOCK=" + lock;
            default: return "COPY, LOCK=" + lock;
        }
    }

    // ------------------------------------------------------------------ per-table facts and clause rules

    private static final class Facts {
        final Target target;
        final boolean mysql;
        final Version v;
        final TableState table;
        final Conditions cond;
        final String tableName;
        final boolean hasFulltext;
        final boolean hasSpatial;
        final boolean compressed;
        final boolean redundant;

        Facts(Target target, TableState table, Conditions cond) {
            this.target = target;
            this.mysql = target.engine() == Engine.MYSQL;
            this.v = target.version();
            this.table = table;
            this.cond = cond;
            this.tableName = table == null ? "the table" : table.name.name();
            this.hasFulltext = table != null && table.indexes.values().stream().anyMatch(i -> "FULLTEXT".equalsIgnoreCase(i.kind));
            this.hasSpatial = table != null && table.indexes.values().stream().anyMatch(i -> "SPATIAL".equalsIgnoreCase(i.kind));
            String rf = option("ROW_FORMAT");
            this.compressed = "COMPRESSED".equalsIgnoreCase(rf) || rf == null && option("KEY_BLOCK_SIZE") != null;
            this.redundant = "REDUNDANT".equalsIgnoreCase(rf);
        }

        String option(String name) {
            if (table == null) return null;
            for (var e : table.options.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) return e.getValue() == null ? null : e.getValue().replace("'", "").trim();
            }
            return null;
        }

        String engineName() {
            return mysql ? "MySQL " + v : "MariaDB " + v;
        }

        boolean instantAddLast() {
            return mysql ? v.atLeast(8, 0, 12) : v.atLeast(10, 3, 2);
        }

        boolean instantAddAnywhere() {
            return mysql ? v.atLeast(8, 0, 29) : v.atLeast(10, 4);
        }

        boolean instantDrop() {
            return mysql ? v.atLeast(8, 0, 29) : v.atLeast(10, 4);
        }

        boolean instantRename() {
            return !mysql || v.atLeast(8, 0, 28);
        }

        boolean instantReorder() {
            return !mysql && v.atLeast(10, 4);
        }

        boolean onlineCopyAvailable() {
            return !mysql && v.atLeast(11, 2);
        }

        /** Why INSTANT ADD/DROP COLUMN is impossible on this table, or null. */
        String instantBlocker() {
            if (hasFulltext) return tableName + " has a FULLTEXT index";
            if (compressed) return tableName + " is ROW_FORMAT=COMPRESSED";
            return null;
        }

        /** Rebuilding a table with a FULLTEXT or SPATIAL index does not allow concurrent writes. */
        Lock rebuildLock() {
            return hasFulltext || hasSpatial ? Lock.SHARED : Lock.NONE;
        }

        String rebuildLockNote() {
            if (hasFulltext) return "; a rebuild of a table with a FULLTEXT index needs LOCK=SHARED";
            if (hasSpatial) return "; a rebuild of a table with a SPATIAL index needs LOCK=SHARED";
            return "";
        }

        Clause instant(AlterAction a, Op op, String col, String reason) {
            return new Clause(a, op, col, Algorithm.INSTANT, false, Lock.NONE, false, true, false, reason);
        }

        Clause inplace(AlterAction a, Op op, String col, boolean rebuild, Lock lock, String reason) {
            return new Clause(a, op, col, Algorithm.INPLACE, rebuild, lock, false, true, false, reason);
        }

        /** Metadata-only: INSTANT on MariaDB, INPLACE without rebuild on MySQL (where the manual lists no INSTANT). */
        Clause metadata(AlterAction a, Op op, String col, String reason) {
            return mysql ? inplace(a, op, col, false, Lock.NONE, reason) : instant(a, op, col, reason);
        }

        Clause index(AlterAction a, Op op, boolean rebuild, Lock lock, boolean certain, String reason) {
            return new Clause(a, op, null, Algorithm.INPLACE, rebuild, lock, true, certain, false, reason);
        }

        /** A COPY; MariaDB 11.2+ runs it with LOCK=NONE unless {@code onlineOk} is false or the session forbids it. */
        Clause copy(AlterAction a, Op op, String col, boolean onlineOk, boolean certain, String reason) {
            boolean online = onlineCopyAvailable() && onlineOk && !cond.alterIgnore() && !cond.cascadingForeignKeys();
            return new Clause(a, op, col, Algorithm.COPY, true, online ? Lock.NONE : Lock.SHARED, false, certain, online,
                    reason);
        }

        List<Clause> clause(AlterAction a) {
            if (a instanceof AlterAction.AddColumn ac) return addColumn(a, ac.column());
            if (a instanceof AlterAction.DropColumn dc) return List.of(dropColumn(a, dc.column()));
            if (a instanceof AlterAction.RenameColumn rc) return List.of(renameColumn(a, rc.from(), rc.to()));
            if (a instanceof AlterAction.ModifyColumn mc) return modifyColumn(a, mc.oldName(), mc.column());
            if (a instanceof AlterAction.SetDefault sd) {
                return List.of(instant(a, Op.SET_DEFAULT, sd.column(), "SET DEFAULT on " + sd.column() + " changes only the data dictionary"));
            }
            if (a instanceof AlterAction.DropDefault dd) {
                return List.of(instant(a, Op.DROP_DEFAULT, dd.column(), "DROP DEFAULT on " + dd.column() + " changes only the data dictionary"));
            }
            if (a instanceof AlterAction.AddIndex ai) return List.of(addIndex(a, ai.index()));
            if (a instanceof AlterAction.DropIndex di) return List.of(dropIndex(a, di.name()));
            if (a instanceof AlterAction.RenameIndex ri) {
                return List.of(metadata(a, Op.RENAME_INDEX, null, "RENAME INDEX " + ri.from() + " TO " + ri.to() + " changes only the data dictionary"));
            }
            if (a instanceof AlterAction.DropPrimaryKey) return List.of(dropPrimaryKey(a));
            if (a instanceof AlterAction.AddConstraint ac) return List.of(addConstraint(a, ac.constraint()));
            if (a instanceof AlterAction.DropConstraint dc) return List.of(dropConstraint(a, dc));
            if (a instanceof AlterAction.RenameTable rt) {
                return List.of(instant(a, Op.RENAME_TABLE, null, "renaming " + tableName + " to " + rt.to() + " changes only the data dictionary"));
            }
            if (a instanceof AlterAction.ConvertCharset cc) {
                return List.of(copy(a, Op.CONVERT_CHARSET, null, true, true, "CONVERT TO CHARACTER SET " + cc.charset()
                        + " re-encodes every text column of " + tableName));
            }
            if (a instanceof AlterAction.TableOption to) return List.of(tableOption(a, to.name(), to.value()));
            if (a instanceof AlterAction.CatalogOnly co) {
                if (ENFORCED.matcher(co.what()).find() && !NOT_ENFORCED.matcher(co.what()).find()) {
                    return List.of(copy(a, Op.ADD_CHECK, null, true, false, "enforcing a CHECK constraint validates every row of " + tableName + " (assumed COPY, ⚠ unverified)"));
                }
                return List.of(metadata(a, Op.TABLE_METADATA, null, "'" + abbreviate(co.what()) + "' changes only the data dictionary"));
            }
            String text = a instanceof AlterAction.Unknown u ? abbreviate(u.text()) : a.getClass().getSimpleName();
            return List.of(new Clause(a, Op.UNKNOWN, null, Algorithm.COPY, true, Lock.SHARED, false, false, false,
                    "clause '" + text + "' is not modelled: assume COPY and probe with ALGORITHM=INPLACE, LOCK=NONE"));
        }

        // -------------------------------------------------------------- columns

        List<Clause> addColumn(AlterAction a, ColumnDef col) {
            List<Clause> out = new ArrayList<>();
            String c = col.name();
            String type = col.type() == null ? "" : " " + MysqlTypes.show(col.type());
            if (col.autoIncrement()) {
                out.add(new Clause(a, Op.ADD_AUTO_INCREMENT_COLUMN, c, Algorithm.INPLACE, true, Lock.SHARED, false, true,
                        false, "ADD COLUMN " + c + type + " AUTO_INCREMENT numbers every existing row in a table rebuild "
                        + "that allows no concurrent writes" + (onlineCopyAvailable() ? " (also excluded from MariaDB 11.2+ online COPY)" : "")));
            } else if (col.generated() == ColumnDef.Generated.STORED) {
                out.add(copy(a, Op.ADD_STORED_COLUMN, c, true, true, "ADD COLUMN " + c + " ... STORED computes and writes "
                        + "the value into every row" + (mysql ? " (⚠ COPY per the MySQL 5.7 manual, not re-verified on 8.x)" : "")));
            } else if (col.generated() == ColumnDef.Generated.VIRTUAL) {
                if (instantBlocker() != null || mysql && !instantAddLast()) {
                    out.add(inplace(a, Op.ADD_VIRTUAL_COLUMN, c, false, Lock.NONE, "ADD COLUMN " + c + " ... VIRTUAL changes only metadata"));
                } else {
                    out.add(instant(a, Op.ADD_VIRTUAL_COLUMN, c, "ADD COLUMN " + c + " ... VIRTUAL stores nothing"));
                }
            } else if (isExpressionDefault(col.defaultValue())) {
                boolean nextval = col.defaultValue().functions().contains("nextval");
                out.add(copy(a, Op.ADD_COLUMN_EXPRESSION_DEFAULT, c, !nextval, true, "ADD COLUMN " + c + " DEFAULT "
                        + col.defaultValue().text().trim() + " evaluates the expression for every existing row"
                        + (mysql ? " (⚠ algorithm not re-verified on MySQL 8.x; MariaDB 10.11 copies)" : "")
                        + (nextval && onlineCopyAvailable() ? "; DEFAULT NEXTVAL() is excluded from online COPY" : "")));
            } else {
                out.add(plainAddColumn(a, col));
            }
            if (col.primaryKey()) {
                out.add(index(a, Op.ADD_PRIMARY_KEY, true, rebuildLock(), true, "inline PRIMARY KEY on " + c + " rebuilds "
                        + "the clustered index"));
            } else if (col.unique()) {
                out.add(index(a, Op.ADD_INDEX, false, Lock.NONE, true, "inline UNIQUE on " + c + " builds a unique index"));
            }
            if (col.check() != null) {
                out.add(copy(a, Op.ADD_CHECK, c, true, true, "inline CHECK (" + abbreviate(col.check()) + ") on " + c
                        + " validates every row"));
            }
            return out;
        }

        private Clause plainAddColumn(AlterAction a, ColumnDef col) {
            String c = col.name();
            String blocker = instantBlocker();
            if (blocker != null) {
                return inplace(a, Op.ADD_COLUMN, c, true, rebuildLock(), "ADD COLUMN " + c + ": no INSTANT because "
                        + blocker + ", so the table is rebuilt" + rebuildLockNote());
            }
            if (!instantAddLast()) {
                return inplace(a, Op.ADD_COLUMN, c, true, rebuildLock(), "ADD COLUMN " + c + ": INSTANT ADD COLUMN needs "
                        + (mysql ? "MySQL 8.0.12" : "MariaDB 10.3.2") + "; " + engineName() + " rebuilds the table" + rebuildLockNote());
            }
            if (col.position() != null && !instantAddAnywhere()) {
                return inplace(a, Op.ADD_COLUMN, c, true, rebuildLock(), "ADD COLUMN " + c + " " + col.position()
                        + ": before " + (mysql ? "MySQL 8.0.29" : "MariaDB 10.4") + " only a column appended at the end "
                        + "is INSTANT; " + engineName() + " rebuilds the table" + rebuildLockNote());
            }
            return instant(a, Op.ADD_COLUMN, c, "ADD COLUMN " + c + (col.position() != null ? " " + col.position() : "")
                    + " with a literal or no default changes only metadata");
        }

        Clause dropColumn(AlterAction a, String c) {
            boolean inPk = false;
            boolean indexed = false;
            if (table != null) {
                for (IndexState idx : table.indexes.values()) {
                    if (idx.columns.stream().anyMatch(x -> x.equalsIgnoreCase(c))) {
                        indexed = true;
                        if (isPrimary(idx.name)) inPk = true;
                    }
                }
            }
            if (inPk) {
                return inplace(a, Op.DROP_COLUMN, c, true, rebuildLock(), "DROP COLUMN " + c + " changes the primary key "
                        + "of " + tableName + ", which rebuilds the table" + rebuildLockNote());
            }
            String blocker = instantBlocker();
            if (blocker != null) {
                return inplace(a, Op.DROP_COLUMN, c, true, rebuildLock(), "DROP COLUMN " + c + ": no INSTANT because "
                        + blocker + ", so the table is rebuilt" + rebuildLockNote());
            }
            if (!instantDrop()) {
                return inplace(a, Op.DROP_COLUMN, c, true, rebuildLock(), "DROP COLUMN " + c + ": INSTANT DROP COLUMN needs "
                        + (mysql ? "MySQL 8.0.29" : "MariaDB 10.4") + "; " + engineName() + " rebuilds the table" + rebuildLockNote());
            }
            if (indexed) {
                return mysql
                        ? inplace(a, Op.DROP_COLUMN, c, true, rebuildLock(), "DROP COLUMN " + c + " also changes an index "
                        + "on it, so it cannot be INSTANT (⚠ unverified on MySQL): the table is rebuilt" + rebuildLockNote())
                        : inplace(a, Op.DROP_COLUMN, c, false, Lock.NONE, "DROP COLUMN " + c + " also drops an index on "
                        + "it: NOCOPY (INPLACE without rebuild), not INSTANT");
            }
            return instant(a, Op.DROP_COLUMN, c, "DROP COLUMN " + c + " changes only metadata (rows keep the bytes until "
                    + "the next rebuild)");
        }

        Clause renameColumn(AlterAction a, String from, String to) {
            if (instantRename()) {
                return instant(a, Op.RENAME_COLUMN, from, "RENAME COLUMN " + from + " TO " + to + " changes only metadata"
                        + (mysql ? " (not INSTANT when another table's FOREIGN KEY references it)" : ""));
            }
            return inplace(a, Op.RENAME_COLUMN, from, false, Lock.NONE, "RENAME COLUMN " + from + " TO " + to
                    + " is INPLACE metadata-only before MySQL 8.0.28");
        }

        List<Clause> modifyColumn(AlterAction a, String oldName, ColumnDef def) {
            List<Clause> out = new ArrayList<>();
            String c = def.name();
            ColumnState old = table == null ? null : column(oldName);
            boolean rename = !oldName.equalsIgnoreCase(c);
            if (old == null || old.type == null || def.type() == null) {
                String why = table == null ? "the definition of " + oldName + " is unknown (" + tableName
                        + " was not created by these migrations)" : "column " + oldName + " of " + tableName + " is not known";
                out.add(copy(a, Op.CHANGE_TYPE, oldName, true, false, why + ": a type change copies the table; assume "
                        + "COPY (a same-type MODIFY may be INSTANT)"));
                return out;
            }
            TypeName ot = old.type;
            TypeName nt = def.type();
            String oldCs = MysqlTypes.effectiveCharset(old, table);
            String newCs = MysqlTypes.effectiveCharset(nt, def.charset(), table);
            boolean text = isCharacterType(ot) && isCharacterType(nt);
            boolean sameCs = !text || oldCs.equals(newCs);
            String csNote = MysqlTypes.charsetAssumed(old.charset, table) && def.charset() == null
                    ? " (charset not declared: " + MysqlTypes.DEFAULT_CHARSET + " assumed)" : "";
            if (!sameCs) {
                out.add(copy(a, Op.CHANGE_TYPE, c, true, true, oldName + " " + MysqlTypes.show(ot) + " CHARACTER SET "
                        + oldCs + " → " + MysqlTypes.show(nt) + " CHARACTER SET " + newCs + " re-encodes every value"
                        + (def.charset() == null ? " (MODIFY without CHARACTER SET takes the table default " + newCs + ")" : "")));
            } else if (MysqlTypes.sameType(ot, nt)) {
                // no storage change
            } else if (MysqlTypes.isVarLength(ot) && ot.base().equals(nt.base())) {
                out.add(varchar(a, c, ot, nt, oldCs, csNote));
            } else if (ot.is("enum", "set") && ot.base().equals(nt.base())) {
                out.add(enumSet(a, c, ot, nt));
            } else {
                out.add(copy(a, Op.CHANGE_TYPE, c, true, true, oldName + " " + MysqlTypes.show(ot) + " → " + MysqlTypes.show(nt)
                        + " changes the stored type, which copies every row"));
            }
            if (!old.notNull && def.notNull()) {
                out.add(inplace(a, Op.SET_NOT_NULL, c, true, rebuildLock(), "making " + c + " NOT NULL rebuilds "
                        + tableName + " and fails if a row holds NULL (strict sql_mode) or turns NULLs into 0/'' "
                        + "(non-strict)" + rebuildLockNote()));
            } else if (old.notNull && !def.notNull()) {
                String why = c + " becomes nullable (MODIFY/CHANGE without NOT NULL drops it)";
                out.add(!mysql && redundant ? instant(a, Op.DROP_NOT_NULL, c, why + "; INSTANT for ROW_FORMAT=REDUNDANT")
                        : inplace(a, Op.DROP_NOT_NULL, c, true, rebuildLock(), why + ", which rebuilds " + tableName + rebuildLockNote()));
            }
            if (def.position() != null) {
                out.add(instantReorder() ? instant(a, Op.REORDER_COLUMN, c, "moving " + c + " " + def.position() + " changes only metadata")
                        : inplace(a, Op.REORDER_COLUMN, c, true, rebuildLock(), "moving " + c + " " + def.position()
                        + " reorders the columns, which rebuilds " + tableName + rebuildLockNote()));
            }
            if (rename) out.add(renameColumn(a, oldName, c));
            if (out.isEmpty()) {
                out.add(instant(a, Op.COLUMN_METADATA, c, "MODIFY " + c + " keeps type and nullability: only the "
                        + "default or comment changes"));
            }
            return out;
        }

        private Clause varchar(AlterAction a, String c, TypeName ot, TypeName nt, String cs, String csNote) {
            Integer o = MysqlTypes.length(ot);
            Integer n = MysqlTypes.length(nt);
            String change = MysqlTypes.show(ot) + "→" + MysqlTypes.show(nt);
            if (o == null || n == null) {
                return copy(a, Op.CHANGE_TYPE, c, true, false, change + ": length unreadable, assume COPY");
            }
            String in = ot.is("varbinary") ? "" : " in " + cs + csNote;
            if (n < o) {
                return copy(a, Op.CHANGE_TYPE, c, true, true, change + " shrinks " + c + ", which checks and copies every row");
            }
            int ob = MysqlTypes.maxBytes(o, ot.is("varbinary") ? "binary" : cs);
            int nb = MysqlTypes.maxBytes(n, ot.is("varbinary") ? "binary" : cs);
            String bytes = " (" + ob + "→" + nb + " bytes)";
            if (MysqlTypes.lengthPrefixBytes(ob) == MysqlTypes.lengthPrefixBytes(nb)) {
                String why = change + in + " keeps the " + MysqlTypes.lengthPrefixBytes(ob) + "-byte length prefix" + bytes;
                return mysql ? inplace(a, Op.WIDEN_VARCHAR, c, false, Lock.NONE, why + ": metadata only")
                        : instant(a, Op.WIDEN_VARCHAR, c, why);
            }
            if (!mysql && v.atLeast(10, 4, 3) && (ob <= 127 || redundant)) {
                return instant(a, Op.WIDEN_VARCHAR, c, change + in + " crosses 255 bytes" + bytes + ", but MariaDB "
                        + "extends a column of at most 127 bytes" + (redundant ? " (or any ROW_FORMAT=REDUNDANT column)" : "")
                        + " instantly");
            }
            return copy(a, Op.CHANGE_TYPE, c, true, true, change + in + " crosses the 255-byte length prefix" + bytes
                    + ", which changes the row format of every row");
        }

        private Clause enumSet(AlterAction a, String c, TypeName ot, TypeName nt) {
            List<String> om = MysqlTypes.members(ot);
            List<String> nm = MysqlTypes.members(nt);
            int os = MysqlTypes.enumSetStorage(ot, om.size());
            int ns = MysqlTypes.enumSetStorage(nt, nm.size());
            String kind = ot.base().toUpperCase(Locale.ROOT);
            boolean appended = nm.size() > om.size() && nm.subList(0, om.size()).equals(om);
            if (appended && os == ns) {
                return instant(a, Op.ENUM_SET_APPEND, c, kind + " " + c + " appends " + quoteAll(nm.subList(om.size(), nm.size()))
                        + " at the end and keeps " + os + "-byte storage");
            }
            String what;
            if (appended) {
                what = "grows from " + om.size() + " to " + nm.size() + " members, so its storage grows from " + os + " to "
                        + ns + " bytes";
            } else {
                List<String> removed = om.stream().filter(m -> !nm.contains(m)).toList();
                if (!removed.isEmpty()) what = "removes " + quoteAll(removed);
                else if (nm.containsAll(om) && nm.size() > om.size()) what = "inserts members before the end";
                else if (nm.size() == om.size()) what = "reorders its members";
                else what = "changes its members";
            }
            return copy(a, Op.ENUM_SET_CHANGE, c, true, true, kind + " " + c + " " + what
                    + "; only appending at the end with the same storage size is INSTANT");
        }

        // -------------------------------------------------------------- indexes and constraints

        Clause addIndex(AlterAction a, Stmt.IndexDef idx) {
            String name = idx.name() != null ? idx.name() : "(" + String.join(", ", idx.columns()) + ")";
            if ("FULLTEXT".equalsIgnoreCase(idx.kind())) {
                boolean known = table != null;
                boolean first = !hasFulltext && (table == null || column("fts_doc_id") == null);
                return index(a, Op.ADD_FULLTEXT_INDEX, first, Lock.SHARED, known, "FULLTEXT index " + name + " on "
                        + tableName + " is built with LOCK=SHARED (no writes)" + (first ? (known ? "; as the first "
                        + "FULLTEXT index it also rebuilds the table to add the hidden FTS_DOC_ID column"
                        : "; the first FULLTEXT index of a table also rebuilds it (assumed)") : ""));
            }
            if ("SPATIAL".equalsIgnoreCase(idx.kind())) {
                return index(a, Op.ADD_SPATIAL_INDEX, false, Lock.SHARED, true, "SPATIAL index " + name + " on "
                        + tableName + " is built with LOCK=SHARED (no writes)");
            }
            return index(a, Op.ADD_INDEX, false, Lock.NONE, true, (idx.unique() ? "unique " : "") + "index " + name
                    + " is built online, INPLACE without rebuild");
        }

        Clause dropIndex(AlterAction a, String name) {
            if (isPrimary(name)) return dropPrimaryKey(a);
            return inplace(a, Op.DROP_INDEX, null, false, Lock.NONE, "DROP INDEX " + name + " changes only metadata");
        }

        Clause dropPrimaryKey(AlterAction a) {
            return copy(a, Op.DROP_PRIMARY_KEY, null, true, true, "DROP PRIMARY KEY without adding a new one in the same "
                    + "statement copies " + tableName + " into a hidden clustered index");
        }

        Clause addConstraint(AlterAction a, ConstraintDef cd) {
            switch (cd.kind()) {
                case PRIMARY_KEY: {
                    List<String> nullable = new ArrayList<>();
                    if (table != null) {
                        for (String col : cd.columns()) {
                            ColumnState cs = column(col);
                            if (cs != null && !cs.notNull) nullable.add(col);
                        }
                    }
                    if (mysql && !nullable.isEmpty()) {
                        return copy(a, Op.ADD_PRIMARY_KEY, null, true, true, "ADD PRIMARY KEY must make " + nullable
                                + " NOT NULL implicitly, which MySQL does by COPY");
                    }
                    return index(a, Op.ADD_PRIMARY_KEY, true, rebuildLock(), true, "ADD PRIMARY KEY (" + String.join(", ", cd.columns())
                            + ") rebuilds the clustered index of " + tableName
                            + (nullable.isEmpty() ? "" : "; it fails if " + nullable + " hold NULLs") + rebuildLockNote());
                }
                case UNIQUE:
                    return index(a, Op.ADD_INDEX, false, Lock.NONE, true, "unique index (" + String.join(", ", cd.columns())
                            + ") is built online, INPLACE without rebuild");
                case FOREIGN_KEY: {
                    String fk = (cd.name() != null ? cd.name() + " " : "") + "(" + String.join(", ", cd.columns())
                            + ") → " + cd.refTable();
                    boolean indexed = table == null || leadingIndex(cd.columns());
                    if (!cond.foreignKeyChecks()) {
                        return new Clause(a, Op.ADD_FOREIGN_KEY, null, Algorithm.INPLACE, false, Lock.NONE, !indexed, true,
                                false, "FOREIGN KEY " + fk + " with foreign_key_checks=0 is INPLACE without rebuild, "
                                + "but existing rows are not checked" + (indexed ? "" : "; the missing index on "
                                + cd.columns() + " is built first"));
                    }
                    return copy(a, Op.ADD_FOREIGN_KEY, null, true, true, "FOREIGN KEY " + fk + " with foreign_key_checks=1 "
                            + "copies " + tableName + " to check every row (INPLACE needs foreign_key_checks=0)"
                            + (onlineCopyAvailable() && cond.cascadingForeignKeys() ? "; cascading FKs exclude online COPY" : ""));
                }
                case CHECK:
                    return copy(a, Op.ADD_CHECK, null, true, true, "CHECK (" + abbreviate(cd.expression()) + ") validates "
                            + "every row of " + tableName + (mysql ? " (⚠ COPY assumed on MySQL)" : ""));
                default:
                    return new Clause(a, Op.UNKNOWN, null, Algorithm.COPY, true, Lock.SHARED, false, false, false,
                            cd.kind() + " constraints are not MySQL syntax; assume COPY");
            }
        }

        Clause dropConstraint(AlterAction a, AlterAction.DropConstraint dc) {
            ConstraintDef.Kind kind = dc.kind();
            if (kind == null && table != null) {
                ConstraintState cs = table.constraints.get(dc.name());
                if (cs != null) kind = cs.kind;
                else if (table.indexes.containsKey(dc.name())) kind = ConstraintDef.Kind.UNIQUE;
            }
            if (kind == null) {
                return new Clause(a, Op.DROP_CHECK, null, mysql ? Algorithm.INPLACE : Algorithm.INSTANT, false, Lock.NONE,
                        false, false, false, "DROP CONSTRAINT " + dc.name() + " (kind unknown) changes only metadata");
            }
            switch (kind) {
                case FOREIGN_KEY:
                    return metadata(a, Op.DROP_FOREIGN_KEY, null, "DROP FOREIGN KEY " + dc.name() + " changes only metadata");
                case PRIMARY_KEY:
                    return dropPrimaryKey(a);
                case UNIQUE:
                    return dropIndex(a, dc.name());
                default:
                    return metadata(a, Op.DROP_CHECK, null, "DROP CHECK " + dc.name() + " changes only metadata");
            }
        }

        // -------------------------------------------------------------- table options

        Clause tableOption(AlterAction a, String name, String value) {
            String n = name.toUpperCase(Locale.ROOT);
            String val = value == null ? "" : value.replace("'", "").replace("\"", "").trim();
            switch (n) {
                case "ENGINE": {
                    String current = option("ENGINE");
                    boolean sameEngine = val.equalsIgnoreCase("innodb") && (current == null || current.equalsIgnoreCase("innodb"));
                    if (!sameEngine) {
                        return copy(a, Op.CHANGE_ENGINE, null, true, true, "ENGINE=" + val + " moves every row of "
                                + tableName + " to another storage engine");
                    }
                    return rebuild(a, "ENGINE=InnoDB on an InnoDB table is a null rebuild");
                }
                case "FORCE":
                    return rebuild(a, "FORCE rebuilds " + tableName);
                case "ROW_FORMAT":
                case "KEY_BLOCK_SIZE":
                    return inplace(a, Op.REBUILD, null, true, rebuildLock(), n + "=" + val + " rebuilds " + tableName
                            + rebuildLockNote());
                case "CHARSET":
                case "CHARACTER SET":
                case "COLLATE": {
                    String cs = n.equals("COLLATE") ? MysqlTypes.charsetOfCollation(val) : MysqlTypes.normalizeCharset(val);
                    String current = MysqlTypes.tableCharset(table);
                    String why = "DEFAULT " + (n.equals("COLLATE") ? "COLLATE " : "CHARSET ") + val + " changes the default "
                            + "for columns added later; existing columns keep their character set";
                    if (mysql && (current == null || !current.equals(cs))) {
                        return inplace(a, Op.TABLE_CHARSET, null, true, Lock.NONE, why + "; MySQL rebuilds the table when "
                                + "the encoding differs (⚠ unverified)");
                    }
                    return metadata(a, Op.TABLE_CHARSET, null, why);
                }
                case "ORDER":
                    return new Clause(a, Op.ORDER_BY, null, Algorithm.COPY, true, Lock.SHARED, false, true, false,
                            "ORDER BY copies " + tableName + " in the new order (excluded from MariaDB online COPY)");
                case "PARTITION": case "REMOVE": case "COALESCE": case "REORGANIZE": case "EXCHANGE": case "TRUNCATE":
                case "ANALYZE": case "OPTIMIZE": case "REBUILD": case "REPAIR":
                    return new Clause(a, Op.PARTITION, null, Algorithm.COPY, true, Lock.SHARED, false, false, false,
                            "partition maintenance (" + abbreviate(val.isEmpty() ? n : val) + ") is not modelled: "
                            + "assume COPY and probe with ALGORITHM=INPLACE, LOCK=NONE");
                default:
                    return metadata(a, Op.TABLE_METADATA, null, n + "=" + val + " changes only table metadata");
            }
        }

        private Clause rebuild(AlterAction a, String why) {
            if (mysql && hasFulltext) {
                return new Clause(a, Op.REBUILD, null, Algorithm.COPY, true, Lock.SHARED, false, true, false, why
                        + "; MySQL has no INPLACE rebuild for a table with a FULLTEXT index");
            }
            return inplace(a, Op.REBUILD, null, true, rebuildLock(), why + rebuildLockNote());
        }

        // -------------------------------------------------------------- combination

        /** DROP PRIMARY KEY with ADD PRIMARY KEY in one statement is an INPLACE rebuild, not a COPY. */
        List<Clause> pairPrimaryKeys(List<Clause> in) {
            boolean add = in.stream().anyMatch(c -> c.op() == Op.ADD_PRIMARY_KEY && c.algorithm() != Algorithm.COPY);
            if (!add) return in;
            List<Clause> out = new ArrayList<>();
            for (Clause c : in) {
                if (c.op() == Op.DROP_PRIMARY_KEY) {
                    out.add(new Clause(c.action(), c.op(), null, Algorithm.INPLACE, true, rebuildLock(), false, true, false,
                            "DROP PRIMARY KEY with ADD PRIMARY KEY in one statement rebuilds " + tableName + " online"
                                    + rebuildLockNote()));
                } else {
                    out.add(c);
                }
            }
            return out;
        }

        /** InnoDB builds one FULLTEXT index per statement in place; with two or more it falls back to COPY. */
        List<Clause> oneFulltextPerStatement(List<Clause> in) {
            long n = in.stream().filter(c -> c.op() == Op.ADD_FULLTEXT_INDEX).count();
            if (n < 2) return in;
            List<Clause> out = new ArrayList<>();
            for (Clause c : in) {
                out.add(c.op() != Op.ADD_FULLTEXT_INDEX ? c : new Clause(c.action(), c.op(), null, Algorithm.COPY, true,
                        Lock.SHARED, true, c.certain(), false, n + " FULLTEXT indexes in one statement: InnoDB builds "
                        + "only one at a time in place, so the server copies " + tableName + " (split the statement)"));
            }
            return out;
        }

        /** MySQL before 8.0.12 has no INSTANT at all: metadata-only clauses are INPLACE there. */
        List<Clause> beforeInstantExisted(List<Clause> in) {
            if (!mysql || v.atLeast(8, 0, 12)) return in;
            List<Clause> out = new ArrayList<>();
            for (Clause c : in) {
                out.add(c.algorithm() == Algorithm.INSTANT ? new Clause(c.action(), c.op(), c.column(), Algorithm.INPLACE,
                        false, Lock.NONE, c.buildsIndex(), c.certain(), false, c.reason() + " (INPLACE: ALGORITHM=INSTANT "
                        + "exists from MySQL 8.0.12)") : c);
            }
            return out;
        }

        /** The non-instant form of an instant clause when it shares a statement with non-instant clauses. */
        private Clause degraded(Clause c, List<Clause> all, String cause) {
            boolean rebuild;
            if (mysql) {
                rebuild = c.op().instantOnlyAlone();
            } else {
                // MariaDB 10.11 keeps NOCOPY when mixed with DROP INDEX and similar, but rebuilds with index builds.
                rebuild = c.op().instantOnlyAlone() && all.stream().anyMatch(x -> x.buildsIndex() || x.rebuild());
            }
            if (!rebuild) {
                return new Clause(c.action(), c.op(), c.column(), Algorithm.INPLACE, false, Lock.NONE, c.buildsIndex(),
                        c.certain(), false, c.reason());
            }
            return new Clause(c.action(), c.op(), c.column(), Algorithm.INPLACE, true, rebuildLock(), c.buildsIndex(),
                    c.certain(), false, c.reason() + ", but " + cause + ", so it rebuilds the table" + rebuildLockNote());
        }

        /** Combines the clauses without explicit options; {@code forceInplace} = MySQL's explicit ALGORITHM=INPLACE. */
        private Outcome outcome(List<Clause> clauses, boolean forceInplace, List<Clause> effective, String[] why) {
            if (clauses.isEmpty()) {
                why[0] = "no operation";
                return new Outcome(Algorithm.INSTANT, Lock.NONE, false);
            }
            boolean allInstant = clauses.stream().allMatch(c -> c.algorithm() == Algorithm.INSTANT);
            if (allInstant && !forceInplace) {
                effective.addAll(clauses);
                why[0] = clauses.size() == 1 ? clauses.get(0).reason() : joinReasons(clauses);
                return new Outcome(Algorithm.INSTANT, Lock.NONE, false);
            }
            String cause;
            if (forceInplace && allInstant) {
                cause = "explicit ALGORITHM=INPLACE asks for the in-place form";
            } else {
                Clause other = clauses.stream().filter(c -> c.algorithm() != Algorithm.INSTANT).findFirst().orElseThrow();
                cause = "it shares the statement with " + other.op().name().toLowerCase(Locale.ROOT).replace('_', ' ')
                        + " (not INSTANT)";
            }
            for (Clause c : clauses) effective.add(c.algorithm() == Algorithm.INSTANT ? degraded(c, clauses, cause) : c);
            Algorithm alg = Algorithm.INSTANT;
            Lock lock = Lock.NONE;
            boolean rebuild = false;
            for (Clause c : effective) {
                if (alg.betterThan(c.algorithm())) alg = c.algorithm();
                lock = lock.max(c.lock());
                rebuild |= c.rebuild();
            }
            if (alg == Algorithm.COPY) {
                rebuild = true;
                boolean online = effective.stream().filter(c -> c.algorithm() == Algorithm.COPY).allMatch(Clause::onlineCopy);
                if (!online) lock = lock.max(Lock.SHARED);
            }
            Clause decisive = decisive(effective);
            why[0] = decisive.reason();
            return new Outcome(alg, lock, rebuild);
        }

        /** The clause that makes the statement as slow or as blocking as it is. */
        private Clause decisive(List<Clause> cs) {
            Clause best = cs.get(0);
            for (Clause c : cs) {
                if (weight(c) > weight(best)) best = c;
            }
            return best;
        }

        private int weight(Clause c) {
            int w = (2 - c.algorithm().ordinal()) * 100 + c.lock().ordinal() * 10 + (c.rebuild() ? 5 : 0)
                    + (c.buildsIndex() ? 1 : 0);
            return c.certain() ? w + 2 : w;
        }

        Prediction combine(List<Clause> clauses, String reqAlg, String reqLock) {
            List<Clause> effective = new ArrayList<>();
            String[] why = new String[1];
            Outcome best = outcome(clauses, false, effective, why);
            boolean certain = clauses.stream().allMatch(Clause::certain);
            Outcome out = best;
            String reason = why[0];
            Refusal refusal = null;
            List<Clause> used = effective;

            String alg = reqAlg == null || reqAlg.equals("DEFAULT") ? null : reqAlg;
            if (refusal == null && alg != null) {
                switch (alg) {
                    case "INSTANT":
                        if (best.algorithm() != Algorithm.INSTANT) {
                            refusal = refuse("ALGORITHM=INSTANT", best, reason);
                        }
                        break;
                    case "NOCOPY":
                        if (mysql) {
                            refusal = new Refusal(1800, "ALGORITHM=NOCOPY", "MySQL has no ALGORITHM=NOCOPY (MariaDB only): "
                                    + "the statement fails (error 1800); use ALGORITHM=INPLACE");
                        } else if (best.algorithm() == Algorithm.COPY || best.rebuild()) {
                            refusal = refuse("ALGORITHM=NOCOPY", best, reason);
                        }
                        break;
                    case "INPLACE":
                        if (best.algorithm() == Algorithm.COPY) {
                            refusal = refuse("ALGORITHM=INPLACE", best, reason);
                        } else if (mysql && best.algorithm() == Algorithm.INSTANT) {
                            List<Clause> forced = new ArrayList<>();
                            String[] w = new String[1];
                            out = outcome(clauses, true, forced, w);
                            reason = w[0];
                            used = forced;
                        }
                        break;
                    case "COPY": {
                        boolean onlineOk = onlineCopyAvailable() && !cond.alterIgnore() && !cond.cascadingForeignKeys()
                                && clauses.stream().noneMatch(c -> c.op() == Op.ADD_AUTO_INCREMENT_COLUMN
                                || c.op() == Op.ORDER_BY || c.op() == Op.ADD_FULLTEXT_INDEX || c.op() == Op.ADD_SPATIAL_INDEX
                                || c.algorithm() == Algorithm.COPY && !c.onlineCopy());
                        out = new Outcome(Algorithm.COPY, onlineOk ? Lock.NONE : Lock.SHARED, true);
                        reason = "explicit ALGORITHM=COPY copies " + tableName + " although the change needs only "
                                + describe(best.algorithm(), best.rebuild(), best.lock()) + " (" + reason + ")";
                        if (best.algorithm() == Algorithm.COPY) reason = why[0];
                        break;
                    }
                    default:
                        refusal = new Refusal(1800, "ALGORITHM=" + alg, "unknown ALGORITHM=" + alg + ": the statement fails");
                }
            }
            if (refusal == null && reqLock != null && !reqLock.equals("DEFAULT")) {
                Lock want;
                try {
                    want = Lock.valueOf(reqLock);
                } catch (IllegalArgumentException e) {
                    want = null;
                }
                if (want == null) {
                    refusal = new Refusal(1801, "LOCK=" + reqLock, "unknown LOCK=" + reqLock + ": the statement fails");
                } else if (want.ordinal() < out.lock().ordinal()) {
                    refusal = new Refusal(1846, "LOCK=" + want, "the server refuses LOCK=" + want + " (error 1846): "
                            + reason + ", so it needs LOCK=" + out.lock());
                } else {
                    out = new Outcome(out.algorithm(), want, out.rebuild());
                }
            }
            boolean onlineCopy = out.algorithm() == Algorithm.COPY && out.lock() == Lock.NONE;
            String cause = reason;
            if (refusal != null) {
                reason = refusal.message();
            } else {
                reason = reason + ": " + describe(out.algorithm(), out.rebuild(), out.lock())
                        + (onlineCopy ? " (MariaDB 11.2+ online COPY)" : "");
            }
            return new Prediction(out.algorithm(), out.lock(), out.rebuild(), reason, cause, List.copyOf(clauses),
                    List.copyOf(used), onlineCopy,
                    certain, refusal, best, alg, reqLock);
        }

        private Refusal refuse(String option, Outcome best, String reason) {
            int code = best.algorithm() == Algorithm.COPY || option.endsWith("INSTANT") ? 1846 : 1845;
            return new Refusal(code, option, "the server refuses " + option + " (error " + code + "): " + reason
                    + ", so the change needs " + describe(best.algorithm(), best.rebuild(), best.lock()));
        }

        // -------------------------------------------------------------- helpers

        ColumnState column(String name) {
            if (table == null) return null;
            ColumnState c = table.column(name);
            if (c != null) return c;
            for (ColumnState x : table.columns.values()) {
                if (x.name.equalsIgnoreCase(name)) return x;
            }
            return null;
        }

        boolean leadingIndex(List<String> cols) {
            for (IndexState idx : table.indexes.values()) {
                if (idx.columns.size() >= cols.size()) {
                    boolean ok = true;
                    for (int i = 0; i < cols.size(); i++) {
                        if (!idx.columns.get(i).equalsIgnoreCase(cols.get(i))) ok = false;
                    }
                    if (ok) return true;
                }
            }
            return false;
        }
    }

    static boolean isPrimary(String indexName) {
        return indexName != null && indexName.equalsIgnoreCase("PRIMARY");
    }

    static boolean isCharacterType(TypeName t) {
        return t.is("varchar", "char", "text", "tinytext", "mediumtext", "longtext", "enum", "set");
    }

    /**
     * True for {@code DEFAULT (expr)} and function defaults other than the current-time ones, which MySQL and
     * MariaDB can add without touching rows.
     */
    public static boolean isExpressionDefault(Expr e) {
        if (e == null) return false;
        String t = e.text().trim();
        if (t.startsWith("(")) return true;
        for (String f : e.functions()) {
            switch (f) {
                case "current_timestamp": case "now": case "localtime": case "localtimestamp":
                    break;
                default:
                    return true;
            }
        }
        return false;
    }

    private static String joinReasons(List<Clause> cs) {
        List<String> parts = new ArrayList<>();
        for (Clause c : cs) parts.add(c.reason());
        return String.join("; ", parts);
    }

    private static String quoteAll(List<String> members) {
        List<String> q = new ArrayList<>();
        for (String m : members) q.add("'" + m + "'");
        return String.join(", ", q);
    }

    static String abbreviate(String s) {
        if (s == null) return "";
        String one = s.replaceAll("\\s+", " ").trim();
        return one.length() > 60 ? one.substring(0, 57) + "..." : one;
    }
}
