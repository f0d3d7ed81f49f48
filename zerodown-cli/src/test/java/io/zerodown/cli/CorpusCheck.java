package io.zerodown.cli;

import io.zerodown.api.Engine;
import io.zerodown.api.Finding;
import io.zerodown.api.LintReport;
import io.zerodown.api.Runner;
import io.zerodown.api.Severity;
import io.zerodown.api.Target;
import io.zerodown.core.config.ZerodownConfig;
import io.zerodown.core.dialect.Dialect;
import io.zerodown.core.lint.CoreRules;
import io.zerodown.core.lint.LintEngine;
import io.zerodown.core.model.AlterAction;
import io.zerodown.core.model.Stmt;
import io.zerodown.core.parse.StatementParser;
import io.zerodown.core.source.MigrationFile;
import io.zerodown.core.source.MigrationScanner;
import io.zerodown.core.source.MigrationUnit;
import io.zerodown.core.sql.SqlFamily;
import io.zerodown.core.sql.SqlText;
import io.zerodown.core.sql.StatementSplitter;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Lints the real migration corpus in {@code ../shared/corpus} (folders from public projects, never copied into this
 * repository) and compares the outcome with {@code corpus-expectations.txt}.
 *
 * <p>Not a unit test: its name does not end in {@code Test}, so a plain {@code mvn test} skips it. Run it on purpose:
 * <pre>mvn -q -Pcorpus -pl zerodown-cli -am test -Dtest=CorpusCheck -Dsurefire.failIfNoSpecifiedTests=false</pre>
 * The {@code corpus} profile passes the folder as system property {@code zerodown.corpus} (override it with
 * {@code -Dcorpus.dir=/path/to/corpus}) and asks for the computed figures to be written to
 * {@code zerodown.corpus.actual} ({@code target/corpus-actual.txt}), ready to diff against the pinned file.
 *
 * <p>Per folder it checks that linting does not throw, that statements were split and counted, that every statement
 * no parser understood is reported as an info finding {@code zerodown.not-analysed}, that the figures match the
 * pinned block, and that the hand-checked findings are there and the hand-checked safe statements have none.
 */
final class CorpusCheck {

    static final String PROPERTY = "zerodown.corpus";
    static final String ACTUAL_PROPERTY = "zerodown.corpus.actual";
    static final String EXPECTATIONS = "/corpus-expectations.txt";

    /** A corpus folder and how its migrations run. */
    record Folder(String name, String target, Runner runner, String why) {
    }

    /** Every folder of the corpus, in report order; see the corpus README for the sources. */
    static final List<Folder> FOLDERS = List.of(
            new Folder("vaultwarden/postgresql", "postgres:16", Runner.FLYWAY,
                    "Diesel runs each migration in a transaction"),
            new Folder("vaultwarden/mysql", "mysql:8.0.35", Runner.PLAIN,
                    "MySQL DDL commits implicitly"),
            new Folder("authelia/postgres", "postgres:16", Runner.PLAIN,
                    "authelia V0001.Name.up.sql files, judged without a runner transaction"),
            new Folder("authelia/mysql", "mysql:8.0.35", Runner.PLAIN,
                    "MySQL DDL commits implicitly"),
            new Folder("crates.io", "postgres:16", Runner.FLYWAY,
                    "Diesel runs each migration in a transaction unless metadata.toml says run_in_transaction = false"),
            new Folder("prairielearn", "postgres:16", Runner.FLYWAY,
                    "its runner wraps each file in a transaction"));

    /** Computed blocks of the folders checked so far in this run, for the actual-figures file. */
    private static final Map<String, String> ACTUAL_BLOCKS = new LinkedHashMap<>();

