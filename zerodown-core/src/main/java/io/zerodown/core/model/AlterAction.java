package io.zerodown.core.model;

/** One clause of ALTER TABLE. */
public interface AlterAction {

    record AddColumn(ColumnDef column, boolean ifNotExists) implements AlterAction {
    }

    record DropColumn(String column, boolean ifExists, boolean cascade) implements AlterAction {
    }

    /** PostgreSQL ALTER COLUMN c [SET DATA] TYPE t [USING expr]. */
    record AlterColumnType(String column, TypeName type, String using) implements AlterAction {
    }

    record SetNotNull(String column) implements AlterAction {
    }

    record DropNotNull(String column) implements AlterAction {
    }

    record SetDefault(String column, Expr value) implements AlterAction {
    }

    record DropDefault(String column) implements AlterAction {
    }

    record AddConstraint(ConstraintDef constraint) implements AlterAction {
    }

    record ValidateConstraint(String name) implements AlterAction {
    }

    /** DROP CONSTRAINT, or MySQL DROP FOREIGN KEY / DROP CHECK ({@code kind} says which; null = unknown). */
    record DropConstraint(String name, boolean ifExists, ConstraintDef.Kind kind) implements AlterAction {
    }

    record RenameColumn(String from, String to) implements AlterAction {
    }

    record RenameTable(Name to) implements AlterAction {
    }

    record RenameConstraint(String from, String to) implements AlterAction {
    }

    /** SET TABLESPACE, SET LOGGED, SET UNLOGGED, SET ACCESS METHOD: table rewrites. */
    record RewriteTable(String what) implements AlterAction {
    }

    record AttachPartition(Name partition) implements AlterAction {
    }

    record DetachPartition(Name partition, boolean concurrently) implements AlterAction {
    }

    /** MySQL MODIFY [COLUMN] and CHANGE [COLUMN] old new; {@code oldName} equals the new name for MODIFY. */
    record ModifyColumn(String oldName, ColumnDef column) implements AlterAction {
    }

    /** MySQL ADD INDEX / KEY / UNIQUE / FULLTEXT / SPATIAL. */
    record AddIndex(Stmt.IndexDef index) implements AlterAction {
    }

    /** MySQL DROP INDEX / KEY name. */
    record DropIndex(String name) implements AlterAction {
    }

    record DropPrimaryKey() implements AlterAction {
    }

    /** MySQL RENAME INDEX a TO b. */
    record RenameIndex(String from, String to) implements AlterAction {
    }

    /** MySQL ALGORITHM = x. */
    record Algorithm(String value) implements AlterAction {
    }

    /** MySQL LOCK = x. */
    record Lock(String value) implements AlterAction {
    }

    /** MySQL CONVERT TO CHARACTER SET x. */
    record ConvertCharset(String charset) implements AlterAction {
    }

    /** MySQL table option such as ENGINE=, ROW_FORMAT=, [DEFAULT] CHARSET=, or FORCE. */
    record TableOption(String name, String value) implements AlterAction {
    }

    /** ENABLE/DISABLE TRIGGER, REPLICA IDENTITY, CLUSTER ON, SET STATISTICS, OWNER TO, ...: brief, catalog only. */
    record CatalogOnly(String what) implements AlterAction {
    }

    /** A clause zerodown did not understand; treated as taking ACCESS EXCLUSIVE. */
    record Unknown(String text) implements AlterAction {
    }
}
