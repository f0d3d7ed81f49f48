package io.zerodown.core.parse;

import io.zerodown.core.model.AlterAction;
import io.zerodown.core.model.ColumnDef;
import io.zerodown.core.model.ConstraintDef;
import io.zerodown.core.model.Name;
import io.zerodown.core.model.Stmt;
import io.zerodown.core.model.TypeName;
import io.zerodown.core.sql.SqlFamily;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Parses one comma-separated clause of ALTER TABLE. An unknown clause becomes {@link AlterAction.Unknown}. */
final class AlterClauseParser {
    private final TokenCursor c;
    private final boolean mysql;

    AlterClauseParser(TokenCursor c) {
        this.c = c;
        this.mysql = c.family == SqlFamily.MYSQL;
    }

    List<AlterAction> parse() {
        int start = c.pos;
        try {
            List<AlterAction> actions = clause();
            if (actions != null) return actions;
        } catch (ParseFailure e) {
            // fall through to Unknown: one odd clause must not hide the others
        }
        c.pos = start;
        String text = c.rest();
        c.skipRest();
        return List.of(new AlterAction.Unknown(text));
    }

    private List<AlterAction> clause() {
        Token first = c.peek();
        if (first == null) return List.of();
        switch (first.upper()) {
            case "ADD": return add();
            case "DROP": return drop();
            case "ALTER": return alterColumn();
            case "VALIDATE":
                c.next();
                c.expect("CONSTRAINT");
                return List.of(new AlterAction.ValidateConstraint(c.identifier()));
            case "RENAME": return rename();
            case "SET": return set();
            case "ATTACH":
                c.next();
                c.expect("PARTITION");
                Name part = c.name();
                c.skipRest();
                return List.of(new AlterAction.AttachPartition(part));
            case "DETACH": {
                c.next();
                c.expect("PARTITION");
                Name p = c.name();
                boolean concurrently = c.accept("CONCURRENTLY");
                return List.of(new AlterAction.DetachPartition(p, concurrently));
            }
            case "MODIFY": {
                c.next();
                c.accept("COLUMN");
                ColumnDef col = new TableElementParser(c).column();
                return List.of(new AlterAction.ModifyColumn(col.name(), col));
            }
            case "CHANGE": {
                c.next();
                c.accept("COLUMN");
                String old = c.identifier();
                ColumnDef col = new TableElementParser(c).column();
                return List.of(new AlterAction.ModifyColumn(old, col));
            }
            case "ALGORITHM": {
                c.next();
                c.acceptSymbol("=");
                return List.of(new AlterAction.Algorithm(c.next().upper()));
            }
            case "LOCK": {
                c.next();
                c.acceptSymbol("=");
                return List.of(new AlterAction.Lock(c.next().upper()));
            }
            case "CONVERT": {
                c.next();
                c.expect("TO");
                if (!c.accept("CHARACTER", "SET")) c.expect("CHARSET");
                String cs = c.next().text().toLowerCase(Locale.ROOT);
                c.skipRest();
                return List.of(new AlterAction.ConvertCharset(cs));
            }
            case "DEFAULT": case "CHARACTER": case "CHARSET": case "COLLATE": {
                c.accept("DEFAULT");
                String opt = c.accept("CHARACTER", "SET") ? "CHARSET" : c.next().upper();
                c.acceptSymbol("=");
                Token v = c.next();
                c.skipRest();
                return List.of(new AlterAction.TableOption(opt, v == null ? "" : v.text()));
            }
            case "ENGINE": case "ROW_FORMAT": case "AUTO_INCREMENT": case "COMMENT": case "KEY_BLOCK_SIZE":
            case "STATS_PERSISTENT": case "STATS_AUTO_RECALC": case "PACK_KEYS": case "CHECKSUM": {
                String opt = c.next().upper();
                c.acceptSymbol("=");
                Token v = c.next();
                return List.of(new AlterAction.TableOption(opt, v == null ? "" : v.text()));
            }
            case "FORCE":
                c.next();
                return List.of(new AlterAction.TableOption("FORCE", ""));
            case "ORDER": case "PARTITION": case "REMOVE": case "COALESCE": case "REORGANIZE": case "EXCHANGE":
            case "TRUNCATE": case "ANALYZE": case "OPTIMIZE": case "REBUILD": case "REPAIR":
                if (mysql) {
                    String what = c.rest();
                    c.skipRest();
                    return List.of(new AlterAction.TableOption(first.upper(), what));
                }
                return null;
            case "ENABLE": case "DISABLE": case "OWNER": case "REPLICA": case "CLUSTER": case "INHERIT": case "NO":
            case "OF": case "NOT": case "FORCE_ROW": case "RESET": {
                String what = c.rest();
                c.skipRest();
                return List.of(new AlterAction.CatalogOnly(what));
            }
            default:
                return null;
        }
    }

