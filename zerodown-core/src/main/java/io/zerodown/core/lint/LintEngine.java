package io.zerodown.core.lint;

import io.zerodown.api.Engine;
import io.zerodown.api.Finding;
import io.zerodown.api.LintReport;
import io.zerodown.api.RuleInfo;
import io.zerodown.api.Runner;
import io.zerodown.api.Severity;
import io.zerodown.api.Target;
import io.zerodown.api.UnreadableInputException;
import io.zerodown.core.config.ZerodownConfig;
import io.zerodown.core.dialect.Dialect;
import io.zerodown.core.lint.rules.CompatibilityRules;
import io.zerodown.core.model.AlterAction;
import io.zerodown.core.model.ConstraintDef;
import io.zerodown.core.model.Stmt;
import io.zerodown.core.parse.StatementParser;
import io.zerodown.core.schema.SchemaModel;
import io.zerodown.core.schema.TableState;
import io.zerodown.core.source.MigrationFile;
import io.zerodown.core.source.MigrationUnit;
import io.zerodown.core.sql.SqlFamily;
import io.zerodown.core.sql.SqlText;
import io.zerodown.core.sql.StatementSplitter;
import io.zerodown.core.sql.UnterminatedSqlException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Judges migrations in order: splits each unit, parses each statement, runs the rules with the schema and
 * transaction context built from everything before it, then replays the statement into the schema model.
 */
public final class LintEngine {
    /** The lock_timeout zerodown apply uses for every lock-taking step unless configured otherwise. */
    public static final long ZERODOWN_LOCK_TIMEOUT_MS = 100;

    private final Target target;
    private final Runner runner;
    private final ZerodownConfig config;
    private final Dialect dialect;
    private final List<Rule> rules = new ArrayList<>();
    private final Map<String, RuleInfo> catalogue = new LinkedHashMap<>();
    private final StatementSplitter splitter = StatementSplitter.standard();
    private final StatementParser parser;
    private final SchemaModel schema;
    private StatementObserver observer;

    public LintEngine(Target target, Runner runner, ZerodownConfig config) {
        this.target = target;
        this.runner = runner;
        this.config = config;
        this.dialect = Dialect.forEngine(target.engine());
        rules.addAll(dialect.rules());
        rules.add(new CompatibilityRules());
        for (RuleInfo info : CoreRules.INFOS) catalogue.put(info.id(), info);
        for (Rule r : rules) {
            for (RuleInfo info : r.infos()) {
                if (info.engines().contains(target.engine())) catalogue.put(info.id(), info);
            }
        }
        this.parser = new StatementParser(dialect.sqlFamily(), target.engine() == Engine.MARIADB);
        this.schema = new SchemaModel(target.engine() == Engine.POSTGRES);
    }

    /** Every rule id this engine can report for its target, in catalogue order. */
    public Map<String, RuleInfo> catalogue() {
        return catalogue;
    }

    public SchemaModel schema() {
        return schema;
    }

    /** Adds a table known from a live database before any file is replayed. */
    public void addLiveTable(TableState t) {
        schema.addLiveTable(t);
    }

    public LintReport lint(List<MigrationFile> files) {
        return lint(files, null);
    }

    /** Lints and reports every statement with its predicted locks to {@code observer} (may be null). */
    public LintReport lint(List<MigrationFile> files, StatementObserver observer) {
        this.observer = observer;
        List<Finding> findings = new ArrayList<>();
        int[] counters = new int[3]; // statements, not analysed, suppressed
        for (MigrationFile file : files) {
            for (MigrationUnit unit : file.units()) {
                lintUnit(unit, findings, counters);
            }
        }
        List<RuleInfo> used = new ArrayList<>();
        for (Finding f : findings) {
            RuleInfo info = catalogue.get(f.rule());
            if (info != null && !used.contains(info)) used.add(info);
        }
        return new LintReport(target, runner, files.size(), counters[0], counters[1], counters[2], findings, used);
    }

