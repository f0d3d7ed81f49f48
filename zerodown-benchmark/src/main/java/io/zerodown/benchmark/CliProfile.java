package io.zerodown.benchmark;

import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * Runs {@code io.zerodown.cli.Main} once in this JVM, exactly as the launcher would (report to stdout unless
 * {@code --sink} sends it to nothing), then prints to stderr where the process's time went: JVM start until
 * main(), the command itself, the main thread's CPU against the whole process's, the JIT compiler, GC and the
 * number of classes loaded. For class loading and verification times use HotSpot's perf counters instead
 * ({@code -XX:+PerfDataSaveToFile}, read with {@code jstat -snap}; profile-lint-cli.sh does that): they do not need
 * the management classes this wrapper loads.
 *
 * <pre>
 * java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -cp zerodown.jar:benchmarks.jar \
 *     io.zerodown.benchmark.CliProfile [--sink] lint --runner flyway DIR
 * </pre>
 * Put zerodown.jar first so every zerodown and JSqlParser class comes from the fat jar, as with {@code -jar}.
 */
public final class CliProfile {

    public static void main(String[] args) throws Exception {
        long atMain = ManagementFactory.getRuntimeMXBean().getUptime();
        boolean sink = args.length > 0 && args[0].equals("--sink");
        String[] cliArgs = sink ? Arrays.copyOfRange(args, 1, args.length) : args;
        PrintStream err = System.err;
        PrintStream out = sink ? new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8)
                : new PrintStream(new FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);

        long cpu0 = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        int code = io.zerodown.cli.Main.run(cliArgs, out, err);
        long t1 = System.nanoTime();
        long cpu1 = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        long uptime = ManagementFactory.getRuntimeMXBean().getUptime();

        long gcCount = 0;
        long gcMs = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcCount += Math.max(0, gc.getCollectionCount());
            gcMs += Math.max(0, gc.getCollectionTime());
        }
        long processCpuMs = -1;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            processCpuMs = os.getProcessCpuTime() / 1_000_000;
        }
        err.printf(Locale.ROOT, "%n--- CliProfile (exit %d)%n", code);
        err.printf(Locale.ROOT, "JVM start until main():   %6d ms%n", atMain);
        err.printf(Locale.ROOT, "Main.run (the command):   %6d ms wall, %d ms CPU on the main thread%n", (t1 - t0) / 1_000_000,
                (cpu1 - cpu0) / 1_000_000);
        err.printf(Locale.ROOT, "uptime at the end:        %6d ms; process CPU %d ms (all threads)%n", uptime, processCpuMs);
        err.printf(Locale.ROOT, "JIT compiler threads:     %6d ms%n", ManagementFactory.getCompilationMXBean().getTotalCompilationTime());
        err.printf(Locale.ROOT, "GC:                       %6d ms in %d collections%n", gcMs, gcCount);
        err.printf(Locale.ROOT, "classes loaded:           %6d%n", ManagementFactory.getClassLoadingMXBean().getTotalLoadedClassCount());
        err.flush();
        System.exit(code);
    }

    private CliProfile() {}
}
