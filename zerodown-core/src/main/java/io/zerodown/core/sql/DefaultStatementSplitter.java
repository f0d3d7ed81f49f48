package io.zerodown.core.sql;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Splits a script in one linear pass over its characters.
 *
 * <p>The scanner only knows as much SQL as it needs to find statement ends: quotes, comments, dollar quotes,
 * parentheses (PostgreSQL), the MySQL {@code DELIMITER} command, and just enough keywords to see where a
 * routine body ({@code BEGIN ATOMIC ... END} in PostgreSQL, {@code BEGIN ... END} and friends in MySQL) begins
 * and ends. Everything else is opaque text that is cut out of the script with one {@code substring} per
 * statement. The splitter is stateless and thread-safe; each call works on its own {@link Scan}.
 */
public final class DefaultStatementSplitter implements StatementSplitter {

    @Override
    public List<SqlText> split(String script, SqlFamily family) {
        Objects.requireNonNull(script, "script");
        Objects.requireNonNull(family, "family");
        return new Scan(script, family).run();
    }

    /** Where the first words of a statement have led us: is this a statement that may hold a routine body? */
    private enum Head {
        /** No word seen yet. */
        FIRST_WORD,
        /** After {@code CREATE}, still reading modifiers such as {@code OR REPLACE} or {@code DEFINER = u@h}. */
        AFTER_CREATE,
        /** A routine/trigger/event definition: keywords inside it open and close blocks. */
        ROUTINE,
        /** Anything else: keywords no longer matter for splitting. */
        OTHER
    }

    /** An open block inside a routine body. */
    private enum Block {
        /** Holds statements ending in ';' which must not end the outer statement (BEGIN, IF, LOOP, ...). */
        STATEMENT_LIST,
        /** A CASE expression, or the UNTIL condition of REPEAT: its END may follow any token, not only a ';'. */
        EXPRESSION
    }

    /** The state of one split: position, the statement being collected, and the lexical context. */
    private static final class Scan {
        private static final char[] SEMICOLON = {';'};

        private final String script;
        private final char[] chars;
        private final int end;
        private final boolean mysql;
        private final LineCounter lines;
        private final List<SqlText> statements = new ArrayList<>();

        private int pos;

        /** Offset of the current statement's first token, or -1 while between statements. */
        private int statementStart = -1;
        /** Comments seen since the previous statement ended; they become the next statement's leading comments. */
        private final List<String> pendingComments = new ArrayList<>();

        /** The statement terminator; only the MySQL DELIMITER command changes it. */
        private char[] delimiter = SEMICOLON;

        /** MySQL {@code /*! ... *}{@code /}: its content is real SQL, so we scan it as code until the closing marker. */
        private boolean inExecutableComment;
        private int executableCommentStart;

        // Per-statement context, reset by beginStatement().
        private Head head;
        private final ArrayDeque<Block> blocks = new ArrayDeque<>();
        private int parenDepth;
        /** MySQL, inside DEFINER = user@host: the next word or quoted token is the user or host, not a keyword. */
        private boolean definerValueExpected;
        /** PostgreSQL: the previous token was the word BEGIN (so ATOMIC opens a SQL-standard body). */
        private boolean previousWordWasBegin;
        /** MySQL: the previous token was a block-closing END (so IF/LOOP/... names the construct it closed). */
        private boolean previousWordWasEnd;
        /** MySQL routine body: the next token starts a statement inside a block (after ';', BEGIN, THEN, ...). */
        private boolean atInnerStatementStart;

        // The word just scanned, for keyword checks without building strings.
        private int wordStart;
        private int wordLength;

        Scan(String script, SqlFamily family) {
            this.script = script;
            this.chars = script.toCharArray();
            this.end = chars.length;
            this.mysql = family == SqlFamily.MYSQL;
            // A UTF-8 byte order mark decoded into the string is not part of the SQL and not a column.
            boolean bom = end > 0 && chars[0] == '\uFEFF';
            this.pos = bom ? 1 : 0;
            this.lines = new LineCounter(chars, pos);
        }

        List<SqlText> run() {
            while (pos < end) {
                char ch = chars[pos];
                if (isWhitespace(ch)) {
                    pos++;
                } else if (!inExecutableComment && ch == delimiter[0] && delimiterAt(pos)) {
                    onDelimiter();
                } else if (startsLineComment(ch)) {
                    lineComment();
                } else if (ch == '/' && next(pos) == '*' && !(mysql && executableCommentMarkerLength() > 0)) {
                    blockComment();
                } else {
                    token(ch);
                }
            }
            if (inExecutableComment) {
                throw unterminated("executable comment", executableCommentStart);
            }
            if (statementStart >= 0) {
                emitStatement(end);
            }
            // Comments after the last statement belong to nothing and are dropped.
            return statements;
        }

