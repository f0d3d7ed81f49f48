package io.zerodown.mysql.rules;

import io.zerodown.api.Engine;
import io.zerodown.api.RuleInfo;
import io.zerodown.api.Severity;
import io.zerodown.core.lint.Rule;
import io.zerodown.core.lint.StatementContext;
import io.zerodown.core.model.AlterAction;
import io.zerodown.core.model.ColumnDef;
import io.zerodown.core.model.Name;
import io.zerodown.core.model.Stmt;
import io.zerodown.core.model.TypeName;
import io.zerodown.core.parse.StatementParser;
import io.zerodown.core.schema.ColumnState;
import io.zerodown.core.schema.TableState;
import io.zerodown.core.sql.SqlFamily;
import io.zerodown.mysql.MysqlAlterPredictor;
import io.zerodown.mysql.MysqlAlterPredictor.Clause;
import io.zerodown.mysql.MysqlAlterPredictor.Op;
import io.zerodown.mysql.MysqlAlterPredictor.Prediction;
import io.zerodown.mysql.MysqlSession;
import io.zerodown.mysql.MysqlTypes;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static io.zerodown.mysql.rules.MyRuleSupport.info;

/** Adding columns and changing their type, members or nullability. */
public final class MysqlColumnRules implements Rule {
    public static final String EXPRESSION_DEFAULT = "my.column.add-expression-default";
    public static final String ADD_POSITION = "my.column.add-position";
    public static final String AUTO_INCREMENT = "my.column.add-auto-increment";
    public static final String STORED_GENERATED = "my.column.add-stored-generated";
    public static final String ENUM_SET = "my.column.enum-set-change";
    public static final String CHANGE_TYPE = "my.column.change-type";
    public static final String MODIFY_NOT_NULL = "my.column.modify-not-null";

    private static final List<RuleInfo> INFOS = List.of(
            info(EXPRESSION_DEFAULT, Severity.ERROR, "ADD COLUMN ... DEFAULT (expression) copies the table"),
            info(ADD_POSITION, Severity.WARNING, "ADD COLUMN ... FIRST/AFTER rebuilds the table before MySQL 8.0.29"),
            info(AUTO_INCREMENT, Severity.ERROR, "ADD COLUMN ... AUTO_INCREMENT rebuilds the table with no concurrent writes"),
            info(STORED_GENERATED, Severity.ERROR, "ADD COLUMN ... STORED generated column copies the table"),
            info(ENUM_SET, Severity.ERROR, "ENUM/SET change other than appending members with the same storage size copies the table"),
            info(CHANGE_TYPE, Severity.ERROR, "Column type change (or VARCHAR widening across 255 bytes) copies the table"),
            info(MODIFY_NOT_NULL, Severity.ERROR, "MODIFY ... NOT NULL rebuilds the table and fails on existing NULLs"));

    private final MysqlSession session;

    public MysqlColumnRules(MysqlSession session) {
        this.session = session;
    }

    @Override
    public List<RuleInfo> infos() {
        return INFOS;
    }

    @Override
    public void check(StatementContext ctx) {
        if (!(ctx.stmt() instanceof Stmt.AlterTable at) || ctx.isNew(at.table())) return;
        Prediction p = session.prediction(ctx);
        for (Clause c : p.clauses()) {
            switch (c.op()) {
                case ADD_COLUMN_EXPRESSION_DEFAULT: expressionDefault(ctx, at.table(), p, c); break;
                case ADD_COLUMN: position(ctx, at.table(), p, c); break;
                case ADD_AUTO_INCREMENT_COLUMN: autoIncrement(ctx, at.table(), c); break;
                case ADD_STORED_COLUMN: storedGenerated(ctx, at.table(), p, c); break;
                case ENUM_SET_CHANGE: enumSet(ctx, at.table(), p, c); break;
                case CHANGE_TYPE: changeType(ctx, at.table(), p, c); break;
                case SET_NOT_NULL: notNull(ctx, at.table(), c); break;
                default: break;
            }
        }
    }

    // ------------------------------------------------------------------ my.column.add-expression-default

