package io.zerodown.cli;

import io.zerodown.core.plan.MigrationPlan;
import io.zerodown.core.plan.Step;
import io.zerodown.core.source.MigrationFile;
import io.zerodown.mysql.apply.MysqlApplier;
import io.zerodown.mysql.apply.MysqlConnections;

import java.util.List;

/** plan and apply for mysql:// and mariadb:// URLs. */
final class MysqlCli {
    private MysqlCli() {
    }

    private static MysqlApplier.Options options(boolean allowBreaking) {
        return MysqlApplier.Options.defaults().withAllowBreaking(allowBreaking);
    }

    static int plan(Main main, String url, List<MigrationFile> files, boolean allowBreaking) throws Exception {
        MysqlConnections db = MysqlConnections.parse(url);
        MysqlApplier.Outcome o = new MysqlApplier(db, options(allowBreaking), s -> main.out.println("  " + s)).plan(files);
        main.out.println("database: " + db.display());
        if (o.plans().isEmpty()) main.out.println("nothing to apply (" + o.alreadyApplied().size() + " already applied)");
        try (var c = db.open(); var st = c.createStatement(); var rs = st.executeQuery("SELECT t.trx_mysql_thread_id, "
                + "TIMESTAMPDIFF(SECOND, t.trx_started, NOW()), p.USER, p.HOST FROM information_schema.INNODB_TRX t "
                + "LEFT JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id "
                + "WHERE t.trx_mysql_thread_id <> CONNECTION_ID() AND t.trx_started < NOW() - INTERVAL 1 SECOND")) {
            while (rs.next()) {
                main.out.println("open transaction that would block DDL now: thread " + rs.getLong(1) + " (" + rs.getString(3)
                        + "@" + rs.getString(4) + ", open " + rs.getLong(2) + " s)");
            }
        }
        for (MigrationPlan p : o.plans()) {
            main.out.println(p.file() + "  (" + p.steps().size() + " steps)");
            for (Step s : p.steps()) {
                main.out.printf("  %2d %-8s %s%n       lock: %s%n", s.index(), s.phase().name().toLowerCase(), s.description(), s.lock());
                for (String line : s.sql().split("\n")) main.out.println("       | " + line);
            }
        }
        return 0;
    }

    /**
     * apply on MySQL/MariaDB with the watch of a run: a terminal view (progress bar, or plain lines when stdout is not a
     * terminal), the live page when {@code uiPort} is given, and the JSON and HTML report when the run ends.
     */
    static int apply(Main main, String url, List<MigrationFile> files, boolean allowBreaking, boolean postpone,
                     MysqlApplier.Watch watch, Integer uiPort) throws Exception {
        MysqlConnections db = MysqlConnections.parse(url);
        main.out.println("database: " + db.display());
        if (watch.reportFile() != null) java.nio.file.Files.createDirectories(watch.reportFile().toAbsolutePath().getParent());
        MysqlApplier[] applier = new MysqlApplier[1];
        java.util.function.Supplier<java.util.Map<String, Object>> live = () -> liveState(applier[0], db);
        MysqlApplier.Outcome o;
        try (LiveConsole console = new LiveConsole(main.out, System.console() != null, live);
             io.zerodown.core.watch.LivePage page = uiPort == null ? null
                     : new io.zerodown.core.watch.LivePage(uiPort, live, (action, params) -> control(db, action, params))) {
            if (page != null) main.out.println("live view: http://127.0.0.1:" + page.port() + "/");
            applier[0] = new MysqlApplier(db, options(allowBreaking).withPostponeCutOver(postpone), console::log).withWatch(watch);
            console.start();
            o = applier[0].apply(files);
        }
        if (watch.reportFile() != null && java.nio.file.Files.exists(watch.reportFile())) {
            String json = watch.reportFile().toString();
            main.out.println("report: " + json.replaceFirst("\\.json$", ".html") + " (and " + json + ")");
        }
        main.out.println(o.applied().isEmpty() ? "nothing to apply (" + o.alreadyApplied().size() + " already applied)"
                : "applied: " + String.join(", ", o.applied()));
        for (String d : o.drift()) main.out.println("drift: " + d);
        return 0;
    }

    /** The live state of a run: its report's, or a placeholder until the run has started its watch. */
    static java.util.Map<String, Object> liveState(MysqlApplier applier, MysqlConnections db) {
        io.zerodown.mysql.watch.MysqlRunReport r = applier == null ? null : applier.report();
        return r == null ? java.util.Map.of("database", db.display(), "engine", "mysql", "outcome", "starting", "wallMs", 0)
                : r.live();
    }

    /** The live page's controls: the same commands as 'zerodown control', through the database's control table. */
    static java.util.Map<String, Object> control(MysqlConnections db, String action, java.util.Map<String, String> params)
            throws java.sql.SQLException {
        try (java.sql.Connection c = db.open()) {
            if (action.equals("set")) {
                String name = params.getOrDefault("name", "");
                long value = io.zerodown.mysql.watch.MysqlControl.set(c, name, params.get("value"));
                return java.util.Map.of("set", name, "value", value);
            }
            io.zerodown.mysql.watch.MysqlControl.command(c, action);
            return java.util.Map.of("sent", action);
        }
    }
}
