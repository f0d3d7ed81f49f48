package io.zerodown.cli;

import io.zerodown.core.plan.MigrationPlan;
import io.zerodown.core.plan.Step;
import io.zerodown.postgres.apply.ApplyListener;
import io.zerodown.postgres.apply.PostgresConnections;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;

/**
 * Prints apply's progress: one line per step, a progress bar (rows, rows/s, ETA) for backfills and concurrent index
 * builds on a terminal, plain log lines every few seconds otherwise.
 */
final class ConsoleListener implements ApplyListener {
    private final PrintStream out;
    private final boolean terminal;
    private final PostgresConnections db;
    private ProgressBar bar;
    private long lastLine;
    private Thread indexPoller;
    private java.util.function.DoubleSupplier canaryP99 = () -> 0;
    private volatile long lastLagMs = -1;
    private int lockRetries;
    private long backfillStartMs;
    private String lastPause;
    private long lastPauseLine;

    /** Shows the canary's recent p99 beside backfill progress. */
    void canary(java.util.function.DoubleSupplier p99) {
        canaryP99 = p99;
    }

    ConsoleListener(PrintStream out, boolean terminal, PostgresConnections db) {
        this.out = out;
        this.terminal = terminal;
        this.db = db;
    }

    @Override
    public void log(String line) {
        out.println("  " + line);
    }

    @Override
    public void migrationStarted(MigrationPlan plan, boolean resumed) {
        out.println((resumed ? "resuming " : "applying ") + plan.file() + " (" + plan.steps().size() + " steps)");
    }

    @Override
    public void migrationFinished(MigrationPlan plan) {
        out.println("done " + plan.file());
    }

    @Override
    public void stepStarted(MigrationPlan plan, Step step) {
        out.println("  [" + step.index() + "] " + step.phase().name().toLowerCase() + ": " + step.description()
                + "  (" + step.lock() + ")");
    }

    @Override
    public void stepFinished(MigrationPlan plan, Step step, long millis) {
        out.println("      done in " + millis + " ms");
    }

    @Override
    public void lockRetry(Step step, int attempt, String reason) {
        lockRetries++;
        if (bar != null) {
            bar.setExtraMessage(barStatus(-1));
            return; // refreshed in place on the bar rather than a line per retry
        }
        out.println("      lock not granted within the timeout, retry " + attempt + " (" + reason + ")");
    }

    @Override
    public void replicaLag(long ms) {
        lastLagMs = ms;
    }

    @Override
    public void controlChanged(String what) {
        out.println("      control: " + what);
    }

    @Override
    public void contractPostponed(MigrationPlan plan, Step next) {
        out.println("  contract phase postponed before [" + next.index() + "] " + next.description()
                + ": run 'zerodown control proceed' (or press Proceed on the live page) to go on, 'zerodown control abort' to stop here");
    }

    /** The live figures of a plain progress line. */
    private String status(int batchSize) {
        return (batchSize >= 0 ? "batch " + batchSize + " · " : "")
                + (lastLagMs >= 0 ? "lag " + lastLagMs + " ms · " : "")
                + String.format(java.util.Locale.ROOT, "canary p99 %.1f ms · lock retries %d", canaryP99.getAsDouble(), lockRetries);
    }

    /** The same figures, short enough to sit beside the progress bar on one line. */
    private String barStatus(int batchSize) {
        return " " + (batchSize >= 0 ? "batch " + batchSize + " " : "") + (lastLagMs >= 0 ? "lag " + lastLagMs + "ms " : "")
                + String.format(java.util.Locale.ROOT, "p99 %.1fms retries %d", canaryP99.getAsDouble(), lockRetries);
    }

    /**
     * A pause is reported every 200 ms while it lasts: on a terminal it shows in place on the progress bar; a line is
     * printed when the reason changes (at most one every 2 s), and again every 30 s while it goes on.
     */
    @Override
    public void paused(String reason) {
        long now = System.currentTimeMillis();
        if (bar != null) bar.setExtraMessage(" PAUSED: " + reason);
        if (now - lastPauseLine > 2_000 && (!reason.equals(lastPause) || now - lastPauseLine > 30_000)) {
            out.println("      paused: " + reason);
            lastPause = reason;
            lastPauseLine = now;
        }
    }

