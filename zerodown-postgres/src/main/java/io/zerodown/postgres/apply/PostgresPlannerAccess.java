package io.zerodown.postgres.apply;

import io.zerodown.core.model.Name;
import io.zerodown.postgres.PostgresDialect;

/** Quoting for SQL that zerodown executes: every identifier is quoted. */
final class PostgresPlannerAccess {
    private PostgresPlannerAccess() {
    }

    static String quoteIdent(String ident) {
        return PostgresDialect.quoteAlways(ident);
    }

    static String quote(Name n) {
        return n.schema() == null ? quoteIdent(n.name()) : quoteIdent(n.schema()) + "." + quoteIdent(n.name());
    }
}
