package io.zerodown.core.report;

import io.zerodown.api.Effect;
import io.zerodown.api.Finding;
import io.zerodown.api.LintReport;
import io.zerodown.api.Severity;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a lint report for people: one block per finding, grouped by file, then a summary line.
 * <pre>
 * db/V3__x.sql:1:1  error  pg.index.create-nonconcurrent
 *   CREATE INDEX without CONCURRENTLY blocks writes while the index is built.
 *   lock: SHARE (blocks writes) · scan
 *     CREATE INDEX idx_a ON t (a);
 *   safe SQL:
 *     CREATE INDEX CONCURRENTLY idx_a ON t (a);
 *
 * 1 file, 3 statements: 1 error, 0 warnings, 0 infos (0 not analysed, 0 suppressed)
 * </pre>
 * With colour on, severities are red / yellow / cyan, rule ids bold and safe SQL green; with colour off the output
 * holds no escape codes at all.
 */
public final class TextReporter implements Reporter {

    /** How many lines of the statement are shown before it is cut with an ellipsis. */
    static final int STATEMENT_LINES = 3;

    private static final String RESET = "\u001b[0m";
    private static final String BOLD = "\u001b[1m";
    private static final String RED = "\u001b[31m";
    private static final String GREEN = "\u001b[32m";
    private static final String YELLOW = "\u001b[33m";
    private static final String CYAN = "\u001b[36m";

    private static final String INDENT = "  ";
    private static final String CODE_INDENT = "    ";

    private final boolean color;

    public TextReporter(boolean color) {
        this.color = color;
    }

    @Override
    public void write(LintReport report, PrintStream out) {
        StringBuilder sb = new StringBuilder();
        Map<String, List<Finding>> byFile = new LinkedHashMap<>();
        for (Finding f : report.findings()) {
            byFile.computeIfAbsent(f.file(), k -> new ArrayList<>()).add(f);
        }
        for (List<Finding> findings : byFile.values()) {
            for (Finding f : findings) {
                appendFinding(sb, f);
                sb.append('\n');
            }
        }
        sb.append(summary(report)).append('\n');
        out.print(sb);
        out.flush();
    }

    private void appendFinding(StringBuilder sb, Finding f) {
        sb.append(f.location()).append("  ")
                .append(paint(severityColor(f.severity()), f.severity().id())).append("  ")
                .append(paint(BOLD, f.rule())).append('\n');
        appendIndented(sb, f.message(), INDENT, null);
        if (f.lock() != null && !f.lock().isBlank()) {
            sb.append(INDENT).append("lock: ").append(f.lock());
            if (f.blocks() != null && !f.blocks().isBlank()) {
                sb.append(" (blocks ").append(f.blocks()).append(')');
            }
            if (f.effect() != null) {
                sb.append(" · ").append(f.effect().id());
            }
            sb.append('\n');
        } else if (f.effect() != null && f.effect() != Effect.NONE) {
            sb.append(INDENT).append("effect: ").append(f.effect().id()).append('\n');
        }
        if (f.statement() != null && !f.statement().isBlank()) {
            String[] lines = f.statement().strip().split("\\R", -1);
            int shown = Math.min(lines.length, STATEMENT_LINES);
            for (int i = 0; i < shown; i++) {
                sb.append(CODE_INDENT).append(lines[i].stripTrailing()).append('\n');
            }
            if (lines.length > STATEMENT_LINES) {
                sb.append(CODE_INDENT).append('…').append('\n');
            }
        }
        if (f.fix() != null && !f.fix().isBlank()) {
            sb.append(INDENT).append("safe SQL:").append('\n');
            appendIndented(sb, f.fix().strip(), CODE_INDENT, GREEN);
        }
    }

    private void appendIndented(StringBuilder sb, String text, String indent, String style) {
        for (String line : text.split("\\R", -1)) {
            String l = line.stripTrailing();
            sb.append(indent).append(style == null || l.isEmpty() ? l : paint(style, l)).append('\n');
        }
    }

    /** {@code N files, M statements: E errors, W warnings, I infos (K not analysed, S suppressed)}. */
    String summary(LintReport report) {
        long errors = report.count(Severity.ERROR);
        long warnings = report.count(Severity.WARNING);
        long infos = report.count(Severity.INFO);
        return count(report.files(), "file", "files") + ", "
                + count(report.statements(), "statement", "statements") + ": "
                + paintIf(errors > 0, RED, count(errors, "error", "errors")) + ", "
                + paintIf(warnings > 0, YELLOW, count(warnings, "warning", "warnings")) + ", "
                + paintIf(infos > 0, CYAN, count(infos, "info", "infos"))
                + " (" + report.notAnalysed() + " not analysed, " + report.suppressed() + " suppressed)";
    }

    private static String count(long n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }

    private static String severityColor(Severity s) {
        switch (s) {
            case ERROR: return RED;
            case WARNING: return YELLOW;
            default: return CYAN;
        }
    }

    private String paintIf(boolean condition, String style, String text) {
        return condition ? paint(style, text) : text;
    }

    private String paint(String style, String text) {
        return color ? style + text + RESET : text;
    }
}
