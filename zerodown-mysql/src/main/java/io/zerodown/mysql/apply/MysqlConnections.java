package io.zerodown.mysql.apply;

import io.zerodown.api.ZerodownException;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Where to connect for MySQL and MariaDB: {@code mysql://user@host:3306/db}, {@code mariadb://...}, or a
 * {@code jdbc:mariadb:} / {@code jdbc:mysql:} URL. The password comes from the URL or MYSQL_PWD and is never printed.
 */
public final class MysqlConnections {
    private final String jdbcUrl;
    private final Properties props;
    private final String display;
    private final String database;

    private MysqlConnections(String jdbcUrl, Properties props, String display, String database) {
        this.jdbcUrl = jdbcUrl;
        this.props = props;
        this.display = display;
        this.database = database;
    }

    public static boolean accepts(String url) {
        String u = url.trim().toLowerCase(java.util.Locale.ROOT);
        return u.startsWith("mysql://") || u.startsWith("mariadb://") || u.startsWith("jdbc:mysql:") || u.startsWith("jdbc:mariadb:");
    }

    public static MysqlConnections parse(String url) {
        String u = url.trim();
        String rest = u.startsWith("jdbc:") ? u.substring(5) : u;
        URI uri;
        try {
            uri = URI.create(rest);
        } catch (IllegalArgumentException e) {
            throw new ZerodownException("cannot read the database URL: check its syntax, and percent-encode special "
                    + "characters in the user name or password");
        }
        String host = uri.getHost() == null ? "127.0.0.1" : uri.getHost();
        int port = uri.getPort() < 0 ? 3306 : uri.getPort();
        String db = uri.getPath() == null || uri.getPath().length() <= 1 ? null : decode(uri.getPath().substring(1));
        if (db == null) throw new ZerodownException("the MySQL/MariaDB URL names no database: use mysql://user@host:3306/dbname");
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String[] ui = uri.getRawUserInfo().split(":", 2);
            user = decode(ui[0]);
            if (ui.length > 1) password = decode(ui[1]);
        }
        Properties props = new Properties();
        if (uri.getRawQuery() != null) {
            for (String kv : uri.getRawQuery().split("&")) {
                String[] p = kv.split("=", 2);
                String k = decode(p[0]);
                String v = p.length > 1 ? decode(p[1]) : "";
                if (k.equals("user")) user = v;
                else if (k.equals("password")) password = v;
                else props.setProperty(k, v);
            }
        }
        if (user == null) user = System.getProperty("user.name");
        if (password == null) password = System.getenv("MYSQL_PWD");
        props.setProperty("user", user);
        if (password != null) props.setProperty("password", password);
        props.setProperty("connectionAttributes", "program_name:zerodown");
        String jdbc = "jdbc:mariadb://" + host + ":" + port + "/" + db;
        return new MysqlConnections(jdbc, props, "mysql://" + user + "@" + host + ":" + port + "/" + db, db);
    }

    public Connection open() throws SQLException {
        try {
            return DriverManager.getConnection(jdbcUrl, props);
        } catch (SQLException e) {
            throw new SQLException("cannot connect to " + display + ": " + e.getMessage(), e.getSQLState(), e.getErrorCode(), e);
        }
    }

    public String display() {
        return display;
    }

    public String database() {
        return database;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
