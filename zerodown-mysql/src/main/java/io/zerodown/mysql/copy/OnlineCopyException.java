package io.zerodown.mysql.copy;

import io.zerodown.api.ZerodownException;

import java.util.List;

/**
 * A failure of {@link OnlineTableCopy}. Each message names the table, says what state it is left in and what to do.
 * The subclasses say what kind of failure it was.
 */
public class OnlineCopyException extends ZerodownException {
    public OnlineCopyException(String message) {
        super(message);
    }

    public OnlineCopyException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The table or the ALTER cannot be copied online; thrown before any row moved (nothing is left behind). */
    public static final class Refused extends OnlineCopyException {
        public Refused(String message) {
            super(message);
        }

        public Refused(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * A statement that needs the table's metadata lock (RENAME at cut-over, CREATE/DROP TRIGGER) did not get it within
     * the attempt budget; {@link #blockers()} lists the open transactions seen at the last attempt.
     */
    public static final class Blocked extends OnlineCopyException {
        private final List<Blocker> blockers;

        public Blocked(String message, List<Blocker> blockers) {
            super(message);
            this.blockers = List.copyOf(blockers);
        }

        public List<Blocker> blockers() {
            return blockers;
        }
    }

    /** A checksum chunk still differs after it was copied again: the shadow is not a faithful copy of the table. */
    public static final class Mismatch extends OnlineCopyException {
        public Mismatch(String message) {
            super(message);
        }
    }

    /**
     * A guard rail (an operator's abort, or the canary above its hard limit) stopped the copy between two chunks. The
     * table is unchanged, the triggers keep the shadow current and the journal holds the watermark: running the copy
     * again resumes there, {@code abort()} removes shadow and triggers.
     */
    public static final class Aborted extends OnlineCopyException {
        private final String reason;

        public Aborted(String message, String reason) {
            super(message);
            this.reason = reason;
        }

        /** Why: "aborted by zerodown control", "canary p99 ... > hard limit ...". */
        public String reason() {
            return reason;
        }
    }
}
