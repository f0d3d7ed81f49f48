package io.zerodown.core.schema;

import io.zerodown.core.model.AlterAction;
import io.zerodown.core.model.ColumnDef;
import io.zerodown.core.model.ConstraintDef;
import io.zerodown.core.model.Name;
import io.zerodown.core.model.Stmt;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The schema as the migrations read so far leave it: tables, columns, constraints with validity, indexes.
 * Tables never created by the migrations are unknown; rules treat them as existing, possibly large, busy tables.
 */
public final class SchemaModel {
    private final Map<String, TableState> tables = new LinkedHashMap<>();
    private final Map<String, String> indexToTable = new HashMap<>();
    private final boolean postgres;

    public SchemaModel(boolean postgres) {
        this.postgres = postgres;
    }

    public TableState table(Name name) {
        return name == null ? null : tables.get(name.key());
    }

    /** The table an index belongs to, when the index is known. */
    public TableState tableOfIndex(Name index) {
        String t = indexToTable.get(index.name());
        return t == null ? null : tables.get(t);
    }

    public IndexState index(Name index) {
        TableState t = tableOfIndex(index);
        return t == null ? null : t.indexes.get(index.name());
    }

    /** The table was created in this unit and nothing was written to it since, so it is empty and unused. */
    public boolean isNewInUnit(Name name, String unitId) {
        TableState t = table(name);
        return t != null && unitId.equals(t.createdInUnit) && !t.populated;
    }

    /** Known to the model at all (created by an earlier migration or this one). */
    public boolean isKnown(Name name) {
        return table(name) != null;
    }

    public void addLiveTable(TableState t) {
        tables.put(t.name.key(), t);
        for (String idx : t.indexes.keySet()) indexToTable.put(idx, t.name.key());
    }

    private TableState getOrCreate(Name name) {
        return tables.computeIfAbsent(name.key(), k -> new TableState(name, null));
    }

    /** Replays one statement. Never throws on statements that do not fit the model (e.g. unknown columns). */
    private String currentUnit;

    public void apply(Stmt stmt, String unitId) {
        currentUnit = unitId;
        if (stmt instanceof Stmt.CreateTable ct) {
            if (ct.ifNotExists() && table(ct.table()) != null) return;
            TableState t = new TableState(ct.table(), unitId);
            t.populated = ct.asSelect();
            t.options.putAll(ct.options());
            tables.put(ct.table().key(), t);
            for (ColumnDef col : ct.columns()) addColumn(t, col);
            for (ConstraintDef con : ct.constraints()) addConstraint(t, con);
            for (Stmt.IndexDef idx : ct.indexes()) addIndex(t, idx);
        } else if (stmt instanceof Stmt.AlterTable at) {
            TableState t = getOrCreate(at.table());
            for (AlterAction a : at.actions()) applyAction(t, a);
        } else if (stmt instanceof Stmt.IndexDef idx) {
            addIndex(getOrCreate(idx.table()), idx);
        } else if (stmt instanceof Stmt.DropIndex di) {
            for (Name n : di.names()) {
                TableState t = tableOfIndex(n);
                if (t != null) t.indexes.remove(n.name());
                indexToTable.remove(n.name());
            }
        } else if (stmt instanceof Stmt.DropTable dt && !dt.view()) {
            for (Name n : dt.tables()) {
                TableState t = tables.remove(n.key());
                if (t != null) t.indexes.keySet().forEach(indexToTable::remove);
            }
        } else if (stmt instanceof Stmt.RenameTables rt) {
            for (int i = 0; i < rt.from().size(); i++) {
                rename(rt.from().get(i), rt.to().get(i));
                TableState t = table(rt.to().get(i));
                if (t != null) t.renamedInUnit = unitId;
            }
        } else if (stmt instanceof Stmt.CreateView cv && cv.materialized()) {
            // a new materialized view is no app's table yet: indexes on it block nobody
            tables.put(cv.view().key(), new TableState(cv.view(), unitId));
        } else if (stmt instanceof Stmt.Dml dml && dml.kind().equals("INSERT")) {
            TableState t = table(dml.table());
            if (t != null) t.populated = true;
        }
    }

