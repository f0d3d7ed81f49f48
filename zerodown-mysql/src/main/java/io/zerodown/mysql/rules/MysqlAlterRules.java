package io.zerodown.mysql.rules;

import io.zerodown.api.Effect;
import io.zerodown.api.Engine;
import io.zerodown.api.RuleInfo;
import io.zerodown.api.Runner;
import io.zerodown.api.Severity;
import io.zerodown.core.lint.Rule;
import io.zerodown.core.lint.StatementContext;
import io.zerodown.core.model.AlterAction;
import io.zerodown.core.model.Name;
import io.zerodown.core.model.Stmt;
import io.zerodown.core.schema.TableState;
import io.zerodown.mysql.MysqlAlterPredictor;
import io.zerodown.mysql.MysqlAlterPredictor.Algorithm;
import io.zerodown.mysql.MysqlAlterPredictor.Clause;
import io.zerodown.mysql.MysqlAlterPredictor.Lock;
import io.zerodown.mysql.MysqlAlterPredictor.Op;
import io.zerodown.mysql.MysqlAlterPredictor.Prediction;
import io.zerodown.mysql.MysqlSession;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.zerodown.mysql.rules.MyRuleSupport.info;

/**
 * Statement-level verdicts of the predictor: COPY, explicit LOCK levels and options the server refuses, instant
 * clauses spoiled by the clauses beside them, the metadata-lock wait, large tables, and version hazards.
 *
 * <p>{@value #LARGE_TABLE} needs row counts from a live catalog ({@code TableState.estimatedRows}, e.g. from
 * {@code information_schema.TABLES}); migrations alone never carry them, so without a catalog it stays silent.
 * Likewise the instant row-version cap (64 per table, {@code INNODB_TABLES.TOTAL_ROW_VERSIONS}) needs the catalog and
 * is not checked here.
 */
public final class MysqlAlterRules implements Rule {
    public static final String ALGORITHM_COPY = "my.alter.algorithm-copy";
    public static final String LOCK_OPTION = "my.alter.lock-option";
    public static final String OPTION_REFUSED = "my.alter.option-refused";
    public static final String INSTANT_MIXED = "my.alter.instant-mixed";
    public static final String LOCK_WAIT = "my.alter.lock-wait-missing";
    public static final String LARGE_TABLE = "my.table.large-use-osc";
    public static final String INSTANT_8029 = "my.version.instant-8029";

    /** Tables above this many rows (from a live catalog) get the online-schema-change advice. */
    public static final long LARGE_ROWS = 1_000_000;

    /** COPY causes that have a rule of their own with a better fix. */
    private static final Set<Op> SPECIFIC = EnumSet.of(Op.ADD_STORED_COLUMN, Op.ADD_COLUMN_EXPRESSION_DEFAULT,
            Op.CHANGE_TYPE, Op.ENUM_SET_CHANGE, Op.ADD_FOREIGN_KEY, Op.ADD_CHECK, Op.CONVERT_CHARSET);

    private static final Pattern WAIT = Pattern.compile("(?i)\\b(?:WAIT\\s+(\\d+(?:\\.\\d+)?)|(NOWAIT))\\b");

    private static final List<RuleInfo> INFOS = List.of(
            info(ALGORITHM_COPY, Severity.ERROR, "ALTER runs as ALGORITHM=COPY: writes blocked while the whole table is copied"),
            info(LOCK_OPTION, Severity.ERROR, "Explicit LOCK=SHARED/EXCLUSIVE blocks writes (or reads) for the whole ALTER"),
            info(OPTION_REFUSED, Severity.ERROR, "The server refuses the statement's ALGORITHM=/LOCK= (error 1845/1846): the migration fails"),
            info(INSTANT_MIXED, Severity.WARNING, "An instant ADD/DROP COLUMN rebuilds the table because of the clauses beside it"),
            info(LOCK_WAIT, Severity.WARNING, "DDL on an existing table without a short lock_wait_timeout queues all queries behind its metadata lock"),
            info(LARGE_TABLE, Severity.WARNING, "Rebuild of a table above 1M rows (needs a live catalog): use an online schema change tool"),
            info(INSTANT_8029, Severity.ERROR, "INSTANT ADD/DROP COLUMN on MySQL 8.0.29 or a MariaDB release with instant-ALTER corruption bugs"));

