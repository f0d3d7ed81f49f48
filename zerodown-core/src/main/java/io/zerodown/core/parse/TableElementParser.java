package io.zerodown.core.parse;

import io.zerodown.core.model.ColumnDef;
import io.zerodown.core.model.ConstraintDef;
import io.zerodown.core.model.Expr;
import io.zerodown.core.model.Name;
import io.zerodown.core.model.Stmt;
import io.zerodown.core.model.TypeName;
import io.zerodown.core.sql.SqlFamily;

import java.util.ArrayList;
import java.util.List;

/** Parses one element of a CREATE TABLE body, and the column definitions and constraints ALTER TABLE reuses. */
final class TableElementParser {
    private final TokenCursor c;

    TableElementParser(TokenCursor c) {
        this.c = c;
    }

    void parse(Name table, List<ColumnDef> columns, List<ConstraintDef> constraints, List<Stmt.IndexDef> indexes) {
        if (c.is("LIKE")) {
            c.skipRest();
            return;
        }
        if (startsConstraint()) {
            ConstraintOrIndex ci = constraintOrIndex(table);
            if (ci.constraint != null) constraints.add(ci.constraint);
            if (ci.index != null) indexes.add(ci.index);
            return;
        }
        ColumnDef col = column();
        columns.add(col);
    }

    boolean startsConstraint() {
        if (c.is("CONSTRAINT") || c.is("CHECK") || c.is("FOREIGN") || c.is("EXCLUDE")) return true;
        if (c.is("PRIMARY") && c.isAhead(1, "KEY")) return true;
        if (c.is("UNIQUE") && (c.peek(1) == null || c.peek(1).isSymbol("(") || c.isAhead(1, "USING")
                || c.isAhead(1, "NULLS") || c.isAhead(1, "KEY") || c.isAhead(1, "INDEX")
                || c.family == SqlFamily.MYSQL && c.peek(1).isIdentifier() && c.peek(2) != null && c.peek(2).isSymbol("("))) {
            return true;
        }
        if (c.family == SqlFamily.MYSQL && (c.is("INDEX") || c.is("KEY") || c.is("FULLTEXT") || c.is("SPATIAL"))) {
            return true;
        }
        return false;
    }

    record ConstraintOrIndex(ConstraintDef constraint, Stmt.IndexDef index) {
    }

    ConstraintOrIndex constraintOrIndex(Name table) {
        String name = null;
        if (c.accept("CONSTRAINT")) {
            if (!(c.is("CHECK") || c.is("FOREIGN") || c.is("UNIQUE") || c.is("PRIMARY") || c.is("EXCLUDE")
                    || c.is("NOT") && c.isAhead(1, "NULL"))) {
                name = c.identifier();
            }
        }
        if (c.accept("CHECK")) {
            String expr = c.parenthesised();
            boolean notValid = trailingNotValid();
            return new ConstraintOrIndex(new ConstraintDef(name, ConstraintDef.Kind.CHECK, columnsIn(expr), null,
                    List.of(), expr, notValid, null), null);
        }
        if (c.accept("NOT", "NULL")) {
            String col = c.identifier();
            boolean notValid = trailingNotValid();
            return new ConstraintOrIndex(new ConstraintDef(name, ConstraintDef.Kind.NOT_NULL, List.of(col), null,
                    List.of(), col + " IS NOT NULL", notValid, null), null);
        }
        if (c.accept("FOREIGN", "KEY")) {
            if (c.peek() != null && c.peek().isIdentifier() && name == null) name = c.identifier(); // MySQL FK name
            else if (c.peek() != null && c.peek().isIdentifier()) c.identifier();
            List<String> cols = c.columnList();
            c.expect("REFERENCES");
            Name ref = c.name();
            List<String> refCols = c.isSymbol("(") ? c.columnList() : List.of();
            boolean notValid = trailingNotValid();
            return new ConstraintOrIndex(new ConstraintDef(name, ConstraintDef.Kind.FOREIGN_KEY, cols, ref, refCols,
                    null, notValid, null), null);
        }
        boolean primary = c.accept("PRIMARY", "KEY");
        boolean unique = !primary && c.accept("UNIQUE");
        if (primary || unique) {
            if (c.accept("USING", "INDEX")) {
                String idx = c.identifier();
                return new ConstraintOrIndex(new ConstraintDef(name, primary ? ConstraintDef.Kind.PRIMARY_KEY
                        : ConstraintDef.Kind.UNIQUE, List.of(), null, List.of(), null, false, idx), null);
            }
            if (c.accept("NULLS")) {
                c.accept("NOT");
                c.accept("DISTINCT");
            }
            if (!c.accept("INDEX")) c.accept("KEY");
            String indexName = null;
            if (c.peek() != null && c.peek().isIdentifier() && !c.is("USING")) indexName = c.identifier();
            if (c.accept("USING")) c.next();
            List<String> cols = c.columnList();
            c.skipRest();
            String n = name != null ? name : indexName;
            return new ConstraintOrIndex(new ConstraintDef(n, primary ? ConstraintDef.Kind.PRIMARY_KEY
                    : ConstraintDef.Kind.UNIQUE, cols, null, List.of(), null, false, null), null);
        }
        if (c.accept("EXCLUDE")) {
            String body = c.rest();
            c.skipRest();
            return new ConstraintOrIndex(new ConstraintDef(name, ConstraintDef.Kind.EXCLUDE, List.of(), null,
                    List.of(), body, false, null), null);
        }
        // MySQL index elements: INDEX/KEY/FULLTEXT/SPATIAL [INDEX|KEY] [name] (cols)
        String kind = null;
        if (c.accept("FULLTEXT")) kind = "FULLTEXT";
        else if (c.accept("SPATIAL")) kind = "SPATIAL";
        if (!c.accept("INDEX")) c.accept("KEY");
        String indexName = null;
        if (c.peek() != null && c.peek().isIdentifier() && !c.is("USING")) indexName = c.identifier();
        if (c.accept("USING")) c.next();
        List<String> cols = c.columnList();
        c.skipRest();
        return new ConstraintOrIndex(null, new Stmt.IndexDef(indexName, table, cols, false, false, false, false,
                null, null, kind, null, null));
    }

