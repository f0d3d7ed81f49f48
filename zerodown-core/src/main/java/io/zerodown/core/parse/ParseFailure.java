package io.zerodown.core.parse;

/** Internal signal that a statement does not fit the grammar; the caller falls back to the next parser. */
final class ParseFailure extends RuntimeException {
    ParseFailure(String message) {
        super(message, null, false, false);
    }
}
