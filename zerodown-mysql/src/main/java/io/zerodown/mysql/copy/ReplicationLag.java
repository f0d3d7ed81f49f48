package io.zerodown.mysql.copy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * How far this server's replication channels are behind, read from its replication status: the largest
 * {@code Seconds_Behind_Master/Source} in ms, 0 when it replicates from nowhere, {@link Long#MAX_VALUE} when a channel
 * is stopped. Remembers which statement the server understood (MariaDB's multi-source form, or MySQL's), so later
 * readings take one round trip.
 */
public final class ReplicationLag {
    private static final List<String> STATEMENTS =
            List.of("SHOW ALL REPLICAS STATUS", "SHOW ALL SLAVES STATUS", "SHOW REPLICA STATUS", "SHOW SLAVE STATUS");
    private String statement;

    /** @throws SQLException the last statement's failure when the server understood none, e.g. for want of a grant */
    public long ms(Connection c) throws SQLException {
        SQLException failure = null;
        for (String sql : statement != null ? List.of(statement) : STATEMENTS) {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                statement = sql;
                ResultSetMetaData md = rs.getMetaData();
                int col = 0;
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    String n = md.getColumnLabel(i);
                    if (n.equalsIgnoreCase("Seconds_Behind_Master") || n.equalsIgnoreCase("Seconds_Behind_Source")) col = i;
                }
                long lag = 0;
                while (col > 0 && rs.next()) {
                    long seconds = rs.getLong(col);
                    lag = Math.max(lag, rs.wasNull() ? Long.MAX_VALUE : seconds * 1000);
                }
                return lag;
            } catch (SQLException e) {
                failure = e;
            }
        }
        throw failure;
    }
}
