package io.zerodown.api;

import java.util.Locale;

/** What a statement does to the table's data while it holds its lock. */
public enum Effect {
    /** Writes a new copy of the table (or every row) and rebuilds indexes: time grows with the table. */
    REWRITE,
    /** Reads every row (constraint check, index build): time grows with the table. */
    SCAN,
    /** Changes the catalog only: milliseconds once the lock is granted. */
    CATALOG,
    /** Touches no table data and takes no table lock (SET, transaction control, ...). */
    NONE;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
