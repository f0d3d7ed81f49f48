package io.zerodown.postgres.versioned;

import io.zerodown.core.versioned.Operation;
import io.zerodown.core.versioned.VersionedMigration;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns a declarative migration into the steps of start (expand, backfill, views), complete (contract) and rollback,
 * given the shape of the version it starts from and the physical tables. Pure: it reads nothing from the database.
 *
 * <p>Physical layout while a migration is in flight: a changed column (new type, NOT NULL) gets a shadow column
 * {@code _zd_<version>_<column>}; new, split and merged columns are added under their final names; every table with
 * values to compute gets a {@code _zd_<version>_pending} flag (true for rows not yet seen) and a BEFORE trigger that
 * computes the other version's columns of each row written. The trigger tells the versions apart by the first schema
 * of the writer's search_path: a version schema at or after this migration means the new side.
 */
public final class VersionedPlanner {
    /**
     * Where the sync trigger functions live: apart from the journal, because every app role needs USAGE on it (the
     * triggers run as the writing role and call the version marker function).
     */
    static final String SYNC_SCHEMA = "zerodown_sync";

    /** One value the sync trigger computes: {@code target} (physical) from {@code expr} over one version's columns. */
    record Assign(String target, String expr, boolean everyWrite) {
    }

    /** Looks up what uses a physical column; at complete and rollback nothing is looked up any more. */
    public interface Dependents {
        List<String> of(String table, String column);

        Dependents NONE = (t, c) -> List.of();
    }

    /** Everything about one physical table that the migration changes. */
    static final class TableWork {
        final String physical;
        String oldLogical;
        String newLogical;
        String key;
        final List<String[]> addColumns = new ArrayList<>(); // name, type, default expr or null
        final List<Assign> ups = new ArrayList<>();
        final List<Assign> downs = new ArrayList<>();
        final List<String> notNullAtComplete = new ArrayList<>(); // final column names
        final List<String> dropAtComplete = new ArrayList<>(); // physical columns
        boolean needsTrigger() {
            return !ups.isEmpty() || !downs.isEmpty();
        }
        boolean needsBackfill() {
            return !ups.isEmpty();
        }

        TableWork(String physical) {
            this.physical = physical;
        }
    }

    private final VersionedMigration m;
    private final Shape oldShape;
    private final Map<String, PgCatalog.Table> physical;
    private final Dependents dependents;
    private final int pgMajor;
    private final String versionSchema;
    private final String oldVersionSchema;

    private Shape newShape;
    private final Map<String, TableWork> work = new LinkedHashMap<>();
    private final List<VersionedStep> startSteps = new ArrayList<>();
    private final List<VersionedStep> completeSteps = new ArrayList<>();
    private final List<VersionedStep> rollbackSteps = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private VersionedRefusedException rollbackRefusal;

    /**
     * @param dependents for columns that change type or nullability: the indexes and constraints that use them (those
     *                   would be lost when the old column is dropped)
     * @param oldVersionSchema the schema of views of the version this one replaces, or null when the old version uses
     *                   the tables directly
     */
    public VersionedPlanner(VersionedMigration m, Shape oldShape, Map<String, PgCatalog.Table> physical,
                            Dependents dependents, int pgMajor, String oldVersionSchema) {
        this.m = m;
        this.oldShape = oldShape;
        this.physical = physical;
        this.dependents = dependents;
        this.pgMajor = pgMajor;
        this.versionSchema = versionSchema(m);
        this.oldVersionSchema = oldVersionSchema;
        plan();
    }

    public static String versionSchema(VersionedMigration m) {
        return ident(m.schema() + "_" + m.name());
    }

    public Shape newShape() {
        return newShape;
    }

    public List<VersionedStep> startSteps() {
        return startSteps;
    }

    public List<VersionedStep> completeSteps() {
        return completeSteps;
    }

    public List<VersionedStep> rollbackSteps() {
        if (rollbackRefusal != null) throw rollbackRefusal;
        return rollbackSteps;
    }

    public List<String> notes() {
        return notes;
    }

    public String versionSchema() {
        return versionSchema;
    }

    /** Physical tables the migration touches (its triggers, columns, constraints live there). */
    public Set<String> touchedTables() {
        return work.keySet();
    }

    // ---------------------------------------------------------------------------------------------------------------

