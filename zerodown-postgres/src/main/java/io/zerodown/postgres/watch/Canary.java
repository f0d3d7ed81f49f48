package io.zerodown.postgres.watch;

import io.zerodown.core.model.Name;
import io.zerodown.postgres.apply.PostgresConnections;
import org.HdrHistogram.Histogram;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The app's-eye view of a migration: on its own connection, every interval it runs a primary-key read on each
 * watched table (or a probe query given by the user) and records the latency in an HDR histogram and a timeline.
 */
public final class Canary implements AutoCloseable {
    /** One probe: when it started (ms since the canary started) and how long it took. */
    public record Sample(long atMs, double latencyMs, boolean failed) {
    }

    private final PostgresConnections db;
    private final List<Name> tables;
    private final String probeSql;
    private final long intervalMs;
    private final Histogram histogram = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
    private final List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean running;
    private Thread thread;
    private long started;
    private volatile long failures;

    /**
     * @param tables     tables to read by primary key (the tables the migration touches)
     * @param probeSql   a query to run instead of the primary-key reads, or null
     * @param intervalMs time between probes (100 ms by default in apply)
     */
    public Canary(PostgresConnections db, List<Name> tables, String probeSql, long intervalMs) {
        this.db = db;
        this.tables = tables;
        this.probeSql = probeSql;
        this.intervalMs = intervalMs;
    }

    /**
     * Runs a user's probe SQL once in a read-only transaction, so a typo or a write is refused before apply starts.
     *
     * @throws SQLException from the server, when the probe cannot run
     */
    public static void check(Connection c, String probeSql) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.execute("SET TRANSACTION READ ONLY");
            st.execute("SET LOCAL statement_timeout = '10s'");
            st.execute(probeSql);
        } finally {
            c.rollback();
            c.setAutoCommit(auto);
        }
    }

    public Canary start() throws SQLException {
        Connection c = db.open();
        try (Statement st = c.createStatement()) {
            st.execute("SET application_name = 'zerodown-canary'");
            // the probe only reads (a user's probe SQL included), and one stuck probe cannot stall the canary for long
            st.execute("SET default_transaction_read_only = on");
            st.execute("SET statement_timeout = '10s'");
        }
        List<String[]> probes = new ArrayList<>();
        if (probeSql != null) {
            probes.add(new String[] {probeSql, null, null});
        } else {
            for (Name t : tables) {
                String[] p = pkProbe(c, t);
                if (p != null) probes.add(p);
            }
        }
        running = true;
        started = System.nanoTime();
        thread = new Thread(() -> loop(c, probes), "zerodown-canary");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    /** "SELECT * FROM t WHERE pk = ?" with the key range to draw from, or null when the table has no integer key. */
    private static String[] pkProbe(Connection c, Name t) throws SQLException {
        String qt = t.schema() == null ? quote(t.name()) : quote(t.schema()) + "." + quote(t.name());
        String key = null;
        try (PreparedStatement ps = c.prepareStatement("SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                + "AND a.attnum = i.indkey[0] WHERE i.indrelid = to_regclass(?) AND i.indisprimary AND i.indnatts = 1 "
                + "AND a.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype)")) {
            ps.setString(1, qt);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) key = rs.getString(1);
            }
        }
        if (key == null) return null;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT min(" + quote(key) + "), max(" + quote(key)
                + ") FROM " + qt)) {
            rs.next();
            if (rs.getObject(1) == null) return null;
            return new String[] {"SELECT * FROM " + qt + " WHERE " + quote(key) + " = ?", rs.getString(1), rs.getString(2)};
        }
    }

    private void loop(Connection c, List<String[]> probes) {
        try (c) {
            List<PreparedStatement> statements = new ArrayList<>();
            for (String[] p : probes) statements.add(c.prepareStatement(p[0]));
            long next = System.nanoTime();
            while (running) {
                for (int i = 0; i < probes.size(); i++) {
                    String[] p = probes.get(i);
                    PreparedStatement ps = statements.get(i);
                    long t0 = System.nanoTime();
                    boolean failed = false;
                    try {
                        if (p[1] != null) ps.setLong(1, ThreadLocalRandom.current().nextLong(Long.parseLong(p[1]), Long.parseLong(p[2]) + 1));
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                rs.getObject(1);
                            }
                        }
                    } catch (SQLException e) {
                        failed = true;
                        failures++;
                    }
                    long micros = (System.nanoTime() - t0) / 1000;
                    synchronized (histogram) {
                        histogram.recordValue(Math.min(micros, histogram.getHighestTrackableValue()));
                    }
                    samples.add(new Sample((t0 - started) / 1_000_000, micros / 1000.0, failed));
                }
                next += intervalMs * 1_000_000;
                long sleep = next - System.nanoTime();
                if (sleep > 0) TimeUnit.NANOSECONDS.sleep(sleep);
                else next = System.nanoTime();
            }
        } catch (SQLException | InterruptedException e) {
            // the canary ends with the run
        }
    }

    public double p50Ms() {
        synchronized (histogram) {
            return histogram.getValueAtPercentile(50) / 1000.0;
        }
    }

    public double p99Ms() {
        synchronized (histogram) {
            return histogram.getValueAtPercentile(99) / 1000.0;
        }
    }

    public double maxMs() {
        synchronized (histogram) {
            return histogram.getMaxValue() / 1000.0;
        }
    }

    public long count() {
        synchronized (histogram) {
            return histogram.getTotalCount();
        }
    }

    /** p99 of the probes of the last {@code windowMs}, 0 when there are none. */
    public double recentP99Ms(long windowMs) {
        long now = (System.nanoTime() - started) / 1_000_000;
        List<Double> recent = new ArrayList<>();
        synchronized (samples) {
            for (int i = samples.size() - 1; i >= 0 && samples.get(i).atMs() >= now - windowMs; i--) recent.add(samples.get(i).latencyMs());
        }
        if (recent.isEmpty()) return 0;
        Collections.sort(recent);
        return recent.get(Math.min(recent.size() - 1, (int) Math.ceil(recent.size() * 0.99) - 1));
    }

    /** p50 to p99.99 and max, in ms, for the report's histogram table. */
    public java.util.Map<String, Double> percentiles() {
        java.util.Map<String, Double> out = new java.util.LinkedHashMap<>();
        synchronized (histogram) {
            for (double p : new double[] {50, 90, 99, 99.9, 99.99}) {
                out.put("p" + (p == Math.floor(p) ? String.valueOf((int) p) : String.valueOf(p)), histogram.getValueAtPercentile(p) / 1000.0);
            }
            out.put("max", histogram.getMaxValue() / 1000.0);
        }
        return out;
    }

    /**
     * The latency histogram as buckets doubling from 0.25 ms: each entry is {upper bound in ms, probes in the bucket},
     * up to the bucket of the slowest probe, for the report's histogram chart.
     */
    public List<double[]> buckets() {
        List<double[]> out = new ArrayList<>();
        synchronized (histogram) {
            if (histogram.getTotalCount() == 0) return out;
            for (org.HdrHistogram.HistogramIterationValue v : histogram.logarithmicBucketValues(250, 2)) {
                out.add(new double[] {v.getValueIteratedTo() / 1000.0, v.getCountAddedInThisIterationStep()});
            }
        }
        return out;
    }

    public long failures() {
        return failures;
    }

    public List<Sample> samples() {
        synchronized (samples) {
            return new ArrayList<>(samples);
        }
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

    private static String quote(String ident) {
        return "\"" + ident.replace("\"", "\"\"") + "\"";
    }
}