    private void expressionDefault(StatementContext ctx, Name table, Prediction p, Clause c) {
        ColumnDef col = ((AlterAction.AddColumn) c.action()).column();
        String t = ctx.q(table);
        String q = ctx.q(col.name());
        String type = col.type() == null ? "<type>" : col.type().raw();
        String expr = col.defaultValue().text().trim();
        ColumnDef plain = new ColumnDef(col.name(), col.type(), false, null, false, false, null, null, false,
                ColumnDef.Generated.NONE, false, col.position(), col.charset());
        String addOpts = MyRuleSupport.bestOptions(ctx, session, table, new AlterAction.AddColumn(plain, false));
        String defOpts = MyRuleSupport.bestOptions(ctx, session, table, new AlterAction.SetDefault(col.name(), col.defaultValue()));
        StringBuilder fix = new StringBuilder(MyRuleSupport.LOCK_WAIT).append('\n')
                .append("ALTER TABLE ").append(t).append(" ADD COLUMN ").append(q).append(' ').append(type)
                .append(" NULL").append(col.position() != null ? " " + col.position() : "").append(", ").append(addOpts)
                .append(";  -- existing rows read NULL\n")
                .append("ALTER TABLE ").append(t).append(" ALTER COLUMN ").append(q).append(" SET DEFAULT ").append(expr)
                .append(", ").append(defOpts).append(";  -- new rows\n")
                .append(MyRuleSupport.backfill(ctx, table, col.name(), expr, true));
        if (col.notNull()) {
            fix.append("\nSET SESSION sql_mode = CONCAT(@@SESSION.sql_mode, ',STRICT_TRANS_TABLES');\n")
                    .append("ALTER TABLE ").append(t).append(" MODIFY ").append(q).append(' ').append(type)
                    .append(" NOT NULL DEFAULT ").append(expr).append(", ALGORITHM=INPLACE, LOCK=NONE;");
        }
        ctx.finding(EXPRESSION_DEFAULT).severity(c.onlineCopy() ? Severity.WARNING : Severity.ERROR)
                .message("ADD COLUMN " + col.name() + " ... DEFAULT " + expr + " on " + table + ": an expression default "
                        + "is evaluated for every existing row, so the server copies the table (" + p.describe() + "). "
                        + MyRuleSupport.copyImpact(ctx, p, table) + " Literal defaults (DEFAULT 0, DEFAULT 'x') are INSTANT.")
                .fix(fix.toString())
                .zerodownMakesSafe("it adds the column without the default, sets the default for new rows, then "
                        + "backfills existing rows in key-range batches" + (col.notNull() ? " and adds NOT NULL online" : ""))
                .report();
    }

    // ------------------------------------------------------------------ my.column.add-position

    private void position(StatementContext ctx, Name table, Prediction p, Clause c) {
        ColumnDef col = ((AlterAction.AddColumn) c.action()).column();
        if (col.position() == null || c.algorithm() == MysqlAlterPredictor.Algorithm.INSTANT) return;
        if (MysqlAlterPredictor.instantAddAnywhere(ctx.target()) || !MysqlAlterPredictor.instantAddLast(ctx.target())) return;
        if (MysqlAlterPredictor.instantBlocker(ctx.table(table)) != null) return;
        String appended = MyRuleSupport.stripOptions(ctx)
                .replaceAll("(?i)\\s+(FIRST|AFTER\\s+(`(?:[^`]|``)+`|[\\w$]+))(?=\\s*(,|$))", "");
        String opts = "ALGORITHM=INSTANT";
        Stmt parsed = new StatementParser(SqlFamily.MYSQL, ctx.target().engine() == Engine.MARIADB).parse(appended);
        if (parsed instanceof Stmt.AlterTable at2) {
            opts = MysqlAlterPredictor.predict(ctx.target(), at2, ctx.table(table), session.conditions(ctx)).clauseText();
        }
        ctx.finding(ADD_POSITION).severity(Severity.WARNING)
                .message("ADD COLUMN " + col.name() + " " + col.position() + " on " + ctx.target() + ": only a column "
                        + "appended at the end is INSTANT before MySQL 8.0.29, so this rebuilds " + table + " ("
                        + p.describe() + "); writes continue, but every row is rewritten, replicas lag for as long, "
                        + "and the exclusive metadata lock is needed at start and end.")
                .fix("-- append the column (column order rarely matters to the application):\n" + MyRuleSupport.LOCK_WAIT
                        + "\n" + appended + ", " + opts + ";")
                .report();
    }

    // ------------------------------------------------------------------ my.column.add-auto-increment