    private List<AlterAction> add() {
        c.expect("ADD");
        if (c.accept("COLUMN")) {
            boolean ifNotExists = c.accept("IF", "NOT", "EXISTS");
            return addColumns(ifNotExists);
        }
        boolean ifNotExists = c.accept("IF", "NOT", "EXISTS");
        TableElementParser element = new TableElementParser(c);
        if (element.startsConstraint() || c.is("NOT") && c.isAhead(1, "NULL")) {
            TableElementParser.ConstraintOrIndex ci = element.constraintOrIndex(null);
            if (ci.index() != null) return List.of(new AlterAction.AddIndex(ci.index()));
            ConstraintDef cd = ci.constraint();
            if (mysql && (cd.kind() == ConstraintDef.Kind.UNIQUE)) {
                // MySQL ADD UNIQUE is an index build, same as ADD UNIQUE INDEX
                return List.of(new AlterAction.AddIndex(new Stmt.IndexDef(cd.name(), null, cd.columns(), true, false,
                        false, false, null, null, null, null, null)));
            }
            return List.of(new AlterAction.AddConstraint(cd));
        }
        return addColumns(ifNotExists);
    }

    /** ADD [COLUMN] def, or MySQL ADD [COLUMN] (def, def). */
    private List<AlterAction> addColumns(boolean ifNotExists) {
        if (c.isSymbol("(") && mysql) {
            int open = c.pos;
            c.parenthesised();
            int afterClose = c.pos;
            List<AlterAction> out = new ArrayList<>();
            int depth = 0;
            int start = open + 1;
            for (int i = open + 1; i < afterClose - 1; i++) {
                Token t = c.tokens.get(i);
                if (t.isSymbol("(")) depth++;
                else if (t.isSymbol(")")) depth--;
                else if (t.isSymbol(",") && depth == 0) {
                    out.add(new AlterAction.AddColumn(columnIn(start, i), ifNotExists));
                    start = i + 1;
                }
            }
            out.add(new AlterAction.AddColumn(columnIn(start, afterClose - 1), ifNotExists));
            return out;
        }
        ColumnDef col = new TableElementParser(c).column();
        return List.of(new AlterAction.AddColumn(col, ifNotExists));
    }

    private ColumnDef columnIn(int from, int to) {
        return new TableElementParser(new TokenCursor(c.tokens, c.sql, c.family, from, to)).column();
    }

    private List<AlterAction> drop() {
        c.expect("DROP");
        if (c.accept("CONSTRAINT")) {
            boolean ifExists = c.accept("IF", "EXISTS");
            String name = c.identifier();
            return List.of(new AlterAction.DropConstraint(name, ifExists, null));
        }
        if (c.accept("PRIMARY", "KEY")) return List.of(new AlterAction.DropPrimaryKey());
        if (c.accept("FOREIGN", "KEY")) {
            boolean ifExists = c.accept("IF", "EXISTS");
            return List.of(new AlterAction.DropConstraint(c.identifier(), ifExists, ConstraintDef.Kind.FOREIGN_KEY));
        }
        if (mysql && c.accept("CHECK")) {
            return List.of(new AlterAction.DropConstraint(c.identifier(), false, ConstraintDef.Kind.CHECK));
        }
        if (mysql && (c.accept("INDEX") || c.accept("KEY"))) {
            c.accept("IF", "EXISTS");
            return List.of(new AlterAction.DropIndex(c.identifier()));
        }
        c.accept("COLUMN");
        boolean ifExists = c.accept("IF", "EXISTS");
        String col = c.identifier();
        boolean cascade = c.accept("CASCADE");
        c.accept("RESTRICT");
        return List.of(new AlterAction.DropColumn(col, ifExists, cascade));
    }

