package io.zerodown.cli;

import io.zerodown.api.ZerodownException;
import io.zerodown.postgres.apply.PostgresApplier;
import io.zerodown.postgres.watch.GuardRails;
import picocli.CommandLine;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@CommandLine.Command(name = "control", description = {"Steer a running apply from another terminal:",
        "  pause | resume | abort   backfills stop between two batches and steps wait; an abort leaves a state that apply resumes",
        "  proceed                  run the contract phase that apply --postpone-contract holds back (PostgreSQL),",
        "                           or the cut-over that apply --postpone-cut-over holds back (MySQL/MariaDB)",
        "  set NAME VALUE           change a setting of the running apply: batch-time, max-replica-lag, canary-pause,",
        "                           canary-abort (durations: 50ms, 2s, 1.5s); on MySQL/MariaDB also max-lock-wait",
        "                           and max-threads-running (a count)",
        "The running apply picks each command up within about 100 ms (between batches, or before its next step)."})
final class ControlCommand implements Callable<Integer> {

    @CommandLine.ParentCommand
    Main main;

    @CommandLine.Mixin
    Database.UrlOption url = new Database.UrlOption();

    @CommandLine.Parameters(index = "0", paramLabel = "ACTION", description = "pause, resume, abort, proceed or set")
    String action;

    @CommandLine.Parameters(index = "1..*", arity = "0..2", paramLabel = "ARG", description = "for set: NAME DURATION")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        boolean set = action.equals("set");
        if (!set && !List.of("pause", "resume", "abort", "proceed").contains(action)) {
            throw new ZerodownException("unknown action '" + action + "': use pause, resume, abort, proceed or set NAME DURATION");
        }
        if (set && args.size() != 2) {
            throw new ZerodownException("set needs a setting and a value, e.g. 'zerodown control set batch-time 50ms' (settings: "
                    + String.join(", ", GuardRails.SETTINGS.stream().sorted().toList()) + "; on MySQL/MariaDB: "
                    + String.join(", ", io.zerodown.mysql.watch.MysqlControl.SETTINGS) + ")");
        }
        if (!set && !args.isEmpty()) {
            throw new ZerodownException(action + " takes no argument (got '" + String.join(" ", args) + "')");
        }
        String u = url.resolved();
        if (u != null && io.zerodown.mysql.apply.MysqlConnections.accepts(u)) return mysql(u, set);
        try (Database db = Database.open(url, false, main.err); Connection c = db.connections.open()) {
            String running = PostgresApplier.runningApply(c);
            if (set) {
                long ms;
                try {
                    ms = GuardRails.set(c, args.get(0), args.get(1));
                } catch (IllegalArgumentException e) {
                    throw new ZerodownException(e.getMessage());
                }
                main.out.println("set " + args.get(0) + " to " + ms + " ms for the apply running on this database");
            } else {
                GuardRails.command(c, action);
                main.out.println("sent " + action + " to the apply running on this database");
            }
            if (running == null) {
                main.err.println("zerodown: warning: no apply is running on this database now; a new apply starts by forgetting "
                        + "earlier commands, so this one has no effect");
                return 1;
            }
        }
        return 0;
    }

    /**
     * MySQL/MariaDB: pause, resume, abort, proceed and set through the zerodown_control table of the migrated
     * database. A proceed reaches an apply that waits at a postponed cut-over with its guard rails on; without one,
     * apply run again without --postpone-cut-over finishes the cut-over.
     */
    private int mysql(String u, boolean set) throws Exception {
        io.zerodown.mysql.apply.MysqlConnections db = io.zerodown.mysql.apply.MysqlConnections.parse(u);
        try (Connection c = db.open()) {
            boolean running = io.zerodown.mysql.watch.MysqlControl.applyRunning(c, db.database());
            if (set) {
                String name = args.get(0);
                long value;
                try {
                    value = io.zerodown.mysql.watch.MysqlControl.set(c, name, args.get(1));
                } catch (IllegalArgumentException e) {
                    throw new ZerodownException(e.getMessage());
                }
                main.out.println("set " + name + " to " + value + (name.trim().equalsIgnoreCase("max-threads-running") ? "" : " ms")
                        + " for the apply running on " + db.display());
            } else {
                io.zerodown.mysql.watch.MysqlControl.command(c, action);
                main.out.println("sent " + action + " to the apply running on " + db.display());
            }
            if (!running) {
                main.err.println("zerodown: warning: no apply is running on this database now; a new apply starts by forgetting "
                        + "earlier commands, so this one has no effect");
                return 1;
            }
        }
        return 0;
    }
}