    private void autoIncrement(StatementContext ctx, Name table, Clause c) {
        ColumnDef col = ((AlterAction.AddColumn) c.action()).column();
        ctx.finding(AUTO_INCREMENT).severity(Severity.ERROR)
                .lock("ALGORITHM=INPLACE, LOCK=SHARED, table rebuild", "writes")
                .message("ADD COLUMN " + col.name() + " " + MysqlTypes.show(col.type()) + " AUTO_INCREMENT on " + table
                        + " numbers every existing row in a table rebuild that allows no concurrent writes (LOCK=SHARED"
                        + (ctx.target().engine() == Engine.MARIADB ? "; MariaDB 11.2+ online COPY excludes it too" : "")
                        + "): writes to " + table + " wait for the whole rebuild, which grows with the table ("
                        + MyRuleSupport.COPY_MEASURED + " for a plain copy).")
                .fix(MyRuleSupport.onlineCopyTools(ctx, table, MyRuleSupport.alterBody(ctx)))
                .report();
    }

    // ------------------------------------------------------------------ my.column.add-stored-generated

    private void storedGenerated(StatementContext ctx, Name table, Prediction p, Clause c) {
        ColumnDef col = ((AlterAction.AddColumn) c.action()).column();
        String virtual = MyRuleSupport.stripOptions(ctx).replaceAll("(?i)\\bSTORED\\b", "VIRTUAL")
                .replaceAll("(?i)\\bPERSISTENT\\b", "VIRTUAL");
        String idx = ctx.q(cut(table.name() + "_" + col.name() + "_idx"));
        ctx.finding(STORED_GENERATED).severity(c.onlineCopy() ? Severity.WARNING : Severity.ERROR)
                .message("ADD COLUMN " + col.name() + " ... STORED on " + table + " computes and writes the value into "
                        + "every existing row, so the server copies the table (" + p.describe() + "). "
                        + MyRuleSupport.copyImpact(ctx, p, table))
                .fix("-- a VIRTUAL generated column stores nothing and is INSTANT; index it online if it must be searchable:\n"
                        + MyRuleSupport.LOCK_WAIT + "\n" + virtual + ", ALGORITHM=INSTANT;\n"
                        + "ALTER TABLE " + ctx.q(table) + " ADD INDEX " + idx + " (" + ctx.q(col.name())
                        + "), ALGORITHM=INPLACE, LOCK=NONE;  -- only if needed\n"
                        + "-- if it must be STORED:\n" + MyRuleSupport.onlineCopyTools(ctx, table, MyRuleSupport.alterBody(ctx)))
                .zerodownMakesSafe(MyRuleSupport.ONLINE_COPY_PLAN)
                .report();
    }

    // ------------------------------------------------------------------ my.column.enum-set-change

    private void enumSet(StatementContext ctx, Name table, Prediction p, Clause c) {
        AlterAction.ModifyColumn mc = (AlterAction.ModifyColumn) c.action();
        ColumnDef def = mc.column();
        TableState ts = ctx.table(table);
        ColumnState old = ts == null ? null : ts.column(mc.oldName());
        StringBuilder fix = new StringBuilder();
        if (old != null && old.type != null) {
            List<String> om = MysqlTypes.members(old.type);
            List<String> nm = MysqlTypes.members(def.type());
            List<String> removed = om.stream().filter(m -> !nm.contains(m)).toList();
            List<String> merged = new ArrayList<>(om);
            for (String m : nm) {
                if (!merged.contains(m)) merged.add(m);
            }
            if (!removed.isEmpty()) {
                fix.append("-- move rows off ").append(quoted(removed)).append(" first (and stop writing them), in batches:\n")
                        .append(MyRuleSupport.backfill(ctx, table, def.name(), "<replacement>", false)
                                .replace(";", " AND " + ctx.q(def.name()) + " IN (" + quoted(removed) + ");"))
                        .append('\n');
            }
            if (merged.size() > om.size() && MysqlTypes.enumSetStorage(old.type, merged.size())
                    == MysqlTypes.enumSetStorage(old.type, om.size())) {
                fix.append("-- new members appended at the end keep the change INSTANT:\n").append(MyRuleSupport.LOCK_WAIT)
                        .append('\n').append("ALTER TABLE ").append(ctx.q(table)).append(" MODIFY ")
                        .append(ctx.q(def.name())).append(' ').append(def.type().base().toUpperCase(Locale.ROOT))
                        .append('(').append(quoted(merged)).append(')').append(columnTail(def))
                        .append(", ALGORITHM=INSTANT;\n");
            }
        }
        if (fix.length() > 0) fix.append("-- removing or reordering members needs a copy; do that part online:\n");
        fix.append(MyRuleSupport.onlineCopyTools(ctx, table, MyRuleSupport.alterBody(ctx)));
        ctx.finding(ENUM_SET).severity(MyRuleSupport.copySeverity(p, c.certain()))
                .message(c.reason() + " → " + p.describe() + " on " + table + ". " + MyRuleSupport.copyImpact(ctx, p, table))
                .fix(fix.toString())
                .zerodownMakesSafe(c.certain() ? MyRuleSupport.ONLINE_COPY_PLAN : null)
                .report();
    }

