package io.zerodown.core.sql;

import io.zerodown.api.Engine;

/** The lexical rules of a script: how quotes, comments and blocks work. */
public enum SqlFamily {
    /** Dollar quoting, E'' strings, nested block comments, double-quoted identifiers. */
    POSTGRES,
    /** Backtick identifiers, backslash escapes in strings, '#' comments, DELIMITER, BEGIN...END compound bodies. */
    MYSQL;

    public static SqlFamily of(Engine engine) {
        return engine == Engine.POSTGRES ? POSTGRES : MYSQL;
    }
}
