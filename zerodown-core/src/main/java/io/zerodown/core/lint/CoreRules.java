package io.zerodown.core.lint;

import io.zerodown.api.Engine;
import io.zerodown.api.RuleInfo;
import io.zerodown.api.Severity;

import java.util.EnumSet;
import java.util.List;

/** Rule ids the engine itself reports (not tied to a statement form). */
public final class CoreRules {
    public static final String NOT_ANALYSED = "zerodown.not-analysed";
    public static final String BAD_DIRECTIVE = "zerodown.bad-directive";

    static final List<RuleInfo> INFOS = List.of(
            new RuleInfo(NOT_ANALYSED, Severity.INFO, "Statement or clause not understood by any parser: review by hand",
                    EnumSet.allOf(Engine.class)),
            new RuleInfo(BAD_DIRECTIVE, Severity.WARNING,
                    "A zerodown:ignore comment without a rule or a reason, or naming an unknown rule",
                    EnumSet.allOf(Engine.class)));

    private CoreRules() {
    }
}
