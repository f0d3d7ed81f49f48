package io.zerodown.postgres.versioned;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads the physical tables of one schema: columns with type, NOT NULL and default, and the single-column key. */
final class PgCatalog {
    record Column(String name, String type, boolean notNull, String defaultExpr) {
    }

    /**
     * An index as pg_get_indexdef prints it, with the columns it names plainly, the constraint it backs (u unique,
     * p primary key, x exclusion, or null) and the name as the definition prints it.
     */
    record Index(String name, String printedName, String definition, String constraintType, List<String> columns) {
    }

    record Table(String name, String key, Map<String, Column> columns, List<Index> indexes) {
        Table {
            indexes = indexes == null ? List.of() : List.copyOf(indexes);
        }
    }

    private PgCatalog() {
    }

    static Map<String, Table> tables(Connection c, String schema) throws SQLException {
        Map<String, Table> out = new LinkedHashMap<>();
        Map<String, Map<String, Column>> cols = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT cl.relname, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), "
                + "a.attnotnull, pg_catalog.pg_get_expr(d.adbin, d.adrelid) FROM pg_catalog.pg_class cl "
                + "JOIN pg_catalog.pg_namespace n ON n.oid = cl.relnamespace "
                + "JOIN pg_catalog.pg_attribute a ON a.attrelid = cl.oid AND a.attnum > 0 AND NOT a.attisdropped "
                + "LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = cl.oid AND d.adnum = a.attnum "
                + "WHERE n.nspname = ? AND cl.relkind IN ('r', 'p') AND NOT cl.relispartition ORDER BY cl.relname, a.attnum")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    cols.computeIfAbsent(rs.getString(1), k -> new LinkedHashMap<>())
                            .put(rs.getString(2), new Column(rs.getString(2), rs.getString(3), rs.getBoolean(4), rs.getString(5)));
                }
            }
        }
        Map<String, String> keys = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT cl.relname, min(a.attname), count(*) FROM pg_catalog.pg_constraint co "
                + "JOIN pg_catalog.pg_class cl ON cl.oid = co.conrelid JOIN pg_catalog.pg_namespace n ON n.oid = cl.relnamespace "
                + "JOIN pg_catalog.pg_attribute a ON a.attrelid = cl.oid AND a.attnum = ANY (co.conkey) "
                + "WHERE n.nspname = ? AND co.contype = 'p' GROUP BY cl.relname")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) if (rs.getLong(3) == 1) keys.put(rs.getString(1), rs.getString(2));
            }
        }
        Map<String, List<Index>> indexes = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT t.relname, ic.relname, pg_catalog.quote_ident(ic.relname), "
                + "pg_catalog.pg_get_indexdef(i.indexrelid), co.contype, "
                + "ARRAY(SELECT a.attname FROM pg_catalog.pg_attribute a WHERE a.attrelid = t.oid AND a.attnum = ANY (i.indkey) "
                + "ORDER BY a.attnum)::text[] FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid "
                + "JOIN pg_catalog.pg_class t ON t.oid = i.indrelid JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace "
                + "LEFT JOIN pg_catalog.pg_constraint co ON co.conindid = i.indexrelid AND co.conrelid = t.oid "
                + "WHERE n.nspname = ? ORDER BY t.relname, ic.relname")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    indexes.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new Index(rs.getString(2), rs.getString(3),
                            rs.getString(4), rs.getString(5), List.of((String[]) rs.getArray(6).getArray())));
                }
            }
        }
        cols.forEach((t, c2) -> out.put(t, new Table(t, keys.get(t), c2, indexes.getOrDefault(t, List.of()))));
        return out;
    }

    /** Indexes and constraints (other than NOT NULL) that use the column: they would go with it when it is dropped. */
    static List<String> dependents(Connection c, String schema, String table, String column) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT 'index ' || ic.relname FROM pg_catalog.pg_index i "
                + "JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid JOIN pg_catalog.pg_class t ON t.oid = i.indrelid "
                + "JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace JOIN pg_catalog.pg_attribute a ON a.attrelid = t.oid "
                + "WHERE n.nspname = ? AND t.relname = ? AND a.attname = ? AND a.attnum = ANY (i.indkey) "
                + "UNION SELECT 'constraint ' || co.conname FROM pg_catalog.pg_constraint co JOIN pg_catalog.pg_class t ON t.oid = co.conrelid "
                + "JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace JOIN pg_catalog.pg_attribute a ON a.attrelid = t.oid "
                + "WHERE n.nspname = ? AND t.relname = ? AND a.attname = ? AND a.attnum = ANY (co.conkey) AND co.contype <> 'n' "
                + "UNION SELECT 'foreign key ' || co.conname || ' on ' || co.conrelid::regclass FROM pg_catalog.pg_constraint co "
                + "JOIN pg_catalog.pg_class t ON t.oid = co.confrelid JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace "
                + "JOIN pg_catalog.pg_attribute a ON a.attrelid = t.oid "
                + "WHERE n.nspname = ? AND t.relname = ? AND a.attname = ? AND a.attnum = ANY (co.confkey) ORDER BY 1")) {
            for (int i = 0; i < 3; i++) {
                ps.setString(i * 3 + 1, schema);
                ps.setString(i * 3 + 2, table);
                ps.setString(i * 3 + 3, column);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(rs.getString(1));
            }
        }
        return out;
    }

    static int serverMajor(Connection c) throws SQLException {
        return c.getMetaData().getDatabaseMajorVersion();
    }
}
