package io.zerodown.core.sql;

import java.util.List;

/**
 * One statement cut out of a script by {@link StatementSplitter}.
 *
 * @param sql              the statement without its terminating delimiter, trimmed, comments inside kept
 * @param line             1-based line of the statement's first token (not of the comments before it)
 * @param column           1-based column of that token
 * @param offset           0-based character offset of that token in the script
 * @param leadingComments  the comments between the previous statement and this one, in order, each with its
 *                         comment markers removed and trimmed (used for {@code -- zerodown:ignore} directives)
 */
public record SqlText(String sql, int line, int column, int offset, List<String> leadingComments) {
}
