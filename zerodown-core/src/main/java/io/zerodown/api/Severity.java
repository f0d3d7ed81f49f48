package io.zerodown.api;

import java.util.Locale;

/** How bad a finding is. {@link #ERROR} makes {@code zerodown lint} exit 1. */
public enum Severity {
    /** Blocks reads or writes for a time that grows with the table, fails on existing data, or breaks running code. */
    ERROR,
    /** Risky depending on context, e.g. a brief exclusive lock taken without a lock timeout. */
    WARNING,
    /** Hygiene, or a step zerodown will make safe by itself. */
    INFO;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Severity fromId(String s) {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
    }
}
