package io.zerodown.core.parse;

import io.zerodown.core.model.AlterAction;
import io.zerodown.core.model.ColumnDef;
import io.zerodown.core.model.ConstraintDef;
import io.zerodown.core.model.Expr;
import io.zerodown.core.model.Name;
import io.zerodown.core.model.Stmt;
import io.zerodown.core.model.TypeName;
import io.zerodown.core.sql.SqlFamily;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * zerodown's own parser for the DDL forms that decide lock levels. JSqlParser 5.4 leaves exactly these forms
 * unstructured or wrong (ALTER COLUMN ... SET NOT NULL and TYPE ... USING as raw text, VALIDATE CONSTRAINT as
 * UNSPECIFIC, DROP INDEX CONCURRENTLY mis-parsed, UNIQUE USING INDEX rejected, REINDEX/VACUUM/CLUSTER/DETACH absent),
 * so they are parsed here at clause level; everything else goes to JSqlParser.
 */
public final class DdlParser {

    private static final Set<String> COLUMN_CONSTRAINT_WORDS = Set.of("NOT", "NULL", "DEFAULT", "CONSTRAINT",
            "PRIMARY", "UNIQUE", "REFERENCES", "CHECK", "GENERATED", "COLLATE", "AUTO_INCREMENT", "FIRST", "AFTER",
            "COMMENT", "ON", "CHARACTER", "CHARSET", "AS", "VISIBLE", "INVISIBLE", "STORED", "VIRTUAL", "KEY",
            "DEFERRABLE", "INITIALLY", "COLUMN_FORMAT", "STORAGE", "SRID", "COMPRESSION");

    private final TokenCursor c;
    private final SqlFamily family;

    private DdlParser(List<Token> tokens, String sql, SqlFamily family) {
        this.c = new TokenCursor(tokens, sql, family);
        this.family = family;
    }

    /**
     * @return the statement, or null when it is not one of the DDL forms handled here
     * @throws ParseFailure when it starts like a handled form but does not follow its grammar
     */
    static Stmt parse(List<Token> tokens, String sql, SqlFamily family) {
        if (tokens.isEmpty()) return null;
        return new DdlParser(tokens, sql, family).statement();
    }

    private Stmt statement() {
        Token first = c.peek();
        if (first.kind() != Token.Kind.WORD) return null;
        switch (first.upper()) {
            case "CREATE": return create();
            case "ALTER": return alter();
            case "DROP": return drop();
            case "RENAME": return renameTables();
            case "TRUNCATE": return truncate();
            case "LOCK": return lock();
            case "VACUUM": return vacuum();
            case "CLUSTER": return cluster();
            case "REINDEX": return reindex();
            case "SET": return set();
            case "RESET": c.next(); return new Stmt.ResetVariable(c.atEnd() ? "all" : c.rest().toLowerCase(Locale.ROOT));
            case "BEGIN": return begin();
            case "START":
                if (c.isAhead(1, "TRANSACTION")) return new Stmt.Transaction(Stmt.Transaction.Kind.BEGIN);
                return null;
            case "COMMIT": case "END":
                return new Stmt.Transaction(Stmt.Transaction.Kind.COMMIT);
            case "ROLLBACK": case "ABORT":
                if (c.isAhead(1, "TO")) return new Stmt.Transaction(Stmt.Transaction.Kind.SAVEPOINT);
                return new Stmt.Transaction(Stmt.Transaction.Kind.ROLLBACK);
            case "SAVEPOINT": case "RELEASE":
                return new Stmt.Transaction(Stmt.Transaction.Kind.SAVEPOINT);
            case "DO":
                return new Stmt.Opaque("DO", "a DO block runs procedural code whose statements zerodown does not analyse");
            case "CALL":
                return new Stmt.Opaque("CALL", "a procedure call runs statements zerodown cannot see");
            case "EXECUTE":
                return new Stmt.Opaque("EXECUTE", "EXECUTE runs a prepared statement built at run time");
            case "PREPARE": case "DEALLOCATE":
                return new Stmt.Other(first.upper(), Stmt.ParsedBy.ZERODOWN);
            case "COMMENT": case "GRANT": case "REVOKE": case "ANALYZE": case "ANALYSE": case "NOTIFY":
            case "LISTEN": case "DISCARD": case "SECURITY": case "REFRESH": case "USE": case "DELIMITER":
            case "OPTIMIZE": case "FLUSH": case "SHOW": case "EXPLAIN": case "IMPORT": case "CHECKPOINT":
                return new Stmt.Other(first.upper(), Stmt.ParsedBy.ZERODOWN);
            default:
                return null;
        }
    }

