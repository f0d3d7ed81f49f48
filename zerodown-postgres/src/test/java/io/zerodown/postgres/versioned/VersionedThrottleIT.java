package io.zerodown.postgres.versioned;

import io.zerodown.postgres.PostgresVersions;
import io.zerodown.postgres.watch.GuardRails;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.sql.Connection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * start's backfill obeys the same guard rails as apply's: it pauses while a replica lags (a lag signal the test
 * controls), pauses and resumes on zerodown control, stops resumably on abort, and sizes its batches to a target time.
 */
class VersionedThrottleIT {

    static List<PostgresVersions.Server> servers() {
        return VersionedIT.servers();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void replicaLagPausesTheBackfillUntilTheReplicaCatchesUp(PostgresVersions.Server server) throws Exception {
        VersionedFixture fx = new VersionedFixture(server);
        fx.exec(VersionedIT.SETUP);
        AtomicLong lag = new AtomicLong(5_000);
        VersionedOptions o = VersionedOptions.defaults().withBatch(200, 0).withReplicaLag(1_000, lag::get);
        CompletableFuture<VersionedEngine.Started> run = CompletableFuture.supplyAsync(() -> start(fx, o));
        waitForLog(fx, "paused: replica lag 5000 ms > 1000 ms");
        long held = rowsDone(fx);
        Thread.sleep(500);
        assertThat(rowsDone(fx)).as("no batch runs while the replica lags").isEqualTo(held);
        assertThat(run).isNotDone();
        lag.set(0);
        run.get(60, TimeUnit.SECONDS);
        assertThat(fx.log).anyMatch(l -> l.contains("backfill users: resumed"));
        assertThat(fx.count("SELECT count(*) FROM public.users WHERE \"_zd_v2_pending\"")).isZero();
        assertThat(rowsDone(fx)).isEqualTo(3000);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void controlPausesResumesAndAbortsResumably(PostgresVersions.Server server) throws Exception {
        VersionedFixture fx = new VersionedFixture(server);
        fx.exec(VersionedIT.SETUP);
        // pause at the third batch, from "another terminal"
        VersionedOptions pausing = VersionedOptions.defaults().withBatch(200, 0).withAfterStep((phase, rows) -> {
            if (phase.equals("backfill-batch") && rows == 600) command(fx, "pause");
        });
        CompletableFuture<VersionedEngine.Started> run = CompletableFuture.supplyAsync(() -> start(fx, pausing));
        waitForLog(fx, "paused: paused by zerodown control");
        long held = rowsDone(fx);
        Thread.sleep(500);
        assertThat(rowsDone(fx)).as("paused").isEqualTo(held).isLessThan(3000);
        command(fx, "resume");
        run.get(60, TimeUnit.SECONDS);
        assertThat(rowsDone(fx)).isEqualTo(3000);
        fx.engine().rollback(null);

        // abort at the third batch: start stops with the watermark journalled, and the next start resumes from it
        fx.log.clear();
        VersionedOptions aborting = VersionedOptions.defaults().withBatch(200, 0).withAfterStep((phase, rows) -> {
            if (phase.equals("backfill-batch") && rows == 600) command(fx, "abort");
        });
        assertThatThrownBy(() -> fx.engine(aborting).start(VersionedFixture.yaml("v2", VersionedIT.V2), VersionedIT.V2, false))
                .isInstanceOf(VersionedEngine.BackfillAbortedException.class)
                .hasMessageContaining("aborted by zerodown control")
                .hasMessageContaining("re-run 'zerodown start' to resume");
        long stopped = rowsDone(fx);
        assertThat(stopped).isBetween(600L, 2999L);
        assertThat(fx.rows("SELECT status FROM zerodown.versioned_migrations")).containsExactly("starting");
        VersionedEngine.Started resumed = fx.engine().start(VersionedFixture.yaml("v2", VersionedIT.V2), VersionedIT.V2, false);
        assertThat(resumed.resumed()).isTrue();
        assertThat(rowsDone(fx)).as("each row backfilled once across both runs").isEqualTo(3000);
        assertThat(fx.count("SELECT count(*) FROM public.users WHERE \"_zd_v2_pending\"")).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void batchesGrowTowardTheTargetTime(PostgresVersions.Server server) throws Exception {
        VersionedFixture fx = new VersionedFixture(server);
        fx.exec(VersionedIT.SETUP, "INSERT INTO public.users (name, amount, email, legacy) "
                + "SELECT 'more' || g, g, 'm' || g || '@example.com', 'L' FROM generate_series(1, 27000) g");
        AtomicInteger batches = new AtomicInteger();
        // starts at 100 rows; a 100-row batch takes a few ms, so sizes grow toward what fits in 30 ms
        VersionedOptions o = VersionedOptions.defaults().withBatchTarget(30, 100).withAfterStep((phase, rows) -> {
            if (phase.equals("backfill-batch")) batches.incrementAndGet();
        });
        fx.engine(o).start(VersionedFixture.yaml("v2", VersionedIT.V2), VersionedIT.V2, false);
        assertThat(rowsDone(fx)).isEqualTo(30000);
        assertThat(batches.get()).as("fixed 100-row batches would take 300").isLessThan(100);
    }

    private static VersionedEngine.Started start(VersionedFixture fx, VersionedOptions o) {
        try {
            return fx.engine(o).start(VersionedFixture.yaml("v2", VersionedIT.V2), VersionedIT.V2, false);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void command(VersionedFixture fx, String action) {
        try (Connection c = fx.open()) {
            GuardRails.command(c, action);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static long rowsDone(VersionedFixture fx) throws Exception {
        return fx.count("SELECT coalesce(sum(rows_done), 0) FROM zerodown.versioned_backfill");
    }

    private static void waitForLog(VersionedFixture fx, String text) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            synchronized (fx.log) {
                if (fx.log.stream().anyMatch(l -> l.contains(text))) return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no log line with '" + text + "' in " + fx.log);
    }
}