    private void plan() {
        newShape = oldShape.copy();
        List<Runnable> startExtras = new ArrayList<>();
        List<Runnable> completeExtras = new ArrayList<>();
        List<Runnable> rollbackExtras = new ArrayList<>();
        Set<String> changedColumns = new LinkedHashSet<>(); // table.column produced by a data operation here
        for (Operation op : m.operations()) {
            if (op instanceof Operation.AddColumn a) {
                    TableWork w = table(op, a.table());
                    Shape.TableShape t = newShape.tables().get(a.table());
                    String name = a.column().name();
                    requireAbsent(op, t, name);
                    requirePhysicalFree(op, w, name);
                    w.addColumns.add(new String[] {name, a.column().type(), a.column().defaultExpr()});
                    t.columns().put(name, name);
                    String up = a.up() != null ? a.up() : a.column().defaultExpr();
                    if (up != null) w.ups.add(new Assign(name, up, false));
                    if (!a.column().nullable()) w.notNullAtComplete.add(name);
                    changedColumns.add(w.physical + "." + name);
            } else if (op instanceof Operation.RenameColumn r) {
                    TableWork w = table(op, r.table());
                    Shape.TableShape t = newShape.tables().get(r.table());
                    String phys = requireColumn(op, t, r.from());
                    requireAbsent(op, t, r.to());
                    Map<String, String> renamed = new LinkedHashMap<>();
                    t.columns().forEach((l, p) -> renamed.put(l.equals(r.from()) ? r.to() : l, p));
                    t.columns().clear();
                    t.columns().putAll(renamed);
                    if (!phys.equals(r.to()) && physical.get(w.physical).columns().containsKey(r.to())
                            && !oldShapeDropsColumn(w, r.to())) {
                        throw refuse(op, "column " + r.to() + " still exists physically in " + w.physical
                                + " (the old version uses it): rename in a later migration, after this one completes");
                    }
            } else if (op instanceof Operation.RenameTable r) {
                    table(op, r.from());
                    if (newShape.tables().containsKey(r.to()) || physical.containsKey(r.to())) {
                        throw refuse(op, "table " + r.to() + " already exists");
                    }
                    Shape.TableShape t = newShape.tables().remove(r.from());
                    newShape.tables().put(r.to(), t);
                    work.get(t.physical()).newLogical = r.to();
            } else if (op instanceof Operation.ChangeType c) {
                    TableWork w = table(op, c.table());
                    mirror(op, w, c.column(), c.type(), c.up(), c.down(), changedColumns, false);
            } else if (op instanceof Operation.SetNotNull s) {
                    TableWork w = table(op, s.table());
                    Shape.TableShape t = newShape.tables().get(s.table());
                    String phys = requireColumn(op, t, s.column());
                    PgCatalog.Column col = physical.get(w.physical).columns().get(phys);
                    if (col.notNull()) throw refuse(op, "column " + s.column() + " is already NOT NULL");
                    String oldName = oldLogical(w, phys);
                    mirror(op, w, s.column(), col.type(), "coalesce(" + q(oldName) + ", (" + s.up() + "))", q(s.column()),
                            changedColumns, true);
            } else if (op instanceof Operation.DropColumn d) {
                    TableWork w = table(op, d.table());
                    Shape.TableShape t = newShape.tables().get(d.table());
                    String phys = requireColumn(op, t, d.column());
                    requireOwnColumnUnchanged(op, w, d.column(), changedColumns);
                    if (phys.equals(t.key())) throw refuse(op, "column " + d.column() + " is the table's key");
                    t.columns().remove(d.column());
                    if (d.down() != null) w.downs.add(new Assign(phys, d.down(), false));
                    PgCatalog.Column col = physical.get(w.physical).columns().get(phys);
                    if (d.down() == null && col.notNull() && col.defaultExpr() == null) {
                        throw refuse(op, "missing 'down': column " + d.column() + " is NOT NULL without a default, so rows "
                                + "the new version inserts need a value for the old version");
                    }
                    w.dropAtComplete.add(phys);
            } else if (op instanceof Operation.SplitColumn s) {
                    TableWork w = table(op, s.table());
                    Shape.TableShape t = newShape.tables().get(s.table());
                    String phys = requireColumn(op, t, s.column());
                    requireOwnColumnUnchanged(op, w, s.column(), changedColumns);
                    Map<String, String> cols = new LinkedHashMap<>();
                    for (var e : t.columns().entrySet()) {
                        if (e.getKey().equals(s.column())) {
                            for (Operation.DerivedColumn d : s.into()) {
                                if (t.columns().containsKey(d.name()) && !d.name().equals(s.column())) {
                                    throw refuse(op, "column " + d.name() + " already exists");
                                }
                                requirePhysicalFree(op, w, d.name());
                                cols.put(d.name(), d.name());
                                w.addColumns.add(new String[] {d.name(), d.type(), null});
                                w.ups.add(new Assign(d.name(), d.up(), true));
                                changedColumns.add(w.physical + "." + d.name());
                            }
                        } else {
                            cols.put(e.getKey(), e.getValue());
                        }
                    }
                    t.columns().clear();
                    t.columns().putAll(cols);
                    w.downs.add(new Assign(phys, s.down(), true));
                    w.dropAtComplete.add(phys);
            } else if (op instanceof Operation.MergeColumns mc) {
                    TableWork w = table(op, mc.table());
                    Shape.TableShape t = newShape.tables().get(mc.table());
                    List<String> phys = new ArrayList<>();
                    for (String c : mc.columns()) {
                        phys.add(requireColumn(op, t, c));
                        requireOwnColumnUnchanged(op, w, c, changedColumns);
                    }
                    String into = mc.into().name();
                    if (t.columns().containsKey(into) && !mc.columns().contains(into)) throw refuse(op, "column " + into + " already exists");
                    requirePhysicalFree(op, w, into);
                    Map<String, String> cols = new LinkedHashMap<>();
                    for (var e : t.columns().entrySet()) {
                        if (e.getKey().equals(mc.columns().get(0))) cols.put(into, into);
                        else if (!mc.columns().contains(e.getKey())) cols.put(e.getKey(), e.getValue());
                    }
                    t.columns().clear();
                    t.columns().putAll(cols);
                    w.addColumns.add(new String[] {into, mc.into().type(), null});
                    w.ups.add(new Assign(into, mc.into().up(), true));
                    for (int i = 0; i < phys.size(); i++) {
                        w.downs.add(new Assign(phys.get(i), mc.down().get(mc.columns().get(i)), true));
                        w.dropAtComplete.add(phys.get(i));
                    }
                    changedColumns.add(w.physical + "." + into);
            } else if (op instanceof Operation.CreateIndex ci) {
                    TableWork w = table(op, ci.table());
                    Shape.TableShape t = newShape.tables().get(ci.table());
                    List<String> cols = new ArrayList<>();
                    for (String c : ci.columns()) cols.add(q(requireColumn(op, t, c)));
                    String sql = "CREATE " + (ci.unique() ? "UNIQUE " : "") + "INDEX CONCURRENTLY IF NOT EXISTS " + q(ci.name())
                            + " ON " + qt(w.physical) + (ci.method() == null ? "" : " USING " + method(op, ci.method()))
                            + " (" + String.join(", ", cols) + ")" + (ci.where() == null ? "" : " WHERE (" + ci.where() + ")");
                    startExtras.add(() -> startSteps.add(new VersionedStep("expand", "create index " + ci.name() + " on "
                            + w.physical, w.physical, "SHARE UPDATE EXCLUSIVE (reads and writes go on)",
                            VersionedStep.Kind.CONCURRENT, List.of(sql), null)));
                    rollbackExtras.add(() -> rollbackSteps.add(dropIndex("rollback", ci.name(), w.physical)));
            } else if (op instanceof Operation.DropIndex di) {
                completeExtras.add(() -> completeSteps.add(dropIndex("contract", di.name(),
                        di.table() == null ? null : physicalOf(op, di.table()))));
            } else if (op instanceof Operation.AddUnique u) {
                    TableWork w = table(op, u.table());
                    Shape.TableShape t = newShape.tables().get(u.table());
                    List<String> cols = new ArrayList<>();
                    for (String c : u.columns()) cols.add(q(requireColumn(op, t, c)));
                    String sql = "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS " + q(u.name()) + " ON " + qt(w.physical)
                            + " (" + String.join(", ", cols) + ")";
                    startExtras.add(() -> startSteps.add(new VersionedStep("expand", "build unique index " + u.name() + " on "
                            + w.physical, w.physical, "SHARE UPDATE EXCLUSIVE (reads and writes go on)",
                            VersionedStep.Kind.CONCURRENT, List.of(sql), null)));
                    completeExtras.add(() -> completeSteps.add(VersionedStep.tx("contract", "unique constraint " + u.name()
                            + " from its index", finalTable(w), "ACCESS EXCLUSIVE (catalog only, brief)",
                            List.of(ifNoConstraint(finalTable(w), u.name(), "ALTER TABLE " + qt(finalTable(w)) + " ADD CONSTRAINT "
                                    + q(u.name()) + " UNIQUE USING INDEX " + q(u.name()))))));
                    rollbackExtras.add(() -> rollbackSteps.add(dropIndex("rollback", u.name(), w.physical)));
            } else if (op instanceof Operation.AddCheck ck) {
                    TableWork w = table(op, ck.table());
                    completeExtras.add(() -> {
                        completeSteps.add(VersionedStep.tx("contract", "check " + ck.name() + " (NOT VALID)", finalTable(w),
                                "ACCESS EXCLUSIVE (catalog only, brief)", List.of(ifNoConstraint(finalTable(w), ck.name(),
                                        "ALTER TABLE " + qt(finalTable(w)) + " ADD CONSTRAINT " + q(ck.name()) + " CHECK ("
                                                + ck.check() + ") NOT VALID"))));
                        completeSteps.add(validate(finalTable(w), ck.name()));
                    });
            } else if (op instanceof Operation.AddForeignKey fk) {
                    TableWork w = table(op, fk.table());
                    Shape.TableShape t = newShape.tables().get(fk.table());
                    Shape.TableShape ref = newShape.tables().get(fk.referencedTable());
                    if (ref == null) throw refuse(op, "referenced table " + fk.referencedTable() + " does not exist");
                    List<String> cols = new ArrayList<>();
                    for (String c : fk.columns()) cols.add(q(requireColumn(op, t, c)));
                    List<String> refCols = new ArrayList<>();
                    for (String c : fk.referencedColumns()) refCols.add(q(requireColumn(op, ref, c)));
                    String sql = "ALTER TABLE " + qt(w.physical) + " ADD CONSTRAINT " + q(fk.name()) + " FOREIGN KEY ("
                            + String.join(", ", cols) + ") REFERENCES " + qt(ref.physical()) + " (" + String.join(", ", refCols) + ")"
                            + (fk.onDelete() == null ? "" : " ON DELETE " + fk.onDelete()) + " NOT VALID";
                    startExtras.add(() -> startSteps.add(VersionedStep.tx("expand", "foreign key " + fk.name() + " (NOT VALID: "
                            + "checks new writes only)", w.physical, "SHARE ROW EXCLUSIVE on both tables (blocks writes, brief)",
                            List.of(ifNoConstraint(w.physical, fk.name(), sql)))));
                    completeExtras.add(() -> completeSteps.add(validate(finalTable(w), fk.name())));
                    rollbackExtras.add(() -> rollbackSteps.add(VersionedStep.tx("rollback", "drop foreign key " + fk.name(),
                            w.physical, "ACCESS EXCLUSIVE (brief)", List.of("ALTER TABLE " + qt(w.physical)
                                    + " DROP CONSTRAINT IF EXISTS " + q(fk.name())))));
            } else if (op instanceof Operation.DropConstraint dc) {
                    TableWork w = table(op, dc.table());
                    completeExtras.add(() -> completeSteps.add(VersionedStep.tx("contract", "drop constraint " + dc.name(),
                            finalTable(w), "ACCESS EXCLUSIVE (brief)", List.of("ALTER TABLE " + qt(finalTable(w))
                                    + " DROP CONSTRAINT IF EXISTS " + q(dc.name())))));
            } else if (op instanceof Operation.RawSql r) {
                    startExtras.add(() -> startSteps.add(VersionedStep.tx("expand", "raw SQL (line " + r.line() + ")", null,
                            "as written (under lock_timeout)", List.of("SET LOCAL search_path = " + q(m.schema()), r.up()))));
                    rollbackExtras.add(0, () -> {
                        if (r.down() == null) {
                            rollbackRefusal = new VersionedRefusedException(m.file() + ":" + r.line() + ": raw_sql has no 'down', so "
                                    + "rollback cannot undo it; nothing was changed. Add a 'down' to the file and re-run rollback");
                            return;
                        }
                        rollbackSteps.add(VersionedStep.tx("rollback", "raw SQL down (line " + r.line() + ")", null,
                                "as written (under lock_timeout)", List.of("SET LOCAL search_path = " + q(m.schema()), r.down())));
                    });
                    notes.add("raw_sql at line " + r.line() + " runs as written: zerodown cannot see what it locks");
            }
        }
        for (TableWork w : work.values()) {
            if (w.needsBackfill() && w.key == null) {
                throw new VersionedRefusedException(m.file() + ": table " + w.physical + " has no single-column primary key, which "
                        + "the backfill walks in batches; add one first (e.g. an identity column with a unique index attached as "
                        + "primary key) in an earlier migration");
            }
        }
        buildStart(startExtras);
        buildComplete(completeExtras);
        buildRollback(rollbackExtras);
    }

