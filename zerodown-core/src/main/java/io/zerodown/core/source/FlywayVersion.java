package io.zerodown.core.source;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A Flyway migration version: digit groups separated by {@code .} or {@code _} ({@code _} reads as {@code .}).
 * Compared numerically part by part; missing parts count as zero, so {@code 1.0} equals {@code 1}.
 */
final class FlywayVersion implements Comparable<FlywayVersion> {
    private static final String[] NO_PARTS = new String[0];

    private final String text;
    /** digit groups without leading zeros ("" for zero), trailing zero groups removed */
    private final String[] parts;

    private FlywayVersion(String text, String[] parts) {
        this.text = text;
        this.parts = parts;
    }

    /**
     * @param raw the version as written in the file name, e.g. {@code 1_2} or {@code 1.10}
     * @return the version, or null when {@code raw} is not digits separated by single dots or underscores
     */
    static FlywayVersion parse(String raw) {
        int n = raw.length();
        if (n == 0) {
            return null;
        }
        List<String> parts = new ArrayList<>(4);
        int start = 0;
        for (int i = 0; i <= n; i++) {
            char c = i < n ? raw.charAt(i) : '.';
            if (c == '.' || c == '_') {
                if (i == start) {
                    return null; // empty group: leading, trailing or doubled separator
                }
                int z = start;
                while (z < i && raw.charAt(z) == '0') {
                    z++;
                }
                parts.add(raw.substring(z, i));
                start = i + 1;
            } else if (c < '0' || c > '9') {
                return null;
            }
        }
        int size = parts.size();
        while (size > 0 && parts.get(size - 1).isEmpty()) {
            size--;
        }
        String[] kept = size == 0 ? NO_PARTS : parts.subList(0, size).toArray(NO_PARTS);
        return new FlywayVersion(raw.replace('_', '.'), kept);
    }

    /** The version as Flyway shows it: as written, with {@code _} replaced by {@code .}. */
    String text() {
        return text;
    }

    @Override
    public int compareTo(FlywayVersion other) {
        int n = Math.max(parts.length, other.parts.length);
        for (int i = 0; i < n; i++) {
            String a = i < parts.length ? parts[i] : "";
            String b = i < other.parts.length ? other.parts[i] : "";
            if (a.length() != b.length()) {
                return a.length() < b.length() ? -1 : 1;
            }
            int c = a.compareTo(b);
            if (c != 0) {
                return c < 0 ? -1 : 1;
            }
        }
        return 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FlywayVersion v && Arrays.equals(parts, v.parts);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(parts);
    }

    @Override
    public String toString() {
        return text;
    }
}
