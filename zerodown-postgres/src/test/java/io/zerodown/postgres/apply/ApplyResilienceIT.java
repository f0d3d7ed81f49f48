package io.zerodown.postgres.apply;

import io.zerodown.postgres.PostgresVersions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Real blockers, killed processes, terminated backends, two runners, drift and rollback, on real servers.
 */
class ApplyResilienceIT {

    static List<PostgresVersions.Server> servers() {
        return PostgresVersions.all();
    }

    static final String TABLE = """
            CREATE TABLE items (id bigint PRIMARY KEY, v int, note text);
            INSERT INTO items SELECT g, mod(g, 7), 'n' || g FROM generate_series(1, %d) g;
            """;

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void retriesUnderLockTimeoutUntilTheBlockerCommits(PostgresVersions.Server server, @TempDir Path dir) throws Exception {
        ApplyFixture fx = new ApplyFixture(server, dir).file("V1__init.sql", TABLE.formatted(1000));
        fx.apply();
        fx.file("V2__add.sql", "ALTER TABLE items ADD COLUMN flag boolean;");
        try (Connection blocker = fx.db.open()) {
            blocker.setAutoCommit(false);
            try (Statement st = blocker.createStatement()) {
                st.execute("SELECT * FROM items LIMIT 1");
            }
            CompletableFuture<Void> release = CompletableFuture.runAsync(() -> {
                try {
                    Thread.sleep(1500);
                    blocker.commit();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            long t0 = System.currentTimeMillis();
            fx.apply();
            long ms = System.currentTimeMillis() - t0;
            release.get(5, TimeUnit.SECONDS);
            assertThat(ms).isGreaterThanOrEqualTo(1300);
        }
        assertThat(fx.count("SELECT lock_retries FROM zerodown.steps WHERE migration_id = '2' AND idx = 0")).isPositive();
        assertThat(fx.count("SELECT count(*) FROM pg_attribute WHERE attrelid = 'items'::regclass AND attname = 'flag'")).isEqualTo(1);
        assertThat(fx.log).anyMatch(l -> l.startsWith("retry "));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void givesUpCleanlyAndNamesTheBlocker(PostgresVersions.Server server, @TempDir Path dir) throws Exception {
        ApplyFixture fx = new ApplyFixture(server, dir).file("V1__init.sql", TABLE.formatted(100));
        fx.apply();
        fx.file("V2__add.sql", "ALTER TABLE items ADD COLUMN flag boolean;");
        try (Connection blocker = fx.db.open()) {
            int pid;
            try (Statement st = blocker.createStatement()) {
                st.execute("SET application_name = 'report-job'");
                blocker.setAutoCommit(false);
                st.execute("SELECT * FROM items LIMIT 1");
                try (ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
                    rs.next();
                    pid = rs.getInt(1);
                }
            }
            PostgresApplier applier = fx.applier(ApplyOptions.defaults().withRetryBudget(6, 5_000));
            assertThatThrownBy(() -> applier.apply(fx.files())).isInstanceOf(PostgresApplier.StepFailedException.class)
                    .hasMessageContaining("pid " + pid).hasMessageContaining("report-job").hasMessageContaining("6 attempts");
            blocker.rollback();
        }
        assertThat(fx.count("SELECT count(*) FROM pg_attribute WHERE attrelid = 'items'::regclass AND attname = 'flag'")).isZero();
        assertThat(fx.text("SELECT status FROM zerodown.migrations WHERE id = '2'")).isEqualTo("failed");
        fx.apply(); // resumes now that the blocker is gone
        assertThat(fx.text("SELECT status FROM zerodown.migrations WHERE id = '2'")).isEqualTo("done");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void secondRunnerIsTurnedAway(PostgresVersions.Server server, @TempDir Path dir) throws Exception {
        ApplyFixture fx = new ApplyFixture(server, dir).file("V1__init.sql", TABLE.formatted(10));
        try (Connection other = fx.db.open(); Statement st = other.createStatement()) {
            st.execute("SET application_name = 'zerodown-other'");
            st.execute("SELECT pg_advisory_lock(" + PostgresApplier.LOCK_KEY + ")");
            assertThatThrownBy(fx::apply).isInstanceOf(PostgresApplier.AnotherRunnerException.class)
                    .hasMessageContaining("zerodown-other");
        }
        assertThat(fx.count("SELECT count(*) FROM pg_tables WHERE tablename = 'items'")).isZero();
        fx.apply();
        assertThat(fx.count("SELECT count(*) FROM items")).isEqualTo(10);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void driftIsReportedNotRerun(PostgresVersions.Server server, @TempDir Path dir) throws Exception {
        ApplyFixture fx = new ApplyFixture(server, dir).file("V1__init.sql", TABLE.formatted(10));
        fx.apply();
        fx.file("V1__init.sql", TABLE.formatted(10) + "\nINSERT INTO items VALUES (999, 1, 'again');");
        PostgresApplier.Outcome out = fx.apply();
        assertThat(out.drift()).singleElement().asString().contains("V1__init.sql").contains("not run again");
        assertThat(fx.count("SELECT count(*) FROM items")).isEqualTo(10);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void flywayHistoryCountsAsApplied(PostgresVersions.Server server, @TempDir Path dir) throws Exception {
        ApplyFixture fx = new ApplyFixture(server, dir).file("V1__init.sql", TABLE.formatted(10))
                .file("V2__more.sql", "ALTER TABLE items ADD COLUMN extra int;");
        fx.exec(TABLE.formatted(10));
        fx.exec("CREATE TABLE flyway_schema_history (installed_rank int PRIMARY KEY, version varchar(50), description varchar(200), "
                + "type varchar(20), script varchar(1000), checksum int, installed_by varchar(100), installed_on timestamp DEFAULT now(), "
                + "execution_time int, success boolean)");
        int sum = fx.files().get(0).checksum();
        fx.exec("INSERT INTO flyway_schema_history VALUES (1, '1', 'init', 'SQL', 'V1__init.sql', " + sum + ", 'me', now(), 5, true)");
        PostgresApplier.Outcome out = fx.apply();
        assertThat(out.alreadyApplied()).containsExactly("1");
        assertThat(out.applied()).containsExactly("2");
        assertThat(out.drift()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void rollbackUndoesEveryStepKindOfAFailedMigration(PostgresVersions.Server server, @TempDir Path dir) throws Exception {
        ApplyFixture fx = new ApplyFixture(server, dir).file("V1__init.sql", TABLE.formatted(2000)
                + "CREATE TABLE owners (id bigint PRIMARY KEY);\nINSERT INTO owners SELECT g FROM generate_series(0, 6) g;");
        fx.apply();
        fx.file("V2__change.sql", """
                ALTER TABLE items ADD COLUMN token text NOT NULL DEFAULT md5(random()::text);
                CREATE INDEX items_note_idx ON items (note);
                ALTER TABLE items ADD CONSTRAINT items_owner_fk FOREIGN KEY (v) REFERENCES owners (id);
                ALTER TABLE items ADD CONSTRAINT items_note_key UNIQUE (note);
                ALTER TABLE items ADD CONSTRAINT items_v_small CHECK (v < 3);
                """);
        assertThatThrownBy(fx::apply).isInstanceOf(PostgresApplier.StepFailedException.class).hasMessageContaining("items_v_small")
                .hasMessageContaining("V2__change.sql:5");
        assertThat(fx.text("SELECT status FROM zerodown.migrations WHERE id = '2'")).isEqualTo("failed");
        assertThat(fx.count("SELECT count(*) FROM pg_attribute WHERE attrelid = 'items'::regclass AND attname = 'token'")).isEqualTo(1);

        List<String> undone = new PostgresRollback(fx.db, ApplyOptions.defaults(), ApplyListener.NONE).rollback(null);
        assertThat(undone).isNotEmpty();
        assertThat(fx.count("SELECT count(*) FROM pg_attribute WHERE attrelid = 'items'::regclass AND attname = 'token' "
                + "AND NOT attisdropped")).isZero();
        assertThat(fx.count("SELECT count(*) FROM pg_class WHERE relname IN ('items_note_idx', 'items_note_key')")).isZero();
        assertThat(fx.count("SELECT count(*) FROM pg_constraint WHERE conrelid = 'items'::regclass AND contype IN ('f', 'c', 'u')")).isZero();
        assertThat(fx.text("SELECT status FROM zerodown.migrations WHERE id = '2'")).isEqualTo("rolled_back");

        fx.file("V2__change.sql", "ALTER TABLE items ADD CONSTRAINT items_v_small CHECK (v < 7);");
        fx.apply();
        assertThat(fx.text("SELECT status FROM zerodown.migrations WHERE id = '2'")).isEqualTo("done");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void rollbackRefusesWhatWouldLoseData(PostgresVersions.Server server, @TempDir Path dir) throws Exception {
        ApplyFixture fx = new ApplyFixture(server, dir).file("V1__init.sql", TABLE.formatted(500));
        fx.apply();
        fx.file("V2__change.sql", "UPDATE items SET note = 'x';\nALTER TABLE items ADD CONSTRAINT items_v_neg CHECK (v < 0);");
        assertThatThrownBy(fx::apply).isInstanceOf(PostgresApplier.StepFailedException.class);
        var rb = new PostgresRollback(fx.db, ApplyOptions.defaults(), ApplyListener.NONE);
        assertThatThrownBy(() -> rb.rollback(null)).hasMessageContaining("cannot be rolled back without losing data")
                .hasMessageContaining("Nothing was changed");
        assertThat(fx.count("SELECT count(*) FROM pg_constraint WHERE conname = 'items_v_neg'")).isEqualTo(1);
    }

    @Test
    void killedProcessMidBackfillResumesFromTheWatermark(@TempDir Path dir) throws Exception {
        ApplyFixture fx = new ApplyFixture(PostgresVersions.embedded(16), dir).file("V1__init.sql", TABLE.formatted(200_000));
        fx.apply();
        fx.file("V2__fill.sql", "ALTER TABLE items ADD COLUMN token text DEFAULT md5(random()::text);");
        Process p = child(fx, dir, 2, 200);
        waitFor(fx, "SELECT coalesce(max(rows_done), 0) FROM zerodown.steps WHERE migration_id = '2'", 2000, 60);
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        long partial = fx.count("SELECT rows_done FROM zerodown.steps WHERE migration_id = '2' AND kind = 'BACKFILL'");
        assertThat(partial).isBetween(1L, 199_999L);
        assertThat(fx.count("SELECT count(*) FROM items WHERE token IS NULL")).isPositive();
        fx.apply();
        assertThat(fx.count("SELECT count(*) FROM items WHERE token IS NULL")).isZero();
        assertThat(fx.text("SELECT status FROM zerodown.migrations WHERE id = '2'")).isEqualTo("done");
        // each row was written once by the resumed run or once before the kill, never skipped
        assertThat(fx.count("SELECT rows_done FROM zerodown.steps WHERE migration_id = '2' AND kind = 'BACKFILL'")).isEqualTo(200_000);
    }

    @Test
    void killedProcessMidIndexBuildLeavesNoInvalidIndex(@TempDir Path dir) throws Exception {
        ApplyFixture fx = new ApplyFixture(PostgresVersions.embedded(16), dir).file("V1__init.sql", TABLE.formatted(50_000));
        fx.apply();
        fx.file("V2__idx.sql", "CREATE INDEX items_note_idx ON items (note);");
        Process p;
        try (Connection old = fx.db.open(); Statement st = old.createStatement()) {
            // an old snapshot makes the concurrent build wait in its last phase, with the index already INVALID
            old.setAutoCommit(false);
            st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
            st.execute("SELECT count(*) FROM items");
            p = child(fx, dir, 30, 5000);
            waitFor(fx, "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                    + "WHERE c.relname = 'items_note_idx' AND NOT i.indisvalid", 1, 60);
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            // keep the old snapshot until the killed build's backend gives up (its lock_timeout) and goes away
            waitFor(fx, "SELECT count(*) = 0 FROM pg_stat_activity WHERE application_name = 'zerodown' "
                    + "AND pid <> pg_backend_pid() AND pid <> " + pid(old), 1, 30);
            old.rollback();
        }
        assertThat(fx.count("SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                + "WHERE c.relname = 'items_note_idx' AND NOT i.indisvalid")).isEqualTo(1);
        fx.apply();
        assertThat(fx.count("SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                + "WHERE c.relname = 'items_note_idx' AND i.indisvalid")).isEqualTo(1);
        assertThat(fx.text("SELECT status FROM zerodown.migrations WHERE id = '2'")).isEqualTo("done");
        assertThat(fx.log).anyMatch(l -> l.contains("INVALID index items_note_idx"));
    }

    @Test
    void terminatedBackendIsReconnectedAndResumed(@TempDir Path dir) throws Exception {
        ApplyFixture fx = new ApplyFixture(PostgresVersions.embedded(16), dir).file("V1__init.sql", TABLE.formatted(100_000));
        fx.apply();
        fx.file("V2__fill.sql", "ALTER TABLE items ADD COLUMN token text DEFAULT md5(random()::text);");
        PostgresApplier applier = fx.applier(ApplyOptions.defaults().withBackfill(2, 50, 10, 200));
        CompletableFuture<PostgresApplier.Outcome> run = CompletableFuture.supplyAsync(() -> {
            try {
                return applier.apply(fx.files());
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        waitFor(fx, "SELECT coalesce(max(rows_done), 0) FROM zerodown.steps WHERE migration_id = '2'", 1000, 60);
        try (Connection c = fx.db.open(); Statement st = c.createStatement()) {
            st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'zerodown' "
                    + "AND pid <> pg_backend_pid()");
        }
        PostgresApplier.Outcome out = run.get(120, TimeUnit.SECONDS);
        assertThat(out.applied()).contains("2");
        assertThat(fx.log).anyMatch(l -> l.startsWith("connection lost"));
        assertThat(fx.count("SELECT count(*) FROM items WHERE token IS NULL")).isZero();
        assertThat(fx.count("SELECT rows_done FROM zerodown.steps WHERE migration_id = '2' AND kind = 'BACKFILL'")).isEqualTo(100_000);
    }

    @Test
    void backfillPausesWhileTheReplicaLags(@TempDir Path dir) throws Exception {
        ApplyFixture fx = new ApplyFixture(PostgresVersions.embedded(16), dir).file("V1__init.sql", TABLE.formatted(20_000));
        fx.apply();
        fx.file("V2__fill.sql", "ALTER TABLE items ADD COLUMN token text DEFAULT md5(random()::text);");
        // a lag signal the test controls: 30 s of lag for the first 1.5 s, then none
        long start = System.currentTimeMillis();
        java.util.function.LongSupplier lag = () -> System.currentTimeMillis() - start < 1500 ? 30_000 : 0;
        long t0 = System.currentTimeMillis();
        fx.applier(ApplyOptions.defaults().withReplicaLag(10_000, lag)).apply(fx.files());
        assertThat(System.currentTimeMillis() - t0).isGreaterThanOrEqualTo(1400);
        assertThat(fx.log).anyMatch(l -> l.startsWith("paused: replica lag 30000 ms > 10000 ms"));
        assertThat(fx.count("SELECT count(*) FROM items WHERE token IS NULL")).isZero();
    }

    @Test
    void operatorCanPauseResumeAndAbortABackfill(@TempDir Path dir) throws Exception {
        ApplyFixture fx = new ApplyFixture(PostgresVersions.embedded(16), dir).file("V1__init.sql", TABLE.formatted(60_000));
        fx.apply();
        fx.file("V2__fill.sql", "ALTER TABLE items ADD COLUMN token text DEFAULT md5(random()::text);");
        PostgresApplier applier = fx.applier(ApplyOptions.defaults().withBackfill(2, 50, 10, 200)
                .withGuardRails(new io.zerodown.postgres.watch.GuardRails(null, 0, 0)));
        CompletableFuture<Object> run = CompletableFuture.supplyAsync(() -> {
            try {
                return applier.apply(fx.files());
            } catch (Exception e) {
                return e;
            }
        });
        waitFor(fx, "SELECT coalesce(max(rows_done), 0) FROM zerodown.steps WHERE migration_id = '2'", 500, 60);
        try (Connection c = fx.db.open()) {
            io.zerodown.postgres.watch.GuardRails.command(c, "pause");
        }
        Thread.sleep(1000);
        long atPause = fx.count("SELECT rows_done FROM zerodown.steps WHERE migration_id = '2' AND kind = 'BACKFILL'");
        Thread.sleep(1000);
        assertThat(fx.count("SELECT rows_done FROM zerodown.steps WHERE migration_id = '2' AND kind = 'BACKFILL'")).isEqualTo(atPause);
        assertThat(fx.log).anyMatch(l -> l.equals("paused: paused by zerodown control"));
        try (Connection c = fx.db.open()) {
            io.zerodown.postgres.watch.GuardRails.command(c, "abort");
        }
        Object result = run.get(60, TimeUnit.SECONDS);
        assertThat(result).isInstanceOf(PostgresApplier.StepFailedException.class);
        assertThat(((Exception) result).getMessage()).contains("aborted by zerodown control").contains("resume");
        assertThat(fx.text("SELECT status FROM zerodown.migrations WHERE id = '2'")).isEqualTo("failed");
        fx.apply(); // a new run forgets the abort and resumes from the watermark
        assertThat(fx.count("SELECT count(*) FROM items WHERE token IS NULL")).isZero();
        assertThat(fx.count("SELECT rows_done FROM zerodown.steps WHERE migration_id = '2' AND kind = 'BACKFILL'")).isEqualTo(60_000);
    }

    @Test
    void canaryLatencyAboveTheLimitPausesTheBackfill(@TempDir Path dir) throws Exception {
        ApplyFixture fx = new ApplyFixture(PostgresVersions.embedded(16), dir).file("V1__init.sql", TABLE.formatted(20_000));
        fx.apply();
        fx.file("V2__fill.sql", "ALTER TABLE items ADD COLUMN token text DEFAULT md5(random()::text);");
        long start = System.currentTimeMillis();
        // a canary signal the test controls: 400 ms p99 for the first 1.5 s, then 2 ms
        java.util.function.DoubleSupplier p99 = () -> System.currentTimeMillis() - start < 1500 ? 400 : 2;
        fx.applier(ApplyOptions.defaults().withGuardRails(new io.zerodown.postgres.watch.GuardRails(p99, 250, 0))).apply(fx.files());
        assertThat(System.currentTimeMillis() - start).isGreaterThanOrEqualTo(1400);
        assertThat(fx.log).anyMatch(l -> l.startsWith("paused: canary p99 400.0 ms > 250.0 ms"));
        assertThat(fx.count("SELECT count(*) FROM items WHERE token IS NULL")).isZero();
    }

    @Test
    void canaryAboveTheHardLimitAbortsResumably(@TempDir Path dir) throws Exception {
        ApplyFixture fx = new ApplyFixture(PostgresVersions.embedded(16), dir).file("V1__init.sql", TABLE.formatted(5_000));
        fx.apply();
        fx.file("V2__fill.sql", "ALTER TABLE items ADD COLUMN token text DEFAULT md5(random()::text);");
        assertThatThrownBy(() -> fx.applier(ApplyOptions.defaults().withGuardRails(
                new io.zerodown.postgres.watch.GuardRails(() -> 9000, 250, 5000))).apply(fx.files()))
                .hasMessageContaining("canary p99 9000.0 ms > hard limit 5000.0 ms");
        fx.apply();
        assertThat(fx.count("SELECT count(*) FROM items WHERE token IS NULL")).isZero();
    }

    private static int pid(Connection c) throws java.sql.SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static Process child(ApplyFixture fx, Path dir, long targetMs, int maxBatch) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                ApplyProcessMain.class.getName(), fx.url, fx.server.user(), dir.toString(), String.valueOf(targetMs),
                String.valueOf(maxBatch));
        pb.redirectErrorStream(true);
        pb.redirectOutput(dir.resolve("child.log").toFile());
        return pb.start();
    }

    /** Polls until the query's first column reaches at least {@code atLeast}. */
    private static void waitFor(ApplyFixture fx, String sql, long atLeast, int seconds) throws Exception {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (System.currentTimeMillis() < deadline) {
            try (Connection c = fx.db.open(); PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    Object v = rs.getObject(1);
                    long n = v instanceof Boolean b ? (b ? 1 : 0) : ((Number) v).longValue();
                    if (n >= atLeast) return;
                }
            } catch (java.sql.SQLException e) {
                // the journal may not exist yet
            }
            Thread.sleep(50);
        }
        throw new AssertionError("timed out waiting for: " + sql);
    }
}
