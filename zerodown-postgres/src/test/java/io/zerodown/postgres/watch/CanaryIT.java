package io.zerodown.postgres.watch;

import io.zerodown.core.model.Name;
import io.zerodown.postgres.PostgresVersions;
import io.zerodown.postgres.apply.PostgresConnections;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The canary on a real server: what it measures, with the default probe and with a user's probe SQL, read-only. */
class CanaryIT {
    static PostgresConnections db() throws SQLException {
        PostgresVersions.Server server = PostgresVersions.embedded(16);
        PostgresConnections db = PostgresConnections.of(server.freshDatabase(), server.user());
        try (Connection c = db.open(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE items (id bigint PRIMARY KEY, v int); INSERT INTO items SELECT g, g FROM generate_series(1, 1000) g");
        }
        return db;
    }

    @Test
    void probesMeasureTheLatencyOfTheQueryTheyRun() throws Exception {
        PostgresConnections db = db();
        Canary pk = new Canary(db, List.of(new Name(null, "items")), null, 50).start();
        // a probe that takes at least 20 ms: its recorded latency must say so
        Canary slow = new Canary(db, List.of(), "SELECT pg_sleep(0.02)", 50).start();
        Thread.sleep(1_000);
        pk.close();
        slow.close();
        assertThat(pk.count()).isGreaterThanOrEqualTo(5);
        assertThat(pk.failures()).isZero();
        assertThat(slow.count()).isGreaterThanOrEqualTo(5);
        assertThat(slow.failures()).isZero();
        assertThat(slow.p50Ms()).isGreaterThanOrEqualTo(19.0);
        assertThat(pk.p50Ms()).isLessThan(slow.p50Ms());
        long inBuckets = slow.buckets().stream().mapToLong(b -> (long) b[1]).sum();
        assertThat(inBuckets).isEqualTo(slow.count());
    }

    @Test
    void aProbeThatWritesIsRefused() throws Exception {
        PostgresConnections db = db();
        try (Connection c = db.open()) {
            assertThatThrownBy(() -> Canary.check(c, "UPDATE items SET v = v + 1")).isInstanceOf(SQLException.class)
                    .hasMessageContaining("read-only");
            Canary.check(c, "SELECT * FROM items WHERE id = 7");
        }
        Canary writer = new Canary(db, List.of(), "UPDATE items SET v = v + 1", 50).start();
        Thread.sleep(400);
        writer.close();
        assertThat(writer.count()).isPositive();
        assertThat(writer.failures()).isEqualTo(writer.count());
        try (Connection c = db.open(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT sum(v) FROM items")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(500_500);
        }
    }
}
