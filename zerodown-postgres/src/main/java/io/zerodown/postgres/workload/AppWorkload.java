package io.zerodown.postgres.workload;

import io.zerodown.postgres.apply.PostgresConnections;
import org.HdrHistogram.Histogram;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An application's traffic at a fixed rate (open loop) from a fixed pool of connections: 50 % primary-key reads,
 * 30 % primary-key updates, 20 % inserts. Latency is measured from when a request was due, so time spent queued behind
 * a blocked connection counts, as the app would see it. Each phase records into its own HDR histogram.
 */
public final class AppWorkload implements AutoCloseable {
    /** Opens one app connection. */
    @FunctionalInterface
    public interface ConnectionSource {
        Connection open() throws SQLException;
    }

    private final ConnectionSource db;
    private final String table;
    private final int connections;
    private final int ratePerSecond;
    private final long maxId;
    private final BlockingQueue<Long> due = new ArrayBlockingQueue<>(1_000_000);
    private final List<Thread> threads = new ArrayList<>();
    private final Object lock = new Object();
    private volatile boolean running;
    private Phase current;
    private final List<Phase> phases = new ArrayList<>();
    private final AtomicLong dropped = new AtomicLong();

    /** Results of one phase. */
    public static final class Phase {
        public final String name;
        final Histogram histogram = new Histogram(TimeUnit.MINUTES.toMicros(5), 3);
        final AtomicLong errors = new AtomicLong();
        volatile String firstError;
        long startedNanos;
        long endedNanos;

        Phase(String name) {
            this.name = name;
        }

        public long count() {
            return histogram.getTotalCount();
        }

        public double p50Ms() {
            return histogram.getValueAtPercentile(50) / 1000.0;
        }

        public double p99Ms() {
            return histogram.getValueAtPercentile(99) / 1000.0;
        }

        public double p999Ms() {
            return histogram.getValueAtPercentile(99.9) / 1000.0;
        }

        public double maxMs() {
            return histogram.getMaxValue() / 1000.0;
        }

        public long errors() {
            return errors.get();
        }

        public String firstError() {
            return firstError;
        }

        public double seconds() {
            return ((endedNanos == 0 ? System.nanoTime() : endedNanos) - startedNanos) / 1e9;
        }
    }

    public AppWorkload(PostgresConnections db, String table, int connections, int ratePerSecond, long maxId) {
        this(db::open, table, connections, ratePerSecond, maxId);
    }

    /** For any database whose table has {@code id}, {@code email} and {@code name} columns (MySQL and MariaDB too). */
    public AppWorkload(ConnectionSource db, String table, int connections, int ratePerSecond, long maxId) {
        this.db = db;
        this.table = table;
        this.connections = connections;
        this.ratePerSecond = ratePerSecond;
        this.maxId = maxId;
    }

    public AppWorkload start(String firstPhase) throws SQLException {
        phase(firstPhase);
        running = true;
        for (int i = 0; i < connections; i++) {
            Connection c = db.open();
            if (c.getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT).contains("postgres")) {
                try (Statement st = c.createStatement()) {
                    st.execute("SET application_name = 'app'");
                }
            }
            Thread t = new Thread(() -> work(c), "app-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        Thread pacer = new Thread(this::pace, "app-pacer");
        pacer.setDaemon(true);
        threads.add(pacer);
        pacer.start();
        return this;
    }

    /** Ends the current phase and starts recording into a new one. */
    public Phase phase(String name) {
        synchronized (lock) {
            Phase p = new Phase(name);
            p.startedNanos = System.nanoTime();
            if (current != null) current.endedNanos = p.startedNanos;
            current = p;
            phases.add(p);
            return p;
        }
    }

    public List<Phase> phases() {
        return phases;
    }

    public Phase find(String name) {
        for (Phase p : phases) if (p.name.equals(name)) return p;
        return null;
    }

    /** Requests that could not even be queued (the queue was full): a sign the app was stalled for very long. */
    public long dropped() {
        return dropped.get();
    }

    private void pace() {
        long interval = 1_000_000_000L / ratePerSecond;
        long next = System.nanoTime();
        while (running) {
            long now = System.nanoTime();
            while (next <= now) {
                if (!due.offer(next)) dropped.incrementAndGet();
                next += interval;
            }
            long sleep = next - System.nanoTime();
            if (sleep > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(Math.min(sleep, 1_000_000));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private void work(Connection c) {
        String t = table;
        try (PreparedStatement read = c.prepareStatement("SELECT id, email, name FROM " + t + " WHERE id = ?");
             PreparedStatement update = c.prepareStatement("UPDATE " + t + " SET name = ? WHERE id = ?");
             PreparedStatement insert = c.prepareStatement("INSERT INTO " + t + " (email, name) VALUES (?, ?)")) {
            while (running) {
                Long dueAt = due.poll(50, TimeUnit.MILLISECONDS);
                if (dueAt == null) continue;
                Phase phase;
                synchronized (lock) {
                    phase = current;
                }
                int op = ThreadLocalRandom.current().nextInt(100);
                long id = 1 + ThreadLocalRandom.current().nextLong(maxId);
                try {
                    if (op < 50) {
                        read.setLong(1, id);
                        try (ResultSet rs = read.executeQuery()) {
                            while (rs.next()) {
                                rs.getString(2);
                            }
                        }
                    } else if (op < 80) {
                        update.setString(1, "n" + id);
                        update.setLong(2, id);
                        update.executeUpdate();
                    } else {
                        insert.setString(1, "app" + id + "@example.org");
                        insert.setString(2, "new");
                        insert.executeUpdate();
                    }
                } catch (SQLException e) {
                    phase.errors.incrementAndGet();
                    if (phase.firstError == null) phase.firstError = e.getSQLState() + " " + e.getMessage().split("\n")[0];
                }
                long micros = (System.nanoTime() - dueAt) / 1000;
                synchronized (phase.histogram) {
                    phase.histogram.recordValue(Math.min(micros, phase.histogram.getHighestTrackableValue()));
                }
            }
        } catch (SQLException | InterruptedException e) {
            // the workload is ending
        } finally {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing
            }
        }
    }

    @Override
    public void close() {
        running = false;
        synchronized (lock) {
            if (current != null && current.endedNanos == 0) current.endedNanos = System.nanoTime();
        }
        for (Thread t : threads) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
