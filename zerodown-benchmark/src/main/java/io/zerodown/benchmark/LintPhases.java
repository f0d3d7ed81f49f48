package io.zerodown.benchmark;

import io.zerodown.api.LintReport;
import io.zerodown.api.Runner;
import io.zerodown.api.Target;
import io.zerodown.core.config.ZerodownConfig;
import io.zerodown.core.lint.LintEngine;
import io.zerodown.core.model.Stmt;
import io.zerodown.core.parse.StatementParser;
import io.zerodown.core.report.Reporter;
import io.zerodown.core.source.MigrationFile;
import io.zerodown.core.source.MigrationScanner;
import io.zerodown.core.source.MigrationUnit;
import io.zerodown.core.sql.SqlFamily;
import io.zerodown.core.sql.SqlText;
import io.zerodown.core.sql.StatementSplitter;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where lint time goes inside one JVM, phase by phase, for the first (cold) pass and for later (warm) passes.
 * A diagnostic, not a benchmark: single-shot {@code System.nanoTime()} figures, meant to explain the JMH and
 * hyperfine numbers. Each pass runs, in this order, on the same folder:
 * <ol>
 *   <li>scan: {@link MigrationScanner} (walk, read, decode, checksum)</li>
 *   <li>split: {@link StatementSplitter} over every unit</li>
 *   <li>parse: {@link StatementParser} over every statement, split by who understood it</li>
 *   <li>lint: a fresh {@link LintEngine} over the scanned files (split + parse again, then rules and replay), so
 *       rules + replay is about lint - split - parse</li>
 *   <li>report: the text or JSON reporter into memory</li>
 * </ol>
 * Pass 1 pays for class loading, interpretation and JIT of everything it touches first, which is what the CLI pays.
 *
 * <pre>java -cp benchmarks.jar io.zerodown.benchmark.LintPhases [--target postgres:16] [--passes 20] DIR</pre>
 */
public final class LintPhases {

    enum By { ZERODOWN_DDL, JSQLPARSER_DML, JSQLPARSER_OTHER, UNPARSED }

    public static void main(String[] args) {
        String target = "postgres:16";
        int passes = 20;
        String format = "text";
        Path dir = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--target" -> target = args[++i];
                case "--passes" -> passes = Integer.parseInt(args[++i]);
                case "--format" -> format = args[++i];
                default -> dir = Path.of(args[i]);
            }
        }
        if (dir == null) {
            System.err.println("usage: LintPhases [--target ENGINE:VERSION] [--passes N] [--format text|json] DIR");
            System.exit(2);
        }
        long jvmStartMs = ManagementFactory.getRuntimeMXBean().getUptime();
        System.out.printf(Locale.ROOT, "JVM uptime when main() started: %d ms%n", jvmStartMs);
        System.out.printf(Locale.ROOT, "%-5s %8s %8s %8s %8s %8s %8s %8s %8s %8s %9s %7s%n", "pass", "scan", "split",
                "parse", "ddl", "dml", "other", "lint", "rules~", "report", "stmts", "classes");
        Target t = Target.parse(target);
        for (int p = 1; p <= passes; p++) {
            pass(p, dir, t, format);
        }
    }

    private static void pass(int p, Path dir, Target target, String format) {
        SqlFamily family = target.engine() == io.zerodown.api.Engine.POSTGRES ? SqlFamily.POSTGRES : SqlFamily.MYSQL;
        long t0 = System.nanoTime();
        List<MigrationFile> files = MigrationScanner.standard().scan(List.of(dir));
        long t1 = System.nanoTime();

        StatementSplitter splitter = StatementSplitter.standard();
        List<String> statements = new ArrayList<>();
        for (MigrationFile f : files) {
            for (MigrationUnit u : f.units()) {
                for (SqlText s : splitter.split(u.text(), family)) statements.add(s.sql());
            }
        }
        long t2 = System.nanoTime();

        StatementParser parser = new StatementParser(family, target.engine() == io.zerodown.api.Engine.MARIADB);
        Map<By, long[]> byParser = new EnumMap<>(By.class); // {count, nanos}
        for (By b : By.values()) byParser.put(b, new long[2]);
        for (String sql : statements) {
            long s0 = System.nanoTime();
            Stmt st = parser.parse(sql);
            long s1 = System.nanoTime();
            By by = st instanceof Stmt.Unparsed ? By.UNPARSED
                    : st instanceof Stmt.Dml ? By.JSQLPARSER_DML
                    : st instanceof Stmt.Other o && o.parsedBy() == Stmt.ParsedBy.JSQLPARSER ? By.JSQLPARSER_OTHER
                    : By.ZERODOWN_DDL;
            long[] acc = byParser.get(by);
            acc[0]++;
            acc[1] += s1 - s0;
        }
        long t3 = System.nanoTime();

        LintReport report = new LintEngine(target, Runner.FLYWAY, ZerodownConfig.empty()).lint(files);
        long t4 = System.nanoTime();

        ByteArrayOutputStream sink = new ByteArrayOutputStream(1 << 22);
        Reporter.forFormat(format, false).write(report, new PrintStream(sink, false, StandardCharsets.UTF_8));
        long t5 = System.nanoTime();

        long lint = t4 - t3;
        long rules = lint - (t2 - t1) - (t3 - t2);
        int classes = ManagementFactory.getClassLoadingMXBean().getLoadedClassCount();
        System.out.printf(Locale.ROOT, "%-5d %8s %8s %8s %8s %8s %8s %8s %8s %8s %9d %7d%n", p, ms(t1 - t0), ms(t2 - t1),
                ms(t3 - t2), ms(byParser.get(By.ZERODOWN_DDL)[1]), ms(byParser.get(By.JSQLPARSER_DML)[1]),
                ms(byParser.get(By.JSQLPARSER_OTHER)[1] + byParser.get(By.UNPARSED)[1]), ms(lint), ms(rules),
                ms(t5 - t4), report.statements(), classes);
        if (p == 1) {
            StringBuilder sb = new StringBuilder("      statements by parser:");
            for (By b : By.values()) sb.append(' ').append(b.name().toLowerCase(Locale.ROOT)).append('=').append(byParser.get(b)[0]);
            sb.append("; report bytes=").append(sink.size()).append(", findings=").append(report.findings().size());
            System.out.println(sb);
        }
    }

    private static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1e6);
    }

    private LintPhases() {}
}
