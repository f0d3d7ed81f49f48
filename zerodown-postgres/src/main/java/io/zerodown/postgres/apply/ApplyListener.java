package io.zerodown.postgres.apply;

import io.zerodown.core.plan.MigrationPlan;
import io.zerodown.core.plan.Step;

/** What apply reports while it works; every method has a no-op default. */
public interface ApplyListener {
    default void log(String line) {
    }

    default void migrationStarted(MigrationPlan plan, boolean resumed) {
    }

    default void migrationFinished(MigrationPlan plan) {
    }

    default void stepStarted(MigrationPlan plan, Step step) {
    }

    default void stepFinished(MigrationPlan plan, Step step, long millis) {
    }

    default void lockRetry(Step step, int attempt, String reason) {
    }

    default void indexBuildStarted(Step step) {
    }

    default void indexBuildFinished(Step step) {
    }

    default void backfillStarted(Step step, long estimatedRows) {
    }

    default void backfillProgress(Step step, long rowsDone, long estimatedRows, int batchSize) {
    }

    default void backfillFinished(Step step, long rowsDone) {
    }

    default void paused(String reason) {
    }

    /** A setting changed or a command acted on while the run goes on (zerodown control set / proceed). */
    default void controlChanged(String what) {
    }

    /** Every replica-lag reading the backfill takes (only while a lag limit is set). */
    default void replicaLag(long ms) {
    }

    /** With --postpone-contract: the run now waits before {@code next} until zerodown control proceed. */
    default void contractPostponed(MigrationPlan plan, Step next) {
    }

    ApplyListener NONE = new ApplyListener() {
    };
}
