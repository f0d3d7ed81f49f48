package io.zerodown.postgres.apply;

import io.zerodown.core.plan.MigrationPlan;
import io.zerodown.core.plan.Step;
import io.zerodown.postgres.PostgresVersions;
import io.zerodown.postgres.watch.GuardRails;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Steering a running apply on a real server: settings changed while it runs (batch target time, replica-lag limit),
 * a contract phase postponed until proceed or aborted resumably, and an app session queued for a table lock that
 * pauses the backfill.
 */
class ApplyControlIT {
    static final String TABLE = """
            CREATE TABLE items (id bigint PRIMARY KEY, v int);
            INSERT INTO items SELECT g, g FROM generate_series(1, %d) g;
            """;
    /** Every UPDATE statement on items takes at least 10 ms, like a busy table's: batches have a known floor. */
    static final String SLOW_UPDATES = """
            CREATE FUNCTION slow_statement() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN PERFORM pg_sleep(0.01); RETURN NULL; END$$;
            CREATE TRIGGER slow BEFORE UPDATE ON items FOR EACH STATEMENT EXECUTE FUNCTION slow_statement();
            """;

    /** The fixture's log plus batch sizes, setting changes and the postponed contract phase. */
    static final class Recorder implements ApplyListener {
        final List<String> log = new CopyOnWriteArrayList<>();
        final List<Integer> batches = new CopyOnWriteArrayList<>();
        final AtomicLong rows = new AtomicLong();
        volatile Step postponedAt;

        @Override
        public void paused(String reason) {
            log.add("paused: " + reason);
        }

        @Override
        public void controlChanged(String what) {
            log.add("control: " + what);
            batches.add(-1); // marks where the change landed among the batches
        }

        @Override
        public void backfillProgress(Step step, long rowsDone, long estimatedRows, int batchSize) {
            batches.add(batchSize);
            rows.set(rowsDone);
        }

        @Override
        public void contractPostponed(MigrationPlan plan, Step next) {
            postponedAt = next;
        }
    }

    static void await(String what, int seconds, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (System.currentTimeMillis() < deadline) {
            if (condition.getAsBoolean()) return;
            Thread.sleep(50);
        }
        throw new AssertionError("timed out after " + seconds + " s waiting for: " + what);
    }

