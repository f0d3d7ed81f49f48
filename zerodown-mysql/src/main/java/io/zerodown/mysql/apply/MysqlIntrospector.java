package io.zerodown.mysql.apply;

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
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Reads the live definition of every base table of the current database from information_schema. */
public final class MysqlIntrospector {

    private MysqlIntrospector() {
    }

    public static List<TableState> tables(Connection c) throws SQLException {
        Map<String, TableState> byName = new LinkedHashMap<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT TABLE_NAME, TABLE_ROWS, ROW_FORMAT, TABLE_COLLATION FROM information_schema.TABLES "
                     + "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'")) {
            while (rs.next()) {
                String n = rs.getString(1).toLowerCase(Locale.ROOT);
                TableState t = new TableState(Name.of(n), null);
                t.estimatedRows = rs.getLong(2);
                if (rs.getString(3) != null) t.options.put("ROW_FORMAT", rs.getString(3).toUpperCase(Locale.ROOT));
                String coll = rs.getString(4);
                if (coll != null) t.options.put("CHARSET", coll.contains("_") ? coll.substring(0, coll.indexOf('_')) : coll);
                byName.put(n, t);
            }
        }
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, CHARACTER_SET_NAME "
                     + "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION")) {
            while (rs.next()) {
                TableState t = byName.get(rs.getString(1).toLowerCase(Locale.ROOT));
                if (t == null) continue;
                String col = rs.getString(2).toLowerCase(Locale.ROOT);
                String def = rs.getString(5);
                t.columns.put(col, new ColumnState(col, StatementParser.parseType(rs.getString(3), SqlFamily.MYSQL),
                        "NO".equals(rs.getString(4)), def == null || def.equalsIgnoreCase("NULL") ? null : Expr.of(def),
                        rs.getString(6) == null ? null : rs.getString(6).toLowerCase(Locale.ROOT)));
            }
        }
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT TABLE_NAME, INDEX_NAME, MIN(NON_UNIQUE), MIN(INDEX_TYPE), "
                     + "GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX SEPARATOR ',') FROM information_schema.STATISTICS "
                     + "WHERE TABLE_SCHEMA = DATABASE() GROUP BY TABLE_NAME, INDEX_NAME")) {
            while (rs.next()) {
                TableState t = byName.get(rs.getString(1).toLowerCase(Locale.ROOT));
                if (t == null) continue;
                String name = rs.getString(2);
                List<String> cols = Arrays.stream(rs.getString(5).split(",")).map(s -> s.toLowerCase(Locale.ROOT)).toList();
                boolean unique = rs.getInt(3) == 0;
                String type = rs.getString(4);
                String kind = "FULLTEXT".equalsIgnoreCase(type) ? "FULLTEXT" : "SPATIAL".equalsIgnoreCase(type) ? "SPATIAL" : null;
                t.indexes.put(name, new IndexState(name, cols, unique, kind));
                if (name.equals("PRIMARY")) {
                    t.constraints.put("PRIMARY", new ConstraintState("PRIMARY", ConstraintDef.Kind.PRIMARY_KEY, new ArrayList<>(cols),
                            null, null, true));
                } else if (unique) {
                    t.constraints.put(name, new ConstraintState(name, ConstraintDef.Kind.UNIQUE, new ArrayList<>(cols), null, null, true));
                }
            }
        }
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT TABLE_NAME, CONSTRAINT_NAME, GROUP_CONCAT(COLUMN_NAME ORDER BY ORDINAL_POSITION), "
                     + "MIN(REFERENCED_TABLE_NAME) FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = DATABASE() "
                     + "AND REFERENCED_TABLE_NAME IS NOT NULL GROUP BY TABLE_NAME, CONSTRAINT_NAME")) {
            while (rs.next()) {
                TableState t = byName.get(rs.getString(1).toLowerCase(Locale.ROOT));
                if (t == null) continue;
                List<String> cols = Arrays.stream(rs.getString(3).split(",")).map(s -> s.toLowerCase(Locale.ROOT)).toList();
                t.constraints.put(rs.getString(2), new ConstraintState(rs.getString(2), ConstraintDef.Kind.FOREIGN_KEY,
                        new ArrayList<>(cols), Name.of(rs.getString(4).toLowerCase(Locale.ROOT)), null, true));
            }
        }
        return new ArrayList<>(byName.values());
    }
}
