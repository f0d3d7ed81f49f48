package io.zerodown.postgres.apply;

import io.zerodown.core.model.ConstraintDef;
import io.zerodown.core.model.Expr;
import io.zerodown.core.model.Name;
import io.zerodown.core.parse.StatementParser;
import io.zerodown.core.schema.ColumnState;
import io.zerodown.core.schema.ConstraintState;
import io.zerodown.core.schema.IndexState;
import io.zerodown.core.schema.TableState;
import io.zerodown.core.sql.SqlFamily;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads the live schema (tables, columns, constraints with validity, indexes with validity, sizes) from the catalog. */
public final class PostgresIntrospector {

    private PostgresIntrospector() {
    }

    /** Every user table, keyed by oid. */
    public static List<TableState> tables(Connection c) throws SQLException {
        Map<Long, TableState> byOid = new LinkedHashMap<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT c.oid, n.nspname, c.relname, c.reltuples::bigint "
                     + "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                     + "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'zerodown') "
                     + "AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%' ORDER BY 1")) {
            while (rs.next()) {
                String schema = rs.getString(2);
                TableState t = new TableState(new Name(schema.equals("public") ? null : schema, rs.getString(3)), null);
                t.estimatedRows = Math.max(-1, rs.getLong(4));
                byOid.put(rs.getLong(1), t);
            }
        }
        if (byOid.isEmpty()) return List.of();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
                     + "pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a "
                     + "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
                     + "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                     + "WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p') "
                     + "AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'zerodown') ORDER BY a.attrelid, a.attnum")) {
            while (rs.next()) {
                TableState t = byOid.get(rs.getLong(1));
                if (t == null) continue;
                String def = rs.getString(5);
                t.columns.put(rs.getString(2), new ColumnState(rs.getString(2),
                        StatementParser.parseType(rs.getString(3), SqlFamily.POSTGRES), rs.getBoolean(4),
                        def == null ? null : Expr.of(def), null));
            }
        }
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT k.conrelid, k.conname, k.contype, k.convalidated, pg_get_constraintdef(k.oid), "
                     + "ARRAY(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY u(n, o) "
                     + "JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.o)::text[], "
                     + "CASE WHEN k.confrelid <> 0 THEN (SELECT relname FROM pg_class WHERE oid = k.confrelid) END "
                     + "FROM pg_constraint k WHERE k.conrelid <> 0 AND k.contype IN ('p', 'u', 'f', 'c', 'x', 'n')")) {
            while (rs.next()) {
                TableState t = byOid.get(rs.getLong(1));
                if (t == null) continue;
                ConstraintDef.Kind kind;
                switch (rs.getString(3)) {
                    case "p": kind = ConstraintDef.Kind.PRIMARY_KEY; break;
                    case "u": kind = ConstraintDef.Kind.UNIQUE; break;
                    case "f": kind = ConstraintDef.Kind.FOREIGN_KEY; break;
                    case "c": kind = ConstraintDef.Kind.CHECK; break;
                    case "n": kind = ConstraintDef.Kind.NOT_NULL; break;
                    default: kind = ConstraintDef.Kind.EXCLUDE;
                }
                String def = rs.getString(5);
                String expr = kind == ConstraintDef.Kind.CHECK ? checkBody(def) : def;
                String[] cols = (String[]) rs.getArray(6).getArray();
                String ref = rs.getString(7);
                t.constraints.put(rs.getString(2), new ConstraintState(rs.getString(2), kind, new ArrayList<>(Arrays.asList(cols)),
                        ref == null ? null : Name.of(ref), expr, rs.getBoolean(4)));
            }
        }
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT i.indrelid, ic.relname, i.indisunique, "
                     + "ARRAY(SELECT coalesce(a.attname, 'expr') FROM unnest(i.indkey) WITH ORDINALITY u(n, o) "
                     + "LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = u.n ORDER BY u.o)::text[], "
                     + "pg_get_indexdef(i.indexrelid), EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) "
                     + "FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid")) {
            while (rs.next()) {
                TableState t = byOid.get(rs.getLong(1));
                if (t == null) continue;
                String[] cols = (String[]) rs.getArray(4).getArray();
                IndexState idx = new IndexState(rs.getString(2), List.of(cols), rs.getBoolean(3), null);
                idx.definition = rs.getString(5);
                idx.constraintIndex = rs.getBoolean(6);
                t.indexes.put(rs.getString(2), idx);
            }
        }
        return new ArrayList<>(byOid.values());
    }

    /** "CHECK ((v IS NOT NULL)) NOT VALID" → "(v IS NOT NULL)". */
    static String checkBody(String def) {
        String d = def.trim();
        if (d.startsWith("CHECK ")) d = d.substring(6).trim();
        if (d.endsWith(" NOT VALID")) d = d.substring(0, d.length() - 10).trim();
        return d;
    }

    /** Whether a table has at least one row (cheap: stops at the first). */
    public static boolean hasRows(Connection c, Name table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM " + quoted(table) + ")");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    public static String quoted(Name n) {
        String t = "\"" + n.name().replace("\"", "\"\"") + "\"";
        return n.schema() == null ? t : "\"" + n.schema().replace("\"", "\"\"") + "\"." + t;
    }
}
