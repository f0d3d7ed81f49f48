package io.zerodown.mysql.copy;

import java.util.List;

/**
 * Outcome of a chunked comparison of two tables that ended with every chunk equal (a chunk that stays different after
 * one re-copy throws {@link OnlineCopyException.Mismatch} instead).
 *
 * @param chunks   key ranges compared
 * @param rows     rows in the table that was read from
 * @param repaired the key ranges, as {@code (lower, upper]}, that differed once and were copied again
 * @param millis   wall time
 */
public record ChecksumResult(int chunks, long rows, List<String> repaired, long millis) {
    public ChecksumResult {
        repaired = List.copyOf(repaired);
    }

    /** True when no chunk had to be copied again. */
    public boolean clean() {
        return repaired.isEmpty();
    }
}
