package io.zerodown.core.source;

import io.zerodown.api.UnreadableInputException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LiquibaseFormattedSqlReaderTest {

    @Test
    void recognisesTheFirstLine() {
        assertThat(LiquibaseFormattedSqlReader.isFormattedSql("--liquibase formatted sql\n")).isTrue();
        assertThat(LiquibaseFormattedSqlReader.isFormattedSql("\n\n  --  LIQUIBASE formatted SQL\r\n")).isTrue();
        assertThat(LiquibaseFormattedSqlReader.isFormattedSql("-- a comment\n--liquibase formatted sql\n")).isFalse();
        assertThat(LiquibaseFormattedSqlReader.isFormattedSql("select 1;")).isFalse();
        assertThat(LiquibaseFormattedSqlReader.isFormattedSql("")).isFalse();
    }

    @Test
    void parsesHeaderAttributesAndQuotedNames() {
        String text = "--liquibase formatted sql\n"
                + "--changeset \"John Doe\":\"create proc\" endDelimiter:\\nGO splitStatements:false "
                + "context:\"dev and test\" labels:a,b dbms:mssql runInTransaction:FALSE\n"
                + "create procedure p as select 1\nGO\n"
                + "--changeset  jane: 42\n"
                + "select 42;\n";

        List<LiquibaseFormattedSqlReader.Changeset> changesets = LiquibaseFormattedSqlReader.read("f.sql", text);

        assertThat(changesets).hasSize(2);
        LiquibaseFormattedSqlReader.Changeset first = changesets.get(0);
        assertThat(first.unitId()).isEqualTo("John Doe:create proc");
        assertThat(first.headerLine()).isEqualTo(2);
        assertThat(first.firstLine()).isEqualTo(3);
        assertThat(first.endDelimiter()).isEqualTo("\\nGO");
        assertThat(first.splitStatements()).isFalse();
        assertThat(first.runInTransaction()).isFalse();
        assertThat(first.attributes()).containsEntry("context", "dev and test").containsEntry("labels", "a,b")
                .containsEntry("DBMS", "mssql");
        assertThat(first.text()).isEqualTo("create procedure p as select 1\nGO");
        assertThat(changesets.get(1).unitId()).isEqualTo("jane:42");
        assertThat(changesets.get(1).runInTransaction()).isNull();
        assertThat(changesets.get(1).text()).isEqualTo("select 42;");
    }

    @Test
    void crlfAndLoneCrEndLinesAndLineNumbersStayExact() {
        String text = "--liquibase formatted sql\r\n--changeset a:1\r\n--rollback x\r\nselect 1;\rselect 2;\r\n";

        LiquibaseFormattedSqlReader.Changeset cs = LiquibaseFormattedSqlReader.read("f.sql", text).get(0);

        assertThat(cs.firstLine()).isEqualTo(3);
        assertThat(cs.text()).isEqualTo("\nselect 1;\nselect 2;");
    }

    @Test
    void ignoreLinesDirectivesBlankTheirLines() {
        String text = "--liquibase formatted sql\n--changeset a:1\n--ignoreLines:start\nselect 'no';\n"
                + "--ignoreLines:end\nselect 1;\n--ignoreLines:1\nselect 'skip';\nselect 2;\n";

        LiquibaseFormattedSqlReader.Changeset cs = LiquibaseFormattedSqlReader.read("f.sql", text).get(0);

        assertThat(cs.text()).isEqualTo("\n\n\nselect 1;\n\n\nselect 2;");
    }

    @Test
    void malformedHeadersAreRejected() {
        for (String header : List.of("--changeset", "--changeset bob", "--changeset :1", "--changeset bob:",
                "--changeset \"bob:1")) {
            assertThatThrownBy(() -> LiquibaseFormattedSqlReader.read("f.sql",
                    "--liquibase formatted sql\n\n" + header + "\nselect 1;\n"))
                    .as(header)
                    .isInstanceOf(UnreadableInputException.class)
                    .hasMessageStartingWith("f.sql:3: malformed changeset header")
                    .hasMessageContaining("expected --changeset author:id");
        }
    }

    @Test
    void aCommentStartingWithTheWordIsNotAHeader() {
        List<LiquibaseFormattedSqlReader.Changeset> changesets = LiquibaseFormattedSqlReader.read("f.sql",
                "--liquibase formatted sql\n--changeset a:1\n--changesets are applied once\nselect 1;\n");

        assertThat(changesets).hasSize(1);
        assertThat(changesets.get(0).text()).isEqualTo("--changesets are applied once\nselect 1;");
    }

    @Test
    void duplicateChangesetIdsAndUnterminatedRollbackBlocksAreErrors() {
        assertThatThrownBy(() -> LiquibaseFormattedSqlReader.read("f.sql",
                "--liquibase formatted sql\n--changeset a:1\nselect 1;\n--changeset a:1\nselect 2;\n"))
                .isInstanceOf(UnreadableInputException.class)
                .hasMessageStartingWith("f.sql:4: duplicate changeset a:1 (first at line 2)");
        assertThatThrownBy(() -> LiquibaseFormattedSqlReader.read("f.sql",
                "--liquibase formatted sql\n--changeset a:1\nselect 1;\n/* liquibase rollback\ndrop table t;\n"))
                .isInstanceOf(UnreadableInputException.class)
                .hasMessageStartingWith("f.sql:4: unterminated /* liquibase rollback block");
    }

    @Test
    void commentsAndBlockCommentsMayPrecedeTheFirstChangeset() {
        List<LiquibaseFormattedSqlReader.Changeset> changesets = LiquibaseFormattedSqlReader.read("f.sql",
                "--liquibase formatted sql\n--property name:x value:y\n/* licence\n text */\n\n--changeset a:1\nselect 1;");

        assertThat(changesets).extracting(LiquibaseFormattedSqlReader.Changeset::unitId).containsExactly("a:1");
        assertThat(changesets.get(0).firstLine()).isEqualTo(7);
    }

    @Test
    void aFileWithoutChangesetsHasNone() {
        assertThat(LiquibaseFormattedSqlReader.read("f.sql", "--liquibase formatted sql\n-- nothing yet\n")).isEmpty();
    }
}
