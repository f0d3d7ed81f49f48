package io.zerodown.postgres.apply;

import io.zerodown.core.plan.Step;

import java.sql.SQLException;
import java.util.List;

/**
 * A step could not get its lock within the retry budget. Carries what a user needs to act: the step, the lock, the
 * attempts and total wait, and the sessions holding locks on the table.
 */
public class LockNotAcquiredException extends SQLException {
    private final transient List<StepRunner.Blocker> blockers;

    LockNotAcquiredException(Step step, int attempts, long waitedMs, List<StepRunner.Blocker> blockers, long lockTimeoutMs) {
        super("step " + step.index() + " (" + step.description() + ") could not get " + step.lock()
                + (step.table() == null ? "" : " on " + step.table()) + " after " + attempts + " attempts of "
                + lockTimeoutMs + " ms over " + waitedMs + " ms; "
                + (blockers.isEmpty() ? "no session holds a lock on the table now (the blocker finished or the wait was on rows)"
                : "sessions holding locks on the table: " + blockers)
                + ". Nothing was left half-done: re-run apply when they are gone (it resumes at this step), or end them "
                + "with pg_terminate_backend(pid).", StepRunner.LOCK_NOT_AVAILABLE);
        this.blockers = blockers;
    }

    public List<StepRunner.Blocker> blockers() {
        return blockers;
    }
}
