package io.zerodown.api;

import java.util.Set;

/**
 * What a rule is, independent of any finding.
 *
 * @param id       e.g. {@code pg.column.set-not-null}; the prefix says the engines: {@code pg.}, {@code my.}, {@code any.}
 * @param severity default severity of its findings (a finding may be lower when context makes it safer)
 * @param title    one line, e.g. "SET NOT NULL scans the table under ACCESS EXCLUSIVE"
 * @param engines  engines it applies to
 */
public record RuleInfo(String id, Severity severity, String title, Set<Engine> engines) {

    /** Path of the rule's page in the repository, used as help link in SARIF. */
    public String docPath() {
        return "docs/rules/" + id + ".md";
    }
}
