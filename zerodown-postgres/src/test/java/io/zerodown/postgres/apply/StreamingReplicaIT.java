package io.zerodown.postgres.apply;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real streaming replica, made from the embedded PostgreSQL 16 binaries in the test (a base backup through
 * pg_backup_start/stop and a file copy, then a standby streaming from the primary). Pausing its WAL replay makes it
 * lag for real: the backfill on the primary pauses on the lag it measures itself, and goes on once replay resumes.
 */
class StreamingReplicaIT {

    static InputStream binaries(String system, String hardware) throws IOException {
        Path jar = Path.of(System.getProperty("zerodown.pgBinaries", "target/pg-binaries"), "pg-16.jar");
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry entry = zip.getEntry("postgres-" + system.toLowerCase(java.util.Locale.ROOT) + "-" + hardware + ".txz");
            try (InputStream in = zip.getInputStream(entry)) {
                return new ByteArrayInputStream(in.readAllBytes());
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Copies a running primary's data directory as a base backup, minus what a base backup leaves out. */
    static void copyDataDirectory(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path rel = from.relativize(f);
                String name = rel.toString();
                if (name.equals("postmaster.pid") || name.equals("postmaster.opts")) continue;
                Path target = to.resolve(rel);
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else if (!name.startsWith("pg_wal/") && !name.startsWith("pg_replslot/")) {
                    try {
                        Files.copy(f, target);
                    } catch (java.nio.file.NoSuchFileException gone) {
                        // a temporary file the primary removed while we copied: not part of the backup
                    }
                }
            }
        }
        Files.createDirectories(to.resolve("pg_wal/archive_status"));
        Files.setPosixFilePermissions(to, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    }

    static long one(Connection c, String sql) throws Exception {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void realReplicaWithPausedReplayPausesTheBackfill(@TempDir Path dir) throws Exception {
        Path primaryData = dir.resolve("primary");
        Path replicaData = dir.resolve("replica");
        try (EmbeddedPostgres primary = EmbeddedPostgres.builder().setPgBinaryResolver(StreamingReplicaIT::binaries)
                .setOverrideWorkingDirectory(Files.createDirectories(dir.resolve("work-p")).toFile())
                .setDataDirectory(primaryData).setServerConfig("wal_level", "replica").setServerConfig("max_wal_senders", "4")
                .setServerConfig("wal_keep_size", "256MB").start()) {
            String url = primary.getJdbcUrl("postgres", "postgres");
            try (Connection c = primary.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
                st.execute("SELECT pg_backup_start('zerodown-test', true)");
                copyDataDirectory(primaryData, replicaData);
                try (ResultSet rs = st.executeQuery("SELECT labelfile FROM pg_backup_stop(false)")) {
                    rs.next();
                    Files.writeString(replicaData.resolve("backup_label"), rs.getString(1));
                }
            }
            Files.writeString(replicaData.resolve("standby.signal"), "");
            Files.writeString(replicaData.resolve("postgresql.auto.conf"),
                    "primary_conninfo = 'host=localhost port=" + primary.getPort() + " user=postgres application_name=replica1'\n");
            try (EmbeddedPostgres replica = EmbeddedPostgres.builder().setPgBinaryResolver(StreamingReplicaIT::binaries)
                    .setOverrideWorkingDirectory(Files.createDirectories(dir.resolve("work-r")).toFile())
                    .setDataDirectory(replicaData).setCleanDataDirectory(false).setPort(freePort())
                    .setErrorRedirector(ProcessBuilder.Redirect.appendTo(dir.resolve("replica.log").toFile()))
                    .setOutputRedirector(ProcessBuilder.Redirect.appendTo(dir.resolve("replica.log").toFile()))
                    .setServerConfig("hot_standby", "on").start();
                 Connection p = primary.getPostgresDatabase().getConnection();
                 Connection r = replica.getPostgresDatabase().getConnection()) {
                long deadline = System.currentTimeMillis() + 30_000;
                while (one(p, "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'") == 0) {
                    assertThat(System.currentTimeMillis()).as("the replica to stream").isLessThan(deadline);
                    Thread.sleep(100);
                }
                assertThat(one(r, "SELECT pg_is_in_recovery()::int")).isEqualTo(1);

                ApplyFixture fx = new ApplyFixture(new io.zerodown.postgres.PostgresVersions.Server("primary", url, "postgres"),
                        Files.createDirectories(dir.resolve("migrations")));
                // the fixture's fresh database is created on the primary and replicated like everything else
                fx.file("V1__init.sql", "CREATE TABLE items (id bigint PRIMARY KEY, v int);\n"
                        + "INSERT INTO items SELECT g, g FROM generate_series(1, 100000) g;\n" + ApplyControlIT.SLOW_UPDATES);
                fx.apply();
                fx.file("V2__fill.sql", "ALTER TABLE items ADD COLUMN token text DEFAULT md5(random()::text);");

                try (Statement st = r.createStatement()) {
                    st.execute("SELECT pg_wal_replay_pause()");
                }
                ApplyControlIT.Recorder log = new ApplyControlIT.Recorder();
                // small batches of at least 10 ms each (the trigger): the backfill runs for seconds, past the 1 s lag limit
                ApplyOptions o = ApplyOptions.defaults().withBackfill(30, 50, 10, 200).withReplicaLag(1_000, null);
                CompletableFuture<Object> run = ApplyControlIT.inBackground(new PostgresApplier(fx.db, o, log), fx);
                deadline = System.currentTimeMillis() + 60_000;
                while (log.log.stream().noneMatch(l -> l.startsWith("paused: replica lag "))) {
                    assertThat(run).as("the backfill ended without a lag pause: " + log.log).isNotDone();
                    assertThat(System.currentTimeMillis()).as("the lag pause").isLessThan(deadline);
                    Thread.sleep(50);
                }
                long atPause = fx.count("SELECT rows_done FROM zerodown.steps WHERE migration_id = '2' AND kind = 'BACKFILL'");
                Thread.sleep(1_000);
                assertThat(fx.count("SELECT rows_done FROM zerodown.steps WHERE migration_id = '2' AND kind = 'BACKFILL'"))
                        .as("rows backfilled while the replica lags").isEqualTo(atPause);
                assertThat(atPause).isLessThan(100_000);
                try (Statement st = r.createStatement()) {
                    st.execute("SELECT pg_wal_replay_resume()");
                }
                Object result = run.get(120, TimeUnit.SECONDS);
                assertThat(result).isInstanceOf(PostgresApplier.Outcome.class);
                assertThat(fx.count("SELECT count(*) FROM items WHERE token IS NULL")).isZero();
                String pause = log.log.stream().filter(l -> l.startsWith("paused: replica lag ")).findFirst().orElseThrow();
                assertThat(pause).matches("paused: replica lag \\d+ ms > 1000 ms");
                assertThat(Long.parseLong(pause.replaceAll("\\D+(\\d+) ms >.*", "$1"))).isGreaterThan(1_000);
            }
        }
    }
}
