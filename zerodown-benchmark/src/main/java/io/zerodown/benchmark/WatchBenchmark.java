package io.zerodown.benchmark;

import io.zerodown.core.model.Name;
import io.zerodown.core.plan.Step;
import io.zerodown.core.source.MigrationScanner;
import io.zerodown.postgres.apply.ApplyListener;
import io.zerodown.postgres.apply.ApplyOptions;
import io.zerodown.postgres.apply.PostgresApplier;
import io.zerodown.postgres.apply.PostgresConnections;
import io.zerodown.postgres.watch.Canary;
import io.zerodown.postgres.watch.GuardRails;
import io.zerodown.postgres.workload.AppWorkload;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The two figures of the live-view issue, in one run on a PostgreSQL server:
 * <ol>
 *   <li>the canary's own overhead: an app workload that asks for more than the server can serve (so its throughput is
 *   the server's capacity), in alternating 10 s phases without and with a canary probing every 100 ms;</li>
 *   <li>how fast a guard rail reacts: during a batched backfill, a signal is raised at a random moment (replica lag
 *   from a lag probe the benchmark controls, the canary's p99 from a supplier it controls, {@code zerodown control set
 *   max-replica-lag} lowering the limit under a steady lag, and {@code zerodown control pause}); the figure is the time from raising it to the backfill reporting its pause, then the signal is cleared
 *   and the next trial waits for the backfill to move again.</li>
 * </ol>
 * Usage: {@code WatchBenchmark [jdbc-url-of-a-server] [rows] [trials] [reaction]}; a fresh database is created and
 * dropped. With {@code reaction} as the fourth argument only the second figure is measured.
 */
public final class WatchBenchmark {

