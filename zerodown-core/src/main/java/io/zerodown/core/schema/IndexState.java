package io.zerodown.core.schema;

import java.util.List;

/** An index known from the replay. */
public final class IndexState {
    public final String name;
    public final List<String> columns;
    public final boolean unique;
    public final String kind;

    public IndexState(String name, List<String> columns, boolean unique, String kind) {
        this.name = name;
        this.columns = columns;
        this.unique = unique;
        this.kind = kind;
    }
}