    // ---------------------------------------------------------------- CREATE

    private Stmt create() {
        c.expect("CREATE");
        c.accept("OR", "REPLACE");
        boolean unique = false;
        String indexKind = null;
        boolean temporary = false;
        while (true) {
            if (c.accept("UNIQUE")) unique = true;
            else if (c.accept("FULLTEXT")) indexKind = "FULLTEXT";
            else if (c.accept("SPATIAL")) indexKind = "SPATIAL";
            else if (c.accept("GLOBAL") || c.accept("LOCAL")) continue;
            else if (c.accept("TEMPORARY") || c.accept("TEMP")) temporary = true;
            else if (c.accept("UNLOGGED") || c.accept("ONLINE") || c.accept("OFFLINE")) continue;
            else break;
        }
        if (c.is("INDEX")) return createIndex(unique, indexKind);
        if (c.is("TABLE")) return createTable(temporary);
        if (c.accept("MATERIALIZED", "VIEW") || c.is("RECURSIVE") && c.isAhead(1, "VIEW")) {
            c.accept("RECURSIVE");
            c.accept("VIEW");
            c.accept("IF", "NOT", "EXISTS");
            return new Stmt.CreateView(c.name(), true);
        }
        // MySQL: CREATE [ALGORITHM=...] [DEFINER=...] [SQL SECURITY ...] VIEW / TRIGGER / PROCEDURE
        skipMysqlCreateModifiers();
        if (c.accept("VIEW")) {
            c.accept("IF", "NOT", "EXISTS");
            return new Stmt.CreateView(c.name(), false);
        }
        if (c.is("CONSTRAINT") && c.isAhead(1, "TRIGGER")) c.next();
        if (c.accept("TRIGGER")) {
            String name = c.identifier();
            while (!c.atEnd() && !c.is("ON")) c.next();
            if (c.accept("ON")) return new Stmt.CreateTrigger(name, c.name());
            throw new ParseFailure("CREATE TRIGGER without ON table");
        }
        if (c.accept("DOMAIN")) {
            Name domain = c.name();
            boolean hasCheck = false;
            while (!c.atEnd()) {
                if (c.next().is("CHECK")) hasCheck = true;
            }
            return hasCheck ? new Stmt.DomainConstraint(domain, true, false) : new Stmt.Other("CREATE DOMAIN", Stmt.ParsedBy.ZERODOWN);
        }
        Token kind = c.peek();
        if (kind != null && kind.kind() == Token.Kind.WORD) {
            String k = kind.upper();
            switch (k) {
                case "FUNCTION": case "PROCEDURE": case "EXTENSION": case "SEQUENCE": case "TYPE": case "SCHEMA":
                case "DATABASE": case "ROLE": case "USER": case "POLICY": case "RULE": case "AGGREGATE": case "CAST":
                case "COLLATION": case "OPERATOR": case "PUBLICATION": case "SUBSCRIPTION": case "TABLESPACE":
                case "EVENT": case "SERVER": case "STATISTICS": case "TEXT": case "LANGUAGE": case "CONVERSION":
                case "ACCESS": case "TRANSFORM": case "FOREIGN": case "GROUP": case "DEFAULT":
                    return new Stmt.Other("CREATE " + k, Stmt.ParsedBy.ZERODOWN);
                default:
                    return null;
            }
        }
        return null;
    }

    private void skipMysqlCreateModifiers() {
        while (true) {
            if (c.is("ALGORITHM") || c.is("DEFINER") || c.is("SQL") && c.isAhead(1, "SECURITY")) {
                if (c.accept("SQL", "SECURITY")) {
                    c.next();
                    continue;
                }
                c.next();
                c.acceptSymbol("=");
                // DEFINER = user@host / CURRENT_USER[()]
                c.next();
                while (!c.atEnd() && (c.isSymbol("@") || c.peek().kind() == Token.Kind.STRING && false)) {
                    c.next();
                    c.next();
                }
                if (c.isSymbol("(")) c.parenthesised();
            } else {
                return;
            }
        }
    }

