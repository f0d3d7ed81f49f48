package io.zerodown.mysql.copy;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** What the copy needs to know about one table, read from information_schema. */
final class TableInfo {
    private static final Set<String> EXACT = Set.of("tinyint", "smallint", "mediumint", "int", "integer", "bigint",
            "decimal", "numeric", "year");
    private static final Set<String> APPROX = Set.of("float", "double", "real", "double precision");
    private static final Set<String> TEXT = Set.of("char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum",
            "set", "json");
    private static final Set<String> DATETIME = Set.of("date", "datetime", "timestamp");

    record Column(String name, String dataType, String columnType, String charset, String collation, boolean nullable,
                  boolean generated, boolean autoIncrement) {
        boolean sameType(Column o) {
            return columnType.equalsIgnoreCase(o.columnType) && java.util.Objects.equals(charset, o.charset)
                    && java.util.Objects.equals(collation, o.collation);
        }

        boolean text() {
            return TEXT.contains(dataType) || charset != null;
        }

        /**
         * This column's value as the checksum reads it, given the column of the same name on the other side. Equal
         * types are read as they are (text converted to utf8mb4 so that columns of different collations can be
         * concatenated); different types are brought to one exact form, so that a conversion that keeps the value
         * (DECIMAL(12,2) to (14,2), VARCHAR(50) to (200), latin1 to utf8mb4, INT to BIGINT, an ENUM reordered) compares
         * equal and one that changes it (rounding, truncation, clamping, '?' for an unmappable character) does not.
         */
        String checksumExpr(Column other) {
            String c = OnlineTableCopy.q(name);
            if (sameType(other)) {
                return text() ? "CONVERT(" + c + " USING utf8mb4)" : c;
            }
            boolean exact = EXACT.contains(dataType) && EXACT.contains(other.dataType);
            boolean numeric = (EXACT.contains(dataType) || APPROX.contains(dataType))
                    && (EXACT.contains(other.dataType) || APPROX.contains(other.dataType));
            if (exact) {
                return "CAST(" + c + " AS " + commonDecimal(this, other) + ")";
            }
            if (numeric) {
                return "CAST(" + c + " AS DOUBLE)";
            }
            if (DATETIME.contains(dataType) && DATETIME.contains(other.dataType)) {
                return "CAST(" + c + " AS DATETIME(6))";
            }
            if ("time".equals(dataType) && "time".equals(other.dataType)) {
                return "CAST(" + c + " AS TIME(6))";
            }
            return "CONVERT(" + c + " USING utf8mb4)";
        }
    }

    /**
     * A DECIMAL type that holds every value of both exact numeric columns exactly, so the checksum reads both sides the
     * same way without the long DECIMAL(65,30) text (a sixth of the checksum's CPU on a DECIMAL(12,2) to (14,2) change);
     * DECIMAL(65,30) when a type cannot be read.
     */
    static String commonDecimal(Column a, Column b) {
        int[] x = exactDigits(a);
        int[] y = exactDigits(b);
        if (x == null || y == null) {
            return "DECIMAL(65,30)";
        }
        int scale = Math.max(x[1], y[1]);
        int whole = Math.max(x[0], y[0]);
        if (whole + scale > 65 || scale > 30) {
            return "DECIMAL(65,30)";
        }
        return "DECIMAL(" + Math.max(1, whole + scale) + "," + scale + ")";
    }

    private static final java.util.regex.Pattern DECIMAL_TYPE =
            java.util.regex.Pattern.compile("(?:decimal|numeric)\\s*\\(\\s*(\\d+)\\s*(?:,\\s*(\\d+)\\s*)?\\).*");

    /** Digits before and after the point of an exact numeric column type, or null when unknown. */
    static int[] exactDigits(Column c) {
        switch (c.dataType()) {
            case "tinyint":
                return new int[] {3, 0};
            case "smallint":
                return new int[] {5, 0};
            case "mediumint":
                return new int[] {8, 0};
            case "int", "integer":
                return new int[] {10, 0};
            case "bigint":
                return new int[] {20, 0};
            case "year":
                return new int[] {4, 0};
            case "decimal", "numeric": {
                java.util.regex.Matcher m = DECIMAL_TYPE.matcher(c.columnType().toLowerCase(Locale.ROOT).strip());
                if (!m.matches()) {
                    return null;
                }
                int p = Integer.parseInt(m.group(1));
                int s = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
                return s > p ? null : new int[] {p - s, s};
            }
            default:
                return null;
        }
    }

    record UniqueIndex(String name, List<String> columns, boolean primary, boolean wholeColumns) {
    }

    /** How a key value is carried in the watermark string and bound back into SQL. */
    enum KeyKind {
        NUMBER, STRING, BINARY;

        static KeyKind of(String dataType) {
            return switch (dataType) {
                case "tinyint", "smallint", "mediumint", "int", "integer", "bigint", "decimal", "numeric", "year" -> NUMBER;
                // temporal values and MariaDB's uuid/inet types compare correctly with their canonical text
                case "char", "varchar", "date", "datetime", "timestamp", "time", "uuid", "inet4", "inet6" -> STRING;
                case "binary", "varbinary" -> BINARY;
                default -> null; // float/double (inexact), enum/set (ordered by index, compared as text), bit, blobs...
            };
        }