    private List<AlterAction> alterColumn() {
        c.expect("ALTER");
        if (c.accept("CONSTRAINT")) {
            String what = c.rest();
            c.skipRest();
            return List.of(new AlterAction.CatalogOnly("ALTER CONSTRAINT " + what));
        }
        if (mysql && (c.accept("INDEX") || c.accept("CHECK"))) {
            String what = c.rest();
            c.skipRest();
            return List.of(new AlterAction.CatalogOnly(what));
        }
        c.accept("COLUMN");
        String col = c.identifier();
        if (c.accept("SET", "DATA", "TYPE") || c.accept("TYPE")) {
            TypeName type = DdlParser.type(c);
            String using = null;
            while (!c.atEnd()) {
                if (c.accept("USING")) {
                    using = c.rest();
                    c.skipRest();
                } else {
                    c.next(); // COLLATE x
                }
            }
            return List.of(new AlterAction.AlterColumnType(col, type, using));
        }
        if (c.accept("SET", "NOT", "NULL")) return List.of(new AlterAction.SetNotNull(col));
        if (c.accept("DROP", "NOT", "NULL")) return List.of(new AlterAction.DropNotNull(col));
        if (c.accept("SET", "DEFAULT")) {
            return List.of(new AlterAction.SetDefault(col, DdlParser.expression(c, java.util.Set.of())));
        }
        if (c.accept("DROP", "DEFAULT")) return List.of(new AlterAction.DropDefault(col));
        String what = c.rest();
        c.skipRest();
        // SET STATISTICS, SET STORAGE, SET (options), ADD/DROP IDENTITY, SET VISIBLE, ... : brief catalog changes
        return List.of(new AlterAction.CatalogOnly("ALTER COLUMN " + col + " " + what));
    }

    private List<AlterAction> rename() {
        c.expect("RENAME");
        if (c.accept("CONSTRAINT")) {
            String from = c.identifier();
            c.expect("TO");
            return List.of(new AlterAction.RenameConstraint(from, c.identifier()));
        }
        if (mysql && (c.accept("INDEX") || c.accept("KEY"))) {
            String from = c.identifier();
            c.expect("TO");
            return List.of(new AlterAction.RenameIndex(from, c.identifier()));
        }
        if (c.accept("TO") || c.accept("AS") || mysql && !c.is("COLUMN") && !(c.peek(1) != null && c.peek(1).is("TO"))) {
            return List.of(new AlterAction.RenameTable(c.name()));
        }
        c.accept("COLUMN");
        String from = c.identifier();
        c.expect("TO");
        return List.of(new AlterAction.RenameColumn(from, c.identifier()));
    }

    private List<AlterAction> set() {
        c.expect("SET");
        if (c.accept("TABLESPACE")) {
            c.identifier();
            return List.of(new AlterAction.RewriteTable("SET TABLESPACE"));
        }
        if (c.accept("LOGGED")) return List.of(new AlterAction.RewriteTable("SET LOGGED"));
        if (c.accept("UNLOGGED")) return List.of(new AlterAction.RewriteTable("SET UNLOGGED"));
        if (c.accept("ACCESS", "METHOD")) {
            c.identifier();
            return List.of(new AlterAction.RewriteTable("SET ACCESS METHOD"));
        }
        String what = c.rest();
        c.skipRest();
        return List.of(new AlterAction.CatalogOnly("SET " + what));
    }
}
