package io.zerodown.postgres.apply;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;

/**
 * How far the slowest streaming replica is behind, in ms, measured on the primary alone.
 *
 * <p>pg_stat_replication's replay_lag is computed only when a replica reports progress, so a replica whose replay is
 * stuck (paused, or blocked by a conflicting query) keeps showing the last, small value while it falls further
 * behind. So this also remembers, at each reading, where the primary's WAL stood and when; the lag is then how long
 * ago the primary first wrote past the position the slowest replica has replayed. It grows while replay is stuck and
 * drops to zero once the replica catches up. The larger of the two measures counts.
 */
public final class ReplicaLag {
    /** {WAL position in bytes, System.nanoTime()} of past readings whose position a replica has not yet replayed. */
    private final ArrayDeque<long[]> positions = new ArrayDeque<>();

    /** The slowest streaming replica's lag in ms (0 with no replica); call it on one connection, repeatedly. */
    public long ms(Connection c) throws SQLException {
        long now = System.nanoTime();
        long current;
        Long replayed;
        long reported;
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint, "
                     + "(SELECT min(replay_lsn - '0/0'::pg_lsn)::bigint FROM pg_stat_replication), " // min(pg_lsn) needs PG 13
                     + "(SELECT coalesce(max(extract(epoch FROM coalesce(replay_lag, write_lag))) * 1000, 0)::bigint FROM pg_stat_replication)")) {
            rs.next();
            current = rs.getLong(1);
            long r = rs.getLong(2);
            replayed = rs.wasNull() ? null : r;
            reported = rs.getLong(3);
        }
        if (replayed == null) { // no streaming replica
            positions.clear();
            return reported;
        }
        // bounded memory (hours of readings): past the cap the oldest entries still date the lag
        if ((positions.isEmpty() || positions.peekLast()[0] < current) && positions.size() < 100_000) {
            positions.addLast(new long[] {current, now});
        }
        while (!positions.isEmpty() && positions.peekFirst()[0] <= replayed) positions.removeFirst();
        long behind = positions.isEmpty() ? 0 : (now - positions.peekFirst()[1]) / 1_000_000;
        return Math.max(reported, behind);
    }
}