    private final MysqlSession session;

    public MysqlAlterRules(MysqlSession session) {
        this.session = session;
    }

    @Override
    public List<RuleInfo> infos() {
        return INFOS;
    }

    @Override
    public void check(StatementContext ctx) {
        lockWait(ctx);
        Stmt.AlterTable at = session.alter(ctx);
        if (at == null) return;
        Prediction p = session.prediction(ctx);
        if (p.refused()) {
            refused(ctx, at, p);
            return;
        }
        if (ctx.isNew(at.table())) return;
        algorithmCopy(ctx, at, p);
        lockOption(ctx, at, p);
        instantMixed(ctx, at, p);
        largeTable(ctx, at, p);
        versionHazard(ctx, at, p);
    }

    // ------------------------------------------------------------------ my.alter.lock-wait-missing

    private void lockWait(StatementContext ctx) {
        if (ctx.runner() == Runner.ZERODOWN || !ctx.locks().blocksTraffic()) return;
        if (!ctx.config().requireLockTimeoutOrDefault()) return;
        boolean mariadb = ctx.target().engine() == Engine.MARIADB;
        Long timeout = ctx.tx().lockTimeoutMs();
        String source = "lock_wait_timeout";
        if (mariadb) {
            Matcher m = WAIT.matcher(ctx.sql());
            if (m.find()) {
                timeout = m.group(2) != null ? 0L : Math.round(Double.parseDouble(m.group(1)) * 1000);
                source = m.group(2) != null ? "NOWAIT" : "WAIT " + m.group(1);
            }
        }
        long max = ctx.config().lockTimeoutMaxMsOrDefault();
        if (timeout != null && timeout <= max) return;
        List<Name> tables = ctx.locks().tables();
        String tableText = tables.size() == 1 ? tables.get(0).toString() : tables.toString();
        String dflt = mariadb ? "86,400 s (one day)" : "31,536,000 s (one year)";
        String fix = MyRuleSupport.LOCK_WAIT + "\n" + MyRuleSupport.stripOptions(ctx) + optionsTail(ctx) + ";";
        if (mariadb && ctx.stmt() instanceof Stmt.AlterTable) {
            fix += "\n-- MariaDB alternative, per statement: ALTER TABLE " + ctx.q(((Stmt.AlterTable) ctx.stmt()).table()) + " WAIT 2 ...";
        }
        String what = timeout == null
                ? "no lock_wait_timeout is set, so it waits up to the server default of " + dflt
                : source + " allows " + timeout + " ms, above the " + max + " ms this project accepts";
        ctx.finding(LOCK_WAIT).severity(Severity.WARNING)
                .message("This statement needs an exclusive metadata lock on " + tableText + why(ctx) + " and " + what + ": while any open transaction that touched "
                        + tableText + " holds it up, every new query on the table queues behind this statement ("
                        + MyRuleSupport.MDL_MEASURED + ").")
                .fix(fix)
                .report();
    }

    private static String why(StatementContext ctx) {
        Stmt s = ctx.stmt();
        if (s instanceof Stmt.AlterTable || s instanceof Stmt.IndexDef || s instanceof Stmt.DropIndex) {
            return " (every ALTER and index change does, ALGORITHM=INSTANT included)";
        }
        if (s instanceof Stmt.CreateTable) return " (MySQL 8.0 locks the parent table of a new foreign key)";
        return "";
    }

    /** Keeps the statement's own ALGORITHM=/LOCK= in the lock-wait fix. */
    private static String optionsTail(StatementContext ctx) {
        List<String> opts = new ArrayList<>();
        Matcher m = Pattern.compile("(?i)\\b(ALGORITHM|LOCK)\\s*=?\\s*(\\w+)").matcher(ctx.sql());
        while (m.find()) opts.add(m.group(1).toUpperCase(Locale.ROOT) + "=" + m.group(2).toUpperCase(Locale.ROOT));
        if (opts.isEmpty() || !(ctx.stmt() instanceof Stmt.AlterTable || ctx.stmt() instanceof Stmt.IndexDef
                || ctx.stmt() instanceof Stmt.DropIndex)) {
            return "";
        }
        return ctx.stmt() instanceof Stmt.AlterTable ? ", " + String.join(", ", opts) : " " + String.join(" ", opts);
    }

