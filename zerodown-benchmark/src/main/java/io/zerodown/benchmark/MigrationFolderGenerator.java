package io.zerodown.benchmark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Writes a folder of generated Flyway migrations ({@code V1__<desc>.sql} .. {@code V<n>__<desc>.sql}) that look
 * like a real project's history: tables created early and changed later, indexes (some built concurrently),
 * columns added with and without defaults (some volatile), NOT NULL tightened, foreign keys and checks with and
 * without NOT VALID, type changes, backfills, comments, trigger functions in dollar quotes, COMMENT ON and GRANT.
 * Each file has 3 to 12 statements; every ALTER, UPDATE, INSERT, DELETE, COMMENT and GRANT names a table created
 * in an earlier file (file 1 only creates). Output is a pure function of (files, seed, flavor).
 *
 * <pre>
 * java -cp benchmarks.jar io.zerodown.benchmark.MigrationFolderGenerator [--files N] [--seed S] [--mysql] DIR
 * </pre>
 * Existing {@code V*__*.sql} files in DIR are removed first, so a smaller N never leaves stale files behind.
 */
public final class MigrationFolderGenerator {

    public enum Flavor { POSTGRES, MYSQL }

    /** What one call wrote. {@code statements} counts the statements as generated (DELIMITER lines excluded). */
    public record Summary(Path dir, int files, int statements, long bytes) {}

    public static final int DEFAULT_FILES = 1000;
    public static final long DEFAULT_SEED = 20_260_101L;

    private static final Pattern FLYWAY_NAME = Pattern.compile("V\\d+__.*\\.sql");