    /** A column whose values change (type, nullability): a shadow column kept in sync both ways. */
    private void mirror(Operation op, TableWork w, String column, String type, String up, String down,
                        Set<String> changed, boolean notNull) {
        Shape.TableShape t = newShape.tables().get(newLogicalOf(w));
        String phys = requireColumn(op, t, column);
        requireOwnColumnUnchanged(op, w, column, changed);
        if (phys.equals(t.key())) {
            throw refuse(op, "column " + column + " is the table's key; zerodown keys its backfill on it, so it cannot change here");
        }
        String shadow = ident("_zd_" + m.name() + "_" + column);
        // indexes and unique constraints on the column are built again on the shadow column and take over at complete
        List<PgCatalog.Index> carried = new ArrayList<>();
        for (PgCatalog.Index ix : physical.get(w.physical).indexes()) {
            if (ix.columns().contains(phys) && (ix.constraintType() == null || ix.constraintType().equals("u"))) carried.add(ix);
        }
        List<String> deps = new ArrayList<>(dependents.of(w.physical, phys));
        for (PgCatalog.Index ix : carried) {
            deps.remove("index " + ix.name());
            deps.remove("constraint " + ix.name());
        }
        if (!deps.isEmpty()) {
            throw refuse(op, "column " + column + " is used by " + String.join(", ", deps) + ", which would be lost with the old "
                    + "column at complete; drop them in one migration and recreate them on the new column in the next");
        }
        for (PgCatalog.Index ix : carried) carryIndex(op, w, ix, phys, shadow);
        PgCatalog.Column col = physical.get(w.physical).columns().get(phys);
        w.addColumns.add(new String[] {shadow, type, col.defaultExpr()});
        t.columns().put(column, shadow);
        w.ups.add(new Assign(shadow, up, true));
        w.downs.add(new Assign(phys, down, true));
        w.dropAtComplete.add(phys);
        if (notNull || col.notNull()) w.notNullAtComplete.add(column);
        changed.add(w.physical + "." + column);
    }

