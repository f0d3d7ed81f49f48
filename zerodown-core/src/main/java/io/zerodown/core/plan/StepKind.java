package io.zerodown.core.plan;

/** How the executor runs a step. */
public enum StepKind {
    /** In its own short transaction under lock_timeout, retried with backoff on lock timeout. */
    TRANSACTIONAL,
    /**
     * A statement run as written in its own transaction under lock_timeout, with no statement_timeout because its
     * work may be long (a DO block, DML on a new table, INSERT ... SELECT).
     */
    AS_WRITTEN,
    /** CREATE [UNIQUE] INDEX CONCURRENTLY outside a transaction; an INVALID result is dropped and rebuilt. */
    CONCURRENT_INDEX,
    /** DROP INDEX CONCURRENTLY (or another CONCURRENTLY form) outside a transaction. */
    NON_TRANSACTIONAL,
    /** ALTER TABLE ... VALIDATE CONSTRAINT in its own transaction: short lock_timeout, no statement_timeout. */
    VALIDATE,
    /**
     * MySQL/MariaDB: an ALTER the server can only run as a blocking COPY, done instead as an online table copy: shadow
     * table, change-capture triggers, chunked copy, chunk checksums, atomic RENAME cut-over.
     */
    ONLINE_COPY,
    /** A batched UPDATE/DELETE by key ranges, each batch committed with its watermark. */
    BACKFILL
}
