package io.zerodown.postgres.apply;

import io.zerodown.api.ZerodownException;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;

/**
 * Where to connect: a JDBC URL or a libpq-style {@code postgresql://} URL. The password comes from the URL, then
 * PGPASSWORD, then ~/.pgpass; it is never printed ({@link #display()} leaves it out).
 */
public final class PostgresConnections {
    private final String jdbcUrl;
    private final Properties props;
    private final String display;

    private PostgresConnections(String jdbcUrl, Properties props, String display) {
        this.jdbcUrl = jdbcUrl;
        this.props = props;
        this.display = display;
    }

    public static PostgresConnections parse(String url) {
        String u = url.trim();
        Properties props = new Properties();
        String host;
        int port;
        String db;
        String user = null;
        String password = null;
        String query = null;
        if (u.startsWith("jdbc:postgresql:")) {
            URI uri = uri(u.substring("jdbc:".length()), url);
            host = uri.getHost() == null ? "localhost" : uri.getHost();
            port = uri.getPort() < 0 ? 5432 : uri.getPort();
            db = uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : uri.getPath().substring(1);
            query = uri.getRawQuery();
        } else if (u.startsWith("postgresql://") || u.startsWith("postgres://")) {
            URI uri = uri(u, url);
            host = uri.getHost() == null ? "localhost" : uri.getHost();
            port = uri.getPort() < 0 ? 5432 : uri.getPort();
            db = uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : decode(uri.getPath().substring(1));
            if (uri.getRawUserInfo() != null) {
                String[] ui = uri.getRawUserInfo().split(":", 2);
                user = decode(ui[0]);
                if (ui.length > 1) password = decode(ui[1]);
            }
            query = uri.getRawQuery();
        } else {
            throw new ZerodownException("not a PostgreSQL URL: use jdbc:postgresql://host:5432/db or "
                    + "postgresql://user@host:5432/db (the password may come from PGPASSWORD or ~/.pgpass)");
        }
        if (query != null) {
            for (String kv : query.split("&")) {
                String[] p = kv.split("=", 2);
                String k = decode(p[0]);
                String v = p.length > 1 ? decode(p[1]) : "";
                if (k.equals("user")) user = v;
                else if (k.equals("password")) password = v;
                else props.setProperty(k, v);
            }
        }
        if (user == null) user = System.getenv().getOrDefault("PGUSER", System.getProperty("user.name"));
        if (password == null) password = System.getenv("PGPASSWORD");
        if (password == null) password = fromPgpass(host, port, db, user);
        props.setProperty("user", user);
        if (password != null) props.setProperty("password", password);
        props.setProperty("ApplicationName", props.getProperty("ApplicationName", "zerodown"));
        String jdbc = "jdbc:postgresql://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/" + db;
        return new PostgresConnections(jdbc, props, "postgresql://" + user + "@" + host + ":" + port + "/" + db);
    }

    /** For a server whose URL carries no secret, e.g. the embedded one. */
    public static PostgresConnections of(String jdbcUrl, String user) {
        return parse(jdbcUrl + (jdbcUrl.contains("?") ? "&" : "?") + "user=" + user);
    }

    public Connection open() throws SQLException {
        try {
            return DriverManager.getConnection(jdbcUrl, props);
        } catch (SQLException e) {
            throw new SQLException("cannot connect to " + display + ": " + e.getMessage(), e.getSQLState(), e);
        }
    }

    /** The URL without the password. */
    public String display() {
        return display;
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    /** ~/.pgpass lines host:port:database:username:password, '*' matches anything, '\' escapes ':' and '\'. */
    static String fromPgpass(String host, int port, String db, String user) {
        String file = System.getenv("PGPASSFILE");
        Path p = file != null ? Path.of(file) : Path.of(System.getProperty("user.home"), ".pgpass");
        if (!Files.isReadable(p)) return null;
        try {
            List<String> lines = Files.readAllLines(p, StandardCharsets.UTF_8);
            for (String line : lines) {
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] f = splitPgpass(line);
                if (f.length < 5) continue;
                if (matches(f[0], host) && matches(f[1], String.valueOf(port)) && matches(f[2], db) && matches(f[3], user)) {
                    return f[4];
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    private static boolean matches(String pattern, String value) {
        return pattern.equals("*") || pattern.equals(value)
                || pattern.equals("localhost") && (value.equals("127.0.0.1") || value.equals("::1"));
    }

    private static String[] splitPgpass(String line) {
        java.util.List<String> out = new java.util.ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length()) cur.append(line.charAt(++i));
            else if (c == ':' && out.size() < 4) {
                out.add(cur.toString());
                cur.setLength(0);
            } else cur.append(c);
        }
        out.add(cur.toString());
        return out.toArray(new String[0]);
    }

    private static URI uri(String s, String original) {
        try {
            return URI.create(s);
        } catch (IllegalArgumentException e) {
            // the parser's message would echo the URL, password included: say what to check instead
            throw new ZerodownException("cannot read the database URL: check its syntax, and percent-encode special "
                    + "characters in the user name or password");
        }
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
