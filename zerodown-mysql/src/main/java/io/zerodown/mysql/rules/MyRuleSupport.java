package io.zerodown.mysql.rules;

import io.zerodown.api.Engine;
import io.zerodown.api.RuleInfo;
import io.zerodown.api.Severity;
import io.zerodown.core.lint.StatementContext;
import io.zerodown.core.model.AlterAction;
import io.zerodown.core.model.ConstraintDef;
import io.zerodown.core.model.Name;
import io.zerodown.core.model.Stmt;
import io.zerodown.core.parse.StatementParser;
import io.zerodown.core.schema.ConstraintState;
import io.zerodown.core.schema.TableState;
import io.zerodown.core.sql.SqlFamily;
import io.zerodown.mysql.MysqlAlterPredictor;
import io.zerodown.mysql.MysqlAlterPredictor.Prediction;
import io.zerodown.mysql.MysqlSession;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Helpers shared by the MySQL rules: rule metadata, the recurring fix SQL, and measured numbers for messages. */
final class MyRuleSupport {

    static final String COPY_MEASURED = "measured on MariaDB 10.11: 2.4 s for 2M rows (≈833k rows/s) with every "
            + "write blocked";
    static final String MDL_MEASURED = "measured: one transaction holding the table 10 s stalled every app query "
            + "10 s; with lock_wait_timeout=1 and retries no query waited more than 1 s";
    static final String LOCK_WAIT = "SET SESSION lock_wait_timeout = 2;  -- fail fast (error 1205) instead of "
            + "queueing every query; retry with backoff";
    static final String ONLINE_COPY_PLAN = "it runs this COPY-class change as an online table copy: a shadow table "
            + "with the new definition, rows copied in key-range batches while concurrent writes are carried over, "
            + "then an atomic RENAME swap under a 2 s lock_wait_timeout with retries";
    static final int ROWS_PER_SECOND = 833_000;

    private static final Pattern ALTER_HEAD = Pattern.compile(
            "(?is)^\\s*ALTER\\s+(?:ONLINE\\s+)?(?:IGNORE\\s+)?TABLE\\s+(?:IF\\s+EXISTS\\s+)?"
                    + "((?:`(?:[^`]|``)+`|[\\w$]+)(?:\\s*\\.\\s*(?:`(?:[^`]|``)+`|[\\w$]+))?)\\s*"
                    + "(?:WAIT\\s+\\d+(?:\\.\\d+)?\\s+|NOWAIT\\s+)?(.*)$");
    private static final Pattern OPTION_AFTER = Pattern.compile("(?i),\\s*\\b(ALGORITHM|LOCK)\\b\\s*=?\\s*\\w+");
    private static final Pattern OPTION_BEFORE = Pattern.compile("(?i)\\b(ALGORITHM|LOCK)\\b\\s*=?\\s*\\w+\\s*,\\s*");
    private static final Pattern OPTION_SPACE = Pattern.compile("(?i)\\s+\\b(ALGORITHM|LOCK)\\b\\s*=?\\s*\\w+");

    private MyRuleSupport() {
    }

    static RuleInfo info(String id, Severity s, String title) {
        return new RuleInfo(id, s, title, EnumSet.of(Engine.MYSQL, Engine.MARIADB));
    }

    /** ERROR for a COPY that blocks writes; WARNING for MariaDB's online COPY or a COPY assumed for an unknown table. */
    static Severity copySeverity(Prediction p, boolean certain) {
        return p.onlineCopy() || !certain ? Severity.WARNING : Severity.ERROR;
    }

    /** What a COPY does to the app, with the measured numbers. */
    static String copyImpact(StatementContext ctx, Prediction p, Name table) {
        if (p.onlineCopy()) {
            return ctx.target() + " runs it as an online COPY (LOCK=NONE): writes continue through a change buffer "
                    + "in tmpdir, but the copy still takes time and disk (the whole table again, plus the buffered "
                    + "changes), ends with a brief exclusive lock, and replicas lag for its whole duration.";
        }
        return "Writes to " + table + " are blocked for the whole copy, which grows with the table (" + COPY_MEASURED
                + "), and replicas replay it serially, lagging as long.";
    }

    static String pk(TableState t) {
        if (t != null) {
            for (ConstraintState c : t.constraints.values()) {
                if (c.kind == ConstraintDef.Kind.PRIMARY_KEY && c.columns.size() == 1) return c.columns.get(0);
            }
        }
        return "id";
    }