    private Stmt createIndex(boolean unique, String kind) {
        c.expect("INDEX");
        boolean concurrently = c.accept("CONCURRENTLY");
        boolean ifNotExists = c.accept("IF", "NOT", "EXISTS");
        String name = null;
        if (!c.is("ON")) {
            name = c.identifier();
            if (c.acceptSymbol(".")) name = c.identifier(); // schema-qualified index name
        }
        String method = null;
        if (c.accept("USING")) method = c.identifier();
        c.expect("ON");
        boolean only = c.accept("ONLY");
        Name table = c.name();
        if (c.accept("USING")) method = c.identifier();
        List<String> columns = c.columnList();
        String where = null;
        String algorithm = null;
        String lock = null;
        while (!c.atEnd()) {
            if (c.accept("WHERE")) {
                where = c.rest();
                c.skipRest();
            } else if (c.accept("ALGORITHM")) {
                c.acceptSymbol("=");
                algorithm = c.next().upper();
            } else if (c.accept("LOCK")) {
                c.acceptSymbol("=");
                lock = c.next().upper();
            } else if (c.accept("USING")) {
                method = c.identifier();
            } else if (c.isSymbol("(")) {
                c.parenthesised();
            } else {
                c.next();
            }
        }
        return new Stmt.IndexDef(name, table, columns, unique, concurrently, ifNotExists, only, method, where, kind,
                algorithm, lock);
    }

    private Stmt createTable(boolean temporary) {
        c.expect("TABLE");
        boolean ifNotExists = c.accept("IF", "NOT", "EXISTS");
        Name table = c.name();
        List<ColumnDef> columns = new ArrayList<>();
        List<ConstraintDef> constraints = new ArrayList<>();
        List<Stmt.IndexDef> indexes = new ArrayList<>();
        Map<String, String> options = new LinkedHashMap<>();
        boolean asSelect = false;
        Name partitionOf = null;
        if (c.accept("PARTITION", "OF")) {
            partitionOf = c.name();
        }
        if (c.isSymbol("(")) {
            int open = c.pos;
            c.parenthesised();
            int afterClose = c.pos;
            for (int[] range : splitTopLevel(open + 1, afterClose - 1)) {
                TableElementParser element = new TableElementParser(new TokenCursor(c.tokens, c.sql, family, range[0], range[1]));
                element.parse(table, columns, constraints, indexes);
            }
            c.pos = afterClose;
        }
        while (!c.atEnd()) {
            Token t = c.next();
            if (t.is("AS") || t.is("SELECT")) {
                asSelect = true;
                c.skipRest();
            } else if (t.is("LIKE")) {
                c.skipRest();
            } else if (t.kind() == Token.Kind.WORD && c.isSymbol("=")) {
                c.next();
                Token v = c.next();
                if (v != null) options.put(t.upper(), v.text());
            } else if ((t.is("CHARSET") || t.is("CHARACTER") && c.accept("SET")) && !c.atEnd()) {
                c.acceptSymbol("=");
                options.put("CHARSET", c.next().text());
            } else if (t.is("ENGINE") || t.is("ROW_FORMAT")) {
                Token v = c.next();
                if (v != null) options.put(t.upper(), v.text());
            }
        }
        return new Stmt.CreateTable(table, columns, constraints, ifNotExists, temporary, asSelect, partitionOf, options,
                indexes);
    }

    /** Ranges [from, to) of the comma-separated items between token indexes from and to at depth 0. */
    private List<int[]> splitTopLevel(int from, int to) {
        List<int[]> ranges = new ArrayList<>();
        int depth = 0;
        int start = from;
        for (int i = from; i < to; i++) {
            Token t = c.tokens.get(i);
            if (t.isSymbol("(")) depth++;
            else if (t.isSymbol(")")) depth--;
            else if (t.isSymbol(",") && depth == 0) {
                if (i > start) ranges.add(new int[] {start, i});
                start = i + 1;
            }
        }
        if (to > start) ranges.add(new int[] {start, to});
        return ranges;
    }

