package io.zerodown.api;

/**
 * An input file or folder that cannot be read or understood: missing, not UTF-8, a malformed changelog header,
 * an unterminated quote or comment. The message names the file and, where known, the line.
 */
public class UnreadableInputException extends ZerodownException {
    private final String file;
    private final int line;

    public UnreadableInputException(String file, int line, String problem) {
        super(file + (line > 0 ? ":" + line : "") + ": " + problem);
        this.file = file;
        this.line = line;
    }

    public UnreadableInputException(String file, int line, String problem, Throwable cause) {
        super(file + (line > 0 ? ":" + line : "") + ": " + problem, cause);
        this.file = file;
        this.line = line;
    }

    public String file() {
        return file;
    }

    /** 1-based line, or 0 when the problem is the whole file. */
    public int line() {
        return line;
    }
}
