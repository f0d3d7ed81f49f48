package io.zerodown.cli;

import io.zerodown.api.ZerodownException;
import io.zerodown.postgres.apply.PostgresConnections;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintStream;

/** The --url option shared by the database commands, with the embedded fallback for plan/apply/demo. */
final class Database implements AutoCloseable {

    /** picocli mixin: {@code --url}. */
    static final class UrlOption {
        @CommandLine.Option(names = {"-u", "--url"}, paramLabel = "URL",
                description = "jdbc:postgresql://host:5432/db or postgresql://user@host:5432/db; the password may come "
                        + "from PGPASSWORD or ~/.pgpass (default: $ZERODOWN_URL)")
        String url;

        String resolved() {
            return url != null ? url : System.getenv("ZERODOWN_URL");
        }
    }

    final PostgresConnections connections;
    private final EmbeddedPostgres embedded;

    private Database(PostgresConnections connections, EmbeddedPostgres embedded) {
        this.connections = connections;
        this.embedded = embedded;
    }

    /** Connects to the given URL, or starts a throw-away embedded PostgreSQL when {@code allowEmbedded}. */
    static Database open(UrlOption option, boolean allowEmbedded, PrintStream err) {
        String url = option.resolved();
        if (url != null) return new Database(PostgresConnections.parse(url), null);
        if (!allowEmbedded) {
            throw new ZerodownException("no database given: pass --url (or set ZERODOWN_URL)");
        }
        err.println("zerodown: no --url given: using a throw-away embedded PostgreSQL (its data is discarded at exit)");
        return new Database(null, null).startEmbedded();
    }

    static Database embedded() {
        return new Database(null, null).startEmbedded();
    }

    private Database startEmbedded() {
        try {
            EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
            return new Database(PostgresConnections.of(pg.getJdbcUrl("postgres", "postgres"), "postgres"), pg);
        } catch (IOException e) {
            throw new ZerodownException("could not start the embedded PostgreSQL: " + e.getMessage());
        }
    }

    boolean isEmbedded() {
        return embedded != null;
    }

    @Override
    public void close() {
        if (embedded != null) {
            try {
                embedded.close();
            } catch (IOException ignored) {
                // the temp folder is removed by the JVM's shutdown hook anyway
            }
        }
    }
}