    private final List<Runnable> carriedStart = new ArrayList<>();
    private final List<Runnable> carriedComplete = new ArrayList<>();
    private final List<Runnable> carriedRollback = new ArrayList<>();

    /**
     * The index's own definition (opclasses, collations, INCLUDE, WHERE kept), on the shadow column, built
     * concurrently at start under a temporary name; at complete, once the old column (and with it the old index) is
     * gone, it takes the old name and, for a unique constraint, becomes that constraint again.
     */
    private void carryIndex(Operation op, TableWork w, PgCatalog.Index ix, String column, String shadow) {
        String def = ix.definition();
        int on = def.indexOf(" ON ");
        int using = def.indexOf(" USING ", on);
        if (on < 0 || using < 0) throw refuse(op, "index " + ix.name() + " has a definition zerodown cannot read: " + def);
        String printed = column.matches("[a-z_][a-z0-9_$]*") ? column : q(column);
        String tail = def.substring(using).replaceAll("(?<![A-Za-z0-9_$\"])" + java.util.regex.Pattern.quote(printed)
                + "(?![A-Za-z0-9_$\"])", java.util.regex.Matcher.quoteReplacement(q(shadow)));
        String temp = ident("_zd_" + m.name() + "_" + ix.name());
        String sql = (def.startsWith("CREATE UNIQUE") ? "CREATE UNIQUE INDEX" : "CREATE INDEX") + " CONCURRENTLY IF NOT EXISTS "
                + q(temp) + def.substring(on, using) + tail;
        carriedStart.add(() -> startSteps.add(new VersionedStep("expand", "index " + ix.name() + " again on the new column (as "
                + temp + ")", w.physical, "SHARE UPDATE EXCLUSIVE (reads and writes go on)", VersionedStep.Kind.CONCURRENT,
                List.of(sql), null)));
        carriedComplete.add(() -> {
            List<String> take = new ArrayList<>();
            take.add("DO $zdc$ BEGIN IF to_regclass(" + lit(q(m.schema()) + "." + q(temp)) + ") IS NOT NULL THEN ALTER INDEX "
                    + q(m.schema()) + "." + q(temp) + " RENAME TO " + q(ix.name()) + "; END IF; END $zdc$");
            if ("u".equals(ix.constraintType())) {
                take.add(ifNoConstraint(finalTable(w), ix.name(), "ALTER TABLE " + qt(finalTable(w)) + " ADD CONSTRAINT "
                        + q(ix.name()) + " UNIQUE USING INDEX " + q(ix.name())));
            }
            completeSteps.add(VersionedStep.tx("contract", "index " + ix.name() + " on the new column takes the old name"
                    + ("u".equals(ix.constraintType()) ? " and constraint" : ""), finalTable(w), "ACCESS EXCLUSIVE (catalog only, brief)", take));
        });
        carriedRollback.add(() -> rollbackSteps.add(dropIndex("rollback", temp, w.physical)));
    }

