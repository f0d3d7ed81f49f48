package io.zerodown.core.lint;

import io.zerodown.api.Effect;
import io.zerodown.core.model.Name;

import java.util.List;

/**
 * The strongest lock a statement takes on tables that already exist, and what it does while holding it.
 *
 * @param mode        e.g. ACCESS EXCLUSIVE, SHARE, or for MySQL "MDL exclusive, LOCK=NONE"; null when none
 * @param blocks      what that lock stops, e.g. "reads, writes"; null when nothing the app does
 * @param effect      rewrite, scan, catalog or none
 * @param tables      the pre-existing tables it locks
 * @param blocksTraffic true when the lock conflicts with plain reads or writes (so a queue behind it stalls the app)
 */
public record LockFacts(String mode, String blocks, Effect effect, List<Name> tables, boolean blocksTraffic) {

    public static final LockFacts NONE = new LockFacts(null, null, Effect.NONE, List.of(), false);

    public boolean isAccessExclusive() {
        return "ACCESS EXCLUSIVE".equals(mode);
    }
}
