package io.zerodown.cli;

import io.zerodown.postgres.apply.ApplyOptions;
import io.zerodown.postgres.apply.PostgresRollback;
import picocli.CommandLine;

import java.util.List;
import java.util.concurrent.Callable;

@CommandLine.Command(name = "rollback", description = "Undo the completed steps of the in-flight or failed migration (or the one "
        + "named), newest first; refuses, changing nothing, when a step cannot be undone without losing data. When a versioned "
        + "migration (zerodown start) is in flight, undoes the newest one's start, keeping the rows both versions wrote.")
final class RollbackCommand implements Callable<Integer> {

    @CommandLine.ParentCommand
    Main main;

    @CommandLine.Mixin
    Database.UrlOption url = new Database.UrlOption();

    @CommandLine.Option(names = "--migration", paramLabel = "ID", description = "the migration to undo (default: the one in flight)")
    String migration;

    @Override
    public Integer call() throws Exception {
        String u = url.resolved();
        if (u != null && io.zerodown.mysql.apply.MysqlConnections.accepts(u)) {
            List<String> undone = new io.zerodown.mysql.apply.MysqlApplier(io.zerodown.mysql.apply.MysqlConnections.parse(u),
                    io.zerodown.mysql.apply.MysqlApplier.Options.defaults(), s -> main.out.println("  " + s)).rollback(migration);
            main.out.println("rolled back: " + undone.size() + " step(s) undone");
            return 0;
        }
        try (Database db = Database.open(url, false, main.err)) {
            if (versionedInFlight(db, migration)) {
                String name = new io.zerodown.postgres.versioned.VersionedEngine(db.connections,
                        io.zerodown.postgres.versioned.VersionedOptions.defaults(), line -> main.out.println(line)).rollback(migration);
                main.out.println("rolled back: version " + name);
                return 0;
            }
            List<String> undone = new PostgresRollback(db.connections, ApplyOptions.defaults(),
                    new ConsoleListener(main.out, false, null)).rollback(migration);
            main.out.println("rolled back: " + undone.size() + " step(s) undone");
            return 0;
        }
    }

    /** True when a versioned migration is in flight and {@code migration} is null or names a versioned one. */
    static boolean versionedInFlight(Database db, String migration) throws java.sql.SQLException {
        try (java.sql.Connection c = db.connections.open()) {
            for (var r : io.zerodown.postgres.versioned.VersionedJournal.all(c)) {
                if (migration != null ? r.name().equals(migration) : r.inFlight()) return true;
            }
        }
        return false;
    }
}