    private void rename(Name from, Name to) {
        TableState t = tables.remove(from.key());
        if (t == null) return;
        t.name = to;
        tables.put(to.key(), t);
        for (String idx : t.indexes.keySet()) indexToTable.put(idx, to.key());
    }

    private void applyAction(TableState t, AlterAction a) {
        if (a instanceof AlterAction.AddColumn ac) {
            addColumn(t, ac.column());
        } else if (a instanceof AlterAction.DropColumn dc) {
            t.columns.remove(dc.column());
            t.indexes.values().removeIf(i -> i.columns.contains(dc.column()));
            t.constraints.values().removeIf(c -> c.columns.contains(dc.column()));
        } else if (a instanceof AlterAction.AlterColumnType act) {
            ColumnState c = t.column(act.column());
            if (c != null) c.type = act.type();
        } else if (a instanceof AlterAction.SetNotNull sn) {
            ColumnState c = t.column(sn.column());
            if (c != null) c.notNull = true;
        } else if (a instanceof AlterAction.DropNotNull dn) {
            ColumnState c = t.column(dn.column());
            if (c != null) c.notNull = false;
        } else if (a instanceof AlterAction.SetDefault sd) {
            ColumnState c = t.column(sd.column());
            if (c != null) c.defaultValue = sd.value();
        } else if (a instanceof AlterAction.DropDefault dd) {
            ColumnState c = t.column(dd.column());
            if (c != null) c.defaultValue = null;
        } else if (a instanceof AlterAction.AddConstraint ac) {
            ConstraintDef cd = ac.constraint();
            if (cd.usingIndex() != null) {
                IndexState idx = t.indexes.get(cd.usingIndex());
                List<String> cols = idx != null ? idx.columns : List.of();
                String name = cd.name() != null ? cd.name() : cd.usingIndex();
                t.constraints.put(name, new ConstraintState(name, cd.kind(), cols, null, null, true));
                if (cd.kind() == ConstraintDef.Kind.PRIMARY_KEY) {
                    for (String col : cols) {
                        ColumnState c = t.column(col);
                        if (c != null) c.notNull = true;
                    }
                }
            } else {
                addConstraint(t, cd);
            }
        } else if (a instanceof AlterAction.ValidateConstraint vc) {
            ConstraintState c = t.constraints.get(vc.name());
            if (c != null) c.validated = true;
        } else if (a instanceof AlterAction.DropConstraint dc) {
            ConstraintState removed = t.constraints.remove(dc.name());
            if (removed != null && (removed.kind == ConstraintDef.Kind.UNIQUE || removed.kind == ConstraintDef.Kind.PRIMARY_KEY)) {
                t.indexes.remove(dc.name());
                indexToTable.remove(dc.name());
            }
        } else if (a instanceof AlterAction.RenameColumn rc) {
            ColumnState c = t.columns.remove(rc.from());
            if (c != null) {
                c.name = rc.to();
                t.columns.put(rc.to(), c);
            }
        } else if (a instanceof AlterAction.RenameTable rt) {
            rename(t.name, rt.to());
            t.renamedInUnit = currentUnit;
        } else if (a instanceof AlterAction.ModifyColumn mc) {
            ColumnState old = t.columns.remove(mc.oldName());
            ColumnDef d = mc.column();
            if (old == null) {
                addColumn(t, d);
            } else {
                old.name = d.name();
                if (d.type() != null) old.type = d.type();
                old.notNull = d.notNull();
                old.defaultValue = d.defaultValue();
                if (d.charset() != null) old.charset = d.charset();
                t.columns.put(d.name(), old);
            }
        } else if (a instanceof AlterAction.AddIndex ai) {
            addIndex(t, ai.index());
        } else if (a instanceof AlterAction.DropIndex di) {
            t.indexes.remove(di.name());
            indexToTable.remove(di.name());
        } else if (a instanceof AlterAction.DropPrimaryKey) {
            t.constraints.values().removeIf(c -> c.kind == ConstraintDef.Kind.PRIMARY_KEY);
        } else if (a instanceof AlterAction.TableOption to) {
            t.options.put(to.name(), to.value());
        } else if (a instanceof AlterAction.ConvertCharset cc) {
            t.options.put("CHARSET", cc.charset());
            for (ColumnState c : t.columns.values()) {
                if (c.charset != null) c.charset = cc.charset();
            }
        }
    }

