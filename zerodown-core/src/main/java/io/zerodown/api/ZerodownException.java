package io.zerodown.api;

/** Root of zerodown's own failures. Subclasses are named after what failed. */
public class ZerodownException extends RuntimeException {
    public ZerodownException(String message) {
        super(message);
    }

    public ZerodownException(String message, Throwable cause) {
        super(message, cause);
    }
}
