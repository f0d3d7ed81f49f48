package io.zerodown.postgres.apply;

import java.util.function.LongSupplier;

/**
 * Tunables of apply. Defaults follow the measurements in postgres-locks.md §9: a 100 ms lock_timeout bounds every
 * stall the app can see; backfill batches aim at about 30 ms each.
 *
 * @param lockTimeoutMs            lock_timeout for steps that block reads or writes while they wait
 * @param shareUpdateLockTimeoutMs lock_timeout for SHARE UPDATE EXCLUSIVE steps (concurrent index builds), whose
 *                                 wait does not block the app
 * @param maxLockAttempts          attempts per step before giving up
 * @param stepRetryBudgetMs        total time per step spent retrying
 * @param baseBackoffMs            first backoff ceiling; doubles per attempt, full jitter
 * @param maxBackoffMs             backoff ceiling
 * @param ddlStatementTimeoutMs    statement_timeout for catalog-only steps
 * @param batchStatementTimeoutMs  statement_timeout for one backfill batch
 * @param backfillTargetMs         target time per backfill batch
 * @param backfillInitialBatch     rows in the first batch
 * @param backfillMinBatch         smallest batch
 * @param backfillMaxBatch         largest batch
 * @param maxReplicaLagMs          pause backfills while a streaming replica lags more (0: never)
 * @param lagProbe                 replaces the pg_stat_replication query (tests, or a heartbeat); null for the default
 * @param allowBreaking            run drops and renames as written
 * @param guardRails               operator control and canary limits checked between backfill batches and before each
 *                                 step; null for none
 * @param postponeContract         stop before the first contract-phase step of each migration (VALIDATE, SET NOT NULL,
 *                                 drops, swaps) and wait there until {@code zerodown control proceed}; an abort while
 *                                 waiting leaves the migration resumable at that step
 */
public record ApplyOptions(long lockTimeoutMs, long shareUpdateLockTimeoutMs, int maxLockAttempts, long stepRetryBudgetMs,
                           long baseBackoffMs, long maxBackoffMs, long ddlStatementTimeoutMs, long batchStatementTimeoutMs,
                           long backfillTargetMs, int backfillInitialBatch, int backfillMinBatch, int backfillMaxBatch,
                           long maxReplicaLagMs, LongSupplier lagProbe, boolean allowBreaking,
                           io.zerodown.postgres.watch.GuardRails guardRails, boolean postponeContract) {

    /** The options without a postponed contract phase (the constructor before postponeContract existed). */
    public ApplyOptions(long lockTimeoutMs, long shareUpdateLockTimeoutMs, int maxLockAttempts, long stepRetryBudgetMs,
                        long baseBackoffMs, long maxBackoffMs, long ddlStatementTimeoutMs, long batchStatementTimeoutMs,
                        long backfillTargetMs, int backfillInitialBatch, int backfillMinBatch, int backfillMaxBatch,
                        long maxReplicaLagMs, LongSupplier lagProbe, boolean allowBreaking,
                        io.zerodown.postgres.watch.GuardRails guardRails) {
        this(lockTimeoutMs, shareUpdateLockTimeoutMs, maxLockAttempts, stepRetryBudgetMs, baseBackoffMs, maxBackoffMs,
                ddlStatementTimeoutMs, batchStatementTimeoutMs, backfillTargetMs, backfillInitialBatch, backfillMinBatch,
                backfillMaxBatch, maxReplicaLagMs, lagProbe, allowBreaking, guardRails, false);
    }

    public static ApplyOptions defaults() {
        return new ApplyOptions(100, 2_000, 40, 120_000, 50, 2_000, 10_000, 30_000, 30, 1_000, 100, 50_000, 10_000, null, false,
                null, false);
    }

    public ApplyOptions withLockTimeoutMs(long ms) {
        return new ApplyOptions(ms, shareUpdateLockTimeoutMs, maxLockAttempts, stepRetryBudgetMs, baseBackoffMs, maxBackoffMs,
                ddlStatementTimeoutMs, batchStatementTimeoutMs, backfillTargetMs, backfillInitialBatch, backfillMinBatch,
                backfillMaxBatch, maxReplicaLagMs, lagProbe, allowBreaking, guardRails, postponeContract);
    }

    public ApplyOptions withRetryBudget(int attempts, long budgetMs) {
        return new ApplyOptions(lockTimeoutMs, shareUpdateLockTimeoutMs, attempts, budgetMs, baseBackoffMs, maxBackoffMs,
                ddlStatementTimeoutMs, batchStatementTimeoutMs, backfillTargetMs, backfillInitialBatch, backfillMinBatch,
                backfillMaxBatch, maxReplicaLagMs, lagProbe, allowBreaking, guardRails, postponeContract);
    }

    public ApplyOptions withBackfill(long targetMs, int initial, int min, int max) {
        return new ApplyOptions(lockTimeoutMs, shareUpdateLockTimeoutMs, maxLockAttempts, stepRetryBudgetMs, baseBackoffMs,
                maxBackoffMs, ddlStatementTimeoutMs, batchStatementTimeoutMs, targetMs, initial, min, max, maxReplicaLagMs,
                lagProbe, allowBreaking, guardRails, postponeContract);
    }

    public ApplyOptions withReplicaLag(long maxLagMs, LongSupplier probe) {
        return new ApplyOptions(lockTimeoutMs, shareUpdateLockTimeoutMs, maxLockAttempts, stepRetryBudgetMs, baseBackoffMs,
                maxBackoffMs, ddlStatementTimeoutMs, batchStatementTimeoutMs, backfillTargetMs, backfillInitialBatch,
                backfillMinBatch, backfillMaxBatch, maxLagMs, probe, allowBreaking, guardRails, postponeContract);
    }

    public ApplyOptions withGuardRails(io.zerodown.postgres.watch.GuardRails g) {
        return new ApplyOptions(lockTimeoutMs, shareUpdateLockTimeoutMs, maxLockAttempts, stepRetryBudgetMs, baseBackoffMs,
                maxBackoffMs, ddlStatementTimeoutMs, batchStatementTimeoutMs, backfillTargetMs, backfillInitialBatch,
                backfillMinBatch, backfillMaxBatch, maxReplicaLagMs, lagProbe, allowBreaking, g, postponeContract);
    }

    public ApplyOptions withAllowBreaking(boolean allow) {
        return new ApplyOptions(lockTimeoutMs, shareUpdateLockTimeoutMs, maxLockAttempts, stepRetryBudgetMs, baseBackoffMs,
                maxBackoffMs, ddlStatementTimeoutMs, batchStatementTimeoutMs, backfillTargetMs, backfillInitialBatch,
                backfillMinBatch, backfillMaxBatch, maxReplicaLagMs, lagProbe, allow, guardRails, postponeContract);
    }

    public ApplyOptions withPostponeContract(boolean postpone) {
        return new ApplyOptions(lockTimeoutMs, shareUpdateLockTimeoutMs, maxLockAttempts, stepRetryBudgetMs, baseBackoffMs,
                maxBackoffMs, ddlStatementTimeoutMs, batchStatementTimeoutMs, backfillTargetMs, backfillInitialBatch,
                backfillMinBatch, backfillMaxBatch, maxReplicaLagMs, lagProbe, allowBreaking, guardRails, postpone);
    }
}
