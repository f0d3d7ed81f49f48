package io.zerodown.postgres.versioned;

import io.zerodown.api.ZerodownException;

/** A lock that stayed unavailable through every bounded retry; names the sessions that held it at the end. */
public class LockRetriesExhaustedException extends ZerodownException {
    public LockRetriesExhaustedException(String message) {
        super(message);
    }
}
