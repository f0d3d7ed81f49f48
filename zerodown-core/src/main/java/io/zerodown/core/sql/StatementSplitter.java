package io.zerodown.core.sql;

import java.util.List;

/** Cuts a script into statements. Implementations never lose text: every non-comment character lands in one statement. */
public interface StatementSplitter {

    /**
     * @param script the script text
     * @param family its lexical family
     * @return the statements in order
     * @throws UnterminatedSqlException when a quote, dollar quote or block comment is never closed
     */
    List<SqlText> split(String script, SqlFamily family);

    static StatementSplitter standard() {
        return new DefaultStatementSplitter();
    }
}