    @TestFactory
    Stream<DynamicTest> corpus() {
        String dir = System.getProperty(PROPERTY);
        if (dir == null || dir.isBlank()) {
            fail("system property " + PROPERTY + " is not set. CorpusCheck is run on purpose, with the corpus profile:\n"
                    + "  mvn -q -Pcorpus -pl zerodown-cli -am test -Dtest=CorpusCheck -Dsurefire.failIfNoSpecifiedTests=false\n"
                    + "(add -Dcorpus.dir=/path/to/corpus when the corpus is not at ../shared/corpus)");
        }
        Path root = Path.of(dir).toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            fail(PROPERTY + " = " + dir + ": no such folder (resolved to " + root + "); pass -Dcorpus.dir=/path/to/corpus");
        }
        Expectations expected = Expectations.load();
        List<String> unknown = new ArrayList<>(expected.blocks.keySet());
        FOLDERS.forEach(f -> unknown.remove(f.name()));
        for (Sample s : expected.samples) {
            if (FOLDERS.stream().noneMatch(f -> f.name().equals(s.folder()))) unknown.add(s.folder() + " (in " + s + ")");
        }
        if (!unknown.isEmpty()) {
            fail(EXPECTATIONS + " names folders this check does not know: " + unknown + "; known: "
                    + FOLDERS.stream().map(Folder::name).toList());
        }
        return FOLDERS.stream().map(f -> DynamicTest.dynamicTest(f.name() + " (" + f.target() + ", " + f.runner().id() + ")",
                () -> checkFolder(root, f, expected)));
    }

    // ------------------------------------------------------------------------------------------------------------
    // one folder

    /** What one folder gave. */
    static final class Outcome {
        final Folder folder;
        final Path dir;
        final boolean fullLint;
        int files;
        int statements;
        int notAnalysed;
        int suppressed;
        int unknownClauses;
        final List<Finding> findings = new ArrayList<>();
        /** file relative to the folder, then line → number of statements starting there. */
        final Map<String, Map<Integer, Integer>> statementLines = new HashMap<>();
        /** Same for statements no parser understood. */
        final Map<String, Map<Integer, Integer>> unparsedLines = new HashMap<>();
        final Map<String, Integer> unparsedReasons = new HashMap<>();

        Outcome(Folder folder, Path dir, boolean fullLint) {
            this.folder = folder;
            this.dir = dir;
            this.fullLint = fullLint;
        }

        void statement(String file, int line, Stmt stmt) {
            statementLines.computeIfAbsent(file, k -> new HashMap<>()).merge(line, 1, Integer::sum);
            if (stmt instanceof Stmt.Unparsed || stmt instanceof Stmt.Opaque) {
                // not understood, or valid but opaque (DO, CALL, EXECUTE): both are reported as not analysed
                String reason = stmt instanceof Stmt.Unparsed u ? u.reason() : ((Stmt.Opaque) stmt).reason();
                unparsedLines.computeIfAbsent(file, k -> new HashMap<>()).merge(line, 1, Integer::sum);
                unparsedReasons.merge(reason, 1, Integer::sum);
            } else if (stmt instanceof Stmt.AlterTable at) {
                for (AlterAction a : at.actions()) {
                    if (a instanceof AlterAction.Unknown) unknownClauses++;
                }
            }
        }

        int observedStatements() {
            return statementLines.values().stream().flatMap(m -> m.values().stream()).mapToInt(Integer::intValue).sum();
        }
    }

    private void checkFolder(Path root, Folder folder, Expectations expected) {
        Path dir = root.resolve(folder.name()).normalize();
        if (!Files.isDirectory(dir)) {
            fail(folder.name() + ": folder missing from the corpus at " + dir);
        }
        Target target = Target.parse(folder.target());
        Outcome out = new Outcome(folder, dir, dialectAvailable(target.engine()));
        try {
            List<MigrationFile> files = MigrationScanner.standard().scan(List.of(dir));
            if (out.fullLint) {
                lint(dir, target, folder.runner(), files, out);
            } else {
                parseOnly(dir, target, files, out);
            }
        } catch (RuntimeException | StackOverflowError e) {
            throw new AssertionError(folder.name() + ": linting threw " + e + locate(dir, target), e);
        }

        List<String> problems = new ArrayList<>();
        if (out.statements <= 0) problems.add("no statement was split from " + out.files + " files");
        if (out.observedStatements() != out.statements) {
            problems.add("the report counts " + out.statements + " statements but " + out.observedStatements()
                    + " were walked");
        }
        int unparsed = out.unparsedLines.values().stream().flatMap(m -> m.values().stream()).mapToInt(Integer::intValue).sum();
        if (out.notAnalysed != unparsed) {
            problems.add("the report counts " + out.notAnalysed + " statements not analysed but " + unparsed
                    + " were not understood by any parser");
        }
        if (out.fullLint) problems.addAll(notAnalysedReported(out));

        String actual = block(out);
        synchronized (ACTUAL_BLOCKS) {
            ACTUAL_BLOCKS.put(folder.name(), actual);
            writeActual();
        }
        System.out.println(report(out));

        Map<String, Entry> pinned = expected.blocks.get(folder.name());
        if (pinned == null) {
            problems.add("no block for this folder in " + EXPECTATIONS + "; the figures of this run are:\n" + actual);
        } else {
            List<String> diff = compare(pinned, parseBlock(folder.name(), actual));
            if (!diff.isEmpty()) {
                problems.add("figures differ from " + EXPECTATIONS + ":\n    " + String.join("\n    ", diff)
                        + "\n  If the change is intended (check the findings that moved by hand), pin this block:\n" + actual);
            }
        }
        problems.addAll(checkSamples(out, expected));
        if (!problems.isEmpty()) {
            fail(folder.name() + " (" + folder.target() + ", runner " + folder.runner().id() + "):\n  - "
                    + String.join("\n  - ", problems));
        }
    }

    private static void lint(Path dir, Target target, Runner runner, List<MigrationFile> files, Outcome out) {
        LintEngine engine = new LintEngine(target, runner, ZerodownConfig.empty());
        LintReport report = engine.lint(files, (unit, text, stmt, locks) ->
                out.statement(relative(dir, unit.path()), text.line(), stmt));
        out.files = report.files();
        out.statements = report.statements();
        out.notAnalysed = report.notAnalysed();
        out.suppressed = report.suppressed();
        out.findings.addAll(report.findings());
    }

    /**
     * Without a dialect for the engine (no zerodown-mysql dialect yet) the engine cannot run: split and parse every
     * statement the way the engine would, so the corpus still proves the splitter and parser.
     */
    private static void parseOnly(Path dir, Target target, List<MigrationFile> files, Outcome out) {
        SqlFamily family = SqlFamily.of(target.engine());
        StatementParser parser = new StatementParser(family, target.engine() == Engine.MARIADB);
        StatementSplitter splitter = StatementSplitter.standard();
        out.files = files.size();
        for (MigrationFile f : files) {
            for (MigrationUnit unit : f.units()) {
                for (SqlText t : splitter.split(unit.text(), family)) {
                    Stmt stmt = parser.parse(t.sql());
                    out.statements++;
                    if (stmt instanceof Stmt.Unparsed || stmt instanceof Stmt.Opaque) out.notAnalysed++;
                    out.statement(relative(dir, unit.path()), unit.firstLine() - 1 + t.line(), stmt);
                }
            }
        }
    }

    private static boolean dialectAvailable(Engine engine) {
        for (Dialect d : ServiceLoader.load(Dialect.class)) {
            if (d.handles(engine)) return true;
        }
        return false;
    }

    /** Each statement no parser understood has its own info finding zerodown.not-analysed on its line. */
    private static List<String> notAnalysedReported(Outcome out) {
        Map<String, Map<Integer, Integer>> reported = new HashMap<>();
        for (Finding f : out.findings) {
            if (f.rule().equals(CoreRules.NOT_ANALYSED) && f.severity() == Severity.INFO) {
                reported.computeIfAbsent(relative(out.dir, Path.of(f.file())), k -> new HashMap<>()).merge(f.line(), 1, Integer::sum);
            }
        }
        List<String> missing = new ArrayList<>();
        out.unparsedLines.forEach((file, lines) -> lines.forEach((line, n) -> {
            int got = reported.getOrDefault(file, Map.of()).getOrDefault(line, 0);
            if (got < n) {
                missing.add(file + ":" + line + ": " + n + " statement(s) not analysed but " + got + " info finding(s) "
                        + CoreRules.NOT_ANALYSED);
            }
        }));
        missing.sort(null);
        return missing;
    }

    /** After a crash: the first file whose statements cannot be split or parsed on their own, if any. */
    private static String locate(Path dir, Target target) {
        try {
            SqlFamily family = SqlFamily.of(target.engine());
            StatementParser parser = new StatementParser(family, target.engine() == Engine.MARIADB);
            for (MigrationFile f : MigrationScanner.standard().scan(List.of(dir))) {
                for (MigrationUnit unit : f.units()) {
                    try {
                        for (SqlText t : StatementSplitter.standard().split(unit.text(), family)) {
                            try {
                                parser.parse(t.sql());
                            } catch (RuntimeException | StackOverflowError e) {
                                return "\n  the parser throws on " + relative(dir, unit.path()) + ":"
                                        + (unit.firstLine() - 1 + t.line()) + ": " + e;
                            }
                        }
                    } catch (RuntimeException e) {
                        return "\n  the splitter throws on " + relative(dir, unit.path()) + ": " + e;
                    }
                }
            }
            return "\n  (every statement splits and parses on its own: the crash is in the rules or the schema replay)";
        } catch (RuntimeException e) {
            return "\n  (the scanner throws: " + e + ")";
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // blocks of figures

    /** One pinned figure: {@code key = value} (exact) or {@code key <= number} (upper bound). */
    record Entry(String key, boolean atMost, String value) {
        @Override
        public String toString() {
            return key + (atMost ? " <= " : " = ") + value;
        }
    }

    /** The block of figures this run gives, in the expectations file's syntax. */
    static String block(Outcome out) {
        StringBuilder b = new StringBuilder();
        b.append('[').append(out.folder.name()).append("]\n");
        b.append("target = ").append(out.folder.target()).append('\n');
        b.append("runner = ").append(out.folder.runner().id()).append('\n');
        b.append("mode = ").append(out.fullLint ? "lint" : "parse-only").append('\n');
        b.append("files = ").append(out.files).append('\n');
        b.append("statements = ").append(out.statements).append('\n');
        b.append("not-analysed <= ").append(out.notAnalysed).append('\n');
        b.append("unknown-clauses <= ").append(out.unknownClauses).append('\n');
        if (out.fullLint) {
            b.append("suppressed = ").append(out.suppressed).append('\n');
            Map<String, Integer> counts = new TreeMap<>();
            for (Finding f : out.findings) counts.merge(f.rule() + " " + lower(f.severity()), 1, Integer::sum);
            counts.forEach((k, n) -> b.append("rule ").append(k)
                    .append(k.startsWith(CoreRules.NOT_ANALYSED + " ") ? " <= " : " = ").append(n).append('\n'));
        }
        return b.toString();
    }

    /** Differences between the pinned block and this run's, one line each. */
    static List<String> compare(Map<String, Entry> pinned, Map<String, Entry> actual) {
        List<String> diff = new ArrayList<>();
        for (Entry p : pinned.values()) {
            Entry a = actual.get(p.key());
            if (p.atMost()) {
                long bound = Long.parseLong(p.value());
                long got = a == null ? 0 : Long.parseLong(a.value());
                if (got > bound) diff.add(p.key() + ": " + got + ", more than the pinned upper bound " + bound);
            } else if (a == null) {
                diff.add(p.key() + ": pinned " + p.value() + ", now none");
            } else if (!a.value().equals(p.value())) {
                diff.add(p.key() + ": pinned " + p.value() + ", now " + a.value());
            }
        }
        for (Entry a : actual.values()) {
            if (!pinned.containsKey(a.key()) && !(a.atMost() && a.value().equals("0"))) {
                diff.add(a.key() + ": not pinned, now " + a.value());
            }
        }
        return diff;
    }

    static Map<String, Entry> parseBlock(String where, String text) {
        Map<String, Entry> entries = new LinkedHashMap<>();
        int n = 0;
        for (String raw : text.split("\n", -1)) {
            n++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith("[")) continue;
            Entry e = parseEntry(line);
            if (e == null) throw new IllegalArgumentException(where + " line " + n + ": not 'key = value' or 'key <= number': " + raw);
            if (entries.put(e.key(), e) != null) throw new IllegalArgumentException(where + ": " + e.key() + " pinned twice");
        }
        return entries;
    }

    private static Entry parseEntry(String line) {
        int le = line.indexOf("<=");
        int eq = line.indexOf('=');
        if (le >= 0 && le < eq) {
            String value = line.substring(le + 2).strip();
            if (!value.matches("\\d+")) return null;
            return new Entry(line.substring(0, le).strip().replaceAll("\\s+", " "), true, value);
        }
        if (eq <= 0) return null;
        return new Entry(line.substring(0, eq).strip().replaceAll("\\s+", " "), false, line.substring(eq + 1).strip());
    }

    // ------------------------------------------------------------------------------------------------------------
    // hand-checked samples

    /** A finding checked by hand: present (with its severity) or absent. */
    record Sample(boolean present, String folder, String file, int line, String rule, Severity severity, String reason,
                  int sourceLine) {
        @Override
        public String toString() {
            return (present ? "expect " : "absent ") + folder + " | " + file + " | " + line + " | " + rule
                    + (present ? " | " + lower(severity) : "") + " (" + EXPECTATIONS + " line " + sourceLine + ")";
        }
    }

    private static List<String> checkSamples(Outcome out, Expectations expected) {
        List<String> problems = new ArrayList<>();
        for (Sample s : expected.samples) {
            if (!s.folder().equals(out.folder.name())) continue;
            if (!out.statementLines.getOrDefault(s.file(), Map.of()).containsKey(s.line())) {
                problems.add(s + ": no statement starts at " + s.file() + ":" + s.line()
                        + " (file or line wrong, or the splitter changed)");
                continue;
            }
            if (!out.fullLint) {
                problems.add(s + ": this folder is only split and parsed (no dialect for " + out.folder.target()
                        + "), so findings cannot be checked");
                continue;
            }
            List<Finding> at = out.findings.stream()
                    .filter(f -> f.line() == s.line() && f.rule().equals(s.rule())
                            && relative(out.dir, Path.of(f.file())).equals(s.file()))
                    .toList();
            if (s.present()) {
                if (at.isEmpty()) {
                    problems.add(s + ": missing; findings at that line: " + rulesAt(out, s.file(), s.line()));
                } else if (at.stream().noneMatch(f -> f.severity() == s.severity())) {
                    problems.add(s + ": reported as " + lower(at.get(0).severity()) + " instead");
                }
            } else if (!at.isEmpty()) {
                problems.add(s + ": reported, but this statement was judged safe for that rule: " + s.reason());
            }
        }
        return problems;
    }

    private static List<String> rulesAt(Outcome out, String file, int line) {
        return out.findings.stream()
                .filter(f -> f.line() == line && relative(out.dir, Path.of(f.file())).equals(file))
                .map(f -> f.rule() + " " + lower(f.severity()))
                .toList();
    }

    // ------------------------------------------------------------------------------------------------------------
    // the expectations file

    /** The pinned blocks per folder and the hand-checked samples. */
    static final class Expectations {
        final Map<String, Map<String, Entry>> blocks = new LinkedHashMap<>();
        final List<Sample> samples = new ArrayList<>();

        static Expectations load() {
            String text;
            try (InputStream in = CorpusCheck.class.getResourceAsStream(EXPECTATIONS)) {
                if (in == null) fail(EXPECTATIONS + " is not on the test class path (zerodown-cli/src/test/resources)");
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return parse(text);
        }

        static Expectations parse(String text) {
            Expectations e = new Expectations();
            String section = null;
            StringBuilder block = null;
            String[] lines = text.split("\r?\n", -1);
            for (int i = 0; i < lines.length; i++) {
                String line = lines[i].strip();
                if (line.isEmpty() || line.startsWith("#")) continue;
                if (line.startsWith("[") && line.endsWith("]")) {
                    if (block != null) e.putBlock(section, block);
                    section = line.substring(1, line.length() - 1).strip();
                    block = section.equals("expect") || section.equals("absent") ? null : new StringBuilder();
                    if (block != null && e.blocks.containsKey(section)) {
                        throw new IllegalArgumentException(EXPECTATIONS + " line " + (i + 1) + ": [" + section + "] twice");
                    }
                    continue;
                }
                if (section == null) {
                    throw new IllegalArgumentException(EXPECTATIONS + " line " + (i + 1) + ": outside any [section]: " + line);
                }
                if (block != null) {
                    block.append(line).append('\n');
                } else {
                    e.samples.add(sample(section.equals("expect"), line, i + 1));
                }
            }
            if (block != null) e.putBlock(section, block);
            return e;
        }

        private void putBlock(String folder, StringBuilder text) {
            blocks.put(folder, parseBlock(EXPECTATIONS + " [" + folder + "]", text.toString()));
        }

        private static Sample sample(boolean present, String line, int n) {
            String[] p = line.split("\\|", -1);
            int want = present ? 6 : 5;
            if (p.length != want) {
                throw new IllegalArgumentException(EXPECTATIONS + " line " + n + ": " + (present
                        ? "expected 'folder | file | line | rule | severity | why'"
                        : "expected 'folder | file | line | rule | why'") + ", got: " + line);
            }
            for (int i = 0; i < p.length; i++) p[i] = p[i].strip();
            if (p[want - 1].isEmpty()) {
                throw new IllegalArgumentException(EXPECTATIONS + " line " + n + ": say why it was judged this way");
            }
            Severity severity = present ? Severity.valueOf(p[4].toUpperCase(Locale.ROOT)) : null;
            return new Sample(present, p[0], p[1], Integer.parseInt(p[2]), p[3], severity, p[want - 1], n);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // report

    static String report(Outcome out) {
        StringBuilder b = new StringBuilder();
        b.append("== ").append(out.folder.name()).append(" (").append(out.folder.target()).append(", runner ")
                .append(out.folder.runner().id()).append(": ").append(out.folder.why()).append(")\n");
        if (!out.fullLint) {
            b.append("   no dialect for ").append(out.folder.target()).append(" on the class path: split and parsed only\n");
        }
        b.append(String.format(Locale.ROOT, "   %d files, %d statements, %d not analysed, %d ALTER clauses not analysed%n",
                out.files, out.statements, out.notAnalysed, out.unknownClauses));
        if (out.fullLint) {
            b.append(String.format(Locale.ROOT, "   findings: %d errors, %d warnings, %d infos, %d suppressed%n",
                    count(out, Severity.ERROR), count(out, Severity.WARNING), count(out, Severity.INFO), out.suppressed));
        }
        out.unparsedReasons.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(10)
                .forEach(r -> b.append("   not analysed x").append(r.getValue()).append(": ").append(r.getKey()).append('\n'));
        return b.toString();
    }

    private static long count(Outcome out, Severity s) {
        return out.findings.stream().filter(f -> f.severity() == s).count();
    }

    private static void writeActual() {
        String target = System.getProperty(ACTUAL_PROPERTY);
        if (target == null || target.isBlank()) return;
        StringBuilder b = new StringBuilder("# Figures computed by CorpusCheck in the last run, in the syntax of "
                + "zerodown-cli/src/test/resources/corpus-expectations.txt\n"
                + "# (only the blocks; the hand-checked [expect]/[absent] samples live in the pinned file).\n\n");
        for (Folder f : FOLDERS) {
            String block = ACTUAL_BLOCKS.get(f.name());
            if (block != null) b.append(block).append('\n');
        }
        try {
            Path p = Path.of(target);
            if (p.getParent() != null) Files.createDirectories(p.getParent());
            Files.writeString(p, b.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // helpers

    /** A file (relative to the working directory, as findings show it, or absolute) relative to the folder. */
    private static String relative(Path dir, Path file) {
        Path abs = file.toAbsolutePath().normalize();
        Path rel = abs.startsWith(dir) ? dir.relativize(abs) : abs;
        return rel.toString().replace('\\', '/');
    }

    static String lower(Severity s) {
        return s.name().toLowerCase(Locale.ROOT);
    }
}
