package io.zerodown.core.lint;

import io.zerodown.core.model.Name;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The transaction and session state the engine tracks while walking one unit's statements. */
public final class TxState {
    /** The runner wraps this whole unit in one transaction. */
    boolean runnerWrapped;
    /** An explicit BEGIN is open. */
    boolean explicitOpen;
    /** Line of the open BEGIN, for the "never committed" finding. */
    int explicitBeginLine;
    int explicitBeginColumn;
    Long sessionLockTimeoutMs;
    Long localLockTimeoutMs;
    boolean sessionStatementTimeout;
    boolean localStatementTimeout;
    /** Pre-existing tables locked ACCESS EXCLUSIVE earlier in the open transaction. */
    final List<Name> accessExclusiveHeld = new ArrayList<>();
    boolean reportedStatementsAfterAel;
    /** Constraints added (NOT VALID or not) in the open transaction. */
    final Set<String> constraintsAdded = new HashSet<>();
    /** Statements that lock something old seen so far in the unit, without a statement_timeout. */
    boolean reportedStatementTimeout;
    boolean unitHasTransactional;
    boolean reportedLockTimeout;
    /** SET TimeZone = 'UTC' (or an equivalent) is in effect for the session. */
    boolean timeZoneUtc;

    public boolean inTransaction() {
        return runnerWrapped || explicitOpen;
    }

    /** The lock timeout in force for the next statement, null when none (0 means none too). */
    /** An explicit BEGIN of the file itself is open (as opposed to the runner's wrapping). */
    public boolean explicitOpenForRules() {
        return explicitOpen;
    }

    public boolean runnerWrapped() {
        return runnerWrapped;
    }

    public boolean reportedStatementsAfterAelForRules() {
        return reportedStatementsAfterAel;
    }

    public void markStatementsAfterAelReported() {
        reportedStatementsAfterAel = true;
    }

    public boolean timeZoneIsUtc() {
        return timeZoneUtc;
    }

    public boolean reportedLockTimeoutForRules() {
        return reportedLockTimeout;
    }

    public void markLockTimeoutReported() {
        reportedLockTimeout = true;
    }

    public boolean reportedStatementTimeoutForRules() {
        return reportedStatementTimeout;
    }

    public void markStatementTimeoutReported() {
        reportedStatementTimeout = true;
    }

    /** The unit holds a statement Flyway would run inside a transaction (anything but the non-transactional kinds). */
    public boolean unitHasTransactionalStatement() {
        return unitHasTransactional;
    }

    public Long lockTimeoutMs() {
        Long v = inTransaction() && localLockTimeoutMs != null ? localLockTimeoutMs : sessionLockTimeoutMs;
        return v == null || v == 0 ? null : v;
    }

    public boolean statementTimeoutSet() {
        return sessionStatementTimeout || inTransaction() && localStatementTimeout;
    }

    public List<Name> accessExclusiveHeld() {
        return accessExclusiveHeld;
    }

    public Set<String> constraintsAdded() {
        return constraintsAdded;
    }

    void endTransaction() {
        explicitOpen = false;
        localLockTimeoutMs = null;
        localStatementTimeout = false;
        accessExclusiveHeld.clear();
        constraintsAdded.clear();
        reportedStatementsAfterAel = false;
    }
}
