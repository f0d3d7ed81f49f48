package io.zerodown.mysql;

import io.zerodown.core.model.TypeName;
import io.zerodown.core.schema.ColumnState;
import io.zerodown.core.schema.TableState;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Storage facts about MySQL/MariaDB column types that decide whether a type change can skip the table copy:
 * bytes per character of a character set, the VARCHAR length prefix, ENUM/SET storage sizes.
 */
public final class MysqlTypes {

    /** The character set assumed when neither the column nor the table declares one (MySQL 8 default). */
    public static final String DEFAULT_CHARSET = "utf8mb4";

    /** Longest byte length of one character, for the character sets whose value is not 1. */
    private static final Map<String, Integer> MULTI_BYTE = Map.ofEntries(
            Map.entry("utf8mb4", 4), Map.entry("utf8mb3", 3), Map.entry("utf8", 3), Map.entry("utf16", 4),
            Map.entry("utf16le", 4), Map.entry("utf32", 4), Map.entry("ucs2", 2), Map.entry("gb18030", 4),
            Map.entry("gbk", 2), Map.entry("gb2312", 2), Map.entry("big5", 2), Map.entry("sjis", 2),
            Map.entry("cp932", 2), Map.entry("euckr", 2), Map.entry("ujis", 3), Map.entry("eucjpms", 3));

    /** Single-byte character sets of MySQL 8 and MariaDB. */
    private static final List<String> SINGLE_BYTE = List.of("latin1", "latin2", "latin5", "latin7", "ascii",
            "binary", "cp1250", "cp1251", "cp1256", "cp1257", "cp850", "cp852", "cp866", "dec8", "greek", "hebrew",
            "hp8", "keybcs2", "koi8r", "koi8u", "macce", "macroman", "swe7", "tis620", "armscii8", "geostd8", "armscii");

    private MysqlTypes() {
    }

    /** Lower-case charset name with utf8 folded to utf8mb3 (they are the same character set in MySQL 8 and MariaDB). */
    public static String normalizeCharset(String charset) {
        if (charset == null) return null;
        String c = charset.trim().toLowerCase(Locale.ROOT).replace("'", "").replace("\"", "").replace("`", "");
        return c.equals("utf8") ? "utf8mb3" : c;
    }

    /** Bytes per character; 4 (the worst case) for a character set zerodown does not know. */
    public static int bytesPerChar(String charset) {
        String c = normalizeCharset(charset);
        if (c == null) return bytesPerChar(DEFAULT_CHARSET);
        Integer n = MULTI_BYTE.get(c);
        if (n != null) return n;
        return SINGLE_BYTE.contains(c) ? 1 : 4;
    }

    /** True when {@link #bytesPerChar} knows the character set rather than assuming the worst. */
    public static boolean knownCharset(String charset) {
        String c = normalizeCharset(charset);
        return c == null || MULTI_BYTE.containsKey(c) || SINGLE_BYTE.contains(c);
    }

    /** The table's default character set: its CHARSET option, else the one its COLLATE option implies, else null. */
    public static String tableCharset(TableState t) {
        if (t == null) return null;
        for (Map.Entry<String, String> e : t.options.entrySet()) {
            String k = e.getKey().toUpperCase(Locale.ROOT);
            if (k.equals("CHARSET") || k.equals("CHARACTER SET") || k.equals("DEFAULT CHARSET")) {
                return normalizeCharset(e.getValue());
            }
        }
        for (Map.Entry<String, String> e : t.options.entrySet()) {
            if (e.getKey().equalsIgnoreCase("COLLATE")) return charsetOfCollation(e.getValue());
        }
        return null;
    }

    /** utf8mb4_0900_ai_ci → utf8mb4. */
    public static String charsetOfCollation(String collation) {
        String c = normalizeCharset(collation);
        if (c == null) return null;
        int us = c.indexOf('_');
        return normalizeCharset(us > 0 ? c.substring(0, us) : c);
    }

