package io.zerodown.core.schema;

import java.util.List;

/** An index known from the replay. */
public final class IndexState {
    public final String name;
    public final List<String> columns;
    public final boolean unique;
    public final String kind;
    /** CREATE INDEX text from the live catalog (pg_get_indexdef), null when the index came from migration files. */
    public String definition;
    /** True when the index backs a constraint (primary key, unique, exclusion). */
    public boolean constraintIndex;

    public IndexState(String name, List<String> columns, boolean unique, String kind) {
        this.name = name;
        this.columns = columns;
        this.unique = unique;
        this.kind = kind;
    }
}
