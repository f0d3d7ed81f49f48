package io.zerodown.api;

/** A server version such as 15, 8.0.29 or 10.11; missing parts count as 0. */
public record Version(int major, int minor, int patch) implements Comparable<Version> {

    public static Version of(int major, int minor) {
        return new Version(major, minor, 0);
    }

    public static Version parse(String text) {
        String[] parts = text.trim().split("\\.");
        if (parts.length == 0 || parts.length > 3) {
            throw new InvalidTargetException("bad version '" + text + "': expected MAJOR[.MINOR[.PATCH]]");
        }
        int[] n = new int[3];
        for (int i = 0; i < parts.length; i++) {
            try {
                n[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                throw new InvalidTargetException("bad version '" + text + "': '" + parts[i] + "' is not a number");
            }
        }
        return new Version(n[0], n[1], n[2]);
    }

    public boolean atLeast(int major, int minor, int patch) {
        return compareTo(new Version(major, minor, patch)) >= 0;
    }

    public boolean atLeast(int major, int minor) {
        return atLeast(major, minor, 0);
    }

    public boolean atLeast(int major) {
        return atLeast(major, 0, 0);
    }

    @Override
    public int compareTo(Version o) {
        if (major != o.major) return Integer.compare(major, o.major);
        if (minor != o.minor) return Integer.compare(minor, o.minor);
        return Integer.compare(patch, o.patch);
    }

    @Override
    public String toString() {
        return patch != 0 ? major + "." + minor + "." + patch : minor != 0 ? major + "." + minor : String.valueOf(major);
    }
}
