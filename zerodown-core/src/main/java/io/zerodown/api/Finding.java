package io.zerodown.api;

import java.util.Objects;

/**
 * One problem found in one statement.
 *
 * @param file      the migration file as given on the command line (relative where possible)
 * @param line      1-based line on which the statement starts
 * @param column    1-based column on which the statement starts
 * @param rule      rule id, e.g. {@code pg.index.create-nonconcurrent}
 * @param severity  how bad
 * @param lock      the lock the statement takes, e.g. {@code ACCESS EXCLUSIVE}; null when none
 * @param blocks    what that lock blocks, e.g. {@code reads, writes}; null when nothing
 * @param effect    rewrite, scan or catalog
 * @param message   why it matters, in one or two sentences
 * @param fix       the safe replacement SQL with the real names, multi-step where needed; null when none applies
 * @param statement the statement's text (trimmed)
 */
public record Finding(String file, int line, int column, String rule, Severity severity, String lock, String blocks,
                      Effect effect, String message, String fix, String statement) {

    public Finding {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(message, "message");
    }

    public Finding withSeverity(Severity s, String newMessage, String newFix) {
        return new Finding(file, line, column, rule, s, lock, blocks, effect, newMessage, newFix, statement);
    }

    public String location() {
        return file + ":" + line + ":" + column;
    }
}
