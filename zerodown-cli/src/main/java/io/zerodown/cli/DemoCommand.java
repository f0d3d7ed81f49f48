package io.zerodown.cli;

import io.zerodown.postgres.workload.AppWorkload;
import io.zerodown.postgres.workload.NaiveVsZerodown;
import picocli.CommandLine;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;

@CommandLine.Command(name = "demo", sortOptions = false,
        description = {"Add a new column to a busy table twice, naively and with zerodown, under the same app workload and",
                "long-running transaction, and show what the app saw. Uses an embedded PostgreSQL unless --url is given."})
final class DemoCommand implements Callable<Integer> {

    @CommandLine.ParentCommand
    Main main;

    @CommandLine.Mixin
    Database.UrlOption url = new Database.UrlOption();

    @CommandLine.Option(names = "--rows", defaultValue = "1000000", description = "rows in the table (default: ${DEFAULT-VALUE})")
    long rows;

    @CommandLine.Option(names = "--rate", defaultValue = "400", description = "app requests per second (default: ${DEFAULT-VALUE})")
    int rate;

    @CommandLine.Option(names = "--connections", defaultValue = "4", description = "app connections (default: ${DEFAULT-VALUE})")
    int connections;

    @CommandLine.Option(names = "--long-transaction", defaultValue = "5000",
            description = "ms a reader keeps its transaction open as the migration starts (default: ${DEFAULT-VALUE})")
    long longTx;

    @Override
    public Integer call() throws Exception {
        PrintStream out = main.out;
        try (Database db = Database.open(url, true, main.err)) {
            out.println("database: " + db.connections.display());
            NaiveVsZerodown.Config cfg = new NaiveVsZerodown.Config(rows, connections, rate, longTx, 3000, 1000,
                    NaiveVsZerodown.Config.ADD_COLUMN);
            out.println("migration (the same for both runs):");
            for (String l : cfg.migration().replace("{table}", "<table>").strip().split("\n")) out.println("  " + l);
            List<NaiveVsZerodown.Run> runs = NaiveVsZerodown.run(db.connections, cfg, s -> out.println("  " + s));
            out.println();
            out.println("what the app saw (" + rate + " requests/s from " + connections + " connections, latency includes queueing):");
            out.printf("  %-26s %9s %9s %10s %8s %14s%n", "", "p50", "p99", "max", "errors", "migration");
            AppWorkload.Phase base = runs.get(0).baseline();
            row(out, "no migration", base, -1);
            for (NaiveVsZerodown.Run r : runs) {
                row(out, r.name().equals("naive") ? "naive (one transaction)" : "zerodown apply", r.during(), r.migrationMs());
                if (r.failure() != null) out.println("      migration failed: " + r.failure());
                if (r.during().firstError() != null) out.println("      first app error: " + r.during().firstError());
            }
            return 0;
        }
    }

    private static void row(PrintStream out, String name, AppWorkload.Phase p, long migrationMs) {
        out.printf("  %-26s %7.1f ms %7.1f ms %8.1f ms %8d %14s%n", name, p.p50Ms(), p.p99Ms(), p.maxMs(), p.errors(),
                migrationMs < 0 ? "-" : String.format("%.1f s", migrationMs / 1000.0));
    }
}
