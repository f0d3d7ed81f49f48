package io.zerodown.core.parse;

import io.zerodown.core.model.Name;
import io.zerodown.core.model.Stmt;
import io.zerodown.core.sql.SqlFamily;

import java.util.ArrayList;
import java.util.List;

/** Token-level reader for UPDATE/DELETE/INSERT that JSqlParser rejects: finds the target table and a top-level WHERE. */
final class DmlScanner {

    private DmlScanner() {
    }

    /**
     * {@code WITH x AS (UPDATE t SET ... [WHERE ...] RETURNING ...) SELECT ...}: the data-modifying CTE is what matters.
     * Returns the first UPDATE or DELETE inside a CTE, or null when there is none.
     */
    static Stmt modifyingCte(List<Token> tokens, String sql, SqlFamily family) {
        int depth = 0;
        for (int i = 1; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.isSymbol("(")) depth++;
            else if (t.isSymbol(")")) depth--;
            else if (depth >= 1 && (t.is("UPDATE") || t.is("DELETE")) && i > 0 && tokens.get(i - 1).isSymbol("(")) {
                int open = depth;
                int end = i;
                int d = depth;
                while (end < tokens.size()) {
                    Token e = tokens.get(end);
                    if (e.isSymbol("(")) d++;
                    else if (e.isSymbol(")")) {
                        if (d == open) break;
                        d--;
                    }
                    end++;
                }
                Stmt inner = scan(tokens.subList(i, end), sql, family);
                if (inner != null) return inner;
            }
        }
        return null;
    }

    static Stmt scan(List<Token> tokens, String sql, SqlFamily family) {
        TokenCursor c = new TokenCursor(tokens, sql, family);
        try {
            // WITH ... (CTE) UPDATE/DELETE/INSERT: skip to the main verb at depth 0
            if (c.accept("WITH")) {
                int depth = 0;
                while (!c.atEnd()) {
                    Token t = c.peek();
                    if (t.isSymbol("(")) depth++;
                    else if (t.isSymbol(")")) depth--;
                    else if (depth == 0 && (t.is("UPDATE") || t.is("DELETE") || t.is("INSERT"))) break;
                    c.next();
                }
            }
            Token verb = c.next();
            if (verb == null) return null;
            String kind = verb.upper();
            if (kind.equals("UPDATE")) {
                c.accept("ONLY");
            } else if (kind.equals("DELETE")) {
                c.expect("FROM");
                c.accept("ONLY");
            } else if (kind.equals("INSERT") || kind.equals("REPLACE")) {
                c.accept("IGNORE");
                c.accept("INTO");
                kind = "INSERT";
            } else {
                return null;
            }
            Name table = c.name();
            boolean hasWhere = false;
            String where = null;
            boolean hasLimit = false;
            boolean fromSelect = false;
            List<Name> sources = new ArrayList<>();
            int depth = 0;
            while (!c.atEnd()) {
                Token t = c.next();
                if (t.isSymbol("(")) depth++;
                else if (t.isSymbol(")")) depth--;
                else if (depth == 0 && t.is("WHERE") && !hasWhere) {
                    hasWhere = true;
                    where = c.rest();
                } else if (depth == 0 && t.is("LIMIT")) {
                    hasLimit = true;
                } else if (t.is("SELECT") && kind.equals("INSERT")) {
                    fromSelect = true;
                } else if (t.is("FROM") && (fromSelect || kind.equals("UPDATE")) && depth == 0 && c.peek() != null
                        && c.peek().isIdentifier()) {
                    sources.add(c.name());
                }
            }
            return new Stmt.Dml(kind, table, hasWhere, where, hasLimit, fromSelect, sources, null);
        } catch (ParseFailure e) {
            return null;
        }
    }
}
