package io.zerodown.postgres.apply;

import io.zerodown.core.plan.PlanRefusedException;
import io.zerodown.postgres.PostgresVersions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each safe rewrite executed on real servers, with the resulting schema and data checked in the catalog. */
class ApplyIT {

    static final String V1 = """
            CREATE TABLE accounts (id bigserial PRIMARY KEY, email varchar(255) NOT NULL, name text,
                                   status int NOT NULL DEFAULT 0, user_id bigint);
            CREATE TABLE users (id bigint PRIMARY KEY);
            INSERT INTO users SELECT g FROM generate_series(1, 50) g;
            INSERT INTO accounts (email, name, status, user_id)
              SELECT 'u' || g || '@x.org', 'n' || g, g % 3, 1 + g % 50 FROM generate_series(1, 20000) g;
            CREATE INDEX accounts_status_idx ON accounts (status);
            """;

    static List<PostgresVersions.Server> servers() {
        return PostgresVersions.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void safeRewritesReachTheSameEndState(PostgresVersions.Server server, @TempDir Path dir) throws Exception {
        ApplyFixture fx = new ApplyFixture(server, dir).file("V1__init.sql", V1);
        fx.apply();
        fx.file("V2__change.sql", """
                ALTER TABLE accounts ADD COLUMN token uuid NOT NULL DEFAULT md5(random()::text)::uuid;
                ALTER TABLE accounts ADD COLUMN region text NOT NULL DEFAULT 'eu';
                CREATE INDEX accounts_name_idx ON accounts (name);
                ALTER TABLE accounts ADD CONSTRAINT accounts_user_fk FOREIGN KEY (user_id) REFERENCES users (id);
                ALTER TABLE accounts ADD CONSTRAINT accounts_status_check CHECK (status >= 0);
                ALTER TABLE accounts ALTER COLUMN name SET NOT NULL;
                ALTER TABLE accounts ADD CONSTRAINT accounts_email_key UNIQUE (email);
                ALTER TABLE accounts ALTER COLUMN status TYPE bigint;
                UPDATE accounts SET region = 'us';
                """);
        PostgresApplier.Outcome out = fx.apply();
        assertThat(out.applied()).containsExactly("2");
        assertThat(fx.count("SELECT count(*) FROM accounts WHERE token IS NULL")).isZero();
        assertThat(fx.count("SELECT count(DISTINCT token) FROM accounts")).isEqualTo(20000);
        assertThat(fx.text("SELECT attnotnull::text FROM pg_attribute WHERE attrelid = 'accounts'::regclass AND attname = 'token'"))
                .isEqualTo("true");
        assertThat(fx.text("SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid "
                + "AND a.attnum = d.adnum WHERE d.adrelid = 'accounts'::regclass AND a.attname = 'token'")).contains("random()");
        assertThat(fx.count("SELECT count(*) FROM accounts WHERE region <> 'us'")).isZero();
        assertThat(fx.count("SELECT count(*) FROM pg_index WHERE indrelid = 'accounts'::regclass AND NOT indisvalid")).isZero();
        assertThat(fx.text("SELECT indexrelid::regclass::text FROM pg_index WHERE indexrelid = 'accounts_name_idx'::regclass"))
                .isEqualTo("accounts_name_idx");
        assertThat(fx.count("SELECT count(*) FROM pg_constraint WHERE conrelid = 'accounts'::regclass AND NOT convalidated")).isZero();
        assertThat(fx.text("SELECT contype::text FROM pg_constraint WHERE conname = 'accounts_email_key'")).isEqualTo("u");
        assertThat(fx.text("SELECT contype::text FROM pg_constraint WHERE conname = 'accounts_user_fk'")).isEqualTo("f");
        assertThat(fx.text("SELECT attnotnull::text FROM pg_attribute WHERE attrelid = 'accounts'::regclass AND attname = 'name'"))
                .isEqualTo("true");
        assertThat(fx.text("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'accounts'::regclass "
                + "AND attname = 'status'")).isEqualTo("bigint");
        assertThat(fx.text("SELECT attnotnull::text FROM pg_attribute WHERE attrelid = 'accounts'::regclass AND attname = 'status'"))
                .isEqualTo("true");
        assertThat(fx.count("SELECT count(*) FROM accounts WHERE status IS NULL OR status > 2")).isZero();
        assertThat(fx.text("SELECT indexdef FROM pg_indexes WHERE indexname = 'accounts_status_idx'")).contains("(status)");
        assertThat(fx.count("SELECT count(*) FROM pg_attribute WHERE attrelid = 'accounts'::regclass AND attname LIKE '%zd_%' "
                + "AND NOT attisdropped")).isZero();
        assertThat(fx.count("SELECT count(*) FROM pg_constraint WHERE conrelid = 'accounts'::regclass AND conname LIKE '%zd%'"))
                .isZero();
        assertThat(fx.count("SELECT count(*) FROM zerodown.steps WHERE migration_id = '2' AND status <> 'done'")).isZero();
        assertThat(fx.text("SELECT status FROM zerodown.migrations WHERE id = '2'")).isEqualTo("done");
        // the end state equals what the naive SQL gives on a scratch database (column order aside)
        try (java.sql.Connection live = fx.db.open();
             java.sql.Connection scratch = PostgresConnections.of(server.freshDatabase(), server.user()).open()) {
            assertThat(PostgresVerifier.compareWithNaive(live, scratch, fx.files(), PostgresVerifier.touched(out.plans())))
                    .isEmpty();
            assertThat(PostgresVerifier.checkLive(live, out.plans())).isEmpty();
        }
        // applying again does nothing
        assertThat(fx.apply().applied()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void serialColumnsPrimaryKeysIndexDropsAndBatchedDeletes(PostgresVersions.Server server, @TempDir Path dir) throws Exception {
        ApplyFixture fx = new ApplyFixture(server, dir).file("V1__init.sql", """
                CREATE TABLE events (uid uuid NOT NULL, kind text, at timestamptz NOT NULL DEFAULT now());
                INSERT INTO events (uid, kind) SELECT md5(g::text)::uuid, 'k' || g % 5 FROM generate_series(1, 5000) g;
                CREATE INDEX events_kind_idx ON events (kind);
                CREATE TABLE junk (id bigint PRIMARY KEY);
                INSERT INTO junk SELECT generate_series(1, 3000);
                """);
        fx.apply();
        fx.file("V2__change.sql", """
                ALTER TABLE events ADD PRIMARY KEY (uid);
                ALTER TABLE events ADD COLUMN seq bigserial;
                DROP INDEX events_kind_idx;
                DELETE FROM junk;
                UPDATE events SET kind = 'none' WHERE kind IS NULL;
                """);
        PostgresApplier.Outcome out = fx.apply();
        assertThat(out.plans().get(0).steps()).anyMatch(s -> s.sql().startsWith("CREATE UNIQUE INDEX CONCURRENTLY"))
                .anyMatch(s -> s.sql().startsWith("DROP INDEX CONCURRENTLY"));
        assertThat(fx.count("SELECT count(DISTINCT seq) FROM events WHERE seq IS NOT NULL")).isEqualTo(5000);
        assertThat(fx.text("SELECT contype::text FROM pg_constraint WHERE conrelid = 'events'::regclass AND contype = 'p'")).isEqualTo("p");
        assertThat(fx.count("SELECT count(*) FROM pg_class WHERE relname = 'events_kind_idx'")).isZero();
        assertThat(fx.count("SELECT count(*) FROM junk")).isZero();
        assertThat(out.plans().get(0).steps()).anyMatch(s -> s.description().startsWith("UPDATE the rows where kind IS NULL"));
        try (java.sql.Connection live = fx.db.open();
             java.sql.Connection scratch = PostgresConnections.of(server.freshDatabase(), server.user()).open()) {
            assertThat(PostgresVerifier.compareWithNaive(live, scratch, fx.files(), PostgresVerifier.touched(out.plans()))).isEmpty();
        }
        // new rows keep getting numbers from the sequence the naive bigserial would have created
        fx.exec("INSERT INTO events (uid, kind) VALUES (gen_random_uuid(), 'new')".replace("gen_random_uuid()", "md5('x')::uuid"));
        assertThat(fx.count("SELECT max(seq) FROM events")).isEqualTo(5001);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void unknownTableStopsBeforeAnyChange(PostgresVersions.Server server, @TempDir Path dir) throws Exception {
        ApplyFixture fx = new ApplyFixture(server, dir).file("V1__init.sql", "CREATE TABLE a (id int PRIMARY KEY);")
                .file("V2__bad.sql", "ALTER TABLE a ADD COLUMN x int;\n\nALTER TABLE nope ADD COLUMN y int;");
        assertThatThrownBy(fx::apply).isInstanceOf(PlanRefusedException.class)
                .hasMessageContaining("V2__bad.sql:3").hasMessageContaining("nope");
        assertThat(fx.count("SELECT count(*) FROM pg_tables WHERE tablename = 'a'")).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void failingOnExistingDataStopsBeforeAnyChange(PostgresVersions.Server server, @TempDir Path dir) throws Exception {
        ApplyFixture fx = new ApplyFixture(server, dir).file("V1__init.sql",
                "CREATE TABLE a (id int PRIMARY KEY, v int);\nINSERT INTO a VALUES (1, NULL), (2, 5);");
        fx.apply();
        fx.file("V2__nn.sql", "ALTER TABLE a ADD COLUMN w int;\nALTER TABLE a ALTER COLUMN v SET NOT NULL;");
        assertThatThrownBy(fx::apply).isInstanceOf(PlanRefusedException.class).hasMessageContaining("NULL values");
        assertThat(fx.count("SELECT count(*) FROM pg_attribute WHERE attrelid = 'a'::regclass AND attname = 'w'")).isZero();
        fx.file("V2__nn.sql", "ALTER TABLE a ADD COLUMN w int NOT NULL;");
        assertThatThrownBy(fx::apply).isInstanceOf(PlanRefusedException.class).hasMessageContaining("V2__nn.sql:1");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void syntaxErrorStopsBeforeAnyChange(PostgresVersions.Server server, @TempDir Path dir) throws Exception {
        ApplyFixture fx = new ApplyFixture(server, dir).file("V1__init.sql", "CREATE TABLE a (id int PRIMARY KEY);\nCREAT TABLE b (id int);");
        assertThatThrownBy(fx::apply).isInstanceOf(PlanRefusedException.class).hasMessageContaining("V1__init.sql:2");
        assertThat(fx.count("SELECT count(*) FROM pg_tables WHERE tablename = 'a'")).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void breakingChangeNeedsAnAllowDirective(PostgresVersions.Server server, @TempDir Path dir) throws Exception {
        ApplyFixture fx = new ApplyFixture(server, dir).file("V1__init.sql", "CREATE TABLE a (id int PRIMARY KEY, v int, w int);");
        fx.apply();
        fx.file("V2__drop.sql", "ALTER TABLE a DROP COLUMN v;");
        assertThatThrownBy(fx::apply).isInstanceOf(PlanRefusedException.class).hasMessageContaining("any.column.drop")
                .hasMessageContaining("zerodown:ignore");
        fx.file("V2__drop.sql", "-- zerodown:ignore any.column.drop v is unused since release 12\nALTER TABLE a DROP COLUMN v;");
        fx.apply();
        assertThat(fx.count("SELECT count(*) FROM pg_attribute WHERE attrelid = 'a'::regclass AND attname = 'v' AND NOT attisdropped")).isZero();
    }
}