        void bind(PreparedStatement ps, int i, String v) throws SQLException {
            switch (this) {
                case NUMBER -> ps.setBigDecimal(i, new BigDecimal(v)); // exact, also for BIGINT UNSIGNED
                case STRING -> ps.setString(i, v);
                case BINARY -> ps.setBytes(i, HexFormat.of().parseHex(v));
            }
        }

        String read(ResultSet rs, int i) throws SQLException {
            return switch (this) {
                case NUMBER -> {
                    BigDecimal d = rs.getBigDecimal(i);
                    yield d == null ? null : d.toPlainString();
                }
                case STRING -> rs.getString(i);
                case BINARY -> {
                    byte[] b = rs.getBytes(i);
                    yield b == null ? null : HexFormat.of().formatHex(b);
                }
            };
        }
    }

    final String schema;
    final String name;
    final String engine;
    final String tableType;
    final List<Column> columns;
    final List<UniqueIndex> uniques;

    private TableInfo(String schema, String name, String engine, String tableType, List<Column> columns,
                      List<UniqueIndex> uniques) {
        this.schema = schema;
        this.name = name;
        this.engine = engine;
        this.tableType = tableType;
        this.columns = columns;
        this.uniques = uniques;
    }

    /** The table, or null when it does not exist. */
    static TableInfo load(Connection c, String schema, String table) throws SQLException {
        String engine;
        String type;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT ENGINE, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                engine = rs.getString(1);
                type = rs.getString(2);
            }
        }
        List<Column> cols = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, CHARACTER_SET_NAME, "
                + "COLLATION_NAME, IS_NULLABLE, EXTRA FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? "
                + "ORDER BY ORDINAL_POSITION")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String extra = rs.getString(7) == null ? "" : rs.getString(7).toUpperCase(Locale.ROOT);
                    cols.add(new Column(rs.getString(1), rs.getString(2).toLowerCase(Locale.ROOT), rs.getString(3),
                            rs.getString(4), rs.getString(5), "YES".equals(rs.getString(6)),
                            extra.contains("VIRTUAL GENERATED") || extra.contains("STORED GENERATED")
                                    || extra.contains("PERSISTENT GENERATED"),
                            extra.contains("AUTO_INCREMENT")));
                }
            }
        }
        Map<String, List<String>> idxCols = new LinkedHashMap<>();
        Map<String, Boolean> whole = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT INDEX_NAME, COLUMN_NAME, SUB_PART FROM "
                + "information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0 "
                + "ORDER BY INDEX_NAME, SEQ_IN_INDEX")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String idx = rs.getString(1);
                    idxCols.computeIfAbsent(idx, k -> new ArrayList<>()).add(rs.getString(2));
                    boolean w = rs.getString(2) != null && rs.getObject(3) == null; // no prefix, no expression
                    whole.merge(idx, w, Boolean::logicalAnd);
                }
            }
        }
        List<UniqueIndex> uniques = new ArrayList<>();
        idxCols.forEach((idx, cs) -> uniques.add(new UniqueIndex(idx, cs, "PRIMARY".equals(idx), whole.get(idx))));
        uniques.sort((a, b) -> Boolean.compare(b.primary(), a.primary()));
        return new TableInfo(schema, table, engine, type, List.copyOf(cols), List.copyOf(uniques));
    }

    Column column(String col) {
        for (Column x : columns) {
            if (x.name().equalsIgnoreCase(col)) {
                return x;
            }
        }
        return null;
    }

    /** A unique index on exactly this one column (the primary key first), or null. */
    UniqueIndex uniqueOn(String col) {
        for (UniqueIndex u : uniques) {
            if (u.wholeColumns() && u.columns().size() == 1 && u.columns().get(0).equalsIgnoreCase(col)) {
                return u;
            }
        }
        return null;
    }

    boolean hasAutoIncrement() {
        return columns.stream().anyMatch(Column::autoIncrement);
    }

    /** Triggers on the table, by name. */
    static List<String> triggers(Connection c, String schema, String table) throws SQLException {
        return strings(c, "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = ? "
                + "AND EVENT_OBJECT_TABLE = ? ORDER BY TRIGGER_NAME", schema, table);
    }

    /** Foreign keys of other tables that reference this one, as {@code child_schema.child_table.constraint}. */
    static List<String> referencingForeignKeys(Connection c, String schema, String table) throws SQLException {
        return strings(c, "SELECT CONCAT(CONSTRAINT_SCHEMA, '.', TABLE_NAME, '.', CONSTRAINT_NAME) FROM "
                + "information_schema.REFERENTIAL_CONSTRAINTS WHERE UNIQUE_CONSTRAINT_SCHEMA = ? AND REFERENCED_TABLE_NAME = ? "
                + "AND NOT (CONSTRAINT_SCHEMA = UNIQUE_CONSTRAINT_SCHEMA AND TABLE_NAME = REFERENCED_TABLE_NAME) "
                + "ORDER BY 1", schema, table);
    }

    /** The table's own foreign keys (including ones referencing itself), by constraint name. */
    static List<String> ownForeignKeys(Connection c, String schema, String table) throws SQLException {
        return strings(c, "SELECT CONSTRAINT_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ? "
                + "AND TABLE_NAME = ? ORDER BY 1", schema, table);
    }

    static boolean exists(Connection c, String schema, String table) throws SQLException {
        return !strings(c, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
                schema, table).isEmpty();
    }

    static List<String> strings(Connection c, String sql, String... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        }
    }
}
