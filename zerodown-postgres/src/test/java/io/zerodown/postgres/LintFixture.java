package io.zerodown.postgres;

import io.zerodown.api.Finding;
import io.zerodown.api.LintReport;
import io.zerodown.api.Runner;
import io.zerodown.api.Severity;
import io.zerodown.api.Target;
import io.zerodown.core.config.ZerodownConfig;
import io.zerodown.core.lint.LintEngine;
import io.zerodown.core.source.MigrationScanner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes migration files into a folder and lints them through the real scanner and engine. */
public final class LintFixture {
    private final Path dir;
    private String target = "postgres:16";
    private Runner runner = Runner.PLAIN;
    private ZerodownConfig config = ZerodownConfig.empty();

    public LintFixture(Path dir) {
        this.dir = dir;
    }

    public LintFixture target(String t) {
        target = t;
        return this;
    }

    public LintFixture runner(Runner r) {
        runner = r;
        return this;
    }

    public LintFixture config(ZerodownConfig c) {
        config = c;
        return this;
    }

    public LintFixture file(String name, String sql) {
        try {
            Path p = dir.resolve(name);
            Files.createDirectories(p.getParent());
            Files.writeString(p, sql);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public LintReport lint() {
        return new LintEngine(Target.parse(target), runner, config).lint(MigrationScanner.standard().scan(List.of(dir)));
    }

    /** Findings of one rule. */
    public static List<Finding> of(LintReport r, String rule) {
        return r.findings().stream().filter(f -> f.rule().equals(rule)).toList();
    }

    public static List<Finding> errors(LintReport r) {
        return r.findings().stream().filter(f -> f.severity() == Severity.ERROR).toList();
    }
}
