package io.zerodown.core.lint;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An inline {@code -- zerodown:ignore <rule>[,<rule>...] <reason>} comment before a statement. */
record Directive(List<String> rules, String reason) {

    private static final Pattern IGNORE = Pattern.compile("^zerodown:ignore(?:\\s+([\\w.,*-]+))?(?:\\s+(.*))?$",
            Pattern.CASE_INSENSITIVE);

    static List<Directive> parse(List<String> comments) {
        List<Directive> out = new ArrayList<>();
        for (String comment : comments) {
            for (String line : comment.split("\\R")) {
                Matcher m = IGNORE.matcher(line.trim());
                if (m.matches()) {
                    List<String> rules = new ArrayList<>();
                    if (m.group(1) != null) {
                        for (String r : m.group(1).split(",")) {
                            if (!r.isBlank()) rules.add(r.trim().toLowerCase(Locale.ROOT));
                        }
                    }
                    String reason = m.group(2) == null ? "" : m.group(2).trim();
                    out.add(new Directive(rules, reason));
                }
            }
        }
        return out;
    }

    boolean covers(String rule) {
        for (String r : rules) {
            if (r.equals(rule) || r.endsWith("*") && rule.startsWith(r.substring(0, r.length() - 1))) return true;
        }
        return false;
    }
}
