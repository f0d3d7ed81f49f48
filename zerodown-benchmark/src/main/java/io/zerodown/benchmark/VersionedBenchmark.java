package io.zerodown.benchmark;

import io.zerodown.core.versioned.VersionedMigrationReader;
import io.zerodown.postgres.apply.PostgresConnections;
import io.zerodown.postgres.versioned.VersionedEngine;
import io.zerodown.postgres.versioned.VersionedOptions;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Versioned migrations on a real PostgreSQL server, in a fresh database dropped at the end:
 * <ol>
 *   <li>the write overhead of the sync triggers: bulk updates, single-row inserts and single-row updates on a table
 *       without triggers and, taking turns statement by statement, on an identical table with a migration in flight
 *       (through the old version's table and through the new version's views);</li>
 *   <li>the time from {@code start} to ready (new version's schema published) on a table of ROWS rows whose column
 *       changes type, so every row is backfilled through the trigger.</li>
 * </ol>
 * Usage: VersionedBenchmark JDBC_URL [ROWS] [OVERHEAD_ROWS] [TRIALS]
 */
public final class VersionedBenchmark {
    static final String MIGRATION = """
            name: v2
            operations:
              - rename_column: {table: w, from: name, to: full_name}
              - change_type: {table: w, column: amount, type: bigint, up: amount::bigint, down: amount::integer}
              - set_not_null: {table: w, column: email, up: "'unknown'"}
            """;

    public static void main(String[] args) throws Exception {
        String url = args.length > 0 ? args[0] : "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres";
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : 2_000_000;
        int overheadRows = args.length > 2 ? Integer.parseInt(args[2]) : 200_000;
        int trials = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        String db = "zd_vbench_" + Long.toHexString(System.currentTimeMillis());
        PostgresConnections admin = PostgresConnections.parse(url);
        try (Connection c = admin.open(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + db);
        }
        String dbUrl = admin.jdbcUrl().substring(0, admin.jdbcUrl().lastIndexOf('/') + 1) + db;
        String user = url.replaceAll(".*[?&]user=([^&]*).*", "$1");
        if (user.equals(url)) user = System.getenv().getOrDefault("PGUSER", "postgres");
        try {
            overhead(dbUrl, user, overheadRows, trials);
            startToReady(dbUrl, user, rows);
        } finally {
            try (Connection c = admin.open(); Statement st = c.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + db + (serverMajor(c) >= 13 ? " WITH (FORCE)" : ""));
            }
        }
    }

    private static int serverMajor(Connection c) throws Exception {
        return c.getMetaData().getDatabaseMajorVersion();
    }

    record Figures(double bulkRowsPerS, double insertsPerS, double updatesPerS) {
    }

    static void overhead(String dbUrl, String user, int n, int trials) throws Exception {
        PostgresConnections db = PostgresConnections.of(dbUrl, user);
        // two identical tables; the migration is in flight on w only, so each trial measures the plain table, then w
        // through the old version, then w through the new version's views, one after the other under the same load
        for (String t : new String[] {"plain", "w"}) {
            exec(db, "CREATE TABLE public." + t + " (id bigserial PRIMARY KEY, name text, amount integer NOT NULL DEFAULT 0, email text)",
                    "INSERT INTO public." + t + " (name, amount, email) SELECT 'name ' || g, g, CASE WHEN g % 10 = 0 THEN NULL "
                            + "ELSE 'u' || g || '@example.com' END FROM generate_series(1, " + n + ") g");
        }
        VersionedEngine engine = new VersionedEngine(db, VersionedOptions.defaults(), l -> { });
        engine.start(new VersionedMigrationReader().parse("v2.yaml", MIGRATION, false, "v2"), MIGRATION, false);
        exec(db, "VACUUM ANALYZE public.plain", "VACUUM ANALYZE public.w");
        System.out.printf(Locale.ROOT, "## Sync-trigger write overhead (%d-row tables, median of %d interleaved trials after a warm-up)%n%n", n, trials);
        List<Figures> plain = new ArrayList<>();
        List<Figures> old = new ArrayList<>();
        List<Figures> neu = new ArrayList<>();
        Random random = new Random(42);
        String base = dbUrl + "?user=" + user;
        try (Connection cp = DriverManager.getConnection(base); Connection co = DriverManager.getConnection(base);
             Connection cn = DriverManager.getConnection(base + "&currentSchema=public_v2,public")) {
            for (int t = -1; t < trials; t++) {
                Figures[] f = measureInterleaved(cp, co, cn, n, random);
                if (t < 0) continue; // warm-up: plans, plpgsql compilation, caches
                plain.add(f[0]);
                old.add(f[1]);
                neu.add(f[2]);
            }
        }
        Figures p = medianOf(plain);
        Figures o = medianOf(old);
        Figures w = medianOf(neu);
        System.out.println("| writes | no triggers | in flight, old version | in flight, new version | slowdown old / new |");
        System.out.println("|---|---|---|---|---|");
        row("bulk UPDATE, 10,000 rows per statement (rows/s)", p.bulkRowsPerS, o.bulkRowsPerS, w.bulkRowsPerS);
        row("single-row INSERT, 100 per transaction (ops/s)", p.insertsPerS, o.insertsPerS, w.insertsPerS);
        row("single-row UPDATE by key, 100 per transaction (ops/s)", p.updatesPerS, o.updatesPerS, w.updatesPerS);
        System.out.println();
        engine.rollback(null);
        exec(db, "DROP TABLE public.w", "DROP TABLE public.plain");
    }

    private static void row(String what, double plain, double old, double neu) {
        System.out.printf(Locale.ROOT, "| %s | %,.0f | %,.0f | %,.0f | %.2f× / %.2f× |%n", what, plain, old, neu, plain / old, plain / neu);
    }

    private static Figures medianOf(List<Figures> fs) {
        return new Figures(median(fs.stream().map(Figures::bulkRowsPerS).toList()), median(fs.stream().map(Figures::insertsPerS).toList()),
                median(fs.stream().map(Figures::updatesPerS).toList()));
    }

    /**
     * One trial: the three writers take turns statement by statement (bulk) or chunk by chunk (single rows, 100 per
     * transaction so that commit latency does not drown the trigger's cost), so a load swing on the shared machine
     * hits all three alike. Index 0: plain table; 1: old version; 2: new version.
     */
    static Figures[] measureInterleaved(Connection cp, Connection co, Connection cn, int n, Random random) throws Exception {
        Connection[] cs = {cp, co, cn};
        String[] tables = {"plain", "w", "w"};
        String[] names = {"name", "name", "full_name"};
        long[] bulkNs = new long[3];
        long[] insNs = new long[3];
        long[] updNs = new long[3];
        PreparedStatement[] bulk = new PreparedStatement[3];
        PreparedStatement[] ins = new PreparedStatement[3];
        PreparedStatement[] upd = new PreparedStatement[3];
        for (int i = 0; i < 3; i++) {
            bulk[i] = cs[i].prepareStatement("UPDATE " + tables[i] + " SET amount = amount + 1 WHERE id > ? AND id <= ?");
            ins[i] = cs[i].prepareStatement("INSERT INTO " + tables[i] + " (" + names[i] + ", amount, email) VALUES (?, ?, ?)");
            upd[i] = cs[i].prepareStatement("UPDATE " + tables[i] + " SET amount = amount + 1, " + names[i] + " = ? WHERE id = ?");
        }
        for (int lo = 0; lo < n; lo += 10_000) {
            for (int i = 0; i < 3; i++) {
                long t0 = System.nanoTime();
                bulk[i].setLong(1, lo);
                bulk[i].setLong(2, lo + 10_000L);
                bulk[i].executeUpdate();
                bulkNs[i] += System.nanoTime() - t0;
            }
        }
        int chunks = 20;
        int perChunk = 100;
        for (int ch = 0; ch < chunks; ch++) {
            for (int i = 0; i < 3; i++) {
                cs[i].setAutoCommit(false);
                long t0 = System.nanoTime();
                for (int k = 0; k < perChunk; k++) {
                    ins[i].setString(1, "bench " + k);
                    ins[i].setInt(2, k);
                    ins[i].setString(3, "b" + k + "@example.com");
                    ins[i].executeUpdate();
                }
                cs[i].commit();
                insNs[i] += System.nanoTime() - t0;
                t0 = System.nanoTime();
                for (int k = 0; k < perChunk; k++) {
                    upd[i].setString(1, "renamed " + k);
                    upd[i].setLong(2, 1 + random.nextInt(n));
                    upd[i].executeUpdate();
                }
                cs[i].commit();
                updNs[i] += System.nanoTime() - t0;
                cs[i].setAutoCommit(true);
            }
        }
        Figures[] out = new Figures[3];
        for (int i = 0; i < 3; i++) {
            bulk[i].close();
            ins[i].close();
            upd[i].close();
            out[i] = new Figures(n / (bulkNs[i] / 1e9), chunks * perChunk / (insNs[i] / 1e9), chunks * perChunk / (updNs[i] / 1e9));
        }
        return out;
    }

    static void startToReady(String dbUrl, String user, int rows) throws Exception {
        PostgresConnections db = PostgresConnections.of(dbUrl, user);
        exec(db, "CREATE TABLE public.w (id bigserial PRIMARY KEY, name text, amount integer NOT NULL DEFAULT 0, email text)",
                "INSERT INTO public.w (name, amount, email) SELECT 'name ' || g, g, 'u' || g || '@example.com' FROM generate_series(1, " + rows + ") g",
                "VACUUM ANALYZE public.w");
        String m = "operations: [{change_type: {table: w, column: amount, type: bigint, up: amount::bigint, down: amount::integer}}]";
        System.out.printf(Locale.ROOT, "## start to ready on %,d rows (change_type integer → bigint: every row backfilled)%n%n", rows);
        System.out.println("| batch size | start → ready | backfill rows/s |");
        System.out.println("|---|---|---|");
        // 0: the default, batches sized to a 30 ms target; otherwise fixed batches of that many rows
        for (int batch : new int[] {0, 1000, 5000}) {
            VersionedOptions o = batch == 0 ? VersionedOptions.defaults() : VersionedOptions.defaults().withBatch(batch, 0);
            VersionedEngine engine = new VersionedEngine(db, o, l -> { });
            long t0 = System.nanoTime();
            engine.start(new VersionedMigrationReader().parse("v2.yaml", m, false, "v2"), m, false);
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "| %s | %.1f s | %,.0f |%n", batch == 0 ? "30 ms target (default)" : String.format(Locale.ROOT,
                    "%,d fixed", batch), s, rows / s);
            engine.rollback(null);
            exec(db, "VACUUM public.w");
        }
        System.out.println();
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }

    private static void exec(PostgresConnections db, String... sql) throws Exception {
        try (Connection c = db.open(); Statement st = c.createStatement()) {
            for (String s : sql) st.execute(s);
        }
    }
}