    // ------------------------------------------------------------------ my.alter.option-refused

    private void refused(StatementContext ctx, Stmt.AlterTable at, Prediction p) {
        MysqlAlterPredictor.Refusal r = p.refusal();
        String fix;
        if (p.best().algorithm() == Algorithm.COPY || p.best().lock() != Lock.NONE) {
            fix = "-- the change needs ALGORITHM=" + p.best().algorithm() + ", LOCK=" + p.best().lock()
                    + " (writes blocked); instead of forcing it natively,\n" + MyRuleSupport.onlineCopyTools(ctx, at.table(), MyRuleSupport.alterBody(ctx));
        } else {
            fix = MyRuleSupport.withOptions(ctx, bestClause(p));
        }
        ctx.finding(OPTION_REFUSED).severity(Severity.ERROR).lock(null, null).effect(Effect.NONE)
                .message("The server rejects this statement on " + at.table() + ": " + r.message() + ". The migration "
                        + "stops here with error " + r.errorCode() + " and nothing is changed.")
                .fix(fix)
                .report();
    }

    private static String bestClause(Prediction p) {
        MysqlAlterPredictor.Outcome b = p.best();
        return b.algorithm() == Algorithm.INSTANT ? "ALGORITHM=INSTANT" : "ALGORITHM=" + b.algorithm() + ", LOCK=" + b.lock();
    }

    // ------------------------------------------------------------------ my.alter.algorithm-copy

    private void algorithmCopy(StatementContext ctx, Stmt.AlterTable at, Prediction p) {
        boolean explicitCopy = "COPY".equals(p.requestedAlgorithm());
        Name t = at.table();
        if (explicitCopy && p.best().algorithm() != Algorithm.COPY) {
            String better = bestClause(p);
            ctx.finding(ALGORITHM_COPY).severity(p.onlineCopy() ? Severity.WARNING : Severity.ERROR)
                    .message("ALGORITHM=COPY forces a full copy of " + t + " although this change can run as "
                            + p.best().algorithm() + describeBest(p) + ". "
                            + MyRuleSupport.copyImpact(ctx, p, t))
                    .fix(MyRuleSupport.LOCK_WAIT + "\n" + MyRuleSupport.withOptions(ctx, better))
                    .zerodownMakesSafe("it runs the statement with " + better + " instead, under a 2 s "
                            + "lock_wait_timeout with retries")
                    .report();
            return;
        }
        if (p.algorithm() != Algorithm.COPY) return;
        List<Clause> generic = new ArrayList<>();
        for (Clause c : p.clauses()) {
            if (c.algorithm() == Algorithm.COPY && !SPECIFIC.contains(c.op())) generic.add(c);
        }
        if (generic.isEmpty()) return;
        Clause c = generic.get(0);
        boolean certain = generic.stream().allMatch(Clause::certain);
        String fix;
        String plan = null;
        String body = MyRuleSupport.alterBody(ctx);
        switch (c.op()) {
            case DROP_PRIMARY_KEY:
                fix = "-- replace the key in the same statement: an online rebuild instead of a copy\n"
                        + MyRuleSupport.LOCK_WAIT + "\n"
                        + "ALTER TABLE " + ctx.q(t) + " DROP PRIMARY KEY, ADD PRIMARY KEY (<new key columns>), "
                        + "ALGORITHM=INPLACE, LOCK=NONE;\n" + MyRuleSupport.onlineCopyTools(ctx, t, body);
                plan = MyRuleSupport.ONLINE_COPY_PLAN;
                break;
            case ADD_PRIMARY_KEY:
                fix = primaryKeyFix(ctx, t, (AlterAction.AddConstraint) c.action());
                break;
            case UNKNOWN:
            case PARTITION:
                fix = "-- probe first: the server refuses (error 1846) instead of copying if it cannot do better\n"
                        + MyRuleSupport.LOCK_WAIT + "\n" + MyRuleSupport.withOptions(ctx, "ALGORITHM=INPLACE, LOCK=NONE") + "\n"
                        + MyRuleSupport.onlineCopyTools(ctx, t, body);
                plan = "it first runs the statement with ALGORITHM=INPLACE, LOCK=NONE under a 2 s lock_wait_timeout, "
                        + "and on error 1846 switches to an online table copy";
                break;
            default:
                fix = MyRuleSupport.onlineCopyTools(ctx, t, body);
                plan = MyRuleSupport.ONLINE_COPY_PLAN;
        }
        ctx.finding(ALGORITHM_COPY).severity(MyRuleSupport.copySeverity(p, certain))
                .message((explicitCopy ? "ALGORITHM=COPY: " : "") + c.reason() + " → " + p.describe() + " on " + t + ". "
                        + MyRuleSupport.copyImpact(ctx, p, t))
                .fix(fix)
                .zerodownMakesSafe(plan)
                .report();
    }