    private void buildStart(List<Runnable> extras) {
        startSteps.add(VersionedStep.tx("expand", "version marker function " + newSideFunction(), null, "none on app tables",
                List.of("CREATE SCHEMA IF NOT EXISTS " + SYNC_SCHEMA, "GRANT USAGE ON SCHEMA " + SYNC_SCHEMA + " TO PUBLIC",
                        newSideFunctionSql(List.of(versionSchema)))));
        for (TableWork w : work.values()) {
            if (w.addColumns.isEmpty() && !w.needsTrigger() && w.notNullAtComplete.isEmpty()) continue;
            List<String> sql = new ArrayList<>();
            String t = qt(w.physical);
            for (String[] c : w.addColumns) {
                sql.add("ALTER TABLE " + t + " ADD COLUMN IF NOT EXISTS " + q(c[0]) + " " + c[1]);
                if (c[2] != null) sql.add("ALTER TABLE " + t + " ALTER COLUMN " + q(c[0]) + " SET DEFAULT " + c[2]);
            }
            if (w.needsBackfill()) {
                sql.add("ALTER TABLE " + t + " ADD COLUMN IF NOT EXISTS " + q(pendingColumn()) + " boolean DEFAULT true");
            }
            for (String col : w.notNullAtComplete) {
                String phys = newShape.tables().get(newLogicalOf(w)).columns().get(col);
                sql.add(ifNoConstraint(w.physical, notNullCheck(col), "ALTER TABLE " + t + " ADD CONSTRAINT "
                        + q(notNullCheck(col)) + " CHECK (" + q(phys) + " IS NOT NULL) NOT VALID"));
            }
            if (w.needsTrigger()) {
                sql.add(triggerFunctionSql(w));
                sql.add("DROP TRIGGER IF EXISTS " + q(triggerName()) + " ON " + t);
                sql.add("CREATE TRIGGER " + q(triggerName()) + " BEFORE INSERT OR UPDATE ON " + t + " FOR EACH ROW EXECUTE "
                        + (pgMajor >= 11 ? "FUNCTION " : "PROCEDURE ") + triggerFunction(w) + "()");
            }
            startSteps.add(VersionedStep.tx("expand", "new columns" + (w.needsTrigger() ? " and sync trigger" : "") + " on "
                    + w.physical, w.physical, "ACCESS EXCLUSIVE (catalog only, brief)", sql));
        }
        extras.forEach(Runnable::run);
        carriedStart.forEach(Runnable::run);
        for (TableWork w : work.values()) {
            if (!w.needsBackfill()) continue;
            startSteps.add(new VersionedStep("backfill", "backfill " + w.physical + " through the sync trigger", w.physical,
                    "ROW EXCLUSIVE; row locks of one batch at a time", VersionedStep.Kind.BACKFILL, List.of(
                    "UPDATE " + qt(w.physical) + " SET " + q(pendingColumn()) + " = false WHERE " + q(w.key) + " IN (next batch after "
                            + "the watermark) AND " + q(pendingColumn())),
                    new VersionedStep.Backfill(m.schema(), w.physical, w.key, pendingColumn())));
        }
        startSteps.add(VersionedStep.tx("views", "schema " + versionSchema + " with one view per table for the new version",
                null, "ACCESS SHARE on each table (brief)", viewsSql(newShape, List.of())));
    }

    /** The SQL that (re)creates the version schema; {@code grants} are extra GRANT statements for the views. */
    List<String> viewsSql(Shape shape, List<String> grants) {
        List<String> sql = new ArrayList<>();
        sql.add("CREATE SCHEMA IF NOT EXISTS " + q(versionSchema));
        sql.add("GRANT USAGE ON SCHEMA " + q(versionSchema) + " TO PUBLIC");
        for (var e : shape.tables().entrySet()) {
            List<String> cols = new ArrayList<>();
            e.getValue().columns().forEach((l, p) -> cols.add(l.equals(p) ? q(p) : q(p) + " AS " + q(l)));
            String view = q(versionSchema) + "." + q(e.getKey());
            sql.add("DROP VIEW IF EXISTS " + view);
            sql.add("CREATE VIEW " + view + (pgMajor >= 15 ? " WITH (security_invoker = true)" : "") + " AS SELECT "
                    + String.join(", ", cols) + " FROM " + qt(e.getValue().physical()));
        }
        sql.addAll(grants);
        return sql;
    }

