package io.zerodown.postgres.versioned;

import io.zerodown.postgres.watch.GuardRails;

import java.util.function.LongSupplier;

/**
 * Knobs of start, complete and rollback.
 *
 * @param lockTimeoutMs   lock_timeout of every statement that takes a lock on an app table
 * @param maxLockAttempts attempts per step before giving up (bounded: never an unbounded wait)
 * @param batchSize       rows in the first backfill batch (one short transaction each); every batch when
 *                        {@code batchTargetMs} is 0
 * @param batchPauseMs    pause between backfill batches, to leave room for the app
 * @param afterStep       test hook, called after each finished step with its phase and index; may throw
 * @param batchTargetMs   target time of one backfill batch, which sizes the next batch (0: fixed {@code batchSize});
 *                        short, because each batch holds row locks that the app's updates wait on
 * @param maxReplicaLagMs the backfill pauses while a streaming replica lags more (0: never)
 * @param lagProbe        replaces the measurement on the primary (tests, or a heartbeat); null for the default
 * @param guardRails      operator control (zerodown control pause/resume/abort/set) and canary limits, checked between
 *                        batches; null for operator control only
 */
public record VersionedOptions(long lockTimeoutMs, int maxLockAttempts, int batchSize, long batchPauseMs, StepHook afterStep,
                               long batchTargetMs, long maxReplicaLagMs, LongSupplier lagProbe, GuardRails guardRails) {

    public interface StepHook {
        void finished(String phase, int index);
    }

    /** Smallest and largest batch the target time may choose. */
    static final int MIN_BATCH = 100;
    static final int MAX_BATCH = 50_000;

    /** Fixed batches, the default replica-lag limit, operator control only. */
    public VersionedOptions(long lockTimeoutMs, int maxLockAttempts, int batchSize, long batchPauseMs, StepHook afterStep) {
        this(lockTimeoutMs, maxLockAttempts, batchSize, batchPauseMs, afterStep, 0, 10_000, null, null);
    }

    public static VersionedOptions defaults() {
        return new VersionedOptions(100, 30, 1000, 0, (p, i) -> { }, 30, 10_000, null, null);
    }

    public VersionedOptions withAfterStep(StepHook hook) {
        return new VersionedOptions(lockTimeoutMs, maxLockAttempts, batchSize, batchPauseMs, hook, batchTargetMs, maxReplicaLagMs,
                lagProbe, guardRails);
    }

    /** Fixed batches of {@code size} rows with {@code pauseMs} between them (no target time). */
    public VersionedOptions withBatch(int size, long pauseMs) {
        return new VersionedOptions(lockTimeoutMs, maxLockAttempts, size, pauseMs, afterStep, 0, maxReplicaLagMs, lagProbe,
                guardRails);
    }

    /** Batches sized to take about {@code targetMs} each, starting at {@code initialSize} rows. */
    public VersionedOptions withBatchTarget(long targetMs, int initialSize) {
        return new VersionedOptions(lockTimeoutMs, maxLockAttempts, initialSize, batchPauseMs, afterStep, targetMs, maxReplicaLagMs,
                lagProbe, guardRails);
    }

    public VersionedOptions withBatchPause(long pauseMs) {
        return new VersionedOptions(lockTimeoutMs, maxLockAttempts, batchSize, pauseMs, afterStep, batchTargetMs, maxReplicaLagMs,
                lagProbe, guardRails);
    }

    public VersionedOptions withLockAttempts(int attempts) {
        return new VersionedOptions(lockTimeoutMs, attempts, batchSize, batchPauseMs, afterStep, batchTargetMs, maxReplicaLagMs,
                lagProbe, guardRails);
    }

    public VersionedOptions withLockTimeout(long ms) {
        return new VersionedOptions(ms, maxLockAttempts, batchSize, batchPauseMs, afterStep, batchTargetMs, maxReplicaLagMs, lagProbe,
                guardRails);
    }

    public VersionedOptions withReplicaLag(long maxLagMs, LongSupplier probe) {
        return new VersionedOptions(lockTimeoutMs, maxLockAttempts, batchSize, batchPauseMs, afterStep, batchTargetMs, maxLagMs, probe,
                guardRails);
    }

    public VersionedOptions withGuardRails(GuardRails rails) {
        return new VersionedOptions(lockTimeoutMs, maxLockAttempts, batchSize, batchPauseMs, afterStep, batchTargetMs, maxReplicaLagMs,
                lagProbe, rails);
    }
}
