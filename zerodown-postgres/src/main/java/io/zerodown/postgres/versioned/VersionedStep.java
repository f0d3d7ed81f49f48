package io.zerodown.postgres.versioned;

import java.util.List;

/**
 * One step of start, complete or rollback: its SQL, the strongest lock it takes and on what, and how it runs.
 *
 * @param phase    expand, backfill, views, contract or rollback
 * @param table    the physical table it locks (for display and blocker lookup), or null
 * @param backfill what a backfill step touches, else null
 */
public record VersionedStep(String phase, String description, String table, String lock, Kind kind, List<String> sql,
                            Backfill backfill) {

    public enum Kind {
        /** One short transaction under SET LOCAL lock_timeout, retried on lock timeouts. */
        TRANSACTION,
        /** A transaction that may scan (VALIDATE): lock timeout on the lock, no statement timeout. */
        SCAN,
        /** One statement outside a transaction (CONCURRENTLY), retried; an INVALID index left behind is rebuilt. */
        CONCURRENT,
        /** Keyset batches, each one transaction that also records the watermark. */
        BACKFILL
    }

    /** Rows of {@code table} (by {@code key}) whose {@code pendingColumn} is still true get touched once. */
    public record Backfill(String schema, String table, String key, String pendingColumn) {
    }

    public VersionedStep {
        sql = List.copyOf(sql);
    }

    static VersionedStep tx(String phase, String description, String table, String lock, List<String> sql) {
        return new VersionedStep(phase, description, table, lock, Kind.TRANSACTION, sql, null);
    }
}