    private static String describeBest(Prediction p) {
        MysqlAlterPredictor.Outcome b = p.best();
        if (b.algorithm() == Algorithm.INSTANT) return " (metadata only)";
        return b.rebuild() ? " with a table rebuild, LOCK=" + b.lock() : " without rebuild, LOCK=" + b.lock();
    }

    private static String primaryKeyFix(StatementContext ctx, Name t, AlterAction.AddConstraint ac) {
        StringBuilder b = new StringBuilder("-- make the key columns NOT NULL first (backfill NULLs, then an online rebuild):\n");
        TableState ts = ctx.table(t);
        for (String col : ac.constraint().columns()) {
            var cs = ts == null ? null : ts.column(col);
            if (cs != null && !cs.notNull) {
                b.append(MyRuleSupport.backfill(ctx, t, col, "<value>", true)).append('\n');
                b.append("ALTER TABLE ").append(ctx.q(t)).append(" MODIFY ").append(ctx.q(col)).append(' ')
                        .append(cs.type == null ? "<type>" : cs.type.raw()).append(" NOT NULL, ALGORITHM=INPLACE, LOCK=NONE;\n");
            }
        }
        List<String> cols = new ArrayList<>();
        for (String col : ac.constraint().columns()) cols.add(ctx.q(col));
        b.append(MyRuleSupport.LOCK_WAIT).append('\n');
        b.append("ALTER TABLE ").append(ctx.q(t)).append(" ADD PRIMARY KEY (").append(String.join(", ", cols))
                .append("), ALGORITHM=INPLACE, LOCK=NONE;");
        return b.toString();
    }

    // ------------------------------------------------------------------ my.alter.lock-option

    private void lockOption(StatementContext ctx, Stmt.AlterTable at, Prediction p) {
        String req = p.requestedLock();
        if (!"SHARED".equals(req) && !"EXCLUSIVE".equals(req)) return;
        // what the same statement needs without the LOCK clause
        List<AlterAction> without = new ArrayList<>();
        for (AlterAction a : at.actions()) {
            if (!(a instanceof AlterAction.Lock)) without.add(a);
        }
        Prediction free = MysqlAlterPredictor.predict(ctx.target(), new Stmt.AlterTable(at.table(), at.ifExists(),
                at.only(), without), ctx.table(at.table()), session.conditions(ctx));
        Effect e = p.effect();
        boolean long_ = e == Effect.REWRITE || e == Effect.SCAN;
        String blocked = req.equals("SHARED") ? "every write" : "every read and write";
        Name t = at.table();
        String during = e == Effect.REWRITE ? "while the table is rebuilt (" + p.describe() + "), which grows with the table"
                : e == Effect.SCAN ? "while the index is built (" + p.describe() + "), which grows with the table"
                : "for the whole statement (" + p.describe() + ")";
        if (free.lock() == Lock.NONE) {
            String opts = free.clauseText();
            ctx.finding(LOCK_OPTION).severity(long_ ? Severity.ERROR : Severity.WARNING)
                    .message("LOCK=" + req + " stops " + blocked + " on " + t + " " + during + ", although the change "
                            + "itself allows LOCK=NONE (" + free.cause() + ").")
                    .fix(MyRuleSupport.LOCK_WAIT + "\n" + MyRuleSupport.withOptions(ctx, opts))
                    .zerodownMakesSafe("it runs the statement with " + opts + " instead, under a 2 s lock_wait_timeout "
                            + "with retries")
                    .report();
        } else if (req.equals("EXCLUSIVE")) {
            ctx.finding(LOCK_OPTION).severity(long_ ? Severity.ERROR : Severity.WARNING)
                    .message("LOCK=EXCLUSIVE stops every read and write on " + t + " " + during + "; the change needs "
                            + "only LOCK=" + free.lock() + " (reads continue): " + free.cause() + ".")
                    .fix(MyRuleSupport.LOCK_WAIT + "\n" + MyRuleSupport.withOptions(ctx, free.clauseText()) + "\n"
                            + MyRuleSupport.onlineCopyTools(ctx, t, MyRuleSupport.alterBody(ctx)))
                    .report();
        }
        // LOCK=SHARED where SHARED is needed anyway: the rule about the cause (COPY, FULLTEXT, ...) reports it
    }

