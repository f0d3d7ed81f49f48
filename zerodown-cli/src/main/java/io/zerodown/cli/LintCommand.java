package io.zerodown.cli;

import io.zerodown.api.InvalidTargetException;
import io.zerodown.api.LintReport;
import io.zerodown.api.Runner;
import io.zerodown.api.Target;
import io.zerodown.core.config.ConfigLoader;
import io.zerodown.core.config.ZerodownConfig;
import io.zerodown.core.lint.LintEngine;
import io.zerodown.core.report.Reporter;
import io.zerodown.core.source.MigrationFile;
import io.zerodown.core.source.MigrationScanner;
import picocli.CommandLine;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@CommandLine.Command(name = "lint", sortOptions = false,
        description = {"Judge migration SQL like an expert DBA: the lock each statement takes, what it blocks, whether it",
                "rewrites or scans, for the target engine and version, with the exact safe SQL.",
                "Exit 0: no error finding; 1: error findings; 2: bad usage or unreadable input."})
final class LintCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.ParentCommand
    Main main;

    @CommandLine.Option(names = {"-t", "--target"}, paramLabel = "ENGINE:VERSION",
            description = "postgres:11..18, mysql:8.0.x, mysql:8.4, mariadb:10.6..11.4 (default: config, else postgres:18)")
    String target;

    @CommandLine.Option(names = {"-f", "--format"}, paramLabel = "FORMAT", defaultValue = "text",
            description = "text, json or sarif (default: ${DEFAULT-VALUE})")
    String format;

    @CommandLine.Option(names = {"-r", "--runner"}, paramLabel = "RUNNER",
            description = "how the files will run: zerodown, flyway, liquibase or plain (default: config, else zerodown)")
    String runner;

    @CommandLine.Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "config file (default: .zerodown.yaml or zerodown.yaml in the current folder)")
    Path config;

    @CommandLine.Option(names = "--no-color", description = "never colour the text output")
    boolean noColor;

    @CommandLine.Option(names = "--url", paramLabel = "URL",
            description = "read the live schema (column types, table sizes) from this database first; the migrations are "
                    + "then judged as pending on top of it")
    String url;

    @CommandLine.Parameters(paramLabel = "PATH", arity = "0..*",
            description = "migration files or folders (Flyway, Liquibase formatted SQL, Diesel, numbered, plain)")
    List<Path> paths = new ArrayList<>();

    @Override
    public Integer call() {
        ZerodownConfig cfg = config != null ? ConfigLoader.load(config) : ConfigLoader.discover(Path.of(""));
        Target t = target != null ? Target.parse(target) : cfg.target() != null ? Target.parse(cfg.target()) : Target.DEFAULT;
        Runner r = runner != null ? Runner.fromId(runner) : cfg.runner() != null ? Runner.fromId(cfg.runner()) : Runner.ZERODOWN;
        if (!format.equals("text") && !format.equals("json") && !format.equals("sarif")) {
            throw new InvalidTargetException("unknown format '" + format + "': use text, json or sarif");
        }
        List<Path> inputs = !paths.isEmpty() ? paths : cfg.paths();
        if (inputs.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "no migration path given: pass files or folders, or set 'paths' in .zerodown.yaml");
        }
        List<MigrationFile> files = MigrationScanner.standard().scan(inputs);
        LintEngine engine = new LintEngine(t, r, cfg);
        if (url != null) {
            try {
                if (io.zerodown.mysql.apply.MysqlConnections.accepts(url)) {
                    try (java.sql.Connection c = io.zerodown.mysql.apply.MysqlConnections.parse(url).open()) {
                        io.zerodown.mysql.apply.MysqlIntrospector.tables(c).forEach(engine::addLiveTable);
                    }
                } else {
                    try (java.sql.Connection c = io.zerodown.postgres.apply.PostgresConnections.parse(url).open()) {
                        io.zerodown.postgres.apply.PostgresIntrospector.tables(c).forEach(engine::addLiveTable);
                    }
                }
            } catch (java.sql.SQLException e) {
                throw new io.zerodown.api.ZerodownException("cannot read the live schema: " + e.getMessage());
            }
        }
        LintReport report = engine.lint(files);
        PrintStream out = main.out;
        boolean color = format.equals("text") && !noColor && System.console() != null && System.getenv("NO_COLOR") == null
                && !"dumb".equals(System.getenv("TERM"));
        Reporter.forFormat(format, color).write(report, out);
        out.flush();
        return report.hasErrors() ? 1 : 0;
    }
}
