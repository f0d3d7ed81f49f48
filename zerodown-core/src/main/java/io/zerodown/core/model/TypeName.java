package io.zerodown.core.model;

import java.util.List;
import java.util.Locale;

/**
 * A column type: a canonical base name plus its modifiers.
 * Canonical names: int2, int4, int8, varchar, char, text, numeric, timestamp, timestamptz, time, interval, bool,
 * json, jsonb, uuid, citext, ... (PostgreSQL aliases folded: integer/int → int4, character varying → varchar, decimal →
 * numeric); MySQL names kept as written, lower case (varchar, int, bigint, enum, ...).
 *
 * @param base  canonical lower-case base name
 * @param args  modifiers as written, e.g. [255] or [12, 2]; for MySQL ENUM/SET the member literals
 * @param array true for {@code int[]}
 * @param raw   the type as written
 */
public record TypeName(String base, List<String> args, boolean array, String raw) {

    public Integer intArg(int i) {
        if (i >= args.size()) return null;
        try {
            return Integer.valueOf(args.get(i).trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    public boolean isSerial() {
        return base.equals("serial") || base.equals("bigserial") || base.equals("smallserial")
                || base.equals("serial4") || base.equals("serial8") || base.equals("serial2");
    }

    public boolean is(String... names) {
        for (String n : names) {
            if (base.equals(n.toLowerCase(Locale.ROOT))) return true;
        }
        return false;
    }

    @Override
    public String toString() {
        return raw;
    }
}
