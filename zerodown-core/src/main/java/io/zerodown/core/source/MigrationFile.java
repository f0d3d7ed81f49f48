package io.zerodown.core.source;

import java.nio.file.Path;
import java.util.List;

/**
 * A migration file found on disk, with its place in the order.
 *
 * @param path        the file
 * @param file        display path used in findings
 * @param kind        how its name was read
 * @param version     Flyway/Diesel/authelia version or timestamp text, null for repeatable and plain files
 * @param description description taken from the name, may be empty
 * @param checksum    Flyway-compatible CRC32 of the file (lines without terminators, BOM removed), as a signed int
 * @param units       the units in file order (one for most files, one per changeset for Liquibase)
 */
public record MigrationFile(Path path, String file, Kind kind, String version, String description, int checksum,
                            List<MigrationUnit> units) {

    public enum Kind {
        /** {@code V<version>__<desc>.sql} */
        FLYWAY_VERSIONED,
        /** {@code R__<desc>.sql}, after all versioned files */
        FLYWAY_REPEATABLE,
        /** Diesel {@code <timestamp>_<name>/up.sql} */
        DIESEL,
        /** {@code V0001.Name.up.sql} style (authelia) */
        NUMBERED_UP,
        /** {@code --liquibase formatted sql} changelog */
        LIQUIBASE,
        /** any other .sql file, ordered by name */
        PLAIN
    }
}