        // ---------------------------------------------------------------- statements

        private void onDelimiter() {
            int delimiterStart = pos;
            pos += delimiter.length;
            if (statementStart < 0) {
                return; // ";;" or a ';' after only comments: an empty statement
            }
            if (parenDepth > 0 || !blocks.isEmpty()) {
                // A ';' inside "( ... )" or a routine block belongs to the statement and starts an inner one.
                atInnerStatementStart = true;
                previousWordWasBegin = false;
                previousWordWasEnd = false;
                return;
            }
            emitStatement(delimiterStart);
        }

        private void beginStatement(int offset) {
            statementStart = offset;
            // With a custom MySQL DELIMITER the author marks statement ends; no need to guess block structure.
            head = delimiter == SEMICOLON ? Head.FIRST_WORD : Head.OTHER;
            blocks.clear();
            parenDepth = 0;
            definerValueExpected = false;
            previousWordWasBegin = false;
            previousWordWasEnd = false;
            atInnerStatementStart = false;
        }

        private void emitStatement(int endExclusive) {
            int last = endExclusive;
            while (last > statementStart && isWhitespace(chars[last - 1])) {
                last--;
            }
            lines.advanceTo(statementStart);
            statements.add(new SqlText(script.substring(statementStart, last), lines.line(),
                    lines.column(statementStart), statementStart, List.copyOf(pendingComments)));
            pendingComments.clear();
            statementStart = -1;
        }

        // ---------------------------------------------------------------- comments

        private boolean startsLineComment(char ch) {
            if (ch == '-' && next(pos) == '-') {
                // MySQL reads "5--1" as 5 - (-1): its "--" comment needs a following space or control character.
                return !mysql || pos + 2 >= end || chars[pos + 2] <= ' ';
            }
            return mysql && ch == '#';
        }

        private void lineComment() {
            int textStart = pos + (chars[pos] == '#' ? 1 : 2);
            int p = textStart;
            while (p < end && chars[p] != '\n' && chars[p] != '\r') {
                p++;
            }
            recordComment(textStart, p);
            pos = p;
        }

        private void blockComment() {
            int start = pos;
            int depth = 1;
            int p = pos + 2;
            while (p < end) {
                char ch = chars[p];
                if (ch == '*' && next(p) == '/') {
                    p += 2;
                    if (--depth == 0) {
                        recordComment(start + 2, p - 2);
                        pos = p;
                        return;
                    }
                } else if (ch == '/' && next(p) == '*' && !mysql) {
                    depth++; // PostgreSQL block comments nest
                    p += 2;
                } else {
                    p++;
                }
            }
            throw unterminated("block comment", start);
        }

        /** Comments inside a statement stay in its text; only those between statements are collected. */
        private void recordComment(int textStart, int textEnd) {
            if (statementStart < 0) {
                pendingComments.add(script.substring(textStart, textEnd).trim());
            }
        }

        /** Length of "/*!" or MariaDB's "/*M!" at pos, or 0. */
        private int executableCommentMarkerLength() {
            if (pos + 2 < end && chars[pos + 2] == '!') {
                return 3;
            }
            if (pos + 3 < end && chars[pos + 2] == 'M' && chars[pos + 3] == '!') {
                return 4;
            }
            return 0;
        }

        // ---------------------------------------------------------------- tokens

        /** Scans one real token at pos (anything but whitespace, comments and the delimiter). */
        private void token(char ch) {
            int start = pos;
            if (statementStart < 0) {
                if (mysql && isWordStart(ch) && delimiterCommand()) {
                    return;
                }
                beginStatement(start);
            }
            if (inExecutableComment && ch == '*' && next(pos) == '/') {
                pos += 2;
                inExecutableComment = false;
            } else if (ch == '/' && next(pos) == '*') {
                // only reached for MySQL executable comments; plain block comments are handled by run()
                openExecutableComment();
            } else if (ch == '\'') {
                pos = mysql ? skipBackslashQuoted(start, '\'', "string") : skipDoubledQuoted(start, '\'', "string");
                onQuotedToken();
            } else if (ch == '"') {
                pos = mysql ? skipBackslashQuoted(start, '"', "string")
                        : skipDoubledQuoted(start, '"', "quoted identifier");
                onQuotedToken();
            } else if (ch == '`' && mysql) {
                pos = skipDoubledQuoted(start, '`', "quoted identifier");
                onQuotedToken();
            } else if (ch == '$' && !mysql) {
                dollar();
            } else if (isWordStart(ch)) {
                pos = scanWordPart(start);
                if (!mysql && pos - start == 1 && (ch == 'E' || ch == 'e') && pos < end && chars[pos] == '\'') {
                    // E'...': PostgreSQL escape string, the only kind where a backslash escapes the quote
                    pos = skipBackslashQuoted(start, '\'', "string");
                    onQuotedToken();
                } else {
                    wordStart = start;
                    wordLength = pos - start;
                    onWord();
                }
            } else if (isDigit(ch)) {
                pos = scanWordPart(start); // numbers (and MySQL names like 1abc) never matter for splitting
                onPunctuation(ch);
            } else {
                pos++;
                onPunctuation(ch);
            }
        }

