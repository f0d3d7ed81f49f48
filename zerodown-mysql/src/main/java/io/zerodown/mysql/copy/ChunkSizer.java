package io.zerodown.mysql.copy;

/**
 * Picks the next chunk's row count so that a chunk takes about the target time. The copy rate is smoothed over recent
 * chunks; a chunk may at most double the size, and a chunk that took more than twice the target (a lock wait, a busy
 * moment) halves it at once. Short chunks matter because application writes touching the chunk's key range, and with
 * {@code innodb_autoinc_lock_mode=1} every insert into the shadow, wait for the chunk's transaction.
 */
final class ChunkSizer {
    static final int MIN = 10;
    private final long targetNanos;
    private final int max;
    private double rowsPerNano;
    private int size;

    ChunkSizer(long targetMs, int initial, int max) {
        this.targetNanos = Math.max(1, targetMs) * 1_000_000L;
        this.max = Math.max(MIN, max);
        this.size = clamp(initial);
    }

    int size() {
        return size;
    }

    /** Records that {@code rows} rows took {@code nanos}; ignored for partial chunks (the last one). */
    void observe(int rows, int asked, long nanos) {
        if (rows <= 0 || nanos <= 0 || rows < asked) {
            return;
        }
        double rate = rows / (double) nanos;
        rowsPerNano = rowsPerNano == 0 ? rate : 0.5 * rowsPerNano + 0.5 * rate;
        double ideal = rowsPerNano * targetNanos;
        int next = (int) Math.min(ideal, size * 2.0);
        if (nanos > 2 * targetNanos) {
            next = Math.min(next, size / 2);
        }
        size = clamp(next);
    }

    /** After a lock wait timeout or deadlock: try again with half as many rows. */
    void shrink() {
        size = clamp(size / 2);
    }

    private int clamp(long n) {
        return (int) Math.max(MIN, Math.min(max, n));
    }
}