    /** The statement text without a trailing semicolon and without its ALGORITHM=/LOCK= options. */
    static String stripOptions(StatementContext ctx) {
        String s = ctx.sql().trim();
        while (s.endsWith(";")) s = s.substring(0, s.length() - 1).trim();
        if (ctx.stmt() instanceof Stmt.AlterTable) {
            s = OPTION_AFTER.matcher(s).replaceAll("");
            s = OPTION_BEFORE.matcher(s).replaceAll("");
        } else {
            s = OPTION_SPACE.matcher(s).replaceAll("");
        }
        return s.trim();
    }

    /** The statement with the given options instead of its own, e.g. {@code ..., ALGORITHM=INPLACE, LOCK=NONE;}. */
    static String withOptions(StatementContext ctx, String options) {
        String s = stripOptions(ctx);
        if (ctx.stmt() instanceof Stmt.AlterTable) return s + ", " + options + ";";
        return s + " " + options.replace(",", "") + ";";
    }

    /** The clauses of the ALTER as text (options removed), for --alter of the online-copy tools. */
    static String alterBody(StatementContext ctx) {
        Stmt st = ctx.stmt();
        if (st instanceof Stmt.IndexDef idx) {
            String kind = idx.kind() != null ? idx.kind() + " " : idx.unique() ? "UNIQUE " : "";
            return "ADD " + kind + "INDEX " + (idx.name() != null ? ctx.q(idx.name()) + " " : "") + "("
                    + String.join(", ", idx.columns()) + ")";
        }
        if (st instanceof Stmt.DropIndex di) {
            List<String> parts = new ArrayList<>();
            for (Name n : di.names()) parts.add("DROP INDEX " + ctx.q(n.name()));
            return String.join(", ", parts);
        }
        Matcher m = ALTER_HEAD.matcher(stripOptions(ctx));
        return m.matches() ? m.group(2).trim() : stripOptions(ctx);
    }

    /** A clause of the ALTER as written, with what it parses to. */
    record ClauseText(String text, List<AlterAction> actions) {
    }

    /** The ALTER's top-level clauses as written (ALGORITHM=/LOCK= left out), each parsed on its own. */
    static List<ClauseText> clauseTexts(StatementContext ctx, Name table) {
        List<ClauseText> out = new ArrayList<>();
        if (!(ctx.stmt() instanceof Stmt.AlterTable)) return out;
        StatementParser parser = new StatementParser(SqlFamily.MYSQL, ctx.target().engine() == Engine.MARIADB);
        for (String part : splitTopLevel(alterBody(ctx))) {
            String text = part.trim();
            if (text.isEmpty()) continue;
            Stmt parsed = parser.parse("ALTER TABLE " + ctx.q(table) + " " + text);
            List<AlterAction> actions = parsed instanceof Stmt.AlterTable at ? at.actions() : List.of();
            out.add(new ClauseText(text, actions));
        }
        return out;
    }

    /** Splits at commas outside parentheses, quotes and backticks. */
    static List<String> splitTopLevel(String s) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        char quote = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (quote != 0) {
                if (ch == '\\' && quote != '`') i++;
                else if (ch == quote) quote = 0;
            } else if (ch == '\'' || ch == '"' || ch == '`') {
                quote = ch;
            } else if (ch == '(') {
                depth++;
            } else if (ch == ')') {
                depth--;
            } else if (ch == ',' && depth == 0) {
                out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        out.add(s.substring(start));
        return out;
    }

    /** The online-copy tools' command lines for this change, with the real table name. */
    static String onlineCopyTools(StatementContext ctx, Name table, String alterText) {
        String alter = alterText.replace("\\", "\\\\").replace("\"", "\\\"");
        TableState t = ctx.table(table);
        boolean fks = t != null && t.constraints.values().stream().anyMatch(c -> c.kind == ConstraintDef.Kind.FOREIGN_KEY);
        String db = table.schema() != null ? table.schema() : "<database>";
        return "-- copy the table online instead: the change is applied to an empty shadow copy, rows are copied in\n"
                + "-- key-range chunks while triggers (pt-osc) or the binlog (gh-ost) carry concurrent writes, then an\n"
                + "-- atomic RENAME swaps the tables:\n"
                + "pt-online-schema-change --alter \"" + alter + "\" D=" + db + ",t=" + table.name() + " --execute\n"
                + "gh-ost --database=" + db + " --table=" + table.name() + " --alter=\"" + alter + "\" --execute"
                + (fks ? "  # gh-ost refuses tables with foreign keys" : "");
    }

