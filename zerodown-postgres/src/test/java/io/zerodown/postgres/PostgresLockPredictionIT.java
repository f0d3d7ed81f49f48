package io.zerodown.postgres;

import io.zerodown.api.Effect;
import io.zerodown.api.Runner;
import io.zerodown.api.Target;
import io.zerodown.core.config.ZerodownConfig;
import io.zerodown.core.lint.LintEngine;
import io.zerodown.core.lint.LockFacts;
import io.zerodown.core.source.MigrationScanner;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks zerodown's lock and rewrite predictions against what real servers do: each statement runs in a
 * transaction on a populated table; the strongest lock the backend holds on the tables (pg_locks) must equal the
 * predicted lock, and the table's relfilenode must change exactly when a rewrite is predicted. Runs on embedded
 * PostgreSQL 12, 14, 16 and 18 and on the local server when one is running.
 */
class PostgresLockPredictionIT {

    static final String SETUP = """
            CREATE TABLE users (id bigint PRIMARY KEY);
            CREATE TABLE accounts (id bigserial PRIMARY KEY, email varchar(255) NOT NULL, name text NOT NULL DEFAULT 'n',
                                   nick text, balance numeric(12,2), status int, user_id bigint);
            CREATE INDEX accounts_email_idx ON accounts (email);
            ALTER TABLE accounts ADD CONSTRAINT accounts_nick_nn CHECK (nick IS NOT NULL) NOT VALID;
            ALTER TABLE accounts ADD CONSTRAINT accounts_balance_pos CHECK (balance >= 0) NOT VALID;
            """;

    static final String DATA = """
            INSERT INTO users SELECT g FROM generate_series(1, 100) g;
            INSERT INTO accounts (email, name, nick, balance, status, user_id)
              SELECT 'u' || g || '@x.org', 'n' || g, 'k' || g, g, g % 5, 1 + g % 100 FROM generate_series(1, 2000) g;
            ALTER TABLE accounts VALIDATE CONSTRAINT accounts_nick_nn;
            """;

