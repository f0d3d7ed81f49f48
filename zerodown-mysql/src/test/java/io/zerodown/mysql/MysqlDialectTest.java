package io.zerodown.mysql;

import io.zerodown.api.Engine;
import io.zerodown.core.dialect.Dialect;
import io.zerodown.core.sql.SqlFamily;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MysqlDialectTest {
    private final MysqlDialect dialect = new MysqlDialect();

    @Test
    void foundThroughTheServiceLoaderForBothEngines() {
        assertThat(Dialect.forEngine(Engine.MYSQL)).isInstanceOf(MysqlDialect.class);
        assertThat(Dialect.forEngine(Engine.MARIADB)).isInstanceOf(MysqlDialect.class);
        assertThat(dialect.handles(Engine.POSTGRES)).isFalse();
        assertThat(dialect.sqlFamily()).isEqualTo(SqlFamily.MYSQL);
    }

    @Test
    void quotesOnlyWhenNeeded() {
        assertThat(dialect.quote("users")).isEqualTo("users");
        assertThat(dialect.quote("order_items2")).isEqualTo("order_items2");
        assertThat(dialect.quote("order")).isEqualTo("`order`");
        assertThat(dialect.quote("key")).isEqualTo("`key`");
        assertThat(dialect.quote("Users")).isEqualTo("`Users`");
        assertThat(dialect.quote("2fa")).isEqualTo("`2fa`");
        assertThat(dialect.quote("first name")).isEqualTo("`first name`");
        assertThat(dialect.quote("we`ird")).isEqualTo("`we``ird`");
        assertThat(MysqlDialect.quoteAlways("users")).isEqualTo("`users`");
    }

    @Test
    void everyRuleIdIsDeclaredForMysqlAndMariaDb() {
        assertThat(dialect.rules()).flatMap(r -> r.infos()).allSatisfy(info -> {
            assertThat(info.id()).startsWith("my.");
            assertThat(info.engines()).containsExactlyInAnyOrder(Engine.MYSQL, Engine.MARIADB);
            assertThat(info.title()).isNotBlank();
        });
        assertThat(dialect.rules()).flatMap(r -> r.infos()).extracting(i -> i.id()).doesNotHaveDuplicates().hasSize(19);
    }
}
