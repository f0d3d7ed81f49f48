package io.zerodown.benchmark;

import io.zerodown.core.plan.Step;
import io.zerodown.core.source.MigrationScanner;
import io.zerodown.postgres.apply.ApplyListener;
import io.zerodown.postgres.apply.ApplyOptions;
import io.zerodown.postgres.apply.PostgresApplier;
import io.zerodown.postgres.apply.PostgresConnections;
import io.zerodown.postgres.workload.AppWorkload;
import io.zerodown.postgres.workload.NaiveVsZerodown;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;

/**
 * The apply benchmark of the PostgreSQL apply issue, in one run:
 * <ol>
 *   <li>a table of N rows under a fixed-rate app workload, a reader holding a transaction for 5 s as the migration
 *   starts, and the migration "add a NOT NULL column with a volatile default, an index on it, and a foreign key", run
 *   naively (one transaction, as Flyway would) and with zerodown apply: app p50/p99/p99.9/max and errors before and
 *   during each, and the migration's wall time;</li>
 *   <li>backfill throughput on identical tables: one UPDATE of every row, a PL/pgSQL procedure committing every 10k
 *   rows, and zerodown's batched backfill.</li>
 * </ol>
 * Usage: {@code ApplyBenchmark [jdbc-url-of-a-server] [rows] [rate]}; a fresh database is created on the server.
 */
public final class ApplyBenchmark {

    private ApplyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String server = args.length > 0 ? args[0] : "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres";
        long rows = args.length > 1 ? Long.parseLong(args[1]) : 2_000_000;
        int rate = args.length > 2 ? Integer.parseInt(args[2]) : 500;
        String db = "zd_bench_" + Long.toHexString(System.currentTimeMillis());
        try (Connection c = DriverManager.getConnection(server); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + db);
        }
        String url = server.replaceFirst("/[^/?]+(\\?|$)", "/" + db + "$1");
        PostgresConnections pg = PostgresConnections.parse(url);
        String version;
        try (Connection c = pg.open(); Statement st = c.createStatement(); var rs = st.executeQuery("SHOW server_version")) {
            rs.next();
            version = rs.getString(1);
        }
        System.out.println("## Apply benchmark: PostgreSQL " + version + ", " + rows + " rows, app " + rate + " req/s from 4 connections");
        System.out.println();
        if (System.getProperty("zerodown.bench.throughputOnly") != null) {
            throughput(pg, rows);
            return;
        }
        NaiveVsZerodown.Config cfg = new NaiveVsZerodown.Config(rows, 4, rate, 5000, 5000, 1000, NaiveVsZerodown.Config.ADD_COLUMN);
        List<NaiveVsZerodown.Run> runs = NaiveVsZerodown.run(pg, cfg, s -> System.out.println("<!-- " + s + " -->"));
        System.out.println("| run | phase | app p50 | p99 | p99.9 | max | errors | requests | migration wall time |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (NaiveVsZerodown.Run r : runs) {
            row(r.name(), "before", r.baseline(), "");
            row(r.name(), "during", r.during(), String.format(Locale.ROOT, "%.2f s", r.migrationMs() / 1000.0)
                    + (r.failure() == null ? "" : " (failed: " + r.failure() + ")"));
        }
        System.out.println();
        throughput(pg, rows);
        try (Connection c = DriverManager.getConnection(server); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE " + db + " WITH (FORCE)");
        } catch (Exception e) {
            System.out.println("<!-- could not drop " + db + ": " + e.getMessage() + " -->");
        }
    }

    private static void row(String run, String phase, AppWorkload.Phase p, String wall) {
        System.out.printf(Locale.ROOT, "| %s | %s | %.2f ms | %.2f ms | %.2f ms | %.1f ms | %d | %d | %s |%n", run, phase, p.p50Ms(),
                p.p99Ms(), p.p999Ms(), p.maxMs(), p.errors(), p.count(), wall);
    }

    /** Rows per second of three ways to rewrite every row of a table with the same expression. */
    private static void throughput(PostgresConnections pg, long rows) throws Exception {
        String setup = "DROP TABLE IF EXISTS %1$s; CREATE TABLE %1$s (id bigint PRIMARY KEY, v int, c text); "
                + "INSERT INTO %1$s SELECT g, g %% 100, NULL FROM generate_series(1, " + rows + ") g; VACUUM ANALYZE %1$s;";
        try (Connection c = pg.open(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS zerodown CASCADE"); // the scenario above journalled its own V1
            for (String t : new String[] {"bf_update", "bf_loop", "bf_zerodown"}) {
                for (String one : String.format(setup, t).split(";")) {
                    if (!one.isBlank()) st.execute(one);
                }
            }
            st.execute("CREATE OR REPLACE PROCEDURE bf_batched(step bigint) LANGUAGE plpgsql AS $$ DECLARE lo bigint := 0; hi bigint; "
                    + "BEGIN SELECT max(id) INTO hi FROM bf_loop; WHILE lo < hi LOOP "
                    + "UPDATE bf_loop SET c = md5(id::text) WHERE id > lo AND id <= lo + step; lo := lo + step; COMMIT; END LOOP; END $$");
        }
        long single = timed(pg, "UPDATE bf_update SET c = md5(id::text)");
        long loop = timed(pg, "CALL bf_batched(10000)");
        Path dir = Files.createTempDirectory("zd-bench");
        Files.writeString(dir.resolve("V1__fill.sql"), "UPDATE bf_zerodown SET c = md5(id::text);");
        long[] backfillMs = new long[1];
        ApplyListener timing = new ApplyListener() {
            @Override
            public void stepFinished(io.zerodown.core.plan.MigrationPlan plan, Step step, long millis) {
                if (step.backfill() != null) backfillMs[0] = millis;
            }
        };
        new PostgresApplier(pg, ApplyOptions.defaults(), timing).apply(MigrationScanner.standard().scan(List.of(dir)));
        System.out.println("| backfill of " + rows + " rows (`SET c = md5(id::text)`) | wall time | rows/s |");
        System.out.println("|---|---|---|");
        line("one UPDATE of every row", single, rows);
        line("PL/pgSQL procedure, 10k-row batches, COMMIT each", loop, rows);
        line("zerodown backfill (30 ms batches, journalled)", backfillMs[0], rows);
        System.out.printf(Locale.ROOT, "%nzerodown backfill reaches %.0f %% of the server-side batched loop's rows/s.%n",
                100.0 * loop / Math.max(1, backfillMs[0]));
    }

    private static void line(String what, long ms, long rows) {
        System.out.printf(Locale.ROOT, "| %s | %.2f s | %,.0f |%n", what, ms / 1000.0, rows * 1000.0 / Math.max(1, ms));
    }

    private static long timed(PostgresConnections pg, String sql) throws Exception {
        try (Connection c = pg.open(); Statement st = c.createStatement()) {
            long t0 = System.currentTimeMillis();
            st.execute(sql);
            return System.currentTimeMillis() - t0;
        }
    }
}
