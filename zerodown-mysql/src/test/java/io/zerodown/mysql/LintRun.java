package io.zerodown.mysql;

import io.zerodown.api.Finding;
import io.zerodown.api.LintReport;
import io.zerodown.api.Runner;
import io.zerodown.api.Target;
import io.zerodown.core.config.ZerodownConfig;
import io.zerodown.core.lint.LintEngine;
import io.zerodown.core.schema.TableState;
import io.zerodown.core.source.MigrationScanner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Writes migration files into a folder and lints them through the real engine, as the CLI does. */
final class LintRun {
    private final Path dir;
    private final List<Path> files = new ArrayList<>();
    private String target = "mysql:8.0.35";
    private Runner runner = Runner.PLAIN;
    private ZerodownConfig config = ZerodownConfig.empty();
    private final List<TableState> live = new ArrayList<>();

    private LintRun(Path dir) {
        this.dir = dir;
    }

    static LintRun in(Path dir) {
        return new LintRun(dir);
    }

    LintRun target(String t) {
        target = t;
        return this;
    }

    LintRun runner(Runner r) {
        runner = r;
        return this;
    }

    LintRun config(ZerodownConfig c) {
        config = c;
        return this;
    }

    LintRun liveTable(TableState t) {
        live.add(t);
        return this;
    }

    /** Adds a Flyway-style file V{n}__step.sql, n counting from 1. */
    LintRun file(String sql) {
        Path p = dir.resolve("V" + (files.size() + 1) + "__step.sql");
        try {
            Files.writeString(p, sql);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        files.add(p);
        return this;
    }

    LintReport lint() {
        LintEngine engine = new LintEngine(Target.parse(target), runner, config);
        for (TableState t : live) engine.addLiveTable(t);
        return engine.lint(MigrationScanner.standard().scan(List.copyOf(files)));
    }

    /** Findings of the last file only (earlier files set up the schema). */
    List<Finding> lastFile() {
        LintReport r = lint();
        String last = files.get(files.size() - 1).getFileName().toString();
        return r.findings().stream().filter(f -> f.file().endsWith(last)).toList();
    }

    static void print(List<Finding> fs, Consumer<String> out) {
        for (Finding f : fs) {
            out.accept(f.rule() + " " + f.severity() + " [" + f.lock() + " | " + f.blocks() + " | " + f.effect() + "]\n  "
                    + f.message() + "\n  FIX:\n" + (f.fix() == null ? "" : f.fix().replaceAll("(?m)^", "    ")));
        }
    }
}
