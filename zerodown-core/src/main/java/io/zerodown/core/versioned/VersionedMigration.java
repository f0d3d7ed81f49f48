package io.zerodown.core.versioned;

import java.util.List;

/**
 * A declarative migration: a version name (which names the new version's schema of views), the schema holding the
 * tables, and the operations, in order.
 */
public record VersionedMigration(String name, String schema, String file, List<Operation> operations) {
    public VersionedMigration {
        operations = List.copyOf(operations);
    }
}
