package io.zerodown.core.schema;

import io.zerodown.core.model.Expr;
import io.zerodown.core.model.TypeName;

/** What is known of one column after replaying the migrations so far. Mutable: the replay updates it in place. */
public final class ColumnState {
    public String name;
    public TypeName type;
    public boolean notNull;
    public Expr defaultValue;
    public String charset;

    public ColumnState(String name, TypeName type, boolean notNull, Expr defaultValue, String charset) {
        this.name = name;
        this.type = type;
        this.notNull = notNull;
        this.defaultValue = defaultValue;
        this.charset = charset;
    }
}
