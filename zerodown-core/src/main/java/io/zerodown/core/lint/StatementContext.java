package io.zerodown.core.lint;

import io.zerodown.api.Effect;
import io.zerodown.api.Finding;
import io.zerodown.api.Runner;
import io.zerodown.api.Severity;
import io.zerodown.api.Target;
import io.zerodown.core.config.ZerodownConfig;
import io.zerodown.core.dialect.Dialect;
import io.zerodown.core.model.Name;
import io.zerodown.core.model.Stmt;
import io.zerodown.core.schema.SchemaModel;
import io.zerodown.core.schema.TableState;
import io.zerodown.core.source.MigrationUnit;
import io.zerodown.core.sql.SqlText;

import java.util.ArrayList;
import java.util.List;

/** Everything a rule may look at for one statement, and the way it reports. */
public final class StatementContext {
    private final Target target;
    private final Runner runner;
    private final ZerodownConfig config;
    private final Dialect dialect;
    private final MigrationUnit unit;
    private final SqlText text;
    private final Stmt stmt;
    private final SchemaModel schema;
    private final TxState tx;
    private final List<Stmt> following;
    private LockFacts locks = LockFacts.NONE;
    final List<Pending> pending = new ArrayList<>();

    StatementContext(Target target, Runner runner, ZerodownConfig config, Dialect dialect, MigrationUnit unit,
                     SqlText text, Stmt stmt, SchemaModel schema, TxState tx, List<Stmt> following) {
        this.target = target;
        this.runner = runner;
        this.config = config;
        this.dialect = dialect;
        this.unit = unit;
        this.text = text;
        this.stmt = stmt;
        this.schema = schema;
        this.tx = tx;
        this.following = following;
    }

    public Target target() {
        return target;
    }

    public Runner runner() {
        return runner;
    }

    public ZerodownConfig config() {
        return config;
    }

    public MigrationUnit unit() {
        return unit;
    }

    public Stmt stmt() {
        return stmt;
    }

    /** The next statement of the same unit, or null at its end. */
    public Stmt next() {
        return following.isEmpty() ? null : following.get(0);
    }

    /** The statements after this one in the same unit, in order. */
    public List<Stmt> following() {
        return following;
    }

    public String sql() {
        return text.sql();
    }

    public SchemaModel schema() {
        return schema;
    }

    public TxState tx() {
        return tx;
    }

    public LockFacts locks() {
        return locks;
    }

    void locks(LockFacts l) {
        locks = l;
    }

    public TableState table(Name name) {
        return schema.table(name);
    }

    /** The table was created earlier in this same unit (transaction) and nothing was written to it since. */
    public boolean isNew(Name table) {
        return table != null && schema.isNewInUnit(table, unit.id());
    }

    /** Quotes an identifier for SQL in a fix. */
    public String q(String identifier) {
        return dialect.quote(identifier);
    }

    /** Quotes a possibly schema-qualified name for SQL in a fix. */
    public String q(Name name) {
        return name.schema() == null ? dialect.quote(name.name()) : dialect.quote(name.schema()) + "." + dialect.quote(name.name());
    }

    public FindingBuilder finding(String ruleId) {
        return new FindingBuilder(this, ruleId);
    }

    void add(Pending p) {
        pending.add(p);
    }

    Finding toFinding(FindingBuilder b) {
        return new Finding(unit.file(), text.line(), text.column(), b.rule, b.severity, b.lock, b.blocks, b.effect,
                b.message, b.fix, text.sql());
    }

    /** A reported finding plus what the zerodown runner would do about it. */
    record Pending(Finding finding, String zerodownPlan) {
    }

    /** Fluent builder for one finding; lock, blocks and effect default to the statement's {@link LockFacts}. */
    public static final class FindingBuilder {
        private final StatementContext ctx;
        final String rule;
        Severity severity = Severity.ERROR;
        String lock;
        String blocks;
        Effect effect;
        String message = "";
        String fix;
        String zerodownPlan;

        FindingBuilder(StatementContext ctx, String rule) {
            this.ctx = ctx;
            this.rule = rule;
            this.lock = ctx.locks.mode();
            this.blocks = ctx.locks.blocks();
            this.effect = ctx.locks.effect();
        }

        public FindingBuilder severity(Severity s) {
            severity = s;
            return this;
        }

        public FindingBuilder lock(String mode, String blocks) {
            this.lock = mode;
            this.blocks = blocks;
            return this;
        }

        public FindingBuilder effect(Effect e) {
            effect = e;
            return this;
        }

        public FindingBuilder message(String m) {
            message = m;
            return this;
        }

        public FindingBuilder fix(String sql) {
            fix = sql;
            return this;
        }

        /**
         * Says that {@code zerodown apply} runs this statement safely by itself, and how (one line). Under the
         * zerodown runner the finding is then reported as info with this plan.
         */
        public FindingBuilder zerodownMakesSafe(String plan) {
            zerodownPlan = plan;
            return this;
        }

        public void report() {
            ctx.add(new Pending(ctx.toFinding(this), zerodownPlan));
        }
    }
}