        private void openExecutableComment() {
            executableCommentStart = pos;
            pos += executableCommentMarkerLength();
            while (pos < end && isDigit(chars[pos])) {
                pos++; // the optional server version, e.g. /*!50003
            }
            inExecutableComment = true;
        }

        /** PostgreSQL '$': a dollar quote $$...$$ / $tag$...$tag$, or else a parameter such as $1. */
        private void dollar() {
            int start = pos;
            int p = pos + 1;
            if (p < end && isTagStart(chars[p])) {
                while (p < end && isTagPart(chars[p])) {
                    p++;
                }
            }
            if (p < end && chars[p] == '$') {
                pos = skipDollarQuoteBody(start, p + 1 - start);
                onQuotedToken();
            } else {
                pos = start + 1; // a lone '$', as in the positional parameter $1 (its digits follow as a number)
                onPunctuation('$');
            }
        }

        private int skipDollarQuoteBody(int tagStart, int tagLength) {
            int p = tagStart + tagLength;
            while (p < end) {
                if (chars[p] == '$' && regionEquals(p, tagStart, tagLength)) {
                    return p + tagLength;
                }
                p++;
            }
            throw unterminated("dollar quote", tagStart);
        }

        /** A quote where only a doubled quote char escapes it: PostgreSQL strings and identifiers, backticks. */
        private int skipDoubledQuoted(int start, char quote, String what) {
            int p = start + 1;
            while (p < end) {
                if (chars[p] == quote) {
                    if (next(p) != quote) {
                        return p + 1;
                    }
                    p += 2;
                } else {
                    p++;
                }
            }
            throw unterminated(what, start);
        }

        /** A quote where a backslash escapes any char and a doubled quote escapes itself: E'' and MySQL strings. */
        private int skipBackslashQuoted(int start, char quote, String what) {
            int p = start;
            while (p < end && chars[p] != quote) {
                p++; // skip a prefix such as E
            }
            p++;
            while (p < end) {
                char ch = chars[p];
                if (ch == '\\') {
                    p += 2;
                } else if (ch == quote) {
                    if (next(p) != quote) {
                        return p + 1;
                    }
                    p += 2;
                } else {
                    p++;
                }
            }
            throw unterminated(what, start);
        }

        /** Scans a word or number starting at start (whose first char the caller has checked); returns its end. */
        private int scanWordPart(int start) {
            boolean customDelimiter = delimiter != SEMICOLON;
            int p = start + 1; // always consume the first char, so the scan makes progress
            while (p < end && isWordPart(chars[p])) {
                if (customDelimiter && chars[p] == delimiter[0] && delimiterAt(p)) {
                    break; // "END$$": the delimiter ends the word, as in the mysql client
                }
                p++;
            }
            return p;
        }

        /**
         * MySQL client command {@code DELIMITER xyz}: recognised as the first word where a statement would start.
         * Changes the delimiter; the rest of the line is consumed and no statement is produced.
         */
        private boolean delimiterCommand() {
            int p = pos;
            while (p < end && isAsciiLetter(chars[p])) {
                p++;
            }
            if (!wordEquals(pos, p - pos, "DELIMITER") || p >= end || (chars[p] != ' ' && chars[p] != '\t')) {
                return false;
            }
            while (p < end && (chars[p] == ' ' || chars[p] == '\t')) {
                p++;
            }
            int argumentStart = p;
            while (p < end && !isWhitespace(chars[p])) {
                p++;
            }
            if (p == argumentStart) {
                return false; // no argument: leave the text to the statement parser to complain about
            }
            delimiter = p - argumentStart == 1 && chars[argumentStart] == ';'
                    ? SEMICOLON
                    : Arrays.copyOfRange(chars, argumentStart, p);
            while (p < end && chars[p] != '\n' && chars[p] != '\r') {
                p++;
            }
            pos = p;
            return true;
        }