    private void addColumn(TableState t, ColumnDef col) {
        boolean notNull = col.notNull() || col.primaryKey() || col.identity() || col.type() != null && col.type().isSerial();
        t.columns.put(col.name(), new ColumnState(col.name(), col.type(), notNull, col.defaultValue(), col.charset()));
        String base = t.name.name();
        if (col.primaryKey()) {
            addConstraint(t, new ConstraintDef(postgres ? base + "_pkey" : "PRIMARY", ConstraintDef.Kind.PRIMARY_KEY,
                    List.of(col.name()), null, List.of(), null, false, null));
        }
        if (col.unique()) {
            addConstraint(t, new ConstraintDef(postgres ? base + "_" + col.name() + "_key" : col.name(),
                    ConstraintDef.Kind.UNIQUE, List.of(col.name()), null, List.of(), null, false, null));
        }
        if (col.references() != null) {
            addConstraint(t, new ConstraintDef(postgres ? base + "_" + col.name() + "_fkey" : null,
                    ConstraintDef.Kind.FOREIGN_KEY, List.of(col.name()), col.references().table(),
                    col.references().columns(), null, false, null));
        }
        if (col.check() != null) {
            addConstraint(t, new ConstraintDef(postgres ? base + "_" + col.name() + "_check" : null,
                    ConstraintDef.Kind.CHECK, List.of(col.name()), null, List.of(), col.check(), false, null));
        }
    }

    private void addConstraint(TableState t, ConstraintDef cd) {
        String name = cd.name() != null ? cd.name() : defaultConstraintName(t, cd);
        t.constraints.put(name, new ConstraintState(name, cd.kind(), new ArrayList<>(cd.columns()), cd.refTable(),
                cd.expression(), !cd.notValid()));
        if (cd.kind() == ConstraintDef.Kind.PRIMARY_KEY || cd.kind() == ConstraintDef.Kind.UNIQUE) {
            t.indexes.put(name, new IndexState(name, cd.columns(), true, null));
            indexToTable.put(name, t.name.key());
            if (cd.kind() == ConstraintDef.Kind.PRIMARY_KEY) {
                for (String col : cd.columns()) {
                    ColumnState c = t.column(col);
                    if (c != null) c.notNull = true;
                }
            }
        }
        if (cd.kind() == ConstraintDef.Kind.NOT_NULL && !cd.notValid()) {
            for (String col : cd.columns()) {
                ColumnState c = t.column(col);
                if (c != null) c.notNull = true;
            }
        }
    }

    /** PostgreSQL's naming: table_col_pkey/_key/_fkey/_check; MySQL falls back to a similar readable name. */
    public String defaultConstraintName(TableState t, ConstraintDef cd) {
        String cols = cd.columns().isEmpty() ? "" : "_" + String.join("_", cd.columns());
        switch (cd.kind()) {
            case PRIMARY_KEY: return postgres ? t.name.name() + "_pkey" : "PRIMARY";
            case UNIQUE: return t.name.name() + cols + "_key";
            case FOREIGN_KEY: return t.name.name() + cols + "_fkey";
            case CHECK: return t.name.name() + (cd.columns().size() == 1 ? cols : "") + "_check";
            case NOT_NULL: return t.name.name() + cols + "_not_null";
            default: return t.name.name() + cols + "_excl";
        }
    }

    private void addIndex(TableState t, Stmt.IndexDef idx) {
        String name = idx.name() != null ? idx.name() : defaultIndexName(t.name, idx.columns());
        t.indexes.put(name, new IndexState(name, idx.columns(), idx.unique(), idx.kind()));
        indexToTable.put(name, t.name.key());
    }

    public static String defaultIndexName(Name table, List<String> columns) {
        StringBuilder b = new StringBuilder(table.name());
        for (String col : columns) {
            if (col.matches("[A-Za-z_][A-Za-z0-9_]*")) b.append('_').append(col);
            else b.append("_expr");
        }
        b.append("_idx");
        return b.length() > 63 ? b.substring(0, 63) : b.toString();
    }
}
