package io.zerodown.core.plan;

import io.zerodown.core.model.Name;

/**
 * One unit of work the executor journals separately.
 *
 * @param index       0-based position in its migration
 * @param phase       expand, backfill, contract or verify
 * @param kind        how it runs
 * @param description one line for humans, e.g. "add column token (nullable, no default)"
 * @param sql         the statement(s) to run; for BACKFILL a readable form of one batch
 * @param lock        the lock it takes, e.g. ACCESS EXCLUSIVE (brief)
 * @param table       the table it touches, may be null
 * @param indexName   for index steps, the index (to check validity or clean up)
 * @param rollbackSql SQL that undoes it, null when it cannot be undone without data loss
 * @param backfill    for BACKFILL steps
 * @param origin      file:line of the statement it came from
 */
public record Step(int index, Phase phase, StepKind kind, String description, String sql, String lock, Name table,
                   String indexName, String rollbackSql, BackfillSpec backfill, String origin) {

    public Step withIndex(int i) {
        return new Step(i, phase, kind, description, sql, lock, table, indexName, rollbackSql, backfill, origin);
    }
}
