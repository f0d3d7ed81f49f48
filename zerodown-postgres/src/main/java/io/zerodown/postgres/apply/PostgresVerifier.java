package io.zerodown.postgres.apply;

import io.zerodown.core.model.Name;
import io.zerodown.core.model.Stmt;
import io.zerodown.core.parse.StatementParser;
import io.zerodown.core.plan.MigrationPlan;
import io.zerodown.core.plan.Step;
import io.zerodown.core.plan.StepKind;
import io.zerodown.core.source.MigrationFile;
import io.zerodown.core.source.MigrationUnit;
import io.zerodown.core.sql.SqlFamily;
import io.zerodown.core.sql.SqlText;
import io.zerodown.core.sql.StatementSplitter;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks after a migration: indexes valid, constraints zerodown validated are valid, and the touched tables' schema
 * equals what the original, naive SQL produces on a scratch database (column order ignored: a type swap moves a column).
 */
public final class PostgresVerifier {

    private PostgresVerifier() {
    }

    /** Problems in the live database for the tables the plans touched; empty when all is well. */
    public static List<String> checkLive(Connection c, List<MigrationPlan> plans) throws SQLException {
        List<String> problems = new ArrayList<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT i.indexrelid::regclass::text, i.indrelid::regclass::text FROM pg_index i "
                     + "JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace "
                     + "WHERE NOT i.indisvalid AND n.nspname NOT IN ('pg_catalog', 'information_schema')")) {
            while (rs.next()) problems.add("index " + rs.getString(1) + " on " + rs.getString(2) + " is INVALID");
        }
        for (MigrationPlan p : plans) {
            for (Step s : p.steps()) {
                if (s.kind() != StepKind.VALIDATE || s.table() == null) continue;
                String name = s.sql().replaceFirst("(?is).*VALIDATE CONSTRAINT\\s+", "").replace("\"", "").trim();
                try (PreparedStatement ps = c.prepareStatement("SELECT convalidated FROM pg_constraint WHERE conname = ? "
                        + "AND conrelid = to_regclass(?)")) {
                    ps.setString(1, name);
                    ps.setString(2, PostgresPlannerAccess.quote(s.table()));
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next() && !rs.getBoolean(1)) problems.add("constraint " + name + " on " + s.table() + " is NOT VALID");
                    }
                }
            }
        }
        return problems;
    }

    /** Tables a set of plans touched. */
    public static Set<Name> touched(List<MigrationPlan> plans) {
        Set<Name> out = new LinkedHashSet<>();
        for (MigrationPlan p : plans) {
            for (Step s : p.steps()) if (s.table() != null) out.add(s.table());
        }
        return out;
    }

    /**
     * Runs every file naively (statement by statement, autocommit) on {@code scratch}, then compares the catalog of
     * {@code tables} there with the live database. Returns the differences, or one line saying why it could not compare.
     */
    public static List<String> compareWithNaive(Connection live, Connection scratch, List<MigrationFile> files, Set<Name> tables)
            throws SQLException {
        List<String> out = new ArrayList<>();
        StatementSplitter splitter = StatementSplitter.standard();
        StatementParser parser = new StatementParser(SqlFamily.POSTGRES, false);
        scratch.setAutoCommit(true);
        for (MigrationFile f : files) {
            for (MigrationUnit u : f.units()) {
                for (SqlText t : splitter.split(u.text(), SqlFamily.POSTGRES)) {
                    if (parser.parse(t.sql()) instanceof Stmt.Transaction) continue;
                    try (Statement st = scratch.createStatement()) {
                        st.execute(t.sql());
                    } catch (SQLException e) {
                        out.add("not compared: " + u.file() + ":" + (u.firstLine() - 1 + t.line()) + " fails on the scratch "
                                + "database (" + e.getMessage().split("\n")[0] + "); the folder may not hold the full history");
                        return out;
                    }
                }
            }
        }
        for (Name t : tables) {
            Set<String> a = snapshot(live, t);
            Set<String> b = snapshot(scratch, t);
            for (String x : a) if (!b.contains(x)) out.add(t + ": live has " + x + ", the naive SQL gives no such thing");
            for (String x : b) if (!a.contains(x)) out.add(t + ": the naive SQL gives " + x + ", live has no such thing");
        }
        return out;
    }

    /** Column, constraint and index facts of one table as comparable strings. */
    static Set<String> snapshot(Connection c, Name table) throws SQLException {
        Set<String> out = new TreeSet<>();
        String reg = PostgresPlannerAccess.quote(table);
        try (PreparedStatement ps = c.prepareStatement("SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
                + "pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid "
                + "AND d.adnum = a.attnum WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped")) {
            ps.setString(1, reg);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add("column " + rs.getString(1) + " " + rs.getString(2) + (rs.getBoolean(3) ? " NOT NULL" : "")
                            + (rs.getString(4) == null ? "" : " DEFAULT " + rs.getString(4)));
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT conname, pg_get_constraintdef(oid), convalidated FROM pg_constraint "
                + "WHERE conrelid = to_regclass(?) AND contype <> 'n'")) {
            ps.setString(1, reg);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add("constraint " + rs.getString(1) + " " + rs.getString(2));
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT ic.relname, regexp_replace(pg_get_indexdef(i.indexrelid), "
                + "'^CREATE (UNIQUE )?INDEX \\S+ ON \\S+ ', 'CREATE \\1INDEX ON ') FROM pg_index i "
                + "JOIN pg_class ic ON ic.oid = i.indexrelid WHERE i.indrelid = to_regclass(?)")) {
            ps.setString(1, reg);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add("index " + rs.getString(1) + " " + rs.getString(2));
            }
        }
        return out;
    }
}