    // ------------------------------------------------------------------ my.alter.instant-mixed

    private void instantMixed(StatementContext ctx, Stmt.AlterTable at, Prediction p) {
        if (!p.rebuild() || p.algorithm() == Algorithm.COPY) return;
        List<Clause> instantAlone = new ArrayList<>();
        for (Clause c : p.clauses()) {
            if (c.algorithm() == Algorithm.INSTANT && (c.op() == Op.ADD_COLUMN || c.op() == Op.DROP_COLUMN
                    || c.op() == Op.REORDER_COLUMN)) {
                instantAlone.add(c);
            }
        }
        if (instantAlone.isEmpty()) return;
        Name t = at.table();
        String cols = String.join(", ", instantAlone.stream().map(c -> c.op().name().startsWith("ADD") ? "ADD COLUMN "
                + c.column() : c.op() == Op.DROP_COLUMN ? "DROP COLUMN " + c.column() : "moving " + c.column()).toList());
        if ("INPLACE".equals(p.requestedAlgorithm()) && p.best().algorithm() == Algorithm.INSTANT) {
            ctx.finding(INSTANT_MIXED).severity(Severity.WARNING)
                    .message("ALGORITHM=INPLACE makes " + ctx.target() + " rebuild " + t + " for " + cols + ", which is "
                            + "INSTANT (metadata only) with ALGORITHM=INSTANT; the rebuild rewrites every row and "
                            + "replicas lag for as long.")
                    .fix(MyRuleSupport.LOCK_WAIT + "\n" + MyRuleSupport.withOptions(ctx, "ALGORITHM=INSTANT"))
                    .zerodownMakesSafe("it runs the statement with ALGORITHM=INSTANT instead, under a 2 s "
                            + "lock_wait_timeout with retries")
                    .report();
            return;
        }
        // would the other clauses rebuild on their own?
        List<AlterAction> rest = new ArrayList<>();
        List<AlterAction> instantActions = instantAlone.stream().map(Clause::action).toList();
        for (AlterAction a : at.actions()) {
            if (!instantActions.contains(a)) rest.add(a);
        }
        Prediction others = MysqlAlterPredictor.predict(ctx.target(), new Stmt.AlterTable(t, false, false, rest),
                ctx.table(t), session.conditions(ctx));
        if (others.rebuild()) return;
        List<String> instantTexts = new ArrayList<>();
        List<String> otherTexts = new ArrayList<>();
        for (MyRuleSupport.ClauseText ct : MyRuleSupport.clauseTexts(ctx, t)) {
            boolean inst = !ct.actions().isEmpty() && ct.actions().stream().allMatch(a ->
                    instantActions.stream().anyMatch(x -> x.equals(a)));
            (inst ? instantTexts : otherTexts).add(ct.text());
        }
        String fix = MyRuleSupport.LOCK_WAIT + "\n";
        if (!instantTexts.isEmpty() && !otherTexts.isEmpty()) {
            fix += "ALTER TABLE " + ctx.q(t) + " " + String.join(", ", instantTexts) + ", ALGORITHM=INSTANT;\n"
                    + "ALTER TABLE " + ctx.q(t) + " " + String.join(", ", otherTexts) + ", " + others.clauseText() + ";";
        } else {
            fix += "-- split the statement: the ADD/DROP COLUMN clauses with ALGORITHM=INSTANT, the rest with "
                    + others.clauseText();
        }
        ctx.finding(INSTANT_MIXED).severity(Severity.WARNING)
                .message(cols + " would be INSTANT on " + ctx.target() + ", but sharing the statement with clauses that "
                        + "are not (" + others.cause() + ") makes the server rebuild all of " + t + " ("
                        + p.describe() + "): every row is rewritten and replicas lag for as long.")
                .fix(fix)
                .report();
    }

