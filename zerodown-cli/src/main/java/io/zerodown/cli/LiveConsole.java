package io.zerodown.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The terminal view of a run whose live state is a map (the MySQL/MariaDB run report's {@code live()}): log lines as
 * they come, and for a copy or a backfill a progress bar refreshed in place (rows, rows/s, ETA, chunk size, replica
 * lag, the canary's recent p99, lock retries, a pause and its reason). When stdout is not a terminal the same figures
 * go out as a plain line every 5 s, and a pause as one line when its reason changes.
 */
final class LiveConsole implements AutoCloseable {
    private static final long PLAIN_EVERY_MS = 5_000;
    private final PrintStream out;
    private final boolean terminal;
    private final Supplier<Map<String, Object>> state;
    private final Thread poller;
    private volatile boolean running = true;
    private ProgressBar bar;
    private String barStep;
    private long lastPlain;
    private String lastPause;

    LiveConsole(PrintStream out, boolean terminal, Supplier<Map<String, Object>> state) {
        this.out = out;
        this.terminal = terminal;
        this.state = state;
        poller = new Thread(this::loop, "zerodown-console");
        poller.setDaemon(true);
    }

    LiveConsole start() {
        poller.start();
        return this;
    }

    /** A log line of the run. */
    synchronized void log(String line) {
        out.println("  " + line);
    }

    private void loop() {
        while (running) {
            try {
                refresh(state.get());
            } catch (RuntimeException e) {
                // the view is cosmetic: a bad read must not stop the run
            }
            try {
                Thread.sleep(terminal ? 250 : 500);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One refresh from the live state; package-private so a test can drive it without a thread. */
    synchronized void refresh(Map<String, Object> s) {
        String step = (String) s.get("currentStep");
        long done = number(s.get("rowsDone")).longValue();
        long estimate = number(s.get("rowsEstimate")).longValue();
        boolean rows = step != null && estimate > 0;
        if (bar != null && (!rows || !step.equals(barStep))) {
            closeBar();
        }
        String pause = (String) s.get("pausedNow");
        if (!terminal && pause != null && !pause.equals(lastPause)) {
            out.println("      paused: " + pause);
        }
        lastPause = pause;
        if (!rows) {
            return;
        }
        if (terminal) {
            if (bar == null) {
                bar = new ProgressBarBuilder().setTaskName(step.contains("backfill") ? "backfill" : "copy")
                        .setInitialMax(Math.max(1, estimate)).setStyle(ProgressBarStyle.ASCII).setUnit(" rows", 1)
                        .showSpeed().setSpeedUnit(java.time.temporal.ChronoUnit.SECONDS).setMaxRenderedLength(160)
                        .continuousUpdate().build();
                barStep = step;
            }
            if (estimate > bar.getMax()) {
                bar.maxHint(estimate);
            }
            bar.stepTo(done);
            bar.setExtraMessage(pause != null ? " PAUSED: " + pause : " " + figures(s, true));
            return;
        }
        long now = System.currentTimeMillis();
        if (now - lastPlain >= PLAIN_EVERY_MS) {
            lastPlain = now;
            double rate = lastRate(s);
            String eta = rate > 0 && estimate > done ? Math.round((estimate - done) / rate) + " s" : "-";
            out.println(String.format(Locale.ROOT, "      %s: %d of ~%d rows (%.0f%%), %.0f rows/s, ETA %s, %s", step, done,
                    estimate, 100.0 * done / Math.max(1, estimate), rate, eta, figures(s, false)));
        }
    }

    /** Chunk size, replica lag, canary p99 and lock retries; short for the bar, spelt out for a plain line. */
    static String figures(Map<String, Object> s, boolean shortForm) {
        long chunk = number(s.get("batchSize")).longValue();
        long lag = number(s.get("maxReplicaLagMs")).longValue();
        List<?> lagSeries = s.get("replicaLag") instanceof List<?> l ? l : List.of();
        long lagNow = lagSeries.isEmpty() ? -1 : Math.round(((double[]) lagSeries.get(lagSeries.size() - 1))[1]);
        double p99 = number(s.get("canaryRecentP99Ms")).doubleValue();
        long retries = number(s.get("lockRetries")).longValue();
        if (shortForm) {
            return "chunk " + chunk + (lagNow >= 0 ? " lag " + lagNow + "ms" : "")
                    + String.format(Locale.ROOT, " p99 %.1fms retries %d", p99, retries);
        }
        return "chunk " + chunk + " rows · " + (lagNow >= 0 ? "replica lag " + lagNow + " ms (max " + lag + " ms) · " : "")
                + String.format(Locale.ROOT, "canary p99 %.1f ms · lock retries %d", p99, retries);
    }

    /** The newest rows/s point of the run's series, 0 without one. */
    private static double lastRate(Map<String, Object> s) {
        List<?> rate = s.get("rowsPerSecond") instanceof List<?> l ? l : List.of();
        return rate.isEmpty() ? 0 : ((double[]) rate.get(rate.size() - 1))[1];
    }

    private static Number number(Object o) {
        return o instanceof Number n ? n : 0;
    }

    private void closeBar() {
        if (bar != null) {
            bar.close();
            bar = null;
            barStep = null;
        }
    }

    @Override
    public void close() {
        running = false;
        poller.interrupt();
        try {
            poller.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            closeBar();
        }
    }
}
