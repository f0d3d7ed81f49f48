package io.zerodown.postgres.watch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.zerodown.core.model.Name;
import io.zerodown.core.plan.MigrationPlan;
import io.zerodown.core.plan.Step;
import io.zerodown.core.watch.RunReportHtml;
import io.zerodown.postgres.apply.ApplyListener;
import io.zerodown.postgres.apply.PostgresConnections;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Records one apply run (plans, per-step timings, lock retries, backfill rows/s, pauses, the canary's latency, the
 * verification and the outcome) while passing every event on to another listener, and writes it as JSON and as a
 * self-contained HTML page with no outside resources.
 */
public final class RunReport implements ApplyListener {
    /** How often the canary probes, in ms. */
    private static final int CANARY_INTERVAL_MS = 100;
    private final ApplyListener delegate;
    private final PostgresConnections db;
    private final long started = System.currentTimeMillis();
    private final List<Map<String, Object>> steps = new ArrayList<>();
    private final List<Map<String, Object>> pauses = new ArrayList<>();
    private final List<String> plans = new ArrayList<>();
    private final List<String> verification = new ArrayList<>();
    private final Map<String, Map<String, Object>> open = new LinkedHashMap<>();
    private final List<Map<String, Object>> controls = new ArrayList<>();
    /** {ms since start, value} series for the charts; appended at most every 250 ms each. */
    private final List<double[]> lagSeries = new ArrayList<>();
    private final List<double[]> rowsPerSecondSeries = new ArrayList<>();
    private long lastLagSampleMs = -1_000;
    private long lastRateSampleMs;
    private long lastRateRows;
    private Canary canary;
    /** When the canary started, in ms since the run started: its samples are put on the run's time axis. */
    private long canaryOffsetMs;
    private LockWaits lockWaits;
    private volatile String waitingToProceed;
    /** The pause entry of a postponed contract phase, closed when its first step starts. */
    private Map<String, Object> contractWait;
    private java.util.function.Supplier<Map<String, Object>> settings = Map::of;
    private String canarySql;
    private String resumeCommand = "zerodown apply --url <url> <paths>";
    private String rollbackCommand = "zerodown rollback --url <url>";
    private String outcome = "running";
    private long maxLagMs;
    private String error;

    public RunReport(ApplyListener delegate, PostgresConnections db) {
        this.delegate = delegate;
        this.db = db;
    }

    private static String key(Step s) {
        return s.origin() + "#" + s.index();
    }

    @Override
    public void log(String line) {
        delegate.log(line);
    }

    @Override
    public void migrationStarted(MigrationPlan plan, boolean resumed) {
        plans.add(plan.file());
        // the whole plan up front, so the page can show it as a timeline
        synchronized (steps) {
            for (Step s : plan.steps()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("migration", plan.id());
                m.put("index", s.index());
                m.put("phase", s.phase().name().toLowerCase(Locale.ROOT));
                m.put("description", s.description());
                m.put("lock", s.lock());
                m.put("sql", s.sql());
                m.put("state", "pending");
                m.put("lockRetries", 0);
                steps.add(m);
                open.put(key(s), m);
            }
        }
        if (canary == null && db != null) {
            Set<Name> tables = new LinkedHashSet<>();
            for (Step s : plan.steps()) if (s.table() != null) tables.add(s.table());
            try {
                canaryOffsetMs = System.currentTimeMillis() - started;
                canary = new Canary(db, new ArrayList<>(tables), canarySql, CANARY_INTERVAL_MS).start();
            } catch (Exception e) {
                delegate.log("canary not started: " + e.getMessage());
            }
            try {
                lockWaits = new LockWaits(db).start();
            } catch (Exception e) {
                delegate.log("lock waits not watched: " + e.getMessage());
            }
        }
        delegate.migrationStarted(plan, resumed);
    }

    @Override
    public void migrationFinished(MigrationPlan plan) {
        delegate.migrationFinished(plan);
    }

