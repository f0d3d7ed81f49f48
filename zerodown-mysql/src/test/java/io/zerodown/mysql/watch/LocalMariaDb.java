package io.zerodown.mysql.watch;

import io.zerodown.mysql.apply.MysqlConnections;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** A fresh database per test on the MariaDB server of this machine (127.0.0.1:3306, root), dropped afterwards. */
final class LocalMariaDb {
    static final String ROOT = "jdbc:mariadb://127.0.0.1:3306/test?user=root";

    private LocalMariaDb() {
    }

    /** Creates a database named {@code prefix} plus a unique suffix; returns its name. */
    static String create(String prefix) {
        String db = prefix + Long.toHexString(System.nanoTime());
        try (Connection c = DriverManager.getConnection(ROOT); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + db);
        } catch (SQLException e) {
            throw new AssertionError("no MariaDB on 127.0.0.1:3306 (start it: start-stop-daemon --start --oknodo --background "
                    + "--exec /usr/sbin/mariadbd): " + e.getMessage(), e);
        }
        return db;
    }

    static MysqlConnections connections(String db) {
        return MysqlConnections.parse("mysql://root@127.0.0.1:3306/" + db);
    }

    static void drop(String db) throws SQLException {
        try (Connection c = DriverManager.getConnection(ROOT); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + db);
        }
    }
}
