package io.zerodown.postgres.versioned;

import io.zerodown.postgres.PostgresVersions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * How apps pick a version when a session SET does not stick (PgBouncer in transaction mode): a login role per version
 * whose search_path is set by the server at session start, or SET LOCAL at the start of each transaction. And the
 * lock-timeout rules: a start that meets a lock holder retries, then succeeds or gives up naming the holder.
 */
class VersionedPoolingIT {

    static List<PostgresVersions.Server> servers() {
        return VersionedIT.servers();
    }

    static final String TABLE = "CREATE TABLE public.items (id bigserial PRIMARY KEY, price integer); "
            + "INSERT INTO public.items (price) SELECT g FROM generate_series(1, 500) g";
    static final String V2 = "operations: [{change_type: {table: items, column: price, type: bigint, up: 'price * 10', down: '(price / 10)::int'}}]";

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void perVersionRoleAndSetLocalBothWriteOnTheNewSide(PostgresVersions.Server server) throws Exception {
        VersionedFixture fx = new VersionedFixture(server);
        fx.exec(TABLE);
        String role = "zd_app_v2_" + Long.toHexString(System.nanoTime());
        // the app role's grants exist before start, on the tables only: start copies them to the views
        fx.exec("CREATE ROLE " + role + " LOGIN", "GRANT USAGE ON SCHEMA public TO " + role,
                "GRANT SELECT, INSERT, UPDATE ON public.items TO " + role,
                "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO " + role);
        VersionedEngine.Started v = fx.start("v2", V2);
        fx.exec("ALTER ROLE " + role + " SET search_path = " + v.searchPath());
        try {
            // no currentSchema, no SET: the role's setting alone picks the version, as behind a transaction pooler
            String asRole = fx.url.replaceAll("([?&])user=[^&]*&?", "$1").replaceAll("[?&]$", "");
            try (Connection c = DriverManager.getConnection(asRole, role, ""); Statement st = c.createStatement()) {
                assertThat(c.getMetaData().getUserName()).isEqualTo(role);
                st.execute("INSERT INTO items (id, price) VALUES (1001, 70)");
            }
            // SET LOCAL lasts one transaction: also safe with transaction pooling
            try (Connection c = fx.open(); Statement st = c.createStatement()) {
                c.setAutoCommit(false);
                st.execute("SET LOCAL search_path = " + v.searchPath());
                st.execute("INSERT INTO items (id, price) VALUES (1002, 80)");
                c.commit();
                c.setAutoCommit(true);
                st.execute("INSERT INTO items (id, price) VALUES (1003, 9)"); // back on the old side
            }
            assertThat(fx.rows("SELECT id, price FROM public_v2.items WHERE id > 1000 ORDER BY id"))
                    .containsExactly("1001|70", "1002|80", "1003|90");
            assertThat(fx.rows("SELECT id, price FROM public.items WHERE id > 1000 ORDER BY id"))
                    .containsExactly("1001|7", "1002|8", "1003|9");
        } finally {
            fx.engine().rollback(null);
            fx.exec("DROP OWNED BY " + role, "DROP ROLE " + role);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void startRetriesBehindALockHolderThenGivesUpNamingIt(PostgresVersions.Server server) throws Exception {
        VersionedFixture fx = new VersionedFixture(server);
        fx.exec(TABLE);
        // a reader that keeps its transaction open holds ACCESS SHARE, which ADD COLUMN's ACCESS EXCLUSIVE waits for
        try (Connection holder = fx.open(); Statement st = holder.createStatement()) {
            holder.setAutoCommit(false);
            st.execute("SELECT count(*) FROM public.items");
            VersionedOptions few = VersionedOptions.defaults().withLockTimeout(50);
            few = new VersionedOptions(50, 3, 1000, 0, few.afterStep());
            VersionedOptions finalFew = few;
            assertThatThrownBy(() -> fx.engine(finalFew).start(VersionedFixture.yaml("v2", V2), V2, false))
                    .isInstanceOf(LockRetriesExhaustedException.class)
                    .hasMessageContaining("after 3 attempts with lock_timeout 50 ms")
                    .hasMessageContaining("holding locks on items: pid ")
                    .hasMessageContaining("re-run the same command");
            Thread releaser = new Thread(() -> {
                try {
                    Thread.sleep(400);
                    holder.commit();
                } catch (Exception ignored) {
                    // the assertion below fails if the lock is never released
                }
            });
            releaser.start();
            VersionedEngine.Started s = fx.engine(VersionedOptions.defaults().withLockTimeout(50)).start(VersionedFixture.yaml("v2", V2), V2, false);
            releaser.join();
            assertThat(s.resumed()).isTrue();
        }
        assertThat(fx.log).anyMatch(l -> l.contains("lock not available"));
        assertThat(fx.rows("SELECT price FROM public_v2.items WHERE id = 3")).containsExactly("30");
    }
}
