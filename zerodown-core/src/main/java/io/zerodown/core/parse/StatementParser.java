package io.zerodown.core.parse;

import io.zerodown.core.model.Name;
import io.zerodown.core.model.Stmt;
import io.zerodown.core.sql.SqlFamily;
import net.sf.jsqlparser.parser.AbstractJSqlParser;
import net.sf.jsqlparser.parser.CCJSqlParser;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.delete.Delete;
import net.sf.jsqlparser.statement.insert.Insert;
import net.sf.jsqlparser.statement.merge.Merge;
import net.sf.jsqlparser.statement.update.Update;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns one statement's text into the {@link Stmt} model. Order: zerodown's {@link DdlParser} for lock-relevant DDL,
 * JSqlParser for DML and everything else it knows, a token-level DML reader for the DML JSqlParser rejects, and
 * {@link Stmt.Unparsed} when nobody understands the text. Never throws.
 */
public final class StatementParser {

    private final SqlFamily family;
    private final AbstractJSqlParser.Dialect jsqlDialect;

    public StatementParser(SqlFamily family, boolean mariadb) {
        this.family = family;
        this.jsqlDialect = family == SqlFamily.POSTGRES ? AbstractJSqlParser.Dialect.POSTGRESQL
                : mariadb ? AbstractJSqlParser.Dialect.MARIADB : AbstractJSqlParser.Dialect.MYSQL;
    }

    public Stmt parse(String sql) {
        List<Token> tokens = Tokenizer.tokenize(sql, family);
        if (tokens.isEmpty()) return new Stmt.Other("EMPTY", Stmt.ParsedBy.ZERODOWN);
        String ddlProblem = null;
        try {
            Stmt ddl = DdlParser.parse(tokens, sql, family);
            if (ddl != null) return ddl;
        } catch (RuntimeException e) {
            ddlProblem = e.getMessage();
        }
        Token first = tokens.get(0);
        if (first.is("WITH")) {
            Stmt inner = DmlScanner.modifyingCte(tokens, sql, family);
            if (inner != null) return inner;
        }
        boolean dml = first.is("UPDATE") || first.is("DELETE") || first.is("INSERT") || first.is("MERGE")
                || first.is("REPLACE") || first.is("WITH") || first.is("UPSERT");
        try {
            Statement st = jsqlParse(sql);
            Stmt mapped = mapJsql(st);
            if (mapped != null) return mapped;
            return new Stmt.Other(st.getClass().getSimpleName().toUpperCase(Locale.ROOT), Stmt.ParsedBy.JSQLPARSER);
        } catch (Exception | StackOverflowError e) {
            if (dml) {
                Stmt fallback = DmlScanner.scan(tokens, sql, family);
                if (fallback != null) return fallback;
            }
            String reason = ddlProblem != null ? ddlProblem : firstLine(e.getMessage());
            return new Stmt.Unparsed(reason == null ? "syntax not recognised" : reason);
        }
    }

    /** Parses a type name as written or as {@code format_type()} prints it, e.g. {@code character varying(255)}. */
    public static io.zerodown.core.model.TypeName parseType(String text, SqlFamily family) {
        List<Token> tokens = Tokenizer.tokenize(text, family);
        return DdlParser.type(new TokenCursor(tokens, text, family));
    }

    private Statement jsqlParse(String sql) throws Exception {
        // Direct parser use avoids CCJSqlParserUtil's per-call executor thread.
        CCJSqlParser parser = CCJSqlParserUtil.newParser(sql).withDialect(jsqlDialect);
        return parser.Statement();
    }

    private Stmt mapJsql(Statement st) {
        if (st instanceof Update u) {
            return new Stmt.Dml("UPDATE", name(u.getTable()), u.getWhere() != null,
                    u.getWhere() == null ? null : u.getWhere().toString(), u.getLimit() != null, false,
                    u.getFromItem() instanceof Table t ? List.of(name(t)) : List.of(),
                    u.getUpdateSets() == null ? "" : u.getUpdateSets().toString());
        }
        if (st instanceof Delete d) {
            return new Stmt.Dml("DELETE", name(d.getTable()), d.getWhere() != null,
                    d.getWhere() == null ? null : d.getWhere().toString(), d.getLimit() != null, false, List.of(), null);
        }
        if (st instanceof Insert i) {
            boolean fromSelect = i.getSelect() != null && i.getSelect().getValues() == null
                    && !(i.getSelect() instanceof net.sf.jsqlparser.statement.select.Values);
            List<Name> sources = new ArrayList<>();
            if (fromSelect && i.getSelect() instanceof net.sf.jsqlparser.statement.select.PlainSelect ps
                    && ps.getFromItem() instanceof Table t) {
                sources.add(name(t));
            }
            return new Stmt.Dml("INSERT", name(i.getTable()), false, null, false, fromSelect, sources, null);
        }
        if (st instanceof Merge m) {
            return new Stmt.Dml("MERGE", name(m.getTable()), true, null, false, false, List.of(), null);
        }
        return null;
    }

    private Name name(Table t) {
        String n = unquote(t.getName());
        String s = t.getSchemaName() == null ? null : unquote(t.getSchemaName());
        return new Name(s, n);
    }

    private String unquote(String ident) {
        if (ident == null) return null;
        if (ident.length() >= 2 && (ident.startsWith("\"") && ident.endsWith("\"") || ident.startsWith("`") && ident.endsWith("`"))) {
            String inner = ident.substring(1, ident.length() - 1);
            return family == SqlFamily.POSTGRES ? inner : inner.toLowerCase(Locale.ROOT);
        }
        return ident.toLowerCase(Locale.ROOT);
    }

    private static String firstLine(String s) {
        if (s == null) return null;
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
