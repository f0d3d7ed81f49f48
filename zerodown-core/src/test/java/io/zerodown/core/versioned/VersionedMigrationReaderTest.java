package io.zerodown.core.versioned;

import io.zerodown.api.UnreadableInputException;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VersionedMigrationReaderTest {
    private final VersionedMigrationReader reader = new VersionedMigrationReader();

    private VersionedMigration yaml(String text) {
        return reader.parse("m.yaml", text, false, "m");
    }

    @Test
    void yamlAndJsonGiveTheSameModel() {
        VersionedMigration y = yaml("""
                name: v2
                operations:
                  - rename_column: {table: users, from: name, to: full_name}
                  - change_type: {table: users, column: amount, type: "numeric(12,2)", up: amount / 100.0, down: "(amount * 100)::int"}
                  - merge_columns:
                      table: users
                      columns: [first, last]
                      into: {name: full, type: text, up: "first || ' ' || last"}
                      down: {first: "split_part(full, ' ', 1)", last: "split_part(full, ' ', 2)"}
                """);
        VersionedMigration j = reader.parse("m.json", """
                {"name": "v2", "operations": [
                  {"rename_column": {"table": "users", "from": "name", "to": "full_name"}},
                  {"change_type": {"table": "users", "column": "amount", "type": "numeric(12,2)", "up": "amount / 100.0",
                                   "down": "(amount * 100)::int"}},
                  {"merge_columns": {"table": "users", "columns": ["first", "last"],
                                     "into": {"name": "full", "type": "text", "up": "first || ' ' || last"},
                                     "down": {"first": "split_part(full, ' ', 1)", "last": "split_part(full, ' ', 2)"}}}]}
                """, true, "m");
        assertThat(y.name()).isEqualTo("v2");
        assertThat(y.schema()).isEqualTo("public");
        assertThat(strip(y.operations())).isEqualTo(strip(j.operations()));
        assertThat(y.operations().get(1)).isEqualTo(new Operation.ChangeType(4, "users", "amount", "numeric(12,2)",
                "amount / 100.0", "(amount * 100)::int"));
    }

    private static List<String> strip(List<Operation> ops) {
        // the same operation has a different line in each file
        return ops.stream().map(o -> o.toString().replaceFirst("line=\\d+, ", "")).toList();
    }

    @Test
    void everyOperationReads() {
        VersionedMigration m = yaml("""
                operations:
                  - add_column: {table: t, column: {name: c, type: int, nullable: false}, up: "0"}
                  - rename_table: {from: t, to: u}
                  - set_not_null: {table: u, column: c, up: "0"}
                  - drop_column: {table: u, column: d, down: "'x'"}
                  - split_column: {table: u, column: n, into: [{name: a, type: text, up: "n"}, {name: b, type: text, up: "n"}], down: "a"}
                  - create_index: {table: u, name: u_a, columns: [a], unique: true}
                  - drop_index: {name: old_idx}
                  - add_unique: {table: u, name: u_b, columns: [b]}
                  - add_check: {table: u, name: c_pos, check: "c >= 0"}
                  - add_foreign_key: {table: u, name: fk, columns: [c], references: {table: p, columns: [id]}, on_delete: cascade}
                  - drop_constraint: {table: u, name: x}
                  - raw_sql: {up: "CREATE TABLE z (id int)", down: "DROP TABLE z"}
                """);
        assertThat(m.operations()).extracting(Operation::kind).containsExactly("add_column", "rename_table", "set_not_null",
                "drop_column", "split_column", "create_index", "drop_index", "add_unique", "add_check", "add_foreign_key",
                "drop_constraint", "raw_sql");
        assertThat(((Operation.AddForeignKey) m.operations().get(9)).onDelete()).isEqualTo("CASCADE");
        assertThat(m.name()).isEqualTo("m");
    }

    @Test
    void unknownOperationNamesFileLineAndTheChoices() {
        assertThatThrownBy(() -> yaml("operations:\n  - add_column: {table: t, column: {name: c, type: int}}\n  - rename_colum: {table: t}\n"))
                .isInstanceOf(UnreadableInputException.class)
                .hasMessageStartingWith("m.yaml:3: rename_colum: unknown operation 'rename_colum': use one of add_column, rename_column");
    }

    @Test
    void missingUpIsNamedWithWhatToWrite() {
        assertThatThrownBy(() -> yaml("operations:\n  - change_type: {table: t, column: c, type: bigint, down: c::int}\n"))
                .hasMessage("m.yaml:2: change_type: missing 'up': how to convert old values to the new type, e.g. \"amount::numeric(12,2)\"");
        assertThatThrownBy(() -> yaml("operations:\n\n  - add_column: {table: t, column: {name: c, type: int, nullable: false}}\n"))
                .hasMessageStartingWith("m.yaml:3: add_column: missing 'up': column c is NOT NULL");
        assertThatThrownBy(() -> yaml("operations:\n  - set_not_null: {table: t, column: c}\n"))
                .hasMessageStartingWith("m.yaml:2: set_not_null: missing 'up'");
    }

    @Test
    void syntaxErrorsCarryTheParsersLine() {
        assertThatThrownBy(() -> yaml("operations:\n  - rename_column: {table: t, from: a, to: b\n  - x: 1\n"))
                .isInstanceOf(UnreadableInputException.class).hasMessageMatching("m\\.yaml:[34]: not valid YAML: .*");
        assertThatThrownBy(() -> reader.parse("m.json", "{\"operations\": [\n{\"raw_sql\": {\"up\": \"x\"}},\n]", true, "m"))
                .hasMessageMatching("m\\.json:3: not valid JSON: .*");
    }

    @Test
    void unknownFieldsReservedNamesAndBadTypesAreRefused() {
        assertThatThrownBy(() -> yaml("operations:\n  - rename_column: {table: t, from: a, too: b}\n"))
                .hasMessage("m.yaml:2: rename_column: unknown field 'too': expected table, from, to");
        assertThatThrownBy(() -> yaml("operations:\n  - rename_column: {table: t, from: a, to: _zd_x}\n"))
                .hasMessageContaining("starts with _zd_, which zerodown reserves");
        assertThatThrownBy(() -> yaml("operations:\n  - change_type: {table: t, column: c, type: \"int; DROP TABLE t\", up: c, down: c}\n"))
                .hasMessageContaining("'type' is not a type");
        assertThatThrownBy(() -> reader.parse("20240101_add.yaml", "operations: [{raw_sql: {up: x}}]", false, "20240101_add"))
                .hasMessageContaining("version name '20240101_add' is not usable").isInstanceOf(UnreadableInputException.class);
        assertThat(reader.parse("Add Email.yaml", "operations: [{raw_sql: {up: x}}]", false, "Add Email").name()).isEqualTo("add_email");
        assertThatThrownBy(() -> yaml("name: v2\n")).hasMessage("m.yaml:1: no operations: add an 'operations' list");
    }

    @Test
    void readsFilesByExtension(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path f = dir.resolve("v3_add_email.yml");
        Files.writeString(f, "operations: [{add_column: {table: t, column: {name: email, type: text}}}]\n");
        assertThat(VersionedMigrationReader.accepts(f)).isTrue();
        assertThat(VersionedMigrationReader.accepts(dir.resolve("V1__x.sql"))).isFalse();
        VersionedMigration m = reader.read(f);
        assertThat(m.name()).isEqualTo("v3_add_email");
        assertThat(m.operations().get(0)).isEqualTo(new Operation.AddColumn(1, "t", new Operation.ColumnSpec("email", "text", null, true), null));
    }
}
