package io.zerodown.core.report;

import io.zerodown.api.LintReport;

import java.io.PrintStream;

/** Writes a lint report in one format. */
public interface Reporter {

    void write(LintReport report, PrintStream out);

    /**
     * @param format text, json or sarif
     * @param color  use ANSI colours (text only; the caller decides, true only on a terminal)
     */
    static Reporter forFormat(String format, boolean color) {
        switch (format) {
            case "text": return new TextReporter(color);
            case "json": return new JsonReporter();
            case "sarif": return new SarifReporter();
            default: throw new IllegalArgumentException("unknown format '" + format + "': use text, json or sarif");
        }
    }
}
