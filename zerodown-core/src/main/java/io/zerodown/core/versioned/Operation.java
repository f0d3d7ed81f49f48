package io.zerodown.core.versioned;

import java.util.List;
import java.util.Map;

/**
 * One change of a declarative (versioned) migration. Names are logical: {@code up} expressions are written against
 * the columns of the version before the migration, {@code down} expressions against the columns of the new version.
 */
public sealed interface Operation {

    /** The operation's key in the file, e.g. {@code add_column}. */
    String kind();

    /** The line in the file where the operation starts (0 when unknown). */
    int line();

    /** The table the operation changes, by its name in the version before the migration; null for raw SQL. */
    String table();

    /** A column the new version gets: its SQL type, default, whether it may be NULL. */
    record ColumnSpec(String name, String type, String defaultExpr, boolean nullable) {
    }

    /** A column produced from the old row by {@code up}. */
    record DerivedColumn(String name, String type, String up) {
    }

    /** New column; {@code up} fills it for existing rows and for rows the old version inserts. */
    record AddColumn(int line, String table, ColumnSpec column, String up) implements Operation {
        public String kind() {
            return "add_column";
        }
    }

    record RenameColumn(int line, String table, String from, String to) implements Operation {
        public String kind() {
            return "rename_column";
        }
    }

    record RenameTable(int line, String from, String to) implements Operation {
        public String kind() {
            return "rename_table";
        }

        public String table() {
            return from;
        }
    }

    /** The column gets a new type: {@code up} converts old values, {@code down} converts new ones back. */
    record ChangeType(int line, String table, String column, String type, String up, String down) implements Operation {
        public String kind() {
            return "change_type";
        }
    }

    /** The column becomes NOT NULL in the new version; {@code up} gives a value for NULLs the old version writes. */
    record SetNotNull(int line, String table, String column, String up) implements Operation {
        public String kind() {
            return "set_not_null";
        }
    }

    /** The new version no longer has the column; {@code down} fills it for rows the new version inserts. */
    record DropColumn(int line, String table, String column, String down) implements Operation {
        public String kind() {
            return "drop_column";
        }
    }

    /** One column becomes several; {@code down} rebuilds the old column from the new ones. */
    record SplitColumn(int line, String table, String column, List<DerivedColumn> into, String down) implements Operation {
        public String kind() {
            return "split_column";
        }
    }

    /** Several columns become one; {@code down} gives, per old column, how to rebuild it from the new one. */
    record MergeColumns(int line, String table, List<String> columns, DerivedColumn into, Map<String, String> down)
            implements Operation {
        public String kind() {
            return "merge_columns";
        }
    }

    record CreateIndex(int line, String table, String name, List<String> columns, boolean unique, String method, String where)
            implements Operation {
        public String kind() {
            return "create_index";
        }
    }

    record DropIndex(int line, String table, String name) implements Operation {
        public String kind() {
            return "drop_index";
        }
    }

    record AddUnique(int line, String table, String name, List<String> columns) implements Operation {
        public String kind() {
            return "add_unique";
        }
    }

    /** CHECK constraint; its expression names the new version's columns. */
    record AddCheck(int line, String table, String name, String check) implements Operation {
        public String kind() {
            return "add_check";
        }
    }

    record AddForeignKey(int line, String table, String name, List<String> columns, String referencedTable,
                         List<String> referencedColumns, String onDelete) implements Operation {
        public String kind() {
            return "add_foreign_key";
        }
    }

    record DropConstraint(int line, String table, String name) implements Operation {
        public String kind() {
            return "drop_constraint";
        }
    }

    /** SQL run as written at start ({@code up}) and on rollback ({@code down}); the caller owns its safety. */
    record RawSql(int line, String up, String down) implements Operation {
        public String kind() {
            return "raw_sql";
        }

        public String table() {
            return null;
        }
    }
}
