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

    static int apply(Main main, String url, List<MigrationFile> files, boolean allowBreaking, boolean postpone,
                     MysqlApplier.Watch watch) throws Exception {
        MysqlConnections db = MysqlConnections.parse(url);
        main.out.println("database: " + db.display());
        if (watch.reportFile() != null) java.nio.file.Files.createDirectories(watch.reportFile().toAbsolutePath().getParent());
        MysqlApplier.Outcome o = new MysqlApplier(db, options(allowBreaking).withPostponeCutOver(postpone),
                s -> main.out.println("  " + s)).withWatch(watch).apply(files);
        if (watch.reportFile() != null && java.nio.file.Files.exists(watch.reportFile())) {
            main.out.println("report: " + watch.reportFile());
        }
        main.out.println(o.applied().isEmpty() ? "nothing to apply (" + o.alreadyApplied().size() + " already applied)"
                : "applied: " + String.join(", ", o.applied()));
        for (String d : o.drift()) main.out.println("drift: " + d);
        return 0;
    }
}
