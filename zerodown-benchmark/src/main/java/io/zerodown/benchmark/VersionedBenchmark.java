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
 *   <li>the write overhead of the sync triggers: bulk updates, single-row inserts and single-row updates, without
 *       triggers, then with a migration in flight (through the old version's tables and through the new version's
 *       views), then without again; the ratio is against the mean of the two runs without;</li>
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
        exec(db, "CREATE TABLE public.w (id bigserial PRIMARY KEY, name text, amount integer NOT NULL DEFAULT 0, email text)",
                "INSERT INTO public.w (name, amount, email) SELECT 'name ' || g, g, CASE WHEN g % 10 = 0 THEN NULL ELSE 'u' || g || '@example.com' END "
                        + "FROM generate_series(1, " + n + ") g", "VACUUM ANALYZE public.w");
        System.out.printf(Locale.ROOT, "## Sync-trigger write overhead (%d-row table, median of %d trials each)%n%n", n, trials);
        Figures before = measure(dbUrl, user, null, "name", n, trials);
        VersionedEngine engine = new VersionedEngine(db, VersionedOptions.defaults(), l -> { });
        engine.start(new VersionedMigrationReader().parse("v2.yaml", MIGRATION, false, "v2"), MIGRATION, false);
        exec(db, "VACUUM ANALYZE public.w");
        Figures oldSide = measure(dbUrl, user, null, "name", n, trials);
        Figures newSide = measure(dbUrl, user, "public_v2,public", "full_name", n, trials);
        engine.rollback(null);
        exec(db, "VACUUM ANALYZE public.w");
        Figures after = measure(dbUrl, user, null, "name", n, trials);
        double bulk = (before.bulkRowsPerS + after.bulkRowsPerS) / 2;
        double ins = (before.insertsPerS + after.insertsPerS) / 2;
        double upd = (before.updatesPerS + after.updatesPerS) / 2;
        System.out.println("| writes | no triggers (before / after) | in flight, old version | in flight, new version | slowdown old / new |");
        System.out.println("|---|---|---|---|---|");
        row("bulk UPDATE, 10,000 rows per statement (rows/s)", before.bulkRowsPerS, after.bulkRowsPerS, oldSide.bulkRowsPerS, newSide.bulkRowsPerS, bulk);
        row("single-row INSERT, autocommit (ops/s)", before.insertsPerS, after.insertsPerS, oldSide.insertsPerS, newSide.insertsPerS, ins);
        row("single-row UPDATE by key, autocommit (ops/s)", before.updatesPerS, after.updatesPerS, oldSide.updatesPerS, newSide.updatesPerS, upd);
        System.out.println();
        exec(db, "DROP TABLE public.w");
    }

    private static void row(String what, double before, double after, double old, double neu, double base) {
        System.out.printf(Locale.ROOT, "| %s | %,.0f / %,.0f | %,.0f | %,.0f | %.2f× / %.2f× |%n", what, before, after, old, neu,
                base / old, base / neu);
    }

    /** Median of each figure over the trials; one connection, as the given version's app would open it. */
    static Figures measure(String dbUrl, String user, String searchPath, String nameColumn, int n, int trials) throws Exception {
        List<Double> bulk = new ArrayList<>();
        List<Double> ins = new ArrayList<>();
        List<Double> upd = new ArrayList<>();
        Random random = new Random(42);
        String u = dbUrl + "?user=" + user + (searchPath == null ? "" : "&currentSchema=" + searchPath);
        try (Connection c = DriverManager.getConnection(u)) {
            for (int t = 0; t < trials; t++) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE w SET amount = amount + 1 WHERE id > ? AND id <= ?")) {
                    long t0 = System.nanoTime();
                    for (int lo = 0; lo < n; lo += 10_000) {
                        ps.setLong(1, lo);
                        ps.setLong(2, lo + 10_000L);
                        ps.executeUpdate();
                    }
                    bulk.add(n / ((System.nanoTime() - t0) / 1e9));
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO w (" + nameColumn + ", amount, email) VALUES (?, ?, ?)")) {
                    int k = 3000;
                    long t0 = System.nanoTime();
                    for (int i = 0; i < k; i++) {
                        ps.setString(1, "bench " + i);
                        ps.setInt(2, i);
                        ps.setString(3, "b" + i + "@example.com");
                        ps.executeUpdate();
                    }
                    ins.add(k / ((System.nanoTime() - t0) / 1e9));
                }
                try (PreparedStatement ps = c.prepareStatement("UPDATE w SET amount = amount + 1, " + nameColumn + " = ? WHERE id = ?")) {
                    int k = 3000;
                    long t0 = System.nanoTime();
                    for (int i = 0; i < k; i++) {
                        ps.setString(1, "renamed " + i);
                        ps.setLong(2, 1 + random.nextInt(n));
                        ps.executeUpdate();
                    }
                    upd.add(k / ((System.nanoTime() - t0) / 1e9));
                }
            }
        }
        return new Figures(median(bulk), median(ins), median(upd));
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
        for (int batch : new int[] {1000, 5000}) {
            VersionedEngine engine = new VersionedEngine(db, VersionedOptions.defaults().withBatch(batch, 0), l -> { });
            long t0 = System.nanoTime();
            engine.start(new VersionedMigrationReader().parse("v2.yaml", m, false, "v2"), m, false);
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "| %,d | %.1f s | %,.0f |%n", batch, s, rows / s);
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
