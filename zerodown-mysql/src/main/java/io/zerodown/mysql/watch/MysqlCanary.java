package io.zerodown.mysql.watch;

import org.HdrHistogram.Histogram;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * What the application sees while a MySQL/MariaDB migration runs: on its own connection, every interval, a read of
 * one random row by primary key of each touched table (or a query the user gives), its latency recorded in an HDR
 * histogram (whole run) and in a window of recent probes (for the guard rails' p99).
 */
public final class MysqlCanary implements AutoCloseable {
    /** Opens the canary's own connection. */
    @FunctionalInterface
    public interface Connector {
        Connection open() throws SQLException;
    }

    private record Probe(String sql, long min, long max) {
    }

    private record Recent(long atNanos, long micros) {
    }

    private final Connector connector;
    private final List<String> tables;
    private final String probeSql;
    private final long intervalMs;
    private final Histogram histogram = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
    private final Deque<Recent> recent = new ArrayDeque<>();
    /** Every probe as {ms since the start, latency ms}, for the report's chart; an hour of probes at most. */
    private final List<double[]> samples = new ArrayList<>();
    private final long startedNanos = System.nanoTime();
    private String description = "primary-key reads of the touched tables";
    private volatile boolean running;
    private volatile long failures;
    private Thread thread;

    /**
     * @param tables     tables to read by primary key (in the connection's database); tables without a single-column
     *                   integer key are left out
     * @param probeSql   a query to run instead of the primary-key reads, or null
     * @param intervalMs time between two rounds of probes (100 ms in apply)
     */
    public MysqlCanary(Connector connector, List<String> tables, String probeSql, long intervalMs) {
        this.connector = connector;
        this.tables = List.copyOf(tables);
        this.probeSql = probeSql;
        this.intervalMs = intervalMs;
    }

    /** Opens the connection, prepares the probes and starts probing in a daemon thread. */
    public MysqlCanary start() throws SQLException {
        Connection c = connector.open();
        List<Probe> probes = new ArrayList<>();
        try {
            if (probeSql != null) {
                probes.add(new Probe(probeSql, 0, -1));
                description = probeSql;
            } else {
                for (String t : tables) {
                    Probe p = keyProbe(c, t);
                    if (p != null) {
                        probes.add(p);
                    }
                }
            }
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
        running = true;
        thread = new Thread(() -> loop(c, probes), "zerodown-canary");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    /** {@code SELECT * FROM t WHERE pk = ?} over the key's current range, or null without a single integer key. */
    private static Probe keyProbe(Connection c, String table) throws SQLException {
        String key = null;
        try (PreparedStatement ps = c.prepareStatement("SELECT s.COLUMN_NAME FROM information_schema.STATISTICS s "
                + "JOIN information_schema.COLUMNS k ON k.TABLE_SCHEMA = s.TABLE_SCHEMA AND k.TABLE_NAME = s.TABLE_NAME "
                + "AND k.COLUMN_NAME = s.COLUMN_NAME WHERE s.TABLE_SCHEMA = DATABASE() AND s.TABLE_NAME = ? "
                + "AND s.INDEX_NAME = 'PRIMARY' AND k.DATA_TYPE IN ('tinyint', 'smallint', 'mediumint', 'int', 'bigint') "
                + "AND (SELECT COUNT(*) FROM information_schema.STATISTICS p WHERE p.TABLE_SCHEMA = s.TABLE_SCHEMA "
                + "AND p.TABLE_NAME = s.TABLE_NAME AND p.INDEX_NAME = 'PRIMARY') = 1")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    key = rs.getString(1);
                }
            }
        }
        if (key == null) {
            return null;
        }
        String t = quote(table);
        String k = quote(key);
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT MIN(" + k + "), MAX(" + k + ") FROM " + t)) {
            rs.next();
            if (rs.getObject(1) == null) {
                return null;
            }
            return new Probe("SELECT * FROM " + t + " WHERE " + k + " = ?", rs.getLong(1), rs.getLong(2));
        }
    }

    private void loop(Connection c, List<Probe> probes) {
        try (c) {
            List<PreparedStatement> statements = new ArrayList<>();
            for (Probe p : probes) {
                statements.add(c.prepareStatement(p.sql()));
            }
            long next = System.nanoTime();
            while (running) {
                for (int i = 0; i < probes.size(); i++) {
                    probe(probes.get(i), statements.get(i));
                }
                next += intervalMs * 1_000_000;
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    TimeUnit.NANOSECONDS.sleep(sleep);
                } else {
                    next = System.nanoTime();
                }
            }
        } catch (SQLException | InterruptedException e) {
            // the canary ends with the run (or with its connection)
        }
    }

    private void probe(Probe p, PreparedStatement ps) {
        long t0 = System.nanoTime();
        try {
            if (p.max() >= p.min()) {
                ps.setLong(1, ThreadLocalRandom.current().nextLong(p.min(), p.max() + 1));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rs.getObject(1);
                }
            }
        } catch (SQLException e) {
            failures++;
        }
        long now = System.nanoTime();
        record((now - t0) / 1000, now);
    }

    private synchronized void record(long micros, long atNanos) {
        histogram.recordValue(Math.min(micros, histogram.getHighestTrackableValue()));
        recent.addLast(new Recent(atNanos, micros));
        if (samples.size() < 36_000) {
            samples.add(new double[] {(atNanos - startedNanos) / 1e6, micros / 1000.0});
        }
        // keep a minute of probes for recentP99Ms
        while (!recent.isEmpty() && atNanos - recent.peekFirst().atNanos() > 60_000_000_000L) {
            recent.removeFirst();
        }
    }

    /** p99 of the probes of the last {@code windowMs}, in ms; 0 when there are none. */
    public synchronized double recentP99Ms(long windowMs) {
        long from = System.nanoTime() - windowMs * 1_000_000;
        List<Long> window = new ArrayList<>();
        for (Recent r : recent) {
            if (r.atNanos() >= from) {
                window.add(r.micros());
            }
        }
        if (window.isEmpty()) {
            return 0;
        }
        window.sort(null);
        return window.get(Math.min(window.size() - 1, (int) Math.ceil(window.size() * 0.99) - 1)) / 1000.0;
    }

    public synchronized long count() {
        return histogram.getTotalCount();
    }

    public long failures() {
        return failures;
    }

    /** When this canary was created, on {@link System#nanoTime()}'s scale: its samples count from here. */
    public long startedNanos() {
        return startedNanos;
    }

    /** What it probes: the query given, or primary-key reads. */
    public String probeDescription() {
        return description;
    }

    /** Every probe so far as {ms since {@link #startedNanos()}, latency in ms}. */
    public synchronized List<double[]> samples() {
        return new ArrayList<>(samples);
    }

    /**
     * The latency histogram as buckets doubling from 0.25 ms: {upper bound in ms, probes in the bucket}, up to the
     * bucket of the slowest probe.
     */
    public synchronized List<double[]> buckets() {
        List<double[]> out = new ArrayList<>();
        if (histogram.getTotalCount() == 0) {
            return out;
        }
        for (org.HdrHistogram.HistogramIterationValue v : histogram.logarithmicBucketValues(250, 2)) {
            out.add(new double[] {v.getValueIteratedTo() / 1000.0, v.getCountAddedInThisIterationStep()});
        }
        return out;
    }

    /** p50, p90, p99, p99.9 and max of the whole run, in ms. */
    public synchronized Map<String, Double> percentiles() {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("p50", histogram.getValueAtPercentile(50) / 1000.0);
        out.put("p90", histogram.getValueAtPercentile(90) / 1000.0);
        out.put("p99", histogram.getValueAtPercentile(99) / 1000.0);
        out.put("p99.9", histogram.getValueAtPercentile(99.9) / 1000.0);
        out.put("max", histogram.getMaxValue() / 1000.0);
        return out;
    }

    @Override
    public void close() {
        running = false;
        if (thread != null) {
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String quote(String identifier) {
        return "`" + identifier.replace("`", "``") + "`";
    }
}