    static List<String> statements() {
        return List.of(
                "ALTER TABLE accounts ADD COLUMN x int",
                "ALTER TABLE accounts ADD COLUMN x int NOT NULL DEFAULT 5",
                "ALTER TABLE accounts ADD COLUMN x float8 DEFAULT random()",
                "ALTER TABLE accounts ADD COLUMN x timestamptz NOT NULL DEFAULT now()",
                "ALTER TABLE accounts ADD COLUMN x bigserial",
                "ALTER TABLE accounts ALTER COLUMN status TYPE bigint",
                "ALTER TABLE accounts ALTER COLUMN email TYPE varchar(320)",
                "ALTER TABLE accounts ALTER COLUMN email TYPE text",
                "ALTER TABLE accounts ALTER COLUMN balance TYPE numeric(14,2)",
                "ALTER TABLE accounts ALTER COLUMN balance TYPE numeric(14,4)",
                "ALTER TABLE accounts ALTER COLUMN name SET NOT NULL",
                "ALTER TABLE accounts ALTER COLUMN nick SET NOT NULL",
                "ALTER TABLE accounts ADD CONSTRAINT c_status CHECK (status >= 0)",
                "ALTER TABLE accounts ADD CONSTRAINT c_status CHECK (status >= 0) NOT VALID",
                "ALTER TABLE accounts ADD CONSTRAINT fk_user FOREIGN KEY (user_id) REFERENCES users (id)",
                "ALTER TABLE accounts ADD CONSTRAINT fk_user FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID",
                "ALTER TABLE accounts VALIDATE CONSTRAINT accounts_balance_pos",
                "ALTER TABLE accounts ADD CONSTRAINT accounts_email_key UNIQUE (email)",
                "CREATE INDEX accounts_name_idx ON accounts (name)",
                "DROP INDEX accounts_email_idx",
                "ALTER TABLE accounts DROP COLUMN nick",
                "ALTER TABLE accounts RENAME COLUMN nick TO nickname",
                "ALTER TABLE accounts ALTER COLUMN status SET DEFAULT 1",
                "ALTER TABLE accounts ALTER COLUMN email DROP NOT NULL",
                "LOCK TABLE accounts IN SHARE MODE",
                "CLUSTER accounts USING accounts_pkey",
                "ALTER TABLE accounts SET UNLOGGED",
                "REINDEX INDEX accounts_email_idx",
                "CREATE FUNCTION t_noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$; "
                        + "CREATE TRIGGER t_noop BEFORE UPDATE ON accounts FOR EACH ROW EXECUTE PROCEDURE t_noop()",
                "UPDATE accounts SET status = 0");
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (PostgresVersions.Server server : PostgresVersions.all()) {
            for (String sql : statements()) out.add(Arguments.of(server, sql));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void predictionMatchesServer(PostgresVersions.Server server, String sql, @TempDir Path dir) throws Exception {
        try (Connection c = server.connect()) {
            int major = c.getMetaData().getDatabaseMajorVersion();
            String schema = "zd_lock_" + Math.abs(sql.hashCode());
            try (Statement st = c.createStatement()) {
                st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
                st.execute("CREATE SCHEMA " + schema);
                st.execute("SET search_path = " + schema);
                st.execute(SETUP);
                st.execute(DATA);
            }
            LockFacts predicted = predict(dir, major, sql);

            long before = relfilenode(c, schema);
            c.setAutoCommit(false);
            String strongest;
            try (Statement st = c.createStatement()) {
                st.execute(sql);
                strongest = strongestLock(c, schema);
            }
            c.commit();
            c.setAutoCommit(true);
            long after = relfilenode(c, schema);

            assertThat(strongest).as("lock taken by %s on %s", sql, server).isEqualTo(predicted.mode());
            if (!sql.startsWith("REINDEX") && !sql.startsWith("UPDATE")) {
                assertThat(after != before).as("rewrite by %s on %s (predicted %s)", sql, server, predicted.effect())
                        .isEqualTo(predicted.effect() == Effect.REWRITE);
            }
            try (Statement st = c.createStatement()) {
                st.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    /** Lints SETUP then the statement and returns the facts predicted for the statement's last part. */
    private static LockFacts predict(Path dir, int major, String sql) throws Exception {
        Files.writeString(dir.resolve("V1__setup.sql"), SETUP);
        Files.writeString(dir.resolve("V2__change.sql"), sql + ";");
        AtomicReference<LockFacts> last = new AtomicReference<>();
        new LintEngine(Target.parse("postgres:" + major), Runner.PLAIN, ZerodownConfig.empty())
                .lint(MigrationScanner.standard().scan(List.of(dir)), (unit, text, stmt, locks) -> {
                    if (unit.file().endsWith("V2__change.sql")) last.set(locks);
                });
        return last.get();
    }

    private static long relfilenode(Connection c, String schema) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT relfilenode FROM pg_class WHERE oid = '" + schema + ".accounts'::regclass")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The strongest lock mode this backend holds on the schema's tables, in zerodown's spelling. */
    private static String strongestLock(Connection c, String schema) throws SQLException {
        String q = "SELECT l.mode FROM pg_locks l JOIN pg_class r ON r.oid = l.relation "
                + "JOIN pg_namespace n ON n.oid = r.relnamespace "
                + "WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND r.relkind IN ('r', 'p') AND n.nspname = '" + schema + "'";
        PostgresLocks.Mode best = PostgresLocks.Mode.NONE;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(q)) {
            while (rs.next()) {
                String mode = rs.getString(1).replace("Lock", "");
                PostgresLocks.Mode m = PostgresLocks.Mode.valueOf(mode.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase());
                if (m.ordinal() > best.ordinal()) best = m;
            }
        }
        return best.sql;
    }
}
