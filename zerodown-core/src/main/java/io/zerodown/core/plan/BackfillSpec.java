package io.zerodown.core.plan;

import io.zerodown.core.model.Name;

/**
 * A batched rewrite of existing rows.
 *
 * @param table     the table
 * @param key       a unique, not-null, orderable key column (normally the primary key)
 * @param set       UPDATE's SET list, e.g. {@code token = gen_random_uuid()}; null for a DELETE
 * @param predicate extra condition rows must meet, e.g. {@code token IS NULL}; null for all rows
 */
public record BackfillSpec(Name table, String key, String set, String predicate) {

    public boolean isDelete() {
        return set == null;
    }
}