    private boolean trailingNotValid() {
        boolean notValid = false;
        while (!c.atEnd()) {
            if (c.accept("NOT", "VALID")) notValid = true;
            else if (c.isSymbol("(")) c.parenthesised();
            else c.next();
        }
        return notValid;
    }

    /** Column names mentioned in a CHECK expression (identifiers not followed by '('), for dependency tracking. */
    private List<String> columnsIn(String expr) {
        List<String> cols = new ArrayList<>();
        List<Token> toks = Tokenizer.tokenize(expr, c.family);
        for (int i = 0; i < toks.size(); i++) {
            Token t = toks.get(i);
            boolean call = i + 1 < toks.size() && toks.get(i + 1).isSymbol("(");
            if (t.isIdentifier() && !call && !isKeyword(t)) {
                String n = c.fold(t);
                if (!cols.contains(n)) cols.add(n);
            }
        }
        return cols;
    }

    private static boolean isKeyword(Token t) {
        if (t.kind() != Token.Kind.WORD) return false;
        switch (t.upper()) {
            case "IS": case "NOT": case "NULL": case "AND": case "OR": case "IN": case "TRUE": case "FALSE":
            case "BETWEEN": case "LIKE": case "ILIKE": case "CASE": case "WHEN": case "THEN": case "ELSE": case "END":
            case "ANY": case "ALL": case "SOME": case "ARRAY": case "DISTINCT": case "FROM": case "SIMILAR": case "TO":
            case "ESCAPE": case "COLLATE": case "TEXT": case "VARCHAR": case "INTEGER": case "INT": case "BIGINT":
            case "NUMERIC": case "CHARACTER": case "VARYING": case "BOOLEAN": case "DATE": case "TIMESTAMP":
            case "CURRENT_DATE": case "CURRENT_TIMESTAMP": case "REGEXP": case "RLIKE":
                return true;
            default:
                return false;
        }
    }