    /** One key-range batch of a backfill, MySQL style (no RETURNING). */
    static String backfill(StatementContext ctx, Name table, String column, String value, boolean onlyNulls) {
        String k = ctx.q(pk(ctx.table(table)));
        return "-- repeat for consecutive key ranges, each in its own short transaction, until :last_id passes MAX("
                + pk(ctx.table(table)) + "):\n"
                + "UPDATE " + ctx.q(table) + " SET " + ctx.q(column) + " = " + value + " WHERE " + k + " > :last_id AND "
                + k + " <= :last_id + 5000" + (onlyNulls ? " AND " + ctx.q(column) + " IS NULL" : "") + ";";
    }

    /** The options that run {@code clause} on this table best, e.g. "ALGORITHM=INSTANT" or "ALGORITHM=INPLACE, LOCK=NONE". */
    static String bestOptions(StatementContext ctx, MysqlSession session, Name table, AlterAction clause) {
        Prediction p = MysqlAlterPredictor.predict(ctx.target(), new Stmt.AlterTable(table, false, false, List.of(clause)),
                ctx.table(table), session.conditions(ctx));
        return p.clauseText();
    }

    /**
     * Expand/contract for a column whose type must change: a new column kept in step by triggers, a batched
     * backfill, a verified swap under LOCK TABLES, and the old column dropped later.
     */
    static String expandContract(StatementContext ctx, MysqlSession session, Name table, String column, String newDef) {
        String t = ctx.q(table);
        String c = ctx.q(column);
        String tmpName = column + "_new";
        String oldName = column + "_old";
        String tmp = ctx.q(tmpName);
        String old = ctx.q(oldName);
        String ins = ctx.q(cut(table.name() + "_" + column + "_sync_ins"));
        String upd = ctx.q(cut(table.name() + "_" + column + "_sync_upd"));
        io.zerodown.core.model.ColumnDef tmpCol = new io.zerodown.core.model.ColumnDef(tmpName, null, false, null, false,
                false, null, null, false, io.zerodown.core.model.ColumnDef.Generated.NONE, false, null, null);
        String addOpts = bestOptions(ctx, session, table, new AlterAction.AddColumn(tmpCol, false));
        String renameOpts = bestOptions(ctx, session, table, new AlterAction.RenameColumn(column, oldName));
        String dropOpts = bestOptions(ctx, session, table, new AlterAction.DropColumn(oldName, false, false));
        return "-- expand: a new column kept in step by triggers, filled in key-range batches\n"
                + LOCK_WAIT + "\n"
                + "ALTER TABLE " + t + " ADD COLUMN " + tmp + " " + newDef + " NULL, " + addOpts + ";\n"
                + "CREATE TRIGGER " + ins + " BEFORE INSERT ON " + t + " FOR EACH ROW SET NEW." + tmp + " = NEW." + c + ";\n"
                + "CREATE TRIGGER " + upd + " BEFORE UPDATE ON " + t + " FOR EACH ROW SET NEW." + tmp + " = NEW." + c + ";\n"
                + backfill(ctx, table, tmpName, c, false) + "\n"
                + "SELECT COUNT(*) FROM " + t + " WHERE NOT (" + tmp + " <=> " + c + ");  -- must be 0 before the swap\n"
                + "-- swap in one short locked step (the triggers go first, so none refers to a renamed column):\n"
                + "LOCK TABLES " + t + " WRITE;\n"
                + "DROP TRIGGER " + ins + ";\n"
                + "DROP TRIGGER " + upd + ";\n"
                + "ALTER TABLE " + t + " RENAME COLUMN " + c + " TO " + old + ", RENAME COLUMN " + tmp + " TO " + c + ", "
                + renameOpts + ";\n"
                + "UNLOCK TABLES;\n"
                + "-- contract, once no code reads " + oldName + ":\n"
                + "ALTER TABLE " + t + " DROP COLUMN " + old + ", " + dropOpts + ";";
    }

    private static String cut(String name) {
        return name.length() > 64 ? name.substring(0, 64) : name;
    }

    static String rows(long n) {
        return String.format(java.util.Locale.ROOT, "%,d", n);
    }
}
