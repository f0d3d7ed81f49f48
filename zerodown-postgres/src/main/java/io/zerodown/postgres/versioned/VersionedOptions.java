package io.zerodown.postgres.versioned;

/**
 * Knobs of start, complete and rollback.
 *
 * @param lockTimeoutMs   lock_timeout of every statement that takes a lock on an app table
 * @param maxLockAttempts attempts per step before giving up (bounded: never an unbounded wait)
 * @param batchSize       rows per backfill batch (one short transaction each)
 * @param batchPauseMs    pause between backfill batches, to leave room for the app
 * @param afterStep       test hook, called after each finished step with its phase and index; may throw
 */
public record VersionedOptions(long lockTimeoutMs, int maxLockAttempts, int batchSize, long batchPauseMs, StepHook afterStep) {

    public interface StepHook {
        void finished(String phase, int index);
    }

    public static VersionedOptions defaults() {
        return new VersionedOptions(100, 30, 1000, 0, (p, i) -> { });
    }

    public VersionedOptions withAfterStep(StepHook hook) {
        return new VersionedOptions(lockTimeoutMs, maxLockAttempts, batchSize, batchPauseMs, hook);
    }

    public VersionedOptions withBatch(int size, long pauseMs) {
        return new VersionedOptions(lockTimeoutMs, maxLockAttempts, size, pauseMs, afterStep);
    }

    public VersionedOptions withLockTimeout(long ms) {
        return new VersionedOptions(ms, maxLockAttempts, batchSize, batchPauseMs, afterStep);
    }
}
