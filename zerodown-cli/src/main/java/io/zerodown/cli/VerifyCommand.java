package io.zerodown.cli;

import io.zerodown.core.plan.MigrationPlan;
import io.zerodown.core.source.MigrationFile;
import io.zerodown.core.source.MigrationScanner;
import io.zerodown.postgres.apply.PostgresJournal;
import io.zerodown.postgres.apply.PostgresVerifier;
import picocli.CommandLine;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@CommandLine.Command(name = "verify",
        description = {"Check the database after migrations: no INVALID index, constraints zerodown validated are valid, and",
                "(given the migration PATHs) the touched tables equal what the naive SQL gives on a scratch database."})
final class VerifyCommand implements Callable<Integer> {

    @CommandLine.ParentCommand
    Main main;

    @CommandLine.Mixin
    Database.UrlOption url = new Database.UrlOption();

    @CommandLine.Parameters(paramLabel = "PATH", arity = "0..*", description = "the migration files, for the schema comparison")
    List<Path> paths = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        try (Database db = Database.open(url, false, main.err); Connection c = db.connections.open()) {
            List<MigrationPlan> plans = new ArrayList<>();
            for (PostgresJournal.Entry e : PostgresJournal.migrations(c).values()) {
                if (e.plan() != null && e.status().equals("done")) plans.add(e.plan());
            }
            int problems = 0;
            for (String p : PostgresVerifier.checkLive(c, plans)) {
                main.out.println("problem: " + p);
                problems++;
            }
            if (!paths.isEmpty()) problems += compare(main, db, MigrationScanner.standard().scan(paths), plans);
            main.out.println(problems == 0 ? "verify: ok (" + plans.size() + " zerodown migrations checked)" : "verify: " + problems + " problem(s)");
            return problems == 0 ? 0 : 1;
        }
    }

    /** Replays the files naively on a scratch embedded PostgreSQL and compares the touched tables; returns the problem count. */
    static int compare(Main main, Database db, List<MigrationFile> files, List<MigrationPlan> plans) throws Exception {
        var tables = PostgresVerifier.touched(plans);
        if (tables.isEmpty()) return 0;
        try (Database scratch = Database.embedded(); Connection live = db.connections.open(); Connection s = scratch.connections.open()) {
            List<String> diffs = PostgresVerifier.compareWithNaive(live, s, files, tables);
            int problems = 0;
            for (String d : diffs) {
                if (d.startsWith("not compared")) {
                    main.out.println("verify: " + d);
                } else {
                    main.out.println("verify: schema differs from the naive SQL: " + d);
                    problems++;
                }
            }
            if (diffs.isEmpty()) main.out.println("verify: " + tables.size() + " touched table(s) equal what the naive SQL gives");
            return problems;
        }
    }
}
