package io.zerodown.postgres.workload;

import io.zerodown.core.source.MigrationScanner;
import io.zerodown.postgres.apply.ApplyListener;
import io.zerodown.postgres.apply.ApplyOptions;
import io.zerodown.postgres.apply.PostgresApplier;
import io.zerodown.postgres.apply.PostgresConnections;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The same migration run twice on identical tables under the same app workload and the same long-running
 * transaction: once naively (statement by statement in one transaction, as a plain runner would) and once through
 * zerodown apply. What the app saw in each run is the result.
 */
public final class NaiveVsZerodown {

    /**
     * @param rows          rows in each table
     * @param connections   app connections
     * @param rate          app requests per second
     * @param longTxMs      how long a reader keeps a transaction open on the table as the migration starts
     * @param baselineMs    how long to measure the app before the migration
     * @param afterMs       how long to keep measuring after the migration ends
     * @param migration     the migration SQL with {table} for the table's name
     */
    public record Config(long rows, int connections, int rate, long longTxMs, long baselineMs, long afterMs, String migration) {

        public static final String ADD_COLUMN = """
                ALTER TABLE {table} ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid();
                CREATE INDEX {table}_token_idx ON {table} (token);
                ALTER TABLE {table} ADD CONSTRAINT {table}_owner_fk FOREIGN KEY (owner_id) REFERENCES demo_owners (id);
                """;
    }

    /** One run: the baseline and migration phases the app saw, and the migration's wall time. */
    public record Run(String name, AppWorkload.Phase baseline, AppWorkload.Phase during, long migrationMs, String failure) {
    }

    private NaiveVsZerodown() {
    }

    public static List<Run> run(PostgresConnections db, Config cfg, Consumer<String> log) throws Exception {
        log.accept("loading " + cfg.rows() + " rows into demo_naive and demo_zerodown ...");
        try (Connection c = db.open(); Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS demo_naive, demo_zerodown, demo_owners CASCADE");
            st.execute("DROP SCHEMA IF EXISTS zerodown CASCADE");
            st.execute("CREATE TABLE demo_owners (id bigint PRIMARY KEY)");
            st.execute("INSERT INTO demo_owners SELECT g FROM generate_series(1, 1000) g");
            for (String t : new String[] {"demo_naive", "demo_zerodown"}) {
                st.execute("CREATE TABLE " + t + " (id bigserial PRIMARY KEY, email text NOT NULL, name text, "
                        + "balance numeric(12,2) NOT NULL DEFAULT 0, owner_id bigint NOT NULL DEFAULT 1, "
                        + "created_at timestamptz NOT NULL DEFAULT now())");
                st.execute("INSERT INTO " + t + " (email, name, owner_id) SELECT 'user' || g || '@example.org', 'n' || g, "
                        + "1 + g % 1000 FROM generate_series(1, " + cfg.rows() + ") g");
                st.execute("VACUUM ANALYZE " + t);
            }
        }
        List<Run> runs = new ArrayList<>();
        runs.add(one(db, cfg, "naive", "demo_naive", log));
        runs.add(one(db, cfg, "zerodown", "demo_zerodown", log));
        return runs;
    }

    private static Run one(PostgresConnections db, Config cfg, String name, String table, Consumer<String> log) throws Exception {
        String sql = cfg.migration().replace("{table}", table);
        try (AppWorkload app = new AppWorkload(db, table, cfg.connections(), cfg.rate(), cfg.rows())) {
            app.start("baseline");
            Thread.sleep(cfg.baselineMs());
            AppWorkload.Phase during = app.phase("during");
            Thread holder = holdLongTransaction(db, table, cfg.longTxMs());
            Thread.sleep(200);
            log.accept(name + ": migrating " + table + " while a reader holds a transaction open for " + cfg.longTxMs() + " ms ...");
            long t0 = System.currentTimeMillis();
            String failure = null;
            try {
                if (name.equals("naive")) naive(db, sql);
                else zerodown(db, sql);
            } catch (Exception e) {
                failure = e.getMessage().split("\n")[0];
            }
            long ms = System.currentTimeMillis() - t0;
            holder.join();
            Thread.sleep(cfg.afterMs());
            app.phase("after");
            log.accept(name + ": migration took " + ms + " ms" + (failure == null ? "" : " and failed: " + failure));
            return new Run(name, app.find("baseline"), during, ms, failure);
        }
    }

    /** As a plain runner: all statements in one transaction, no lock_timeout. */
    private static void naive(PostgresConnections db, String sql) throws SQLException {
        try (Connection c = db.open()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                for (String s : sql.split(";")) {
                    if (!s.isBlank()) st.execute(s);
                }
            }
            c.commit();
        }
    }

    private static void zerodown(PostgresConnections db, String sql) throws Exception {
        Path dir = Files.createTempDirectory("zerodown-demo");
        Files.writeString(dir.resolve("V1__demo.sql"), sql);
        new PostgresApplier(db, ApplyOptions.defaults(), ApplyListener.NONE).apply(MigrationScanner.standard().scan(List.of(dir)));
    }

    /** A reader that opens a transaction on the table and keeps it open, as real apps (and pg_dump) do. */
    private static Thread holdLongTransaction(PostgresConnections db, String table, long ms) {
        Thread t = new Thread(() -> {
            try (Connection c = db.open()) {
                c.setAutoCommit(false);
                try (Statement st = c.createStatement()) {
                    st.execute("SET application_name = 'long-report'");
                    st.executeQuery("SELECT count(*) FROM " + table + " WHERE id < 100").close();
                }
                Thread.sleep(ms);
                c.commit();
            } catch (Exception ignored) {
                // the report ending early only shortens the experiment
            }
        }, "long-transaction");
        t.start();
        return t;
    }
}