    @Override
    public void stepStarted(MigrationPlan plan, Step step) {
        Map<String, Object> m = open.get(key(step));
        if (m == null) {
            m = new LinkedHashMap<>();
            m.put("migration", plan.id());
            m.put("index", step.index());
            m.put("phase", step.phase().name().toLowerCase(Locale.ROOT));
            m.put("description", step.description());
            m.put("lock", step.lock());
            m.put("sql", step.sql());
            m.put("lockRetries", 0);
            synchronized (steps) {
                steps.add(m);
            }
            open.put(key(step), m);
        }
        m.put("state", "running");
        m.put("startedMs", System.currentTimeMillis() - started);
        waitingToProceed = null;
        if (contractWait != null) {
            synchronized (pauses) {
                contractWait.put("lastMs", System.currentTimeMillis() - started);
            }
            contractWait = null;
        }
        currentStep = plan.id() + " #" + step.index() + " " + step.description();
        rowsDone = 0;
        rowsEstimate = 0;
        delegate.stepStarted(plan, step);
    }

    @Override
    public void stepFinished(MigrationPlan plan, Step step, long millis) {
        Map<String, Object> m = open.get(key(step));
        if (m != null) {
            m.put("millis", millis);
            m.put("state", "done");
        }
        delegate.stepFinished(plan, step, millis);
    }

    @Override
    public void lockRetry(Step step, int attempt, String reason) {
        Map<String, Object> m = open.get(key(step));
        if (m != null) {
            m.put("lockRetries", attempt);
            m.put("lastLockRetryReason", reason);
        }
        delegate.lockRetry(step, attempt, reason);
    }

    @Override
    public void indexBuildStarted(Step step) {
        if (db != null && step.table() != null) {
            Thread poller = new Thread(() -> pollIndexBuild(step), "zerodown-index-watch");
            poller.setDaemon(true);
            indexPoller = poller;
            poller.start();
        }
        delegate.indexBuildStarted(step);
    }

