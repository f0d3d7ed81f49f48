package io.zerodown.api;

import java.util.Locale;

/** How the migration files will be executed; decides which statements share a transaction. */
public enum Runner {
    /** zerodown apply: every step in its own short transaction with a lock timeout; rewrites unsafe steps. */
    ZERODOWN,
    /** Flyway: one transaction per file unless the file holds a statement that cannot run in one. */
    FLYWAY,
    /** Liquibase: one transaction per changeset unless {@code runInTransaction:false}. */
    LIQUIBASE,
    /** psql-like: nothing wrapped; only the file's own BEGIN/COMMIT make transactions. */
    PLAIN;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Runner fromId(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ZerodownException("unknown runner '" + s + "': use zerodown, flyway, liquibase or plain");
        }
    }
}
