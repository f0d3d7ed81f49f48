package io.zerodown.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Real PostgreSQL servers for tests: embedded servers of several majors (zonky binaries copied by the build into
 * target/pg-binaries) started once per JVM, plus the server on 127.0.0.1:5432 when one is running.
 */
public final class PostgresVersions {
    private static final Map<Integer, EmbeddedPostgres> STARTED = new ConcurrentHashMap<>();

    /** A database to test against: a name for test output and a way to connect. */
    public record Server(String name, String jdbcUrl, String user) {
        public Connection connect() throws SQLException {
            return DriverManager.getConnection(jdbcUrl, user, "");
        }

        /** Creates a fresh, empty database on this server and returns its JDBC URL. */
        public String freshDatabase() throws SQLException {
            String db = "zd_" + Long.toHexString(System.nanoTime()) + "_" + (int) (Math.random() * 1000);
            try (Connection c = connect(); java.sql.Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE " + db);
            }
            int q = jdbcUrl.indexOf('?');
            String base = q < 0 ? jdbcUrl : jdbcUrl.substring(0, q);
            String params = q < 0 ? "" : jdbcUrl.substring(q);
            return base.substring(0, base.lastIndexOf('/') + 1) + db + params;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private PostgresVersions() {
    }

    public static List<Integer> embeddedMajors() {
        List<Integer> majors = new ArrayList<>();
        for (int m : new int[] {12, 14, 16, 18}) {
            if (Files.exists(binaries().resolve("pg-" + m + ".jar"))) majors.add(m);
        }
        if (majors.isEmpty()) {
            throw new IllegalStateException("no PostgreSQL binaries in " + binaries()
                    + ": run the tests through Maven (mvn test), which copies them there");
        }
        return majors;
    }

    /** Every server to test against: each embedded major, then the local server when reachable. */
    public static List<Server> all() {
        List<Server> servers = new ArrayList<>();
        for (int major : embeddedMajors()) servers.add(embedded(major));
        Server local = localServer();
        if (local != null) servers.add(local);
        return servers;
    }

    public static Server embedded(int major) {
        EmbeddedPostgres pg = STARTED.computeIfAbsent(major, PostgresVersions::start);
        return new Server("embedded PostgreSQL " + major, pg.getJdbcUrl("postgres", "postgres"), "postgres");
    }

    /** The server on 127.0.0.1:5432 (trust auth), or null when none answers. */
    public static Server localServer() {
        String url = System.getenv().getOrDefault("ZERODOWN_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/postgres");
        String user = System.getenv().getOrDefault("ZERODOWN_TEST_PG_USER", "postgres");
        try (Connection c = DriverManager.getConnection(url + (url.contains("?") ? "&" : "?") + "connectTimeout=2", user, "")) {
            String v = c.getMetaData().getDatabaseProductVersion();
            return new Server("local PostgreSQL " + v, url, user);
        } catch (SQLException e) {
            return null;
        }
    }

    private static EmbeddedPostgres start(int major) {
        Path jar = binaries().resolve("pg-" + major + ".jar");
        try {
            return EmbeddedPostgres.builder()
                    .setPgBinaryResolver((system, hardware) -> binaryFrom(jar, system, hardware))
                    .setOverrideWorkingDirectory(Files.createTempDirectory("zerodown-pg" + major).toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start embedded PostgreSQL " + major + " from " + jar, e);
        }
    }

    private static InputStream binaryFrom(Path jar, String system, String hardware) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            String wanted = "postgres-" + system.toLowerCase(java.util.Locale.ROOT) + "-" + hardware + ".txz";
            ZipEntry entry = zip.getEntry(wanted);
            if (entry == null) throw new IOException(jar + " has no " + wanted);
            try (InputStream in = zip.getInputStream(entry)) {
                return new ByteArrayInputStream(in.readAllBytes());
            }
        }
    }

    private static Path binaries() {
        return Path.of(System.getProperty("zerodown.pgBinaries", "target/pg-binaries"));
    }
}
