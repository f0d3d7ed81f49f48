package io.zerodown.postgres.versioned;

import io.zerodown.postgres.PostgresVersions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The five core operations in one migration, with an old-version client and a new-version client writing and
 * reading at the same time through their own version's schema: rename_column (name → full_name), change_type
 * (amount integer cents → numeric(12,2) euros), set_not_null (email, NULLs become 'unknown'), add_column (verified,
 * NOT NULL, false for rows of the old version) and drop_column (legacy, 'from-v2' for rows of the new version).
 */
class VersionedIT {
    static final String SETUP = "CREATE TABLE public.users (id bigserial PRIMARY KEY, name text, amount integer NOT NULL DEFAULT 0, "
            + "email text, legacy text NOT NULL); "
            + "INSERT INTO public.users (name, amount, email, legacy) SELECT 'seed' || g, g, CASE WHEN g % 3 = 0 THEN NULL "
            + "ELSE 'u' || g || '@example.com' END, 'L' FROM generate_series(1, 3000) g";

    static final String V2 = """
            operations:
              - rename_column: {table: users, from: name, to: full_name}
              - change_type:
                  table: users
                  column: amount
                  type: numeric(12,2)
                  up: amount / 100.0
                  down: (amount * 100)::integer
              - set_not_null: {table: users, column: email, up: "'unknown'"}
              - add_column:
                  table: users
                  column: {name: verified, type: boolean, nullable: false, default: "false"}
                  up: "false"
              - drop_column: {table: users, column: legacy, down: "'from-v2'"}
            """;

    static List<PostgresVersions.Server> servers() {
        List<PostgresVersions.Server> s = new ArrayList<>();
        s.add(PostgresVersions.embedded(14));
        s.add(PostgresVersions.embedded(18));
        PostgresVersions.Server local = PostgresVersions.localServer();
        s.add(local != null ? local : PostgresVersions.embedded(16));
        return s;
    }

    /** Writes like the app version before the migration: through the tables, with the old column names. */
    static final class OldClient extends Client {
        OldClient(VersionedFixture fx) {
            super(fx, "\"public\"");
        }