    // ---------------------------------------------------------------- ALTER

    private Stmt alter() {
        c.expect("ALTER");
        c.accept("ONLINE");
        c.accept("IGNORE");
        if (c.accept("TABLE")) return alterTable();
        if (c.accept("TYPE")) return alterType();
        if (c.accept("DOMAIN")) {
            Name domain = c.name();
            boolean add = false;
            boolean notValid = false;
            while (!c.atEnd()) {
                Token t = c.next();
                if (t.is("ADD")) add = true;
                if (t.is("NOT") && c.is("VALID")) notValid = true;
            }
            return add ? new Stmt.DomainConstraint(domain, false, notValid) : new Stmt.Other("ALTER DOMAIN", Stmt.ParsedBy.ZERODOWN);
        }
        if (c.accept("SCHEMA")) {
            String schema = c.identifier();
            if (c.accept("RENAME", "TO")) return new Stmt.AlterSchemaRename(schema, c.identifier());
            return new Stmt.Other("ALTER SCHEMA", Stmt.ParsedBy.ZERODOWN);
        }
        Token kind = c.peek();
        if (kind != null && kind.kind() == Token.Kind.WORD) {
            return new Stmt.Other("ALTER " + kind.upper(), Stmt.ParsedBy.ZERODOWN);
        }
        return null;
    }

    private Stmt alterTable() {
        boolean ifExists = c.accept("IF", "EXISTS");
        boolean only = c.accept("ONLY");
        Name table = c.name();
        c.acceptSymbol("*");
        // MariaDB: ALTER TABLE t WAIT n | NOWAIT
        if (c.accept("WAIT")) c.next();
        c.accept("NOWAIT");
        List<AlterAction> actions = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        int from = c.pos;
        for (int[] range : splitTopLevel(from, c.end())) {
            TokenCursor clause = new TokenCursor(c.tokens, c.sql, family, range[0], range[1]);
            String text = c.sql.substring(c.tokens.get(range[0]).start(), c.tokens.get(range[1] - 1).end()).trim();
            for (AlterAction a : new AlterClauseParser(clause).parse()) {
                actions.add(a);
                texts.add(text);
            }
        }
        c.skipRest();
        return new Stmt.AlterTable(table, ifExists, only, actions, texts);
    }

    private Stmt alterType() {
        Name type = c.name();
        if (c.accept("ADD", "VALUE")) {
            boolean ifNotExists = c.accept("IF", "NOT", "EXISTS");
            Token v = c.next();
            boolean ordered = c.is("BEFORE") || c.is("AFTER");
            return new Stmt.AlterEnum(type, "ADD VALUE", v == null ? "" : v.text(), ordered, ifNotExists);
        }
        if (c.accept("RENAME", "VALUE")) {
            Token v = c.next();
            return new Stmt.AlterEnum(type, "RENAME VALUE", v == null ? "" : v.text(), false, false);
        }
        return new Stmt.AlterEnum(type, "OTHER", c.rest(), false, false);
    }

    // ---------------------------------------------------------------- DROP / RENAME / TRUNCATE / LOCK ...

    private Stmt drop() {
        c.expect("DROP");
        if (c.accept("INDEX")) {
            boolean concurrently = c.accept("CONCURRENTLY");
            boolean ifExists = c.accept("IF", "EXISTS");
            List<Name> names = c.nameList();
            Name table = null;
            if (c.accept("ON")) table = c.name();
            boolean cascade = c.accept("CASCADE");
            return new Stmt.DropIndex(names, table, concurrently, ifExists, cascade);
        }
        boolean temporary = c.accept("TEMPORARY");
        boolean view = false;
        if (c.accept("MATERIALIZED", "VIEW") || c.accept("VIEW")) view = true;
        else if (!c.accept("TABLE")) {
            if (temporary) throw new ParseFailure("expected TABLE after DROP TEMPORARY");
            if (c.is("SCHEMA") || c.is("DATABASE")) {
                String kind = c.next().upper();
                c.accept("IF", "EXISTS");
                String name = c.identifier();
                while (c.acceptSymbol(",")) c.identifier();
                return new Stmt.DropSchema(kind, name, c.accept("CASCADE"));
            }
            Token kind = c.peek();
            return kind == null ? null : new Stmt.Other("DROP " + kind.upper(), Stmt.ParsedBy.ZERODOWN);
        }
        boolean ifExists = c.accept("IF", "EXISTS");
        List<Name> tables = c.nameList();
        boolean cascade = c.accept("CASCADE");
        return new Stmt.DropTable(tables, ifExists, cascade, view);
    }

