package io.zerodown.postgres.apply;

import io.zerodown.api.ZerodownException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** URL forms, password sources, and that the password never shows in what zerodown prints. */
class PostgresConnectionsTest {

    @Test
    void libpqUrlBecomesJdbcWithoutLeakingThePassword() {
        PostgresConnections c = PostgresConnections.parse("postgresql://app:s%40cret@db.internal:6543/shop?sslmode=require");
        assertThat(c.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:6543/shop");
        assertThat(c.display()).isEqualTo("postgresql://app@db.internal:6543/shop").doesNotContain("cret");
    }

    @Test
    void jdbcUrlKeepsHostPortAndDatabase() {
        PostgresConnections c = PostgresConnections.parse("jdbc:postgresql://127.0.0.1/test?user=bob&password=x");
        assertThat(c.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/test");
        assertThat(c.display()).isEqualTo("postgresql://bob@127.0.0.1:5432/test");
    }

    @Test
    void pgpassLineMatchesWithWildcardsAndEscapes(@TempDir Path dir) throws Exception {
        Path pgpass = dir.resolve(".pgpass");
        Files.writeString(pgpass, "# comment\nother:5432:*:bob:nope\ndb.internal:*:shop:bob:pa\\:ss\n");
        String oldHome = System.getProperty("user.home");
        System.setProperty("user.home", dir.toString());
        try {
            assertThat(PostgresConnections.fromPgpass("db.internal", 6543, "shop", "bob")).isEqualTo("pa:ss");
            assertThat(PostgresConnections.fromPgpass("db.internal", 6543, "other", "bob")).isNull();
        } finally {
            System.setProperty("user.home", oldHome);
        }
    }

    @Test
    void badUrlsSayWhatToDoWithoutEchoingThem() {
        assertThatThrownBy(() -> PostgresConnections.parse("mysql://root:hunter2@x/db")).isInstanceOf(ZerodownException.class)
                .hasMessageContaining("jdbc:postgresql://").hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> PostgresConnections.parse("postgresql://root:hun ter2@x/db")).isInstanceOf(ZerodownException.class)
                .hasMessageNotContaining("hun ter2");
    }
}