    private void buildComplete(List<Runnable> extras) {
        if (oldVersionSchema != null) {
            completeSteps.add(VersionedStep.tx("contract", "drop the old version's schema " + oldVersionSchema, null,
                    "ACCESS EXCLUSIVE on its views only", List.of("DROP SCHEMA IF EXISTS " + q(oldVersionSchema) + " CASCADE")));
        }
        for (TableWork w : work.values()) {
            List<String> sql = new ArrayList<>();
            String t = qt(w.physical);
            if (w.needsTrigger()) {
                sql.add("DROP TRIGGER IF EXISTS " + q(triggerName()) + " ON " + t);
                sql.add("DROP FUNCTION IF EXISTS " + triggerFunction(w) + "()");
            }
            if (w.needsBackfill()) sql.add("ALTER TABLE " + t + " DROP COLUMN IF EXISTS " + q(pendingColumn()));
            for (String p : w.dropAtComplete) sql.add("ALTER TABLE " + t + " DROP COLUMN IF EXISTS " + q(p));
            Shape.TableShape nt = newShape.tables().get(newLogicalOf(w));
            nt.columns().forEach((l, p) -> {
                if (!l.equals(p)) sql.add(ifColumn(w.physical, p, "ALTER TABLE " + t + " RENAME COLUMN " + q(p) + " TO " + q(l)));
            });
            if (!w.physical.equals(newLogicalOf(w))) {
                sql.add("ALTER TABLE IF EXISTS " + t + " RENAME TO " + q(newLogicalOf(w)));
            }
            if (sql.isEmpty()) continue;
            completeSteps.add(VersionedStep.tx("contract", "drop triggers and old columns, final names on " + w.physical,
                    w.physical, "ACCESS EXCLUSIVE (catalog only, brief)", sql));
        }
        carriedComplete.forEach(Runnable::run);
        for (TableWork w : work.values()) {
            for (String col : w.notNullAtComplete) {
                String ft = qt(finalTable(w));
                completeSteps.add(VersionedStep.tx("contract", "NOT NULL check on " + finalTable(w) + "." + col, finalTable(w),
                        "ACCESS EXCLUSIVE (catalog only, brief)", List.of(ifNoConstraint(finalTable(w), notNullCheck(col),
                                "ALTER TABLE " + ft + " ADD CONSTRAINT " + q(notNullCheck(col)) + " CHECK (" + q(col)
                                        + " IS NOT NULL) NOT VALID"))));
                completeSteps.add(validate(finalTable(w), notNullCheck(col)));
                completeSteps.add(VersionedStep.tx("contract", "SET NOT NULL on " + finalTable(w) + "." + col
                        + " (the valid check spares the scan)", finalTable(w), "ACCESS EXCLUSIVE (catalog only, brief)",
                        List.of("ALTER TABLE " + ft + " ALTER COLUMN " + q(col) + " SET NOT NULL",
                                "ALTER TABLE " + ft + " DROP CONSTRAINT IF EXISTS " + q(notNullCheck(col)))));
            }
        }
        extras.forEach(Runnable::run);
        completeSteps.add(VersionedStep.tx("contract", "drop the version marker function", null, "none on app tables",
                List.of("DROP FUNCTION IF EXISTS " + newSideFunction() + "()")));
    }

    private void buildRollback(List<Runnable> extras) {
        rollbackSteps.add(VersionedStep.tx("rollback", "drop the new version's schema " + versionSchema, null,
                "ACCESS EXCLUSIVE on its views only", List.of("DROP SCHEMA IF EXISTS " + q(versionSchema) + " CASCADE")));
        List<Runnable> ordered = new ArrayList<>(extras);
        // raw SQL downs were put first in reverse file order; the index and FK drops follow
        for (TableWork w : work.values()) {
            List<String> sql = new ArrayList<>();
            String t = qt(w.physical);
            sql.add("DROP TRIGGER IF EXISTS " + q(triggerName()) + " ON " + t);
            sql.add("DROP FUNCTION IF EXISTS " + triggerFunction(w) + "()");
            for (String col : w.notNullAtComplete) sql.add("ALTER TABLE " + t + " DROP CONSTRAINT IF EXISTS " + q(notNullCheck(col)));
            for (String[] c : w.addColumns) sql.add("ALTER TABLE " + t + " DROP COLUMN IF EXISTS " + q(c[0]));
            if (w.needsBackfill()) sql.add("ALTER TABLE " + t + " DROP COLUMN IF EXISTS " + q(pendingColumn()));
            if (!w.needsTrigger() && w.addColumns.isEmpty() && w.notNullAtComplete.isEmpty()) continue;
            rollbackSteps.add(VersionedStep.tx("rollback", "drop the sync trigger and added columns on " + w.physical
                    + " (the old columns were kept in sync)", w.physical, "ACCESS EXCLUSIVE (catalog only, brief)", sql));
        }
        ordered.forEach(Runnable::run);
        carriedRollback.forEach(Runnable::run);
        rollbackSteps.add(VersionedStep.tx("rollback", "drop the version marker function", null, "none on app tables",
                List.of("DROP FUNCTION IF EXISTS " + newSideFunction() + "()")));
    }

    // ---------------------------------------------------------------------------------------------------------------

    /**
     * The sync trigger: for a write from the old side it computes the new version's columns ({@code up}), for a write
     * from the new side the old version's columns ({@code down}). Values that mirror a column are recomputed on every
     * write; those of new or dropped columns only when a row is first written (insert, or backfill of a pending row).
     */
    String triggerFunctionSql(TableWork w) {
        Map<String, String> oldCols = oldShape.tables().get(w.oldLogical).columns();
        Map<String, String> newCols = newShape.tables().get(newLogicalOf(w)).columns();
        StringBuilder b = new StringBuilder();
        // in the fallback SELECT, a column named like a trigger variable (new, old, ...) must mean the column
        b.append("#variable_conflict use_column\nDECLARE\n  first_write boolean;\nBEGIN\n");
        b.append("  IF TG_OP = 'INSERT' THEN first_write := true; ELSE first_write := ")
                .append(w.needsBackfill() ? "OLD." + q(pendingColumn()) : "false").append("; END IF;\n");
        b.append("  IF (pg_catalog.current_schemas(false))[1] = ANY (").append(newSideFunction()).append("()) THEN\n");
        // the new side only writes after the backfill is done (its views come last), so only its inserts are first writes
        b.append("    IF TG_OP = 'INSERT' THEN\n").append(assign(w, w.downs, false, newCols, "      "))
                .append("    ELSE\n").append(assign(w, w.downs, true, newCols, "      ")).append("    END IF;\n");
        b.append("  ELSE\n");
        b.append("    IF first_write THEN\n").append(assign(w, w.ups, false, oldCols, "      "))
                .append("    ELSE\n").append(assign(w, w.ups, true, oldCols, "      ")).append("    END IF;\n");
        b.append("  END IF;\n");
        if (w.needsBackfill()) b.append("  NEW.").append(q(pendingColumn())).append(" := false;\n");
        b.append("  RETURN NEW;\nEND");
        String body = b.toString();
        String tag = "$zd" + Integer.toHexString(body.hashCode() & 0xfffffff) + "$";
        return "CREATE OR REPLACE FUNCTION " + triggerFunction(w) + "() RETURNS trigger LANGUAGE plpgsql AS " + tag + "\n"
                + body + "\n" + tag;
    }

