package io.zerodown.mysql.apply;

import io.zerodown.core.source.MigrationScanner;

import java.nio.file.Path;
import java.util.List;

/** Runs MySQL apply in its own JVM so a test can kill the whole process. */
public final class MysqlApplyProcessMain {
    private MysqlApplyProcessMain() {
    }

    public static void main(String[] args) throws Exception {
        new MysqlApplier(MysqlConnections.parse(args[0]), MysqlApplier.Options.defaults(), s -> { })
                .apply(MigrationScanner.standard().scan(List.of(Path.of(args[1]))));
        System.out.println("APPLIED");
    }
}
