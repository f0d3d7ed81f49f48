package io.zerodown.cli;

import io.zerodown.core.plan.MigrationPlan;
import io.zerodown.core.plan.Phase;
import io.zerodown.core.plan.Step;
import io.zerodown.core.plan.StepKind;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The plain log lines apply prints when stdout is not a terminal. */
class ConsoleListenerTest {
    @Test
    void plainLinesCarryStepStateProgressAndTheGuardRailFigures() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ConsoleListener console = new ConsoleListener(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, null);
        console.canary(() -> 12.5);
        Step step = new Step(2, Phase.BACKFILL, StepKind.BACKFILL, "backfill token in batches", "UPDATE ...", "ROW EXCLUSIVE",
                null, null, null, null, "V2__token.sql");
        console.stepStarted(null, step);
        console.backfillStarted(step, 1_000);
        console.replicaLag(340);
        console.lockRetry(step, 1, "canceling statement due to lock timeout");
        console.backfillProgress(step, 250, 1_000, 100);
        console.paused("replica lag 12000 ms > 10000 ms");
        console.paused("replica lag 12000 ms > 10000 ms"); // repeated every 200 ms while it lasts: printed once
        console.controlChanged("batch-time set to 50 ms by zerodown control");
        console.backfillFinished(step, 1_000);
        console.stepFinished(null, step, 1234);
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("[2] backfill: backfill token in batches  (ROW EXCLUSIVE)",
                "lock not granted within the timeout, retry 1", "control: batch-time set to 50 ms by zerodown control",
                "backfilled 1000 rows", "done in 1234 ms");
        String progress = out.lines().filter(l -> l.contains("backfill: 250 of ~1000 rows")).findFirst().orElseThrow();
        assertThat(progress).contains("rows/s", "ETA ", "batch 100", "lag 340 ms", "canary p99 12.5 ms", "lock retries 1");
        assertThat(out.lines().filter(l -> l.contains("paused: replica lag 12000 ms")).count()).isEqualTo(1);
        assertThat(out).doesNotContain("\r"); // no in-place refresh when stdout is not a terminal
    }
}
