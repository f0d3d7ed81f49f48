package io.zerodown.core.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.zerodown.api.InvalidConfigException;
import io.zerodown.api.InvalidTargetException;
import io.zerodown.api.Runner;
import io.zerodown.api.Severity;
import io.zerodown.api.Target;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads {@code .zerodown.yaml}:
 * <pre>
 * target: postgres:16
 * runner: flyway                      # zerodown | flyway | liquibase | plain
 * rules:
 *   disable: [any.stmt.non-idempotent]
 *   severity: {pg.enum.add-value-unordered: warning}
 * lockTimeout:
 *   max: 5s                           # 100ms, 2s, 1m, or a bare number of milliseconds
 *   require: true
 * paths: [db/migration]               # relative to the folder of the config file
 * </pre>
 * Every key is optional; a key with no value counts as absent. Unknown keys and bad values fail with an
 * {@link InvalidConfigException} whose message starts with the file and names the key and what is allowed.
 * Rule ids are not checked against the catalogue here.
 */
public final class ConfigLoader {

    /** File names {@link #discover} looks for, in this order. */
    public static final List<String> FILE_NAMES = List.of(".zerodown.yaml", ".zerodown.yml", "zerodown.yaml");

    private static final List<String> TOP_KEYS = List.of("target", "runner", "rules", "lockTimeout", "paths");
    private static final List<String> RULES_KEYS = List.of("disable", "severity");
    private static final List<String> LOCK_TIMEOUT_KEYS = List.of("max", "require");

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m)?");

    private ConfigLoader() {
    }

    /**
     * The config in the first of {@code .zerodown.yaml}, {@code .zerodown.yml}, {@code zerodown.yaml} found in
     * {@code dir}, or {@link ZerodownConfig#empty()} when there is none.
     */
    public static ZerodownConfig discover(Path dir) {
        for (String name : FILE_NAMES) {
            Path candidate = dir.resolve(name);
            if (Files.isRegularFile(candidate)) {
                return load(candidate);
            }
        }
        return ZerodownConfig.empty();
    }

    /** Reads and checks one config file. */
    public static ZerodownConfig load(Path file) {
        String name = file.toString();
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new InvalidConfigException(name + ": config file not found", e);
        } catch (MalformedInputException e) {
            throw new InvalidConfigException(name + ": config file is not UTF-8", e);
        } catch (IOException e) {
            throw new InvalidConfigException(name + ": cannot read config file: " + e.getMessage(), e);
        }
        JsonNode root = parse(name, text);
        return new Reader(file, name).read(root);
    }

    // ---------------------------------------------------------------------------------------------------------
    // YAML

    private static JsonNode parse(String name, String text) {
        YAMLMapper mapper = new YAMLMapper();
        try (JsonParser parser = mapper.createParser(text)) {
            parser.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
            JsonNode root = mapper.readTree(parser);
            // a second document (after ---) is not read; refuse it rather than ignore it silently
            for (JsonToken t = parser.nextToken(); t != null; t = parser.nextToken()) {
                if (t != JsonToken.VALUE_NULL) {
                    throw new InvalidConfigException(name + ":" + parser.currentLocation().getLineNr()
                            + ": only one YAML document is allowed in a config file");
                }
            }
            return root;
        } catch (JsonProcessingException e) {
            throw syntaxError(name, e);
        } catch (IOException e) {
            throw new InvalidConfigException(name + ": cannot read config file: " + e.getMessage(), e);
        }
    }

    private static InvalidConfigException syntaxError(String name, JsonProcessingException e) {
        int line = 0;
        int column = 0;
        String problem = e.getOriginalMessage();
        MarkedYAMLException marked = findMarked(e);
        if (marked != null && marked.getProblemMark() != null) {
            // SnakeYAML's problem mark (0-based) points at the offending character; Jackson's location may
            // point at the last good token instead
            Mark mark = marked.getProblemMark();
            line = mark.getLine() + 1;
            column = mark.getColumn() + 1;
            problem = marked.getProblem();
            if (marked.getContext() != null && marked.getContextMark() != null) {
                problem += " (" + marked.getContext() + " at line " + (marked.getContextMark().getLine() + 1) + ")";
            }
        } else {
            JsonLocation loc = e.getLocation();
            if (loc != null && loc.getLineNr() > 0) {
                line = loc.getLineNr();
                column = loc.getColumnNr();
            }
        }
        String where = line > 0 ? name + ":" + line + (column > 0 ? ":" + column : "") : name;
        String text = problem == null ? "" : problem.strip().replaceAll("\\s*\\R\\s*", " ");
        if (text.startsWith("Duplicate field ")) {
            text = "duplicate key " + text.substring("Duplicate field ".length());
        }
        return new InvalidConfigException(where + ": invalid YAML: " + text, e);
    }

    private static MarkedYAMLException findMarked(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MarkedYAMLException) {
                return (MarkedYAMLException) t;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    // ---------------------------------------------------------------------------------------------------------
    // values

    /** Walks the tree of one file; every error names {@code name} and the dotted key. */
    private static final class Reader {
        private final Path file;
        private final String name;

        Reader(Path file, String name) {
            this.file = file;
            this.name = name;
        }

        ZerodownConfig read(JsonNode root) {
            String target = null;
            String runner = null;
            Set<String> disabled = new LinkedHashSet<>();
            Map<String, Severity> severities = new LinkedHashMap<>();
            Long lockTimeoutMax = null;
            Boolean requireLockTimeout = null;
            List<Path> paths = new ArrayList<>();

            if (root != null && !root.isMissingNode() && !root.isNull()) {
                if (!root.isObject()) {
                    throw error(null, "expected a mapping of settings (" + String.join(", ", TOP_KEYS)
                            + "), found " + kind(root));
                }
                for (Map.Entry<String, JsonNode> e : root.properties()) {
                    String key = e.getKey();
                    JsonNode value = e.getValue();
                    if (!TOP_KEYS.contains(key)) {
                        throw unknownKey(null, key, TOP_KEYS);
                    }
                    if (value.isNull()) {
                        continue;
                    }
                    switch (key) {
                        case "target":
                            target = target(value);
                            break;
                        case "runner":
                            runner = runner(value);
                            break;
                        case "rules":
                            rules(value, disabled, severities);
                            break;
                        case "lockTimeout": {
                            JsonNode section = mapping("lockTimeout", value, LOCK_TIMEOUT_KEYS);
                            JsonNode max = section.get("max");
                            if (max != null && !max.isNull()) {
                                lockTimeoutMax = duration("lockTimeout.max", max);
                            }
                            JsonNode require = section.get("require");
                            if (require != null && !require.isNull()) {
                                requireLockTimeout = bool("lockTimeout.require", require);
                            }
                            break;
                        }
                        default: // "paths"
                            for (String p : strings("paths", value)) {
                                paths.add(path(p));
                            }
                    }
                }
            }
            return new ZerodownConfig(file, target, runner, Collections.unmodifiableSet(disabled),
                    Collections.unmodifiableMap(severities), lockTimeoutMax, requireLockTimeout,
                    Collections.unmodifiableList(paths));
        }

        private String target(JsonNode value) {
            String text = scalar("target", value, "a target such as postgres:16, mysql:8.0.35 or mariadb:10.11");
            try {
                Target.parse(text);
                return text.trim();
            } catch (InvalidTargetException e) {
                throw new InvalidConfigException(name + ": target: " + e.getMessage(), e);
            }
        }

        private String runner(JsonNode value) {
            String allowed = Arrays.stream(Runner.values()).map(Runner::id).collect(Collectors.joining(", "));
            String text = scalar("runner", value, "one of " + allowed);
            for (Runner r : Runner.values()) {
                if (r.id().equalsIgnoreCase(text.trim())) {
                    return r.id();
                }
            }
            throw error("runner", quote(text) + " is not a runner (" + allowed + ")");
        }

        private void rules(JsonNode value, Set<String> disabled, Map<String, Severity> severities) {
            JsonNode section = mapping("rules", value, RULES_KEYS);
            JsonNode disable = section.get("disable");
            if (disable != null && !disable.isNull()) {
                for (String id : strings("rules.disable", disable)) {
                    disabled.add(ruleId("rules.disable", id));
                }
            }
            JsonNode severity = section.get("severity");
            if (severity != null && !severity.isNull()) {
                if (!severity.isObject()) {
                    throw error("rules.severity", "expected a mapping of rule id to severity "
                            + "(e.g. {pg.enum.add-value-unordered: warning}), found " + kind(severity));
                }
                String allowed = Arrays.stream(Severity.values()).map(Severity::id).collect(Collectors.joining(", "));
                for (Map.Entry<String, JsonNode> e : severity.properties()) {
                    String key = "rules.severity." + e.getKey();
                    String id = ruleId("rules.severity", e.getKey());
                    JsonNode v = e.getValue();
                    if (v.isNull()) {
                        throw error(key, "missing severity (" + allowed + ")");
                    }
                    String text = scalar(key, v, "one of " + allowed);
                    Severity s = null;
                    for (Severity candidate : Severity.values()) {
                        if (candidate.id().equalsIgnoreCase(text.trim())) {
                            s = candidate;
                        }
                    }
                    if (s == null) {
                        throw error(key, quote(text) + " is not a severity (" + allowed + ")");
                    }
                    severities.put(id, s);
                }
            }
        }

        private String ruleId(String key, String id) {
            String t = id.trim();
            if (t.isEmpty() || t.chars().anyMatch(Character::isWhitespace)) {
                throw error(key, quote(id) + " is not a rule id (e.g. pg.index.create-nonconcurrent)");
            }
            return t;
        }

        private long duration(String key, JsonNode value) {
            String hint = "is not a duration (e.g. 100ms, 2s, 1m, or a number of milliseconds)";
            BigDecimal ms;
            if (value.isNumber()) {
                ms = value.decimalValue();
            } else if (value.isTextual()) {
                Matcher m = DURATION.matcher(value.asText().trim().toLowerCase(Locale.ROOT));
                if (!m.matches()) {
                    throw error(key, quote(value.asText()) + " " + hint);
                }
                BigDecimal n = new BigDecimal(m.group(1));
                String unit = m.group(2) == null ? "ms" : m.group(2);
                ms = unit.equals("ms") ? n : unit.equals("s") ? n.multiply(BigDecimal.valueOf(1_000))
                        : n.multiply(BigDecimal.valueOf(60_000));
            } else {
                throw error(key, "expected a duration (e.g. 100ms, 2s, 1m, or a number of milliseconds), found "
                        + kind(value));
            }
            String shown = value.isTextual() ? quote(value.asText()) : value.asText();
            if (ms.signum() <= 0) {
                throw error(key, shown + " must be greater than 0");
            }
            try {
                return ms.stripTrailingZeros().longValueExact();
            } catch (ArithmeticException e) {
                throw error(key, shown + " must be a whole number of milliseconds below "
                        + Long.MAX_VALUE);
            }
        }

        private boolean bool(String key, JsonNode value) {
            if (value.isBoolean()) {
                return value.booleanValue();
            }
            if (value.isTextual()) {
                String t = value.asText().trim();
                if (t.equalsIgnoreCase("true")) {
                    return true;
                }
                if (t.equalsIgnoreCase("false")) {
                    return false;
                }
            }
            throw error(key, (value.isValueNode() ? quote(value.asText()) : kind(value))
                    + " is not a boolean (true, false)");
        }

        private Path path(String p) {
            if (p.isBlank()) {
                throw error("paths", "empty path");
            }
            try {
                Path base = file.getParent();
                Path given = Path.of(p.trim());
                return (base == null ? given : base.resolve(given)).normalize();
            } catch (InvalidPathException e) {
                throw error("paths", quote(p) + " is not a valid path: " + e.getReason());
            }
        }

        /** A list of strings; a single string counts as a list of one. */
        private List<String> strings(String key, JsonNode value) {
            List<String> out = new ArrayList<>();
            if (value.isValueNode()) {
                out.add(scalar(key, value, "a list of strings"));
                return out;
            }
            if (!value.isArray()) {
                throw error(key, "expected a list of strings, found " + kind(value));
            }
            for (int i = 0; i < value.size(); i++) {
                JsonNode item = value.get(i);
                if (!item.isTextual() && !(item.isValueNode() && !item.isNull())) {
                    throw error(key + "[" + i + "]", "expected a string, found " + kind(item));
                }
                out.add(item.asText());
            }
            return out;
        }

        /** A mapping whose keys must all be in {@code allowed}. */
        private JsonNode mapping(String key, JsonNode value, List<String> allowed) {
            if (!value.isObject()) {
                throw error(key, "expected a mapping with " + String.join(", ", allowed) + ", found " + kind(value));
            }
            for (Map.Entry<String, JsonNode> e : value.properties()) {
                String k = e.getKey();
                if (!allowed.contains(k)) {
                    throw unknownKey(key, k, allowed);
                }
            }
            return value;
        }

        /** A single value as text (strings, numbers and booleans are accepted as written). */
        private String scalar(String key, JsonNode value, String expected) {
            if (!value.isValueNode() || value.isNull()) {
                throw error(key, "expected " + expected + ", found " + kind(value));
            }
            String text = value.asText();
            if (text.isBlank()) {
                throw error(key, "expected " + expected + ", found an empty string");
            }
            return text;
        }

        private InvalidConfigException unknownKey(String parent, String key, List<String> allowed) {
            String full = parent == null ? key : parent + "." + key;
            String hint = "";
            String squashed = squash(key);
            for (String a : allowed) {
                if (squash(a).equals(squashed)) {
                    hint = "; did you mean '" + a + "'?";
                }
            }
            return error(full, "unknown key (allowed: " + String.join(", ", allowed) + ")" + hint);
        }

        private InvalidConfigException error(String key, String problem) {
            return new InvalidConfigException(name + ": " + (key == null ? "" : key + ": ") + problem);
        }
    }

    private static String squash(String key) {
        return key.replaceAll("[-_\\s]", "").toLowerCase(Locale.ROOT);
    }

    private static String quote(String s) {
        return "'" + s + "'";
    }

    private static String kind(JsonNode n) {
        if (n.isObject()) {
            return "a mapping";
        }
        if (n.isArray()) {
            return "a list";
        }
        if (n.isNull()) {
            return "nothing";
        }
        if (n.isBoolean()) {
            return "a boolean (" + n.asText() + ")";
        }
        if (n.isNumber()) {
            return "a number (" + n.asText() + ")";
        }
        return "'" + n.asText() + "'";
    }
}
