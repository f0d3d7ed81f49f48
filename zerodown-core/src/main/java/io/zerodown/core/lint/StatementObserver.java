package io.zerodown.core.lint;

import io.zerodown.core.model.Stmt;
import io.zerodown.core.source.MigrationUnit;
import io.zerodown.core.sql.SqlText;

/** Sees every statement the engine walks, with its predicted locks; used by plan output and lock-prediction tests. */
@FunctionalInterface
public interface StatementObserver {
    /**
     * @param unit  the unit the statement belongs to
     * @param text  the statement with its file line and column
     * @param stmt  the parsed statement
     * @param locks the lock and effect zerodown predicts for it, given everything before it
     */
    void statement(MigrationUnit unit, SqlText text, Stmt stmt, LockFacts locks);
}