        // ---------------------------------------------------------------- keywords and blocks

        private void onWord() {
            switch (head) {
                case FIRST_WORD -> head = is("CREATE") ? Head.AFTER_CREATE : Head.OTHER;
                case AFTER_CREATE -> onCreateHeadWord();
                case ROUTINE -> {
                    if (mysql) {
                        onMysqlBodyWord();
                    } else {
                        onPostgresBodyWord();
                    }
                }
                case OTHER -> { }
            }
        }

        /** Decides whether CREATE ... defines a routine: {@code CREATE [OR REPLACE] [DEFINER = u@h] PROCEDURE}. */
        private void onCreateHeadWord() {
            if (definerValueExpected) {
                definerValueExpected = false; // an unquoted user or host name
            } else if (is("FUNCTION") || is("PROCEDURE") || (mysql && (is("TRIGGER") || is("EVENT")))) {
                head = Head.ROUTINE;
            } else if (is("OR") || is("REPLACE") || (mysql && is("AGGREGATE"))) {
                // CREATE OR REPLACE ..., MariaDB's CREATE AGGREGATE FUNCTION
            } else if (mysql && is("DEFINER")) {
                definerValueExpected = true;
            } else {
                head = Head.OTHER;
            }
        }

        /** PostgreSQL 14+ {@code BEGIN ATOMIC ... END}: CASE ... END nests inside it. */
        private void onPostgresBodyWord() {
            if (previousWordWasBegin && is("ATOMIC")) {
                blocks.push(Block.STATEMENT_LIST);
            } else if (!blocks.isEmpty() && is("CASE")) {
                blocks.push(Block.EXPRESSION);
            } else if (!blocks.isEmpty() && is("END")) {
                blocks.pop();
            }
            previousWordWasBegin = is("BEGIN");
        }

        /**
         * MySQL compound statements. BEGIN always opens a block; IF, WHILE, LOOP and REPEAT only where a statement
         * starts (elsewhere they are the IF() and REPEAT() functions or IF [NOT] EXISTS); CASE opens a block
         * anywhere. A block END stands right after a ';' (statement lists end with one), which keeps a column
         * named "end" from closing anything; the END of a CASE expression or after REPEAT's UNTIL condition may
         * follow any token.
         */
        private void onMysqlBodyWord() {
            boolean statementStart = atInnerStatementStart;
            boolean afterEnd = previousWordWasEnd;
            atInnerStatementStart = false;
            previousWordWasEnd = false;

            if (is("END") && !blocks.isEmpty() && (statementStart || blocks.peek() == Block.EXPRESSION)) {
                blocks.pop();
                previousWordWasEnd = true;
            } else if (afterEnd && (is("IF") || is("CASE") || is("LOOP") || is("WHILE") || is("REPEAT"))) {
                // END IF, END CASE, ...: names the block just closed
            } else if (is("BEGIN")) {
                blocks.push(Block.STATEMENT_LIST);
                atInnerStatementStart = true;
            } else if (is("CASE")) {
                blocks.push(statementStart ? Block.STATEMENT_LIST : Block.EXPRESSION);
            } else if (statementStart && (is("IF") || is("WHILE"))) {
                blocks.push(Block.STATEMENT_LIST); // statements follow its THEN / DO
            } else if (statementStart && (is("LOOP") || is("REPEAT"))) {
                blocks.push(Block.STATEMENT_LIST);
                atInnerStatementStart = true;
            } else if (statementStart && is("UNTIL") && blocks.peek() == Block.STATEMENT_LIST) {
                // REPEAT ... UNTIL condition END REPEAT: no ';' before this END
                blocks.pop();
                blocks.push(Block.EXPRESSION);
            } else if (is("THEN") || is("ELSE")) {
                // in an IF or CASE statement statements follow; in a CASE expression an expression does
                atInnerStatementStart = !blocks.isEmpty() && blocks.peek() == Block.STATEMENT_LIST;
            } else if (is("DO") || (is("ROW") && blocks.isEmpty())) {
                // WHILE ... DO, CREATE EVENT ... DO, CREATE TRIGGER ... FOR EACH ROW: the body follows
                atInnerStatementStart = true;
            }
        }

        private void onQuotedToken() {
            if (head == Head.FIRST_WORD) {
                head = Head.OTHER;
            }
            definerValueExpected = false; // a quoted user or host in DEFINER = 'u'@'h'
            afterNonWordToken();
        }