    private Stmt renameTables() {
        c.expect("RENAME");
        if (!c.accept("TABLE") && !c.accept("TABLES")) return null;
        List<Name> from = new ArrayList<>();
        List<Name> to = new ArrayList<>();
        do {
            from.add(c.name());
            if (c.accept("WAIT")) c.next();
            c.accept("NOWAIT");
            c.expect("TO");
            to.add(c.name());
        } while (c.acceptSymbol(","));
        return new Stmt.RenameTables(from, to);
    }

    private Stmt truncate() {
        c.expect("TRUNCATE");
        c.accept("TABLE");
        c.accept("ONLY");
        List<Name> tables = c.nameList();
        boolean cascade = false;
        while (!c.atEnd()) {
            if (c.next().is("CASCADE")) cascade = true;
        }
        return new Stmt.Truncate(tables, cascade);
    }

    private Stmt lock() {
        c.expect("LOCK");
        if (c.accept("TABLES") || family == SqlFamily.MYSQL) {
            c.accept("TABLE");
            List<Name> tables = new ArrayList<>();
            String mode = "READ";
            do {
                tables.add(c.name());
                if (c.accept("AS")) c.identifier();
                else if (c.peek() != null && c.peek().isIdentifier() && !c.is("READ") && !c.is("WRITE") && !c.is("LOW_PRIORITY")) c.next();
                c.accept("LOW_PRIORITY");
                if (c.accept("WRITE")) mode = "WRITE";
                else if (c.accept("READ")) c.accept("LOCAL");
            } while (c.acceptSymbol(","));
            return new Stmt.LockTable(tables, mode, false);
        }
        c.accept("TABLE");
        c.accept("ONLY");
        List<Name> tables = c.nameList();
        c.acceptSymbol("*");
        String mode = "ACCESS EXCLUSIVE";
        if (c.accept("IN")) {
            StringBuilder m = new StringBuilder();
            while (!c.atEnd() && !c.is("MODE")) {
                if (m.length() > 0) m.append(' ');
                m.append(c.next().upper());
            }
            c.accept("MODE");
            mode = m.toString();
        }
        return new Stmt.LockTable(tables, mode, c.accept("NOWAIT"));
    }

    private Stmt vacuum() {
        c.expect("VACUUM");
        boolean full = false;
        if (c.isSymbol("(")) {
            String opts = c.parenthesised().toUpperCase(Locale.ROOT);
            for (String o : opts.split(",")) {
                String[] kv = o.trim().split("\\s+");
                if (kv[0].equals("FULL") && (kv.length == 1 || !kv[1].matches("FALSE|OFF|0"))) full = true;
            }
        }
        while (c.is("FULL") || c.is("FREEZE") || c.is("VERBOSE") || c.is("ANALYZE") || c.is("ANALYSE")) {
            if (c.next().is("FULL")) full = true;
        }
        List<Name> tables = new ArrayList<>();
        if (!c.atEnd()) {
            tables.add(c.name());
            if (c.isSymbol("(")) c.parenthesised();
            while (c.acceptSymbol(",")) {
                tables.add(c.name());
                if (c.isSymbol("(")) c.parenthesised();
            }
        }
        return new Stmt.Vacuum(full, tables);
    }

    private Stmt cluster() {
        c.expect("CLUSTER");
        if (c.isSymbol("(")) c.parenthesised();
        c.accept("VERBOSE");
        if (c.atEnd()) return new Stmt.Cluster(null);
        Name table = c.name();
        return new Stmt.Cluster(table);
    }

    private Stmt reindex() {
        c.expect("REINDEX");
        boolean concurrently = false;
        if (c.isSymbol("(")) {
            String opts = c.parenthesised().toUpperCase(Locale.ROOT);
            if (opts.contains("CONCURRENTLY")) concurrently = true;
        }
        c.accept("VERBOSE");
        Token kind = c.next();
        if (kind == null) throw new ParseFailure("REINDEX without INDEX, TABLE, SCHEMA, DATABASE or SYSTEM");
        if (c.accept("CONCURRENTLY")) concurrently = true;
        String name = c.atEnd() ? "" : c.name().toString();
        return new Stmt.Reindex(kind.upper(), name, concurrently);
    }