    private WatchBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String server = args.length > 0 ? args[0] : "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres";
        long rows = args.length > 1 ? Long.parseLong(args[1]) : 3_000_000;
        int trials = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        String db = "zd_watch_" + Long.toHexString(System.currentTimeMillis());
        try (Connection c = DriverManager.getConnection(server); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + db);
        }
        String url = server.replaceFirst("/[^/?]+(\\?|$)", "/" + db + "$1");
        PostgresConnections pg = PostgresConnections.parse(url);
        try {
            String version;
            try (Connection c = pg.open(); Statement st = c.createStatement(); var rs = st.executeQuery("SHOW server_version")) {
                rs.next();
                version = rs.getString(1);
            }
            System.out.println("## Live view: PostgreSQL " + version + ", " + rows + " rows");
            System.out.println();
            if (!(args.length > 3 && args[3].equals("reaction"))) {
                setUp(pg, "app_t", 200_000);
                canaryOverhead(pg);
                System.out.println();
            }
            reaction(pg, rows, trials);
        } finally {
            try (Connection c = DriverManager.getConnection(server); Statement st = c.createStatement()) {
                st.execute("DROP DATABASE " + db + " WITH (FORCE)");
            } catch (Exception e) {
                System.out.println("<!-- could not drop " + db + ": " + e.getMessage() + " -->");
            }
        }
    }

    private static void setUp(PostgresConnections pg, String table, long rows) throws Exception {
        try (Connection c = pg.open(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE " + table + " (id bigserial PRIMARY KEY, email text NOT NULL, name text, score int)");
            st.execute("INSERT INTO " + table + " (email, name) SELECT 'u' || g || '@example.org', 'n' || g FROM generate_series(1, "
                    + rows + ") g");
            st.execute("VACUUM ANALYZE " + table);
        }
    }

    /** Throughput of a saturating workload in alternating phases without and with the canary. */
    private static void canaryOverhead(PostgresConnections pg) throws Exception {
        System.out.println("| phase (10 s each; the app asks 20,000 req/s from 4 connections, more than the server serves) | canary | app req/s served |");
        System.out.println("|---|---|---|");
        double[] sums = new double[2];
        int[] counts = new int[2];
        try (AppWorkload app = new AppWorkload(pg, "app_t", 4, 20_000, 200_000)) {
            app.start("warm-up");
            Thread.sleep(5_000);
            for (int round = 0; round < 3; round++) {
                for (int withCanary = 0; withCanary <= 1; withCanary++) {
                    String name = "round " + (round + 1) + (withCanary == 1 ? ", canary on" : ", canary off");
                    Canary canary = withCanary == 1 ? new Canary(pg, List.of(Name.of("app_t")), null, 100).start() : null;
                    AppWorkload.Phase p = app.phase(name);
                    Thread.sleep(10_000);
                    app.phase("gap");
                    if (canary != null) canary.close();
                    double perSecond = p.count() / p.seconds();
                    sums[withCanary] += perSecond;
                    counts[withCanary]++;
                    System.out.printf(Locale.ROOT, "| %s | %s | %,.0f |%n", name,
                            canary == null ? "off" : "on (" + canary.count() + " probes)", perSecond);
                }
            }
        }
        double off = sums[0] / counts[0];
        double on = sums[1] / counts[1];
        System.out.printf(Locale.ROOT, "%nMean app throughput: %,.0f req/s without the canary, %,.0f req/s with it (%+.2f %%).%n",
                off, on, 100.0 * (on - off) / off);
        // the same question at a realistic fixed rate, where the cost would show as latency instead
        System.out.println();
        System.out.println("| phase (10 s each; the app asks 500 req/s from 4 connections) | canary | app p50 | app p99 | app max |");
        System.out.println("|---|---|---|---|---|");
        try (AppWorkload app = new AppWorkload(pg, "app_t", 4, 500, 200_000)) {
            app.start("warm-up");
            Thread.sleep(3_000);
            for (int round = 0; round < 2; round++) {
                for (int withCanary = 0; withCanary <= 1; withCanary++) {
                    String name = "round " + (round + 1) + (withCanary == 1 ? ", canary on" : ", canary off");
                    Canary canary = withCanary == 1 ? new Canary(pg, List.of(Name.of("app_t")), null, 100).start() : null;
                    AppWorkload.Phase p = app.phase(name);
                    Thread.sleep(10_000);
                    app.phase("gap");
                    if (canary != null) canary.close();
                    System.out.printf(Locale.ROOT, "| %s | %s | %.2f ms | %.2f ms | %.1f ms |%n", name, canary == null ? "off" : "on",
                            p.p50Ms(), p.p99Ms(), p.maxMs());
                }
            }
        }
    }

    /** One signal a trial raises and clears. */
    private interface Signal {
        void raise() throws Exception;

        void clear() throws Exception;
    }

    private static void reaction(PostgresConnections pg, long rows, int trials) throws Exception {
        System.out.println("| signal | trials | reaction min | median | max | backfill rows/s |");
        System.out.println("|---|---|---|---|---|---|");
        AtomicLong lag = new AtomicLong();
        measure(pg, rows, trials, "replica lag 10 s > limit 1 s", ApplyOptions.defaults().withReplicaLag(1_000, lag::get),
                new Signal() {
                    public void raise() {
                        lag.set(10_000);
                    }

                    public void clear() {
                        lag.set(0);
                    }
                });
        AtomicLong canaryP99 = new AtomicLong();
        measure(pg, rows, trials, "canary p99 500 ms > pause limit 200 ms",
                ApplyOptions.defaults().withGuardRails(new GuardRails(canaryP99::get, 200, 0)), new Signal() {
                    public void raise() {
                        canaryP99.set(500);
                    }

                    public void clear() {
                        canaryP99.set(0);
                    }
                });
        // a steady 5 s of lag under the 10 s limit; the operator lowers the limit to 1 s while the backfill runs
        measure(pg, rows, trials, "`zerodown control set max-replica-lag 1s` (lag 5 s)",
                ApplyOptions.defaults().withReplicaLag(10_000, () -> 5_000).withGuardRails(new GuardRails(null, 0, 0)), new Signal() {
                    public void raise() throws Exception {
                        try (Connection c = pg.open()) {
                            GuardRails.set(c, "max-replica-lag", "1s");
                        }
                    }

                    public void clear() throws Exception {
                        try (Connection c = pg.open()) {
                            GuardRails.set(c, "max-replica-lag", "60s");
                        }
                    }
                });
        measure(pg, rows, trials, "`zerodown control pause` (then resume)",
                ApplyOptions.defaults().withGuardRails(new GuardRails(null, 0, 0)), new Signal() {
                    public void raise() throws Exception {
                        try (Connection c = pg.open()) {
                            GuardRails.command(c, "pause");
                        }
                    }

                    public void clear() throws Exception {
                        try (Connection c = pg.open()) {
                            GuardRails.command(c, "resume");
                        }
                    }
                });
    }

    private static void measure(PostgresConnections pg, long rows, int trials, String what, ApplyOptions options, Signal signal)
            throws Exception {
        String table = "bf_" + Long.toHexString(System.nanoTime());
        setUp(pg, table, rows);
        try (Connection c = pg.open(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS zerodown CASCADE"); // each run journals its own V1
        }
        Path dir = Files.createTempDirectory("zd-watch");
        Files.writeString(dir.resolve("V1__fill.sql"), "UPDATE " + table + " SET score = length(email) WHERE score IS NULL;");
        AtomicBoolean started = new AtomicBoolean();
        AtomicBoolean finished = new AtomicBoolean();
        AtomicLong raisedAt = new AtomicLong(Long.MAX_VALUE);
        AtomicLong pausedAt = new AtomicLong();
        AtomicLong progressAt = new AtomicLong();
        long[] backfill = new long[2];
        ApplyListener listener = new ApplyListener() {
            @Override
            public void backfillStarted(Step step, long estimatedRows) {
                started.set(true);
            }

            @Override
            public void backfillProgress(Step step, long rowsDone, long estimatedRows, int batchSize) {
                progressAt.set(System.nanoTime());
            }

            @Override
            public void backfillFinished(Step step, long rowsDone) {
                backfill[0] = rowsDone;
                finished.set(true);
            }

            @Override
            public void stepFinished(io.zerodown.core.plan.MigrationPlan plan, Step step, long millis) {
                if (step.backfill() != null) backfill[1] = millis;
            }

            @Override
            public void paused(String reason) {
                long now = System.nanoTime();
                if (now >= raisedAt.get()) pausedAt.compareAndSet(0, now);
            }
        };
        List<Double> reactions = new ArrayList<>();
        Thread trigger = new Thread(() -> {
            try {
                while (!started.get() && !finished.get()) Thread.sleep(10);
                for (int i = 0; i < trials && !finished.get(); i++) {
                    Thread.sleep(300 + ThreadLocalRandom.current().nextLong(700));
                    pausedAt.set(0);
                    raisedAt.set(System.nanoTime());
                    signal.raise();
                    while (pausedAt.get() == 0 && !finished.get()) Thread.sleep(1);
                    if (pausedAt.get() != 0) reactions.add((pausedAt.get() - raisedAt.get()) / 1e6);
                    raisedAt.set(Long.MAX_VALUE);
                    signal.clear();
                    long clearedAt = System.nanoTime();
                    while (progressAt.get() < clearedAt && !finished.get()) Thread.sleep(5);
                }
            } catch (Exception e) {
                System.out.println("<!-- trigger failed: " + e + " -->");
            }
        }, "trigger");
        trigger.start();
        new PostgresApplier(pg, options, listener).apply(MigrationScanner.standard().scan(List.of(dir)));
        trigger.join(5_000);
        reactions.sort(Double::compare);
        if (reactions.isEmpty()) {
            System.out.printf(Locale.ROOT, "| %s | 0 (backfill ended first) | | | | |%n", what);
            return;
        }
        System.out.printf(Locale.ROOT, "| %s | %d | %.0f ms | %.0f ms | %.0f ms | %,.0f (pauses included) |%n", what, reactions.size(),
                reactions.get(0), reactions.get(reactions.size() / 2), reactions.get(reactions.size() - 1),
                backfill[0] * 1000.0 / Math.max(1, backfill[1]));
    }
}
