package io.zerodown.cli;

import io.zerodown.api.RuleInfo;
import io.zerodown.api.Runner;
import io.zerodown.api.Target;
import io.zerodown.core.config.ZerodownConfig;
import io.zerodown.core.lint.LintEngine;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

@CommandLine.Command(name = "rules", description = "List the lint rules for a target, with their default severity.")
final class RulesCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(names = {"-t", "--target"}, paramLabel = "ENGINE:VERSION", defaultValue = "postgres:18",
            description = "target (default: ${DEFAULT-VALUE})")
    String target;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        LintEngine engine = new LintEngine(Target.parse(target), Runner.PLAIN, ZerodownConfig.empty());
        for (RuleInfo info : engine.catalogue().values()) {
            out.printf("%-40s %-8s %s%n", info.id(), info.severity().id(), info.title());
        }
        out.flush();
        return 0;
    }
}