    private static String columnTail(ColumnDef def) {
        StringBuilder b = new StringBuilder();
        if (def.notNull()) b.append(" NOT NULL");
        if (def.defaultValue() != null) b.append(" DEFAULT ").append(def.defaultValue().text().trim());
        return b.toString();
    }

    private static String quoted(List<String> members) {
        List<String> q = new ArrayList<>();
        for (String m : members) q.add("'" + m.replace("'", "''") + "'");
        return String.join(", ", q);
    }

    // ------------------------------------------------------------------ my.column.change-type

    private void changeType(StatementContext ctx, Name table, Prediction p, Clause c) {
        AlterAction.ModifyColumn mc = c.action() instanceof AlterAction.ModifyColumn m ? m : null;
        if (mc == null) return;
        ColumnDef def = mc.column();
        TypeName nt = def.type();
        if (!c.certain() && nt != null && nt.is("enum", "set")) {
            unknownEnum(ctx, table, p, c, def);
            return;
        }
        String newDef = (nt == null ? "<type>" : nt.raw()) + (def.charset() != null ? " CHARACTER SET " + def.charset() : "");
        String body = MyRuleSupport.alterBody(ctx);
        if (!c.certain()) {
            ctx.finding(CHANGE_TYPE).severity(Severity.WARNING)
                    .message("zerodown does not know the current definition of " + table + "." + mc.oldName()
                            + " (the table was not created by these migrations), so it assumes the worst: a type change "
                            + "(anything but a VARCHAR widening that keeps its length prefix) copies the table. "
                            + MyRuleSupport.copyImpact(ctx, p, table) + (def.notNull() ? " If the MODIFY also makes "
                            + def.name() + " NOT NULL, backfill its NULLs first." : ""))
                    .fix("-- say what you expect: the server refuses (error 1846) instead of silently copying\n"
                            + MyRuleSupport.LOCK_WAIT + "\n" + MyRuleSupport.withOptions(ctx, "ALGORITHM=INPLACE, LOCK=NONE")
                            + "\n-- on error 1846 the change needs a copy: expand/contract, or an online table copy\n"
                            + MyRuleSupport.onlineCopyTools(ctx, table, body))
                    .zerodownMakesSafe("it runs the statement with ALGORITHM=INPLACE, LOCK=NONE under a 2 s "
                            + "lock_wait_timeout, and on error 1846 switches to an online table copy")
                    .report();
            return;
        }
        StringBuilder fix = new StringBuilder();
        TableState ts = ctx.table(table);
        ColumnState old = ts == null ? null : ts.column(mc.oldName());
        if (old != null && old.type != null && nt != null && MysqlTypes.isVarLength(old.type) && old.type.base().equals(nt.base())
                && MysqlTypes.length(nt) != null && MysqlTypes.length(old.type) != null
                && MysqlTypes.length(nt) > MysqlTypes.length(old.type)) {
            String cs = MysqlTypes.effectiveCharset(nt, def.charset(), ts);
            int bpc = nt.is("varbinary") ? 1 : MysqlTypes.bytesPerChar(cs);
            int oldBytes = MysqlTypes.length(old.type) * bpc;
            if (oldBytes <= 255 && 255 / bpc > MysqlTypes.length(old.type)) {
                fix.append("-- if ").append(255 / bpc).append(" characters are enough, stay within the 1-byte length ")
                        .append("prefix (no copy):\n").append(MyRuleSupport.LOCK_WAIT).append('\n')
                        .append("ALTER TABLE ").append(ctx.q(table)).append(" MODIFY ").append(ctx.q(def.name()))
                        .append(' ').append(nt.base().toUpperCase(Locale.ROOT)).append('(').append(255 / bpc).append(')')
                        .append(def.charset() != null ? " CHARACTER SET " + def.charset() : "").append(columnTail(def))
                        .append(", ").append(ctx.target().engine() == Engine.MYSQL ? "ALGORITHM=INPLACE, LOCK=NONE"
                                : "ALGORITHM=INSTANT").append(";\n-- otherwise:\n");
            }
        }
        fix.append(MyRuleSupport.expandContract(ctx, session, table, mc.oldName(), newDef)).append('\n')
                .append(MyRuleSupport.onlineCopyTools(ctx, table, body));
        ctx.finding(CHANGE_TYPE).severity(MyRuleSupport.copySeverity(p, true))
                .message(c.reason() + " → " + p.describe() + " on " + table + ". " + MyRuleSupport.copyImpact(ctx, p, table))
                .fix(fix.toString())
                .zerodownMakesSafe(MyRuleSupport.ONLINE_COPY_PLAN)
                .report();
    }

