package io.zerodown.core.config;

import io.zerodown.api.InvalidConfigException;
import io.zerodown.api.Severity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    private Path write(String name, String yaml) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        return file;
    }

    private ZerodownConfig load(String yaml) throws IOException {
        return ConfigLoader.load(write(".zerodown.yaml", yaml));
    }

    private String loadError(String yaml) throws IOException {
        Path file = write(".zerodown.yaml", yaml);
        try {
            ConfigLoader.load(file);
        } catch (InvalidConfigException e) {
            return e.getMessage();
        }
        throw new AssertionError("expected InvalidConfigException for:\n" + yaml);
    }

    private String file() {
        return dir.resolve(".zerodown.yaml").toString();
    }

    @Test
    void readsFullFile() throws IOException {
        ZerodownConfig c = load("target: postgres:16          # string\n"
                + "runner: flyway\n"
                + "rules:\n"
                + "  disable: [any.stmt.non-idempotent, pg.column.add-json]\n"
                + "  severity: {pg.enum.add-value-unordered: warning}\n"
                + "lockTimeout:\n"
                + "  max: 5s\n"
                + "  require: true\n"
                + "paths: [db/migration]\n");

        assertThat(c.source()).isEqualTo(dir.resolve(".zerodown.yaml"));
        assertThat(c.target()).isEqualTo("postgres:16");
        assertThat(c.runner()).isEqualTo("flyway");
        assertThat(c.disabledRules()).containsExactly("any.stmt.non-idempotent", "pg.column.add-json");
        assertThat(c.severityOverrides()).containsExactly(Map.entry("pg.enum.add-value-unordered", Severity.WARNING));
        assertThat(c.lockTimeoutMaxMs()).isEqualTo(5_000L);
        assertThat(c.requireLockTimeout()).isTrue();
        assertThat(c.paths()).containsExactly(dir.resolve("db/migration"));
    }

    @Test
    void blockStyleListsAndCaseInsensitiveValues() throws IOException {
        ZerodownConfig c = load("runner: Liquibase\n"
                + "rules:\n"
                + "  disable:\n"
                + "    - my.table.rename\n"
                + "  severity:\n"
                + "    pg.index.create-nonconcurrent: INFO\n"
                + "    my.column.drop: error\n"
                + "lockTimeout:\n"
                + "  require: false\n");

        assertThat(c.runner()).isEqualTo("liquibase");
        assertThat(c.disabledRules()).containsExactly("my.table.rename");
        assertThat(c.severityOverrides()).containsExactly(
                Map.entry("pg.index.create-nonconcurrent", Severity.INFO),
                Map.entry("my.column.drop", Severity.ERROR));
        assertThat(c.requireLockTimeout()).isFalse();
        assertThat(c.requireLockTimeoutOrDefault()).isFalse();
        assertThat(c.lockTimeoutMaxMs()).isNull();
        assertThat(c.lockTimeoutMaxMsOrDefault()).isEqualTo(10_000L);
    }

    @Test
    void emptyFileGivesDefaults() throws IOException {
        ZerodownConfig c = load("# nothing set yet\n");

        assertThat(c.source()).isEqualTo(dir.resolve(".zerodown.yaml"));
        assertThat(c.target()).isNull();
        assertThat(c.runner()).isNull();
        assertThat(c.disabledRules()).isEmpty();
        assertThat(c.severityOverrides()).isEmpty();
        assertThat(c.lockTimeoutMaxMs()).isNull();
        assertThat(c.requireLockTimeout()).isNull();
        assertThat(c.paths()).isEmpty();
        assertThat(c.lockTimeoutMaxMsOrDefault()).isEqualTo(10_000L);
        assertThat(c.requireLockTimeoutOrDefault()).isTrue();
    }

    @Test
    void keysWithoutValueCountAsAbsent() throws IOException {
        ZerodownConfig c = load("target:\nrules:\n  disable:\nlockTimeout:\n  max:\npaths:\n");

        assertThat(c.target()).isNull();
        assertThat(c.disabledRules()).isEmpty();
        assertThat(c.lockTimeoutMaxMs()).isNull();
        assertThat(c.paths()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"100ms, 100", "2s, 2000", "1m, 60000", "0.5s, 500", "'1 s', 1000", "2S, 2000", "'1500', 1500"})
    void parsesDurations(String text, long ms) throws IOException {
        assertThat(load("lockTimeout:\n  max: \"" + text + "\"\n").lockTimeoutMaxMs()).isEqualTo(ms);
    }

    @Test
    void bareNumberIsMilliseconds() throws IOException {
        assertThat(load("lockTimeout:\n  max: 250\n").lockTimeoutMaxMs()).isEqualTo(250L);
    }

    @Test
    void discoverReturnsEmptyWhenNoFile() {
        assertThat(ConfigLoader.discover(dir)).isEqualTo(ZerodownConfig.empty());
    }

    @Test
    void discoverPrefersDotZerodownYaml() throws IOException {
        write("zerodown.yaml", "runner: plain\n");
        write(".zerodown.yml", "runner: flyway\n");
        assertThat(ConfigLoader.discover(dir).runner()).isEqualTo("flyway");
        assertThat(ConfigLoader.discover(dir).source()).isEqualTo(dir.resolve(".zerodown.yml"));

        write(".zerodown.yaml", "runner: liquibase\n");
        assertThat(ConfigLoader.discover(dir).runner()).isEqualTo("liquibase");
    }

    @Test
    void discoverFindsPlainZerodownYaml() throws IOException {
        write("zerodown.yaml", "target: mysql:8.0.35\n");

        ZerodownConfig c = ConfigLoader.discover(dir);
        assertThat(c.target()).isEqualTo("mysql:8.0.35");
        assertThat(c.source()).isEqualTo(dir.resolve("zerodown.yaml"));
    }

    @Test
    void pathsAreResolvedAgainstTheConfigFolder() throws IOException {
        Path file = write("project/.zerodown.yaml",
                "paths:\n  - db/migration\n  - ../shared/sql\n  - ./extra\n  - " + dir.resolve("abs") + "\n");

        ZerodownConfig c = ConfigLoader.load(file);
        assertThat(c.paths()).containsExactly(
                dir.resolve("project/db/migration"),
                dir.resolve("shared/sql"),
                dir.resolve("project/extra"),
                dir.resolve("abs"));
    }

    @Test
    void singlePathStringIsAccepted() throws IOException {
        assertThat(load("paths: db\n").paths()).containsExactly(dir.resolve("db"));
    }

    @Test
    void missingFileIsReported() {
        Path relative = Path.of("config-does-not-exist.yaml");
        assertThatThrownBy(() -> ConfigLoader.load(relative))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("config-does-not-exist.yaml: config file not found");
    }

    @Test
    void unknownTopLevelKey() throws IOException {
        assertThat(loadError("target: postgres:16\nformat: json\n"))
                .isEqualTo(file() + ": format: unknown key (allowed: target, runner, rules, lockTimeout, paths)");
    }

    @Test
    void unknownKeyWithCloseSpellingGetsHint() throws IOException {
        assertThat(loadError("lock_timeout:\n  max: 5s\n"))
                .isEqualTo(file() + ": lock_timeout: unknown key (allowed: target, runner, rules, lockTimeout, paths);"
                        + " did you mean 'lockTimeout'?");
    }

    @Test
    void unknownNestedKeys() throws IOException {
        assertThat(loadError("rules:\n  enable: [x]\n"))
                .isEqualTo(file() + ": rules.enable: unknown key (allowed: disable, severity)");
        assertThat(loadError("lockTimeout:\n  min: 1s\n"))
                .isEqualTo(file() + ": lockTimeout.min: unknown key (allowed: max, require)");
    }

    @Test
    void badSeverity() throws IOException {
        assertThat(loadError("rules:\n  severity:\n    pg.x: fatal\n"))
                .isEqualTo(file() + ": rules.severity.pg.x: 'fatal' is not a severity (error, warning, info)");
    }

    @Test
    void severityMustBeAMapping() throws IOException {
        assertThat(loadError("rules:\n  severity: [pg.x]\n"))
                .startsWith(file() + ": rules.severity: expected a mapping of rule id to severity")
                .endsWith("found a list");
    }

    @ParameterizedTest
    @CsvSource({"5x", "5 seconds", "1h", "-1s", "abc"})
    void badDuration(String text) throws IOException {
        assertThat(loadError("lockTimeout:\n  max: \"" + text + "\"\n"))
                .isEqualTo(file() + ": lockTimeout.max: '" + text
                        + "' is not a duration (e.g. 100ms, 2s, 1m, or a number of milliseconds)");
    }

    @Test
    void zeroOrFractionalMillisecondsAreRejected() throws IOException {
        assertThat(loadError("lockTimeout:\n  max: 0\n")).isEqualTo(file() + ": lockTimeout.max: 0 must be greater than 0");
        assertThat(loadError("lockTimeout:\n  max: 1.5\n"))
                .isEqualTo(file() + ": lockTimeout.max: 1.5 must be a whole number of milliseconds below "
                        + Long.MAX_VALUE);
        assertThat(loadError("lockTimeout:\n  max: [1]\n"))
                .isEqualTo(file() + ": lockTimeout.max: expected a duration (e.g. 100ms, 2s, 1m, or a number of "
                        + "milliseconds), found a list");
    }

    @Test
    void badRunner() throws IOException {
        assertThat(loadError("runner: gradle\n"))
                .isEqualTo(file() + ": runner: 'gradle' is not a runner (zerodown, flyway, liquibase, plain)");
    }

    @Test
    void badTarget() throws IOException {
        assertThat(loadError("target: oracle:19\n"))
                .startsWith(file() + ": target: unknown engine 'oracle'");
        assertThat(loadError("target: postgres:9\n"))
                .startsWith(file() + ": target: target 'postgres:9' is not supported");
    }

    @Test
    void badRequire() throws IOException {
        assertThat(loadError("lockTimeout:\n  require: maybe\n"))
                .isEqualTo(file() + ": lockTimeout.require: 'maybe' is not a boolean (true, false)");
    }

    @Test
    void badListEntries() throws IOException {
        assertThat(loadError("rules:\n  disable: {a: b}\n"))
                .isEqualTo(file() + ": rules.disable: expected a list of strings, found a mapping");
        assertThat(loadError("paths: [db, [x]]\n"))
                .isEqualTo(file() + ": paths[1]: expected a string, found a list");
        assertThat(loadError("rules:\n  disable: ['pg x']\n"))
                .isEqualTo(file() + ": rules.disable: 'pg x' is not a rule id (e.g. pg.index.create-nonconcurrent)");
    }

    @Test
    void rootMustBeAMapping() throws IOException {
        assertThat(loadError("- target\n- runner\n"))
                .isEqualTo(file() + ": expected a mapping of settings (target, runner, rules, lockTimeout, paths), "
                        + "found a list");
    }

    @Test
    void yamlSyntaxErrorNamesFileAndLine() throws IOException {
        String message = loadError("target: postgres:16\nrunner: flyway\nrules:\n  disable: [a, b\n");

        assertThat(message).startsWith(file() + ":5:1: invalid YAML: ");
        assertThat(message).contains("expected ',' or ']'").contains("while parsing a flow sequence at line 4");
    }

    @Test
    void tabIndentationErrorPointsAtTheTabLine() throws IOException {
        assertThat(loadError("target: postgres:16\nrules:\n\tdisable: [a]\n"))
                .startsWith(file() + ":3:1: invalid YAML: ")
                .contains("TAB");
    }

    @Test
    void duplicateKeyIsAnErrorWithLine() throws IOException {
        assertThat(loadError("runner: flyway\ntarget: postgres:16\nrunner: plain\n"))
                .isEqualTo(file() + ":3:7: invalid YAML: duplicate key 'runner'");
    }

    @Test
    void secondYamlDocumentIsRejected() throws IOException {
        assertThat(loadError("runner: flyway\n---\nrunner: plain\n"))
                .isEqualTo(file() + ":3: only one YAML document is allowed in a config file");
    }

    @Test
    void notUtf8IsRejected() throws IOException {
        Path file = dir.resolve(".zerodown.yaml");
        Files.write(file, new byte[]{'r', 'u', 'n', 'n', 'e', 'r', ':', ' ', (byte) 0xff, '\n'});

        assertThatThrownBy(() -> ConfigLoader.load(file))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage(file + ": config file is not UTF-8");
    }

    @Test
    void resultCollectionsAreUnmodifiable() throws IOException {
        ZerodownConfig c = load("rules:\n  disable: [a.b]\npaths: [x]\n");

        assertThatThrownBy(() -> c.disabledRules().add("z")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> c.paths().add(Path.of("z"))).isInstanceOf(UnsupportedOperationException.class);
        assertThat(List.copyOf(c.paths())).containsExactly(dir.resolve("x"));
    }
}
