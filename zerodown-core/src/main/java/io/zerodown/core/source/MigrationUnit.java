package io.zerodown.core.source;

import java.nio.file.Path;

/**
 * The smallest piece a runner applies as one: a whole Flyway/Diesel/plain file, or one Liquibase changeset.
 * Objects created in a unit are new and empty for the rest of that unit.
 *
 * @param path             the file on disk
 * @param file             the file as shown in findings (relative to the working directory where possible)
 * @param id               a stable id: the Flyway version ({@code V3}), the file name, or {@code author:id} for a changeset
 * @param text             the SQL of the unit (for a changeset: its body, without the header and rollback lines)
 * @param firstLine        1-based line in {@code path} where {@code text} starts
 * @param runInTransaction null when the runner decides; false when the source says so
 *                         ({@code runInTransaction:false}, Diesel {@code run_in_transaction = false},
 *                         Flyway {@code executeInTransaction=false} in a {@code .conf} file)
 */
public record MigrationUnit(Path path, String file, String id, String text, int firstLine, Boolean runInTransaction) {
}
