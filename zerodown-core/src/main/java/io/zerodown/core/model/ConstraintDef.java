package io.zerodown.core.model;

import java.util.List;

/**
 * A table constraint as declared in CREATE TABLE or ALTER TABLE ... ADD.
 *
 * @param name       constraint name, null when the server will make one up
 * @param kind       what it is
 * @param columns    constrained columns (FK: referencing columns; NOT NULL: the one column)
 * @param refTable   FK target table
 * @param refColumns FK target columns (may be empty: the target's primary key)
 * @param expression CHECK or EXCLUDE body text
 * @param notValid   NOT VALID given
 * @param usingIndex UNIQUE/PRIMARY KEY ... USING INDEX name, else null
 */
public record ConstraintDef(String name, Kind kind, List<String> columns, Name refTable, List<String> refColumns,
                            String expression, boolean notValid, String usingIndex) {

    public enum Kind { CHECK, FOREIGN_KEY, UNIQUE, PRIMARY_KEY, EXCLUDE, NOT_NULL }
}
