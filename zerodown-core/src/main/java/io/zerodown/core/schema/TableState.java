package io.zerodown.core.schema;

import io.zerodown.core.model.Name;

import java.util.LinkedHashMap;
import java.util.Map;

/** What is known of one table after replaying the migrations so far. */
public final class TableState {
    public Name name;
    /** Unit (file or changeset) that created it; null when it came from the live database or is unknown. */
    public final String createdInUnit;
    /** Rows were inserted or copied into it after CREATE in the same unit, so it is no longer known to be empty. */
    public boolean populated;
    public final Map<String, ColumnState> columns = new LinkedHashMap<>();
    public final Map<String, ConstraintState> constraints = new LinkedHashMap<>();
    public final Map<String, IndexState> indexes = new LinkedHashMap<>();
    public final Map<String, String> options = new LinkedHashMap<>();
    /** Unit that renamed it to its current name (a copy-and-swap leaves the old table under a name no app uses). */
    public String renamedInUnit;
    /** Estimated rows from a live catalog, or -1 when unknown. */
    public long estimatedRows = -1;

    public TableState(Name name, String createdInUnit) {
        this.name = name;
        this.createdInUnit = createdInUnit;
    }

    public ColumnState column(String n) {
        return columns.get(n);
    }

    public boolean hasPrimaryKey() {
        return constraints.values().stream().anyMatch(c -> c.kind == io.zerodown.core.model.ConstraintDef.Kind.PRIMARY_KEY);
    }
}
