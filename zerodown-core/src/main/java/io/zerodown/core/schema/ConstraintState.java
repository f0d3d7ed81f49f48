package io.zerodown.core.schema;

import io.zerodown.core.model.ConstraintDef;
import io.zerodown.core.model.Name;

import java.util.List;

/** A constraint known from the replay, with its validity. */
public final class ConstraintState {
    public final String name;
    public final ConstraintDef.Kind kind;
    public List<String> columns;
    public final Name refTable;
    public final String expression;
    public boolean validated;

    public ConstraintState(String name, ConstraintDef.Kind kind, List<String> columns, Name refTable, String expression,
                           boolean validated) {
        this.name = name;
        this.kind = kind;
        this.columns = columns;
        this.refTable = refTable;
        this.expression = expression;
        this.validated = validated;
    }

    /** True for a CHECK that proves {@code column IS NOT NULL} for every row (PostgreSQL 12+ then skips the scan). */
    public boolean provesNotNull(String column) {
        if (kind == ConstraintDef.Kind.NOT_NULL) return columns.contains(column);
        if (kind != ConstraintDef.Kind.CHECK || expression == null) return false;
        String e = expression.replaceAll("\\s+", " ").replace("\"", "").trim().toLowerCase(java.util.Locale.ROOT);
        while (e.startsWith("(") && e.endsWith(")")) e = e.substring(1, e.length() - 1).trim();
        String target = column.toLowerCase(java.util.Locale.ROOT) + " is not null";
        // a top-level AND chain containing "col IS NOT NULL" implies non-null; OR does not
        if (e.contains(" or ")) return false;
        for (String part : e.split(" and ")) {
            String p = part.trim();
            while (p.startsWith("(") && p.endsWith(")")) p = p.substring(1, p.length() - 1).trim();
            if (p.equals(target)) return true;
        }
        return false;
    }
}
