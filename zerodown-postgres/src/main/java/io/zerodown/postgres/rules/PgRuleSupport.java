package io.zerodown.postgres.rules;

import io.zerodown.api.Engine;
import io.zerodown.api.RuleInfo;
import io.zerodown.api.Severity;
import io.zerodown.core.lint.StatementContext;
import io.zerodown.core.model.ConstraintDef;
import io.zerodown.core.model.Name;
import io.zerodown.core.schema.ConstraintState;
import io.zerodown.core.schema.IndexState;
import io.zerodown.core.schema.TableState;

import java.util.EnumSet;
import java.util.List;

/** Small helpers shared by the PostgreSQL rules: rule metadata, generated names and recurring SQL fragments. */
final class PgRuleSupport {

    private PgRuleSupport() {
    }

    static RuleInfo info(String id, Severity s, String title) {
        return new RuleInfo(id, s, title, EnumSet.of(Engine.POSTGRES));
    }

    /** A PostgreSQL identifier is at most 63 bytes; longer generated names are cut like the server does. */
    static String name(String... parts) {
        String n = String.join("_", parts);
        return n.length() > 63 ? n.substring(0, 63) : n;
    }

    static String primaryKey(TableState t) {
        if (t != null) {
            for (ConstraintState c : t.constraints.values()) {
                if (c.kind == ConstraintDef.Kind.PRIMARY_KEY && c.columns.size() == 1) return c.columns.get(0);
            }
        }
        return "id";
    }

    /** The keyset batch statement a backfill repeats; zerodown apply runs it for you. */
    static String backfillBatch(StatementContext ctx, Name table, String column, String value) {
        String t = ctx.q(table);
        String k = ctx.q(primaryKey(ctx.table(table)));
        String c = ctx.q(column);
        return "-- repeat in short transactions until it returns no row, keeping :last_id = max(returned " + k + "):\n"
                + "UPDATE " + t + " SET " + c + " = " + value + "\n"
                + "WHERE " + k + " IN (SELECT " + k + " FROM " + t + " WHERE " + k + " > :last_id AND " + c
                + " IS NULL ORDER BY " + k + " LIMIT 5000)\nRETURNING " + k + ";";
    }

    /** R3: NOT NULL through a validated CHECK (PG12+ skips the scan in SET NOT NULL). */
    static String notNullViaCheck(StatementContext ctx, Name table, String column) {
        String t = ctx.q(table);
        String c = ctx.q(column);
        String check = ctx.q(name(table.name(), column, "not_null"));
        if (!ctx.target().version().atLeast(12)) {
            return "ALTER TABLE " + t + " ADD CONSTRAINT " + check + " CHECK (" + c + " IS NOT NULL) NOT VALID;\n"
                    + "ALTER TABLE " + t + " VALIDATE CONSTRAINT " + check + ";\n"
                    + "-- PostgreSQL " + ctx.target().version() + " cannot use the CHECK to skip the SET NOT NULL scan:\n"
                    + "-- keep the validated CHECK as the NOT NULL guarantee until you run PostgreSQL 12+.";
        }
        return "ALTER TABLE " + t + " ADD CONSTRAINT " + check + " CHECK (" + c + " IS NOT NULL) NOT VALID;\n"
                + "ALTER TABLE " + t + " VALIDATE CONSTRAINT " + check + ";  -- separate transaction; reads and writes continue\n"
                + "ALTER TABLE " + t + " ALTER COLUMN " + c + " SET NOT NULL;   -- no scan: the valid CHECK proves it\n"
                + "ALTER TABLE " + t + " DROP CONSTRAINT " + check + ";";
    }

    static String validityCheck(String indexName) {
        return "SELECT indisvalid FROM pg_index WHERE indexrelid = '" + indexName.replace("'", "''")
                + "'::regclass;  -- if false: DROP INDEX CONCURRENTLY, then build again";
    }

    static boolean hasIndexLeadingWith(TableState t, List<String> columns) {
        if (t == null) return true; // unknown: do not guess
        for (IndexState idx : t.indexes.values()) {
            if (idx.columns.size() >= columns.size() && idx.columns.subList(0, columns.size()).equals(columns)) return true;
        }
        return false;
    }
}
