package io.zerodown.core.sql;

import io.zerodown.api.ZerodownException;

/** A string, quoted identifier, dollar quote or block comment that never ends. Carries where it started. */
public class UnterminatedSqlException extends ZerodownException {
    private final int line;
    private final int column;

    public UnterminatedSqlException(String what, int line, int column) {
        super("unterminated " + what + " starting at line " + line + ", column " + column);
        this.line = line;
        this.column = column;
    }

    /** 1-based line where the unterminated construct starts. */
    public int line() {
        return line;
    }

    public int column() {
        return column;
    }
}
