package io.zerodown.mysql;

import io.zerodown.api.Engine;
import io.zerodown.core.dialect.Dialect;
import io.zerodown.core.lint.LockFacts;
import io.zerodown.core.lint.Rule;
import io.zerodown.core.lint.StatementContext;
import io.zerodown.core.sql.SqlFamily;
import io.zerodown.mysql.rules.MysqlAlterRules;
import io.zerodown.mysql.rules.MysqlColumnRules;
import io.zerodown.mysql.rules.MysqlTableRules;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** MySQL 8.0/8.4 and MariaDB 10.6 to 11.4: one SQL family, version-aware online-DDL predictions. */
public final class MysqlDialect implements Dialect {

    /** MySQL 8.0/8.4 reserved words plus the few MariaDB adds; such names are quoted even when lower case. */
    private static final Set<String> RESERVED = Set.of("accessible", "add", "all", "alter", "analyze", "and", "as",
            "asc", "asensitive", "before", "between", "bigint", "binary", "blob", "both", "by", "call", "cascade",
            "case", "change", "char", "character", "check", "collate", "column", "condition", "constraint", "continue",
            "convert", "create", "cross", "cube", "cume_dist", "current_date", "current_time", "current_timestamp",
            "current_user", "current_role", "cursor", "database", "databases", "day_hour", "day_microsecond",
            "day_minute", "day_second", "dec", "decimal", "declare", "default", "delayed", "delete", "dense_rank",
            "desc", "describe", "deterministic", "distinct", "distinctrow", "div", "double", "drop", "dual", "each",
            "else", "elseif", "empty", "enclosed", "escaped", "except", "exists", "exit", "explain", "false", "fetch",
            "first_value", "float", "float4", "float8", "for", "force", "foreign", "from", "fulltext", "function",
            "generated", "get", "grant", "group", "grouping", "groups", "having", "high_priority", "hour_microsecond",
            "hour_minute", "hour_second", "if", "ignore", "in", "index", "infile", "inner", "inout", "insensitive",
            "insert", "int", "int1", "int2", "int3", "int4", "int8", "integer", "intersect", "interval", "into",
            "io_after_gtids", "io_before_gtids", "is", "iterate", "join", "json_table", "key", "keys", "kill", "lag",
            "last_value", "lateral", "lead", "leading", "leave", "left", "like", "limit", "linear", "lines", "load",
            "localtime", "localtimestamp", "lock", "long", "longblob", "longtext", "loop", "low_priority",
            "master_bind", "master_ssl_verify_server_cert", "match", "maxvalue", "mediumblob", "mediumint",
            "mediumtext", "middleint", "minute_microsecond", "minute_second", "mod", "modifies", "natural", "not",
            "no_write_to_binlog", "nth_value", "ntile", "null", "numeric", "of", "offset", "on", "optimize",
            "optimizer_costs", "option", "optionally", "or", "order", "out", "outer", "outfile", "over", "partition",
            "percent_rank", "precision", "primary", "procedure", "purge", "range", "rank", "read", "reads",
            "read_write", "real", "recursive", "references", "regexp", "release", "rename", "repeat", "replace",
            "require", "resignal", "restrict", "return", "returning", "revoke", "right", "rlike", "row", "rows",
            "row_number", "schema", "schemas", "second_microsecond", "select", "sensitive", "separator", "set", "show",
            "signal", "smallint", "spatial", "specific", "sql", "sqlexception", "sqlstate", "sqlwarning",
            "sql_big_result", "sql_calc_found_rows", "sql_small_result", "ssl", "starting", "stored", "straight_join",
            "system", "table", "terminated", "then", "tinyblob", "tinyint", "tinytext", "to", "trailing", "trigger",
            "true", "undo", "union", "unique", "unlock", "unsigned", "update", "usage", "use", "using", "utc_date",
            "utc_time", "utc_timestamp", "values", "varbinary", "varchar", "varcharacter", "varying", "virtual", "when",
            "where", "while", "window", "with", "write", "xor", "year_month", "zerofill");
    private static final Pattern SIMPLE = Pattern.compile("[a-z_][a-z0-9_$]*");

    private final MysqlSession session = new MysqlSession();
    private final List<Rule> rules = List.of(new MysqlAlterRules(session), new MysqlColumnRules(session),
            new MysqlTableRules(session));

    @Override
    public boolean handles(Engine engine) {
        return engine == Engine.MYSQL || engine == Engine.MARIADB;
    }

    @Override
    public SqlFamily sqlFamily() {
        return SqlFamily.MYSQL;
    }

    @Override
    public LockFacts locks(StatementContext ctx) {
        session.observe(ctx);
        return MysqlLocks.analyze(ctx, session);
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

    /** Always quotes with backticks, doubling embedded ones; for SQL that zerodown executes. */
    public static String quoteAlways(String identifier) {
        return "`" + identifier.replace("`", "``") + "`";
    }
}
