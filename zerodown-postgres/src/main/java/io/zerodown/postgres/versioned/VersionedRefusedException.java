package io.zerodown.postgres.versioned;

import io.zerodown.api.ZerodownException;

/** A versioned migration that zerodown will not run as asked, with where and why, and what to do instead. */
public class VersionedRefusedException extends ZerodownException {
    public VersionedRefusedException(String message) {
        super(message);
    }

    static VersionedRefusedException at(String file, int line, String kind, String problem) {
        return new VersionedRefusedException(file + (line > 0 ? ":" + line : "") + ": " + kind + ": " + problem);
    }
}