    @Override
    public void backfillStarted(Step step, long estimatedRows) {
        backfillStartMs = System.currentTimeMillis();
        if (terminal) {
            bar = new ProgressBarBuilder().setTaskName("backfill").setInitialMax(Math.max(1, estimatedRows))
                    .setStyle(ProgressBarStyle.ASCII).setUnit(" rows", 1).showSpeed().setMaxRenderedLength(160)
                    .setSpeedUnit(java.time.temporal.ChronoUnit.SECONDS).continuousUpdate().build();
        }
    }

    @Override
    public void backfillProgress(Step step, long rowsDone, long estimatedRows, int batchSize) {
        if (bar != null) {
            if (rowsDone > bar.getMax()) bar.maxHint(rowsDone);
            bar.stepTo(rowsDone);
            bar.setExtraMessage(barStatus(batchSize));
        } else {
            long now = System.currentTimeMillis();
            if (now - lastLine > 5000) {
                double rate = rowsDone * 1000.0 / Math.max(1, now - backfillStartMs);
                String eta = rate > 0 && estimatedRows > rowsDone ? Math.round((estimatedRows - rowsDone) / rate) + " s" : "-";
                out.println(String.format(java.util.Locale.ROOT, "      backfill: %d of ~%d rows, %.0f rows/s, ETA %s, %s",
                        rowsDone, estimatedRows, rate, eta, status(batchSize)));
                lastLine = now;
            }
        }
    }

    @Override
    public void backfillFinished(Step step, long rowsDone) {
        if (bar != null) {
            bar.stepTo(rowsDone);
            bar.maxHint(rowsDone);
            bar.close();
            bar = null;
        }
        out.println("      backfilled " + rowsDone + " rows");
    }

    /** Polls pg_stat_progress_create_index on its own connection while a concurrent index builds. */
    @Override
    public void indexBuildStarted(Step step) {
        if (db == null) return;
        indexPoller = new Thread(() -> pollIndex(step), "zerodown-index-progress");
        indexPoller.setDaemon(true);
        indexPoller.start();
    }

    @Override
    public void indexBuildFinished(Step step) {
        if (indexPoller != null) {
            indexPoller.interrupt();
            try {
                indexPoller.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            indexPoller = null;
        }
    }

    private void pollIndex(Step step) {
        ProgressBar pb = null;
        try (Connection c = db.open();
             PreparedStatement ps = c.prepareStatement("SELECT phase, blocks_done, blocks_total, tuples_done, tuples_total "
                     + "FROM pg_stat_progress_create_index WHERE relid = to_regclass(?)")) {
            ps.setString(1, step.table() == null ? "" : step.table().toString());
            long lastPrint = 0;
            while (!Thread.currentThread().isInterrupted()) {
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        long total = Math.max(rs.getLong(3), rs.getLong(5));
                        long done = rs.getLong(3) > 0 ? rs.getLong(2) : rs.getLong(4);
                        if (terminal) {
                            if (pb == null && total > 0) {
                                pb = new ProgressBarBuilder().setTaskName("index").setInitialMax(total)
                                        .setStyle(ProgressBarStyle.ASCII).setMaxRenderedLength(100).build();
                            }
                            if (pb != null) {
                                pb.maxHint(Math.max(total, 1));
                                pb.stepTo(done);
                                pb.setExtraMessage(rs.getString(1));
                            }
                        } else if (System.currentTimeMillis() - lastPrint > 5000) {
                            out.println("      index build: " + rs.getString(1) + " " + done + "/" + total);
                            lastPrint = System.currentTimeMillis();
                        }
                    }
                }
                Thread.sleep(Duration.ofMillis(250).toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception ignored) {
            // progress is cosmetic; the build itself reports failures
        } finally {
            if (pb != null) pb.close();
        }
    }
}
