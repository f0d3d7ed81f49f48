package io.zerodown.core.versioned;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.zerodown.api.UnreadableInputException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a declarative migration from YAML ({@code .yaml}, {@code .yml}) or JSON ({@code .json}); both have the same
 * model, published as docs/schema/zerodown-migration.schema.json. Every problem is reported with the file and line.
 */
public final class VersionedMigrationReader {
    /** Version names become parts of schema, function and trigger names, so they are kept short and plain. */
    static final Pattern VERSION_NAME = Pattern.compile("[a-z][a-z0-9_]{0,29}");
    static final String RESERVED_PREFIX = "_zd_";

    public static final List<String> OPERATIONS = List.of("add_column", "rename_column", "rename_table", "change_type",
            "set_not_null", "drop_column", "split_column", "merge_columns", "create_index", "drop_index", "add_unique",
            "add_check", "add_foreign_key", "drop_constraint", "raw_sql");

    private final ObjectMapper mapper = new ObjectMapper();

    /** True for the file names this reader understands. */
    public static boolean accepts(Path file) {
        String n = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        return n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json");
    }

    public VersionedMigration read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UnreadableInputException(file.toString(), 0, "cannot read the file: " + e.getMessage(), e);
        }
        String stem = file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
        return parse(file.toString(), text, file.getFileName().toString().toLowerCase().endsWith(".json"), stem);
    }

    /** Parses {@code text}; {@code defaultName} is used when the file has no {@code name}. */
    public VersionedMigration parse(String fileName, String text, boolean json, String defaultName) {
        JsonFactory factory = json ? new JsonFactory() : new YAMLFactory();
        try (JsonParser p = factory.createParser(text)) {
            p.setCodec(mapper);
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new UnreadableInputException(fileName, line(p.currentTokenLocation()),
                        "a migration is an object with 'name', optional 'schema' and 'operations'");
            }
            String name = null;
            String schema = "public";
            List<Operation> ops = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                int fieldLine = line(p.currentTokenLocation());
                p.nextToken();
                switch (field) {
                    case "name" -> name = scalar(fileName, fieldLine, "name", p.readValueAsTree());
                    case "schema" -> schema = scalar(fileName, fieldLine, "schema", p.readValueAsTree());
                    case "operations" -> ops = operations(fileName, p);
                    case "$schema", "description" -> p.skipChildren();
                    default -> throw new UnreadableInputException(fileName, fieldLine, "unknown field '" + field
                            + "': a migration has 'name', 'schema', 'description' and 'operations'");
                }
            }
            if (name == null) name = defaultName.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
            if (!VERSION_NAME.matcher(name).matches()) {
                throw new UnreadableInputException(fileName, 1, "version name '" + name + "' is not usable: it names the "
                        + "version's schema, so use 1-30 characters a-z, 0-9 and _, starting with a letter (set 'name:')");
            }
            checkIdentifier(fileName, 1, "schema", schema);
            if (ops == null || ops.isEmpty()) {
                throw new UnreadableInputException(fileName, 1, "no operations: add an 'operations' list");
            }
            return new VersionedMigration(name, schema, fileName, ops);
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            throw new UnreadableInputException(fileName, loc == null ? 0 : line(loc),
                    "not valid " + (json ? "JSON" : "YAML") + ": " + oneLine(e.getOriginalMessage()), e);
        } catch (IOException e) {
            throw new UnreadableInputException(fileName, 0, "cannot read the migration: " + e.getMessage(), e);
        }
    }

    private List<Operation> operations(String file, JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw new UnreadableInputException(file, line(p.currentTokenLocation()), "'operations' must be a list");
        }
        List<Operation> ops = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            int line = line(p.currentTokenLocation());
            JsonNode node = p.readValueAsTree();
            if (!node.isObject() || node.size() != 1) {
                throw new UnreadableInputException(file, line, "each operation is an object with exactly one key, the "
                        + "operation's name (one of " + String.join(", ", OPERATIONS) + ")");
            }
            String kind = node.fieldNames().next();
            ops.add(operation(new Fields(file, line, kind, node.get(kind))));
        }
        return ops;
    }

    private Operation operation(Fields f) {
        switch (f.kind) {
            case "add_column": {
                f.allow("table", "column", "up");
                Fields c = f.object("column");
                c.allow("name", "type", "default", "nullable");
                Operation.ColumnSpec col = new Operation.ColumnSpec(c.ident("name"), c.type("type"), c.optional("default"),
                        c.bool("nullable", true));
                String up = f.optional("up");
                if (!col.nullable() && up == null && col.defaultExpr() == null) {
                    throw f.error("missing 'up': column " + col.name() + " is NOT NULL, so existing rows and rows the old "
                            + "version inserts need a value; give 'up' (an SQL expression over the old columns) or a 'default'");
                }
                return new Operation.AddColumn(f.line, f.ident("table"), col, up);
            }
            case "rename_column":
                f.allow("table", "from", "to");
                return new Operation.RenameColumn(f.line, f.ident("table"), f.ident("from"), f.ident("to"));
            case "rename_table":
                f.allow("from", "to");
                return new Operation.RenameTable(f.line, f.ident("from"), f.ident("to"));
            case "change_type":
                f.allow("table", "column", "type", "up", "down");
                return new Operation.ChangeType(f.line, f.ident("table"), f.ident("column"), f.type("type"),
                        f.required("up", "how to convert old values to the new type, e.g. \"amount::numeric(12,2)\""),
                        f.required("down", "how to convert new values back for the old version, e.g. \"amount::integer\""));
            case "set_not_null":
                f.allow("table", "column", "up");
                return new Operation.SetNotNull(f.line, f.ident("table"), f.ident("column"),
                        f.required("up", "the value rows with NULL get, e.g. \"coalesce(email, 'unknown')\""));
            case "drop_column":
                f.allow("table", "column", "down");
                return new Operation.DropColumn(f.line, f.ident("table"), f.ident("column"), f.optional("down"));
            case "split_column": {
                f.allow("table", "column", "into", "down");
                List<Operation.DerivedColumn> into = new ArrayList<>();
                for (Fields c : f.objects("into")) into.add(derived(c));
                if (into.size() < 2) throw f.error("'into' needs at least two columns");
                return new Operation.SplitColumn(f.line, f.ident("table"), f.ident("column"), into,
                        f.required("down", "how to rebuild the old column from the new ones, e.g. \"first_name || ' ' || last_name\""));
            }
            case "merge_columns": {
                f.allow("table", "columns", "into", "down");
                List<String> cols = f.identList("columns");
                if (cols.size() < 2) throw f.error("'columns' needs at least two columns to merge");
                Fields downs = f.object("down");
                Map<String, String> down = new LinkedHashMap<>();
                for (String c : cols) {
                    down.put(c, downs.required(c, "how to rebuild " + c + " from the merged column"));
                }
                downs.allow(cols.toArray(new String[0]));
                return new Operation.MergeColumns(f.line, f.ident("table"), cols, derived(f.object("into")), down);
            }
            case "create_index":
                f.allow("table", "name", "columns", "unique", "method", "where");
                return new Operation.CreateIndex(f.line, f.ident("table"), f.ident("name"), f.identList("columns"),
                        f.bool("unique", false), f.optional("method"), f.optional("where"));
            case "drop_index":
                f.allow("table", "name");
                return new Operation.DropIndex(f.line, f.optionalIdent("table"), f.ident("name"));
            case "add_unique":
                f.allow("table", "name", "columns");
                return new Operation.AddUnique(f.line, f.ident("table"), f.ident("name"), f.identList("columns"));
            case "add_check":
                f.allow("table", "name", "check");
                return new Operation.AddCheck(f.line, f.ident("table"), f.ident("name"),
                        f.required("check", "the condition, over the new version's columns, e.g. \"price >= 0\""));
            case "add_foreign_key": {
                f.allow("table", "name", "columns", "references", "on_delete");
                Fields ref = f.object("references");
                ref.allow("table", "columns");
                String onDelete = f.optional("on_delete");
                if (onDelete != null && !Set.of("NO ACTION", "RESTRICT", "CASCADE", "SET NULL", "SET DEFAULT")
                        .contains(onDelete.toUpperCase(java.util.Locale.ROOT))) {
                    throw f.error("on_delete '" + onDelete + "' is not one of NO ACTION, RESTRICT, CASCADE, SET NULL, SET DEFAULT");
                }
                List<String> cols = f.identList("columns");
                List<String> refCols = ref.identList("columns");
                if (cols.size() != refCols.size()) throw f.error("'columns' and 'references.columns' differ in length");
                return new Operation.AddForeignKey(f.line, f.ident("table"), f.ident("name"), cols, ref.ident("table"),
                        refCols, onDelete == null ? null : onDelete.toUpperCase(java.util.Locale.ROOT));
            }
            case "drop_constraint":
                f.allow("table", "name");
                return new Operation.DropConstraint(f.line, f.ident("table"), f.ident("name"));
            case "raw_sql":
                f.allow("up", "down");
                return new Operation.RawSql(f.line, f.required("up", "the SQL to run at start"), f.optional("down"));
            default:
                throw f.error("unknown operation '" + f.kind + "': use one of " + String.join(", ", OPERATIONS));
        }
    }

    private static Operation.DerivedColumn derived(Fields c) {
        c.allow("name", "type", "up");
        return new Operation.DerivedColumn(c.ident("name"), c.type("type"),
                c.required("up", "how to compute " + c.text("name") + " from the old columns"));
    }

    /** The parser's own lines, without the echoed source and caret lines it adds (the line number says where). */
    private static String oneLine(String message) {
        List<String> kept = new ArrayList<>();
        for (String l : message.split("\n")) {
            if (!l.isBlank() && !Character.isWhitespace(l.charAt(0))) kept.add(l.trim());
        }
        return String.join("; ", kept);
    }

    private static int line(JsonLocation loc) {
        return loc == null ? 0 : Math.max(loc.getLineNr(), 0);
    }

    private static String scalar(String file, int line, String field, JsonNode n) {
        if (n == null || !n.isValueNode() || n.isNull()) {
            throw new UnreadableInputException(file, line, "'" + field + "' must be a string");
        }
        return n.asText();
    }

    static void checkIdentifier(String file, int line, String what, String ident) {
        if (ident.isEmpty() || ident.getBytes(StandardCharsets.UTF_8).length > 63) {
            throw new UnreadableInputException(file, line, what + " '" + ident + "' must have 1 to 63 bytes");
        }
        if (ident.startsWith(RESERVED_PREFIX)) {
            throw new UnreadableInputException(file, line, what + " '" + ident + "' starts with " + RESERVED_PREFIX
                    + ", which zerodown reserves for its own columns");
        }
    }

    /** The fields of one operation (or of a nested object), with errors that name the operation and its line. */
    private static final class Fields {
        final String file;
        final int line;
        final String kind;
        final JsonNode node;

        Fields(String file, int line, String kind, JsonNode node) {
            this.file = file;
            this.line = line;
            this.kind = kind;
            this.node = node;
            if (node == null || !node.isObject()) throw error("the value must be an object with the operation's fields");
        }

        UnreadableInputException error(String problem) {
            return new UnreadableInputException(file, line, kind + ": " + problem);
        }

        void allow(String... names) {
            Set<String> ok = Set.of(names);
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String n = it.next();
                if (!ok.contains(n)) throw error("unknown field '" + n + "': expected " + String.join(", ", names));
            }
        }

        String optional(String field) {
            JsonNode v = node.get(field);
            if (v == null || v.isNull()) return null;
            if (!v.isValueNode()) throw error("'" + field + "' must be a string");
            String s = v.asText();
            if (s.isBlank()) throw error("'" + field + "' is empty");
            return s;
        }

        String text(String field) {
            String s = optional(field);
            return s == null ? "?" : s;
        }

        String required(String field, String hint) {
            String s = optional(field);
            if (s == null) throw error("missing '" + field + "': " + hint);
            return s;
        }

        String ident(String field) {
            String s = required(field, "give the name");
            checkIdentifier(file, line, kind + ": " + field, s);
            return s;
        }

        String optionalIdent(String field) {
            String s = optional(field);
            if (s != null) checkIdentifier(file, line, kind + ": " + field, s);
            return s;
        }

        /** An SQL type, embedded as written: a statement separator there can only be a mistake or an attack. */
        String type(String field) {
            String s = required(field, "give the SQL type, e.g. bigint or varchar(320)");
            if (s.contains(";") || s.contains("--") || s.contains("/*")) {
                throw error("'" + field + "' is not a type: '" + s + "'");
            }
            return s.trim();
        }

        boolean bool(String field, boolean dflt) {
            JsonNode v = node.get(field);
            if (v == null || v.isNull()) return dflt;
            if (!v.isBoolean()) throw error("'" + field + "' must be true or false");
            return v.asBoolean();
        }

        Fields object(String field) {
            JsonNode v = node.get(field);
            if (v == null) throw error("missing '" + field + "'");
            if (!v.isObject()) throw error("'" + field + "' must be an object");
            return new Fields(file, line, kind + "." + field, v);
        }

        List<Fields> objects(String field) {
            JsonNode v = node.get(field);
            if (v == null || !v.isArray()) throw error("'" + field + "' must be a list");
            List<Fields> out = new ArrayList<>();
            for (JsonNode e : v) out.add(new Fields(file, line, kind + "." + field, e));
            return out;
        }

        List<String> identList(String field) {
            JsonNode v = node.get(field);
            if (v == null || !v.isArray() || v.isEmpty()) throw error("'" + field + "' must be a non-empty list of column names");
            List<String> out = new ArrayList<>();
            for (JsonNode e : v) {
                if (!e.isTextual()) throw error("'" + field + "' must list column names as strings");
                checkIdentifier(file, line, kind + ": " + field, e.asText());
                out.add(e.asText());
            }
            return out;
        }
    }
}
