package io.zerodown.postgres.apply;

import io.zerodown.api.ZerodownException;
import io.zerodown.core.plan.MigrationPlan;
import io.zerodown.core.plan.Phase;
import io.zerodown.core.plan.Step;
import io.zerodown.core.plan.StepKind;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Undoes the steps an in-flight or failed migration has completed, newest first, each under the same lock-timeout
 * rules as apply. Refuses, before changing anything, when a completed step cannot be undone without losing data.
 */
public final class PostgresRollback {
    private final PostgresConnections db;
    private final ApplyOptions options;
    private final ApplyListener listener;

    public PostgresRollback(PostgresConnections db, ApplyOptions options, ApplyListener listener) {
        this.db = db;
        this.options = options;
        this.listener = listener;
    }

    /** @param migrationId the migration to undo, or null for the one in flight (running or failed) */
    public List<String> rollback(String migrationId) throws SQLException {
        try (Connection c = db.open()) {
            PostgresApplier.lockFor(c);
            try {
                return undo(c, migrationId);
            } finally {
                PostgresApplier.unlockFor(c);
            }
        }
    }

    private List<String> undo(Connection c, String migrationId) throws SQLException {
        if (!PostgresJournal.exists(c, "zerodown.migrations")) {
            throw new ZerodownException("nothing to roll back: this database has no zerodown journal");
        }
        Map<String, PostgresJournal.Entry> all = PostgresJournal.migrations(c);
        PostgresJournal.Entry target = null;
        if (migrationId != null) {
            target = all.get(migrationId);
            if (target == null) throw new ZerodownException("no migration '" + migrationId + "' in the journal; 'zerodown status' lists them");
        } else {
            for (PostgresJournal.Entry e : all.values()) {
                if (e.status().equals("running") || e.status().equals("failed")) target = e;
            }
            if (target == null) {
                throw new ZerodownException("no migration is in flight or failed; to undo a finished one name it: "
                        + "zerodown rollback --migration <id>");
            }
        }
        if (target.plan() == null) throw new ZerodownException("migration " + target.id() + " has no plan in the journal (it was "
                + target.source() + "): zerodown cannot undo it");
        MigrationPlan plan = target.plan();
        List<PostgresJournal.StepRow> rows = PostgresJournal.steps(c, plan.id());
        List<Step> toUndo = new ArrayList<>();
        List<String> impossible = new ArrayList<>();
        for (int i = plan.steps().size() - 1; i >= 0; i--) {
            Step s = plan.steps().get(i);
            String status = rows.get(i).status();
            boolean touched = status.equals("done") || status.equals("running") || status.equals("failed")
                    || rows.get(i).rowsDone() > 0;
            if (!touched) continue;
            if (s.rollbackSql() == null) {
                impossible.add("step " + s.index() + " '" + s.description() + "' (" + s.origin() + ")");
            } else {
                toUndo.add(s);
            }
        }
        if (!impossible.isEmpty()) {
            throw new ZerodownException("migration " + plan.id() + " cannot be rolled back without losing data: "
                    + String.join("; ", impossible) + " changed existing data or dropped something. Nothing was changed. "
                    + "Undo it by hand from a backup, or run apply again to finish the migration.");
        }
        StepRunner runner = new StepRunner(options, listener, "rolled_back");
        List<String> done = new ArrayList<>();
        for (Step s : toUndo) {
            if (s.rollbackSql().isEmpty()) {
                PostgresJournal.stepFinished(c, plan.id(), s.index(), "rolled_back", 0, 0);
                continue;
            }
            boolean concurrent = s.rollbackSql().toUpperCase(java.util.Locale.ROOT).contains("CONCURRENTLY");
            Step undo = new Step(s.index(), Phase.CONTRACT, concurrent ? StepKind.NON_TRANSACTIONAL : StepKind.TRANSACTIONAL,
                    "undo: " + s.description(), s.rollbackSql(), s.lock(), s.table(), null, null, null, s.origin());
            listener.stepStarted(plan, undo);
            runner.run(c, plan.id(), undo, null);
            done.add(undo.description());
        }
        PostgresJournal.finish(c, plan.id(), "rolled_back", null);
        return done;
    }
}
