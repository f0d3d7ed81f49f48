package io.zerodown.postgres;

import io.zerodown.core.model.TypeName;

/** Which ALTER COLUMN ... TYPE changes PostgreSQL does without a rewrite (binary-coercible, same typmod rules). */
public final class PostgresTypes {

    public enum Change {
        /** catalog only */
        NO_REWRITE,
        /** catalog only, but indexes on the column are rebuilt (comparison semantics change) */
        NO_REWRITE_INDEX_REBUILD,
        /** catalog only when the session TimeZone is UTC, else a rewrite */
        NO_REWRITE_IF_UTC,
        /** the same type and modifiers: nothing changes */
        SAME,
        REWRITE
    }

    private PostgresTypes() {
    }

    public static Change change(TypeName from, TypeName to, String using) {
        if (using != null && !using.isBlank()) {
            String u = using.replaceAll("\\s+", "").toLowerCase(java.util.Locale.ROOT);
            // USING col::newtype is the implicit cast spelled out; anything else computes new values
            if (!u.matches("\"?\\w+\"?(::[\\w ]+(\\(\\d+(,\\d+)?\\))?)?")) return Change.REWRITE;
        }
        if (from == null || to == null) return Change.REWRITE;
        if (from.array() != to.array()) return Change.REWRITE;
        String a = from.base();
        String b = to.base();
        if (a.equals(b) && from.args().equals(to.args())) return Change.SAME;
        if (a.equals("varchar")) {
            if (b.equals("text")) return Change.NO_REWRITE;
            if (b.equals("varchar")) {
                Integer n = from.intArg(0);
                Integer m = to.intArg(0);
                if (m == null) return Change.NO_REWRITE;
                if (n == null) return Change.REWRITE; // adding a limit checks every row
                return m >= n ? Change.NO_REWRITE : Change.REWRITE;
            }
            if (b.equals("citext")) return Change.NO_REWRITE_INDEX_REBUILD;
        }
        if (a.equals("text")) {
            if (b.equals("varchar") && to.intArg(0) == null) return Change.NO_REWRITE;
            if (b.equals("citext")) return Change.NO_REWRITE_INDEX_REBUILD;
        }
        if (a.equals("citext") && (b.equals("text") || b.equals("varchar") && to.intArg(0) == null)) {
            return Change.NO_REWRITE_INDEX_REBUILD;
        }
        if (a.equals("char") && b.equals("char")) {
            Integer n = from.intArg(0);
            Integer m = to.intArg(0);
            // char(n) pads; widening still rewrites padded values, so only equal lengths are free
            return n != null && n.equals(m) ? Change.SAME : Change.REWRITE;
        }
        if (a.equals("numeric") && b.equals("numeric")) {
            if (to.args().isEmpty()) return Change.NO_REWRITE;
            if (from.args().isEmpty()) return Change.REWRITE;
            Integer p = from.intArg(0);
            Integer s = from.args().size() > 1 ? from.intArg(1) : Integer.valueOf(0);
            Integer p2 = to.intArg(0);
            Integer s2 = to.args().size() > 1 ? to.intArg(1) : Integer.valueOf(0);
            if (p != null && p2 != null && s != null && s.equals(s2) && p2 >= p) return Change.NO_REWRITE;
            return Change.REWRITE;
        }
        if ((a.equals("timestamp") || a.equals("timestamptz") || a.equals("time") || a.equals("timetz")
                || a.equals("interval")) && a.equals(b)) {
            Integer p = from.intArg(0);
            Integer p2 = to.intArg(0);
            if (p2 == null) return Change.NO_REWRITE;
            if (p == null) return Change.REWRITE;
            return p2 >= p ? Change.NO_REWRITE : Change.REWRITE;
        }
        if (a.equals("timestamp") && b.equals("timestamptz") || a.equals("timestamptz") && b.equals("timestamp")) {
            return Change.NO_REWRITE_IF_UTC;
        }
        if (a.equals("cidr") && b.equals("inet")) return Change.NO_REWRITE;
        if ((a.equals("varbit") || a.equals("bit")) && b.equals("varbit")) {
            Integer n = from.intArg(0);
            Integer m = to.intArg(0);
            if (a.equals("varbit") && (m == null || n != null && m >= n)) return Change.NO_REWRITE;
        }
        return Change.REWRITE;
    }
}
