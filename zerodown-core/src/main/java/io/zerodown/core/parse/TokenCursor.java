package io.zerodown.core.parse;

import io.zerodown.core.model.Name;
import io.zerodown.core.sql.SqlFamily;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A position in a token list with the small look-ahead helpers a hand-written parser needs. */
final class TokenCursor {
    final List<Token> tokens;
    final String sql;
    final SqlFamily family;
    int pos;
    private final int end;

    TokenCursor(List<Token> tokens, String sql, SqlFamily family) {
        this(tokens, sql, family, 0, tokens.size());
    }

    TokenCursor(List<Token> tokens, String sql, SqlFamily family, int from, int end) {
        this.tokens = tokens;
        this.sql = sql;
        this.family = family;
        this.pos = from;
        this.end = end;
    }

    boolean atEnd() {
        return pos >= end;
    }

    Token peek() {
        return pos < end ? tokens.get(pos) : null;
    }

    Token peek(int ahead) {
        return pos + ahead < end ? tokens.get(pos + ahead) : null;
    }

    Token next() {
        return pos < end ? tokens.get(pos++) : null;
    }

    boolean is(String keyword) {
        Token t = peek();
        return t != null && t.is(keyword);
    }

    boolean isAhead(int ahead, String keyword) {
        Token t = peek(ahead);
        return t != null && t.is(keyword);
    }

    boolean isSymbol(String s) {
        Token t = peek();
        return t != null && t.isSymbol(s);
    }

    /** Consumes the keywords if they all follow, in order; otherwise consumes nothing. */
    boolean accept(String... keywords) {
        for (int i = 0; i < keywords.length; i++) {
            if (!isAhead(i, keywords[i])) return false;
        }
        pos += keywords.length;
        return true;
    }

    boolean acceptSymbol(String s) {
        if (isSymbol(s)) {
            pos++;
            return true;
        }
        return false;
    }

    void expect(String keyword) {
        if (!accept(keyword)) throw new ParseFailure("expected " + keyword + " near " + here());
    }

    void expectSymbol(String s) {
        if (!acceptSymbol(s)) throw new ParseFailure("expected '" + s + "' near " + here());
    }

    String here() {
        Token t = peek();
        return t == null ? "end of statement" : "'" + t.text() + "'";
    }

    /** An identifier folded the way the server folds it. */
    String identifier() {
        Token t = next();
        if (t == null || !(t.isIdentifier() || t.kind() == Token.Kind.STRING && family == SqlFamily.MYSQL)) {
            throw new ParseFailure("expected a name near " + (t == null ? "end of statement" : "'" + t.text() + "'"));
        }
        return fold(t);
    }

    String fold(Token t) {
        if (t.kind() == Token.Kind.QUOTED_IDENT && family == SqlFamily.POSTGRES) return t.text();
        return t.text().toLowerCase(Locale.ROOT);
    }

    Name name() {
        String first = identifier();
        if (acceptSymbol(".")) {
            String second = identifier();
            if (acceptSymbol(".")) {
                return new Name(second, identifier());
            }
            return new Name(first, second);
        }
        return new Name(null, first);
    }

    List<Name> nameList() {
        List<Name> names = new ArrayList<>();
        do {
            names.add(name());
        } while (acceptSymbol(","));
        return names;
    }

    /** Skips a balanced parenthesised group starting at '(' and returns the text inside it. */
    String parenthesised() {
        Token open = next();
        if (open == null || !open.isSymbol("(")) throw new ParseFailure("expected '(' near " + here());
        int depth = 1;
        int innerStart = open.end();
        while (!atEnd()) {
            Token t = next();
            if (t.isSymbol("(")) depth++;
            else if (t.isSymbol(")") && --depth == 0) {
                return sql.substring(innerStart, t.start()).trim();
            }
        }
        throw new ParseFailure("unbalanced parentheses");
    }

    /** Identifiers in a parenthesised, comma-separated list (expressions are kept as their text). */
    List<String> columnList() {
        int open = pos;
        String inner = parenthesised();
        int close = pos - 1; // index of ')'
        List<String> cols = new ArrayList<>();
        if (inner.isEmpty()) return cols;
        int depth = 0;
        int itemStart = open + 1;
        for (int i = open + 1; i < close; i++) {
            Token t = tokens.get(i);
            if (t.isSymbol("(")) depth++;
            else if (t.isSymbol(")")) depth--;
            else if (t.isSymbol(",") && depth == 0) {
                cols.add(item(itemStart, i));
                itemStart = i + 1;
            }
        }
        if (itemStart < close) cols.add(item(itemStart, close));
        return cols;
    }

    private String item(int from, int to) {
        if (to - from == 1 && tokens.get(from).isIdentifier()) return fold(tokens.get(from));
        // "col ASC", "col DESC NULLS LAST", "col(10)" keep the column name first for index-prefix checks
        Token first = tokens.get(from);
        if (first.isIdentifier() && to - from >= 2) {
            Token second = tokens.get(from + 1);
            if (second.is("ASC") || second.is("DESC") || second.is("NULLS") || second.is("COLLATE")
                    || second.isSymbol("(") && family == SqlFamily.MYSQL) {
                return fold(first);
            }
        }
        return sql.substring(tokens.get(from).start(), tokens.get(to - 1).end()).trim();
    }

    /** Text from token index {@code from} (inclusive) to the current position (exclusive). */
    String textFrom(int from) {
        if (from >= pos) return "";
        return sql.substring(tokens.get(from).start(), tokens.get(pos - 1).end()).trim();
    }

    String rest() {
        if (atEnd()) return "";
        return sql.substring(peek().start(), tokens.get(end - 1).end()).trim();
    }

    int end() {
        return end;
    }

    /** Skips to the end of the cursor's range. */
    void skipRest() {
        pos = end;
    }
}
