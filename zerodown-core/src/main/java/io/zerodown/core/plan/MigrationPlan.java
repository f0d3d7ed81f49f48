package io.zerodown.core.plan;

import java.util.List;

/**
 * The safe plan for one migration file.
 *
 * @param id          the migration's id (Flyway version like {@code 3}, or the file name)
 * @param file        display path
 * @param description from the file name
 * @param checksum    Flyway-compatible CRC32
 * @param steps       in order
 * @param notes       remarks for humans (e.g. "BEGIN/COMMIT in the file are ignored: every step has its own transaction")
 * @param sessionSql  session settings from the file (e.g. SET search_path) run on every connection before the steps
 * @param checks      pre-flight data checks
 */
public record MigrationPlan(String id, String file, String description, int checksum, List<Step> steps,
                            List<String> notes, List<String> sessionSql, List<Check> checks) {

    /**
     * A pre-flight query run before any change: when it returns true the migration would fail on the existing data.
     *
     * @param sql     a query returning one boolean
     * @param problem what is wrong when it returns true, with the statement's file:line
     */
    public record Check(String sql, String problem) {
    }
}