        private void onPunctuation(char ch) {
            switch (head) {
                case FIRST_WORD -> head = Head.OTHER;
                case AFTER_CREATE -> {
                    if (ch == '@') {
                        definerValueExpected = true; // the host of DEFINER = user@host follows
                    }
                }
                default -> { }
            }
            if (!mysql) {
                // PostgreSQL (CREATE RULE ... DO ALSO (a; b)): a ';' inside parentheses does not end the statement
                if (ch == '(') {
                    parenDepth++;
                } else if (ch == ')' && parenDepth > 0) {
                    parenDepth--;
                }
            }
            afterNonWordToken();
            // a MySQL label "name:" (not ":=") is followed by the statement it labels
            atInnerStatementStart = mysql && ch == ':' && next(pos - 1) != '=';
        }

        private void afterNonWordToken() {
            previousWordWasBegin = false;
            previousWordWasEnd = false;
            atInnerStatementStart = false;
        }

        // ---------------------------------------------------------------- helpers

        private boolean is(String upperCaseKeyword) {
            return wordEquals(wordStart, wordLength, upperCaseKeyword);
        }

        private boolean wordEquals(int start, int length, String upperCaseKeyword) {
            if (length != upperCaseKeyword.length()) {
                return false;
            }
            for (int i = 0; i < length; i++) {
                char ch = chars[start + i];
                if (ch >= 'a' && ch <= 'z') {
                    ch -= 'a' - 'A';
                }
                if (ch != upperCaseKeyword.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        private boolean delimiterAt(int p) {
            char[] d = delimiter;
            if (p + d.length > end) {
                return false;
            }
            for (int i = 0; i < d.length; i++) {
                if (chars[p + i] != d[i]) {
                    return false;
                }
            }
            return true;
        }

        private boolean regionEquals(int p, int otherStart, int length) {
            if (p + length > end) {
                return false;
            }
            for (int i = 0; i < length; i++) {
                if (chars[p + i] != chars[otherStart + i]) {
                    return false;
                }
            }
            return true;
        }

        /** The char after p, or NUL at the end of the script. */
        private char next(int p) {
            return p + 1 < end ? chars[p + 1] : '\0';
        }

        private UnterminatedSqlException unterminated(String what, int offset) {
            lines.advanceTo(offset);
            return new UnterminatedSqlException(what, lines.line(), lines.column(offset));
        }

        private boolean isWordStart(char ch) {
            return isAsciiLetter(ch) || ch == '_' || ch >= 0x80 || (mysql && ch == '$');
        }

        private static boolean isWordPart(char ch) {
            // '$' may continue a name in both families (PostgreSQL: a$b is one identifier, not a dollar quote)
            return isAsciiLetter(ch) || isDigit(ch) || ch == '_' || ch == '$' || ch >= 0x80;
        }

        private static boolean isTagStart(char ch) {
            return isAsciiLetter(ch) || ch == '_' || ch >= 0x80;
        }

        private static boolean isTagPart(char ch) {
            return isTagStart(ch) || isDigit(ch);
        }

        private static boolean isAsciiLetter(char ch) {
            return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
        }

        private static boolean isDigit(char ch) {
            return ch >= '0' && ch <= '9';
        }

        private static boolean isWhitespace(char ch) {
            return ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t' || ch == '\f' || ch == '\u000B';
        }
    }

    /**
     * Turns offsets into 1-based line and column lazily: positions are asked for in increasing order, so the
     * text is walked once in total. "\r\n", "\n" and a lone "\r" each end one line.
     */
    private static final class LineCounter {
        private final char[] chars;
        private final int firstLineStart;
        private int scannedTo;
        private int line = 1;
        private int lineStart;

        LineCounter(char[] chars, int firstLineStart) {
            this.chars = chars;
            this.firstLineStart = firstLineStart;
            this.scannedTo = firstLineStart;
            this.lineStart = firstLineStart;
        }

        void advanceTo(int offset) {
            if (offset < scannedTo) { // not expected, but stay correct rather than fast
                scannedTo = firstLineStart;
                lineStart = firstLineStart;
                line = 1;
            }
            for (int p = scannedTo; p < offset; p++) {
                char ch = chars[p];
                if (ch == '\n' || (ch == '\r' && (p + 1 >= chars.length || chars[p + 1] != '\n'))) {
                    line++;
                    lineStart = p + 1;
                }
            }
            scannedTo = offset;
        }

        int line() {
            return line;
        }

        int column(int offset) {
            return offset - lineStart + 1;
        }
    }
}
