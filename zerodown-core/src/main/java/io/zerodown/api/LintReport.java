package io.zerodown.api;

import java.util.List;

/**
 * The outcome of one lint run.
 *
 * @param target      engine and version judged for
 * @param runner      how the files will be run
 * @param files       number of migration files read
 * @param statements  number of statements split
 * @param notAnalysed statements that no parser understood (each also has an info finding)
 * @param suppressed  findings silenced by {@code -- zerodown:ignore} or config
 * @param findings    in file order, then line order
 * @param rules       every rule that produced a finding (for SARIF rule descriptors)
 */
public record LintReport(Target target, Runner runner, int files, int statements, int notAnalysed, int suppressed,
                         List<Finding> findings, List<RuleInfo> rules) {

    public boolean hasErrors() {
        return findings.stream().anyMatch(f -> f.severity() == Severity.ERROR);
    }

    public long count(Severity s) {
        return findings.stream().filter(f -> f.severity() == s).count();
    }
}
