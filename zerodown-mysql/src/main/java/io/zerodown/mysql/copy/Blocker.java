package io.zerodown.mysql.copy;

/**
 * An open transaction that holds, or may hold, a metadata lock on the table (from {@code information_schema.INNODB_TRX}
 * joined with the process list).
 *
 * @param threadId        the connection id ({@code KILL threadId} ends it)
 * @param user            the account's user
 * @param host            the client host and port
 * @param seconds         how long its transaction has been open
 * @param command         process list command, e.g. {@code Sleep} for an idle transaction
 * @param query           the statement it is running, or null when idle
 * @param holdsTableLock  true when {@code performance_schema.metadata_locks} (MySQL) or
 *                        {@code information_schema.METADATA_LOCK_INFO} (MariaDB plugin) shows it holding a lock on the
 *                        table; false when that information is not available and the transaction is only a suspect
 */
public record Blocker(long threadId, String user, String host, long seconds, String command, String query,
                      boolean holdsTableLock) {
    @Override
    public String toString() {
        return "thread " + threadId + " (" + user + "@" + host + ", transaction open " + seconds + " s, " + command
                + (query == null ? "" : ": " + query) + (holdsTableLock ? ", holds the table" : "") + ")";
    }
}