    static CompletableFuture<Object> inBackground(PostgresApplier applier, ApplyFixture fx) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return applier.apply(fx.files());
            } catch (Exception e) {
                return e;
            }
        });
    }

    static void control(ApplyFixture fx, String action) throws Exception {
        try (Connection c = fx.db.open()) {
            GuardRails.command(c, action);
        }
    }

    static void set(ApplyFixture fx, String name, String value) throws Exception {
        try (Connection c = fx.db.open()) {
            GuardRails.set(c, name, value);
        }
    }

    @Test
    void batchTimeSetWhileRunningResizesTheBatches(@TempDir Path dir) throws Exception {
        ApplyFixture fx = new ApplyFixture(PostgresVersions.embedded(16), dir).file("V1__init.sql", TABLE.formatted(60_000) + SLOW_UPDATES);
        fx.apply();
        fx.file("V2__fill.sql", "ALTER TABLE items ADD COLUMN token text DEFAULT md5(random()::text);");
        Recorder r = new Recorder();
        // a 4 ms target under a 10 ms floor per statement: the batch shrinks to its minimum
        ApplyOptions o = ApplyOptions.defaults().withBackfill(4, 100, 10, 800).withGuardRails(new GuardRails(null, 0, 0));
        CompletableFuture<Object> run = inBackground(new PostgresApplier(fx.db, o, r), fx);
        await("the batch to shrink to its minimum", 60, () -> r.batches.contains(10));
        set(fx, "batch-time", "300ms");
        Object result = run.get(120, TimeUnit.SECONDS);
        assertThat(result).isInstanceOf(PostgresApplier.Outcome.class);
        assertThat(r.log).contains("control: batch-time set to 300 ms by zerodown control");
        List<Integer> after = r.batches.subList(r.batches.indexOf(-1) + 1, r.batches.size());
        assertThat(after).as("batch sizes after the change").contains(800);
        assertThat(fx.count("SELECT count(*) FROM items WHERE token IS NULL")).isZero();
    }

    @Test
    void replicaLagLimitSetWhileRunningPausesAndReleasesTheBackfill(@TempDir Path dir) throws Exception {
        ApplyFixture fx = new ApplyFixture(PostgresVersions.embedded(16), dir).file("V1__init.sql", TABLE.formatted(40_000) + SLOW_UPDATES);
        fx.apply();
        fx.file("V2__fill.sql", "ALTER TABLE items ADD COLUMN token text DEFAULT md5(random()::text);");
        Recorder r = new Recorder();
        // a lag signal the test controls (no replica here): a steady 5 s, under the 10 s limit the run starts with
        ApplyOptions o = ApplyOptions.defaults().withBackfill(30, 50, 10, 100).withReplicaLag(10_000, () -> 5_000)
                .withGuardRails(new GuardRails(null, 0, 0));
        CompletableFuture<Object> run = inBackground(new PostgresApplier(fx.db, o, r), fx);
        await("the backfill to start", 60, () -> r.rows.get() > 500);
        set(fx, "max-replica-lag", "1s");
        await("the lag pause", 10, () -> r.log.contains("paused: replica lag 5000 ms > 1000 ms"));
        long atPause = fx.count("SELECT rows_done FROM zerodown.steps WHERE migration_id = '2' AND kind = 'BACKFILL'");
        Thread.sleep(1_000);
        assertThat(fx.count("SELECT rows_done FROM zerodown.steps WHERE migration_id = '2' AND kind = 'BACKFILL'")).isEqualTo(atPause);
        assertThat(atPause).isLessThan(40_000);
        set(fx, "max-replica-lag", "8s");
        Object result = run.get(120, TimeUnit.SECONDS);
        assertThat(result).isInstanceOf(PostgresApplier.Outcome.class);
        assertThat(r.log).contains("control: max-replica-lag set to 1000 ms by zerodown control",
                "control: max-replica-lag set to 8000 ms by zerodown control");
        assertThat(fx.count("SELECT count(*) FROM items WHERE token IS NULL")).isZero();
    }

    @Test
    void aPauseLongerThanMaxPauseAbortsResumablyButAnOperatorPauseNever(@TempDir Path dir) throws Exception {
        ApplyFixture fx = new ApplyFixture(PostgresVersions.embedded(16), dir).file("V1__init.sql", TABLE.formatted(40_000) + SLOW_UPDATES);
        fx.apply();
        fx.file("V2__fill.sql", "ALTER TABLE items ADD COLUMN token text DEFAULT md5(random()::text);");
        Recorder r = new Recorder();
        // a lag signal the test controls: 5 s of lag (over the 1 s limit) once the backfill has started
        java.util.concurrent.atomic.AtomicBoolean lagging = new java.util.concurrent.atomic.AtomicBoolean();
        GuardRails rails = new GuardRails(null, 0, 0).withMaxPause(1_500);
        ApplyOptions o = ApplyOptions.defaults().withBackfill(30, 50, 10, 100)
                .withReplicaLag(1_000, () -> lagging.get() ? 5_000 : 0).withGuardRails(rails);
        CompletableFuture<Object> run = inBackground(new PostgresApplier(fx.db, o, r), fx);
        await("the backfill to start", 60, () -> r.rows.get() > 500);
        // an operator's pause of 2.5 s (longer than max-pause) does not abort
        control(fx, "pause");
        await("the operator's pause", 10, () -> r.log.contains("paused: paused by zerodown control"));
        Thread.sleep(2_500);
        assertThat(run).isNotDone();
        control(fx, "resume");
        lagging.set(true);
        Object result = run.get(60, TimeUnit.SECONDS);
        assertThat(result).isInstanceOf(PostgresApplier.StepFailedException.class);
        assertThat(((Exception) result).getMessage()).contains("SQLSTATE ZD001", "longer than the hard limit max-pause 1500 ms (replica lag 5000 ms > 1000 ms)",
                "run apply again to resume");
        assertThat(r.log).anyMatch(l -> l.startsWith("paused: abort: paused ") && l.contains("max-pause 1500 ms"));
        long done = fx.count("SELECT rows_done FROM zerodown.steps WHERE migration_id = '2' AND kind = 'BACKFILL'");
        assertThat(done).isBetween(1L, 39_999L);
        // resumable: once the lag is gone, apply finishes from the watermark
        lagging.set(false);
        Recorder again = new Recorder();
        new PostgresApplier(fx.db, o, again).apply(fx.files());
        assertThat(fx.count("SELECT count(*) FROM items WHERE token IS NULL")).isZero();
        assertThat(again.batches.size()).as("batches of the resumed run").isLessThan(r.batches.size() + again.batches.size());
    }

    static boolean notNull(ApplyFixture fx) throws Exception {
        return fx.count("SELECT count(*) FROM pg_attribute WHERE attrelid = 'items'::regclass AND attname = 'v' AND attnotnull") == 1;
    }

    @Test
    void postponedContractWaitsForProceed(@TempDir Path dir) throws Exception {
        ApplyFixture fx = new ApplyFixture(PostgresVersions.embedded(16), dir).file("V1__init.sql", TABLE.formatted(2_000));
        fx.apply();
        fx.file("V2__nn.sql", "ALTER TABLE items ALTER COLUMN v SET NOT NULL;");
        Recorder r = new Recorder();
        CompletableFuture<Object> run = inBackground(new PostgresApplier(fx.db, ApplyOptions.defaults().withPostponeContract(true), r), fx);
        await("the contract phase to be postponed", 60, () -> r.postponedAt != null);
        Thread.sleep(700);
        assertThat(run).isNotDone();
        assertThat(notNull(fx)).isFalse();
        assertThat(fx.count("SELECT count(*) FROM pg_constraint WHERE conrelid = 'items'::regclass AND contype = 'c'"))
                .as("no step of the contract phase ran").isZero();
        assertThat(r.postponedAt.phase()).isEqualTo(io.zerodown.core.plan.Phase.CONTRACT);
        try (Connection c = fx.db.open()) {
            assertThat(PostgresApplier.runningApply(c)).as("the waiting apply holds the migration lock").isNotNull();
        }
        control(fx, "proceed");
        Object result = run.get(60, TimeUnit.SECONDS);
        assertThat(result).isInstanceOf(PostgresApplier.Outcome.class);
        assertThat(((PostgresApplier.Outcome) result).applied()).contains("2");
        assertThat(notNull(fx)).isTrue();
        assertThat(r.log).anyMatch(l -> l.startsWith("control: proceeding with the contract phase of 2"));
        try (Connection c = fx.db.open()) {
            assertThat(PostgresApplier.runningApply(c)).isNull();
        }
    }

    @Test
    void abortWhileTheContractWaitsLeavesItResumable(@TempDir Path dir) throws Exception {
        ApplyFixture fx = new ApplyFixture(PostgresVersions.embedded(16), dir).file("V1__init.sql", TABLE.formatted(2_000));
        fx.apply();
        fx.file("V2__nn.sql", "ALTER TABLE items ALTER COLUMN v SET NOT NULL;");
        Recorder r = new Recorder();
        CompletableFuture<Object> run = inBackground(new PostgresApplier(fx.db, ApplyOptions.defaults().withPostponeContract(true), r), fx);
        await("the contract phase to be postponed", 60, () -> r.postponedAt != null);
        control(fx, "abort");
        Object result = run.get(60, TimeUnit.SECONDS);
        assertThat(result).isInstanceOf(PostgresApplier.StepFailedException.class);
        assertThat(((Exception) result).getMessage()).contains("aborted by zerodown control while the contract phase waited");
        assertThat(fx.text("SELECT status FROM zerodown.migrations WHERE id = '2'")).isEqualTo("failed");
        assertThat(notNull(fx)).isFalse();
        assertThat(fx.count("SELECT count(*) FROM zerodown.steps WHERE migration_id = '2' AND status = 'done'"))
                .isEqualTo(r.postponedAt.index());
        fx.apply(); // a new run forgets the abort and continues at the contract phase
        assertThat(notNull(fx)).isTrue();
        assertThat(fx.text("SELECT status FROM zerodown.migrations WHERE id = '2'")).isEqualTo("done");
    }

    @Test
    void appSessionQueuedForATableLockPausesTheBackfill(@TempDir Path dir) throws Exception {
        ApplyFixture fx = new ApplyFixture(PostgresVersions.embedded(16), dir).file("V1__init.sql", TABLE.formatted(40_000) + SLOW_UPDATES);
        fx.apply();
        fx.file("V2__fill.sql", "ALTER TABLE items ADD COLUMN token text DEFAULT md5(random()::text);");
        Recorder r = new Recorder();
        ApplyOptions o = ApplyOptions.defaults().withBackfill(30, 50, 10, 100);
        CompletableFuture<Object> run = inBackground(new PostgresApplier(fx.db, o, r), fx);
        await("the backfill to start", 60, () -> r.rows.get() > 500);
        AtomicInteger holderPid = new AtomicInteger();
        try (Connection holder = fx.db.open(); Connection waiter = fx.db.open()) {
            try (Statement st = holder.createStatement()) {
                st.execute("SET application_name = 'report-job'");
                holder.setAutoCommit(false);
                st.execute("SELECT count(*) FROM items WHERE id < 10");
                try (ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
                    rs.next();
                    holderPid.set(rs.getInt(1));
                }
            }
            try (Statement st = waiter.createStatement()) {
                st.execute("SET application_name = 'app-maintenance'");
            }
            waiter.setAutoCommit(false);
            // queues for ACCESS EXCLUSIVE behind the report job's ACCESS SHARE
            CompletableFuture<Void> queued = CompletableFuture.runAsync(() -> {
                try (Statement st = waiter.createStatement()) {
                    st.execute("LOCK TABLE items IN ACCESS EXCLUSIVE MODE");
                    waiter.commit();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            await("the lock-queue pause", 20, () -> r.log.stream().anyMatch(l -> l.startsWith("paused: 1 session(s) waiting for locks on")));
            long atPause = fx.count("SELECT rows_done FROM zerodown.steps WHERE migration_id = '2' AND kind = 'BACKFILL'");
            Thread.sleep(1_000);
            assertThat(fx.count("SELECT rows_done FROM zerodown.steps WHERE migration_id = '2' AND kind = 'BACKFILL'")).isEqualTo(atPause);
            holder.commit();
            queued.get(30, TimeUnit.SECONDS);
        }
        Object result = run.get(120, TimeUnit.SECONDS);
        assertThat(result).isInstanceOf(PostgresApplier.Outcome.class);
        String pause = r.log.stream().filter(l -> l.startsWith("paused: 1 session(s) waiting")).findFirst().orElseThrow();
        assertThat(pause).contains("app-maintenance", "AccessExclusiveLock", "blocked by {" + holderPid.get());
        assertThat(fx.count("SELECT count(*) FROM items WHERE token IS NULL")).isZero();
    }

    @Test
    void guardRailsHoldBackDdlStepsNotOnlyBackfills(@TempDir Path dir) throws Exception {
        ApplyFixture fx = new ApplyFixture(PostgresVersions.embedded(16), dir).file("V1__init.sql", TABLE.formatted(1_000));
        fx.apply();
        fx.file("V2__col.sql", "ALTER TABLE items ADD COLUMN flag boolean;");
        // a canary signal the test controls: above the hard limit, so the run stops before its only (DDL) step
        Recorder r = new Recorder();
        Object aborted = inBackground(new PostgresApplier(fx.db, ApplyOptions.defaults().withGuardRails(new GuardRails(() -> 9_000, 250, 5_000)), r), fx)
                .get(60, TimeUnit.SECONDS);
        assertThat(aborted).isInstanceOf(PostgresApplier.StepFailedException.class);
        assertThat(((Exception) aborted).getMessage()).contains("canary p99 9000.0 ms > hard limit 5000.0 ms");
        assertThat(fx.count("SELECT count(*) FROM pg_attribute WHERE attrelid = 'items'::regclass AND attname = 'flag'")).isZero();

        // above the pause limit for the first 1.5 s: the DDL waits, then runs
        long start = System.currentTimeMillis();
        GuardRails rails = new GuardRails(() -> System.currentTimeMillis() - start < 1_500 ? 400 : 2, 250, 0);
        Object done = inBackground(new PostgresApplier(fx.db, ApplyOptions.defaults().withGuardRails(rails), r), fx).get(60, TimeUnit.SECONDS);
        assertThat(done).isInstanceOf(PostgresApplier.Outcome.class);
        assertThat(System.currentTimeMillis() - start).isGreaterThanOrEqualTo(1_400);
        assertThat(r.log).contains("paused: canary p99 400.0 ms > 250.0 ms");
        assertThat(fx.count("SELECT count(*) FROM pg_attribute WHERE attrelid = 'items'::regclass AND attname = 'flag'")).isEqualTo(1);
    }
}
