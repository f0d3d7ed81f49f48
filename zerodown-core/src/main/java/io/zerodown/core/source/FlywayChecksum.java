package io.zerodown.core.source;

import java.util.zip.CRC32;

/**
 * Flyway's script checksum: CRC32 over the UTF-8 bytes of each line without its terminator, a leading byte order
 * mark removed, cast to int. Line terminators are {@code \n}, {@code \r\n} and {@code \r}, so CRLF and LF files
 * give the same value.
 *
 * <p>Empty lines add no bytes, so this equals the CRC32 of the file's bytes with every CR and LF byte left out
 * (those bytes never occur inside a UTF-8 multi-byte sequence); that is how it is computed, in one pass.
 */
final class FlywayChecksum {

    private FlywayChecksum() {
    }

    /** @param utf8 the file content, already known to be valid UTF-8 */
    static int of(byte[] utf8) {
        CRC32 crc = new CRC32();
        int start = hasBom(utf8) ? 3 : 0;
        int segment = start;
        for (int i = start; i < utf8.length; i++) {
            byte b = utf8[i];
            if (b == '\n' || b == '\r') {
                if (i > segment) {
                    crc.update(utf8, segment, i - segment);
                }
                segment = i + 1;
            }
        }
        if (utf8.length > segment) {
            crc.update(utf8, segment, utf8.length - segment);
        }
        return (int) crc.getValue();
    }

    static boolean hasBom(byte[] b) {
        return b.length >= 3 && (b[0] & 0xFF) == 0xEF && (b[1] & 0xFF) == 0xBB && (b[2] & 0xFF) == 0xBF;
    }
}
