package io.zerodown.cli;

import io.zerodown.api.Version;
import io.zerodown.core.source.MigrationFile;
import io.zerodown.core.source.MigrationScanner;
import io.zerodown.postgres.apply.PostgresJournal;
import picocli.CommandLine;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@CommandLine.Command(name = "baseline", description = "Mark the migration files up to a version as applied, for a database that "
        + "another tool migrated.")
final class BaselineCommand implements Callable<Integer> {

    @CommandLine.ParentCommand
    Main main;

    @CommandLine.Mixin
    Database.UrlOption url = new Database.UrlOption();

    @CommandLine.Option(names = "--version", required = true, paramLabel = "N", description = "the last version already applied")
    String version;

    @CommandLine.Parameters(paramLabel = "PATH", arity = "1..*", description = "migration files or folders")
    List<Path> paths = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Version limit = Version.parse(version.replace('_', '.'));
        int marked = 0;
        try (Database db = Database.open(url, false, main.err); Connection c = db.connections.open()) {
            c.setAutoCommit(false);
            PostgresJournal.ensure(c);
            for (MigrationFile f : MigrationScanner.standard().scan(paths)) {
                if (f.version() == null) continue;
                Version v;
                try {
                    v = Version.parse(f.version().replace('_', '.'));
                } catch (RuntimeException e) {
                    continue;
                }
                if (v.compareTo(limit) <= 0) {
                    PostgresJournal.baseline(c, f.version(), f.file(), f.description(), f.checksum());
                    marked++;
                }
            }
            c.commit();
        }
        main.out.println("baseline: " + marked + " migration(s) up to version " + version + " marked as applied");
        return 0;
    }
}