    /** name type [constraints...]; the cursor range must hold exactly one column definition. */
    ColumnDef column() {
        String name = c.identifier();
        TypeName type = null;
        if (!c.atEnd() && !startsColumnConstraint()) {
            type = DdlParser.type(c);
        }
        boolean notNull = false;
        Expr def = null;
        boolean primaryKey = false;
        boolean unique = false;
        ColumnDef.ForeignKeyRef refs = null;
        String check = null;
        boolean identity = false;
        ColumnDef.Generated generated = ColumnDef.Generated.NONE;
        boolean autoIncrement = false;
        String position = null;
        String charset = null;
        while (!c.atEnd()) {
            if (c.accept("CONSTRAINT")) {
                c.identifier();
            } else if (c.accept("NOT", "NULL")) {
                notNull = true;
            } else if (c.accept("NULL")) {
                notNull = false;
            } else if (c.accept("DEFAULT")) {
                def = DdlParser.expression(c, DdlParser.columnConstraintWords());
            } else if (c.accept("PRIMARY", "KEY")) {
                primaryKey = true;
                notNull = true;
            } else if (c.accept("UNIQUE")) {
                c.accept("KEY");
                unique = true;
            } else if (c.accept("REFERENCES")) {
                Name t = c.name();
                List<String> cols = c.isSymbol("(") ? c.columnList() : List.of();
                refs = new ColumnDef.ForeignKeyRef(t, cols);
                while (c.is("ON") && (c.isAhead(1, "DELETE") || c.isAhead(1, "UPDATE")) || c.is("MATCH")) {
                    skipReferentialAction();
                }
            } else if (c.accept("CHECK")) {
                check = c.parenthesised();
                c.accept("NO", "INHERIT");
            } else if (c.accept("GENERATED")) {
                if (c.accept("BY", "DEFAULT") || c.accept("ALWAYS")) {
                    // either IDENTITY or a generated expression
                }
                c.expect("AS");
                if (c.accept("IDENTITY")) {
                    identity = true;
                    notNull = true;
                    if (c.isSymbol("(")) c.parenthesised();
                } else {
                    c.parenthesised();
                    generated = c.accept("VIRTUAL") ? ColumnDef.Generated.VIRTUAL
                            : c.accept("STORED") ? ColumnDef.Generated.STORED
                            : c.family == SqlFamily.MYSQL ? ColumnDef.Generated.VIRTUAL : ColumnDef.Generated.VIRTUAL;
                }
            } else if (c.is("AS") && c.peek(1) != null && c.peek(1).isSymbol("(")) {
                // MySQL: col type AS (expr) [VIRTUAL|STORED]
                c.next();
                c.parenthesised();
                generated = c.accept("STORED") ? ColumnDef.Generated.STORED : ColumnDef.Generated.VIRTUAL;
                c.accept("VIRTUAL");
            } else if (c.accept("AUTO_INCREMENT")) {
                autoIncrement = true;
            } else if (c.accept("FIRST")) {
                position = "FIRST";
            } else if (c.accept("AFTER")) {
                position = "AFTER " + c.identifier();
            } else if (c.accept("CHARACTER", "SET") || c.accept("CHARSET")) {
                c.acceptSymbol("=");
                charset = c.next().text().toLowerCase(java.util.Locale.ROOT);
            } else if (c.accept("COLLATE")) {
                c.acceptSymbol("=");
                Token coll = c.next();
                if (charset == null && coll != null && c.family == SqlFamily.MYSQL) {
                    String cn = coll.text().toLowerCase(java.util.Locale.ROOT);
                    int us = cn.indexOf('_');
                    charset = us > 0 ? cn.substring(0, us) : cn;
                }
            } else if (c.accept("ON", "UPDATE")) {
                DdlParser.expression(c, DdlParser.columnConstraintWords());
            } else if (c.accept("COMMENT")) {
                c.next();
            } else if (c.isSymbol("(")) {
                c.parenthesised();
            } else {
                c.next();
            }
        }
        return new ColumnDef(name, type, notNull, def, primaryKey, unique, refs, check, identity, generated,
                autoIncrement, position, charset);
    }

    private void skipReferentialAction() {
        if (c.accept("MATCH")) {
            c.next();
            return;
        }
        c.expect("ON");
        c.next();
        if (c.accept("SET")) c.next();
        else if (c.accept("NO")) c.next();
        else c.next();
    }

    private boolean startsColumnConstraint() {
        Token t = c.peek();
        if (t == null || t.kind() != Token.Kind.WORD) return false;
        switch (t.upper()) {
            case "NOT": case "NULL": case "DEFAULT": case "CONSTRAINT": case "PRIMARY": case "UNIQUE": case "REFERENCES":
            case "CHECK": case "GENERATED":
                return true;
            default:
                return false;
        }
    }
}