    // ------------------------------------------------------------------ my.table.large-use-osc

    private void largeTable(StatementContext ctx, Stmt.AlterTable at, Prediction p) {
        TableState t = ctx.table(at.table());
        if (t == null || t.estimatedRows <= LARGE_ROWS) return; // needs row counts from a live catalog
        if (!p.rebuild() && p.algorithm() != Algorithm.COPY) return;
        long secs = Math.max(1, t.estimatedRows / MyRuleSupport.ROWS_PER_SECOND);
        boolean copy = p.algorithm() == Algorithm.COPY;
        ctx.finding(LARGE_TABLE).severity(Severity.WARNING)
                .message(at.table() + " has about " + MyRuleSupport.rows(t.estimatedRows) + " rows (live catalog) and "
                        + "this ALTER rebuilds it (" + p.describe() + "): at least ~" + secs + " s at the measured "
                        + "833k rows/s, typically much longer with secondary indexes and load"
                        + (p.lock() == Lock.NONE ? "; concurrent writes go to the online log "
                        + "(innodb_online_alter_log_max_size, 128 MiB by default), whose overflow fails the ALTER" : "")
                        + "; replicas replay the ALTER serially and lag by its whole duration.")
                .fix(MyRuleSupport.onlineCopyTools(ctx, at.table(), MyRuleSupport.alterBody(ctx)))
                .zerodownMakesSafe(copy ? MyRuleSupport.ONLINE_COPY_PLAN : null)
                .report();
    }

    // ------------------------------------------------------------------ my.version.instant-8029

    private void versionHazard(StatementContext ctx, Stmt.AlterTable at, Prediction p) {
        if (!MysqlAlterPredictor.instantColumnHazard(ctx.target()) || p.algorithm() != Algorithm.INSTANT) return;
        boolean mysql = ctx.target().engine() == Engine.MYSQL;
        List<String> what = new ArrayList<>();
        for (Clause c : p.clauses()) {
            if (c.op() == Op.ADD_COLUMN || c.op() == Op.DROP_COLUMN || !mysql && c.op() == Op.REORDER_COLUMN) {
                what.add((c.op() == Op.ADD_COLUMN ? "ADD COLUMN " : c.op() == Op.DROP_COLUMN ? "DROP COLUMN " : "moving ")
                        + c.column());
            }
        }
        if (what.isEmpty()) return;
        String list = String.join(", ", what);
        if (mysql) {
            ctx.finding(INSTANT_8029).severity(Severity.ERROR)
                    .message(list + " on " + at.table() + " runs INSTANT on MySQL 8.0.29, whose instant ADD/DROP COLUMN "
                            + "writes a redo-log format that crash recovery can misread; Percona XtraBackup refuses to "
                            + "back such tables up, and 8.0.29 was withdrawn for it.")
                    .fix("-- upgrade to 8.0.30+ first; on 8.0.29 force the in-place form (a rebuild, writes continue):\n"
                            + MyRuleSupport.LOCK_WAIT + "\n" + MyRuleSupport.withOptions(ctx, "ALGORITHM=INPLACE, LOCK=NONE")
                            + "\n-- tables already altered instantly on 8.0.29: OPTIMIZE TABLE " + ctx.q(at.table())
                            + "; before the next backup")
                    .report();
        } else {
            ctx.finding(INSTANT_8029).severity(Severity.ERROR)
                    .message(list + " on " + at.table() + " runs INSTANT on MariaDB " + ctx.target().version()
                            + ", which has known instant-ALTER corruption bugs (MDEV-20066, MDEV-20117, MDEV-19743, "
                            + "MDEV-19783, MDEV-20090, MDEV-18519; fixed in 10.4.9 and 10.6.9).")
                    .fix("-- upgrade to 10.6.9+ first; until then force a rebuild (writes continue):\n"
                            + MyRuleSupport.LOCK_WAIT + "\n" + MyRuleSupport.withOptions(ctx, "FORCE, ALGORITHM=INPLACE, LOCK=NONE"))
                    .report();
        }
    }
}