    /**
     * The character set a column stores: its own, else the table's, else {@link #DEFAULT_CHARSET}. Binary string
     * types (VARBINARY, BINARY, BLOB) are always {@code binary}.
     */
    public static String effectiveCharset(TypeName type, String columnCharset, TableState table) {
        if (type != null && isBinaryString(type)) return "binary";
        if (columnCharset != null) return normalizeCharset(columnCharset);
        String t = tableCharset(table);
        return t != null ? t : DEFAULT_CHARSET;
    }

    public static String effectiveCharset(ColumnState c, TableState table) {
        return effectiveCharset(c.type, c.charset, table);
    }

    /** True when the charset of the column comes from nowhere in the migrations (the assumed default). */
    public static boolean charsetAssumed(String columnCharset, TableState table) {
        return columnCharset == null && tableCharset(table) == null;
    }

    public static boolean isBinaryString(TypeName t) {
        return t.is("varbinary", "binary", "blob", "tinyblob", "mediumblob", "longblob");
    }

    public static boolean isVarLength(TypeName t) {
        return t.is("varchar", "varbinary");
    }

    /** Declared length of a VARCHAR/VARBINARY/CHAR, or null. */
    public static Integer length(TypeName t) {
        return t == null ? null : t.intArg(0);
    }

    /** Maximum byte length of a VARCHAR(n) in the given charset. */
    public static int maxBytes(int chars, String charset) {
        return chars * bytesPerChar(charset);
    }

    /** InnoDB stores the length of a value in 1 byte when the column's maximum is at most 255 bytes, else in 2. */
    public static int lengthPrefixBytes(int maxBytes) {
        return maxBytes <= 255 ? 1 : 2;
    }

    /** The member literals of an ENUM or SET, unquoted. */
    public static List<String> members(TypeName t) {
        List<String> out = new ArrayList<>();
        for (String a : t.args()) {
            String s = a.trim();
            if (s.length() >= 2 && (s.startsWith("'") && s.endsWith("'") || s.startsWith("\"") && s.endsWith("\""))) {
                char q = s.charAt(0);
                s = s.substring(1, s.length() - 1).replace(String.valueOf(q) + q, String.valueOf(q));
            }
            out.add(s);
        }
        return out;
    }

    /** Bytes an ENUM (1 up to 255 members, else 2) or SET (1, 2, 3, 4 or 8) value takes. */
    public static int enumSetStorage(TypeName t, int members) {
        if (t.is("enum")) return members <= 255 ? 1 : 2;
        int bytes = (members + 7) / 8;
        return bytes <= 4 ? Math.max(bytes, 1) : 8;
    }

    /** Integer types compare without their (deprecated) display width: INT(11) is INT. */
    public static boolean isInteger(TypeName t) {
        return t.is("tinyint", "smallint", "mediumint", "int", "bigint");
    }

    private static boolean unsigned(TypeName t) {
        return t.raw().toLowerCase(Locale.ROOT).matches("(?s).*\\bunsigned\\b.*");
    }

    /** True when two declarations denote the same stored type (charset not included; see {@link #effectiveCharset}). */
    public static boolean sameType(TypeName a, TypeName b) {
        if (a == null || b == null) return false;
        if (!a.base().equals(b.base())) return false;
        if (unsigned(a) != unsigned(b)) return false;
        if (isInteger(a)) return true;
        if (a.is("enum", "set")) return members(a).equals(members(b));
        List<String> x = normArgs(a);
        List<String> y = normArgs(b);
        if (a.is("decimal") && x.size() == 1) x = List.of(x.get(0), "0");
        if (a.is("decimal") && y.size() == 1) y = List.of(y.get(0), "0");
        if (a.is("decimal") && x.isEmpty()) x = List.of("10", "0");
        if (a.is("decimal") && y.isEmpty()) y = List.of("10", "0");
        return x.equals(y);
    }

    private static List<String> normArgs(TypeName t) {
        List<String> out = new ArrayList<>();
        for (String a : t.args()) out.add(a.trim().toLowerCase(Locale.ROOT));
        return out;
    }

    /** "VARCHAR(50)" style text for messages. */
    public static String show(TypeName t) {
        return t == null ? "?" : t.raw().trim().replaceAll("\\s+", " ");
    }
}
