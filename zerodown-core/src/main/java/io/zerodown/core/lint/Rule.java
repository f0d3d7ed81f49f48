package io.zerodown.core.lint;

import io.zerodown.api.RuleInfo;

import java.util.List;

/** A check run on every statement; one class may own several closely related rule ids. */
public interface Rule {

    /** The rule ids this check can report, with their default severity and title. */
    List<RuleInfo> infos();

    /** Looks at one statement in its context and reports findings through {@link StatementContext#finding(String)}. */
    void check(StatementContext ctx);
}
