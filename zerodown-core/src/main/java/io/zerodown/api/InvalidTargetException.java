package io.zerodown.api;

/** A {@code --target} (or config {@code target}) that zerodown cannot use. */
public class InvalidTargetException extends ZerodownException {
    public InvalidTargetException(String message) {
        super(message);
    }
}
