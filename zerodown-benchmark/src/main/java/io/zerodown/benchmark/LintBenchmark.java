package io.zerodown.benchmark;

import io.zerodown.api.LintReport;
import io.zerodown.api.Runner;
import io.zerodown.api.Target;
import io.zerodown.core.config.ZerodownConfig;
import io.zerodown.core.lint.LintEngine;
import io.zerodown.core.source.MigrationFile;
import io.zerodown.core.source.MigrationScanner;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * In-process lint throughput over a generated 1,000-file Flyway folder, one whole folder per operation.
 * The {@code statements} secondary result is statements per second (a JMH aux counter, so it has its own error).
 * The headline figure is {@code scanAndLint:statements}; the other two split it into its parts.
 *
 * <ul>
 *   <li>{@code scanAndLint}: {@link MigrationScanner} (walk, read, UTF-8 decode, checksum) plus a fresh
 *       {@link LintEngine} (split, parse, rules, schema replay) — what {@code zerodown lint} does minus reporting.</li>
 *   <li>{@code lintOnly}: the same {@link LintEngine} work on files scanned once in setup.</li>
 *   <li>{@code scanOnly}: the scanner alone.</li>
 * </ul>
 *
 * Folder: {@code <folders>/<postgres|mysql>} when the {@code folders} parameter names a base folder that has it
 * (run-lint-bench.sh passes its generated one), else generated into a temporary folder with the default seed.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
// C2 needs about 30 s of this workload on 2 cores before it settles (JSqlParser's huge generated methods).
@Warmup(iterations = 10, time = 3)
@Measurement(iterations = 10, time = 2)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class LintBenchmark {

    @Param({"postgres:16", "mysql:8.0.35"})
    public String target;

    /** Base folder holding postgres/ and mysql/ generated folders; empty: generate into a temporary folder. */
    @Param({""})
    public String folders;

    @Param({"1000"})
    public int files;

    private Target parsedTarget;
    private Path dir;
    private List<MigrationFile> scanned;
    private int statementsPerFolder;
    private boolean generated;

    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Statements {
        /** Statements linted; JMH reports it per second. */
        public long statements;

        @Setup(Level.Iteration)
        public void reset() {
            statements = 0;
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        parsedTarget = Target.parse(target);
        boolean mysql = !target.startsWith("postgres");
        String flavor = mysql ? "mysql" : "postgres";
        Path given = folders.isEmpty() ? null : Path.of(folders, flavor);
        if (given != null && Files.isDirectory(given)) {
            dir = given;
        } else {
            dir = Files.createTempDirectory("zd-bench-" + flavor);
            MigrationFolderGenerator.generate(dir, files, MigrationFolderGenerator.DEFAULT_SEED,
                    mysql ? MigrationFolderGenerator.Flavor.MYSQL : MigrationFolderGenerator.Flavor.POSTGRES);
            generated = true;
        }
        scanned = MigrationScanner.standard().scan(List.of(dir));
        LintReport r = lint(scanned);
        statementsPerFolder = r.statements();
        System.out.printf(Locale.ROOT, "%n[setup] %s: %s: %d files, %d statements, %d not analysed, %d findings%n",
                target, dir, r.files(), r.statements(), r.notAnalysed(), r.findings().size());
        if (r.files() != files) throw new IllegalStateException("expected " + files + " files in " + dir + ", found " + r.files());
    }

    private LintReport lint(List<MigrationFile> input) {
        return new LintEngine(parsedTarget, Runner.FLYWAY, ZerodownConfig.empty()).lint(input);
    }

    @Benchmark
    public LintReport scanAndLint(Statements counter) {
        LintReport r = lint(MigrationScanner.standard().scan(List.of(dir)));
        counter.statements += r.statements();
        return r;
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
    public LintReport lintOnly(Statements counter) {
        LintReport r = lint(scanned);
        counter.statements += r.statements();
        return r;
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
    @Warmup(iterations = 5, time = 1)
    @Measurement(iterations = 5, time = 1)
    public List<MigrationFile> scanOnly(Statements counter) {
        List<MigrationFile> r = MigrationScanner.standard().scan(List.of(dir));
        counter.statements += statementsPerFolder;
        return r;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        if (!generated) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
