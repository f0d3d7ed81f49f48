package io.zerodown.postgres.versioned;

import io.zerodown.core.versioned.VersionedMigration;
import io.zerodown.core.versioned.VersionedMigrationReader;
import io.zerodown.postgres.PostgresVersions;
import io.zerodown.postgres.apply.PostgresConnections;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A fresh database on a real server, the engine on it, and helpers to read the catalog. */
final class VersionedFixture {
    final PostgresVersions.Server server;
    final String url;
    final PostgresConnections db;
    final List<String> log = Collections.synchronizedList(new ArrayList<>());

    VersionedFixture(PostgresVersions.Server server) throws SQLException {
        this.server = server;
        this.url = server.freshDatabase();
        this.db = PostgresConnections.of(url, server.user());
    }

    VersionedEngine engine(VersionedOptions options) {
        return new VersionedEngine(db, options, log::add);
    }

    VersionedEngine engine() {
        return engine(VersionedOptions.defaults().withBatch(500, 0));
    }

    static VersionedMigration yaml(String name, String text) {
        return new VersionedMigrationReader().parse(name + ".yaml", text, false, name);
    }

    VersionedEngine.Started start(String name, String yaml) throws SQLException {
        return engine().start(yaml(name, yaml), yaml, false);
    }

    /** A connection as an app of a version would open it: the version's search_path in the JDBC URL. */
    Connection app(String searchPath) throws SQLException {
        String u = url + (url.contains("?") ? "&" : "?") + "currentSchema=" + searchPath.replace("\"", "").replace(" ", "");
        return DriverManager.getConnection(u, server.user(), "");
    }

    Connection open() throws SQLException {
        return db.open();
    }

    void exec(String... sql) throws SQLException {
        try (Connection c = db.open(); Statement st = c.createStatement()) {
            for (String s : sql) st.execute(s);
        }
    }

    long count(String sql) throws SQLException {
        try (Connection c = db.open(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** name → "type[ NOT NULL][ DEFAULT expr]" of a table's columns, as the catalog has them. */
    Map<String, String> columns(String schema, String table) throws SQLException {
        Map<String, String> out = new TreeMap<>();
        try (Connection c = db.open(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid) "
                        + "FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
                        + "WHERE a.attrelid = '\"" + schema + "\".\"" + table + "\"'::regclass AND a.attnum > 0 AND NOT a.attisdropped")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getString(2) + (rs.getBoolean(3) ? " NOT NULL" : "")
                        + (rs.getString(4) == null ? "" : " DEFAULT " + rs.getString(4)));
            }
        }
        return out;
    }

    List<String> rows(String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = db.open(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder b = new StringBuilder();
                for (int i = 1; i <= n; i++) b.append(i > 1 ? "|" : "").append(rs.getString(i));
                out.add(b.toString());
            }
        }
        return out;
    }

    /** Triggers, constraints, indexes and schemas: what start/complete/rollback add or take away. */
    List<String> objects() throws SQLException {
        List<String> out = new ArrayList<>();
        out.addAll(rows("SELECT 'trigger ' || tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1"));
        out.addAll(rows("SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || convalidated FROM pg_constraint "
                + "c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'public' AND c.contype <> 'n' ORDER BY 1"));
        out.addAll(rows("SELECT 'index ' || indexrelid::regclass FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
                + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' ORDER BY 1"));
        out.addAll(rows("SELECT 'schema ' || nspname FROM pg_namespace WHERE nspname LIKE 'public%' ORDER BY 1"));
        return out;
    }
}
