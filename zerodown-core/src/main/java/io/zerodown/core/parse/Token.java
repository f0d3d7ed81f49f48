package io.zerodown.core.parse;

import java.util.Locale;

/**
 * A lexical token of a statement.
 *
 * @param kind   what it is
 * @param text   the text as written (for quoted identifiers and strings: without the quotes, escapes resolved)
 * @param start  0-based offset in the statement
 * @param end    offset after the token
 */
public record Token(Kind kind, String text, int start, int end) {

    public enum Kind { WORD, QUOTED_IDENT, STRING, NUMBER, SYMBOL, PARAM }

    /** True for an unquoted word equal (case-insensitively) to {@code keyword}. */
    public boolean is(String keyword) {
        return kind == Kind.WORD && text.equalsIgnoreCase(keyword);
    }

    public boolean isSymbol(String s) {
        return kind == Kind.SYMBOL && text.equals(s);
    }

    public boolean isIdentifier() {
        return kind == Kind.WORD || kind == Kind.QUOTED_IDENT;
    }

    /** The lower-cased word, for keyword switches. */
    public String upper() {
        return text.toUpperCase(Locale.ROOT);
    }
}