    private Stmt set() {
        c.expect("SET");
        boolean local = false;
        if (c.accept("LOCAL")) local = true;
        else c.accept("SESSION");
        if (c.accept("TIME", "ZONE")) {
            String zone = c.rest();
            if (zone.length() >= 2 && zone.startsWith("'") && zone.endsWith("'")) zone = zone.substring(1, zone.length() - 1);
            return new Stmt.SetVariable("timezone", zone, local);
        }
        if (c.is("TRANSACTION") || c.is("NAMES") || c.is("CHARACTER") || c.is("CONSTRAINTS") || c.is("ROLE")
                || c.is("SCHEMA") && !c.isAhead(1, "=")) {
            return new Stmt.Other("SET " + c.peek().upper(), Stmt.ParsedBy.ZERODOWN);
        }
        Token nameToken = c.next();
        if (nameToken == null) throw new ParseFailure("SET without a variable");
        String name = nameToken.text().toLowerCase(Locale.ROOT);
        // MySQL: SET @@session.lock_wait_timeout = 5, SET SESSION lock_wait_timeout = 5
        if (name.startsWith("@@")) {
            name = name.substring(2);
            if (c.acceptSymbol(".")) {
                if (name.equals("local")) local = true;
                name = c.next().text().toLowerCase(Locale.ROOT);
            }
        }
        while (c.acceptSymbol(".")) name = name + "." + c.next().text().toLowerCase(Locale.ROOT);
        if (!c.acceptSymbol("=") && !c.acceptSymbol(":=") && !c.accept("TO")) {
            return new Stmt.Other("SET", Stmt.ParsedBy.ZERODOWN);
        }
        String value = c.rest();
        if (value.length() >= 2 && (value.startsWith("'") && value.endsWith("'"))) {
            value = value.substring(1, value.length() - 1);
        }
        // a second assignment in the same MySQL SET is rare in migrations; only the first is tracked
        int comma = value.indexOf(',');
        if (family == SqlFamily.MYSQL && comma > 0) value = value.substring(0, comma).trim();
        return new Stmt.SetVariable(name, value, local);
    }

    private Stmt begin() {
        c.expect("BEGIN");
        // PL/pgSQL-free SQL: BEGIN [WORK|TRANSACTION] [isolation]; MySQL: BEGIN [WORK]
        if (c.atEnd() || c.is("WORK") || c.is("TRANSACTION") || c.is("ISOLATION") || c.is("READ") || c.is("NOT")
                || c.is("DEFERRABLE")) {
            return new Stmt.Transaction(Stmt.Transaction.Kind.BEGIN);
        }
        return null;
    }

    // ---------------------------------------------------------------- shared pieces

    /** Parses a type at the cursor: multi-word names, modifiers in parentheses, array brackets. */
    static TypeName type(TokenCursor c) {
        int start = c.pos;
        Token first = c.next();
        if (first == null || !first.isIdentifier()) throw new ParseFailure("expected a type near " + c.here());
        StringBuilder base = new StringBuilder(first.text().toLowerCase(Locale.ROOT));
        // schema-qualified type: public.citext
        if (c.isSymbol(".") && c.peek(1) != null && c.peek(1).isIdentifier()) {
            c.next();
            base.setLength(0);
            base.append(c.next().text().toLowerCase(Locale.ROOT));
        }
        String b = base.toString();
        if (b.equals("character") || b.equals("char") || b.equals("national") || b.equals("bit")) {
            if (b.equals("national")) {
                c.next();
                b = "char";
            }
            if (c.accept("VARYING")) b = b.equals("bit") ? "varbit" : "varchar";
        } else if (b.equals("double") && c.accept("PRECISION")) {
            b = "float8";
        }
        List<String> args = new ArrayList<>();
        if (c.isSymbol("(")) {
            String inner = c.parenthesised();
            for (String a : splitArgs(inner)) args.add(a.trim());
        }
        if (b.equals("timestamp") || b.equals("time")) {
            if (c.accept("WITH", "TIME", "ZONE")) b = b + "tz";
            else c.accept("WITHOUT", "TIME", "ZONE");
        }
        if (b.equals("interval")) {
            while (c.is("YEAR") || c.is("MONTH") || c.is("DAY") || c.is("HOUR") || c.is("MINUTE") || c.is("SECOND") || c.is("TO")) {
                c.next();
            }
            if (c.isSymbol("(")) args.add(c.parenthesised());
        }
        boolean array = false;
        while (c.isSymbol("[")) {
            c.next();
            while (!c.atEnd() && !c.isSymbol("]")) c.next();
            c.acceptSymbol("]");
            array = true;
        }
        if (c.accept("ARRAY")) array = true;
        // MySQL numeric attributes
        while (c.is("UNSIGNED") || c.is("SIGNED") || c.is("ZEROFILL")) c.next();
        String raw = c.textFrom(start);
        return new TypeName(canonical(b, c.family), args, array, raw);
    }