    private void lintUnit(MigrationUnit unit, List<Finding> out, int[] counters) {
        List<SqlText> texts;
        try {
            texts = splitter.split(unit.text(), dialect.sqlFamily());
        } catch (UnterminatedSqlException e) {
            throw new UnreadableInputException(unit.file(), unit.firstLine() - 1 + e.line(), e.getMessage()
                    .replaceFirst("starting at line \\d+, column", "starting at column")
                    + ": close it, or check for a stray quote earlier in the file");
        }
        List<Stmt> stmts = new ArrayList<>(texts.size());
        for (SqlText t : texts) stmts.add(parser.parse(t.sql()));

        TxState tx = new TxState();
        tx.runnerWrapped = runnerWraps(unit, texts);
        for (SqlText t : texts) {
            if (!dialect.flywayDetectsNonTransactional(t.sql(), target)) tx.unitHasTransactional = true;
        }
        if (runner == Runner.ZERODOWN) tx.sessionLockTimeoutMs = ZERODOWN_LOCK_TIMEOUT_MS;
        SqlText openBegin = null;

        for (int i = 0; i < texts.size(); i++) {
            SqlText raw = texts.get(i);
            SqlText text = new SqlText(raw.sql(), unit.firstLine() - 1 + raw.line(), raw.column(), raw.offset(),
                    raw.leadingComments());
            Stmt stmt = stmts.get(i);
            counters[0]++;
            StatementContext ctx = new StatementContext(target, runner, config, dialect, unit, text, stmt, schema, tx,
                    stmts.subList(i + 1, stmts.size()));
            ctx.locks(dialect.locks(ctx));
            if (observer != null) observer.statement(unit, text, stmt, ctx.locks());

            if (stmt instanceof Stmt.Unparsed u) {
                counters[1]++;
                ctx.finding(CoreRules.NOT_ANALYSED).severity(Severity.INFO)
                        .message("Not analysed: " + u.reason() + ". zerodown could not parse this statement, so it "
                                + "cannot tell which lock it takes; review it by hand.")
                        .report();
            } else if (stmt instanceof Stmt.Opaque o) {
                counters[1]++;
                ctx.finding(CoreRules.NOT_ANALYSED).severity(Severity.INFO)
                        .message("Not analysed: " + o.reason() + "; zerodown cannot tell which locks it takes. Review the "
                                + "statements it runs by hand (zerodown apply runs it as written under lock_timeout).")
                        .report();
            } else if (stmt instanceof Stmt.AlterTable at) {
                for (AlterAction a : at.actions()) {
                    if (a instanceof AlterAction.Unknown unknown) {
                        ctx.finding(CoreRules.NOT_ANALYSED).severity(Severity.INFO)
                                .message("Clause not analysed: '" + abbreviate(unknown.text()) + "'. zerodown assumes it "
                                        + "takes the strongest lock; review it by hand.")
                                .report();
                    }
                }
            }
            if (stmt instanceof Stmt.Transaction t) {
                if (t.kind() == Stmt.Transaction.Kind.BEGIN) openBegin = text;
                else if (t.kind() != Stmt.Transaction.Kind.SAVEPOINT) openBegin = null;
            }
            for (Rule rule : rules) rule.check(ctx);
            finish(ctx, text, out, counters);

            schema.apply(stmt, unit.id());
            updateTx(tx, stmt, ctx);
        }
        if (tx.explicitOpen && openBegin != null) {
            StatementContext ctx = new StatementContext(target, runner, config, dialect, unit, new SqlText(openBegin.sql(),
                    unit.firstLine() - 1 + openBegin.line(), openBegin.column(), openBegin.offset(), List.of()),
                    new Stmt.Transaction(Stmt.Transaction.Kind.BEGIN), schema, tx, List.of());
            CompatibilityRules.reportNeverCommitted(ctx);
            finish(ctx, null, out, counters);
        }
    }

    private boolean runnerWraps(MigrationUnit unit, List<SqlText> texts) {
        if (target.engine().isMysqlFamily()) return false; // MySQL DDL commits implicitly: no runner can wrap it
        if (Boolean.FALSE.equals(unit.runInTransaction())) return false;
        switch (runner) {
            case FLYWAY:
                for (SqlText t : texts) {
                    if (dialect.flywayDetectsNonTransactional(t.sql(), target)) return false;
                }
                return true;
            case LIQUIBASE:
                return true;
            default:
                return false;
        }
    }

    /** Applies the zerodown-runner downgrade, directives, config, then records the findings. */
    private void finish(StatementContext ctx, SqlText text, List<Finding> out, int[] counters) {
        List<Directive> directives = text == null ? List.of() : Directive.parse(text.leadingComments());
        for (Directive d : directives) {
            if (d.rules().isEmpty() || d.reason().isBlank()) {
                ctx.finding(CoreRules.BAD_DIRECTIVE).severity(Severity.WARNING).lock(null, null)
                        .effect(io.zerodown.api.Effect.NONE)
                        .message("zerodown:ignore needs a rule id and a reason, e.g. "
                                + "'-- zerodown:ignore pg.index.create-nonconcurrent table has 40 rows'; it is not applied.")
                        .report();
            } else {
                for (String r : d.rules()) {
                    if (!r.endsWith("*") && !catalogue.containsKey(r)) {
                        ctx.finding(CoreRules.BAD_DIRECTIVE).severity(Severity.WARNING).lock(null, null)
                                .effect(io.zerodown.api.Effect.NONE)
                                .message("zerodown:ignore names unknown rule '" + r + "' for " + target
                                        + "; see 'zerodown rules' for the ids.")
                                .report();
                    }
                }
            }
        }
        for (StatementContext.Pending p : ctx.pending) {
            Finding f = p.finding();
            if (runner == Runner.ZERODOWN && p.zerodownPlan() != null && f.severity() != Severity.INFO) {
                f = f.withSeverity(Severity.INFO, "zerodown apply makes this safe: " + p.zerodownPlan() + ". "
                        + f.message(), f.fix());
            }
            String rule = f.rule();
            boolean ignored = false;
            for (Directive d : directives) {
                if (!d.reason().isBlank() && d.covers(rule)) ignored = true;
            }
            if (ignored || config.disabledRules().contains(rule)) {
                counters[2]++;
                continue;
            }
            Severity override = config.severityOverrides().get(rule);
            if (override != null) f = f.withSeverity(override, f.message(), f.fix());
            out.add(f);
        }
        ctx.pending.clear();
    }

