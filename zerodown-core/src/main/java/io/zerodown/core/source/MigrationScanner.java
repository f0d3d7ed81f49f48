package io.zerodown.core.source;

import java.nio.file.Path;
import java.util.List;

/**
 * Finds migration files under the given paths and puts them in the order a runner would apply them.
 * Folders are read recursively; a file given directly is always taken, in the order given.
 */
public interface MigrationScanner {

    /**
     * @throws io.zerodown.api.UnreadableInputException naming the path when it is missing, unreadable, not UTF-8,
     *         or a Liquibase header is malformed
     */
    List<MigrationFile> scan(List<Path> inputs);

    static MigrationScanner standard() {
        return new DefaultMigrationScanner();
    }
}