    /** Names a block variable cannot take without hiding what the trigger itself uses. */
    private static final java.util.Set<String> TRIGGER_NAMES = java.util.Set.of("new", "old", "found", "tg_op", "tg_name",
            "tg_when", "tg_level", "tg_relid", "tg_relname", "tg_table_name", "tg_table_schema", "tg_nargs", "tg_argv", "first_write");

    /**
     * Computes every target from the row's columns under the version's names. Each column an expression can name is
     * copied into a block variable of that name and the column's type, so that each expression is a plain PL/pgSQL
     * assignment: those take PL/pgSQL's fast path for simple expressions, where a SELECT would start the executor
     * for every row. A column whose name the trigger needs for itself falls back to one SELECT over a subquery.
     */
    private String assign(TableWork w, List<Assign> assigns, boolean everyWriteOnly, Map<String, String> cols, String indent) {
        List<Assign> chosen = assigns.stream().filter(a -> !everyWriteOnly || a.everyWrite()).toList();
        if (chosen.isEmpty()) return indent + "NULL;\n";
        StringBuilder all = new StringBuilder();
        for (Assign a : chosen) all.append(a.expr()).append('\n');
        String text = all.toString().toLowerCase(Locale.ROOT);
        Map<String, String> used = new LinkedHashMap<>();
        cols.forEach((l, p) -> {
            // only the columns the expressions can name: a name must appear in the text to be referenced
            if (text.contains(l.toLowerCase(Locale.ROOT)) || text.contains(l.replace("\"", "\"\"").toLowerCase(Locale.ROOT))) {
                used.put(l, p);
            }
        });
        boolean clash = used.keySet().stream().anyMatch(l -> TRIGGER_NAMES.contains(l.toLowerCase(Locale.ROOT)));
        if (clash) {
            List<String> exprs = new ArrayList<>();
            List<String> targets = new ArrayList<>();
            for (Assign a : chosen) {
                exprs.add("(" + a.expr() + ")");
                targets.add("NEW." + q(a.target()));
            }
            List<String> row = new ArrayList<>();
            used.forEach((l, p) -> row.add("NEW." + q(p) + " AS " + q(l)));
            return indent + "SELECT " + String.join(", ", exprs) + " INTO " + String.join(", ", targets)
                    + (row.isEmpty() ? "" : " FROM (SELECT " + String.join(", ", row) + ") AS _zd_row") + ";\n";
        }
        StringBuilder b = new StringBuilder();
        if (!used.isEmpty()) {
            b.append(indent).append("DECLARE\n");
            used.forEach((l, p) -> b.append(indent).append("  ").append(q(l)).append(" ").append(qt(w.physical)).append(".")
                    .append(q(p)).append("%TYPE := NEW.").append(q(p)).append(";\n"));
        }
        b.append(indent).append("BEGIN\n");
        for (Assign a : chosen) b.append(indent).append("  NEW.").append(q(a.target())).append(" := (").append(a.expr()).append(");\n");
        b.append(indent).append("END;\n");
        return b.toString();
    }

    String newSideFunction() {
        return newSideFunction(m.name());
    }

    static String newSideFunction(String version) {
        return SYNC_SCHEMA + "." + q(ident("newside_" + version));
    }

    String newSideFunctionSql(List<String> schemas) {
        return newSideFunctionSql(m.name(), schemas);
    }

    /**
     * The schemas whose writers are on the new side of a migration: its own and those of later versions. IMMUTABLE so
     * the trigger's plan folds it to a constant; replacing it invalidates those plans.
     */
    static String newSideFunctionSql(String version, List<String> schemas) {
        List<String> lits = new ArrayList<>();
        for (String s : schemas) lits.add(lit(s));
        return "CREATE OR REPLACE FUNCTION " + newSideFunction(version) + "() RETURNS name[] LANGUAGE sql IMMUTABLE AS "
                + "'SELECT ARRAY[" + String.join(", ", lits).replace("'", "''") + "]::name[]'";
    }

    private String triggerFunction(TableWork w) {
        return SYNC_SCHEMA + "." + q(ident("sync_" + m.name() + "_" + w.physical));
    }

    private String triggerName() {
        return ident("_zd_" + m.name() + "_sync");
    }

    String pendingColumn() {
        return ident("_zd_" + m.name() + "_pending");
    }

    private String notNullCheck(String column) {
        return ident("_zd_" + m.name() + "_nn_" + column);
    }