    private void updateTx(TxState tx, Stmt stmt, StatementContext ctx) {
        if (stmt instanceof Stmt.Transaction t) {
            switch (t.kind()) {
                case BEGIN:
                    tx.explicitOpen = true;
                    break;
                case COMMIT:
                case ROLLBACK:
                    tx.endTransaction();
                    break;
                default:
                    break;
            }
            return;
        }
        if (stmt instanceof Stmt.SetVariable sv) {
            String name = sv.name();
            if (name.equals("lock_timeout") || name.equals("lock_wait_timeout")) {
                Long ms = parseDurationMs(sv.value(), name.equals("lock_wait_timeout") ? 1000 : 1);
                if (sv.local() && tx.inTransaction()) tx.localLockTimeoutMs = ms;
                else tx.sessionLockTimeoutMs = ms;
            } else if (name.equals("timezone")) {
                String v = sv.value().trim().toLowerCase(Locale.ROOT);
                tx.timeZoneUtc = v.equals("utc") || v.equals("etc/utc") || v.equals("gmt") || v.equals("z") || v.equals("+00")
                        || v.equals("0") || v.equals("zulu");
            } else if (name.equals("statement_timeout") || name.equals("max_statement_time")
                    || name.equals("max_execution_time")) {
                Long ms = parseDurationMs(sv.value(), 1);
                boolean set = ms == null || ms > 0;
                if (sv.local() && tx.inTransaction()) tx.localStatementTimeout = set;
                else tx.sessionStatementTimeout = set;
            }
            return;
        }
        if (stmt instanceof Stmt.ResetVariable rv) {
            if (rv.name().equals("lock_timeout") || rv.name().equals("all")) tx.sessionLockTimeoutMs = null;
            if (rv.name().equals("statement_timeout") || rv.name().equals("all")) tx.sessionStatementTimeout = false;
            return;
        }
        if (tx.inTransaction() && ctx.locks().isAccessExclusive()) {
            for (var t : ctx.locks().tables()) {
                if (!ctx.isNew(t)) tx.accessExclusiveHeld.add(t);
            }
        }
        if (stmt instanceof Stmt.AlterTable at) {
            for (AlterAction a : at.actions()) {
                if (a instanceof AlterAction.AddConstraint ac) {
                    ConstraintDef cd = ac.constraint();
                    TableState t = schema.table(at.table());
                    tx.constraintsAdded.add(cd.name() != null ? cd.name()
                            : t != null ? schema.defaultConstraintName(t, cd) : "");
                }
            }
        }
    }

    /**
     * Reads 100, '100ms', '2s', '1min', '1h'. A bare number is in {@code bareUnitMs} (1 for PostgreSQL
     * milliseconds, 1000 for MySQL seconds). Returns null for DEFAULT or unreadable values.
     */
    public static Long parseDurationMs(String value, long bareUnitMs) {
        String v = value.trim().toLowerCase(Locale.ROOT).replace("'", "").replace("\"", "");
        if (v.isEmpty() || v.equals("default")) return null;
        try {
            int i = 0;
            while (i < v.length() && (Character.isDigit(v.charAt(i)) || v.charAt(i) == '.')) i++;
            double n = Double.parseDouble(v.substring(0, i));
            String unit = v.substring(i).trim();
            double factor;
            switch (unit) {
                case "": factor = bareUnitMs; break;
                case "us": factor = 0.001; break;
                case "ms": factor = 1; break;
                case "s": case "sec": factor = 1000; break;
                case "min": factor = 60_000; break;
                case "h": factor = 3_600_000; break;
                case "d": factor = 86_400_000; break;
                default: return null;
            }
            return Math.round(n * factor);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static String abbreviate(String s) {
        String one = s.replaceAll("\\s+", " ").trim();
        return one.length() > 80 ? one.substring(0, 77) + "..." : one;
    }

    public SqlFamily family() {
        return dialect.sqlFamily();
    }
}