        @Override
        void once(Connection c, int i) throws SQLException {
            String email = i % 4 == 0 ? null : "old" + i + "@example.com";
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO users (name, amount, email, legacy) VALUES (?, ?, ?, 'L') RETURNING id")) {
                ps.setString(1, "old" + i);
                ps.setInt(2, i * 7);
                ps.setString(3, email);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    rows.put(rs.getLong(1), new Object[] {"old" + i, i * 7, email});
                }
            }
            if (i % 2 == 1 && !rows.isEmpty()) {
                long id = pick();
                Object[] r = rows.get(id);
                try (PreparedStatement ps = c.prepareStatement("UPDATE users SET name = ?, amount = ? WHERE id = ?")) {
                    ps.setString(1, r[0] + "+");
                    ps.setInt(2, (Integer) r[1] + 100);
                    ps.setLong(3, id);
                    ps.executeUpdate();
                }
                rows.put(id, new Object[] {r[0] + "+", (Integer) r[1] + 100, r[2]});
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT name, amount, email, legacy FROM users WHERE id = ?")) {
                ps.setLong(1, pick());
                ps.executeQuery().close();
            }
        }
    }

    /** Writes like the new app version: through its schema of views, with the new names and types. */
    static final class NewClient extends Client {
        NewClient(VersionedFixture fx, String searchPath) {
            super(fx, searchPath);
        }

        @Override
        void once(Connection c, int i) throws SQLException {
            BigDecimal amount = new BigDecimal(i).add(new BigDecimal("0.25"));
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO users (full_name, amount, email, verified) VALUES (?, ?, ?, ?) RETURNING id")) {
                ps.setString(1, "new" + i);
                ps.setBigDecimal(2, amount);
                ps.setString(3, "new" + i + "@example.com");
                ps.setBoolean(4, i % 2 == 0);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    rows.put(rs.getLong(1), new Object[] {"new" + i, amount, "new" + i + "@example.com", i % 2 == 0});
                }
            }
            if (i % 2 == 1) {
                long id = pick();
                Object[] r = rows.get(id);
                try (PreparedStatement ps = c.prepareStatement("UPDATE users SET full_name = ?, amount = ? WHERE id = ?")) {
                    ps.setString(1, r[0] + "*");
                    ps.setBigDecimal(2, ((BigDecimal) r[1]).add(BigDecimal.ONE));
                    ps.setLong(3, id);
                    ps.executeUpdate();
                }
                rows.put(id, new Object[] {r[0] + "*", ((BigDecimal) r[1]).add(BigDecimal.ONE), r[2], r[3]});
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT full_name, amount, email, verified::text FROM users WHERE id = ?")) {
                ps.setLong(1, pick());
                ps.executeQuery().close();
            }
        }
    }

    abstract static class Client implements Runnable {
        final VersionedFixture fx;
        final String searchPath;
        final Map<Long, Object[]> rows = new ConcurrentHashMap<>();
        final List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        final AtomicBoolean stop = new AtomicBoolean();
        final Random random = new Random(7);
        Thread thread;
        volatile int done;

        Client(VersionedFixture fx, String searchPath) {
            this.fx = fx;
            this.searchPath = searchPath;
        }

        abstract void once(Connection c, int i) throws SQLException;

        long pick() {
            List<Long> ids = new ArrayList<>(rows.keySet());
            return ids.isEmpty() ? 1 : ids.get(random.nextInt(ids.size()));
        }

        Client begin() {
            thread = new Thread(this, getClass().getSimpleName());
            thread.start();
            return this;
        }

        @Override
        public void run() {
            try (Connection c = fx.app(searchPath)) {
                for (int i = 1; !stop.get(); i++) {
                    once(c, i);
                    done = i;
                    Thread.sleep(2);
                }
            } catch (Throwable t) {
                errors.add(t);
            }
        }

        void finish() throws InterruptedException {
            stop.set(true);
            thread.join(10_000);
        }

        /** Lets the client do at least {@code n} more iterations. */
        void atLeast(int n) throws InterruptedException {
            int target = done + n;
            long until = System.currentTimeMillis() + 10_000;
            while (done < target && errors.isEmpty() && System.currentTimeMillis() < until) Thread.sleep(5);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void oldAndNewVersionsWriteTogetherThenComplete(PostgresVersions.Server server) throws Exception {
        VersionedFixture fx = new VersionedFixture(server);
        fx.exec(SETUP);
        OldClient old = (OldClient) new OldClient(fx).begin();
        old.atLeast(20);
        VersionedEngine.Started started = fx.start("v2", V2);
        assertThat(started.versionSchema()).isEqualTo("public_v2");
        NewClient neu = (NewClient) new NewClient(fx, started.searchPath()).begin();
        old.atLeast(40);
        neu.atLeast(40);
        old.finish();
        neu.finish();
        assertThat(old.errors).isEmpty();
        assertThat(neu.errors).isEmpty();

        // while both versions are live, each sees the other's rows in its own shape
        assertNewSeesOld(fx, old);
        assertOldSeesNew(fx, neu);
        assertThat(fx.count("SELECT count(*) FROM public_v2.users WHERE email IS NULL OR verified IS NULL")).isZero();
        assertThat(fx.count("SELECT count(*) FROM public_v2.users WHERE full_name LIKE 'seed%' AND email = 'unknown'")).isEqualTo(1000);

        // the old instances are gone; the new version keeps writing while complete contracts
        NewClient during = (NewClient) new NewClient(fx, started.searchPath()).begin();
        during.atLeast(20);
        fx.engine().complete(null);
        during.atLeast(20);
        during.finish();
        assertThat(during.errors).isEmpty();
        assertThat(fx.columns("public", "users")).containsExactlyInAnyOrderEntriesOf(Map.of(
                "id", "bigint NOT NULL DEFAULT nextval('users_id_seq'::regclass)",
                "full_name", "text",
                "amount", "numeric(12,2) NOT NULL DEFAULT 0",
                "email", "text NOT NULL",
                "verified", "boolean NOT NULL DEFAULT false"));
        assertThat(fx.objects()).containsExactly("constraint users users_pkey true", "index users_pkey", "schema public",
                "schema public_v2");
        assertNewSeesOld(fx, old);
        assertNewRowsAfterComplete(fx, neu);
        assertNewRowsAfterComplete(fx, during);
        assertThat(fx.count("SELECT count(*) FROM public.users")).isEqualTo(3000 + old.rows.size() + neu.rows.size() + during.rows.size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void rollbackAfterStartKeepsRowsOfBothVersions(PostgresVersions.Server server) throws Exception {
        VersionedFixture fx = new VersionedFixture(server);
        fx.exec(SETUP);
        Map<String, String> before = fx.columns("public", "users");
        List<String> objectsBefore = fx.objects();
        OldClient old = (OldClient) new OldClient(fx).begin();
        VersionedEngine.Started started = fx.start("v2", V2);
        NewClient neu = (NewClient) new NewClient(fx, started.searchPath()).begin();
        neu.atLeast(40);
        neu.finish();
        old.atLeast(20);
        fx.engine().rollback(null);
        old.atLeast(20);
        old.finish();
        assertThat(old.errors).isEmpty();
        assertThat(neu.errors).isEmpty();
        assertThat(fx.columns("public", "users")).isEqualTo(before);
        assertThat(fx.objects()).isEqualTo(objectsBefore);
        assertOldSeesNew(fx, neu);
        assertOldRows(fx, old);
        assertThat(fx.count("SELECT count(*) FROM public.users")).isEqualTo(3000 + old.rows.size() + neu.rows.size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void killedStartIsResumedOrRolledBack(PostgresVersions.Server server) throws Exception {
        VersionedFixture fx = new VersionedFixture(server);
        fx.exec(SETUP);
        Map<String, String> before = fx.columns("public", "users");
        // dies in the middle of the backfill, after two batches: the watermark is journalled with each batch
        VersionedOptions dying = VersionedOptions.defaults().withBatch(500, 0).withAfterStep((phase, i) -> {
            if (phase.equals("backfill-batch") && i >= 1000) throw new IllegalStateException("killed");
        });
        assertThatThrownBy(() -> fx.engine(dying).start(VersionedFixture.yaml("v2", V2), V2, false)).hasMessage("killed");
        assertThat(fx.rows("SELECT status FROM zerodown.versioned_migrations")).containsExactly("starting");
        assertThat(fx.count("SELECT rows_done FROM zerodown.versioned_backfill")).isEqualTo(1000);
        assertThat(fx.count("SELECT count(*) FROM pg_namespace WHERE nspname = 'public_v2'")).isZero();
        assertThatThrownBy(() -> fx.engine().complete(null)).hasMessageContaining("re-run 'zerodown start");

        // the old version keeps writing in between
        fx.exec("INSERT INTO public.users (name, amount, email, legacy) VALUES ('between', 250, NULL, 'L')");

        // rollback from here restores the table exactly
        fx.engine().rollback(null);
        assertThat(fx.columns("public", "users")).isEqualTo(before);
        assertThat(fx.count("SELECT count(*) FROM public.users")).isEqualTo(3001);

        // a second kill, then a plain re-run resumes after the journalled watermark
        assertThatThrownBy(() -> fx.engine(dying).start(VersionedFixture.yaml("v2", V2), V2, false)).hasMessage("killed");
        fx.exec("UPDATE public.users SET amount = 999 WHERE name = 'between'");
        VersionedEngine.Started resumed = fx.engine().start(VersionedFixture.yaml("v2", V2), V2, false);
        assertThat(resumed.resumed()).isTrue();
        assertThat(fx.log).anyMatch(l -> l.contains("resuming the interrupted start"));
        // the 'between' row was synced by its own update, so the backfill had 3000 rows left to touch, not 3001
        assertThat(fx.count("SELECT rows_done FROM zerodown.versioned_backfill")).isEqualTo(3000);
        assertThat(fx.rows("SELECT full_name, amount, email, verified::text FROM public_v2.users WHERE full_name IN ('between', 'seed3', 'seed4') "
                + "ORDER BY 1")).containsExactly("between|9.99|unknown|false", "seed3|0.03|unknown|false",
                "seed4|0.04|u4@example.com|false");
        fx.engine().complete(null);
        assertThat(fx.count("SELECT count(*) FROM public.users WHERE email = 'unknown'")).isEqualTo(1001);
    }

    /** id → "a|b|c|d" for every row of a query whose first column is the id: one round trip for all rows. */
    static Map<Long, String> byId(VersionedFixture fx, String sql) throws SQLException {
        Map<Long, String> out = new java.util.HashMap<>();
        for (String row : fx.rows(sql)) {
            int bar = row.indexOf('|');
            out.put(Long.parseLong(row.substring(0, bar)), row.substring(bar + 1));
        }
        return out;
    }

    static void assertNewSeesOld(VersionedFixture fx, OldClient old) throws SQLException {
        Map<Long, String> actual = byId(fx, "SELECT id, full_name, amount, email, verified::text FROM public_v2.users");
        for (var e : old.rows.entrySet()) {
            Object[] r = e.getValue();
            String amount = new BigDecimal((Integer) r[1]).movePointLeft(2).setScale(2).toPlainString();
            assertThat(actual.get(e.getKey())).as("old row %d through the new version", e.getKey())
                    .isEqualTo(r[0] + "|" + amount + "|" + (r[2] == null ? "unknown" : r[2]) + "|false");
        }
    }

    static void assertOldSeesNew(VersionedFixture fx, NewClient neu) throws SQLException {
        Map<Long, String> actual = byId(fx, "SELECT id, name, amount, email, legacy FROM public.users");
        for (var e : neu.rows.entrySet()) {
            Object[] r = e.getValue();
            int cents = ((BigDecimal) r[1]).movePointRight(2).intValueExact();
            assertThat(actual.get(e.getKey())).as("new row %d through the old version", e.getKey())
                    .isEqualTo(r[0] + "|" + cents + "|" + r[2] + "|from-v2");
        }
    }

    static void assertNewRowsAfterComplete(VersionedFixture fx, NewClient neu) throws SQLException {
        Map<Long, String> actual = byId(fx, "SELECT id, full_name, amount, email, verified::text FROM public.users");
        for (var e : neu.rows.entrySet()) {
            Object[] r = e.getValue();
            assertThat(actual.get(e.getKey())).as("new row %d after complete", e.getKey())
                    .isEqualTo(r[0] + "|" + r[1] + "|" + r[2] + "|" + r[3]);
        }
    }

    static void assertOldRows(VersionedFixture fx, OldClient old) throws SQLException {
        Map<Long, String> actual = byId(fx, "SELECT id, name, amount, email, legacy FROM public.users");
        for (var e : old.rows.entrySet()) {
            Object[] r = e.getValue();
            assertThat(actual.get(e.getKey())).isEqualTo(r[0] + "|" + r[1] + "|" + r[2] + "|L");
        }
    }
}
