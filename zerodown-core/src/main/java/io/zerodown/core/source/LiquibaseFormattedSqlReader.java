package io.zerodown.core.source;

import io.zerodown.api.UnreadableInputException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Reads a Liquibase "formatted SQL" changelog into its changesets.
 *
 * <p>Recognised: the {@code --liquibase formatted sql} first line, {@code --changeset author:id attr:value ...}
 * headers (author and id may be double-quoted; the author runs to the first colon, as in Liquibase), and inside a
 * changeset the directive lines {@code --rollback}, {@code /* liquibase rollback} comment blocks (one or many lines, up to the closing star-slash),
 * {@code --comment}, {@code --preconditions}, {@code --precondition-*}, {@code --validCheckSum} and
 * {@code --ignoreLines:start/end/N}. Directive lines are replaced by empty lines so that line {@code k} of a
 * changeset's text is line {@code firstLine + k - 1} of the file. Lines end at {@code \n}, {@code \r\n} or
 * {@code \r}; the text is joined with {@code \n}.
 *
 * <p>Only lines are inspected, with prefix checks; SQL inside the body is not parsed.
 */
final class LiquibaseFormattedSqlReader {

    private static final Pattern FIRST_LINE = Pattern.compile("--\\s*liquibase\\s+formatted\\s+sql.*",
            Pattern.CASE_INSENSITIVE);

    /**
     * One changeset.
     *
     * @param author     the author, quotes removed
     * @param id         the id, quotes removed
     * @param headerLine 1-based line of the {@code --changeset} header
     * @param firstLine  1-based line where {@code text} starts (the line after the header)
     * @param text       the body with directive lines blanked
     * @param attributes header attributes such as {@code runInTransaction}, {@code splitStatements},
     *                   {@code endDelimiter}, {@code context}, {@code labels}, {@code dbms}; keys case-insensitive,
     *                   values as written (quotes removed)
     */
    record Changeset(String author, String id, int headerLine, int firstLine, String text,
                     Map<String, String> attributes) {

        String unitId() {
            return author + ":" + id;
        }

        /** false when the header says {@code runInTransaction:false}, else null (the runner decides). */
        Boolean runInTransaction() {
            String v = attributes.get("runInTransaction");
            return v != null && v.equalsIgnoreCase("false") ? Boolean.FALSE : null;
        }

        /** false when the header says {@code splitStatements:false}, else null. */
        Boolean splitStatements() {
            String v = attributes.get("splitStatements");
            return v != null && v.equalsIgnoreCase("false") ? Boolean.FALSE : null;
        }

        /** the {@code endDelimiter} attribute as written, or null. */
        String endDelimiter() {
            return attributes.get("endDelimiter");
        }
    }

    private LiquibaseFormattedSqlReader() {
    }

    /** True when the first non-blank line of {@code text} (BOM already removed) is {@code --liquibase formatted sql}. */
    static boolean isFormattedSql(String text) {
        int n = text.length();
        int start = 0;
        while (start < n) {
            int end = lineEnd(text, start);
            if (!text.substring(start, end).isBlank()) {
                return FIRST_LINE.matcher(text.substring(start, end).strip()).matches();
            }
            start = skipTerminator(text, end);
        }
        return false;
    }

    /**
     * @param file display name used in errors
     * @param text the file content, BOM removed
     * @throws UnreadableInputException for SQL before the first changeset, a malformed header, a duplicate
     *                                  {@code author:id} or an unterminated rollback block
     */
    static List<Changeset> read(String file, String text) {
        List<String> lines = lines(text);
        List<Changeset> result = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();

        // header data of the changeset being collected
        String author = null;
        String id = null;
        Map<String, String> attributes = null;
        int headerLine = 0;
        StringBuilder body = null;
        int bodyLines = 0;

        boolean inPreambleComment = false;
        int rollbackBlockStart = 0;   // > 0 while inside a multi-line /* liquibase rollback block
        int ignoreBlockStart = 0;     // > 0 while inside --ignoreLines:start ... end
        int ignoreCount = 0;          // lines still to ignore after --ignoreLines:N

        for (int i = 0; i < lines.size(); i++) {
            int lineNo = i + 1;
            String line = lines.get(i);
            String s = line.strip();

            if (rollbackBlockStart > 0) {
                if (s.contains("*/")) {
                    rollbackBlockStart = 0;
                }
                bodyLines = append(body, bodyLines, "");
                continue;
            }

            String directive = s.startsWith("--") ? s.substring(2).stripLeading() : null;
            if (directive != null && isWord(directive, "changeset")) {
                if (ignoreBlockStart > 0) {
                    throw new UnreadableInputException(file, ignoreBlockStart,
                            "--ignoreLines:start is not closed before the next --changeset — add --ignoreLines:end");
                }
                if (author != null) {
                    result.add(new Changeset(author, id, headerLine, headerLine + 1, body.toString(), attributes));
                }
                String[] authorAndId = new String[2];
                String rest = parseHeader(directive.substring("changeset".length()).strip(), authorAndId);
                if (rest == null) {
                    throw new UnreadableInputException(file, lineNo, "malformed changeset header \"" + s
                            + "\": expected --changeset author:id");
                }
                author = authorAndId[0];
                id = authorAndId[1];
                Integer previous = seen.putIfAbsent(author + ":" + id, lineNo);
                if (previous != null) {
                    throw new UnreadableInputException(file, lineNo, "duplicate changeset " + author + ":" + id
                            + " (first at line " + previous + ") — give each changeset a unique author:id");
                }
                attributes = parseAttributes(rest);
                headerLine = lineNo;
                body = new StringBuilder();
                bodyLines = 0;
                ignoreCount = 0;
                continue;
            }

            if (author == null) {
                // preamble: only blank lines and comments are allowed before the first changeset
                if (inPreambleComment) {
                    if (s.contains("*/")) {
                        inPreambleComment = false;
                    }
                } else if (s.startsWith("/*")) {
                    inPreambleComment = s.indexOf("*/", 2) < 0;
                } else if (!s.isEmpty() && directive == null) {
                    throw new UnreadableInputException(file, lineNo, "SQL before the first --changeset in a "
                            + "liquibase formatted sql file — put it inside a --changeset author:id block");
                }
                continue;
            }

            boolean blank = false;
            if (ignoreBlockStart > 0) {
                blank = true;
                if (directive != null && directive.regionMatches(true, 0, "ignoreLines:end", 0, 15)) {
                    ignoreBlockStart = 0;
                }
            } else if (ignoreCount > 0) {
                blank = true;
                ignoreCount--;
            } else if (directive != null) {
                if (directive.regionMatches(true, 0, "ignoreLines:", 0, 12)) {
                    blank = true;
                    String arg = directive.substring(12).strip();
                    if (arg.equalsIgnoreCase("start")) {
                        ignoreBlockStart = lineNo;
                    } else if (!arg.isEmpty() && arg.chars().allMatch(c -> c >= '0' && c <= '9') && arg.length() < 9) {
                        ignoreCount = Integer.parseInt(arg);
                    }
                } else {
                    blank = isDirective(directive);
                }
            } else if (s.startsWith("/*") && isRollbackComment(s.substring(2).stripLeading())) {
                blank = true;
                if (s.indexOf("*/", 2) < 0) {
                    rollbackBlockStart = lineNo;
                }
            }
            bodyLines = append(body, bodyLines, blank ? "" : line);
        }

        if (rollbackBlockStart > 0) {
            throw new UnreadableInputException(file, rollbackBlockStart,
                    "unterminated /* liquibase rollback block — close it with */");
        }
        if (ignoreBlockStart > 0) {
            throw new UnreadableInputException(file, ignoreBlockStart,
                    "--ignoreLines:start is never closed — add --ignoreLines:end");
        }
        if (author != null) {
            result.add(new Changeset(author, id, headerLine, headerLine + 1, body.toString(), attributes));
        }
        return result;
    }

    private static int append(StringBuilder body, int count, String line) {
        if (count > 0) {
            body.append('\n');
        }
        body.append(line);
        return count + 1;
    }

    /** directive lines blanked inside a changeset (text after {@code --} and spaces) */
    private static boolean isDirective(String d) {
        return isWord(d, "rollback")
                || isWord(d, "comment")
                || isWord(d, "preconditions")
                || d.regionMatches(true, 0, "precondition-", 0, 13)
                || isWord(d, "validCheckSum");
    }

    private static boolean isRollbackComment(String afterOpen) {
        if (!afterOpen.regionMatches(true, 0, "liquibase", 0, 9)) {
            return false;
        }
        String rest = afterOpen.substring(9).stripLeading();
        return isWord(rest, "rollback");
    }

    /** {@code s} starts with {@code word} (ignoring case) followed by the end, whitespace or a colon */
    private static boolean isWord(String s, String word) {
        int n = word.length();
        if (!s.regionMatches(true, 0, word, 0, n)) {
            return false;
        }
        if (s.length() == n) {
            return true;
        }
        char c = s.charAt(n);
        return c == ':' || Character.isWhitespace(c);
    }

    /**
     * Parses {@code author:id rest} (author up to the first colon, or double-quoted; id up to whitespace, or
     * double-quoted).
     *
     * @return the text after the id (the attributes), or null when author or id is missing
     */
    private static String parseHeader(String h, String[] authorAndId) {
        int pos;
        String author;
        if (h.startsWith("\"")) {
            int close = h.indexOf('"', 1);
            if (close < 0) {
                return null;
            }
            author = h.substring(1, close);
            pos = close + 1;
            while (pos < h.length() && Character.isWhitespace(h.charAt(pos))) {
                pos++;
            }
            if (pos >= h.length() || h.charAt(pos) != ':') {
                return null;
            }
        } else {
            pos = h.indexOf(':');
            if (pos < 0) {
                return null;
            }
            author = h.substring(0, pos).strip();
        }
        pos++; // the colon
        while (pos < h.length() && Character.isWhitespace(h.charAt(pos))) {
            pos++;
        }
        String id;
        int end;
        if (pos < h.length() && h.charAt(pos) == '"') {
            int close = h.indexOf('"', pos + 1);
            if (close < 0) {
                return null;
            }
            id = h.substring(pos + 1, close);
            end = close + 1;
        } else {
            end = pos;
            while (end < h.length() && !Character.isWhitespace(h.charAt(end))) {
                end++;
            }
            id = h.substring(pos, end);
        }
        if (author.isBlank() || id.isBlank()) {
            return null;
        }
        authorAndId[0] = author;
        authorAndId[1] = id;
        return h.substring(end);
    }

    /** {@code key:value} pairs separated by whitespace; a value may be double-quoted. Other tokens are ignored. */
    private static Map<String, String> parseAttributes(String s) {
        Map<String, String> attributes = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        int n = s.length();
        int i = 0;
        while (i < n) {
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            int keyStart = i;
            while (i < n && s.charAt(i) != ':' && !Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            if (i >= n || s.charAt(i) != ':') {
                continue; // a token without a colon
            }
            String key = s.substring(keyStart, i);
            i++;
            String value;
            if (i < n && s.charAt(i) == '"') {
                int close = s.indexOf('"', i + 1);
                int end = close < 0 ? n : close;
                value = s.substring(i + 1, end);
                i = close < 0 ? n : close + 1;
            } else {
                int valueStart = i;
                while (i < n && !Character.isWhitespace(s.charAt(i))) {
                    i++;
                }
                value = s.substring(valueStart, i);
            }
            if (!key.isEmpty()) {
                attributes.put(key, value);
            }
        }
        return Collections.unmodifiableMap(attributes);
    }

    /** Splits at {@code \n}, {@code \r\n} and {@code \r}; a final terminator does not start an extra line. */
    static List<String> lines(String text) {
        List<String> lines = new ArrayList<>();
        int n = text.length();
        int start = 0;
        while (start < n) {
            int end = lineEnd(text, start);
            lines.add(text.substring(start, end));
            start = skipTerminator(text, end);
        }
        return lines;
    }

    private static int lineEnd(String text, int from) {
        int n = text.length();
        int i = from;
        while (i < n) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                break;
            }
            i++;
        }
        return i;
    }

    private static int skipTerminator(String text, int end) {
        if (end < text.length() && text.charAt(end) == '\r' && end + 1 < text.length() && text.charAt(end + 1) == '\n') {
            return end + 2;
        }
        return end + 1;
    }
}