    private VersionedStep validate(String table, String constraint) {
        return new VersionedStep("contract", "validate " + constraint + " on " + table + " (scans; reads and writes go on)",
                table, "SHARE UPDATE EXCLUSIVE", VersionedStep.Kind.SCAN,
                List.of("ALTER TABLE " + qt(table) + " VALIDATE CONSTRAINT " + q(constraint)), null);
    }

    private VersionedStep dropIndex(String phase, String name, String table) {
        return new VersionedStep(phase, "drop index " + name, table, "SHARE UPDATE EXCLUSIVE (reads and writes go on)",
                VersionedStep.Kind.CONCURRENT, List.of("DROP INDEX CONCURRENTLY IF EXISTS " + q(m.schema()) + "." + q(name)), null);
    }

    /** Runs {@code sql} only when the table has no constraint of that name: re-runs after a kill do not fail. */
    private String ifNoConstraint(String table, String constraint, String sql) {
        return "DO $zdc$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conname = " + lit(constraint)
                + " AND conrelid = " + lit(qt(table)) + "::regclass) THEN " + sql + "; END IF; END $zdc$";
    }

    private String ifColumn(String table, String column, String sql) {
        return "DO $zdc$ BEGIN IF EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = " + lit(qt(table))
                + "::regclass AND attname = " + lit(column) + " AND NOT attisdropped) THEN " + sql + "; END IF; END $zdc$";
    }

    private TableWork table(Operation op, String logical) {
        Shape.TableShape t = newShape.tables().get(logical);
        if (t == null) {
            throw refuse(op, "table " + logical + " does not exist in schema " + m.schema()
                    + " (as the version before this operation sees it)");
        }
        TableWork w = work.get(t.physical());
        if (w == null) {
            w = new TableWork(t.physical());
            w.oldLogical = oldLogicalTable(t.physical());
            w.newLogical = logical;
            w.key = t.key();
            work.put(t.physical(), w);
            Shape.TableShape old = oldShape.tables().get(w.oldLogical);
            if (old != null) {
                if (!old.physical().equals(w.oldLogical)) {
                    throw refuse(op, "table " + logical + " is being renamed by a migration still in flight: complete it first");
                }
                old.columns().forEach((l, p) -> {
                    if (!l.equals(p)) {
                        throw refuse(op, "table " + logical + " has column changes in flight from an earlier migration ("
                                + l + " is still physically " + p + "): complete that migration first");
                    }
                });
            }
        }
        return w;
    }

    private String oldLogicalTable(String physicalName) {
        for (var e : oldShape.tables().entrySet()) if (e.getValue().physical().equals(physicalName)) return e.getKey();
        return physicalName;
    }

    private String oldLogical(TableWork w, String physicalColumn) {
        for (var e : oldShape.tables().get(w.oldLogical).columns().entrySet()) {
            if (e.getValue().equals(physicalColumn)) return e.getKey();
        }
        throw new IllegalStateException(physicalColumn);
    }

    private String newLogicalOf(TableWork w) {
        return w.newLogical;
    }

    private String finalTable(TableWork w) {
        return w.newLogical;
    }

    private String physicalOf(Operation op, String logical) {
        Shape.TableShape t = newShape.tables().get(logical);
        if (t == null) throw refuse(op, "table " + logical + " does not exist");
        return t.physical();
    }

    private String requireColumn(Operation op, Shape.TableShape t, String column) {
        String p = t.columns().get(column);
        if (p == null) throw refuse(op, "column " + column + " does not exist (columns: " + String.join(", ", t.columns().keySet()) + ")");
        return p;
    }

    private void requireAbsent(Operation op, Shape.TableShape t, String column) {
        if (t.columns().containsKey(column)) throw refuse(op, "column " + column + " already exists");
    }

    private void requirePhysicalFree(Operation op, TableWork w, String column) {
        PgCatalog.Column existing = physical.get(w.physical).columns().get(column);
        boolean ours = w.addColumns.stream().anyMatch(c -> c[0].equals(column));
        boolean inOld = oldShape.tables().get(w.oldLogical).columns().containsValue(column);
        if (inOld || ours) throw refuse(op, "column " + column + " already exists in " + w.physical);
        if (existing != null) {
            notes.add("column " + column + " of " + w.physical + " exists already (an earlier, interrupted start): it is reused");
        }
    }

    private boolean oldShapeDropsColumn(TableWork w, String physicalColumn) {
        return w.dropAtComplete.contains(physicalColumn);
    }

    private void requireOwnColumnUnchanged(Operation op, TableWork w, String column, Set<String> changed) {
        if (changed.contains(w.physical + "." + column)) {
            throw refuse(op, "column " + column + " was already changed by an earlier operation of this migration; "
                    + "change it further in a later migration");
        }
    }

    private String method(Operation op, String method) {
        if (!method.matches("[A-Za-z_]+")) throw refuse(op, "index method '" + method + "' is not a name");
        return method;
    }

    private VersionedRefusedException refuse(Operation op, String problem) {
        return VersionedRefusedException.at(m.file(), op.line(), op.kind(), problem);
    }

    private String qt(String table) {
        return q(m.schema()) + "." + q(table);
    }

    static String q(String ident) {
        return "\"" + ident.replace("\"", "\"\"") + "\"";
    }

    static String lit(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    /** Identifiers zerodown derives from user names stay within 63 bytes: too long ones get a short hash suffix. */
    static String ident(String s) {
        if (s.getBytes(StandardCharsets.UTF_8).length <= 63) return s;
        String hash = Integer.toHexString(s.hashCode());
        String cut = s;
        while ((cut + "_" + hash).getBytes(StandardCharsets.UTF_8).length > 63) cut = cut.substring(0, cut.length() - 1);
        return cut + "_" + hash;
    }
}
