package io.zerodown.postgres;

import io.zerodown.api.Engine;
import io.zerodown.api.Target;
import io.zerodown.core.dialect.Dialect;
import io.zerodown.core.lint.LockFacts;
import io.zerodown.core.lint.Rule;
import io.zerodown.core.lint.StatementContext;
import io.zerodown.core.sql.SqlFamily;
import io.zerodown.postgres.rules.PostgresColumnRules;
import io.zerodown.postgres.rules.PostgresConstraintRules;
import io.zerodown.postgres.rules.PostgresIndexRules;
import io.zerodown.postgres.rules.PostgresTransactionRules;
import io.zerodown.postgres.rules.PostgresTypeRules;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** PostgreSQL 11 to 18. */
public final class PostgresDialect implements Dialect {

    private static final Set<String> RESERVED = Set.of("all", "analyse", "analyze", "and", "any", "array", "as", "asc",
            "asymmetric", "both", "case", "cast", "check", "collate", "column", "constraint", "create", "current_catalog",
            "current_date", "current_role", "current_time", "current_timestamp", "current_user", "default",
            "deferrable", "desc", "distinct", "do", "else", "end", "except", "false", "fetch", "for", "foreign", "from",
            "grant", "group", "having", "in", "initially", "intersect", "into", "lateral", "leading", "limit",
            "localtime", "localtimestamp", "not", "null", "offset", "on", "only", "or", "order", "placing", "primary",
            "references", "returning", "select", "session_user", "some", "symmetric", "system_user", "table", "then",
            "to", "trailing", "true", "union", "unique", "user", "using", "variadic", "when", "where", "window", "with",
            "authorization", "binary", "collation", "concurrently", "cross", "current_schema", "freeze", "full",
            "ilike", "inner", "is", "isnull", "join", "left", "like", "natural", "notnull", "outer", "overlaps",
            "right", "similar", "tablesample", "verbose");
    private static final Pattern SIMPLE = Pattern.compile("[a-z_][a-z0-9_$]*");

    /** Flyway's own per-statement test for statements that cannot run in a transaction (java-ecosystem.md §4.5). */
    private static final Pattern FLYWAY_NON_TX = Pattern.compile(
            "^\\s*((CREATE|DROP)\\s+(DATABASE|TABLESPACE|SUBSCRIPTION)\\b|ALTER\\s+SYSTEM\\b"
                    + "|(CREATE|DROP)\\s+(UNIQUE\\s+)?INDEX\\s+CONCURRENTLY\\b"
                    + "|REINDEX\\s+(VERBOSE\\s+)?(SCHEMA|DATABASE|SYSTEM)\\b|VACUUM\\b|DISCARD\\s+ALL\\b)",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern ENUM_ADD_VALUE = Pattern.compile("^\\s*ALTER\\s+TYPE\\s+.*\\bADD\\s+VALUE\\b",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);

    private final List<Rule> rules = List.of(new PostgresIndexRules(), new PostgresConstraintRules(),
            new PostgresColumnRules(), new PostgresTransactionRules(), new PostgresTypeRules());

    @Override
    public boolean handles(Engine engine) {
        return engine == Engine.POSTGRES;
    }

    @Override
    public SqlFamily sqlFamily() {
        return SqlFamily.POSTGRES;
    }

    @Override
    public LockFacts locks(StatementContext ctx) {
        return PostgresLocks.analyze(ctx);
    }

    @Override
    public List<Rule> rules() {
        return rules;
    }

    @Override
    public String quote(String identifier) {
        if (SIMPLE.matcher(identifier).matches() && !RESERVED.contains(identifier)) return identifier;
        return quoteAlways(identifier);
    }

    /** Always quotes; for SQL that zerodown executes. */
    public static String quoteAlways(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    @Override
    public boolean flywayDetectsNonTransactional(String sql, Target target) {
        if (FLYWAY_NON_TX.matcher(sql).find()) return true;
        return !target.version().atLeast(12) && ENUM_ADD_VALUE.matcher(sql).find();
    }
}
