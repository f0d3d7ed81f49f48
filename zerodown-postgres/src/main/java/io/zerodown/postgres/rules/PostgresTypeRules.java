package io.zerodown.postgres.rules;

import io.zerodown.api.Effect;
import io.zerodown.api.RuleInfo;
import io.zerodown.api.Severity;
import io.zerodown.core.lint.Rule;
import io.zerodown.core.lint.StatementContext;
import io.zerodown.core.model.Stmt;

import java.util.List;

import static io.zerodown.postgres.rules.PgRuleSupport.info;

/** Enum and domain types, schema renames. */
public final class PostgresTypeRules implements Rule {
    static final String DOMAIN = "pg.domain.constraint";
    static final String ENUM_UNORDERED = "pg.enum.add-value-unordered";
    static final String ENUM_IN_TX = "pg.enum.add-value-in-transaction";
    static final String ENUM_RENAME = "pg.enum.rename-value";
    static final String SCHEMA_RENAME = "pg.schema.rename";

    private static final List<RuleInfo> INFOS = List.of(
            info(DOMAIN, Severity.WARNING, "Domain CHECK constraints are checked against every column using the domain"),
            info(ENUM_UNORDERED, Severity.INFO, "ALTER TYPE ... ADD VALUE without BEFORE/AFTER puts the value last"),
            info(ENUM_IN_TX, Severity.ERROR, "ALTER TYPE ... ADD VALUE cannot run in a transaction block before PostgreSQL 12"),
            info(ENUM_RENAME, Severity.WARNING, "ALTER TYPE ... RENAME VALUE breaks app code that writes the old label"),
            info(SCHEMA_RENAME, Severity.ERROR, "ALTER SCHEMA ... RENAME breaks every query that names the schema"));

    @Override
    public List<RuleInfo> infos() {
        return INFOS;
    }

    @Override
    public void check(StatementContext ctx) {
        Stmt s = ctx.stmt();
        if (s instanceof Stmt.DomainConstraint dc) {
            if (dc.create()) {
                ctx.finding(DOMAIN).severity(Severity.WARNING).lock(null, null).effect(Effect.NONE)
                        .message("Domain " + dc.domain() + " carries a CHECK: adding a column of this domain to an "
                                + "existing table rewrites it, and later changes to the domain's constraint scan every "
                                + "table that uses it under lock. A plain type plus a table CHECK is easier to change online.")
                        .fix("-- use the base type and a table constraint added NOT VALID, then VALIDATE")
                        .report();
            } else if (!dc.notValid()) {
                ctx.finding(DOMAIN).severity(Severity.WARNING).lock("SHARE (on every table using the domain)", "writes")
                        .effect(Effect.SCAN)
                        .message("ALTER DOMAIN " + dc.domain() + " ADD CONSTRAINT checks every column of every table "
                                + "that uses the domain while blocking writes to them.")
                        .fix(ctx.sql() + " NOT VALID;\nALTER DOMAIN " + ctx.q(dc.domain()) + " VALIDATE CONSTRAINT <name>;")
                        .report();
            }
        } else if (s instanceof Stmt.AlterEnum ae) {
            if (ae.action().equals("ADD VALUE")) {
                if (!ctx.target().version().atLeast(12) && ctx.tx().inTransaction()) {
                    ctx.finding(ENUM_IN_TX).lock(null, null).effect(Effect.NONE)
                            .message("PostgreSQL " + ctx.target().version() + " refuses ALTER TYPE ... ADD VALUE inside a "
                                    + "transaction block (from 12 it is allowed, but the new value cannot be used until commit).")
                            .fix("-- run it on its own, outside a transaction:\n" + ctx.sql() + ";")
                            .report();
                }
                if (!ae.ordered()) {
                    ctx.finding(ENUM_UNORDERED).severity(Severity.INFO).lock(null, null).effect(Effect.NONE)
                            .message("ADD VALUE " + ae.value() + " without BEFORE or AFTER appends it last; enum values "
                                    + "sort in declaration order, so say where it belongs if ORDER BY matters.")
                            .fix(ctx.sql() + " AFTER '<existing value>';")
                            .report();
                }
            } else if (ae.action().equals("RENAME VALUE")) {
                ctx.finding(ENUM_RENAME).severity(Severity.WARNING).lock(null, null).effect(Effect.CATALOG)
                        .message("Renaming enum value " + ae.value() + " of " + ae.type() + " breaks running app code "
                                + "that still writes or compares the old label.")
                        .fix("-- add the new value, migrate rows in batches, deploy code using it, then stop using the old one:\n"
                                + "ALTER TYPE " + ctx.q(ae.type()) + " ADD VALUE '<new label>';")
                        .report();
            }
        } else if (s instanceof Stmt.AlterSchemaRename sr) {
            ctx.finding(SCHEMA_RENAME).lock("ACCESS EXCLUSIVE (schema)", "every query naming the schema").effect(Effect.CATALOG)
                    .message("Renaming schema " + sr.from() + " to " + sr.to() + " breaks every running query, view "
                            + "definition text and search_path that names " + sr.from() + ".")
                    .fix("-- expand/contract: create the new schema and move objects with views left behind, or keep the name")
                    .report();
        }
    }
}
