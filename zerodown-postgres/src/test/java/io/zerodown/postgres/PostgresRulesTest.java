package io.zerodown.postgres;

import io.zerodown.api.Finding;
import io.zerodown.api.LintReport;
import io.zerodown.api.Runner;
import io.zerodown.api.Severity;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every PostgreSQL and shared rule: a bad case that reports it (with severity and the real names in the safe SQL)
 * and a good case that does not. The existing tables come from an earlier file, as in a real migration folder.
 */
class PostgresRulesTest {

    static final String SETUP = """
            CREATE TABLE accounts (id bigserial PRIMARY KEY, email varchar(255) NOT NULL, name text,
                                   balance numeric(12,2), status int, note varchar(40), created timestamp);
            CREATE INDEX accounts_email_idx ON accounts (email);
            CREATE TABLE users (id bigint PRIMARY KEY);
            CREATE TABLE logs (id bigint NOT NULL, msg text);
            CREATE TABLE logs2 (id bigint, msg text);
            CREATE TABLE orders (id bigint PRIMARY KEY, account_id bigint);
            ALTER TABLE orders ADD CONSTRAINT orders_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id);
            CREATE INDEX orders_account_idx ON orders (account_id);
            CREATE TABLE events (id bigint, at date) PARTITION BY RANGE (at);
            CREATE TABLE events_2020 PARTITION OF events FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
            CREATE TYPE mood AS ENUM ('sad', 'ok');
            CREATE TABLE shipments (id bigint PRIMARY KEY, account_id bigint);
            ALTER TABLE accounts ADD CONSTRAINT note_short CHECK (length(note) < 40);
            """;

    /** A case: the change file, the rule, and either the severity it must have or null when it must not fire. */
    record Case(String rule, String target, Runner runner, String sql, Severity expected, String fixContains) {
        @Override
        public String toString() {
            return (expected == null ? "good " : "bad ") + rule + " [" + target + ", " + runner.id() + "]: "
                    + sql.replaceAll("\\s+", " ").trim();
        }
    }

    static Case bad(String rule, String sql, Severity s, String fix) {
        return new Case(rule, "postgres:16", Runner.PLAIN, sql, s, fix);
    }

    static Case bad(String rule, String target, Runner runner, String sql, Severity s, String fix) {
        return new Case(rule, target, runner, sql, s, fix);
    }

    static Case good(String rule, String sql) {
        return new Case(rule, "postgres:16", Runner.PLAIN, sql, null, null);
    }

    static Case good(String rule, String target, Runner runner, String sql) {
        return new Case(rule, target, runner, sql, null, null);
    }

