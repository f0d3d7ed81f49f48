package io.zerodown.postgres.versioned;

import io.zerodown.postgres.PostgresVersions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * split_column, merge_columns, rename_table, indexes, constraints, foreign keys and raw SQL; chained migrations and
 * the combinations zerodown refuses. Old-version writes go through the tables, new-version writes through the
 * version's views, interleaved on two connections.
 */
class VersionedOperationsIT {

    static List<PostgresVersions.Server> servers() {
        return VersionedIT.servers();
    }

    static final String PEOPLE = "CREATE TABLE public.people (id bigserial PRIMARY KEY, full_name text, street text, city text); "
            + "INSERT INTO public.people (full_name, street, city) SELECT 'Ada' || g || ' Lovelace', g || ' Main St', 'Leeds' "
            + "FROM generate_series(1, 1200) g";

    static final String SPLIT_MERGE = """
            operations:
              - split_column:
                  table: people
                  column: full_name
                  into:
                    - {name: first_name, type: text, up: "split_part(full_name, ' ', 1)"}
                    - {name: last_name, type: text, up: "split_part(full_name, ' ', 2)"}
                  down: "concat_ws(' ', first_name, last_name)"
              - merge_columns:
                  table: people
                  columns: [street, city]
                  into: {name: address, type: text, up: "street || ', ' || city"}
                  down: {street: "split_part(address, ', ', 1)", city: "split_part(address, ', ', 2)"}
            """;

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void splitAndMergeSyncBothWaysThenComplete(PostgresVersions.Server server) throws Exception {
        VersionedFixture fx = new VersionedFixture(server);
        fx.exec(PEOPLE);
        VersionedEngine.Started v = fx.start("v2", SPLIT_MERGE);
        try (Connection old = fx.app("public"); Connection neu = fx.app(v.searchPath());
             Statement o = old.createStatement(); Statement n = neu.createStatement()) {
            for (int i = 0; i < 20; i++) {
                o.execute("INSERT INTO people (id, full_name, street, city) VALUES (" + (5000 + i) + ", 'Old" + i + " Timer', '"
                        + i + " Old Rd', 'York')");
                n.execute("INSERT INTO people (id, first_name, last_name, address) VALUES (" + (6000 + i) + ", 'New" + i
                        + "', 'Comer', '" + i + " New Rd, Hull')");
                o.execute("UPDATE people SET city = 'Bath' WHERE id = " + (6000 + i));
                n.execute("UPDATE people SET last_name = 'Later' WHERE id = " + (5000 + i));
            }
        }
        assertThat(fx.rows("SELECT first_name, last_name, address FROM public_v2.people WHERE id IN (7, 5003, 6003) ORDER BY id"))
                .containsExactly("Ada7|Lovelace|7 Main St, Leeds", "Old3|Later|3 Old Rd, York", "New3|Comer|3 New Rd, Bath");
        assertThat(fx.rows("SELECT full_name, street, city FROM public.people WHERE id IN (7, 5003, 6003) ORDER BY id"))
                .containsExactly("Ada7 Lovelace|7 Main St|Leeds", "Old3 Later|3 Old Rd|York", "New3 Comer|3 New Rd|Bath");

        fx.engine().complete(null);
        assertThat(fx.columns("public", "people").keySet()).containsExactlyInAnyOrder("id", "first_name", "last_name", "address");
        assertThat(fx.count("SELECT count(*) FROM public.people WHERE first_name IS NULL OR address IS NULL")).isZero();
        assertThat(fx.count("SELECT count(*) FROM public.people")).isEqualTo(1240);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void splitAndMergeRollBackToTheOldColumnsWithNewRowsKept(PostgresVersions.Server server) throws Exception {
        VersionedFixture fx = new VersionedFixture(server);
        fx.exec(PEOPLE);
        Map<String, String> before = fx.columns("public", "people");
        VersionedEngine.Started v = fx.start("v2", SPLIT_MERGE);
        try (Connection neu = fx.app(v.searchPath()); Statement n = neu.createStatement()) {
            n.execute("INSERT INTO people (id, first_name, last_name, address) VALUES (9000, 'Grace', 'Hopper', '1 Navy Way, Arlington')");
            n.execute("UPDATE people SET address = '2 Loop, Leeds' WHERE id = 1");
        }
        fx.engine().rollback(null);
        assertThat(fx.columns("public", "people")).isEqualTo(before);
        assertThat(fx.rows("SELECT full_name, street, city FROM public.people WHERE id IN (1, 9000) ORDER BY id"))
                .containsExactly("Ada1 Lovelace|2 Loop|Leeds", "Grace Hopper|1 Navy Way|Arlington");
        assertThat(fx.count("SELECT count(*) FROM pg_namespace WHERE nspname = 'public_v2'")).isZero();
    }

    static final String SHOP = "CREATE TABLE public.customers (id bigint PRIMARY KEY); INSERT INTO public.customers SELECT g FROM generate_series(1, 50) g; "
            + "CREATE TABLE public.orders (id bigserial PRIMARY KEY, customer_id bigint, qty integer, code text); "
            + "CREATE INDEX orders_code_old ON public.orders (code); "
            + "INSERT INTO public.orders (customer_id, qty, code) SELECT 1 + g % 50, g % 7, 'c' || g FROM generate_series(1, 800) g";

    static final String SHOP_V2 = """
            operations:
              - rename_table: {from: orders, to: purchases}
              - create_index: {table: purchases, name: purchases_customer_idx, columns: [customer_id]}
              - add_unique: {table: purchases, name: purchases_code_key, columns: [code]}
              - add_check: {table: purchases, name: purchases_qty_check, check: "qty >= 0"}
              - add_foreign_key:
                  table: purchases
                  name: purchases_customer_fk
                  columns: [customer_id]
                  references: {table: customers, columns: [id]}
              - drop_index: {name: orders_code_old}
              - raw_sql:
                  up: CREATE TABLE audit (id bigserial PRIMARY KEY, note text)
                  down: DROP TABLE audit
            """;

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void renameTableIndexesConstraintsAndRawSql(PostgresVersions.Server server) throws Exception {
        VersionedFixture fx = new VersionedFixture(server);
        fx.exec(SHOP);
        List<String> before = fx.objects();
        VersionedEngine.Started v = fx.start("v2", SHOP_V2);
        try (Connection old = fx.app("public"); Connection neu = fx.app(v.searchPath());
             Statement o = old.createStatement(); Statement n = neu.createStatement()) {
            o.execute("INSERT INTO orders (customer_id, qty, code) VALUES (3, 1, 'old-1')");
            n.execute("INSERT INTO purchases (customer_id, qty, code) VALUES (4, 2, 'new-1')");
            n.execute("INSERT INTO audit (note) VALUES ('the new version sees the table raw SQL made')");
            // the foreign key is checked for new writes from the start, from either version
            assertThatThrownBy(() -> o.execute("INSERT INTO orders (customer_id, qty, code) VALUES (999, 1, 'x')"))
                    .hasMessageContaining("purchases_customer_fk");
            assertThatThrownBy(() -> n.execute("INSERT INTO purchases (customer_id, qty, code) VALUES (1, 1, 'old-1')"))
                    .hasMessageContaining("purchases_code_key");
        }
        assertThat(fx.count("SELECT count(*) FROM public_v2.purchases")).isEqualTo(802);
        assertThat(fx.count("SELECT count(*) FROM public.orders")).isEqualTo(802);

        fx.engine().complete(null);
        assertThat(fx.count("SELECT count(*) FROM public.purchases")).isEqualTo(802);
        assertThat(fx.objects()).contains("constraint purchases purchases_code_key true", "constraint purchases purchases_customer_fk true",
                "constraint purchases purchases_qty_check true", "index purchases_customer_idx").doesNotContain("index orders_code_old");
        assertThat(fx.count("SELECT count(*) FROM public_v2.purchases")).isEqualTo(802);

        // and the same start rolled back on a second database leaves the objects exactly as they were
        VersionedFixture fx2 = new VersionedFixture(server);
        fx2.exec(SHOP);
        fx2.start("v2", SHOP_V2);
        fx2.engine().rollback(null);
        assertThat(fx2.objects()).isEqualTo(before);
        assertThat(fx2.count("SELECT count(*) FROM pg_class WHERE relname = 'audit'")).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void chainedVersionsOnOneTableEachWriterIsOnItsSide(PostgresVersions.Server server) throws Exception {
        VersionedFixture fx = new VersionedFixture(server);
        fx.exec("CREATE TABLE public.users (id bigserial PRIMARY KEY, name text); CREATE TABLE public.posts (id bigserial PRIMARY KEY, title text); "
                + "INSERT INTO public.users (name) SELECT 'u' || g FROM generate_series(1, 300) g");
        VersionedEngine.Started v2 = fx.start("v2", "operations: [{add_column: {table: users, column: {name: score, type: int}, up: '1'}}]");
        VersionedEngine.Started v3 = fx.start("v3", """
                operations:
                  - add_column: {table: users, column: {name: rank, type: int}, up: "2"}
                  - rename_column: {table: posts, from: title, to: headline}
                """);
        assertThat(v3.versionSchema()).isEqualTo("public_v3");
        try (Connection base = fx.app("public"); Connection c2 = fx.app(v2.searchPath()); Connection c3 = fx.app(v3.searchPath());
             Statement s1 = base.createStatement(); Statement s2 = c2.createStatement(); Statement s3 = c3.createStatement()) {
            s1.execute("INSERT INTO users (id, name) VALUES (1001, 'base')");
            s2.execute("INSERT INTO users (id, name, score) VALUES (1002, 'v2', 10)");
            s3.execute("INSERT INTO users (id, name, score, rank) VALUES (1003, 'v3', 10, 20)");
            s3.execute("INSERT INTO posts (headline) VALUES ('hello')");
        }
        assertThat(fx.rows("SELECT name, score, rank FROM public_v3.users WHERE id > 1000 ORDER BY id"))
                .containsExactly("base|1|2", "v2|10|2", "v3|10|20");
        assertThat(fx.rows("SELECT score, rank FROM public_v3.users WHERE id = 5")).containsExactly("1|2");
        assertThat(fx.rows("SELECT title FROM public.posts")).containsExactly("hello");

        // what cannot be made safe is refused, naming why and what to do
        assertThatThrownBy(() -> fx.start("v4", "operations: [{change_type: {table: posts, column: headline, type: varchar(50), "
                + "up: headline, down: headline}}]")).hasMessageContaining("has column changes in flight from an earlier migration")
                .hasMessageContaining("complete that migration first");
        assertThatThrownBy(() -> fx.engine().complete("v3")).hasMessageContaining("complete v2 first");
        assertThatThrownBy(() -> fx.engine().rollback("v2")).hasMessageContaining("roll back v3 first");

        fx.engine().complete(null);
        assertThat(fx.count("SELECT count(*) FROM pg_namespace WHERE nspname = 'public_v2'")).isEqualTo(1);
        try (Connection c3 = fx.app(v3.searchPath()); Statement s3 = c3.createStatement()) {
            s3.execute("INSERT INTO users (id, name, score, rank) VALUES (1004, 'v3 after v2 completed', 11, 21)");
        }
        fx.engine().complete(null);
        assertThat(fx.count("SELECT count(*) FROM pg_namespace WHERE nspname IN ('public_v2', 'public_v3')")).isEqualTo(1);
        assertThat(fx.columns("public", "users").keySet()).containsExactlyInAnyOrder("id", "name", "score", "rank");
        assertThat(fx.columns("public", "posts").keySet()).containsExactlyInAnyOrder("id", "headline");
        assertThat(fx.rows("SELECT name, score, rank FROM public.users WHERE id > 1000 ORDER BY id"))
                .containsExactly("base|1|2", "v2|10|2", "v3|10|20", "v3 after v2 completed|11|21");
        assertThat(fx.objects()).noneMatch(o -> o.startsWith("trigger"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void unsafeChangesAreRefusedBeforeAnythingChanges(PostgresVersions.Server server) throws Exception {
        VersionedFixture fx = new VersionedFixture(server);
        fx.exec("CREATE TABLE public.users (id bigserial PRIMARY KEY, email text UNIQUE, n int CHECK (n > 0))");
        List<String> before = fx.objects();
        assertThatThrownBy(() -> fx.start("v2", "operations: [{change_type: {table: users, column: n, type: bigint, up: n, down: n}}]"))
                .isInstanceOf(VersionedRefusedException.class)
                .hasMessage("v2.yaml:1: change_type: column n is used by constraint users_n_check, which would be lost with the old "
                        + "column at complete; drop them in one migration and recreate them on the new column in the next");
        assertThatThrownBy(() -> fx.start("v2", "operations:\n  - change_type: {table: users, column: id, type: int, up: id, down: id}"))
                .hasMessageStartingWith("v2.yaml:2: change_type: column id is the table's key");
        assertThatThrownBy(() -> fx.start("v2", "operations:\n  - drop_column: {table: userz, column: n}"))
                .hasMessageStartingWith("v2.yaml:2: drop_column: table userz does not exist in schema public");
        fx.exec("CREATE TABLE public.nokey (a int, b int)");
        assertThatThrownBy(() -> fx.start("v2", "operations:\n  - change_type: {table: nokey, column: b, type: bigint, up: b, down: b}"))
                .hasMessageStartingWith("v2.yaml: table nokey has no single-column primary key");
        fx.exec("DROP TABLE public.nokey");
        assertThat(fx.objects()).isEqualTo(before);
        assertThat(fx.count("SELECT count(*) FROM zerodown.versioned_migrations WHERE status <> 'rolled_back'")).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void columnsNamedLikeTriggerVariablesStillSync(PostgresVersions.Server server) throws Exception {
        VersionedFixture fx = new VersionedFixture(server);
        fx.exec("CREATE TABLE public.odd (id bigserial PRIMARY KEY, \"new\" integer, \"Old Value\" text); "
                + "INSERT INTO public.odd (\"new\", \"Old Value\") SELECT g, 'v' || g FROM generate_series(1, 100) g");
        VersionedEngine.Started v = fx.start("v2", """
                operations:
                  - change_type: {table: odd, column: new, type: bigint, up: '"new" * 1000', down: '("new" / 1000)::int'}
                  - rename_column: {table: odd, from: Old Value, to: Newer Value}
                """);
        try (Connection old = fx.app("public"); Connection neu = fx.app(v.searchPath());
             Statement o = old.createStatement(); Statement n = neu.createStatement()) {
            o.execute("INSERT INTO odd (id, \"new\", \"Old Value\") VALUES (500, 5, 'o')");
            n.execute("INSERT INTO odd (id, \"new\", \"Newer Value\") VALUES (600, 6000, 'n')");
        }
        assertThat(fx.rows("SELECT id, \"new\", \"Newer Value\" FROM public_v2.odd WHERE id IN (7, 500, 600) ORDER BY id"))
                .containsExactly("7|7000|v7", "500|5000|o", "600|6000|n");
        assertThat(fx.rows("SELECT id, \"new\", \"Old Value\" FROM public.odd WHERE id IN (7, 500, 600) ORDER BY id"))
                .containsExactly("7|7|v7", "500|5|o", "600|6|n");
        fx.engine().complete(null);
        assertThat(fx.columns("public", "odd")).containsEntry("new", "bigint").containsKey("Newer Value");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void indexesAndUniqueConstraintsMoveToTheChangedColumn(PostgresVersions.Server server) throws Exception {
        VersionedFixture fx = new VersionedFixture(server);
        fx.exec("CREATE TABLE public.users (id bigserial PRIMARY KEY, email text, n int); "
                + "ALTER TABLE public.users ADD CONSTRAINT users_email_key UNIQUE (email); "
                + "CREATE INDEX users_email_n_idx ON public.users (n, email text_pattern_ops) WHERE n > 0; "
                + "INSERT INTO public.users (email, n) SELECT CASE WHEN g % 5 = 0 THEN NULL ELSE 'u' || g END, g FROM generate_series(1, 500) g");
        List<String> before = fx.objects();
        VersionedEngine.Started v = fx.start("v2", "operations: [{set_not_null: {table: users, column: email, up: \"'none-' || id\"}}]");
        assertThat(fx.rows("SELECT pg_get_indexdef('public.\"_zd_v2_users_email_n_idx\"'::regclass)")).containsExactly(
                "CREATE INDEX _zd_v2_users_email_n_idx ON public.users USING btree (n, _zd_v2_email text_pattern_ops) WHERE (n > 0)");
        try (Connection old = fx.app("public"); Connection neu = fx.app(v.searchPath());
             Statement o = old.createStatement(); Statement n = neu.createStatement()) {
            // uniqueness holds on both sides while both are live
            assertThatThrownBy(() -> o.execute("INSERT INTO users (email, n) VALUES ('u1', 1)")).hasMessageContaining("users_email_key");
            // (the old column gets the value too, so whichever index sees it first refuses it)
            assertThatThrownBy(() -> n.execute("INSERT INTO users (email, n) VALUES ('u2', 1)")).hasMessageContaining("duplicate key");
            // a NULL replaced by 'none-<id>' on the new side is unique there too
            assertThat(fx.count("SELECT count(*) FROM public_v2.users WHERE email LIKE 'none-%'")).isEqualTo(100);
            o.execute("INSERT INTO users (id, email, n) VALUES (9001, NULL, 3)");
            n.execute("INSERT INTO users (id, email, n) VALUES (9002, 'fresh', 4)");
        }
        fx.engine().complete(null);
        List<String> expected = new java.util.ArrayList<>(before);
        expected.add("schema public_v2"); // the new version's schema stays: it is the current version now
        assertThat(fx.objects()).isEqualTo(expected);
        assertThat(fx.rows("SELECT pg_get_indexdef('public.users_email_n_idx'::regclass)")).containsExactly(
                "CREATE INDEX users_email_n_idx ON public.users USING btree (n, email text_pattern_ops) WHERE (n > 0)");
        assertThat(fx.columns("public", "users")).containsEntry("email", "text NOT NULL");
        assertThat(fx.rows("SELECT email FROM public.users WHERE id IN (5, 9001, 9002) ORDER BY id")).containsExactly("none-5", "none-9001", "fresh");
        assertThatThrownBy(() -> fx.exec("INSERT INTO public.users (email, n) VALUES ('fresh', 1)")).hasMessageContaining("users_email_key");

        // rolled back instead, the copies on the shadow column go with it
        VersionedFixture fx2 = new VersionedFixture(server);
        fx2.exec("CREATE TABLE public.users (id bigserial PRIMARY KEY, email text CONSTRAINT users_email_key UNIQUE, n int); "
                + "CREATE INDEX users_email_n_idx ON public.users (n, email text_pattern_ops) WHERE n > 0");
        fx2.start("v2", "operations: [{set_not_null: {table: users, column: email, up: \"'none-' || id\"}}]");
        fx2.engine().rollback(null);
        assertThat(fx2.objects()).isEqualTo(before);
    }

    /** A client whose iteration is given as a lambda; it records what it last wrote per row id. */
    static final class LambdaClient extends VersionedIT.Client {
        interface Body {
            void once(Connection c, int i, LambdaClient self) throws java.sql.SQLException;
        }

        private final Body body;

        LambdaClient(VersionedFixture fx, String searchPath, Body body) {
            super(fx, searchPath);
            this.body = body;
        }

        @Override
        void once(Connection c, int i) throws java.sql.SQLException {
            body.once(c, i, this);
        }

        long insert(Connection c, String sql, Object... values) throws java.sql.SQLException {
            try (java.sql.PreparedStatement ps = c.prepareStatement(sql + " RETURNING id")) {
                for (int k = 0; k < values.length; k++) ps.setObject(k + 1, values[k]);
                try (java.sql.ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        }

        void update(Connection c, String sql, Object... values) throws java.sql.SQLException {
            try (java.sql.PreparedStatement ps = c.prepareStatement(sql)) {
                for (int k = 0; k < values.length; k++) ps.setObject(k + 1, values[k]);
                ps.executeUpdate();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void splitAndMergeWithBothVersionsWritingConcurrently(PostgresVersions.Server server) throws Exception {
        VersionedFixture fx = new VersionedFixture(server);
        fx.exec(PEOPLE);
        LambdaClient old = new LambdaClient(fx, "public", (c, i, self) -> {
            long id = self.insert(c, "INSERT INTO people (full_name, street, city) VALUES (?, ?, ?)", "Old" + i + " X" + i, i + " Rd", "C" + i);
            self.rows.put(id, new Object[] {"Old" + i, "X" + i, i + " Rd", "C" + i});
            long pick = self.pick();
            Object[] r = self.rows.get(pick);
            self.update(c, "UPDATE people SET city = ? WHERE id = ?", r[3] + "+", pick);
            self.rows.put(pick, new Object[] {r[0], r[1], r[2], r[3] + "+"});
            c.createStatement().executeQuery("SELECT full_name, street, city FROM people WHERE id = " + pick).close();
        });
        old.begin();
        old.atLeast(20);
        VersionedEngine.Started v = fx.start("v2", SPLIT_MERGE);
        LambdaClient neu = new LambdaClient(fx, v.searchPath(), (c, i, self) -> {
            long id = self.insert(c, "INSERT INTO people (first_name, last_name, address) VALUES (?, ?, ?)", "N" + i, "L" + i, i + " Ave, T" + i);
            self.rows.put(id, new Object[] {"N" + i, "L" + i, i + " Ave", "T" + i});
            long pick = self.pick();
            Object[] r = self.rows.get(pick);
            self.update(c, "UPDATE people SET last_name = ? WHERE id = ?", r[1] + "*", pick);
            self.rows.put(pick, new Object[] {r[0], r[1] + "*", r[2], r[3]});
            c.createStatement().executeQuery("SELECT first_name, last_name, address FROM people WHERE id = " + pick).close();
        });
        neu.begin();
        old.atLeast(30);
        neu.atLeast(30);
        old.finish();
        neu.finish();
        assertThat(old.errors).isEmpty();
        assertThat(neu.errors).isEmpty();
        Map<Long, String> viaNew = VersionedIT.byId(fx, "SELECT id, first_name, last_name, address FROM public_v2.people");
        Map<Long, String> viaOld = VersionedIT.byId(fx, "SELECT id, full_name, street, city FROM public.people");
        for (var e : old.rows.entrySet()) {
            Object[] r = e.getValue();
            assertThat(viaNew.get(e.getKey())).isEqualTo(r[0] + "|" + r[1] + "|" + r[2] + ", " + r[3]);
        }
        for (var e : neu.rows.entrySet()) {
            Object[] r = e.getValue();
            assertThat(viaOld.get(e.getKey())).isEqualTo(r[0] + " " + r[1] + "|" + r[2] + "|" + r[3]);
        }
        LambdaClient during = new LambdaClient(fx, v.searchPath(), (c, i, self) -> {
            long id = self.insert(c, "INSERT INTO people (first_name, last_name, address) VALUES (?, ?, ?)", "D" + i, "E" + i, "x, y");
            self.rows.put(id, new Object[] {"D" + i});
            c.createStatement().executeQuery("SELECT first_name, last_name, address FROM people WHERE id = " + id).close();
        });
        during.begin();
        during.atLeast(10);
        fx.engine().complete(null);
        during.atLeast(10);
        during.finish();
        assertThat(during.errors).isEmpty();
        assertThat(fx.count("SELECT count(*) FROM public.people")).isEqualTo(1200 + old.rows.size() + neu.rows.size() + during.rows.size());
        assertThat(fx.columns("public", "people").keySet()).containsExactlyInAnyOrder("id", "first_name", "last_name", "address");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void renameTableWithBothVersionsWritingConcurrently(PostgresVersions.Server server) throws Exception {
        VersionedFixture fx = new VersionedFixture(server);
        fx.exec(SHOP);
        LambdaClient old = new LambdaClient(fx, "public", (c, i, self) -> {
            long id = self.insert(c, "INSERT INTO orders (customer_id, qty, code) VALUES (?, ?, ?)", 1L + i % 50, i, "old-" + i);
            self.rows.put(id, new Object[] {"old-" + i, i});
            long pick = self.pick();
            self.update(c, "UPDATE orders SET qty = qty + 1 WHERE id = ?", pick);
            self.rows.put(pick, new Object[] {self.rows.get(pick)[0], (Integer) self.rows.get(pick)[1] + 1});
        });
        old.begin();
        old.atLeast(20);
        VersionedEngine.Started v = fx.start("v2", SHOP_V2);
        LambdaClient neu = new LambdaClient(fx, v.searchPath(), (c, i, self) -> {
            long id = self.insert(c, "INSERT INTO purchases (customer_id, qty, code) VALUES (?, ?, ?)", 1L + i % 50, i, "new-" + i);
            self.rows.put(id, new Object[] {"new-" + i, i});
            long pick = self.pick();
            self.update(c, "UPDATE purchases SET qty = qty + 1 WHERE id = ?", pick);
            self.rows.put(pick, new Object[] {self.rows.get(pick)[0], (Integer) self.rows.get(pick)[1] + 1});
            c.createStatement().executeQuery("SELECT count(*) FROM audit").close();
        });
        neu.begin();
        old.atLeast(30);
        neu.atLeast(30);
        old.finish();
        neu.atLeast(10);
        // the new version keeps writing while complete renames the table under it
        fx.engine().complete(null);
        neu.atLeast(20);
        neu.finish();
        assertThat(old.errors).isEmpty();
        assertThat(neu.errors).isEmpty();
        Map<Long, String> rows = VersionedIT.byId(fx, "SELECT id, code, qty FROM public.purchases");
        for (var e : old.rows.entrySet()) assertThat(rows.get(e.getKey())).isEqualTo(e.getValue()[0] + "|" + e.getValue()[1]);
        for (var e : neu.rows.entrySet()) assertThat(rows.get(e.getKey())).isEqualTo(e.getValue()[0] + "|" + e.getValue()[1]);
        assertThat(rows).hasSize(800 + old.rows.size() + neu.rows.size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void dropConstraintKeepsItWhileTheOldVersionRunsAndDropsItAtComplete(PostgresVersions.Server server) throws Exception {
        String setup = "CREATE TABLE public.stock (id bigserial PRIMARY KEY, qty integer CONSTRAINT stock_qty_positive CHECK (qty > 0)); "
                + "INSERT INTO public.stock (qty) SELECT g FROM generate_series(1, 300) g";
        String v2 = """
                operations:
                  - drop_constraint: {table: stock, name: stock_qty_positive}
                """;
        VersionedFixture fx = new VersionedFixture(server);
        fx.exec(setup);
        List<String> before = fx.objects();
        VersionedEngine.Started v = fx.start("v2", v2);
        // the old version may rely on the check, so it holds for both versions until complete
        try (Connection old = fx.app("public"); Connection neu = fx.app(v.searchPath());
             Statement o = old.createStatement(); Statement n = neu.createStatement()) {
            o.execute("INSERT INTO stock (qty) VALUES (5)");
            n.execute("INSERT INTO stock (qty) VALUES (6)");
            assertThatThrownBy(() -> n.execute("INSERT INTO stock (qty) VALUES (0)")).hasMessageContaining("stock_qty_positive");
        }
        assertThat(fx.objects()).contains("constraint stock stock_qty_positive true");

        fx.engine().complete(null);
        assertThat(fx.objects()).noneMatch(x -> x.contains("stock_qty_positive"));
        fx.exec("INSERT INTO public.stock (qty) VALUES (0)");
        assertThat(fx.count("SELECT count(*) FROM public.stock")).isEqualTo(303);

        // rolled back before complete, the constraint is exactly as it was
        VersionedFixture fx2 = new VersionedFixture(server);
        fx2.exec(setup);
        fx2.start("v2", v2);
        fx2.engine().rollback(null);
        assertThat(fx2.objects()).isEqualTo(before);
        assertThatThrownBy(() -> fx2.exec("INSERT INTO public.stock (qty) VALUES (0)")).hasMessageContaining("stock_qty_positive");
    }
}
