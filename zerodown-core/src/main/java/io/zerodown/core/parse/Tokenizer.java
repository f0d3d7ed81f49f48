package io.zerodown.core.parse;

import io.zerodown.core.sql.SqlFamily;

import java.util.ArrayList;
import java.util.List;

/** Turns one statement's text into tokens, skipping comments. Tolerant: never throws on odd input. */
public final class Tokenizer {

    private Tokenizer() {
    }

    public static List<Token> tokenize(String sql, SqlFamily family) {
        List<Token> out = new ArrayList<>();
        char[] s = sql.toCharArray();
        int n = s.length;
        int i = 0;
        boolean mysql = family == SqlFamily.MYSQL;
        while (i < n) {
            char c = s[i];
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '-' && i + 1 < n && s[i + 1] == '-') {
                while (i < n && s[i] != '\n') i++;
            } else if (mysql && c == '#') {
                while (i < n && s[i] != '\n') i++;
            } else if (c == '/' && i + 1 < n && s[i + 1] == '*') {
                boolean executable = mysql && i + 2 < n && s[i + 2] == '!';
                if (executable) {
                    // MySQL executable comment: its content is real SQL; drop the markers and version number
                    i += 3;
                    while (i < n && Character.isDigit(s[i])) i++;
                    int close = indexOf(s, i, "*/");
                    String inner = new String(s, i, (close < 0 ? n : close) - i);
                    for (Token t : tokenize(inner, family)) {
                        out.add(new Token(t.kind(), t.text(), t.start() + i, t.end() + i));
                    }
                    i = close < 0 ? n : close + 2;
                } else {
                    int depth = 1;
                    i += 2;
                    while (i < n && depth > 0) {
                        if (!mysql && s[i] == '/' && i + 1 < n && s[i + 1] == '*') {
                            depth++;
                            i += 2;
                        } else if (s[i] == '*' && i + 1 < n && s[i + 1] == '/') {
                            depth--;
                            i += 2;
                        } else {
                            i++;
                        }
                    }
                }
            } else if (c == '\'' || ((c == 'E' || c == 'e') && !mysql && i + 1 < n && s[i + 1] == '\''
                    && (i == 0 || !isWordChar(s[i - 1])))) {
                int start = i;
                boolean escapes = mysql || c != '\'';
                if (c != '\'') i++;
                i++;
                StringBuilder b = new StringBuilder();
                while (i < n) {
                    char d = s[i];
                    if (escapes && d == '\\' && i + 1 < n) {
                        b.append(s[i + 1]);
                        i += 2;
                    } else if (d == '\'') {
                        if (i + 1 < n && s[i + 1] == '\'') {
                            b.append('\'');
                            i += 2;
                        } else {
                            i++;
                            break;
                        }
                    } else {
                        b.append(d);
                        i++;
                    }
                }
                out.add(new Token(Token.Kind.STRING, b.toString(), start, i));
            } else if (c == '"' && !mysql || c == '`' && mysql) {
                int start = i++;
                StringBuilder b = new StringBuilder();
                while (i < n) {
                    if (s[i] == c) {
                        if (i + 1 < n && s[i + 1] == c) {
                            b.append(c);
                            i += 2;
                        } else {
                            i++;
                            break;
                        }
                    } else {
                        b.append(s[i++]);
                    }
                }
                out.add(new Token(Token.Kind.QUOTED_IDENT, b.toString(), start, i));
            } else if (c == '"') {
                // MySQL double-quoted string (ANSI_QUOTES off)
                int start = i++;
                StringBuilder b = new StringBuilder();
                while (i < n && s[i] != '"') {
                    if (s[i] == '\\' && i + 1 < n) i++;
                    b.append(s[i++]);
                }
                i = Math.min(n, i + 1);
                out.add(new Token(Token.Kind.STRING, b.toString(), start, i));
            } else if (c == '$' && !mysql && i + 1 < n && (s[i + 1] == '$' || Character.isLetter(s[i + 1]) || s[i + 1] == '_')) {
                int tagEnd = i + 1;
                while (tagEnd < n && isWordChar(s[tagEnd])) tagEnd++;
                if (tagEnd < n && s[tagEnd] == '$') {
                    String tag = new String(s, i, tagEnd - i + 1);
                    int bodyStart = tagEnd + 1;
                    int close = indexOf(s, bodyStart, tag);
                    int bodyEnd = close < 0 ? n : close;
                    out.add(new Token(Token.Kind.STRING, new String(s, bodyStart, bodyEnd - bodyStart), i,
                            close < 0 ? n : close + tag.length()));
                    i = close < 0 ? n : close + tag.length();
                } else {
                    out.add(new Token(Token.Kind.SYMBOL, "$", i, i + 1));
                    i++;
                }
            } else if (c == '$' && i + 1 < n && Character.isDigit(s[i + 1]) || c == '?' && mysql) {
                int start = i++;
                while (i < n && Character.isDigit(s[i])) i++;
                out.add(new Token(Token.Kind.PARAM, new String(s, start, i - start), start, i));
            } else if (Character.isDigit(c) || c == '.' && i + 1 < n && Character.isDigit(s[i + 1])) {
                int start = i;
                while (i < n && (Character.isDigit(s[i]) || s[i] == '.' || s[i] == 'e' || s[i] == 'E'
                        || (s[i] == '-' || s[i] == '+') && (s[i - 1] == 'e' || s[i - 1] == 'E'))) {
                    i++;
                }
                // 2a is a word in MySQL (identifiers may start with digits)
                if (mysql && i < n && isWordChar(s[i])) {
                    while (i < n && isWordChar(s[i])) i++;
                    out.add(new Token(Token.Kind.WORD, new String(s, start, i - start), start, i));
                } else {
                    out.add(new Token(Token.Kind.NUMBER, new String(s, start, i - start), start, i));
                }
            } else if (isWordStart(c)) {
                int start = i;
                while (i < n && (isWordChar(s[i]) || s[i] == '$')) i++;
                out.add(new Token(Token.Kind.WORD, new String(s, start, i - start), start, i));
            } else {
                int start = i;
                String two = i + 1 < n ? new String(s, i, 2) : "";
                if (two.equals("::") || two.equals("<>") || two.equals("<=") || two.equals(">=") || two.equals("!=")
                        || two.equals("||") || two.equals(":=") || two.equals("->") || two.equals("=>")) {
                    i += 2;
                    out.add(new Token(Token.Kind.SYMBOL, two, start, i));
                } else {
                    i++;
                    out.add(new Token(Token.Kind.SYMBOL, String.valueOf(c), start, i));
                }
            }
        }
        return out;
    }

    private static boolean isWordStart(char c) {
        return Character.isLetter(c) || c == '_' || c == '@' || c > 127;
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '@' || c > 127;
    }

    private static int indexOf(char[] s, int from, String what) {
        outer:
        for (int i = from; i <= s.length - what.length(); i++) {
            for (int j = 0; j < what.length(); j++) {
                if (s[i + j] != what.charAt(j)) continue outer;
            }
            return i;
        }
        return -1;
    }
}