    static Stream<Case> cases() {
        Severity E = Severity.ERROR;
        Severity W = Severity.WARNING;
        Severity I = Severity.INFO;
        return Stream.of(
                bad("pg.index.create-nonconcurrent", "CREATE INDEX accounts_name_idx ON accounts (name);", E,
                        "CREATE INDEX CONCURRENTLY accounts_name_idx ON accounts (name)"),
                bad("pg.index.create-nonconcurrent", "CREATE UNIQUE INDEX ON accounts (lower(email));", E,
                        "CREATE UNIQUE INDEX CONCURRENTLY accounts_expr_idx ON accounts (lower(email))"),
                good("pg.index.create-nonconcurrent", "CREATE INDEX CONCURRENTLY accounts_name_idx ON accounts (name);"),
                good("pg.index.create-nonconcurrent", "CREATE TABLE fresh (id int, v int); CREATE INDEX fresh_v_idx ON fresh (v);"),
                bad("pg.index.drop-nonconcurrent", "DROP INDEX accounts_email_idx;", E,
                        "DROP INDEX CONCURRENTLY IF EXISTS accounts_email_idx"),
                good("pg.index.drop-nonconcurrent", "DROP INDEX CONCURRENTLY accounts_email_idx;"),
                bad("pg.index.reindex-nonconcurrent", "REINDEX INDEX accounts_email_idx;", E,
                        "REINDEX INDEX CONCURRENTLY accounts_email_idx"),
                good("pg.index.reindex-nonconcurrent", "REINDEX INDEX CONCURRENTLY accounts_email_idx;"),
                bad("pg.index.cic-bad-minor", "postgres:14.2", Runner.PLAIN,
                        "CREATE INDEX CONCURRENTLY accounts_name_idx ON accounts (name);", E, "14.4"),
                good("pg.index.cic-bad-minor", "postgres:14.4", Runner.PLAIN,
                        "CREATE INDEX CONCURRENTLY accounts_name_idx ON accounts (name);"),
                bad("pg.index.cic-if-not-exists", "CREATE INDEX CONCURRENTLY IF NOT EXISTS accounts_name_idx ON accounts (name);",
                        W, "DROP INDEX CONCURRENTLY IF EXISTS accounts_name_idx"),
                good("pg.index.cic-if-not-exists", "CREATE INDEX CONCURRENTLY accounts_name_idx ON accounts (name);"),
                bad("pg.tx.concurrent-in-transaction", "BEGIN;\nCREATE INDEX CONCURRENTLY accounts_name_idx ON accounts (name);\nCOMMIT;",
                        E, "outside BEGIN"),
                bad("pg.tx.concurrent-in-transaction", "postgres:16", Runner.FLYWAY,
                        "REINDEX INDEX CONCURRENTLY accounts_email_idx;", E, "executeInTransaction=false"),
                bad("pg.tx.concurrent-in-transaction", "postgres:16", Runner.LIQUIBASE,
                        "DROP INDEX CONCURRENTLY accounts_email_idx;", E, "runInTransaction:false"),
                good("pg.tx.concurrent-in-transaction", "postgres:16", Runner.FLYWAY,
                        "CREATE INDEX CONCURRENTLY accounts_name_idx ON accounts (name);"),
                good("pg.tx.concurrent-in-transaction", "postgres:16", Runner.ZERODOWN,
                        "CREATE INDEX CONCURRENTLY accounts_name_idx ON accounts (name);"),
                bad("pg.partition.detach-nonconcurrent", "ALTER TABLE events DETACH PARTITION events_2020;", E,
                        "ALTER TABLE events DETACH PARTITION events_2020 CONCURRENTLY"),
                bad("pg.partition.detach-nonconcurrent", "postgres:12", Runner.PLAIN,
                        "ALTER TABLE events DETACH PARTITION events_2020;", E, "lock_timeout"),
                good("pg.partition.detach-nonconcurrent", "ALTER TABLE events DETACH PARTITION events_2020 CONCURRENTLY;"),
                bad("pg.table.rewrite-maintenance", "VACUUM FULL accounts;", E, "pg_repack --table=accounts"),
                bad("pg.table.rewrite-maintenance", "CLUSTER accounts USING accounts_email_idx;", E, "pg_repack"),
                bad("pg.table.rewrite-maintenance", "ALTER TABLE accounts SET TABLESPACE fast;", E, "pg_repack"),
                bad("pg.table.rewrite-maintenance", "ALTER TABLE accounts SET UNLOGGED;", E, "pg_repack"),
                good("pg.table.rewrite-maintenance", "VACUUM (ANALYZE) accounts;"),
                bad("pg.table.explicit-lock", "BEGIN;\nLOCK TABLE accounts;\nCOMMIT;", W, "lock_timeout"),
                good("pg.table.explicit-lock", "BEGIN;\nLOCK TABLE accounts IN ACCESS SHARE MODE;\nCOMMIT;"),
                bad("pg.constraint.fk-validating",
                        "ALTER TABLE shipments ADD CONSTRAINT shipments_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id);",
                        E, "VALIDATE CONSTRAINT shipments_account_fk"),
                good("pg.constraint.fk-validating",
                        "ALTER TABLE shipments ADD CONSTRAINT shipments_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;"),
                bad("pg.constraint.fk-validating", "ALTER TABLE shipments ADD COLUMN user_id bigint REFERENCES users (id);",
                        E, "FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID"),
                bad("pg.constraint.check-validating", "ALTER TABLE accounts ADD CONSTRAINT balance_pos CHECK (balance >= 0);",
                        E, "CHECK (balance >= 0) NOT VALID"),
                good("pg.constraint.check-validating", "ALTER TABLE accounts ADD CONSTRAINT balance_pos CHECK (balance >= 0) NOT VALID;"),
                bad("pg.constraint.validate-same-tx", """
                        BEGIN;
                        ALTER TABLE accounts ADD CONSTRAINT balance_pos CHECK (balance >= 0) NOT VALID;
                        ALTER TABLE accounts VALIDATE CONSTRAINT balance_pos;
                        COMMIT;""", E, "ALTER TABLE accounts VALIDATE CONSTRAINT balance_pos"),
                bad("pg.constraint.validate-same-tx", "postgres:16", Runner.FLYWAY, """
                        ALTER TABLE accounts ADD CONSTRAINT balance_pos CHECK (balance >= 0) NOT VALID;
                        ALTER TABLE accounts VALIDATE CONSTRAINT balance_pos;""", E, "VALIDATE CONSTRAINT balance_pos"),
                good("pg.constraint.validate-same-tx", """
                        ALTER TABLE accounts ADD CONSTRAINT balance_pos CHECK (balance >= 0) NOT VALID;
                        ALTER TABLE accounts VALIDATE CONSTRAINT balance_pos;"""),
                bad("pg.constraint.unique", "ALTER TABLE accounts ADD CONSTRAINT accounts_email_key UNIQUE (email);", E,
                        "CREATE UNIQUE INDEX CONCURRENTLY accounts_email_key ON accounts (email)"),
                good("pg.constraint.unique", "ALTER TABLE accounts ADD CONSTRAINT accounts_email_key UNIQUE USING INDEX accounts_email_idx;"),
                bad("pg.constraint.primary-key", "ALTER TABLE logs ADD PRIMARY KEY (id);", E,
                        "ALTER TABLE logs ADD CONSTRAINT logs_pkey PRIMARY KEY USING INDEX logs_pkey"),
                bad("pg.constraint.primary-key", """
                        CREATE UNIQUE INDEX CONCURRENTLY logs2_id_key ON logs2 (id);
                        ALTER TABLE logs2 ADD CONSTRAINT logs2_pkey PRIMARY KEY USING INDEX logs2_id_key;""", E,
                        "CHECK (id IS NOT NULL) NOT VALID"),
                good("pg.constraint.primary-key", """
                        CREATE UNIQUE INDEX CONCURRENTLY logs_id_key ON logs (id);
                        ALTER TABLE logs ADD CONSTRAINT logs_pkey PRIMARY KEY USING INDEX logs_id_key;"""),
                bad("pg.constraint.exclusion", "ALTER TABLE accounts ADD CONSTRAINT no_overlap EXCLUDE USING gist (id WITH =);", E,
                        "lock_timeout"),
                good("pg.constraint.exclusion", "CREATE TABLE slots (id int); ALTER TABLE slots ADD CONSTRAINT no_overlap EXCLUDE USING gist (id WITH =);"),
                bad("pg.fk.missing-index",
                        "ALTER TABLE shipments ADD CONSTRAINT shipments_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;",
                        W, "CREATE INDEX CONCURRENTLY shipments_account_id_idx ON shipments (account_id)"),
                good("pg.fk.missing-index", """
                        ALTER TABLE shipments ADD CONSTRAINT shipments_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;
                        CREATE INDEX CONCURRENTLY shipments_account_idx ON shipments (account_id);"""),
                bad("pg.column.set-not-null", "ALTER TABLE accounts ALTER COLUMN name SET NOT NULL;", E,
                        "ALTER TABLE accounts ADD CONSTRAINT accounts_name_not_null CHECK (name IS NOT NULL) NOT VALID"),
                good("pg.column.set-not-null", "ALTER TABLE accounts ALTER COLUMN email SET NOT NULL;"),
                bad("pg.column.add-required", "ALTER TABLE accounts ADD COLUMN region text NOT NULL;", E,
                        "ALTER TABLE accounts ADD COLUMN region text;"),
                good("pg.column.add-required", "ALTER TABLE accounts ADD COLUMN region text NOT NULL DEFAULT 'eu';"),
                bad("pg.column.add-volatile-default", "ALTER TABLE accounts ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid();", E,
                        "ALTER TABLE accounts ALTER COLUMN token SET DEFAULT gen_random_uuid()"),
                bad("pg.column.add-volatile-default", "ALTER TABLE accounts ADD COLUMN score int DEFAULT my_score();", E,
                        "SET DEFAULT my_score()"),
                good("pg.column.add-volatile-default", "ALTER TABLE accounts ADD COLUMN seen_at timestamptz NOT NULL DEFAULT now();"),
                good("pg.column.add-volatile-default", "ALTER TABLE accounts ADD COLUMN flags text[] DEFAULT ARRAY[]::text[];"),
                bad("pg.column.add-generated-stored",
                        "ALTER TABLE accounts ADD COLUMN email_lower text GENERATED ALWAYS AS (lower(email)) STORED;", E, "email_lower"),
                good("pg.column.add-generated-stored", "postgres:18", Runner.PLAIN,
                        "ALTER TABLE accounts ADD COLUMN email_lower text GENERATED ALWAYS AS (lower(email)) VIRTUAL;"),
                bad("pg.column.add-serial", "ALTER TABLE accounts ADD COLUMN seq bigserial;", E,
                        "SET DEFAULT nextval('accounts_seq_seq')"),
                bad("pg.column.add-serial", "ALTER TABLE accounts ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;", E,
                        "CREATE SEQUENCE accounts_seq_seq"),
                good("pg.column.add-serial", "CREATE TABLE fresh (id int); ALTER TABLE fresh ADD COLUMN seq bigserial;"),
                bad("pg.column.change-type", "ALTER TABLE accounts ALTER COLUMN status TYPE bigint;", E,
                        "ALTER TABLE accounts ADD COLUMN status_new bigint"),
                bad("pg.column.change-type", "ALTER TABLE accounts ALTER COLUMN name TYPE varchar(100);", E, "name_new varchar(100)"),
                bad("pg.column.change-type", "ALTER TABLE accounts ALTER COLUMN balance TYPE numeric(14,4);", E, "balance_new"),
                bad("pg.column.change-type", "ALTER TABLE ledger ALTER COLUMN amount TYPE numeric(20,2);", W, "amount_new"),
                good("pg.column.change-type", "ALTER TABLE accounts ALTER COLUMN email TYPE varchar(320);"),
                good("pg.column.change-type", "ALTER TABLE accounts ALTER COLUMN email TYPE text;"),
                good("pg.column.change-type", "ALTER TABLE accounts ALTER COLUMN balance TYPE numeric(14,2);"),
                good("pg.column.change-type", "ALTER TABLE accounts ALTER COLUMN name TYPE varchar;"),
                bad("pg.column.change-type-checked", "ALTER TABLE accounts ALTER COLUMN note TYPE varchar(80);", W,
                        "ALTER TABLE accounts DROP CONSTRAINT note_short"),
                good("pg.column.change-type-checked", "ALTER TABLE accounts ALTER COLUMN email TYPE varchar(320);"),
                bad("pg.column.add-json", "ALTER TABLE accounts ADD COLUMN meta json;", I, "meta jsonb"),
                good("pg.column.add-json", "ALTER TABLE accounts ADD COLUMN meta jsonb;"),
                bad("pg.tx.lock-timeout-missing", "ALTER TABLE accounts ADD COLUMN x int;", W, "lock_timeout = '100ms'"),
                bad("pg.tx.lock-timeout-missing", "SET lock_timeout = '30s';\nALTER TABLE accounts ADD COLUMN x int;", W, "100ms"),
                good("pg.tx.lock-timeout-missing", "SET lock_timeout = '2s';\nALTER TABLE accounts ADD COLUMN x int;"),
                good("pg.tx.lock-timeout-missing", "postgres:16", Runner.ZERODOWN, "ALTER TABLE accounts ADD COLUMN x int;"),
                good("pg.tx.lock-timeout-missing", "CREATE TABLE fresh (id int);"),
                bad("pg.tx.statement-timeout-missing", "SET lock_timeout = '1s';\nALTER TABLE accounts ADD COLUMN x int;", I,
                        "statement_timeout"),
                good("pg.tx.statement-timeout-missing", "SET statement_timeout = '5s';\nSET lock_timeout = '1s';\nALTER TABLE accounts ADD COLUMN x int;"),
                bad("pg.tx.stmts-after-access-exclusive", """
                        BEGIN;
                        ALTER TABLE accounts ADD COLUMN x int;
                        UPDATE users SET id = id WHERE id = 1;
                        COMMIT;""", W, "COMMIT;"),
                good("pg.tx.stmts-after-access-exclusive", """
                        ALTER TABLE accounts ADD COLUMN x int;
                        UPDATE users SET id = id WHERE id = 1;"""),
                bad("pg.tx.flyway-mixed", "postgres:16", Runner.FLYWAY,
                        "SET lock_timeout = '1s';\nCREATE INDEX CONCURRENTLY accounts_name_idx ON accounts (name);", W, "own migration file"),
                good("pg.tx.flyway-mixed", "postgres:16", Runner.FLYWAY, "CREATE INDEX CONCURRENTLY accounts_name_idx ON accounts (name);"),
                bad("pg.domain.constraint", "CREATE DOMAIN posint AS int CHECK (VALUE > 0);", W, "NOT VALID"),
                good("pg.domain.constraint", "CREATE DOMAIN posint AS int;"),
                bad("pg.enum.add-value-unordered", "ALTER TYPE mood ADD VALUE 'happy';", I, "AFTER"),
                good("pg.enum.add-value-unordered", "ALTER TYPE mood ADD VALUE 'happy' AFTER 'ok';"),
                bad("pg.enum.add-value-in-transaction", "postgres:11", Runner.LIQUIBASE,
                        "--liquibase formatted sql\n--changeset me:1\nALTER TYPE mood ADD VALUE 'happy' AFTER 'ok';", E, "outside a transaction"),
                good("pg.enum.add-value-in-transaction", "postgres:12", Runner.LIQUIBASE,
                        "--liquibase formatted sql\n--changeset me:1\nALTER TYPE mood ADD VALUE 'happy' AFTER 'ok';"),
                good("pg.enum.add-value-in-transaction", "postgres:11", Runner.FLYWAY, "ALTER TYPE mood ADD VALUE 'happy' AFTER 'ok';"),
                bad("pg.enum.rename-value", "ALTER TYPE mood RENAME VALUE 'sad' TO 'blue';", W, "ADD VALUE"),
                bad("pg.schema.rename", "ALTER SCHEMA app RENAME TO app2;", E, "expand/contract"),
                bad("any.column.drop", "ALTER TABLE accounts DROP COLUMN note;", E, "ALTER TABLE accounts DROP COLUMN note"),
                good("any.column.drop", "CREATE TABLE fresh (id int, tmp int); ALTER TABLE fresh DROP COLUMN tmp;"),
                good("any.column.drop", "-- zerodown:ignore any.column.drop unused since release 41\nALTER TABLE accounts DROP COLUMN note;"),
                bad("any.table.drop", "DROP TABLE users;", E, "DROP TABLE users"),
                good("any.table.drop", "CREATE TABLE scratch (id int); DROP TABLE scratch;"),
                bad("any.schema.drop", "DROP SCHEMA app CASCADE;", E, "DROP SCHEMA app"),
                bad("any.column.rename", "ALTER TABLE accounts RENAME COLUMN name TO full_name;", E,
                        "CREATE TRIGGER accounts_full_name_sync BEFORE INSERT OR UPDATE ON accounts"),
                good("any.column.rename", "CREATE TABLE fresh (a int); ALTER TABLE fresh RENAME COLUMN a TO b;"),
                bad("any.table.rename", "ALTER TABLE accounts RENAME TO customers;", E,
                        "CREATE VIEW accounts AS SELECT * FROM customers"),
                good("any.table.rename", "ALTER TABLE accounts RENAME TO customers;\nCREATE VIEW accounts AS SELECT * FROM customers;"),
                bad("any.column.drop-not-null", "ALTER TABLE accounts ALTER COLUMN email DROP NOT NULL;", W, "DROP NOT NULL"),
                bad("any.fk.drop", "ALTER TABLE orders DROP CONSTRAINT orders_account_fk;", W, null),
                good("any.fk.drop", "ALTER TABLE accounts DROP CONSTRAINT note_short;"),
                bad("any.truncate.cascade", "TRUNCATE accounts CASCADE;", W, "TRUNCATE accounts"),
                good("any.truncate.cascade", "TRUNCATE accounts;"),
                bad("any.tx.uncommitted", "BEGIN;\nALTER TABLE accounts ADD COLUMN x int;", E, "COMMIT;"),
                bad("any.tx.uncommitted", "ALTER TABLE accounts ADD COLUMN x int;\nCOMMIT;", E, "BEGIN"),
                bad("any.tx.uncommitted", "postgres:16", Runner.FLYWAY, "BEGIN;\nALTER TABLE accounts ADD COLUMN x int;\nCOMMIT;", E, "BEGIN/COMMIT"),
                good("any.tx.uncommitted", "BEGIN;\nALTER TABLE accounts ADD COLUMN x int;\nCOMMIT;"),
                bad("any.stmt.non-idempotent", "CREATE TABLE t2 (id int);", I, null),
                good("any.stmt.non-idempotent", "CREATE TABLE IF NOT EXISTS t2 (id int);"),
                bad("any.alter.multiple-same-table", """
                        ALTER TABLE accounts ALTER COLUMN status TYPE bigint;
                        ALTER TABLE accounts ADD CONSTRAINT balance_pos CHECK (balance >= 0);""", I, null),
                good("any.alter.multiple-same-table", """
                        ALTER TABLE accounts ADD COLUMN x int;
                        ALTER TABLE accounts ADD COLUMN y int;"""),
                bad("any.dml.backfill-in-ddl-tx", "UPDATE accounts SET status = 0;", E,
                        "UPDATE accounts SET status = 0\nWHERE id IN (SELECT id FROM accounts WHERE id > :last_id ORDER BY id LIMIT 5000)"),
                bad("any.dml.backfill-in-ddl-tx", "DELETE FROM logs;", E, "LIMIT 5000"),
                good("any.dml.backfill-in-ddl-tx", "UPDATE accounts SET status = 0 WHERE id BETWEEN 1 AND 1000;"),
                bad("any.dml.backfill-in-ddl-tx", "UPDATE accounts SET name = 'unknown' WHERE name IS NULL;", E,
                        "WHERE id > :last_id AND (name IS NULL) ORDER BY id LIMIT 5000"),
                good("any.dml.backfill-in-ddl-tx", "UPDATE accounts SET name = 'x' WHERE name IS NULL AND id = 7;"),
                good("any.dml.backfill-in-ddl-tx", "CREATE TABLE fresh (id int, v int);\nUPDATE fresh SET v = 1;"),
                bad("zerodown.not-analysed", "FROBNICATE accounts WITH VIGOUR;", I, null),
                good("zerodown.not-analysed", "SELECT 1;"),
                bad("zerodown.bad-directive", "-- zerodown:ignore any.column.drop\nALTER TABLE accounts DROP COLUMN note;", W, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rule(Case c, @TempDir Path dir) {
        LintReport report = new LintFixture(dir).target(c.target).runner(c.runner)
                .file("V1__setup.sql", SETUP)
                .file("V2__change.sql", c.sql)
                .lint();
        List<Finding> setupErrors = report.findings().stream().filter(f -> f.file().endsWith("V1__setup.sql")
                && f.rule().equals(c.rule)).toList();
        List<Finding> found = report.findings().stream()
                .filter(f -> f.rule().equals(c.rule) && f.file().endsWith("V2__change.sql")).toList();
        if (!c.rule.equals("any.stmt.non-idempotent")) {
            assertThat(setupErrors).as("the setup file itself must not trigger the rule under test").isEmpty();
        }
        if (c.expected == null) {
            assertThat(found).as("no %s expected", c.rule).isEmpty();
            return;
        }
        assertThat(found).as("expected %s in %s", c.rule, report.findings()).isNotEmpty();
        Finding f = found.get(0);
        assertThat(f.severity()).isEqualTo(c.expected);
        assertThat(f.line()).isPositive();
        assertThat(f.message()).isNotBlank();
        if (c.fixContains != null) assertThat(f.fix()).contains(c.fixContains);
    }
}