    private static List<String> splitArgs(String inner) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < inner.length(); i++) {
            char ch = inner.charAt(i);
            if (ch == '\'') quoted = !quoted;
            else if (!quoted && ch == '(') depth++;
            else if (!quoted && ch == ')') depth--;
            else if (!quoted && ch == ',' && depth == 0) {
                out.add(inner.substring(start, i));
                start = i + 1;
            }
        }
        if (start < inner.length() || !inner.isEmpty()) out.add(inner.substring(start));
        return out;
    }

    static String canonical(String t, SqlFamily family) {
        if (family == SqlFamily.MYSQL) {
            switch (t) {
                case "integer": return "int";
                case "bool": case "boolean": return "tinyint";
                case "dec": case "numeric": case "fixed": return "decimal";
                case "character": return "char";
                default: return t;
            }
        }
        switch (t) {
            case "int": case "integer": case "int4": return "int4";
            case "smallint": case "int2": return "int2";
            case "bigint": case "int8": return "int8";
            case "serial": case "serial4": return "serial";
            case "bigserial": case "serial8": return "bigserial";
            case "smallserial": case "serial2": return "smallserial";
            case "varchar": return "varchar";
            case "character": case "char": case "bpchar": return "char";
            case "decimal": case "numeric": return "numeric";
            case "real": case "float4": return "float4";
            case "float": case "float8": return "float8";
            case "boolean": case "bool": return "bool";
            case "timestamptz": return "timestamptz";
            case "timetz": return "timetz";
            default: return t;
        }
    }

    /** Reads an expression up to (not including) the next column-constraint keyword at depth 0. */
    static Expr expression(TokenCursor c, Set<String> stopWords) {
        int start = c.pos;
        List<String> functions = new ArrayList<>();
        int depth = 0;
        while (!c.atEnd()) {
            Token t = c.peek();
            boolean afterCast = c.pos > start && c.tokens.get(c.pos - 1).isSymbol("::");
            if (depth == 0 && t.kind() == Token.Kind.WORD && stopWords.contains(t.upper()) && c.pos > start && !afterCast) {
                // "DEFAULT NULL" keeps NULL; "DEFAULT now() NOT NULL" stops at NOT
                break;
            }
            if (t.isSymbol("(")) depth++;
            else if (t.isSymbol(")")) {
                if (depth == 0) break;
                depth--;
            } else if (t.isSymbol(",") && depth == 0) break;
            if (t.kind() == Token.Kind.WORD) {
                Token after = c.peek(1);
                String w = t.text().toLowerCase(Locale.ROOT);
                if (after != null && after.isSymbol("(")) functions.add(w);
                else if (isNiladicFunction(w)) functions.add(w);
            }
            c.next();
        }
        return new Expr(c.textFrom(start), functions);
    }

    private static boolean isNiladicFunction(String w) {
        switch (w) {
            case "current_timestamp": case "current_date": case "current_time": case "localtimestamp":
            case "localtime": case "current_user": case "session_user": case "user": case "current_role":
            case "current_catalog": case "current_schema":
                return true;
            default:
                return false;
        }
    }

    static Set<String> columnConstraintWords() {
        return COLUMN_CONSTRAINT_WORDS;
    }
}
