package io.zerodown.core.source;

import io.zerodown.api.UnreadableInputException;
import io.zerodown.core.source.MigrationFile.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class DefaultMigrationScannerTest {

    @TempDir
    Path dir;

    private DefaultMigrationScanner scanner() {
        return new DefaultMigrationScanner(dir);
    }

    private Path write(String relative, String content) throws IOException {
        return write(relative, content.getBytes(StandardCharsets.UTF_8));
    }

    private Path write(String relative, byte[] content) throws IOException {
        Path p = dir.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.write(p, content);
        return p;
    }

    private List<MigrationFile> scan(String folder) {
        return scanner().scan(List.of(dir.resolve(folder)));
    }

    private static List<String> ids(List<MigrationFile> files) {
        return files.stream().flatMap(f -> f.units().stream()).map(MigrationUnit::id).toList();
    }

    // ------------------------------------------------------------------------------------------------ Flyway

    @Test
    void flywayVersionsOrderNumericallyNotAsText() throws IOException {
        write("db/V10__ten.sql", "select 10;");
        write("db/V2__two_things.sql", "select 2;");
        write("db/V1__one.sql", "select 1;");

        List<MigrationFile> files = scan("db");

        assertThat(ids(files)).containsExactly("V1", "V2", "V10");
        assertThat(files).allSatisfy(f -> assertThat(f.kind()).isEqualTo(Kind.FLYWAY_VERSIONED));
        assertThat(files.get(1).version()).isEqualTo("2");
        assertThat(files.get(1).description()).isEqualTo("two things");
        assertThat(files.get(1).file()).isEqualTo("db/V2__two_things.sql");
        assertThat(files.get(1).units().get(0).text()).isEqualTo("select 2;");
        assertThat(files.get(1).units().get(0).firstLine()).isEqualTo(1);
        assertThat(files.get(1).units().get(0).runInTransaction()).isNull();
    }

    @Test
    void underscoreReadsAsDotAndEachPartComparesNumerically() throws IOException {
        write("db/V1.10__b.sql", "b");
        write("db/V1_2__a.sql", "a");
        write("db/V1.9__c.sql", "c");
        write("db/V1__d.sql", "d");
        write("db/V1.2.1__e.sql", "e");

        List<MigrationFile> files = scan("db");

        assertThat(ids(files)).containsExactly("V1", "V1.2", "V1.2.1", "V1.9", "V1.10");
        assertThat(files.get(1).file()).isEqualTo("db/V1_2__a.sql");
        assertThat(files.get(1).version()).isEqualTo("1.2");
    }

    @Test
    void repeatableComeAfterVersionedUndoIsSkippedBaselineIsVersioned() throws IOException {
        write("db/R__views.sql", "create view v as select 1;");
        write("db/V1__init.sql", "create table t(id int);");
        write("db/U1__init.sql", "drop table t;");
        write("db/B2__base.sql", "create table t(id int, x int);");
        write("db/R__a_function.sql", "create function f() returns int as 'select 1' language sql;");
        write("db/v3__lowercase_prefix.sql", "select 3;");

        List<MigrationFile> files = scan("db");

        assertThat(ids(files)).containsExactly("V1", "B2", "v3__lowercase_prefix.sql", "R__a_function", "R__views");
        assertThat(files).extracting(MigrationFile::kind).containsExactly(Kind.FLYWAY_VERSIONED,
                Kind.FLYWAY_VERSIONED, Kind.PLAIN, Kind.FLYWAY_REPEATABLE, Kind.FLYWAY_REPEATABLE);
        assertThat(files.get(3).description()).isEqualTo("a function");
        assertThat(files.get(3).version()).isNull();
        assertThat(files).noneSatisfy(f -> assertThat(f.file()).contains("U1__"));
    }

    @Test
    void duplicateVersionInOneFolderNamesBothFiles() throws IOException {
        write("db/V1__a.sql", "a");
        write("db/sub/V1.0__b.sql", "b");
        write("db/V2__c.sql", "c");

        assertThatThrownBy(() -> scan("db"))
                .isInstanceOf(UnreadableInputException.class)
                .hasMessageContaining("duplicate Flyway version")
                .hasMessageContaining("db/V1__a.sql")
                .hasMessageContaining("db/sub/V1.0__b.sql");
    }

    @Test
    void flywayConfWithExecuteInTransactionFalseMakesUnitNonTransactional() throws IOException {
        write("db/V1__concurrent_index.sql", "create index concurrently i on t(x);");
        write("db/V1__concurrent_index.sql.conf", "# script config\nexecuteInTransaction = false\n");
        write("db/V2__normal.sql", "alter table t add column y int;");
        write("db/V2__normal.sql.conf", "executeInTransaction=true\n");
        write("db/V3__none.sql", "select 1;");

        List<MigrationFile> files = scan("db");

        assertThat(ids(files)).containsExactly("V1", "V2", "V3");
        assertThat(files).extracting(f -> f.units().get(0).runInTransaction())
                .containsExactly(Boolean.FALSE, null, null);
    }

    @Test
    void flywayConfIsFoundNextToAnExplicitFile() throws IOException {
        Path script = write("V7__x.sql", "create index concurrently i on t(x);");
        write("V7__x.sql.conf", "executeInTransaction=false");

        List<MigrationFile> files = scanner().scan(List.of(script));

        assertThat(files).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(Kind.FLYWAY_VERSIONED);
            assertThat(f.units().get(0).id()).isEqualTo("V7");
            assertThat(f.units().get(0).runInTransaction()).isFalse();
        });
    }

    // ------------------------------------------------------------------------------------------------ Diesel

    @Test
    void dieselFoldersOrderByTimestampAndReadMetadataToml() throws IOException {
        write("migrations/2019-03-14-121314_add_x/up.sql", "alter table t add column x int;");
        write("migrations/2019-03-14-121314_add_x/down.sql", "alter table t drop column x;");
        write("migrations/20240101000000_index_y/up.sql", "create index concurrently i on t(y);");
        write("migrations/20240101000000_index_y/down.sql", "drop index i;");
        write("migrations/20240101000000_index_y/metadata.toml", "run_in_transaction = false\n");
        write("migrations/2018-01-01-000000_create/up.sql", "create table t(id int);");
        write("migrations/2018-01-01-000000_create/down.sql", "drop table t;");

        List<MigrationFile> files = scan("migrations");

        assertThat(ids(files)).containsExactly("2018-01-01-000000_create", "2019-03-14-121314_add_x",
                "20240101000000_index_y");
        assertThat(files).extracting(MigrationFile::kind).containsOnly(Kind.DIESEL);
        assertThat(files).extracting(MigrationFile::file).containsExactly(
                "migrations/2018-01-01-000000_create/up.sql", "migrations/2019-03-14-121314_add_x/up.sql",
                "migrations/20240101000000_index_y/up.sql");
        assertThat(files.get(1).version()).isEqualTo("2019-03-14-121314");
        assertThat(files.get(1).description()).isEqualTo("add_x");
        assertThat(files).extracting(f -> f.units().get(0).runInTransaction()).containsExactly(null, null, false);
    }

    @Test
    void dieselComparesVersionsAsTextWithDashesRemovedLikeDiesel() throws IOException {
        // crates.io mixes 14-digit and 18-digit (…-0000) versions; Diesel compares them as text
        write("m/2026-05-27-120000_later/up.sql", "select 3;");
        write("m/2025-11-19-091444-0000_earlier/up.sql", "select 2;");
        write("m/20140924113530_oldest/up.sql", "select 1;");
        write("m/00000000000000_diesel_initial_setup/up.sql", "select 0;");

        assertThat(ids(scan("m"))).containsExactly("00000000000000_diesel_initial_setup",
                "20140924113530_oldest", "2025-11-19-091444-0000_earlier", "2026-05-27-120000_later");
    }

    // ------------------------------------------------------------------------------------------------ numbered, plain

    @Test
    void autheliaStyleUpFilesOrderByNumberAndDownFilesAreSkipped() throws IOException {
        write("pg/V0010.Ten.up.sql", "select 10;");
        write("pg/V0010.Ten.down.sql", "select -10;");
        write("pg/V0002.WebAuthn.up.sql", "select 2;");
        write("pg/V0002.WebAuthn.down.sql", "select -2;");
        write("pg/V0001.Initial_Schema.up.sql", "select 1;");
        write("pg/V0001.Initial_Schema.down.sql", "select -1;");

        List<MigrationFile> files = scan("pg");

        assertThat(ids(files)).containsExactly("V0001.Initial_Schema.up.sql", "V0002.WebAuthn.up.sql",
                "V0010.Ten.up.sql");
        assertThat(files).extracting(MigrationFile::kind).containsOnly(Kind.NUMBERED_UP);
        assertThat(files).extracting(MigrationFile::version).containsExactly("0001", "0002", "0010");
        assertThat(files.get(0).description()).isEqualTo("Initial_Schema");
    }

    @Test
    void plainFilesUseNaturalNumberOrderAndSkipDownFiles() throws IOException {
        write("sql/10_x.sql", "select 10;");
        write("sql/2_x.sql", "select 2;");
        write("sql/1_a.sql", "select 1;");
        write("sql/b.sql", "select 'b';");
        write("sql/9_y.down.sql", "select -9;");
        write("sql/down.sql", "select 0;");
        write("sql/notes.txt", "not sql");

        List<MigrationFile> files = scan("sql");

        assertThat(ids(files)).containsExactly("1_a.sql", "2_x.sql", "10_x.sql", "b.sql");
        assertThat(files).extracting(MigrationFile::kind).containsOnly(Kind.PLAIN);
        assertThat(files).extracting(MigrationFile::version).containsOnlyNulls();
    }

    @Test
    void timestampNamedFilesOrderByTimestamp() throws IOException {
        write("m/20170428200900_b__add.sql", "b");
        write("m/20170428200859_initial_state.sql", "a");
        write("m/20260729001927_c.sql", "c");

        assertThat(ids(scan("m"))).containsExactly("20170428200859_initial_state.sql",
                "20170428200900_b__add.sql", "20260729001927_c.sql");
    }

    @Test
    void mixedFolderPutsVersionedFirstThenOthersThenRepeatable() throws IOException {
        write("mix/R__views.sql", "r");
        write("mix/2_plain.sql", "p2");
        write("mix/V1__init.sql", "v1");
        write("mix/1_plain.sql", "p1");
        write("mix/V3__more.sql", "v3");

        assertThat(ids(scan("mix"))).containsExactly("V1", "V3", "1_plain.sql", "2_plain.sql", "R__views");
    }

    @Test
    void explicitFilesAreTakenInTheGivenOrderWhateverTheirName() throws IOException {
        Path b = write("b.sql", "select 'b';");
        Path down = write("x/down.sql", "drop table t;");
        Path undo = write("U1__undo.sql", "drop table t;");
        Path txt = write("notes.txt", "alter table t add column c int;");

        List<MigrationFile> files = scanner().scan(List.of(txt, b, down, undo));

        assertThat(ids(files)).containsExactly("notes.txt", "b.sql", "down.sql", "U1__undo.sql");
        assertThat(files).extracting(MigrationFile::kind).containsOnly(Kind.PLAIN);
        assertThat(files.get(0).units().get(0).text()).isEqualTo("alter table t add column c int;");
    }

    @Test
    void inputsAreConcatenatedInOrderAndAFileReachedTwiceIsKeptOnce() throws IOException {
        write("a/V2__b.sql", "b");
        Path v1 = write("a/V1__a.sql", "a");
        Path other = write("z.sql", "z");

        List<MigrationFile> files = scanner().scan(List.of(other, dir.resolve("a"), v1));

        assertThat(ids(files)).containsExactly("z.sql", "V1", "V2");
    }

    // ------------------------------------------------------------------------------------------------ Liquibase

    @Test
    void liquibaseFormattedSqlIsSplitIntoChangesetsWithExactLineNumbers() throws IOException {
        String text = String.join("\n",
                "-- liquibase formatted sql",                                      // 1
                "",                                                                // 2
                "--changeset alice:1",                                             // 3
                "--comment: creates the table",                                    // 4
                "create table t (id int);",                                        // 5
                "--rollback drop table t;",                                        // 6
                "",                                                                // 7
                "--changeset bob:idx runInTransaction:false splitStatements:false", // 8
                "--preconditions onFail:MARK_RAN",                                 // 9
                "--precondition-sql-check expectedResult:0 select count(*) from t", // 10
                "create index concurrently t_idx",                                 // 11
                "  on t (id);",                                                    // 12
                "/* liquibase rollback",                                           // 13
                "drop index t_idx;",                                               // 14
                "*/",                                                              // 15
                "alter table t add column x int;",                                 // 16
                "--rollback alter table t drop column x;",                         // 17
                "-- changeset carol:3 context:dev labels:x dbms:postgresql",       // 18
                "/* liquibase rollback select 1; */",                              // 19
                "insert into t values (1);");                                      // 20
        write("changelog/001_changes.sql", text);

        List<MigrationFile> files = scan("changelog");

        assertThat(files).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(Kind.LIQUIBASE);
            assertThat(f.units()).extracting(MigrationUnit::id).containsExactly("alice:1", "bob:idx", "carol:3");
            assertThat(f.units()).extracting(MigrationUnit::firstLine).containsExactly(4, 9, 19);
            assertThat(f.units()).extracting(MigrationUnit::runInTransaction).containsExactly(null, false, null);
            assertThat(f.units()).extracting(MigrationUnit::file).containsOnly("changelog/001_changes.sql");
        });
        List<String> fileLines = List.of(text.split("\n", -1));
        MigrationUnit alice = files.get(0).units().get(0);
        MigrationUnit bob = files.get(0).units().get(1);
        MigrationUnit carol = files.get(0).units().get(2);
        assertThat(alice.text()).isEqualTo("\ncreate table t (id int);\n\n");
        assertThat(bob.text()).isEqualTo("\n\ncreate index concurrently t_idx\n  on t (id);\n\n\n\n"
                + "alter table t add column x int;\n");
        assertThat(carol.text()).isEqualTo("\ninsert into t values (1);");
        // every non-blank line of a unit is the file line firstLine + k - 1
        for (MigrationUnit unit : files.get(0).units()) {
            String[] unitLines = unit.text().split("\n", -1);
            for (int k = 1; k <= unitLines.length; k++) {
                if (!unitLines[k - 1].isEmpty()) {
                    assertThat(unitLines[k - 1]).isEqualTo(fileLines.get(unit.firstLine() + k - 2));
                }
            }
        }
        assertThat(bob.text().split("\n", -1)[11 - 9]).isEqualTo("create index concurrently t_idx");
        assertThat(bob.text().split("\n", -1)[16 - 9]).isEqualTo("alter table t add column x int;");
    }

    @Test
    void liquibaseFileKeepsItsNamePlaceAndHeaderIsCaseInsensitive() throws IOException {
        write("db/2_changes.sql", "\n--   Liquibase Formatted SQL\n--changeset a:1\nselect 1;\n");
        write("db/10_plain.sql", "select 10;");
        write("db/1_plain.sql", "select 1;");

        List<MigrationFile> files = scan("db");

        assertThat(files).extracting(MigrationFile::kind).containsExactly(Kind.PLAIN, Kind.LIQUIBASE, Kind.PLAIN);
        assertThat(ids(files)).containsExactly("1_plain.sql", "a:1", "10_plain.sql");
        assertThat(files.get(1).units().get(0).firstLine()).isEqualTo(4);
        assertThat(files.get(1).units().get(0).text()).isEqualTo("select 1;");
    }

    @Test
    void malformedChangesetHeaderIsReportedWithItsLine() throws IOException {
        Path f = write("bad.sql", "--liquibase formatted sql\n--changeset a:1\nselect 1;\n--changeset bob\nselect 2;\n");

        UnreadableInputException e = catchThrowableOfType(UnreadableInputException.class,
                () -> scanner().scan(List.of(f)));

        assertThat(e).isNotNull();
        assertThat(e.line()).isEqualTo(4);
        assertThat(e.file()).isEqualTo("bad.sql");
        assertThat(e.getMessage()).startsWith("bad.sql:4: malformed changeset header")
                .contains("expected --changeset author:id");
    }

    @Test
    void sqlBeforeTheFirstChangesetIsAnError() throws IOException {
        Path f = write("pre.sql", "--liquibase formatted sql\n-- a comment\n\ncreate table t(id int);\n"
                + "--changeset a:1\nselect 1;\n");

        UnreadableInputException e = catchThrowableOfType(UnreadableInputException.class,
                () -> scanner().scan(List.of(f)));

        assertThat(e).isNotNull();
        assertThat(e.line()).isEqualTo(4);
        assertThat(e.getMessage()).contains("before the first --changeset");
    }

    // ------------------------------------------------------------------------------------------------ errors

    @Test
    void invalidUtf8IsReportedWithFileAndLine() throws IOException {
        byte[] bytes = {'s', 'e', 'l', 'e', 'c', 't', ' ', '1', ';', '\n', '-', '-', ' ', (byte) 0xC3, '(', '\n'};
        write("db/V1__latin1.sql", bytes);

        UnreadableInputException e = catchThrowableOfType(UnreadableInputException.class, () -> scan("db"));

        assertThat(e).isNotNull();
        assertThat(e.file()).isEqualTo("db/V1__latin1.sql");
        assertThat(e.line()).isEqualTo(2);
        assertThat(e.getMessage()).contains("not valid UTF-8").contains("0xC3").contains("save the file as UTF-8");
    }

    @Test
    void missingPathIsNamed() {
        assertThatThrownBy(() -> scanner().scan(List.of(dir.resolve("nope/V1__x.sql"))))
                .isInstanceOf(UnreadableInputException.class)
                .hasMessageStartingWith("nope/V1__x.sql: ")
                .hasMessageContaining("no such file or folder")
                .hasMessageContaining("check the path");
    }

    @Test
    void folderWithoutSqlFilesIsAnError() throws IOException {
        write("db/readme.md", "nothing here");

        assertThatThrownBy(() -> scan("db"))
                .isInstanceOf(UnreadableInputException.class)
                .hasMessage("db/: no .sql files found under db/ — pass a folder of migrations or .sql files");
    }

    @Test
    void folderWithOnlyDownScriptsIsAnError() throws IOException {
        write("db/1_x.down.sql", "drop table x;");
        write("db/U1__x.sql", "drop table x;");

        assertThatThrownBy(() -> scan("db"))
                .isInstanceOf(UnreadableInputException.class)
                .hasMessageContaining("only down/undo scripts found under db/");
    }

    // ------------------------------------------------------------------------------------------------ content

    @Test
    void checksumIsFlywaysAndIgnoresLineEndings() throws IOException {
        String lf = "create table t (\n  id int\n);\n\n-- é\n";
        Path a = write("lf/V1__a.sql", lf);
        Path b = write("crlf/V1__a.sql", lf.replace("\n", "\r\n"));
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] body = lf.getBytes(StandardCharsets.UTF_8);
        byte[] withBom = new byte[bom.length + body.length];
        System.arraycopy(bom, 0, withBom, 0, 3);
        System.arraycopy(body, 0, withBom, 3, body.length);
        Path c = write("bom/V1__a.sql", withBom);

        List<MigrationFile> files = scanner().scan(List.of(a, b, c));

        CRC32 crc = new CRC32();
        for (String line : List.of("create table t (", "  id int", ");", "", "-- é")) {
            crc.update(line.getBytes(StandardCharsets.UTF_8));
        }
        int expected = (int) crc.getValue();
        assertThat(files).extracting(MigrationFile::checksum).containsExactly(expected, expected, expected);
        assertThat(files.get(2).units().get(0).text()).isEqualTo(lf);
        assertThat(files.get(1).units().get(0).text()).isEqualTo(lf.replace("\n", "\r\n"));
    }

    @Test
    void checksumOfAKnownScript() {
        // CRC32("select 1;") — Flyway feeds the line without its terminator
        CRC32 crc = new CRC32();
        crc.update("select 1;".getBytes(StandardCharsets.UTF_8));
        assertThat(FlywayChecksum.of("select 1;\n".getBytes(StandardCharsets.UTF_8))).isEqualTo((int) crc.getValue());
        assertThat(FlywayChecksum.of("select 1;\r\n".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo((int) crc.getValue());
        assertThat(FlywayChecksum.of(new byte[0])).isZero();
    }

    @Test
    void displayPathIsAbsoluteOutsideTheWorkingDirectory() throws IOException {
        Path f = write("elsewhere/V1__x.sql", "select 1;");
        DefaultMigrationScanner fromOtherDir = new DefaultMigrationScanner(dir.resolve("somewhere-else"));

        MigrationFile file = fromOtherDir.scan(List.of(f)).get(0);

        assertThat(file.file()).isEqualTo(f.toAbsolutePath().normalize().toString().replace('\\', '/'));
        assertThat(file.path()).isEqualTo(f.toAbsolutePath().normalize());
        assertThat(scanner().scan(List.of(f)).get(0).file()).isEqualTo("elsewhere/V1__x.sql");
    }

    @Test
    void scansAThousandFilesQuickly() throws IOException {
        String body = "create table t_N (id bigint primary key, name text not null);\n".repeat(20);
        for (int i = 1; i <= 1000; i++) {
            write("big/V" + i + "__create_table_" + i + ".sql", body.replace("N", Integer.toString(i)));
        }

        long start = System.nanoTime();
        List<MigrationFile> files = scan("big");
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertThat(files).hasSize(1000);
        assertThat(files.get(0).units().get(0).id()).isEqualTo("V1");
        assertThat(files.get(9).units().get(0).id()).isEqualTo("V10");
        assertThat(files.get(999).units().get(0).id()).isEqualTo("V1000");
        assertThat(millis).isLessThan(5_000);
    }
}
