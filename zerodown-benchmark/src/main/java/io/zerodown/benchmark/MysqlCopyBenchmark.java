package io.zerodown.benchmark;

import io.zerodown.core.source.MigrationScanner;
import io.zerodown.mysql.apply.MysqlApplier;
import io.zerodown.mysql.apply.MysqlConnections;
import io.zerodown.postgres.workload.AppWorkload;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The MySQL/MariaDB benchmark: a type change that needs a copy, on a table of N rows under a fixed-rate app workload,
 * three ways in one run, each on a fresh identical table: the ALTER run directly, zerodown apply (online copy), and
 * pt-online-schema-change with its defaults. Usage: {@code MysqlCopyBenchmark [mysql-url] [rows]
 * [rate] [ways]} (ways: comma-separated prefixes of the way names, all by default); zerodown's apply log goes to stderr.
 */
public final class MysqlCopyBenchmark {
    private static final String ALTER = "MODIFY amount decimal(14,2) NOT NULL DEFAULT 0";

    private MysqlCopyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String url = args.length > 0 ? args[0] : "mysql://root@127.0.0.1:3306/test";
        long rows = args.length > 1 ? Long.parseLong(args[1]) : 2_000_000;
        int rate = args.length > 2 ? Integer.parseInt(args[2]) : 400;
        // optional 4th argument: which ways to run, comma-separated prefixes ("zerodown", "pt"); all three by default
        List<String> only = args.length > 3 ? List.of(args[3].split(",")) : List.of("");
        MysqlConnections admin = MysqlConnections.parse(url);
        String db = "zd_bench_" + Long.toHexString(System.currentTimeMillis());
        String version;
        try (Connection c = admin.open(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + db);
            try (ResultSet rs = st.executeQuery("SELECT VERSION(), @@innodb_autoinc_lock_mode")) {
                rs.next();
                version = rs.getString(1) + ", innodb_autoinc_lock_mode=" + rs.getInt(2);
            }
        }
        MysqlConnections conn = MysqlConnections.parse(url.replaceFirst("/[^/?]+(\\?|$)", "/" + db + "$1"));
        System.out.println("## Type change with a copy: " + version + ", " + rows + " rows, app " + rate + " req/s from 4 connections");
        System.out.println();
        System.out.println("`ALTER TABLE orders " + ALTER + "` (DECIMAL(12,2) → (14,2): COPY on this server)");
        System.out.println();
        System.out.println("| way | app p50 | p99 | p99.9 | max | errors | requests | wall time | server CPU |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (String way : new String[] {"direct ALTER", "zerodown apply", "pt-online-schema-change"}) {
            if (only.stream().noneMatch(way::startsWith)) continue;
            load(conn, rows);
            try (AppWorkload app = new AppWorkload(conn::open, "orders", 4, rate, rows)) {
                app.start("before");
                Thread.sleep(3000);
                AppWorkload.Phase during = app.phase("during");
                long t0 = System.currentTimeMillis();
                double cpu0 = serverCpuSeconds();
                String failure = null;
                try {
                    run(way, conn, db);
                } catch (Exception e) {
                    failure = e.getMessage() == null ? e.toString() : e.getMessage().split("\n")[0];
                }
                long ms = System.currentTimeMillis() - t0;
                double cpu = serverCpuSeconds() - cpu0;
                Thread.sleep(1000);
                app.phase("after");
                System.out.printf(Locale.ROOT, "| %s | %.2f ms | %.2f ms | %.2f ms | %.1f ms | %d | %d | %.2f s%s | %s |%n", way,
                        during.p50Ms(), during.p99Ms(), during.p999Ms(), during.maxMs(), during.errors(), during.count(), ms / 1000.0,
                        failure == null ? "" : " (failed: " + failure + ")",
                        Double.isNaN(cpu) ? "n/a" : String.format(Locale.ROOT, "%.2f s", cpu));
                if (during.firstError() != null) System.out.println("<!-- first app error: " + during.firstError() + " -->");
            }
        }
        try (Connection c = admin.open(); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE " + db);
        }
    }

    /**
     * CPU seconds (user + system) the local mariadbd/mysqld process has used so far, from /proc; NaN when the server is
     * not a process on this machine. On a machine shared with other work the wall time varies with their load, while
     * the server's CPU for the same work does not, so this shows what each way costs the server (the app's share
     * during the run included).
     */
    private static double serverCpuSeconds() {
        var server = ProcessHandle.allProcesses().filter(p -> p.info().command()
                .map(c -> c.endsWith("/mariadbd") || c.endsWith("/mysqld")).orElse(false)).findFirst();
        if (server.isEmpty()) return Double.NaN;
        try {
            String stat = Files.readString(Path.of("/proc/" + server.get().pid() + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields 14 and 15 of stat (utime, stime) in clock ticks; after the ")" the list starts at field 3
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    private static void load(MysqlConnections conn, long rows) throws Exception {
        try (Connection c = conn.open(); Statement st = c.createStatement()) {
            for (String t : new String[] {"orders", "_orders_zdold", "_orders_zdnew", "_orders_old", "_orders_new",
                    "zerodown_steps", "zerodown_migrations"}) {
                st.execute("DROP TABLE IF EXISTS `" + t + "`");
            }
            st.execute("CREATE TABLE orders (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, email varchar(100) NOT NULL, "
                    + "name varchar(100), amount decimal(12,2) NOT NULL DEFAULT 0) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
            st.execute("INSERT INTO orders (email, name, amount) SELECT CONCAT('u', seq, '@example.org'), CONCAT('n', seq), "
                    + "seq % 1000 FROM seq_1_to_" + rows);
            st.execute("ANALYZE TABLE orders");
        }
    }

    private static void run(String way, MysqlConnections conn, String db) throws Exception {
        switch (way) {
            case "direct ALTER" -> {
                try (Connection c = conn.open(); Statement st = c.createStatement()) {
                    st.execute("ALTER TABLE orders " + ALTER);
                }
            }
            case "zerodown apply" -> {
                Path dir = Files.createTempDirectory("zd-mysql-bench");
                Files.writeString(dir.resolve("V1__type.sql"), "ALTER TABLE orders " + ALTER + ";");
                new MysqlApplier(conn, MysqlApplier.Options.defaults(), line -> System.err.printf(Locale.ROOT, "  zerodown %tT.%<tL: %s%n", System.currentTimeMillis(), line))
                        .apply(MigrationScanner.standard().scan(List.of(dir)));
            }
            default -> {
                Process p = new ProcessBuilder("pt-online-schema-change", "--alter", ALTER, "--execute", "--no-check-unique-key-change",
                        "--recursion-method", "none", "--no-check-replication-filters", "D=" + db + ",t=orders,h=127.0.0.1,u=root")
                        .redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes());
                if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new IllegalStateException("pt-online-schema-change failed: " + out.lines().reduce((a, b) -> b).orElse(""));
                }
            }
        }
    }
}
