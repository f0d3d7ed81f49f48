package io.zerodown.postgres.apply;

import io.zerodown.core.source.MigrationFile;
import io.zerodown.core.source.MigrationScanner;
import io.zerodown.postgres.PostgresVersions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** A fresh database on a real server plus a migration folder. */
final class ApplyFixture {
    final PostgresVersions.Server server;
    final String url;
    final PostgresConnections db;
    final Path dir;
    final List<String> log = new ArrayList<>();

    ApplyFixture(PostgresVersions.Server server, Path dir) throws SQLException {
        this.server = server;
        this.url = server.freshDatabase();
        this.db = PostgresConnections.of(url, server.user());
        this.dir = dir;
    }

    ApplyFixture file(String name, String sql) throws IOException {
        Files.writeString(dir.resolve(name), sql);
        return this;
    }

    List<MigrationFile> files() {
        return MigrationScanner.standard().scan(List.of(dir));
    }

    ApplyListener listener() {
        return new ApplyListener() {
            @Override
            public void log(String line) {
                log.add(line);
            }

            @Override
            public void lockRetry(io.zerodown.core.plan.Step step, int attempt, String reason) {
                log.add("retry " + attempt + " " + step.description());
            }

            @Override
            public void paused(String reason) {
                log.add("paused: " + reason);
            }
        };
    }

    PostgresApplier applier(ApplyOptions o) {
        return new PostgresApplier(db, o, listener());
    }

    PostgresApplier.Outcome apply() throws SQLException {
        return applier(ApplyOptions.defaults()).apply(files());
    }

    void exec(String sql) throws SQLException {
        try (Connection c = db.open(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    long count(String sql) throws SQLException {
        try (Connection c = db.open(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    String text(String sql) throws SQLException {
        try (Connection c = db.open(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
