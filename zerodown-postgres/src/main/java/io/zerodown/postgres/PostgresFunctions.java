package io.zerodown.postgres;

import io.zerodown.core.model.Expr;

import java.util.Set;

/**
 * Volatility of the functions that show up in column defaults. A volatile default makes ADD COLUMN rewrite the
 * table even on PostgreSQL 11+; a stable or immutable one is stored once in the catalog.
 */
public final class PostgresFunctions {
    public static final Set<String> VOLATILE = Set.of("random", "clock_timestamp", "timeofday", "gen_random_uuid",
            "uuid_generate_v1", "uuid_generate_v1mc", "uuid_generate_v4", "uuidv4", "uuidv7", "nextval", "setval",
            "txid_current", "pg_current_xact_id", "random_normal", "gen_random_bytes", "currval", "lastval");

    static final Set<String> NON_VOLATILE = Set.of("now", "current_timestamp", "current_date", "current_time",
            "localtimestamp", "localtime", "transaction_timestamp", "statement_timestamp", "current_user",
            "session_user", "user", "current_role", "current_schema", "current_catalog", "lower", "upper", "coalesce",
            "nullif", "concat", "to_jsonb", "to_json", "jsonb_build_object", "json_build_object", "jsonb_build_array",
            "json_build_array", "array", "make_interval", "make_date", "make_timestamp", "make_timestamptz",
            "date_trunc", "to_timestamp", "to_date", "to_char", "interval", "cast", "length", "abs", "round",
            "greatest", "least", "trim", "btrim", "replace", "substring", "substr", "md5", "row", "array_fill",
            "timezone", "age", "extract", "date_part", "int4", "int8", "numeric", "text", "varchar", "bool",
            "jsonb", "json", "uuid", "point", "inet", "float8", "pg_catalog");

    public enum Volatility { NONE, NON_VOLATILE, VOLATILE, UNKNOWN }

    private PostgresFunctions() {
    }

    /** The most volatile function an expression calls; UNKNOWN when it calls a function zerodown does not know. */
    public static Volatility of(Expr e) {
        if (e == null) return Volatility.NONE;
        Volatility v = Volatility.NONE;
        for (String f : e.functions()) {
            String name = f.contains(".") ? f.substring(f.lastIndexOf('.') + 1) : f;
            if (VOLATILE.contains(name)) return Volatility.VOLATILE;
            if (NON_VOLATILE.contains(name)) {
                if (v == Volatility.NONE) v = Volatility.NON_VOLATILE;
            } else {
                v = Volatility.UNKNOWN;
            }
        }
        return v == Volatility.NONE && !e.functions().isEmpty() ? Volatility.NON_VOLATILE : v;
    }

    /** The first function of the expression that is volatile or unknown, for messages. */
    public static String culprit(Expr e) {
        for (String f : e.functions()) {
            String name = f.contains(".") ? f.substring(f.lastIndexOf('.') + 1) : f;
            if (!NON_VOLATILE.contains(name)) return f + "()";
        }
        return e.text();
    }
}
