package io.zerodown.api;

/** A config file that cannot be read or holds a bad value; the message names the file and the key. */
public class InvalidConfigException extends ZerodownException {
    public InvalidConfigException(String message) {
        super(message);
    }

    public InvalidConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
