package io.zerodown.core.model;

/**
 * A column as declared in CREATE TABLE, ADD COLUMN, MySQL MODIFY or CHANGE.
 *
 * @param name          column name (folded)
 * @param type          declared type, null when only constraints were given
 * @param notNull       NOT NULL given (PRIMARY KEY also implies it)
 * @param defaultValue  DEFAULT expression, null when none
 * @param primaryKey    inline PRIMARY KEY
 * @param unique        inline UNIQUE
 * @param references    inline REFERENCES target, null when none
 * @param check         inline CHECK expression text, null when none
 * @param identity      GENERATED ... AS IDENTITY
 * @param generated     GENERATED ALWAYS AS (...) STORED/VIRTUAL, or MySQL AS (...) [STORED|VIRTUAL]
 * @param autoIncrement MySQL AUTO_INCREMENT
 * @param position      MySQL FIRST or AFTER x, null when appended
 * @param charset       MySQL CHARACTER SET, null when inherited
 */
public record ColumnDef(String name, TypeName type, boolean notNull, Expr defaultValue, boolean primaryKey,
                        boolean unique, ForeignKeyRef references, String check, boolean identity, Generated generated,
                        boolean autoIncrement, String position, String charset) {

    public enum Generated { NONE, STORED, VIRTUAL }

    /** Where an inline REFERENCES points. */
    public record ForeignKeyRef(Name table, java.util.List<String> columns) {
    }
}
