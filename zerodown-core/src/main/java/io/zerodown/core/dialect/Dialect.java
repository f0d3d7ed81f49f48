package io.zerodown.core.dialect;

import io.zerodown.api.Engine;
import io.zerodown.core.lint.LockFacts;
import io.zerodown.core.lint.Rule;
import io.zerodown.core.lint.StatementContext;
import io.zerodown.core.sql.SqlFamily;

import java.util.List;
import java.util.ServiceLoader;

/**
 * What zerodown knows about one database family: its lexical rules, the locks its statements take, its lint rules
 * and how it quotes names. Implementations live in their own modules and are found with {@link ServiceLoader}.
 */
public interface Dialect {

    /** True for the engines this dialect judges. */
    boolean handles(Engine engine);

    SqlFamily sqlFamily();

    /** The lock a statement takes on pre-existing tables, and what it does to the data. */
    LockFacts locks(StatementContext ctx);

    /** Rules specific to this family; the engine adds the shared {@code any.*} rules itself. */
    List<Rule> rules();

    /** Quotes an identifier only when needed, always safely (embedded quotes doubled). */
    String quote(String identifier);

    /**
     * True when the runner cannot run this statement inside a transaction block (PostgreSQL: CREATE INDEX
     * CONCURRENTLY, VACUUM, ...). Used for Flyway's per-file decision.
     */
    default boolean flywayDetectsNonTransactional(String sql, io.zerodown.api.Target target) {
        return false;
    }

    static Dialect forEngine(Engine engine) {
        for (Dialect d : ServiceLoader.load(Dialect.class)) {
            if (d.handles(engine)) return d;
        }
        throw new IllegalStateException("no dialect module for " + engine.id()
                + " on the class path (zerodown-postgres / zerodown-mysql)");
    }
}
