package io.zerodown.benchmark;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Sorts the {@code jdk.ExecutionSample} events of a JFR recording of one {@code zerodown lint} run into the parts
 * of the pipeline (innermost matching frame wins), so "where does the Java time go" has numbers. Samples cover
 * threads running Java code only: class loading inside the VM and the JIT compiler threads do not appear here
 * (see {@link CliProfile} and the perf counters for those).
 *
 * <pre>java -cp benchmarks.jar io.zerodown.benchmark.JfrSummary recording.jfr</pre>
 */
public final class JfrSummary {

    /** Category name to the class-name prefixes that mark it; first match from the leaf frame up wins. */
    private static final Map<String, List<String>> CATEGORIES = new LinkedHashMap<>();

    static {
        CATEGORIES.put("JSqlParser (DML and anything our DDL parser leaves)", List.of("net.sf.jsqlparser."));
        CATEGORIES.put("zerodown parser (tokenizer, DDL parser)", List.of("io.zerodown.core.parse."));
        CATEGORIES.put("statement splitter", List.of("io.zerodown.core.sql."));
        CATEGORIES.put("scanner (walk, read, decode, checksum)", List.of("io.zerodown.core.source."));
        CATEGORIES.put("reporting (text/json/sarif)", List.of("io.zerodown.core.report."));
        CATEGORIES.put("rules, lock facts, schema replay", List.of("io.zerodown.core.lint.", "io.zerodown.core.schema.",
                "io.zerodown.postgres.", "io.zerodown.mysql.", "io.zerodown.core.dialect."));
        CATEGORIES.put("config (YAML)", List.of("io.zerodown.core.config.", "com.fasterxml."));
        CATEGORIES.put("CLI and picocli", List.of("picocli.", "io.zerodown.cli."));
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: JfrSummary RECORDING.jfr");
            System.exit(2);
        }
        Map<String, Integer> byCategory = new LinkedHashMap<>();
        Map<String, Integer> byMethod = new TreeMap<>();
        int total = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(args[0]))) {
            if (!e.getEventType().getName().equals("jdk.ExecutionSample")) continue;
            RecordedStackTrace st = e.getStackTrace();
            if (st == null || st.getFrames().isEmpty()) continue;
            total++;
            String category = "other (JDK, JVM start-up, JFR itself)";
            String ours = null;
            outer:
            for (RecordedFrame f : st.getFrames()) {
                String type = f.getMethod().getType().getName();
                if (ours == null && (type.startsWith("io.zerodown.") || type.startsWith("net.sf.jsqlparser.")
                        || type.startsWith("picocli."))) {
                    ours = type.substring(type.lastIndexOf('.') + 1) + "." + f.getMethod().getName();
                }
                for (Map.Entry<String, List<String>> c : CATEGORIES.entrySet()) {
                    for (String prefix : c.getValue()) {
                        if (type.startsWith(prefix)) {
                            category = c.getKey();
                            break outer;
                        }
                    }
                }
            }
            byCategory.merge(category, 1, Integer::sum);
            if (ours != null) byMethod.merge(ours, 1, Integer::sum);
        }
        System.out.printf(Locale.ROOT, "%d execution samples%n", total);
        int n = Math.max(1, total);
        byCategory.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue())
                .forEach(en -> System.out.printf(Locale.ROOT, "%6d %5.1f%%  %s%n", en.getValue(), 100.0 * en.getValue() / n, en.getKey()));
        System.out.println("innermost zerodown/JSqlParser/picocli method, top 15:");
        byMethod.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(15)
                .forEach(en -> System.out.printf(Locale.ROOT, "%6d  %s%n", en.getValue(), en.getKey()));
    }

    private JfrSummary() {}
}