    @Override
    public void indexBuildFinished(Step step) {
        Thread poller = indexPoller;
        indexPoller = null;
        if (poller != null) {
            poller.interrupt();
            try {
                poller.join(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        indexBuild = null;
        delegate.indexBuildFinished(step);
    }

    /** Reads pg_stat_progress_create_index every 250 ms on its own connection while a concurrent index builds. */
    private void pollIndexBuild(Step step) {
        Name t = step.table();
        String table = (t.schema() == null ? "" : quote(t.schema()) + ".") + quote(t.name());
        try (java.sql.Connection c = db.open();
             java.sql.PreparedStatement ps = c.prepareStatement("SELECT phase, blocks_done, blocks_total, tuples_done, tuples_total "
                     + "FROM pg_stat_progress_create_index WHERE relid = to_regclass(?)")) {
            ps.setString(1, table);
            while (!Thread.currentThread().isInterrupted()) {
                try (java.sql.ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        Map<String, Object> p = new LinkedHashMap<>();
                        p.put("index", step.indexName());
                        p.put("phase", rs.getString(1));
                        p.put("blocksDone", rs.getLong(2));
                        p.put("blocksTotal", rs.getLong(3));
                        p.put("tuplesDone", rs.getLong(4));
                        p.put("tuplesTotal", rs.getLong(5));
                        indexBuild = p;
                    }
                }
                Thread.sleep(250);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.sql.SQLException e) {
            // progress is for watching only; the build reports its own failures
        }
    }

    private static String quote(String ident) {
        return "\"" + ident.replace("\"", "\"\"") + "\"";
    }

    @Override
    public void backfillStarted(Step step, long estimatedRows) {
        synchronized (rowsPerSecondSeries) {
            lastRateSampleMs = System.currentTimeMillis() - started;
            lastRateRows = 0;
        }
        delegate.backfillStarted(step, estimatedRows);
    }

    private volatile String currentStep;
    private volatile long rowsDone;
    private volatile long rowsEstimate;
    private volatile int batchSize;
    /** The running concurrent index build's progress (phase, blocks, tuples), or null. */
    private volatile Map<String, Object> indexBuild;
    private volatile Thread indexPoller;
    private volatile String pausedReason;
    private volatile long pausedAt;

    @Override
    public void backfillProgress(Step step, long rowsDone, long estimatedRows, int batchSize) {
        long now = System.currentTimeMillis() - started;
        synchronized (rowsPerSecondSeries) {
            if (rowsDone < lastRateRows) lastRateRows = 0; // a new backfill
            if (now - lastRateSampleMs >= 250) {
                double rate = (rowsDone - lastRateRows) * 1000.0 / Math.max(1, now - lastRateSampleMs);
                rowsPerSecondSeries.add(new double[] {now, Math.round(rate)});
                lastRateSampleMs = now;
                lastRateRows = rowsDone;
            }
        }
        this.rowsDone = rowsDone;
        this.rowsEstimate = estimatedRows;
        this.batchSize = batchSize;
        delegate.backfillProgress(step, rowsDone, estimatedRows, batchSize);
    }

    @Override
    public void backfillFinished(Step step, long rowsDone) {
        Map<String, Object> m = open.get(key(step));
        if (m != null) {
            m.put("rows", rowsDone);
            Object begun = m.get("startedMs");
            long ms = System.currentTimeMillis() - started - (begun == null ? 0 : ((Number) begun).longValue());
            m.put("rowsPerSecond", ms <= 0 ? rowsDone : Math.round(rowsDone * 1000.0 / ms));
        }
        delegate.backfillFinished(step, rowsDone);
    }

    /** Every replica-lag reading the run takes: the report's maximum and the lag chart. */
    @Override
    public void replicaLag(long ms) {
        long now = System.currentTimeMillis() - started;
        synchronized (lagSeries) {
            maxLagMs = Math.max(maxLagMs, ms);
            if (now - lastLagSampleMs >= 250) {
                lagSeries.add(new double[] {now, ms});
                lastLagSampleMs = now;
            }
        }
        delegate.replicaLag(ms);
    }

    @Override
    public void controlChanged(String what) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("atMs", System.currentTimeMillis() - started);
        p.put("what", what);
        synchronized (controls) {
            controls.add(p);
        }
        delegate.controlChanged(what);
    }

    @Override
    public void contractPostponed(MigrationPlan plan, Step next) {
        waitingToProceed = plan.id() + " #" + next.index() + " " + next.description();
        contractWait = recordPause("contract phase of " + plan.id() + " postponed before step " + next.index() + " '"
                + next.description() + "': waiting for 'zerodown control proceed'");
        delegate.contractPostponed(plan, next);
    }

    /** The canary's probe: this read (checked with Canary#check first) instead of primary-key reads on the touched tables. */
    public void canarySql(String sql) {
        this.canarySql = sql;
    }

    /** Where the live page and the report read the settings in force (GuardRails#settings). */
    public void settings(java.util.function.Supplier<Map<String, Object>> settings) {
        this.settings = settings;
    }

    /** The exact commands that resume or roll back this run, for the report's last section. */
    public void commands(String resume, String rollback) {
        this.resumeCommand = resume;
        this.rollbackCommand = rollback;
    }

    @Override
    public void paused(String reason) {
        recordPause(reason);
        delegate.paused(reason);
    }

    /** One entry per reason while it repeats (a pause is reported every 200 ms while it lasts), with how long it lasted. */
    private Map<String, Object> recordPause(String reason) {
        long now = System.currentTimeMillis() - started;
        Map<String, Object> entry = null;
        synchronized (pauses) {
            Map<String, Object> last = pauses.isEmpty() ? null : pauses.get(pauses.size() - 1);
            if (last != null && reason.equals(last.get("reason")) && now - ((Number) last.get("lastMs")).longValue() < 1_000) {
                last.put("lastMs", now);
                entry = last;
            } else if (pauses.size() < 1_000) {
                entry = new LinkedHashMap<>();
                entry.put("atMs", now);
                entry.put("lastMs", now);
                entry.put("reason", reason);
                pauses.add(entry);
            }
        }
        pausedReason = reason;
        pausedAt = System.currentTimeMillis();
        return entry;
    }

    /** The canary's p99 over the last 2 s (0 before it starts), for the latency guard rail. */
    public double canaryRecentP99Ms() {
        Canary c = canary;
        return c == null ? 0 : c.recentP99Ms(2000);
    }

    public void verification(List<String> lines) {
        verification.addAll(lines);
    }

    /** Ends the run: stops the canary and records the outcome. */
    public void finish(String outcome, String error) {
        this.outcome = outcome;
        this.error = error;
        this.waitingToProceed = null;
        if (canary != null) canary.close();
        if (lockWaits != null) lockWaits.close();
    }

    /** The live state for the web page: the report so far plus what runs now. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> live() {
        Map<String, Object> m = toMap();
        Map<String, Object> c = (Map<String, Object>) m.get("canary");
        if (c.get("samples") instanceof List<?> l) c.put("samples", peaks((List<double[]>) l, 600));
        m.put("currentStep", currentStep);
        m.put("rowsDone", rowsDone);
        m.put("rowsEstimate", rowsEstimate);
        m.put("batchSize", batchSize);
        m.put("indexBuild", indexBuild);
        m.put("canaryRecentP99Ms", canaryRecentP99Ms());
        m.put("waitingToProceed", waitingToProceed);
        // a pause is reported again every 200 ms while it lasts; older than a second means it is over
        m.put("pausedNow", pausedReason != null && System.currentTimeMillis() - pausedAt < 1_000 ? pausedReason : null);
        LockWaits w = lockWaits;
        m.put("lockWaits", w == null ? List.of() : w.current().stream().map(LockWaits.Wait::toMap).toList());
        // what the engine-neutral page offers: PostgreSQL's controls and settings
        m.put("settingNames", GuardRails.SETTINGS.stream().sorted().toList());
        m.put("controlsOffered", List.of("pause", "resume", "abort", "proceed"));
        m.put("proceedLabel", "Proceed with contract");
        return m;
    }

    /** At most {@code limit} points: the slowest of each run of consecutive points, so spikes stay visible. */
    static List<double[]> peaks(List<double[]> points, int limit) {
        if (points.size() <= limit) return points;
        int per = (points.size() + limit - 1) / limit;
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i < points.size(); i += per) {
            double[] top = points.get(i);
            for (int j = i + 1; j < Math.min(points.size(), i + per); j++) if (points.get(j)[1] > top[1]) top = points.get(j);
            out.add(top);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("startedAt", Instant.ofEpochMilli(started).toString());
        m.put("engine", "postgresql");
        m.put("database", db == null ? null : db.display());
        m.put("outcome", outcome);
        m.put("error", error);
        m.put("wallMs", System.currentTimeMillis() - started);
        m.put("migrations", plans);
        synchronized (steps) {
            List<Map<String, Object>> copy = new ArrayList<>();
            for (Map<String, Object> st : steps) copy.add(new LinkedHashMap<>(st));
            m.put("steps", copy);
        }
        m.put("lockRetries", ((List<Map<String, Object>>) m.get("steps")).stream().mapToInt(s -> ((Number) s.get("lockRetries")).intValue()).sum());
        synchronized (pauses) {
            List<Map<String, Object>> copy = new ArrayList<>();
            for (Map<String, Object> p : pauses) copy.add(new LinkedHashMap<>(p));
            m.put("pauses", copy);
        }
        synchronized (controls) {
            m.put("controls", new ArrayList<>(controls));
        }
        m.put("settings", settings.get());
        m.put("locksTaken", ((List<Map<String, Object>>) m.get("steps")).stream().map(s -> s.get("lock")).distinct().toList());
        synchronized (lagSeries) {
            m.put("maxReplicaLagMs", maxLagMs);
            m.put("replicaLag", new ArrayList<>(lagSeries));
        }
        synchronized (rowsPerSecondSeries) {
            m.put("rowsPerSecond", new ArrayList<>(rowsPerSecondSeries));
        }
        LockWaits w = lockWaits;
        m.put("lockWaitsSeen", w == null ? List.of() : w.seen().stream().map(LockWaits.Wait::toMap).toList());
        Map<String, Object> c = new LinkedHashMap<>();
        if (canary != null) {
            c.put("intervalMs", CANARY_INTERVAL_MS);
            c.put("probe", canarySql == null ? "primary-key reads of the touched tables" : canarySql);
            c.put("probes", canary.count());
            c.put("failures", canary.failures());
            c.put("p50Ms", canary.p50Ms());
            c.put("p99Ms", canary.p99Ms());
            c.put("maxMs", canary.maxMs());
            c.put("percentiles", canary.percentiles());
            c.put("histogram", canary.buckets());
            List<double[]> points = new ArrayList<>();
            for (Canary.Sample s : canary.samples()) points.add(new double[] {s.atMs() + canaryOffsetMs, s.latencyMs()});
            c.put("samples", points);
        }
        m.put("canary", c);
        m.put("verification", verification);
        m.put("resume", resumeCommand);
        m.put("rollback", rollbackCommand);
        return m;
    }

    /** Writes report-&lt;time&gt;.json and .html into {@code dir}; returns the HTML path. */
    public Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.ofEpochMilli(started));
        Map<String, Object> m = toMap();
        Path json = dir.resolve("apply-" + stamp + ".json");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), m);
        Path html = dir.resolve("apply-" + stamp + ".html");
        Files.writeString(html, RunReportHtml.render(m), StandardCharsets.UTF_8);
        return html;
    }
}
