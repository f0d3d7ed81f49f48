package io.zerodown.cli;

import io.zerodown.api.ZerodownException;
import io.zerodown.postgres.versioned.VersionedEngine;
import io.zerodown.postgres.versioned.VersionedOptions;
import picocli.CommandLine;

import java.util.List;
import java.util.concurrent.Callable;

@CommandLine.Command(name = "version", sortOptions = false,
        description = {"Print how an app picks a version (PostgreSQL): its search_path, a JDBC URL with currentSchema, or the SQL",
                "for a per-version role (the way that works behind PgBouncer in transaction mode). Default: the newest live version."})
final class VersionCommand implements Callable<Integer> {

    @CommandLine.ParentCommand
    Main main;

    @CommandLine.Mixin
    Database.UrlOption url = new Database.UrlOption();

    @CommandLine.Option(names = "--print", defaultValue = "search_path", paramLabel = "WHAT",
            description = "search_path, jdbc-url or role-sql (default: ${DEFAULT-VALUE})")
    String print;

    @CommandLine.Option(names = "--role", paramLabel = "ROLE", description = "the app role for --print role-sql")
    String role;

    @CommandLine.Parameters(paramLabel = "NAME", arity = "0..1", description = "the version (default: the newest live one)")
    String name;

    @Override
    public Integer call() throws Exception {
        if (!List.of("search_path", "jdbc-url", "role-sql").contains(print)) {
            throw new ZerodownException("--print '" + print + "': use search_path, jdbc-url or role-sql");
        }
        try (Database db = Database.open(url, false, main.err)) {
            List<VersionedEngine.LiveVersion> live = new VersionedEngine(db.connections, VersionedOptions.defaults(), l -> { }).liveVersions();
            VersionedEngine.LiveVersion v = live.get(live.size() - 1);
            if (name != null) {
                v = live.stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow(() -> new ZerodownException("version '"
                        + name + "' is not live; live versions: " + String.join(", ", live.stream().map(VersionedEngine.LiveVersion::name).toList())));
            }
            switch (print) {
                case "search_path" -> main.out.println(v.searchPath());
                case "jdbc-url" -> main.out.println(db.connections.jdbcUrl() + "?currentSchema=" + v.searchPath().replace("\"", "").replace(" ", ""));
                default -> {
                    if (role == null) throw new ZerodownException("--print role-sql needs --role ROLE (the role the app of this version logs in as)");
                    String r = "\"" + role.replace("\"", "\"\"") + "\"";
                    main.out.println("-- one login role per app version: its search_path is set when the server session starts,");
                    main.out.println("-- so it holds behind PgBouncer in transaction mode, where a session SET would not");
                    main.out.println("ALTER ROLE " + r + " SET search_path = " + v.searchPath() + ";");
                }
            }
            return 0;
        }
    }
}
