package io.zerodown.postgres.versioned;

import io.zerodown.postgres.PostgresVersions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** start killed with SIGKILL in the middle of its backfill (a whole JVM, not a thread): resumed, or rolled back. */
class VersionedKillIT {

    static List<PostgresVersions.Server> servers() {
        return VersionedIT.servers();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void killedStartProcessResumesOrRollsBack(PostgresVersions.Server server) throws Exception {
        for (boolean resume : new boolean[] {true, false}) {
            VersionedFixture fx = new VersionedFixture(server);
            fx.exec(VersionedIT.SETUP);
            Map<String, String> before = fx.columns("public", "users");
            Process p = startProcess(fx);
            try {
                waitFor(fx, "SELECT coalesce(max(rows_done), 0) FROM zerodown.versioned_backfill", 600, 60);
            } finally {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            long partial = fx.count("SELECT rows_done FROM zerodown.versioned_backfill");
            assertThat(partial).isBetween(600L, 2999L);
            assertThat(fx.rows("SELECT status FROM zerodown.versioned_migrations")).containsExactly("starting");
            // the old version writes while nobody runs zerodown
            fx.exec("INSERT INTO public.users (name, amount, email, legacy) VALUES ('after kill', 5, NULL, 'L')");
            // the killed session's advisory lock went with its connection; wait until the server has noticed
            waitFor(fx, "SELECT (count(*) = 0)::int FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' "
                    + "AND a.datname = current_database() AND a.pid <> pg_backend_pid()", 1, 30);
            if (resume) {
                VersionedEngine.Started s = fx.engine().start(VersionedFixture.yaml("v2", VersionedIT.V2), VersionedIT.V2, false);
                assertThat(s.resumed()).isTrue();
                // every row backfilled exactly once across both runs (the one written in between was synced by its insert)
                assertThat(fx.count("SELECT rows_done FROM zerodown.versioned_backfill")).isEqualTo(3000);
                assertThat(fx.count("SELECT count(*) FROM public.users WHERE \"_zd_v2_pending\"")).isZero();
                assertThat(fx.rows("SELECT full_name, amount, email, verified::text FROM public_v2.users WHERE full_name IN "
                        + "('after kill', 'seed2999') ORDER BY 1")).containsExactly("after kill|0.05|unknown|false",
                        "seed2999|29.99|u2999@example.com|false");
            } else {
                fx.engine().rollback(null);
                assertThat(fx.columns("public", "users")).isEqualTo(before);
                assertThat(fx.count("SELECT count(*) FROM public.users")).isEqualTo(3001);
            }
        }
    }

    private static Process startProcess(VersionedFixture fx) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), StartProcessMain.class.getName(),
                fx.url, fx.server.user(), VersionedIT.V2);
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        return pb.start();
    }

    private static void waitFor(VersionedFixture fx, String sql, long atLeast, int seconds) throws Exception {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (System.currentTimeMillis() < deadline) {
            try {
                if (fx.count(sql) >= atLeast) return;
            } catch (java.sql.SQLException e) {
                // the journal may not exist yet
            }
            Thread.sleep(20);
        }
        throw new AssertionError("timed out waiting for " + sql + " >= " + atLeast + "; sessions: "
                + fx.rows("SELECT pid, application_name, state, query FROM pg_stat_activity WHERE datname = current_database()"));
    }
}
