package io.zerodown.core.model;

import java.util.Locale;

/**
 * A possibly schema-qualified object name. {@code name} and {@code schema} hold the identifier as the server sees it:
 * unquoted PostgreSQL identifiers folded to lower case, quoted ones kept exactly; MySQL names lower-cased
 * (table names compare case-insensitively on the common configurations).
 */
public record Name(String schema, String name) {

    public static Name of(String name) {
        return new Name(null, name);
    }

    /** Key for lookups in the schema model: schema is ignored unless it is not the default one. */
    public String key() {
        return (schema == null || schema.equals("public") ? "" : schema + ".") + name;
    }

    public boolean sameAs(Name other) {
        return other != null && key().equals(other.key());
    }

    @Override
    public String toString() {
        return schema == null ? name : schema + "." + name;
    }

    public static String fold(String unquoted) {
        return unquoted.toLowerCase(Locale.ROOT);
    }
}
