package io.zerodown.core.model;

import java.util.List;

/**
 * An SQL expression kept as text, with the function names it calls (lower case, unqualified) so rules can judge
 * volatility without a full expression tree.
 */
public record Expr(String text, List<String> functions) {

    public static Expr of(String text) {
        return new Expr(text, List.of());
    }

    public boolean isNullLiteral() {
        return text.trim().equalsIgnoreCase("null");
    }

    @Override
    public String toString() {
        return text;
    }
}
