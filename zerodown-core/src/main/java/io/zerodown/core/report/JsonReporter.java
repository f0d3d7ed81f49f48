package io.zerodown.core.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zerodown.api.Finding;
import io.zerodown.api.LintReport;
import io.zerodown.api.Severity;

import java.io.PrintStream;
import java.io.UncheckedIOException;

/**
 * Writes a lint report as one pretty-printed JSON document:
 * <pre>
 * {"target": "postgres:15", "runner": "zerodown",
 *  "summary": {"files", "statements", "notAnalysed", "suppressed", "errors", "warnings", "infos"},
 *  "findings": [{"file", "line", "column", "rule", "severity", "lock", "blocks", "effect", "message", "fix",
 *                "statement"}]}
 * </pre>
 * Absent values (lock, blocks, effect, fix, statement) are written as JSON {@code null}; severity and effect use
 * their lower-case ids.
 */
public final class JsonReporter implements Reporter {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Override
    public void write(LintReport report, PrintStream out) {
        try {
            out.println(MAPPER.writeValueAsString(toJson(report)));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot write JSON report", e);
        }
        out.flush();
    }

    /** The report as a JSON tree (the document {@link #write} prints). */
    public static ObjectNode toJson(LintReport report) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("target", report.target() == null ? null : report.target().toString());
        root.put("runner", report.runner() == null ? null : report.runner().id());

        ObjectNode summary = root.putObject("summary");
        summary.put("files", report.files());
        summary.put("statements", report.statements());
        summary.put("notAnalysed", report.notAnalysed());
        summary.put("suppressed", report.suppressed());
        summary.put("errors", report.count(Severity.ERROR));
        summary.put("warnings", report.count(Severity.WARNING));
        summary.put("infos", report.count(Severity.INFO));

        ArrayNode findings = root.putArray("findings");
        for (Finding f : report.findings()) {
            ObjectNode n = findings.addObject();
            n.put("file", f.file());
            n.put("line", f.line());
            n.put("column", f.column());
            n.put("rule", f.rule());
            n.put("severity", f.severity().id());
            n.put("lock", f.lock());
            n.put("blocks", f.blocks());
            n.put("effect", f.effect() == null ? null : f.effect().id());
            n.put("message", f.message());
            n.put("fix", f.fix());
            n.put("statement", f.statement());
        }
        return root;
    }
}