    private void unknownEnum(StatementContext ctx, Name table, Prediction p, Clause c, ColumnDef def) {
        ctx.finding(ENUM_SET).severity(Severity.WARNING)
                .message("zerodown does not know the current members of " + table + "." + def.name() + " (the table was "
                        + "not created by these migrations): appending members at the end with the same storage size is "
                        + "INSTANT, anything else copies the table with writes blocked (" + MyRuleSupport.COPY_MEASURED + ").")
                .fix("-- say what you expect: the server refuses (error 1846) instead of silently copying\n"
                        + MyRuleSupport.LOCK_WAIT + "\n" + MyRuleSupport.withOptions(ctx, "ALGORITHM=INSTANT"))
                .zerodownMakesSafe("it runs the statement with ALGORITHM=INSTANT under a 2 s lock_wait_timeout, and on "
                        + "error 1846 switches to an online table copy")
                .report();
    }

    // ------------------------------------------------------------------ my.column.modify-not-null

    private void notNull(StatementContext ctx, Name table, Clause c) {
        AlterAction.ModifyColumn mc = (AlterAction.ModifyColumn) c.action();
        ColumnDef def = mc.column();
        String col = def.name();
        String value = def.defaultValue() != null && !def.defaultValue().isNullLiteral() ? def.defaultValue().text().trim() : null;
        String opts = MyRuleSupport.bestOptions(ctx, session, table, mc);
        String t = ctx.q(table);
        String fix = "-- 1. deploy code that never writes NULL into " + col + ", then fill the existing NULLs:\n"
                + MyRuleSupport.backfill(ctx, table, mc.oldName(), value != null ? value : "<value>", true) + "\n"
                + "SELECT COUNT(*) FROM " + t + " WHERE " + ctx.q(mc.oldName()) + " IS NULL;  -- must be 0\n"
                + "-- 2. strict sql_mode, so a late NULL fails instead of silently becoming 0/'':\n"
                + "SET SESSION sql_mode = CONCAT(@@SESSION.sql_mode, ',STRICT_TRANS_TABLES');\n"
                + MyRuleSupport.LOCK_WAIT + "\n"
                + MyRuleSupport.withOptions(ctx, opts);
        ctx.finding(MODIFY_NOT_NULL).severity(Severity.ERROR)
                .message("MODIFY " + col + " ... NOT NULL on " + table + ": " + col + " is nullable today, so the server "
                        + "rebuilds " + table + " (" + c.describe() + ") and, under strict sql_mode, fails with error "
                        + "1138/1265 if any row holds NULL; without strict mode it silently turns the NULLs into 0/''. "
                        + "Running code that still writes NULL fails afterwards.")
                .fix(fix)
                .zerodownMakesSafe(value == null ? null : "it backfills the NULLs with the DEFAULT " + value
                        + " in key-range batches, then runs the MODIFY with " + opts + " under strict sql_mode and a "
                        + "2 s lock_wait_timeout with retries")
                .report();
    }

    private static String cut(String name) {
        return name.length() > 64 ? name.substring(0, 64) : name;
    }
}