    public static void main(String[] args) {
        int files = DEFAULT_FILES;
        long seed = DEFAULT_SEED;
        Flavor flavor = Flavor.POSTGRES;
        Path dir = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--files" -> files = Integer.parseInt(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--mysql" -> flavor = Flavor.MYSQL;
                case "--postgres" -> flavor = Flavor.POSTGRES;
                case "-h", "--help" -> {
                    usage();
                    return;
                }
                default -> {
                    if (args[i].startsWith("-") || dir != null) {
                        usage();
                        System.exit(2);
                    }
                    dir = Path.of(args[i]);
                }
            }
        }
        if (dir == null || files < 1) {
            usage();
            System.exit(2);
        }
        Summary s = generate(dir, files, seed, flavor);
        System.out.printf(Locale.ROOT, "wrote %d %s migration files, %d statements, %d bytes to %s%n",
                s.files(), flavor.name().toLowerCase(Locale.ROOT), s.statements(), s.bytes(), s.dir());
    }

    private static void usage() {
        System.err.println("usage: MigrationFolderGenerator [--files N] [--seed S] [--mysql] DIR");
    }

    /** Writes {@code files} migrations into {@code dir} (created if missing), replacing earlier generated ones. */
    public static Summary generate(Path dir, int files, long seed, Flavor flavor) {
        try {
            Files.createDirectories(dir);
            try (DirectoryStream<Path> old = Files.newDirectoryStream(dir)) {
                for (Path p : old) {
                    if (Files.isRegularFile(p) && FLYWAY_NAME.matcher(p.getFileName().toString()).matches()) {
                        Files.delete(p);
                    }
                }
            }
            Gen gen = new Gen(new Random(seed), flavor);
            long bytes = 0;
            int statements = 0;
            for (int n = 1; n <= files; n++) {
                Gen.FileOut f = gen.file(n);
                byte[] data = f.text().getBytes(StandardCharsets.UTF_8);
                Files.write(dir.resolve("V" + n + "__" + f.description() + ".sql"), data);
                bytes += data.length;
                statements += f.statements();
            }
            return new Summary(dir, files, statements, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------------------------------------ model

    enum Kind { INT, BIGINT, SMALLINT, DECIMAL, VARCHAR, TEXT, BOOL, TIMESTAMP, TIMESTAMPTZ, DATE, UUID, JSON }

    /** A column type; {@code size} is the varchar length or the decimal precision. */
    record Type(Kind kind, int size) {
        String sql(Flavor f) {
            boolean pg = f == Flavor.POSTGRES;
            return switch (kind) {
                case INT -> pg ? "integer" : "int";
                case BIGINT -> "bigint";
                case SMALLINT -> "smallint";
                case DECIMAL -> (pg ? "numeric(" : "decimal(") + size + ",2)";
                case VARCHAR -> "varchar(" + size + ")";
                case TEXT -> "text";
                case BOOL -> pg ? "boolean" : "tinyint(1)";
                case TIMESTAMP -> pg ? "timestamp" : "datetime";
                case TIMESTAMPTZ -> pg ? "timestamptz" : "timestamp";
                case DATE -> "date";
                case UUID -> pg ? "uuid" : "char(36)";
                case JSON -> pg ? "jsonb" : "json";
            };
        }
    }

    static final class Column {
        final String name;
        Type type;
        boolean notNull;
        final String references; // table name of a foreign key column, else null

        Column(String name, Type type, boolean notNull, String references) {
            this.name = name;
            this.type = type;
            this.notNull = notNull;
            this.references = references;
        }
    }

    static final class Table {
        final String name;
        final int createdIn;
        final List<Column> columns = new ArrayList<>();
        final Set<String> constraints = new LinkedHashSet<>();
        final List<String> indexes = new ArrayList<>();
        final Set<String> pendingValidation = new LinkedHashSet<>();
        boolean hasTrigger;

        Table(String name, int createdIn) {
            this.name = name;
            this.createdIn = createdIn;
        }

        Column column(String n) {
            for (Column c : columns) if (c.name.equals(n)) return c;
            return null;
        }

        String freshColumnName(String base) {
            String n = base;
            for (int i = 2; column(n) != null; i++) n = base + "_" + i;
            return n;
        }

        String freshConstraintName(String base) {
            String n = base;
            for (int i = 2; constraints.contains(n) || indexes.contains(n); i++) n = base + "_" + i;
            return n;
        }
    }

    // ------------------------------------------------------------------------------------------------ generator

    static final class Gen {
        record FileOut(String description, String text, int statements) {}

        private static final String[] NOUNS = {"accounts", "orders", "invoices", "payments", "customers", "products",
                "shipments", "addresses", "subscriptions", "events", "sessions", "audit_log", "carts", "cart_items",
                "order_items", "refunds", "coupons", "reviews", "suppliers", "warehouses", "stock_levels", "tickets",
                "messages", "notifications", "webhooks", "api_keys", "teams", "memberships", "projects", "tasks",
                "comments", "attachments", "tags", "ledgers", "transfers", "exchange_rates", "plans", "usage_records",
                "devices", "feature_flags"};

        private static final String[][] NAMES_BY_KIND = {
                /* INT */ {"quantity", "position", "attempts", "priority", "version", "score", "retries", "seats"},
                /* BIGINT */ {"external_id", "counter", "size_bytes", "sequence_no", "parent_id"},
                /* SMALLINT */ {"status", "kind", "level", "tier"},
                /* DECIMAL */ {"amount", "price", "balance", "discount", "tax", "total", "weight"},
                /* VARCHAR */ {"email", "name", "title", "slug", "code", "city", "country_code", "phone", "reference",
                        "currency", "locale", "source"},
                /* TEXT */ {"description", "notes", "body", "summary", "address_line", "reason"},
                /* BOOL */ {"is_active", "archived", "verified", "enabled", "is_default", "paid"},
                /* TIMESTAMP */ {"scheduled_for", "imported_at", "synced_at"},
                /* TIMESTAMPTZ */ {"created_at", "updated_at", "deleted_at", "shipped_at", "expires_at", "last_seen_at",
                        "confirmed_at"},
                /* DATE */ {"due_on", "birth_date", "valid_from", "valid_until", "billing_day"},
                /* UUID */ {"public_id", "token", "request_id", "idempotency_key"},
                /* JSON */ {"metadata", "settings", "payload", "attributes"}};

        private static final String[] ROLES = {"app_rw", "app_ro", "reporting", "etl_loader", "support"};

        private final Random rnd;
        private final Flavor flavor;
        private final boolean pg;
        private final List<Table> tables = new ArrayList<>();
        private final Set<String> functionNames = new LinkedHashSet<>();
        private int tableSeq;

        // per file
        private StringBuilder sb;
        private int fileNo;
        private int count;
        private String description;

        Gen(Random rnd, Flavor flavor) {
            this.rnd = rnd;
            this.flavor = flavor;
            this.pg = flavor == Flavor.POSTGRES;
        }

        FileOut file(int n) {
            sb = new StringBuilder(2048);
            fileNo = n;
            count = 0;
            description = null;
            int target = 3 + rnd.nextInt(10); // 3..12
            List<Table> older = new ArrayList<>();
            for (Table t : tables) if (t.createdIn < n) older.add(t);

            if (rnd.nextInt(3) == 0) {
                sb.append("/*\n * Migration ").append(n).append(": ").append(pick(HEADER_NOTES)).append("\n * Ticket: ")
                        .append(pg ? "DB-" : "OPS-").append(1000 + rnd.nextInt(9000)).append("\n */\n");
            }
            if (older.isEmpty()) {
                // The first file lays down the initial schema.
                while (count < target) {
                    if (count > 0 && rnd.nextInt(3) == 0) createIndex(tables.get(tables.size() - 1), false);
                    else createTable(older);
                }
            } else if (pg && target <= 6 && rnd.nextInt(8) == 0) {
                indexOnlyFile(older, target);
            } else {
                while (count < target) step(older, target - count);
            }
            return new FileOut(description == null ? "change" : description, sb.toString(), count);
        }

        private static final String[] HEADER_NOTES = {"schema changes for the billing rewrite",
                "prepare for the multi-region rollout", "support team requests", "clean up after the import",
                "reporting views need these", "performance fixes from the slow-query log",
                "tighten constraints after the backfill", "new onboarding flow"};

        /** A file of only non-transactional index work, as teams write for Flyway with CONCURRENTLY. */
        private void indexOnlyFile(List<Table> older, int target) {
            describe("concurrent_indexes");
            while (count < target) {
                Table t = pick(older);
                if (!t.indexes.isEmpty() && rnd.nextInt(4) == 0) {
                    String idx = t.indexes.remove(rnd.nextInt(t.indexes.size()));
                    maybeComment("the planner never uses this one");
                    stmt("DROP INDEX CONCURRENTLY IF EXISTS " + idx + ";");
                } else {
                    createIndexOn(t, true);
                }
            }
        }

        private void step(List<Table> older, int room) {
            int r = rnd.nextInt(100);
            Table t = pick(older);
            if (r < 7) createTable(older);
            else if (r < 17) createIndex(t, pg && rnd.nextInt(3) == 0);
            else if (r < 31) addColumn(t, room);
            else if (r < 36) setNotNull(t, room);
            else if (r < 42) addForeignKey(t, older, room);
            else if (r < 47) addCheck(t, room);
            else if (r < 53) changeType(t);
            else if (r < 62) update(t, older);
            else if (r < 66) insert(t);
            else if (r < 68) delete(t);
            else if (r < 72) function(t, room);
            else if (r < 79) commentOn(t);
            else if (r < 83) grant(t);
            else if (r < 86) renameOrDropColumn(t);
            else if (r < 89) setDefault(t);
            else if (r < 91) sessionSetting();
            else if (r < 93) createView(t);
            else if (r < 96) validatePending(t);
            else dropIndex(t);
        }

        // -------------------------------------------------------------------------------------- statements

        private void createTable(List<Table> older) {
            String name = NOUNS[tableSeq % NOUNS.length] + "_" + (tableSeq / NOUNS.length + 1);
            tableSeq++;
            Table t = new Table(name, fileNo);
            describe("create_" + name);
            int columns = 5 + rnd.nextInt(11); // 5..15 including the key
            List<String> lines = new ArrayList<>();
            t.columns.add(new Column("id", new Type(Kind.BIGINT, 0), true, null));
            lines.add(pg ? (rnd.nextBoolean() ? "id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY" : "id bigserial PRIMARY KEY")
                    : "id bigint unsigned NOT NULL AUTO_INCREMENT");
            List<String> tail = new ArrayList<>();
            int fks = older.isEmpty() ? 0 : rnd.nextInt(3);
            for (int i = 0; i < fks && t.columns.size() < columns; i++) {
                Table ref = pick(older);
                String col = t.freshColumnName(singular(ref.name) + "_id");
                boolean notNull = rnd.nextInt(3) > 0;
                t.columns.add(new Column(col, new Type(Kind.BIGINT, 0), notNull, ref.name));
                String cname = t.freshConstraintName(name + "_" + col + "_fkey");
                t.constraints.add(cname);
                String onDelete = rnd.nextInt(3) == 0 ? " ON DELETE CASCADE" : "";
                if (pg && rnd.nextBoolean()) {
                    lines.add(col + " bigint" + (notNull ? " NOT NULL" : "") + " REFERENCES " + ref.name + " (id)" + onDelete);
                } else {
                    lines.add(col + (pg ? " bigint" : " bigint unsigned") + (notNull ? " NOT NULL" : ""));
                    tail.add("CONSTRAINT " + cname + " FOREIGN KEY (" + col + ") REFERENCES " + ref.name + " (id)" + onDelete);
                }
            }
            while (t.columns.size() < columns - 1) {
                Kind k = randomKind();
                String col = t.freshColumnName(pick(NAMES_BY_KIND[k.ordinal()]));
                Type type = randomType(k);
                boolean notNull = rnd.nextInt(5) < 2;
                t.columns.add(new Column(col, type, notNull, null));
                StringBuilder line = new StringBuilder(col).append(' ').append(type.sql(flavor));
                if (notNull) line.append(" NOT NULL");
                if (notNull || rnd.nextInt(4) == 0) line.append(" DEFAULT ").append(constantDefault(type));
                if (k == Kind.VARCHAR && col.equals("email") || col.equals("slug") || col.equals("code")) {
                    if (rnd.nextBoolean()) line.append(" UNIQUE");
                }
                if (!pg && rnd.nextInt(6) == 0) line.append(" COMMENT '").append(prose()).append("'");
                lines.add(line.toString());
                if (k == Kind.DECIMAL && rnd.nextBoolean()) {
                    String cname = t.freshConstraintName(name + "_" + col + "_check");
                    t.constraints.add(cname);
                    tail.add("CONSTRAINT " + cname + " CHECK (" + col + " >= 0)");
                }
            }
            if (t.column("created_at") == null) {
                t.columns.add(new Column("created_at", new Type(Kind.TIMESTAMPTZ, 0), true, null));
                lines.add(pg ? "created_at timestamptz NOT NULL DEFAULT now()" : "created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP");
            }
            if (!pg) tail.add(0, "PRIMARY KEY (id)");
            if (!pg && rnd.nextBoolean()) {
                Column c = randomColumn(t, true);
                String idx = t.freshConstraintName(name + "_" + c.name + "_idx");
                t.indexes.add(idx);
                tail.add("KEY " + idx + " (" + c.name + ")");
            }
            lines.addAll(tail);
            maybeComment("owned by the " + pick(new String[] {"billing", "growth", "platform", "support"}) + " team");
            StringBuilder s = new StringBuilder("CREATE TABLE ");
            if (rnd.nextInt(5) == 0) s.append("IF NOT EXISTS ");
            s.append(name).append(" (\n");
            for (int i = 0; i < lines.size(); i++) {
                s.append("    ").append(lines.get(i)).append(i + 1 < lines.size() ? ",\n" : "\n");
            }
            s.append(')');
            if (!pg) s.append(" ENGINE=InnoDB DEFAULT CHARSET=utf8mb4").append(rnd.nextBoolean() ? " COLLATE=utf8mb4_0900_ai_ci" : "");
            s.append(';');
            stmt(s.toString());
            tables.add(t);
        }

        private void createIndex(Table t, boolean concurrently) {
            describe("index_" + t.name);
            createIndexOn(t, concurrently);
        }

        private void createIndexOn(Table t, boolean concurrently) {
            Column c = randomColumn(t, true);
            boolean unique = rnd.nextInt(6) == 0;
            boolean two = rnd.nextInt(4) == 0 && t.columns.size() > 3;
            Column c2 = two ? randomColumn(t, true) : null;
            if (c2 == c) c2 = null;
            String idx = t.freshConstraintName(t.name + "_" + c.name + (c2 != null ? "_" + c2.name : "") + (unique ? "_key" : "_idx"));
            t.indexes.add(idx);
            String cols = indexPart(c) + (c2 != null ? ", " + indexPart(c2) : "");
            if (pg) {
                StringBuilder s = new StringBuilder("CREATE ");
                if (unique) s.append("UNIQUE ");
                s.append("INDEX ");
                if (concurrently) s.append("CONCURRENTLY ");
                if (rnd.nextInt(4) == 0) s.append("IF NOT EXISTS ");
                s.append(idx).append(" ON ").append(t.name);
                if (c.type.kind() == Kind.JSON) s.append(" USING gin (").append(c.name).append(')');
                else s.append(" (").append(cols).append(')');
                if (rnd.nextInt(5) == 0 && t.column("deleted_at") != null) s.append(" WHERE deleted_at IS NULL");
                stmt(s + ";");
            } else if (rnd.nextBoolean()) {
                stmt("CREATE " + (unique ? "UNIQUE " : "") + "INDEX " + idx + " ON " + t.name + " (" + cols + ")"
                        + (rnd.nextBoolean() ? " ALGORITHM=INPLACE LOCK=NONE" : "") + ";");
            } else {
                stmt("ALTER TABLE " + t.name + " ADD " + (unique ? "UNIQUE " : "") + "INDEX " + idx + " (" + cols + ")"
                        + (rnd.nextBoolean() ? ", ALGORITHM=INPLACE, LOCK=NONE" : "") + ";");
            }
        }

        private String indexPart(Column c) {
            if (!pg && (c.type.kind() == Kind.TEXT || c.type.kind() == Kind.JSON)) return c.name + "(64)";
            if (pg && c.type.kind() == Kind.VARCHAR && rnd.nextInt(6) == 0) return "lower(" + c.name + ")";
            return c.name;
        }

        private void addColumn(Table t, int room) {
            describe("add_columns_to_" + t.name);
            int n = Math.min(room, 1 + (rnd.nextInt(3) == 0 ? 1 : 0));
            for (int i = 0; i < n; i++) {
                Kind k = randomKind();
                Type type = randomType(k);
                String col = t.freshColumnName(pick(NAMES_BY_KIND[k.ordinal()]));
                int how = rnd.nextInt(10);
                String def = "";
                boolean notNull = false;
                if (how < 4) {
                    // nullable, no default: catalog only
                } else if (how < 7) {
                    def = " DEFAULT " + constantDefault(type);
                    notNull = rnd.nextBoolean();
                } else if (how < 9) {
                    def = " DEFAULT " + volatileDefault(type);
                    notNull = rnd.nextBoolean();
                } else {
                    notNull = true; // NOT NULL without default: fails on a non-empty table
                }
                t.columns.add(new Column(col, type, notNull, null));
                StringBuilder s = new StringBuilder("ALTER TABLE ").append(t.name).append(" ADD COLUMN ");
                if (pg && rnd.nextInt(5) == 0) s.append("IF NOT EXISTS ");
                s.append(col).append(' ').append(type.sql(flavor));
                if (notNull) s.append(" NOT NULL");
                s.append(def);
                if (!pg) {
                    if (rnd.nextInt(3) == 0) s.append(" AFTER ").append(t.columns.get(rnd.nextInt(t.columns.size() - 1)).name);
                    int alg = rnd.nextInt(4);
                    if (alg == 0) s.append(", ALGORITHM=INSTANT");
                    else if (alg == 1) s.append(", ALGORITHM=INPLACE, LOCK=NONE");
                }
                maybeComment(i == 0 ? "needed by the new API" : null);
                stmt(s + ";");
            }
        }

        private void setNotNull(Table t, int room) {
            Column c = null;
            for (Column x : t.columns) if (!x.notNull && (c == null || rnd.nextBoolean())) c = x;
            if (c == null) {
                addColumn(t, room);
                return;
            }
            describe("require_" + t.name + "_" + c.name);
            c.notNull = true;
            if (pg) {
                if (room >= 4 && rnd.nextBoolean()) {
                    // the safe pattern: a NOT VALID check, validated, then SET NOT NULL uses it
                    String chk = t.freshConstraintName(t.name + "_" + c.name + "_not_null");
                    maybeComment("SET NOT NULL without a full-table scan: check first, validate, then set");
                    stmt("ALTER TABLE " + t.name + " ADD CONSTRAINT " + chk + " CHECK (" + c.name + " IS NOT NULL) NOT VALID;");
                    stmt("ALTER TABLE " + t.name + " VALIDATE CONSTRAINT " + chk + ";");
                    stmt("ALTER TABLE " + t.name + " ALTER COLUMN " + c.name + " SET NOT NULL;");
                    stmt("ALTER TABLE " + t.name + " DROP CONSTRAINT " + chk + ";");
                } else {
                    if (room >= 2 && rnd.nextBoolean()) {
                        stmt("UPDATE " + t.name + " SET " + c.name + " = " + constantDefault(c.type) + " WHERE " + c.name + " IS NULL;");
                    }
                    stmt("ALTER TABLE " + t.name + " ALTER COLUMN " + c.name + " SET NOT NULL;");
                }
            } else {
                stmt("ALTER TABLE " + t.name + " MODIFY COLUMN " + c.name + " " + c.type.sql(flavor) + " NOT NULL"
                        + (rnd.nextBoolean() ? " DEFAULT " + constantDefault(c.type) : "") + ";");
            }
        }

        private void addForeignKey(Table t, List<Table> older, int room) {
            Table ref = pick(older);
            describe("link_" + t.name + "_to_" + ref.name);
            Column c = null;
            for (Column x : t.columns) if (ref.name.equals(x.references)) c = x;
            if (c == null || room < 2) {
                String col = t.freshColumnName(singular(ref.name) + "_id");
                c = new Column(col, new Type(Kind.BIGINT, 0), false, ref.name);
                t.columns.add(c);
                if (room >= 2) {
                    stmt("ALTER TABLE " + t.name + " ADD COLUMN " + col + " bigint" + (pg ? "" : " unsigned") + ";");
                    room--;
                } else {
                    // one statement: the column and its key together
                    String cname = t.freshConstraintName(t.name + "_" + col + "_fkey");
                    t.constraints.add(cname);
                    stmt(pg ? "ALTER TABLE " + t.name + " ADD COLUMN " + col + " bigint REFERENCES " + ref.name + " (id);"
                            : "ALTER TABLE " + t.name + " ADD COLUMN " + col + " bigint unsigned, ADD CONSTRAINT " + cname
                            + " FOREIGN KEY (" + col + ") REFERENCES " + ref.name + " (id);");
                    return;
                }
            }
            String cname = t.freshConstraintName(t.name + "_" + c.name + "_fkey");
            t.constraints.add(cname);
            boolean notValid = pg && rnd.nextBoolean();
            String onDelete = rnd.nextInt(4) == 0 ? " ON DELETE SET NULL" : "";
            stmt("ALTER TABLE " + t.name + " ADD CONSTRAINT " + cname + " FOREIGN KEY (" + c.name + ") REFERENCES "
                    + ref.name + " (id)" + onDelete + (notValid ? " NOT VALID" : "") + ";");
            if (notValid) {
                if (room >= 2 && rnd.nextBoolean()) stmt("ALTER TABLE " + t.name + " VALIDATE CONSTRAINT " + cname + ";");
                else t.pendingValidation.add(cname);
            }
        }

        private void addCheck(Table t, int room) {
            Column c = randomColumn(t, false);
            String cname = t.freshConstraintName(t.name + "_" + c.name + "_check");
            describe("check_" + t.name + "_" + c.name);
            t.constraints.add(cname);
            String cond = switch (c.type.kind()) {
                case INT, BIGINT, SMALLINT, DECIMAL -> c.name + " >= 0";
                case VARCHAR, TEXT -> pg ? "char_length(" + c.name + ") <= " + (50 + rnd.nextInt(500)) : "CHAR_LENGTH(" + c.name + ") > 0";
                case TIMESTAMP, TIMESTAMPTZ, DATE -> c.name + " > '2000-01-01'";
                default -> c.name + " IS NOT NULL";
            };
            if (pg) {
                boolean notValid = rnd.nextBoolean();
                stmt("ALTER TABLE " + t.name + " ADD CONSTRAINT " + cname + " CHECK (" + cond + ")" + (notValid ? " NOT VALID" : "") + ";");
                if (notValid) {
                    if (room >= 2 && rnd.nextBoolean()) stmt("ALTER TABLE " + t.name + " VALIDATE CONSTRAINT " + cname + ";");
                    else t.pendingValidation.add(cname);
                }
            } else {
                boolean notEnforced = rnd.nextInt(3) == 0;
                stmt("ALTER TABLE " + t.name + " ADD CONSTRAINT " + cname + " CHECK (" + cond + ")" + (notEnforced ? " NOT ENFORCED" : "") + ";");
            }
        }

        private void validatePending(Table t) {
            if (t.pendingValidation.isEmpty() || !pg) {
                commentOn(t);
                return;
            }
            String cname = t.pendingValidation.iterator().next();
            t.pendingValidation.remove(cname);
            describe("validate_" + cname);
            maybeComment("validated in its own migration: SHARE UPDATE EXCLUSIVE only");
            stmt("ALTER TABLE " + t.name + " VALIDATE CONSTRAINT " + cname + ";");
        }

        private void changeType(Table t) {
            Column c = randomColumn(t, false);
            Type to = switch (c.type.kind()) {
                case INT, SMALLINT -> new Type(Kind.BIGINT, 0);
                case VARCHAR -> rnd.nextInt(3) == 0 && pg ? new Type(Kind.TEXT, 0)
                        : new Type(Kind.VARCHAR, rnd.nextInt(4) == 0 ? Math.max(8, c.type.size() / 2) : c.type.size() * 2);
                case DECIMAL -> new Type(Kind.DECIMAL, c.type.size() + 2);
                case TIMESTAMP -> new Type(Kind.TIMESTAMPTZ, 0);
                case TEXT -> pg ? new Type(Kind.VARCHAR, 2000) : new Type(Kind.TEXT, 0);
                case BIGINT -> new Type(Kind.DECIMAL, 20);
                default -> null;
            };
            if (to == null || to.equals(c.type) || c.name.equals("id") || c.references != null) {
                addColumn(t, 1);
                return;
            }
            describe("widen_" + t.name + "_" + c.name);
            String from = c.type.sql(flavor);
            c.type = to;
            if (pg) {
                String using = rnd.nextInt(4) == 0 ? " USING " + c.name + "::" + to.sql(flavor) : "";
                stmt("ALTER TABLE " + t.name + " ALTER COLUMN " + c.name + " TYPE " + to.sql(flavor) + using + ";");
            } else if (rnd.nextBoolean()) {
                stmt("ALTER TABLE " + t.name + " MODIFY COLUMN " + c.name + " " + to.sql(flavor) + (c.notNull ? " NOT NULL" : "") + ";");
            } else {
                stmt("ALTER TABLE " + t.name + " CHANGE COLUMN " + c.name + " " + c.name + " " + to.sql(flavor)
                        + (c.notNull ? " NOT NULL" : " NULL") + " COMMENT 'was " + from + "';");
            }
        }

        private void update(Table t, List<Table> older) {
            describe("backfill_" + t.name);
            Column c = randomColumn(t, false);
            if (c.name.equals("id")) c = t.columns.get(t.columns.size() - 1);
            int form = rnd.nextInt(5);
            Column fk = null;
            for (Column x : t.columns) if (x.references != null) fk = x;
            maybeComment("backfill; " + (rnd.nextBoolean() ? "small table, one statement is fine" : "batched by id range"));
            if (form == 0 && fk != null) {
                Table ref = byName(fk.references);
                Column src = ref == null ? null : randomColumn(ref, false);
                if (src != null && src.type.kind() == c.type.kind()) {
                    stmt(pg ? "UPDATE " + t.name + " AS t SET " + c.name + " = r." + src.name + " FROM " + ref.name
                            + " AS r WHERE r.id = t." + fk.name + " AND t." + c.name + " IS NULL;"
                            : "UPDATE " + t.name + " t JOIN " + ref.name + " r ON r.id = t." + fk.name + " SET t." + c.name
                            + " = r." + src.name + " WHERE t." + c.name + " IS NULL;");
                    return;
                }
            }
            if (form <= 1) {
                long from = 1 + rnd.nextInt(1_000_000);
                stmt("UPDATE " + t.name + " SET " + c.name + " = " + constantDefault(c.type) + " WHERE id BETWEEN " + from
                        + " AND " + (from + 9_999) + ";");
            } else if (form == 2) {
                stmt("UPDATE " + t.name + " SET " + c.name + " = " + constantDefault(c.type) + ";");
            } else if (form == 3 && (c.type.kind() == Kind.VARCHAR || c.type.kind() == Kind.TEXT)) {
                stmt("UPDATE " + t.name + " SET " + c.name + " = " + (pg ? "lower(trim(" : "LOWER(TRIM(") + c.name + "))"
                        + " WHERE " + c.name + " <> " + (pg ? "lower(" : "LOWER(") + c.name + ")" + (pg ? "" : " LIMIT 5000") + ";");
            } else {
                stmt("UPDATE " + t.name + " SET " + c.name + " = " + constantDefault(c.type) + " WHERE " + c.name + " IS NULL"
                        + (pg ? "" : " LIMIT 10000") + ";");
            }
        }

        private void insert(Table t) {
            describe("seed_" + t.name);
            List<String> cols = new ArrayList<>();
            List<String> vals = new ArrayList<>();
            for (Column c : t.columns) {
                if (c.name.equals("id") || c.references != null) continue;
                if (c.notNull || rnd.nextBoolean()) {
                    cols.add(c.name);
                    vals.add(constantDefault(c.type));
                }
            }
            if (cols.isEmpty()) {
                cols.add("created_at");
                vals.add(pg ? "now()" : "NOW()");
            }
            StringBuilder s = new StringBuilder("INSERT INTO ").append(t.name).append(" (").append(String.join(", ", cols))
                    .append(") VALUES\n    (").append(String.join(", ", vals)).append(')');
            int more = rnd.nextInt(3);
            for (int i = 0; i < more; i++) s.append(",\n    (").append(String.join(", ", vals)).append(')');
            if (pg && rnd.nextBoolean()) s.append("\nON CONFLICT DO NOTHING");
            stmt(s + ";");
        }

        private void delete(Table t) {
            describe("purge_" + t.name);
            Column ts = null;
            for (Column c : t.columns) if (c.type.kind() == Kind.TIMESTAMPTZ) ts = c;
            String where = ts != null ? ts.name + (pg ? " < now() - interval '90 days'" : " < NOW() - INTERVAL 90 DAY")
                    : "id < " + (1000 + rnd.nextInt(100000));
            stmt("DELETE FROM " + t.name + " WHERE " + where + (pg || rnd.nextBoolean() ? "" : " LIMIT 10000") + ";");
        }

        private void function(Table t, int room) {
            describe("trigger_on_" + t.name);
            String fn = t.name + "_touch";
            for (int i = 2; functionNames.contains(fn); i++) fn = t.name + "_touch_" + i;
            functionNames.add(fn);
            Column upd = t.column("updated_at");
            String target = upd != null ? "updated_at" : "created_at";
            if (pg) {
                if (rnd.nextInt(4) == 0) {
                    String tag = rnd.nextBoolean() ? "$$" : "$fn$";
                    Column money = null;
                    for (Column c : t.columns) if (c.type.kind() == Kind.DECIMAL) money = c;
                    String sum = money != null ? "coalesce(sum(" + money.name + "), 0)" : "count(*)";
                    stmt("CREATE OR REPLACE FUNCTION " + fn + "_total(p_since timestamptz) RETURNS numeric\n"
                            + "LANGUAGE sql STABLE AS " + tag + "\n"
                            + "    SELECT " + sum + " FROM " + t.name + " WHERE created_at >= p_since; -- ';' inside the body\n"
                            + tag + ";");
                    return;
                }
                stmt("CREATE OR REPLACE FUNCTION " + fn + "() RETURNS trigger\nLANGUAGE plpgsql AS $$\nBEGIN\n"
                        + "    -- stamp every change; the ';' and 'quotes' in here belong to the body\n"
                        + "    NEW." + target + " := now();\n"
                        + "    IF TG_OP = 'UPDATE' AND NEW.id IS DISTINCT FROM OLD.id THEN\n"
                        + "        RAISE EXCEPTION 'id of % is immutable', TG_TABLE_NAME;\n"
                        + "    END IF;\n"
                        + "    RETURN NEW;\nEND;\n$$;");
                if (room >= 2) {
                    stmt("CREATE TRIGGER " + fn + "_trg BEFORE UPDATE ON " + t.name + "\n    FOR EACH ROW EXECUTE FUNCTION " + fn + "();");
                }
            } else {
                boolean delimiter = rnd.nextBoolean();
                String end = delimiter ? "$$" : ";";
                if (delimiter) sb.append("DELIMITER $$\n");
                stmt("CREATE TRIGGER " + fn + "_bu BEFORE UPDATE ON " + t.name + "\nFOR EACH ROW\nBEGIN\n"
                        + "    -- stamp every change\n"
                        + "    SET NEW." + target + " = CURRENT_TIMESTAMP;\n"
                        + "    IF NEW.id <> OLD.id THEN\n"
                        + "        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'id is immutable';\n"
                        + "    END IF;\n"
                        + "END" + end);
                if (delimiter) sb.append("DELIMITER ;\n");
            }
            t.hasTrigger = true;
        }

        private void commentOn(Table t) {
            describe("document_" + t.name);
            if (!pg) {
                stmt("ALTER TABLE " + t.name + " COMMENT = '" + prose() + "';");
                return;
            }
            if (rnd.nextBoolean()) {
                stmt("COMMENT ON TABLE " + t.name + " IS '" + prose() + "';");
            } else {
                Column c = randomColumn(t, false);
                stmt("COMMENT ON COLUMN " + t.name + "." + c.name + " IS '" + prose() + "';");
            }
        }

        private void grant(Table t) {
            describe("grants_" + t.name);
            String role = pick(ROLES);
            String privs = role.endsWith("_ro") || role.equals("reporting") ? "SELECT" : "SELECT, INSERT, UPDATE, DELETE";
            stmt(pg ? "GRANT " + privs + " ON " + t.name + " TO " + role + ";"
                    : "GRANT " + privs + " ON app." + t.name + " TO '" + role + "'@'%';");
        }

        private void renameOrDropColumn(Table t) {
            Column c = randomColumn(t, false);
            if (c.name.equals("id") || c.name.equals("created_at") || c.references != null || t.columns.size() < 4) {
                setDefault(t);
                return;
            }
            if (rnd.nextBoolean()) {
                describe("rename_" + t.name + "_" + c.name);
                String to = t.freshColumnName(c.name + "_old");
                stmt("ALTER TABLE " + t.name + " RENAME COLUMN " + c.name + " TO " + to + ";");
                t.columns.set(t.columns.indexOf(c), new Column(to, c.type, c.notNull, null));
            } else {
                describe("drop_" + t.name + "_" + c.name);
                maybeComment("zerodown:ignore any.column.drop no reader left since release " + (30 + rnd.nextInt(40)));
                stmt("ALTER TABLE " + t.name + " DROP COLUMN " + c.name + ";");
                t.columns.remove(c);
            }
        }

        private void setDefault(Table t) {
            Column c = randomColumn(t, false);
            if (c.name.equals("id")) c = t.columns.get(t.columns.size() - 1);
            describe("default_" + t.name + "_" + c.name);
            stmt("ALTER TABLE " + t.name + " ALTER COLUMN " + c.name + " SET DEFAULT " + constantDefault(c.type) + ";");
        }

        private void sessionSetting() {
            describe("settings");
            if (pg) stmt(rnd.nextBoolean() ? "SET lock_timeout = '5s';" : "SET statement_timeout = '15min';");
            else stmt(rnd.nextBoolean() ? "SET SESSION lock_wait_timeout = 5;" : "SET SESSION innodb_lock_wait_timeout = 10;");
        }

        private void createView(Table t) {
            String v = t.name + "_v" + fileNo;
            describe("view_" + v);
            Column c = randomColumn(t, false);
            stmt("CREATE " + (rnd.nextBoolean() ? "OR REPLACE " : "") + "VIEW " + v + " AS\n    SELECT id, " + c.name
                    + ", created_at FROM " + t.name + " WHERE created_at > " + (pg ? "now() - interval '30 days'" : "NOW() - INTERVAL 30 DAY") + ";");
        }

        private void dropIndex(Table t) {
            if (t.indexes.isEmpty()) {
                createIndex(t, pg && rnd.nextBoolean());
                return;
            }
            String idx = t.indexes.remove(rnd.nextInt(t.indexes.size()));
            describe("drop_" + idx);
            stmt(pg ? "DROP INDEX " + (rnd.nextBoolean() ? "IF EXISTS " : "") + idx + ";"
                    : "ALTER TABLE " + t.name + " DROP INDEX " + idx + ";");
        }

        // -------------------------------------------------------------------------------------- helpers

        private void stmt(String sql) {
            sb.append(sql).append('\n');
            if (rnd.nextInt(8) == 0) sb.append('\n');
            count++;
        }

        private void maybeComment(String text) {
            if (text != null && rnd.nextInt(3) == 0) sb.append(pg || rnd.nextBoolean() ? "-- " : "# ").append(text).append('\n');
        }

        private void describe(String d) {
            if (description == null) description = d;
        }

        private Kind randomKind() {
            int r = rnd.nextInt(100);
            if (r < 12) return Kind.INT;
            if (r < 18) return Kind.BIGINT;
            if (r < 23) return Kind.SMALLINT;
            if (r < 35) return Kind.DECIMAL;
            if (r < 55) return Kind.VARCHAR;
            if (r < 63) return Kind.TEXT;
            if (r < 70) return Kind.BOOL;
            if (r < 74) return Kind.TIMESTAMP;
            if (r < 83) return Kind.TIMESTAMPTZ;
            if (r < 88) return Kind.DATE;
            if (r < 94) return Kind.UUID;
            return Kind.JSON;
        }

        private Type randomType(Kind k) {
            return switch (k) {
                case VARCHAR -> new Type(k, new int[] {16, 32, 50, 64, 100, 120, 255}[rnd.nextInt(7)]);
                case DECIMAL -> new Type(k, 10 + rnd.nextInt(9));
                default -> new Type(k, 0);
            };
        }

        private String constantDefault(Type t) {
            return switch (t.kind()) {
                case INT, BIGINT, SMALLINT -> String.valueOf(rnd.nextInt(4));
                case DECIMAL -> rnd.nextInt(100) + ".00";
                case VARCHAR -> "'" + pick(new String[] {"eu", "us", "new", "pending", "n/a", "EUR", "en"}) + "'";
                case TEXT -> pg ? "''" : "('')";
                case BOOL -> pg ? (rnd.nextBoolean() ? "true" : "false") : (rnd.nextBoolean() ? "1" : "0");
                case TIMESTAMP, TIMESTAMPTZ -> pg ? (rnd.nextBoolean() ? "'2024-01-01 00:00:00'" : "now()") : "'2024-01-01 00:00:00'";
                case DATE -> "'2024-01-01'";
                case UUID -> "'00000000-0000-0000-0000-000000000000'";
                case JSON -> pg ? "'{}'::jsonb" : "(JSON_OBJECT())";
            };
        }

        private String volatileDefault(Type t) {
            if (pg) {
                return switch (t.kind()) {
                    case UUID -> "gen_random_uuid()";
                    case TIMESTAMP, TIMESTAMPTZ -> "clock_timestamp()";
                    case INT, SMALLINT -> "(random() * 100)::int";
                    case BIGINT -> "(random() * 1e9)::bigint";
                    case DECIMAL -> "round((random() * 10)::numeric, 2)";
                    case VARCHAR, TEXT -> "md5(random()::text)";
                    default -> constantDefault(t);
                };
            }
            return switch (t.kind()) {
                case UUID -> "(UUID())";
                case TIMESTAMP, TIMESTAMPTZ -> "CURRENT_TIMESTAMP";
                case INT, SMALLINT, BIGINT -> "(FLOOR(RAND() * 100))";
                case DECIMAL -> "(RAND() * 10)";
                case VARCHAR -> "(MD5(RAND()))";
                default -> constantDefault(t);
            };
        }

        private Column randomColumn(Table t, boolean preferIndexable) {
            for (int attempt = 0; attempt < 4; attempt++) {
                Column c = t.columns.get(rnd.nextInt(t.columns.size()));
                if (!preferIndexable || (c.type.kind() != Kind.TEXT && c.type.kind() != Kind.BOOL && !c.name.equals("id"))) return c;
            }
            return t.columns.get(t.columns.size() - 1);
        }

        private Table byName(String name) {
            for (Table t : tables) if (t.name.equals(name)) return t;
            return null;
        }

        private String prose() {
            String[] words = {"Holds", "one row per", "customer", "order line", "as billed", "see the runbook",
                    "kept for audits", "it's", "deprecated", "nullable until the backfill", "in cents", "UTC",
                    "written by the importer", "source of truth", "denormalised"};
            int n = 3 + rnd.nextInt(5);
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < n; i++) {
                if (i > 0) s.append(' ');
                s.append(pick(words));
            }
            return s.toString().replace("'", "''");
        }

        private <T> T pick(List<T> list) {
            return list.get(rnd.nextInt(list.size()));
        }

        private <T> T pick(T[] arr) {
            return arr[rnd.nextInt(arr.length)];
        }

        private static String singular(String table) {
            String base = table.replaceAll("_\\d+$", "");
            if (base.endsWith("ies")) return base.substring(0, base.length() - 3) + "y";
            if (base.endsWith("sses") || base.endsWith("xes")) return base.substring(0, base.length() - 2);
            if (base.endsWith("s")) return base.substring(0, base.length() - 1);
            return base;
        }
    }

    private MigrationFolderGenerator() {}
}
