package io.zerodown.core.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zerodown.api.Finding;
import io.zerodown.api.LintReport;
import io.zerodown.api.RuleInfo;
import io.zerodown.api.Severity;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a lint report as a SARIF 2.1.0 log with one run, for code-scanning tools (GitHub, GitLab, IDEs).
 *
 * <p>The run's {@code tool.driver.rules} holds every rule of {@link LintReport#rules()} (plus a minimal descriptor
 * for any rule that has findings but no {@link RuleInfo}); each result names its rule by {@code ruleId} and
 * {@code ruleIndex}. Levels map error→error, warning→warning, info→note. File locations are relative URIs with
 * forward slashes (absolute paths become {@code file:} URIs).
 */
public final class SarifReporter implements Reporter {

    public static final String SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
    public static final String VERSION = "2.1.0";
    public static final String TOOL_NAME = "zerodown";
    public static final String INFORMATION_URI = "https://github.com/zerodown/zerodown";
    /** Base that {@link RuleInfo#docPath()} is resolved against for {@code helpUri} (SARIF wants an absolute URI). */
    public static final String DOC_BASE_URI = INFORMATION_URI + "/blob/main/";

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Override
    public void write(LintReport report, PrintStream out) {
        try {
            out.println(MAPPER.writeValueAsString(toSarif(report)));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot write SARIF report", e);
        }
        out.flush();
    }

    /** The report as a SARIF tree (the document {@link #write} prints). */
    public static ObjectNode toSarif(LintReport report) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("$schema", SCHEMA);
        root.put("version", VERSION);
        ObjectNode run = root.putArray("runs").addObject();

        ObjectNode driver = run.putObject("tool").putObject("driver");
        driver.put("name", TOOL_NAME);
        driver.put("informationUri", INFORMATION_URI);
        ArrayNode rules = driver.putArray("rules");

        Map<String, Integer> ruleIndex = new LinkedHashMap<>();
        if (report.rules() != null) {
            for (RuleInfo r : report.rules()) {
                if (r == null || ruleIndex.containsKey(r.id())) {
                    continue;
                }
                ruleIndex.put(r.id(), rules.size());
                addRule(rules, r.id(), r.title(), r.severity(), r.docPath());
            }
        }

        ArrayNode results = run.putArray("results");
        for (Finding f : report.findings()) {
            Integer index = ruleIndex.get(f.rule());
            if (index == null) {
                // A finding whose rule was not listed: describe it minimally so ruleIndex stays valid.
                index = rules.size();
                ruleIndex.put(f.rule(), index);
                addRule(rules, f.rule(), null, f.severity(), "docs/rules/" + f.rule() + ".md");
            }
            results.add(result(f, index));
        }

        ObjectNode props = run.putObject("properties");
        props.put("target", report.target() == null ? null : report.target().toString());
        props.put("runner", report.runner() == null ? null : report.runner().id());
        props.put("files", report.files());
        props.put("statements", report.statements());
        props.put("notAnalysed", report.notAnalysed());
        props.put("suppressed", report.suppressed());
        return root;
    }

    private static void addRule(ArrayNode rules, String id, String title, Severity severity, String docPath) {
        ObjectNode rule = rules.addObject();
        rule.put("id", id);
        rule.put("name", id);
        rule.putObject("shortDescription").put("text", title == null || title.isBlank() ? id : title);
        rule.put("helpUri", DOC_BASE_URI + docPath);
        rule.putObject("defaultConfiguration").put("level", level(severity == null ? Severity.WARNING : severity));
        rule.putObject("properties").put("docPath", docPath);
    }

    private static ObjectNode result(Finding f, int ruleIndex) {
        ObjectNode result = MAPPER.createObjectNode();
        result.put("ruleId", f.rule());
        result.put("ruleIndex", ruleIndex);
        result.put("level", level(f.severity()));
        String text = f.message();
        if (f.fix() != null && !f.fix().isBlank()) {
            text += "\nSafe SQL:\n" + f.fix();
        }
        result.putObject("message").put("text", text);

        ObjectNode physical = result.putArray("locations").addObject().putObject("physicalLocation");
        physical.putObject("artifactLocation").put("uri", fileUri(f.file()));
        if (f.line() >= 1) {
            ObjectNode region = physical.putObject("region");
            region.put("startLine", f.line());
            if (f.column() >= 1) {
                region.put("startColumn", f.column());
            }
        }

        ObjectNode props = result.putObject("properties");
        if (f.lock() != null) {
            props.put("lock", f.lock());
        }
        if (f.blocks() != null) {
            props.put("blocks", f.blocks());
        }
        if (f.effect() != null) {
            props.put("effect", f.effect().id());
        }
        return result;
    }

    /** SARIF level of a severity: error, warning, note. */
    public static String level(Severity s) {
        switch (s) {
            case ERROR: return "error";
            case WARNING: return "warning";
            default: return "note";
        }
    }

    /**
     * A URI reference for a file name as reported: relative names keep their form with forward slashes and
     * percent-encoding where needed; absolute paths become {@code file:} URIs.
     */
    static String fileUri(String file) {
        String slashed = file.replace('\\', '/');
        boolean windowsAbsolute = slashed.length() >= 3 && Character.isLetter(slashed.charAt(0))
                && slashed.charAt(1) == ':' && slashed.charAt(2) == '/';
        if (slashed.startsWith("/") || windowsAbsolute) {
            try {
                Path p = Path.of(file);
                if (p.isAbsolute()) {
                    return p.toUri().toString();
                }
            } catch (InvalidPathException e) {
                // fall through to plain encoding
            }
            return "file://" + (slashed.startsWith("/") ? "" : "/") + encodePath(slashed, false);
        }
        if (slashed.startsWith("./")) {
            slashed = slashed.substring(2);
        }
        return encodePath(slashed, true);
    }

    private static String encodePath(String path, boolean relative) {
        StringBuilder sb = new StringBuilder(path.length());
        boolean firstSegment = relative;
        for (int i = 0; i < path.length(); ) {
            int cp = path.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == '/') {
                firstSegment = false;
            }
            // a ':' in the first segment of a relative reference would read as a scheme
            if (cp < 128 && isPathChar((char) cp) && !(cp == ':' && firstSegment)) {
                sb.append((char) cp);
            } else {
                for (byte b : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
                    sb.append('%').append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
                }
            }
        }
        return sb.toString();
    }

    private static boolean isPathChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "-._~!$&'()*+,;=:@/".indexOf(c) >= 0;
    }
}
