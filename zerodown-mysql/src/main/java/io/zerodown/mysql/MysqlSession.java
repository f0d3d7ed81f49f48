package io.zerodown.mysql;

import io.zerodown.core.lint.StatementContext;
import io.zerodown.core.model.Stmt;

import java.util.Locale;

/**
 * Session state of the file being linted that the core engine does not track but MySQL online DDL depends on
 * ({@code foreign_key_checks}), plus a one-statement cache of the {@link MysqlAlterPredictor} result so the lock
 * analysis and every rule see the same prediction. One instance per {@link MysqlDialect}, i.e. per lint run.
 */
public final class MysqlSession {

    private String unitId;
    private boolean foreignKeyChecks = true;
    private StatementContext cachedFor;
    private Stmt.AlterTable cachedAlter;
    private MysqlAlterPredictor.Prediction cachedPrediction;

    /** Called once per statement, before its rules run, to follow SET statements of the file. */
    void observe(StatementContext ctx) {
        String unit = ctx.unit().id();
        if (!unit.equals(unitId)) {
            unitId = unit;
            foreignKeyChecks = true; // a runner opens a fresh session per file / changeset
        }
        if (ctx.stmt() instanceof Stmt.SetVariable sv && sv.name().equals("foreign_key_checks")) {
            String v = sv.value().trim().toLowerCase(Locale.ROOT);
            foreignKeyChecks = !(v.equals("0") || v.equals("off") || v.equals("false"));
        }
    }

    /** {@code foreign_key_checks} as the file left it so far (on unless the file turned it off). */
    public boolean foreignKeyChecks() {
        return foreignKeyChecks;
    }

    /** The statement as an ALTER TABLE (also CREATE INDEX and DROP INDEX ... ON t), or null. */
    public Stmt.AlterTable alter(StatementContext ctx) {
        fill(ctx);
        return cachedAlter;
    }

    /** The predictor's verdict for this statement, or null when it is no ALTER-like statement. */
    public MysqlAlterPredictor.Prediction prediction(StatementContext ctx) {
        fill(ctx);
        return cachedPrediction;
    }

    public MysqlAlterPredictor.Conditions conditions(StatementContext ctx) {
        return MysqlAlterPredictor.Conditions.of(ctx.sql(), ctx.target().engine(), foreignKeyChecks);
    }

    private void fill(StatementContext ctx) {
        if (cachedFor == ctx) return;
        cachedFor = ctx;
        cachedAlter = MysqlAlterPredictor.asAlter(ctx.stmt(), ctx.sql());
        cachedPrediction = cachedAlter == null ? null
                : MysqlAlterPredictor.predict(ctx.target(), cachedAlter, ctx.table(cachedAlter.table()), conditions(ctx));
    }
}
