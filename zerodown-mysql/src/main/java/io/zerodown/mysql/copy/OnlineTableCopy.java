package io.zerodown.mysql.copy;

import io.zerodown.mysql.copy.TableInfo.Column;
import io.zerodown.mysql.copy.TableInfo.KeyKind;
import io.zerodown.mysql.copy.TableInfo.UniqueIndex;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.CRC32;

/**
 * Online copy of one MySQL/MariaDB table into a new definition, for ALTERs the server can only run as
 * {@code ALGORITHM=COPY} (type changes, VARCHAR shrinking or crossing the 255-byte length prefix, ENUM reordering,
 * charset conversion...), which would block every write for the whole copy.
 *
 * <h2>How</h2>
 * <ol>
 * <li>{@link #prepare()} checks the table, creates the shadow {@code _t_zdnew} ({@code CREATE TABLE ... LIKE}, then the
 * ALTER on the still empty shadow, so a bad ALTER fails before any row moves) and three AFTER triggers on {@code t}
 * that keep the shadow current: INSERT → {@code REPLACE INTO} shadow; UPDATE → delete the old key from the shadow if
 * the key changed, then {@code REPLACE}; DELETE → {@code DELETE IGNORE} from the shadow. Only the columns common to
 * both definitions are written (a dropped column is left out, an added one takes its default); a converted column is
 * assigned to the new type and the server converts it. The triggers are created with STRICT modes removed, so a value
 * the new type cannot hold never fails the application's write (it is caught by the checksum instead).</li>
 * <li>{@link #copy()} copies primary-key ranges ({@code INSERT IGNORE INTO shadow ... SELECT ... LOCK IN SHARE MODE}),
 * sized to {@link Options#chunkTargetMs()} per chunk, journalling the watermark after each chunk, pausing while
 * replicas lag or {@code Threads_running} is high. Each chunk is checksummed right after its commit (on a second
 * connection beside the copy when {@link #withHelperConnections} gives one), so no second pass over the table is
 * needed before the cut-over.</li>
 * <li>The checksum compares {@code COUNT(*)} and {@code BIT_XOR(CRC32(CONCAT_WS('#', ...)))} of each key range of
 * both tables, in one statement inside one consistent snapshot; a differing range is copied again once, a second
 * difference fails. {@link #checksum()} runs it over the whole table again on demand.</li>
 * <li>{@link #cutOver()} swaps the names in one atomic {@code RENAME TABLE t TO _t_zdold, _t_zdnew TO t} under a short
 * {@code lock_wait_timeout}, retried with jittered exponential backoff, then drops the forward triggers and puts
 * reverse triggers on the new {@code t} that keep {@code _t_zdold} current, so that {@link #revert()} loses nothing.
 * {@link #cleanup()} drops them and the old table when the caller is satisfied.</li>
 * </ol>
 * Until the RENAME the original table is never changed (only triggers are added): after any failure the application
 * keeps working, the triggers keep the shadow current, and {@link #abort()} removes shadow and triggers, or a new
 * instance with the same {@link Journal} resumes.
 *
 * <h2>Limits (refused with a message saying what to do)</h2>
 * No PRIMARY KEY or NOT NULL UNIQUE key; a composite key (not supported yet); a key of type FLOAT/DOUBLE/ENUM/SET/BIT;
 * foreign keys referencing the table or owned by it (not supported by the copy yet); existing triggers (they would
 * stay on the old table and fire next to ours); non-InnoDB tables; MariaDB system-versioned tables; an ALTER that
 * renames the table, adds a foreign key, or does not keep a unique key on the key column. A conversion that changes a
 * stored value (rounding, truncation, clamping, a character the new charset lacks) stops the copy at the first chunk
 * that contains one, or fails the checksum: this copy only cuts over when every value survives the new definition.
 *
 * <p>All DDL this class runs (CREATE TABLE, the ALTER on the shadow, CREATE/DROP TRIGGER, RENAME, DROP TABLE) runs with
 * {@code SET SESSION lock_wait_timeout = } {@link Options#lockWaitTimeoutSeconds()} (which both MySQL and MariaDB honour,
 * so MariaDB's per-statement {@code WAIT n} is not needed) and statements that touch the live table are retried on
 * error 1205 with backoff. The session settings it changes are restored when each method returns. Not thread-safe;
 * one instance drives one connection (plus, with {@link #withHelperConnections}, a second one in a thread of its own
 * for the chunk checksums).
 */
public final class OnlineTableCopy {

    /**
     * @param chunkTargetMs          wanted time per copy/checksum chunk (150 ms by default; pt-online-schema-change
     *                               uses 500 ms); application writes to the chunk's range (and,
     *                               with {@code innodb_autoinc_lock_mode=1}, inserts) wait at most about this long
     * @param initialChunk           rows in the first chunk
     * @param maxChunk               upper bound of rows per chunk
     * @param lockWaitTimeoutSeconds {@code lock_wait_timeout} for every DDL attempt: the longest time the application
     *                               queues behind one of our DDL statements. Row-lock waits of our chunks are 1 s.
     * @param cutOverAttempts        attempts for the RENAME and for each trigger DDL before giving up
     * @param maxReplicaLagMs        pause while the lag is above this; 0 turns the check off
     * @param maxThreadsRunning      pause while {@code Threads_running} is above this; 0 turns the check off
     * @param postponeCutOver        {@link #cutOver()} only verifies and returns {@link State#READY}
     * @param lagProbe               replica lag in ms; null reads this server's {@code SHOW REPLICA STATUS} (which only
     *                               sees replication <em>into</em> this server; pass a probe that asks the replicas
     *                               or reads a heartbeat table to throttle on replicas of a primary)
     */
    public record Options(long chunkTargetMs, int initialChunk, int maxChunk, int lockWaitTimeoutSeconds,
                          int cutOverAttempts, long maxReplicaLagMs, int maxThreadsRunning, boolean postponeCutOver,
                          LongSupplier lagProbe) {
        public Options {
            if (chunkTargetMs <= 0 || initialChunk <= 0 || maxChunk < initialChunk || lockWaitTimeoutSeconds < 1
                    || cutOverAttempts < 1 || maxReplicaLagMs < 0 || maxThreadsRunning < 0) {
                throw new IllegalArgumentException("invalid online copy options: " + chunkTargetMs + " ms, " + initialChunk
                        + ".." + maxChunk + " rows, " + lockWaitTimeoutSeconds + " s x " + cutOverAttempts);
            }
        }

        public static Options defaults() {
            return new Options(150, 1000, 150_000, 2, 20, 1000, 25, false, null);
        }

        public Options withChunks(long targetMs, int initial, int max) {
            return new Options(targetMs, initial, max, lockWaitTimeoutSeconds, cutOverAttempts, maxReplicaLagMs,
                    maxThreadsRunning, postponeCutOver, lagProbe);
        }

        public Options withLockWait(int seconds, int attempts) {
            return new Options(chunkTargetMs, initialChunk, maxChunk, seconds, attempts, maxReplicaLagMs,
                    maxThreadsRunning, postponeCutOver, lagProbe);
        }

        public Options withThrottle(long maxLagMs, int maxThreads, LongSupplier probe) {
            return new Options(chunkTargetMs, initialChunk, maxChunk, lockWaitTimeoutSeconds, cutOverAttempts, maxLagMs,
                    maxThreads, postponeCutOver, probe);
        }

        public Options withPostponeCutOver(boolean postpone) {
            return new Options(chunkTargetMs, initialChunk, maxChunk, lockWaitTimeoutSeconds, cutOverAttempts,
                    maxReplicaLagMs, maxThreadsRunning, postpone, lagProbe);
        }
    }

    /**
     * Where the caller persists progress, so that a new instance resumes after a crash. The watermark is written after
     * a chunk's transaction commits: after a crash at most that one chunk is copied again (harmless, INSERT IGNORE).
     */
    public interface Journal {
        /** The last key copied, or null before the first chunk. */
        String watermark();

        /** Rows copied so far, over all runs. */
        long rowsCopied();

        /** The last {@link State#label()} written, or null. */
        String state();

        void watermark(String key, long rowsCopied);

        void state(String state);

        /** A journal in memory (for tests, or for callers that do not need to resume after a restart). */
        static Journal inMemory() {
            return new Journal() {
                private String key;
                private long rows;
                private String state;

                @Override
                public synchronized String watermark() {
                    return key;
                }

                @Override
                public synchronized long rowsCopied() {
                    return rows;
                }

                @Override
                public synchronized String state() {
                    return state;
                }

                @Override
                public synchronized void watermark(String k, long r) {
                    key = k;
                    rows = r;
                }

                @Override
                public synchronized void state(String s) {
                    state = s;
                }
            };
        }
    }

    /** Opens extra connections to the same database: the checksum beside the copy uses one. */
    @FunctionalInterface
    public interface ConnectionSource {
        Connection open() throws SQLException;
    }

    /**
     * Asked before every chunk of {@link #copy()} (about every {@link Options#chunkTargetMs()}): null to go on, else
     * a {@link Hold} that pauses the copy (asked again every 100 ms) or aborts it resumably.
     */
    @FunctionalInterface
    public interface Guard {
        Hold check() throws SQLException;
    }

    /** A guard's verdict: pause while it lasts, or abort; {@code reason} says why, for the log and the report. */
    public record Hold(boolean abort, String reason) {
        public static Hold pause(String reason) {
            return new Hold(false, reason);
        }

        public static Hold abortNow(String reason) {
            return new Hold(true, reason);
        }
    }

    public interface Listener {
        default void log(String s) {
        }

        /** A chunk committed: its last key, the rows in its range and how long its transaction took. */
        default void chunk(String lastKey, int rows, long nanos) {
        }

        /** The copy goes on after a pause of {@code pausedMs}. */
        default void resumed(long pausedMs) {
        }

        default void progress(long rows, long estimate, int chunk) {
        }

        default void paused(String why) {
        }
    }

    /** Where a copy stands; persisted through {@link Journal#state(String)} as {@link #label()}. */
    public enum State {
        NEW("new"), PREPARED("prepared"), COPIED("copied"), READY("ready"), CUT_OVER("cut-over"), REVERTED("reverted"),
        ABORTED("aborted"), DONE("done");

        private final String label;

        State(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        static State of(String label) {
            for (State s : values()) {
                if (s.label.equals(label)) {
                    return s;
                }
            }
            return NEW;
        }
    }

    /**
     * What this instance's {@link #copy()} did.
     *
     * @param rows         rows copied by this instance (resumed runs start after the journalled watermark); a span
     *                     chunk counts the rows its INSERTs inserted, so rows the triggers wrote first, or that a
     *                     crashed run committed without journalling, are not counted
     * @param chunks       chunks committed
     * @param firstChunk   rows asked for in the first chunk
     * @param largestChunk most rows asked for in one chunk
     * @param lastChunk    rows asked for in the last chunk
     * @param millis       wall time of copy(), pauses included
     * @param pausedMillis time spent paused by the throttle
     * @param retries      chunks retried after a lock wait timeout or deadlock
     */
    public record Stats(long rows, int chunks, int firstChunk, int largestChunk, int lastChunk, long millis,
                        long pausedMillis, int retries) {
        public long rowsPerSecond() {
            return millis == 0 ? rows : rows * 1000 / millis;
        }
    }

    private static final int ER_LOCK_WAIT_TIMEOUT = 1205;
    private static final int ER_LOCK_DEADLOCK = 1213;
    private static final int CHUNK_RETRIES = 10;
    /** Tries of one INSERT of a span chunk that met a lock (NOWAIT) before the chunk is copied the careful way. */
    private static final int STATEMENT_RETRIES = 30;
    /** MySQL 8's error for a NOWAIT locking read that met a lock (MariaDB reports 1205). */
    private static final int ER_LOCK_NOWAIT = 3572;
    /** Longest wanted INSERT statement within a chunk: how long an application write may wait for the AUTO-INC lock. */
    private static final long STATEMENT_TARGET_MS = 25;
    /** Warnings of the copy that do not mean a changed value: duplicate key of a row the triggers wrote first (checked
     *  separately), no default for an added NOT NULL column (the implicit default, as the native ALTER), unsafe for
     *  statement binlog, deprecations. */
    private static final Set<Integer> HARMLESS_WARNINGS = Set.of(1364, 1592, 1287, 1681, 3719, 3720);
    private static final Pattern RENAMES_TABLE = Pattern.compile("(?is)(^|,)\\s*RENAME\\s+(?!(COLUMN|INDEX|KEY)\\b)");

    private final Connection c;
    private final String schema;
    private final String table;
    private final String alter;
    private final Options o;
    private final Journal journal;
    private final Listener listener;
    private final String shadow;
    private final String old;
    private final String probe;
    private final List<String> forwardTriggers;
    private final List<String> reverseTriggers;

    private String keyColumn;
    private KeyKind keyKind;
    /** The key is an integer column, so chunks can be key spans that need no boundary read. */
    private boolean integerKey;
    /** Key values per row seen in recent span chunks (1 for a dense AUTO_INCREMENT key). */
    private double keysPerRow;
    private Sync forward;
    private boolean verified;
    private Boolean mariadb;
    private final ReplicationLag replication = new ReplicationLag();
    private long lastThrottleCheck;
    private long pausedNanos;
    private Stats stats = new Stats(0, 0, 0, 0, 0, 0, 0, 0);
    private ConnectionSource helpers;
    private Guard guard;
    private ChecksumResult copyChecksum;

    /** Source and target of a copy direction: shadow ← table before cut-over, old ← table after it. */
    /**
     * @param nullFlags per column: whether the checksum must mark a NULL (see {@link #needsNullFlag})
     */
    private record Sync(String from, String to, String fromIndex, String toIndex, List<String> columns,
                        List<String> fromSums, List<String> toSums, List<Boolean> nullFlags) {
    }

    /**
     * One committed chunk: rows it inserted, rows its range held when sized (for the chunk sizer), its last key, and
     * whether it reached the end of the copy.
     */
    private record Chunk(int rows, int sized, String last, boolean end) {
    }

    private record Sum(long count, long crc) {
    }

    /**
     * @param c            a connection used only by this copy (session settings are changed and restored per call)
     * @param schema       the database
     * @param table        the table to alter
     * @param alterClauses what follows {@code ALTER TABLE t}, e.g. {@code MODIFY amount DECIMAL(14,2) NOT NULL}
     */
    public OnlineTableCopy(Connection c, String schema, String table, String alterClauses, Options o, Journal j,
                           Listener l) {
        this.c = Objects.requireNonNull(c);
        this.schema = Objects.requireNonNull(schema);
        this.table = Objects.requireNonNull(table);
        this.alter = Objects.requireNonNull(alterClauses).strip();
        this.o = o == null ? Options.defaults() : o;
        this.journal = j == null ? Journal.inMemory() : j;
        this.listener = l == null ? new Listener() { } : l;
        this.shadow = derived(table, "zdnew");
        this.old = derived(table, "zdold");
        this.probe = derived(table, "zdprobe");
        // creation order delete, update, insert: a row can only enter the shadow (through UPDATE or INSERT) once the
        // triggers that keep it current afterwards exist, so no row in the shadow ever misses a later change
        this.forwardTriggers = List.of(derived(table, "zddel"), derived(table, "zdupd"), derived(table, "zdins"));
        this.reverseTriggers = List.of(derived(table, "zdrdel"), derived(table, "zdrupd"), derived(table, "zdrins"));
    }

    public State state() {
        return State.of(journal.state());
    }

    /** Name of the shadow table ({@code _t_zdnew}, shortened with a hash when the table name is long). */
    public String shadowTable() {
        return shadow;
    }

    /** Name the original table gets at cut-over ({@code _t_zdold}). */
    public String oldTable() {
        return old;
    }

    public Stats stats() {
        return stats;
    }

    /**
     * Lets {@link #copy()} checksum each chunk on a second connection from {@code source}, in a thread beside the copy,
     * instead of after it on the copy's own connection. Returns this.
     */
    public OnlineTableCopy withHelperConnections(ConnectionSource source) {
        this.helpers = source;
        return this;
    }

    /** Lets {@code guard} pause or abort {@link #copy()} between chunks (see {@link Guard}). Returns this. */
    public OnlineTableCopy withGuard(Guard guard) {
        this.guard = guard;
        return this;
    }

    /**
     * The chunk-by-chunk comparison {@link #copy()} made of what it copied (plus the rows inserted into the table
     * during the copy, and the rows an earlier run copied when this one resumed), or null before copy() ran here.
     */
    public ChecksumResult copyChecksum() {
        return copyChecksum;
    }

    // ------------------------------------------------------------------------------------------------ prepare

    /**
     * Checks the table, creates the shadow with the new definition and the triggers. Idempotent: when the shadow and
     * all three triggers exist (an earlier run, same ALTER) it resumes from the journal; leftovers of a run that did
     * not get that far (a shadow without all triggers may have missed changes) are dropped and prepared again.
     */
    public void prepare() throws SQLException {
        try (Session s = new Session()) {
            State st = state();
            if (st == State.CUT_OVER) {
                listener.log(name(table) + " is already cut over; nothing to prepare");
                return;
            }
            if (st == State.REVERTED) {
                throw new OnlineCopyException.Refused("the copy of " + name(table) + " was reverted; call cleanup() to drop "
                        + name(shadow) + " before starting again");
            }
            if (RENAMES_TABLE.matcher(alter).find()) {
                throw refused("the ALTER renames the table; pass only column, index and option clauses and rename "
                        + "separately");
            }
            TableInfo src = TableInfo.load(c, schema, table);
            if (src == null) {
                throw refused("the table does not exist");
            }
            checkSource(src);
            if (TableInfo.exists(c, schema, old)) {
                throw refused(name(old) + " exists, left by an earlier copy that was cut over and not cleaned up; drop it "
                        + "(or call cleanup() with that copy's journal) first");
            }
            List<String> ours = ours(TableInfo.triggers(c, schema, table), forwardTriggers);
            TableInfo sh = TableInfo.load(c, schema, shadow);
            if (sh != null && ours.size() == forwardTriggers.size()) {
                String why = differsFromAlter();
                if (why != null) {
                    throw refused(name(shadow) + " and its triggers exist but were made for a different ALTER (" + why
                            + "); call abort() with the old settings, or drop them, then start again");
                }
                forward = sync(table, shadow);
                if (st != State.PREPARED && st != State.COPIED && st != State.READY) {
                    journal.watermark(null, 0);
                    journal.state(State.PREPARED.label());
                }
                listener.log("resuming the copy of " + name(table) + ": shadow and triggers exist, state " + state().label()
                        + ", watermark " + journal.watermark() + ", " + journal.rowsCopied() + " rows copied before");
                return;
            }
            if (sh != null || !ours.isEmpty()) {
                listener.log("dropping leftovers of an unfinished earlier run on " + name(table));
                dropTriggers(ours);
                ddl("DROP TABLE IF EXISTS " + qn(shadow), "drop the old shadow");
            }
            journal.watermark(null, 0);
            verified = false;
            createShadow(src);
            try {
                forward = sync(table, shadow);
                createTriggers(table, shadow, forward, forwardTriggers);
            } catch (SQLException | RuntimeException e) {
                dropQuietly();
                throw e;
            }
            journal.state(State.PREPARED.label());
            listener.log("prepared " + name(shadow) + " and triggers on " + name(table) + "; key " + q(keyColumn) + " ("
                    + keyKind + "), columns copied: " + String.join(", ", forward.columns()));
        }
    }

    private void checkSource(TableInfo t) throws SQLException {
        if (!"InnoDB".equalsIgnoreCase(t.engine)) {
            throw refused("its engine is " + t.engine + "; only InnoDB tables can be copied online (triggers and copy "
                    + "must share transactions)");
        }
        if (t.tableType != null && t.tableType.toUpperCase(Locale.ROOT).contains("VERSIONED")) {
            throw refused("it is system-versioned; the copy cannot write its history columns. Use native DDL");
        }
        chooseKey(t);
        List<String> others = new ArrayList<>(TableInfo.triggers(c, schema, table));
        others.removeAll(forwardTriggers);
        if (!others.isEmpty()) {
            throw refused("it has triggers (" + String.join(", ", others) + "); MySQL 5.7+/MariaDB 10.2+ would allow ours "
                    + "beside them, but theirs would stay on the old table at cut-over and the new table would have none. "
                    + "Drop them and re-create them after the cut-over, or use native DDL");
        }
        List<String> children = TableInfo.referencingForeignKeys(c, schema, table);
        if (!children.isEmpty()) {
            throw refused("foreign keys of other tables reference it (" + String.join(", ", children) + "); after the copy "
                    + "they would point at the old table. Foreign keys are not supported by the copy yet: drop them and "
                    + "re-add them after the cut-over, or use native DDL");
        }
        List<String> own = TableInfo.ownForeignKeys(c, schema, table);
        if (!own.isEmpty()) {
            throw refused("it has foreign keys (" + String.join(", ", own) + "); foreign keys are not supported by the copy "
                    + "yet: drop them and re-add them after the cut-over, or use native DDL");
        }
    }

    /** The key the copy walks: the primary key, else the first single-column UNIQUE key whose column is NOT NULL. */
    private void chooseKey(TableInfo t) {
        UniqueIndex key = null;
        UniqueIndex composite = null;
        for (UniqueIndex u : t.uniques) {
            boolean notNull = u.columns().stream().allMatch(n -> n != null && t.column(n) != null && !t.column(n).nullable());
            if (!u.wholeColumns() || !(u.primary() || notNull)) {
                if (u.primary()) {
                    throw refused("its PRIMARY KEY uses a column prefix or an expression; the copy needs whole columns");
                }
                continue;
            }
            if (u.columns().size() > 1) {
                if (u.primary()) {
                    throw refused("its PRIMARY KEY is composite (" + String.join(", ", u.columns()) + "); composite keys "
                            + "are not supported by the copy yet. Use native DDL, or add a single-column UNIQUE NOT NULL key");
                }
                composite = composite == null ? u : composite;
                continue;
            }
            key = u;
            break;
        }
        if (key == null) {
            throw refused(composite != null
                    ? "its only NOT NULL UNIQUE keys are composite (" + composite.name() + "); composite keys are not "
                    + "supported by the copy yet. Add a PRIMARY KEY or use native DDL"
                    : "it has no PRIMARY KEY and no NOT NULL UNIQUE key, so rows cannot be matched between the copies. "
                    + "Add a PRIMARY KEY first (ALTER TABLE ... ADD COLUMN id BIGINT ... , ADD PRIMARY KEY) or use native DDL");
        }
        Column col = t.column(key.columns().get(0));
        KeyKind kind = KeyKind.of(col.dataType());
        if (kind == null) {
            throw refused("its key column " + q(col.name()) + " is " + col.columnType() + ", which cannot be walked in "
                    + "key order reliably (FLOAT/DOUBLE, ENUM/SET, BIT...). Use native DDL");
        }
        keyColumn = col.name();
        keyKind = kind;
        integerKey = Set.of("tinyint", "smallint", "mediumint", "int", "integer", "bigint").contains(col.dataType());
    }

    private void createShadow(TableInfo src) throws SQLException {
        ddl("CREATE TABLE " + qn(shadow) + " LIKE " + qn(table), "create the shadow");
        try {
            exec("ALTER TABLE " + qn(shadow) + " " + alter);
        } catch (SQLException e) {
            dropQuietly();
            throw new OnlineCopyException.Refused("the ALTER fails on an empty copy of " + name(table) + ", so no row was "
                    + "copied and the table is unchanged: " + e.getMessage() + " (error " + e.getErrorCode()
                    + "). Fix the ALTER clauses.", e);
        }
        try {
            TableInfo sh = TableInfo.load(c, schema, shadow);
            if (sh == null) {
                throw refused("the ALTER renamed the shadow table away; pass only column, index and option clauses");
            }
            if (!"InnoDB".equalsIgnoreCase(sh.engine)) {
                throw refused("the ALTER changes the engine to " + sh.engine + "; the online copy needs InnoDB on both sides");
            }
            if (!TableInfo.ownForeignKeys(c, schema, shadow).isEmpty()) {
                throw refused("the ALTER adds foreign keys, which the copy does not support yet; add them after the cut-over");
            }
            Long next = autoIncrement(table);
            if (next != null && sh.hasAutoIncrement()) {
                // CREATE TABLE ... LIKE starts the counter at 1; keep ids deleted from the end of t from being reused
                exec("ALTER TABLE " + qn(shadow) + " AUTO_INCREMENT = " + next);
            }
        } catch (SQLException | RuntimeException e) {
            dropQuietly();
            throw e;
        }
    }

    /** Null when the existing shadow has the definition the ALTER gives an empty copy of the table, else a reason. */
    private String differsFromAlter() throws SQLException {
        try {
            ddl("DROP TABLE IF EXISTS " + qn(probe), "drop the probe");
            ddl("CREATE TABLE " + qn(probe) + " LIKE " + qn(table), "create the probe");
            try {
                exec("ALTER TABLE " + qn(probe) + " " + alter);
            } catch (SQLException e) {
                return "the ALTER now fails: " + e.getMessage();
            }
            String want = normalizedDefinition(probe);
            String have = normalizedDefinition(shadow);
            return want.equals(have) ? null : "its definition differs from what the ALTER gives";
        } finally {
            exec("DROP TABLE IF EXISTS " + qn(probe));
        }
    }

    private String normalizedDefinition(String t) throws SQLException {
        String ddl = queryString("SHOW CREATE TABLE " + qn(t), 2);
        return ddl.replace("CREATE TABLE " + q(t), "CREATE TABLE x").replaceAll("\\s*AUTO_INCREMENT=\\d+", "");
    }

    private Long autoIncrement(String t) throws SQLException {
        Matcher m = Pattern.compile("\\)\\s*ENGINE=[^\\n]*?\\bAUTO_INCREMENT=(\\d+)").matcher(queryString("SHOW CREATE TABLE " + qn(t), 2));
        return m.find() ? Long.valueOf(m.group(1)) : null;
    }

    /**
     * The columns copied from {@code from} to {@code to} and how the checksum reads them. Both tables must have a unique
     * index on exactly the key column.
     */
    private Sync sync(String from, String to) throws SQLException {
        TableInfo f = TableInfo.load(c, schema, from);
        TableInfo t = TableInfo.load(c, schema, to);
        if (f == null || t == null) {
            throw new OnlineCopyException("the copy of " + name(table) + " is missing " + name(f == null ? from : to)
                    + "; call abort() (or cleanup()) and start again");
        }
        if (keyColumn == null) {
            chooseKey(f);
        }
        UniqueIndex fi = f.uniqueOn(keyColumn);
        UniqueIndex ti = t.uniqueOn(keyColumn);
        Column tk = t.column(keyColumn);
        if (fi == null || ti == null || tk == null || tk.generated() || tk.nullable() && !ti.primary()) {
            throw refused("the new definition has no PRIMARY KEY or NOT NULL UNIQUE key on exactly " + q(keyColumn)
                    + ", which the copy matches rows by; keep that key, or use native DDL");
        }
        List<String> cols = new ArrayList<>();
        List<String> fs = new ArrayList<>();
        List<String> ts = new ArrayList<>();
        List<Boolean> flags = new ArrayList<>();
        for (Column fc : f.columns) {
            Column tc = t.column(fc.name());
            if (tc == null || tc.generated()) {
                continue;
            }
            cols.add(fc.name());
            fs.add(fc.checksumExpr(tc));
            ts.add(tc.checksumExpr(fc));
            flags.add(needsNullFlag(fc, tc, fs.get(fs.size() - 1), ts.get(ts.size() - 1)));
        }
        return new Sync(from, to, fi.name(), ti.name(), List.copyOf(cols), List.copyOf(fs), List.copyOf(ts),
                List.copyOf(flags));
    }

    /**
     * CONCAT_WS skips NULLs, so the checksum marks which values are NULL, but only where one can be: a column NOT NULL
     * on both sides needs no mark unless its checksum expression can turn a value into NULL (a temporal CAST of a
     * zero date). Each mark evaluates the expression a second time, which made up about 40% of the checksum's CPU.
     */
    static boolean needsNullFlag(Column from, Column to, String fromSum, String toSum) {
        return from.nullable() || to.nullable() || mayYieldNull(fromSum) || mayYieldNull(toSum);
    }

    private static boolean mayYieldNull(String sumExpr) {
        return !(sumExpr.startsWith("`") || sumExpr.startsWith("CONVERT(") || sumExpr.matches(".* AS DECIMAL\\(\\d+,\\d+\\)\\)")
                || sumExpr.endsWith(" AS DOUBLE)"));
    }

    /** Creates the missing ones of the three triggers; returns how many it created. */
    private int createTriggers(String on, String into, Sync s, List<String> names) throws SQLException {
        String k = q(keyColumn);
        String target = qn(into);
        String cols = s.columns().stream().map(OnlineTableCopy::q).collect(Collectors.joining(", "));
        String values = s.columns().stream().map(n -> "NEW." + q(n)).collect(Collectors.joining(", "));
        String replace = "REPLACE INTO " + target + " (" + cols + ") VALUES (" + values + ")";
        String del = "DELETE IGNORE FROM " + target + " WHERE " + k + " = OLD." + k;
        List<String> bodies = List.of(
                "AFTER DELETE ON " + qn(on) + " FOR EACH ROW " + del,
                "AFTER UPDATE ON " + qn(on) + " FOR EACH ROW BEGIN IF NOT (OLD." + k + " <=> NEW." + k + ") THEN " + del
                        + "; END IF; " + replace + "; END",
                "AFTER INSERT ON " + qn(on) + " FOR EACH ROW " + replace);
        List<String> existing = TableInfo.triggers(c, schema, on);
        String mode = queryString("SELECT @@SESSION.sql_mode", 1);
        // a trigger keeps the sql_mode it was created with: without STRICT, a value the new type cannot hold is
        // converted with a warning instead of failing the application's statement (the checksum then catches it)
        String lenient = List.of(mode.split(",")).stream()
                .filter(m -> !m.equals("STRICT_TRANS_TABLES") && !m.equals("STRICT_ALL_TABLES") && !m.equals("TRADITIONAL"))
                .collect(Collectors.joining(","));
        setSqlMode(lenient);
        int created = 0;
        try {
            for (int i = 0; i < names.size(); i++) {
                if (!existing.contains(names.get(i))) {
                    ddl("CREATE TRIGGER " + qn(names.get(i)) + " " + bodies.get(i), "create trigger " + names.get(i));
                    created++;
                }
            }
        } finally {
            setSqlMode(mode);
        }
        return created;
    }

    private void setSqlMode(String mode) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SET SESSION sql_mode = ?")) {
            ps.setString(1, mode);
            ps.execute();
        }
    }

    // ------------------------------------------------------------------------------------------------ copy

    /**
     * Copies the rows from the journalled watermark up to the largest key present when the copy starts (rows inserted
     * after that reach the shadow through the trigger). Each chunk is one transaction. On an integer key (see
     * {@link #copySpan}) it is a key span: one {@code INSERT IGNORE ... SELECT ... LOCK IN SHARE MODE NOWAIT} per part
     * of about {@value #STATEMENT_TARGET_MS} ms (each taking its rows' share locks, never waiting for a lock while it
     * holds the AUTO-INC lock), then COMMIT; a span wider than twice the rows asked (a sparse key) is first
     * share-locked and counted by {@code SELECT COUNT(*) ... LOCK IN SHARE MODE}, and narrowed when it holds too many
     * rows. On other keys (and to retry a span chunk after a lock wait timeout or deadlock):
     * <ol>
     * <li>{@code SELECT key ... WHERE key > watermark AND key <= max ORDER BY key LIMIT 1 OFFSET n-1 LOCK IN SHARE MODE}
     * share-locks the chunk's n rows (a locking read locks the rows OFFSET skips too) and returns its upper bound;</li>
     * <li>{@code INSERT IGNORE INTO shadow (cols) SELECT cols FROM t FORCE INDEX(key) WHERE key > ? AND key <= ?
     * ORDER BY key LIMIT n LOCK IN SHARE MODE};</li>
     * <li>COMMIT, then the watermark goes to the journal.</li>
     * </ol>
     * Each committed chunk is then checksummed (see {@link ChunkChecker}); after the last one, the rows inserted above
     * the copied range during the copy, and on a resumed copy the rows an earlier run copied, are compared too, so a
     * later {@link #cutOver()} needs no further pass.
     * <b>Why the share lock.</b> With a plain consistent read, the copy could read row r, then the application deletes
     * r (the trigger deletes nothing: r is not in the shadow yet) and commits, then the copy inserts its stale r: a row
     * that no longer exists would survive in the shadow (same for the old key of a key-changing UPDATE). The share lock
     * makes the DELETE wait until the chunk has committed, so the trigger then finds and deletes the copied row. (Under
     * REPEATABLE READ InnoDB takes these locks for INSERT ... SELECT anyway; the clause makes it explicit and keeps it
     * so under READ COMMITTED.) An UPDATE of a copied row is safe either way: REPLACE overwrites, and INSERT IGNORE
     * never overwrites a row the trigger wrote.
     * <p><b>Why lock first, and why the LIMIT.</b> With {@code innodb_autoinc_lock_mode=1} (MariaDB's default) an
     * INSERT ... SELECT into a table with an AUTO_INCREMENT column holds that table's AUTO-INC lock until it ends, even
     * with explicit ids, and every trigger REPLACE into the shadow waits for it: any application INSERT or UPDATE
     * during the chunk waits up to the chunk's duration (hence short chunks). If the INSERT then also had to wait for
     * a row such a waiting writer holds, the two would deadlock and InnoDB would roll back the application's
     * transaction (the deadlocks measured with pt-online-schema-change). So the rows are locked before the INSERT
     * starts, and the INSERT reads exactly those rows: without {@code LIMIT n} its range scan would go on to read and
     * lock the first row after the range (verified: an UPDATE of that row is then chosen as deadlock victim). What
     * remains is a multi-row application statement that touches a row outside the chunk and then one inside it while
     * the AUTO-INC lock changes hands; {@code innodb_autoinc_lock_mode=2} (MySQL 8's default) removes the AUTO-INC
     * lock altogether.
     */
    public void copy() throws SQLException {
        ensurePrepared();
        try (Session s = new Session()) {
            State st = state();
            if (st != State.PREPARED) {
                listener.log("copy of " + name(table) + " already done (state " + st.label() + ")");
                return;
            }
            long start = System.nanoTime();
            pausedNanos = 0;
            String max = maxKey();
            long estimate = estimateRows();
            String wm = journal.watermark();
            String resumedAt = wm;
            keysPerRow = 0;
            statementRetries = 0;
            long total = journal.rowsCopied();
            ChunkSizer sizer = new ChunkSizer(o.chunkTargetMs(), o.initialChunk(), o.maxChunk());
            long rows = 0;
            int chunks = 0;
            int first = 0;
            int largest = 0;
            int last = 0;
            int retries = 0;
            listener.log("copying " + name(table) + " (about " + estimate + " rows) from "
                    + (wm == null ? "the start" : "watermark " + wm) + " to " + max
                    + (helpers == null ? "" : ", checksumming each chunk on a second connection"));
            verified = false;
            copyChecksum = null;
            try (ChunkChecker checker = new ChunkChecker(forward)) {
            while (max != null) {
                throttle();
                guarded(wm);
                if (Thread.currentThread().isInterrupted()) {
                    throw new OnlineCopyException("copy of " + name(table) + " interrupted at watermark " + wm
                            + "; the table is unchanged, triggers keep the shadow current: prepare() and copy() resume");
                }
                Chunk ch = null;
                int n = 0;
                long t0 = System.nanoTime();
                for (int attempt = 1; ch == null; attempt++) {
                    n = sizer.size();
                    try {
                        // first without waiting for any row lock; after a conflict, lock the chunk's rows first
                        ch = integerKey && attempt == 1 ? copySpan(forward, wm, max, n) : copyRange(forward, wm, max, n, false);
                    } catch (SQLException e) {
                        if (!retryable(e) || attempt >= CHUNK_RETRIES) {
                            throw e;
                        }
                        retries++;
                        if (attempt > 1) {
                            listener.log("chunk after " + wm + " hit " + e.getMessage() + "; retrying smaller");
                            sizer.shrink();
                            sleep(backoff(attempt));
                        }
                    }
                }
                if (ch.last() == null) {
                    break;
                }
                long nanos = System.nanoTime() - t0;
                listener.chunk(ch.last(), ch.rows(), nanos);
                checker.submit(wm, ch.last());
                wm = ch.last();
                total += ch.rows();
                rows += ch.rows();
                journal.watermark(wm, total);
                chunks++;
                first = first == 0 ? n : first;
                largest = Math.max(largest, n);
                last = n;
                // a chunk short of the end counts as full: a key span holds about, not exactly, n rows
                sizer.observe(ch.sized(), ch.end() ? n : Math.min(n, ch.sized()), nanos);
                stats = new Stats(rows, chunks, first, largest, last, (System.nanoTime() - start) / 1_000_000,
                        pausedNanos / 1_000_000, retries);
                listener.progress(total, estimate, n);
                if (ch.end()) {
                    break;
                }
            }
            stats = new Stats(rows, chunks, first, largest, last, (System.nanoTime() - start) / 1_000_000,
                    pausedNanos / 1_000_000, retries);
            listener.log("copied " + rows + " rows of " + name(table) + " in " + chunks + " chunks, " + stats.millis()
                    + " ms (" + stats.rowsPerSecond() + " rows/s), chunk " + first + " → " + last + " (largest " + largest
                    + "), paused " + stats.pausedMillis() + " ms, retries " + retries + " (chunks) + " + statementRetries
                    + " (statements)");
            copyChecksum = finishChecks(checker, resumedAt, wm);
            }
            verified = true;
            journal.state(State.COPIED.label());
        }
    }

    /**
     * Completes the comparison that ran beside the copy: waits for the chunk checks, copies each differing chunk again
     * and compares it once more, then compares what the chunks did not cover: keys above the last chunk (inserted
     * during the copy) and, for a resumed copy, the keys an earlier run copied.
     */
    private ChecksumResult finishChecks(ChunkChecker checker, String resumedAt, String watermark) throws SQLException {
        long t0 = System.nanoTime();
        List<String[]> differing = checker.finish();
        List<String> repaired = new ArrayList<>();
        for (String[] r : differing) {
            listener.log("checksum: " + q(keyColumn) + " range " + show(r[0], r[1]) + " differs; copying it again");
            repairAndCompare(forward, r[0], r[1]);
            repaired.add(show(r[0], r[1]));
        }
        ChecksumResult tail = verify(forward, watermark, null);
        ChecksumResult head = resumedAt == null ? null : verify(forward, null, resumedAt);
        repaired.addAll(tail.repaired());
        int chunks = checker.chunks() + tail.chunks() + (head == null ? 0 : head.chunks());
        long rows = checker.rows() + tail.rows() + (head == null ? 0 : head.rows());
        long waited = (System.nanoTime() - t0) / 1_000_000;
        if (head != null) {
            repaired.addAll(head.repaired());
        }
        ChecksumResult r = new ChecksumResult(chunks, rows, repaired, checker.millis() + waited);
        listener.log("checksum " + name(table) + " = " + name(shadow) + ": " + rows + " rows in " + chunks + " chunks ("
                + checker.chunks() + " beside the copy, " + checker.millis() + " ms; " + waited + " ms after it)"
                + (repaired.isEmpty() ? "" : ", re-copied " + repaired));
        return r;
    }

    /**
     * Checksums each chunk right after its commit, while its pages are still in the buffer pool: in a thread on its
     * own connection when {@link #withHelperConnections helper connections} are given (copy and checksum then run on
     * two server threads), else on the copy's connection between chunks. A check compares both tables over the
     * chunk's key range in one consistent snapshot. That is valid while the copy goes on: the triggers change the
     * shadow in the application's own transaction, so any snapshot sees both tables at the same point, and the copy
     * share-locked the chunk's rows while writing it, so no stale row can reach the shadow after the check.
     */
    private final class ChunkChecker implements AutoCloseable {
        private static final String[] END = new String[0];
        private final Sync s;
        private final BlockingQueue<String[]> queue = new LinkedBlockingQueue<>();
        private final List<String[]> differing = new ArrayList<>();
        private final Connection own;
        private final Thread thread;
        private volatile Throwable failure;
        private int chunks;
        private long rows;
        private long nanos;

        ChunkChecker(Sync s) {
            this.s = s;
            this.own = helperConnection();
            if (own == null) {
                thread = null;
                return;
            }
            thread = new Thread(this::run, "zerodown-checksum-" + table);
            thread.setDaemon(true);
            thread.start();
        }

        /** A second connection for the checks, or null (none given, or it cannot be opened: then they run inline). */
        private Connection helperConnection() {
            if (helpers == null) {
                return null;
            }
            Connection h = null;
            try {
                h = helpers.open();
                h.setAutoCommit(true);
                h.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                return h;
            } catch (SQLException e) {
                listener.log("no second connection for the checksum (" + e.getMessage() + "); checking each chunk "
                        + "between chunks instead");
                try {
                    if (h != null) {
                        h.close();
                    }
                } catch (SQLException ignored) {
                    // it could not be set up; nothing to keep
                }
                return null;
            }
        }

        void submit(String lower, String upper) throws SQLException {
            if (own == null) {
                check(c, lower, upper);
                return;
            }
            rethrow();
            queue.add(new String[] {lower, upper});
        }

        private void run() {
            try {
                while (true) {
                    String[] r = queue.take();
                    if (r == END) {
                        return;
                    }
                    check(own, r[0], r[1]);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Throwable t) {
                failure = t;
            }
        }

        private void check(Connection on, String lower, String upper) throws SQLException {
            long t0 = System.nanoTime();
            Sum[] ab = sumsInSnapshot(on, s, lower, upper);
            synchronized (this) {
                chunks++;
                rows += ab[0].count();
                nanos += System.nanoTime() - t0;
                if (!ab[0].equals(ab[1])) {
                    differing.add(new String[] {lower, upper});
                }
            }
        }

        /** Waits for every submitted check; returns the ranges that differed. */
        List<String[]> finish() throws SQLException {
            if (thread != null) {
                queue.add(END);
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new OnlineCopyException("interrupted while waiting for the checksum of " + name(table)
                            + "; the table is unchanged, prepare() and copy() resume");
                }
                rethrow();
            }
            synchronized (this) {
                return new ArrayList<>(differing);
            }
        }

        private void rethrow() throws SQLException {
            Throwable f = failure;
            if (f instanceof SQLException e) {
                throw e;
            }
            if (f instanceof RuntimeException e) {
                throw e;
            }
            if (f != null) {
                throw new OnlineCopyException("the checksum beside the copy of " + name(table) + " failed: " + f, f);
            }
        }

        synchronized int chunks() {
            return chunks;
        }

        synchronized long rows() {
            return rows;
        }

        synchronized long millis() {
            return nanos / 1_000_000;
        }

        @Override
        public void close() {
            if (thread != null && thread.isAlive()) {
                thread.interrupt();
                try {
                    thread.join(5_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (own != null) {
                try {
                    own.close();
                } catch (SQLException ignored) {
                    // closing a helper connection that is already gone
                }
            }
        }
    }

    /**
     * One transaction copying a key range from {@code s.from} to {@code s.to}: share-lock the source rows of
     * {@code (lower, upper]} (at most {@code limit} of them when given), optionally delete the target's range, copy.
     */
    private Chunk copyRange(Sync s, String lower, String upper, Integer limit, boolean replaceTarget) throws SQLException {
        String k = q(keyColumn);
        c.setAutoCommit(false);
        try {
            int count = 0;
            String last = null;
            String scan = "SELECT " + k + " FROM " + qn(s.from()) + " FORCE INDEX (" + q(s.fromIndex()) + ") WHERE "
                    + range(lower, upper) + " ORDER BY " + k;
            if (limit != null) {
                // a locking read locks every row it reads, the ones OFFSET skips too: this locks the chunk's rows and
                // returns only its last key
                try (PreparedStatement ps = c.prepareStatement(scan + " LIMIT 1 OFFSET " + (limit - 1) + " LOCK IN SHARE MODE")) {
                    bindRange(ps, lower, upper);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            count = limit;
                            last = keyKind.read(rs, 1);
                        }
                    }
                }
            }
            if (last == null) { // fewer rows than a chunk remain (or a repair): lock them all and count them
                try (PreparedStatement ps = c.prepareStatement(scan + " LOCK IN SHARE MODE")) {
                    bindRange(ps, lower, upper);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            count++;
                            last = keyKind.read(rs, 1);
                        }
                    }
                }
            }
            String hi = limit == null ? upper : last;
            if (replaceTarget) {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + qn(s.to()) + " WHERE " + range(lower, upper))) {
                    bindRange(ps, lower, upper);
                    ps.executeUpdate();
                }
            }
            if (count > 0) {
                // LIMIT: the rows are locked and counted already; without it the scan would go on to read and lock
                // the first row after the range while holding the shadow's AUTO-INC lock, and an UPDATE of that row
                // (its trigger needs the AUTO-INC lock) would deadlock with us
                String cols = s.columns().stream().map(OnlineTableCopy::q).collect(Collectors.joining(", "));
                String insert = "INSERT IGNORE INTO " + qn(s.to()) + " (" + cols + ") SELECT " + cols + " FROM "
                        + qn(s.from()) + " FORCE INDEX (" + q(s.fromIndex()) + ") WHERE " + range(lower, hi)
                        + " ORDER BY " + k + " LIMIT " + count + " LOCK IN SHARE MODE";
                try (PreparedStatement ps = c.prepareStatement(insert)) {
                    bindRange(ps, lower, hi);
                    ps.executeUpdate();
                    checkWarnings(ps.getWarnings(), s, lower, hi);
                }
            }
            c.commit();
            return new Chunk(count, count, last, limit != null && count < limit);
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly();
            throw e;
        } finally {
            if (!c.isClosed()) {
                c.setAutoCommit(true);
            }
        }
    }

    /**
     * For an integer key: the chunk is the key span {@code (lower, lower + n × keys per row]}, so no boundary read
     * (an OFFSET scan) is needed. The keys per row are learnt from the chunks before, so a sparse key space (deleted
     * rows, an AUTO_INCREMENT step) still gives chunks of about n rows; a span with no row doubles the next one. The
     * span is copied by several short INSERTs in one transaction (see {@link #insertSpan}).
     */
    private Chunk copySpan(Sync s, String lower, String max, int n) throws SQLException {
        java.math.BigInteger top = new java.math.BigInteger(max);
        java.math.BigInteger from;
        if (lower != null) {
            from = new java.math.BigInteger(lower);
        } else {
            String min = queryString("SELECT MIN(" + q(keyColumn) + ") FROM " + qn(table), 1);
            from = (min == null ? top : new java.math.BigInteger(min)).subtract(java.math.BigInteger.ONE);
        }
        if (keysPerRow <= 0) {
            // start dense: a sparse key space then gives a smaller first chunk, never a larger one (the row estimate
            // of information_schema can be far too low, which would make the first span the whole table)
            keysPerRow = 1.0;
        }
        while (true) {
        java.math.BigInteger span = java.math.BigInteger.valueOf(Math.max(1L, (long) Math.ceil(n * keysPerRow)));
        java.math.BigInteger hi = from.add(span);
        boolean end = hi.compareTo(top) >= 0;
        String upper = end ? max : hi.toString();
        // split into statements of about STATEMENT_TARGET_MS each (see insertSpan)
        int parts = (int) Math.max(1, Math.min(64, Math.round(o.chunkTargetMs() / (double) STATEMENT_TARGET_MS)));
        java.math.BigInteger last = new java.math.BigInteger(upper);
        java.math.BigInteger width = last.subtract(from);
        List<String> uppers = new ArrayList<>();
        for (int i = 1; i < parts; i++) {
            java.math.BigInteger b = from.add(width.multiply(java.math.BigInteger.valueOf(i)).divide(java.math.BigInteger.valueOf(parts)));
            if (b.compareTo(from) > 0 && (uppers.isEmpty() || b.compareTo(new java.math.BigInteger(uppers.get(uppers.size() - 1))) > 0)
                    && b.compareTo(last) < 0) {
                uppers.add(b.toString());
            }
        }
        uppers.add(upper);
        // an integer span of w keys holds at most w rows: when w is within the limit no span can overshoot it, so
        // the locking pre-scan (there to count the span's rows and give up on one far too large) is not needed
        long maxRows = 2L * n;
        boolean prescan = span.compareTo(java.math.BigInteger.valueOf(maxRows)) > 0;
        Chunk ch = insertSpan(s, lower, uppers, end, maxRows, prescan);
        if (ch.last() == null) {
            // far more rows than asked (a dense stretch after a sparse one): narrow the span to about n rows
            keysPerRow = Math.max(1.0, span.doubleValue() / ch.rows());
            continue;
        }
        double seen = ch.rows() == 0 ? keysPerRow * 2 : span.doubleValue() / ch.rows();
        // at most doubling per chunk: out of a sparse stretch (deleted rows, keys moved away) into a dense one, the
        // span overshoots by a factor of two at worst
        keysPerRow = Math.max(1.0, Math.min(2 * keysPerRow, 0.5 * keysPerRow + 0.5 * seen));
        // the sizer compares rows with the rows asked: a span chunk counts as full unless it is the last
        return end ? ch : new Chunk(ch.rows(), ch.rows(), ch.last(), false);
        }
    }

    /**
     * Copies {@code (lower, uppers[last]]} in one transaction, one INSERT per {@code (uppers[i-1], uppers[i]]}: with
     * {@code innodb_autoinc_lock_mode=1} each INSERT ... SELECT holds the shadow's AUTO-INC lock until it ends, and
     * every application write that the triggers copy into the shadow waits for it, so short statements (not short
     * transactions) are what keeps the application's writes fast.
     */
    /**
     * Returns a chunk without a last key (nothing copied) when the span holds more than {@code maxRows} rows; that is
     * only known with {@code prescan}, which the caller asks for when the span is wider than {@code maxRows} keys.
     * Without it the chunk's rows are counted from what the INSERTs inserted (rows a trigger wrote first not included).
     */
    private Chunk insertSpan(Sync s, String lower, List<String> uppers, boolean end, long maxRows, boolean prescan)
            throws SQLException {
        String hi = uppers.get(uppers.size() - 1);
        String cols = s.columns().stream().map(OnlineTableCopy::q).collect(Collectors.joining(", "));
        c.setAutoCommit(false);
        try {
            int locked = 0;
            if (prescan) {
                // share-lock the whole chunk first, waiting as usual (no AUTO-INC lock is held yet): after this the
                // INSERTs below meet no row lock of the application, so none of them can wait for one while it holds
                // the AUTO-INC lock, which is how pt-online-schema-change's chunks deadlock with application inserts
                // at most maxRows + 1 rows: a span that holds far more is given up after locking only that many (a
                // long locking scan in key order is what deadlocks with an application that changes keys)
                try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM (SELECT " + q(keyColumn) + " FROM "
                        + qn(s.from()) + " FORCE INDEX (" + q(s.fromIndex()) + ") WHERE " + range(lower, hi) + " ORDER BY "
                        + q(keyColumn) + " LIMIT " + (maxRows + 1) + " LOCK IN SHARE MODE) span")) {
                    bindRange(ps, lower, hi);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        locked = rs.getInt(1);
                    }
                }
            }
            if (prescan && locked > maxRows && uppers.size() > 0 && !(lower == null && locked == 0)) {
                c.rollback();
                return new Chunk(locked, locked, null, false);
            }
            String from = lower;
            int inserted = 0;
            for (String to : uppers) {
                // NOWAIT: these statements take the share locks themselves (without a pre-scan) and may meet an
                // application's row lock, or a gap lock in the shadow taken by a trigger's DELETE of a key not copied
                // yet; waiting for either while holding the AUTO-INC lock deadlocks with that application statement's
                // REPLACE, so they never wait. A lock wait timeout rolls back only the statement
                // (innodb_rollback_on_timeout=OFF), so it is tried again a moment later, keeping the chunk's locks.
                String insert = "INSERT IGNORE INTO " + qn(s.to()) + " (" + cols + ") SELECT " + cols + " FROM "
                        + qn(s.from()) + " FORCE INDEX (" + q(s.fromIndex()) + ") WHERE " + range(from, to) + " ORDER BY "
                        + q(keyColumn) + (isMariaDb() ? " LOCK IN SHARE MODE NOWAIT" : " FOR SHARE NOWAIT");
                for (int attempt = 1; ; attempt++) {
                    try (PreparedStatement ps = c.prepareStatement(insert)) {
                        bindRange(ps, from, to);
                        inserted += ps.executeUpdate();
                        checkWarnings(ps.getWarnings(), s, from, to);
                        break;
                    } catch (SQLException e) {
                        boolean timeout = e.getErrorCode() == ER_LOCK_WAIT_TIMEOUT || e.getErrorCode() == ER_LOCK_NOWAIT;
                        if (!timeout || attempt >= STATEMENT_RETRIES || rollbackOnTimeout()) {
                            throw e;
                        }
                        statementRetries++;
                        sleep(attempt);
                    }
                }
                from = to;
            }
            c.commit();
            // with the pre-scan: the rows in the range, the ones the triggers wrote first included (INSERT IGNORE does
            // not count those)
            int rows = prescan ? locked : inserted;
            return new Chunk(rows, rows, hi, end);
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly();
            throw e;
        } finally {
            if (!c.isClosed()) {
                c.setAutoCommit(true);
            }
        }
    }

    private boolean reverting(Sync s) {
        return s.to().equals(old);
    }

    private void repair(Sync s, String lower, String upper) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try {
                copyRange(s, lower, upper, null, true);
                return;
            } catch (SQLException e) {
                if (!retryable(e) || attempt >= CHUNK_RETRIES) {
                    throw e;
                }
                sleep(backoff(attempt));
            }
        }
    }

    /** A warning of the copy other than a duplicate of the key means a value changed: stop, as strict mode would. */
    private void checkWarnings(SQLWarning w, Sync s, String lower, String upper) {
        List<String> changed = new ArrayList<>();
        for (; w != null; w = w.getNextWarning()) {
            String msg = String.valueOf(w.getMessage());
            if (w.getErrorCode() == 1062 && (msg.endsWith("'" + s.toIndex() + "'") || msg.endsWith("." + s.toIndex() + "'"))) {
                continue; // the trigger wrote this row first; it is newer than ours
            }
            if (HARMLESS_WARNINGS.contains(w.getErrorCode())) {
                continue;
            }
            if (changed.size() < 3) {
                changed.add(msg + " (" + w.getErrorCode() + ")");
            }
        }
        if (!changed.isEmpty()) {
            throw new OnlineCopyException("copying " + name(s.from()) + " into " + name(s.to()) + " would change data in "
                    + q(keyColumn) + " range " + show(lower, upper) + ": " + String.join("; ", changed) + ". "
                    + (reverting(s) ? "Rows written since the cut-over do not fit the old definition, so revert() would "
                    + "lose data; " + name(table) + " keeps the new definition and " + name(old) + " stays in sync for "
                    + "the rows that fit. Change those rows, or keep the new definition (cleanup())"
                    : "The native ALTER would fail or change the same values. Nothing was cut over and " + name(table)
                    + " is unchanged; fix the data or the ALTER, then abort() and start again"));
        }
    }

    // ------------------------------------------------------------------------------------------------ checksum

    /**
     * Compares the table and the shadow chunk by chunk, each chunk in its own consistent snapshot (the triggers write
     * the shadow in the application's transaction, so one snapshot sees both sides at the same point). A chunk that
     * differs is copied again (its shadow range deleted and re-copied under share locks) and compared once more; a
     * second difference throws {@link OnlineCopyException.Mismatch}. The key ranges cover the whole key space, so rows
     * that exist only in the shadow are found too.
     */
    public ChecksumResult checksum() throws SQLException {
        ensurePrepared();
        try (Session s = new Session()) {
            State st = state();
            if (st != State.COPIED && st != State.READY) {
                throw new OnlineCopyException("checksum of " + name(table) + " needs a finished copy (state is "
                        + st.label() + "); call copy() first");
            }
            ChecksumResult r = verify(forward, null, null);
            verified = true;
            return r;
        }
    }

    /** Compares the key ranges above {@code from} up to {@code to} (null: no bound) chunk by chunk. */
    private ChecksumResult verify(Sync s, String from, String to) throws SQLException {
        long start = System.nanoTime();
        ChunkSizer sizer = new ChunkSizer(o.chunkTargetMs(), o.initialChunk(), o.maxChunk());
        String lower = from;
        int chunks = 0;
        long rows = 0;
        List<String> repaired = new ArrayList<>();
        while (true) {
            throttle();
            int n = sizer.size();
            long t0 = System.nanoTime();
            String upper = boundary(s, lower, to, n);
            boolean lastRange = upper == null;
            if (lastRange) {
                upper = to;
            }
            Sum[] ab = sumsInSnapshot(c, s, lower, upper);
            if (!ab[0].equals(ab[1])) {
                listener.log("checksum: " + q(keyColumn) + " range " + show(lower, upper) + " differs (" + ab[0].count()
                        + " rows vs " + ab[1].count() + "); copying it again");
                repairAndCompare(s, lower, upper);
                repaired.add(show(lower, upper));
            }
            chunks++;
            rows += ab[0].count();
            sizer.observe((int) Math.min(Integer.MAX_VALUE, ab[0].count()), n, System.nanoTime() - t0);
            if (lastRange) {
                break;
            }
            lower = upper;
        }
        ChecksumResult r = new ChecksumResult(chunks, rows, repaired, (System.nanoTime() - start) / 1_000_000);
        listener.log("checksum " + name(s.from()) + " = " + name(s.to()) + ": " + rows + " rows in " + chunks + " chunks, "
                + r.millis() + " ms" + (repaired.isEmpty() ? "" : ", re-copied " + repaired));
        return r;
    }

    /** Copies a differing range again and compares it once more; a second difference throws Mismatch. */
    private void repairAndCompare(Sync s, String lower, String upper) throws SQLException {
        repair(s, lower, upper);
        Sum[] ab = sumsInSnapshot(c, s, lower, upper);
        if (!ab[0].equals(ab[1])) {
            throw new OnlineCopyException.Mismatch("checksum of " + name(s.from()) + " against " + name(s.to())
                    + ": " + q(keyColumn) + " range " + show(lower, upper) + " still differs after copying it again ("
                    + ab[0].count() + " rows, crc " + ab[0].crc() + " vs " + ab[1].count() + " rows, crc " + ab[1].crc()
                    + "). Some values do not survive the conversion, or something else writes " + name(s.to())
                    + ". Nothing was swapped; inspect the range, then " + (reverting(s) ? "keep the new definition "
                    + "(cleanup()) or fix the rows and call revert() again" : "abort() (or fix and call checksum() again)"));
        }
    }

    /**
     * The n-th key after {@code lower} and not above {@code to}, or null when fewer than n such rows remain (then the
     * last range ends at {@code to}, or is open when {@code to} is null).
     */
    private String boundary(Sync s, String lower, String to, int n) throws SQLException {
        String k = q(keyColumn);
        try (PreparedStatement ps = c.prepareStatement("SELECT " + k + " FROM " + qn(s.from()) + " FORCE INDEX ("
                + q(s.fromIndex()) + ") WHERE " + range(lower, to) + " ORDER BY " + k + " LIMIT 1 OFFSET " + (n - 1))) {
            bindRange(ps, lower, to);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? keyKind.read(rs, 1) : null;
            }
        }
    }

    /**
     * {@code COUNT(*)} and {@code BIT_XOR(CRC32(...))} of the key range in both tables, in one statement inside one
     * consistent snapshot, on connection {@code on} (which must be in autocommit mode).
     */
    private Sum[] sumsInSnapshot(Connection on, Sync s, String lower, String upper) throws SQLException {
        String sql = "SELECT a.n, a.x, b.n, b.x FROM (" + sumQuery(s.from(), s.fromIndex(), s.fromSums(), s.nullFlags(),
                lower, upper) + ") a, (" + sumQuery(s.to(), s.toIndex(), s.toSums(), s.nullFlags(), lower, upper) + ") b";
        try (Statement st = on.createStatement()) {
            st.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
            try (PreparedStatement ps = on.prepareStatement(sql)) {
                int next = bindRange(ps, 1, lower, upper);
                bindRange(ps, next, lower, upper);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new Sum[] {new Sum(rs.getLong(1), rs.getLong(2)), new Sum(rs.getLong(3), rs.getLong(4))};
                }
            } finally {
                st.execute("COMMIT");
            }
        }
    }

    private String sumQuery(String t, String index, List<String> exprs, List<Boolean> nullFlags, String lower,
                            String upper) {
        List<String> flagged = new ArrayList<>();
        for (int i = 0; i < exprs.size(); i++) {
            if (nullFlags.get(i)) {
                flagged.add("ISNULL(" + exprs.get(i) + ")");
            }
        }
        String nulls = flagged.isEmpty() ? "''" : "CONCAT(" + String.join(", ", flagged) + ")";
        String row = "CONCAT_WS('#', " + nulls + (exprs.isEmpty() ? "" : ", " + String.join(", ", exprs)) + ")";
        return "SELECT COUNT(*) n, COALESCE(BIT_XOR(CRC32(" + row + ")), 0) x FROM " + qn(t) + " FORCE INDEX ("
                + q(index) + ") WHERE " + range(lower, upper);
    }

    // ------------------------------------------------------------------------------------------------ cut-over

    /**
     * Verifies (unless {@link #checksum()} already did in this instance), then, unless {@link Options#postponeCutOver()}
     * is set, swaps the tables. Returns {@link State#READY} when postponed ({@link #cutOverNow()} completes it later,
     * also from a new instance with the same journal), else {@link State#CUT_OVER}.
     */
    public State cutOver() throws SQLException {
        return cutOver(o.postponeCutOver());
    }

    /** Cuts over now, whatever {@link Options#postponeCutOver()} says. */
    public State cutOverNow() throws SQLException {
        return cutOver(false);
    }

    private State cutOver(boolean postpone) throws SQLException {
        if (state() == State.CUT_OVER) {
            return State.CUT_OVER;
        }
        ensurePrepared();
        try (Session s = new Session()) {
            State st = state();
            if (st != State.COPIED && st != State.READY) {
                throw new OnlineCopyException("cut-over of " + name(table) + " needs a finished copy (state is " + st.label()
                        + "); call copy() first");
            }
            if (st == State.COPIED && !verified) {
                verify(forward, null, null);
                verified = true;
            }
            if (postpone) {
                journal.state(State.READY.label());
                listener.log(name(table) + " is verified and ready; the triggers keep " + name(shadow)
                        + " current until cutOverNow()");
                return State.READY;
            }
            if (ours(TableInfo.triggers(c, schema, table), forwardTriggers).size() != forwardTriggers.size()) {
                throw new OnlineCopyException("the triggers on " + name(table) + " that keep " + name(shadow) + " current "
                        + "are gone, so the shadow may have missed changes; abort() and start again");
            }
            rename("RENAME TABLE " + qn(table) + " TO " + qn(old) + ", " + qn(shadow) + " TO " + qn(table), "cut-over");
            journal.state(State.CUT_OVER.label());
            listener.log("cut over: " + name(table) + " has the new definition; the old table is " + name(old));
            reverseSync(false);
            return State.CUT_OVER;
        }
    }

    /**
     * After the swap: drop the forward triggers (now on the old table, and pointing at a name that no longer exists)
     * and create reverse triggers on the new table that keep the old one current. Writes in the few milliseconds
     * between the RENAME and the reverse triggers are re-synced by {@link #revert()}, which compares both tables first.
     */
    private void reverseSync(boolean required) throws SQLException {
        try {
            dropTriggersOn(old, ours(TableInfo.triggers(c, schema, old), forwardTriggers));
            Sync back = sync(table, old);
            if (createTriggers(table, old, back, reverseTriggers) > 0) {
                listener.log("reverse triggers keep " + name(old) + " current until cleanup()");
            }
        } catch (SQLException | OnlineCopyException e) {
            if (required) {
                throw e;
            }
            listener.log("reverse triggers could not be created (" + e.getMessage() + "); revert() will create them and "
                    + "re-sync " + name(old) + " before swapping back");
        }
    }

    /** Runs the RENAME with short lock waits and jittered exponential backoff; throws naming the blockers at the end. */
    private void rename(String sql, String what) throws SQLException {
        List<Blocker> seen = List.of();
        for (int attempt = 1; attempt <= o.cutOverAttempts(); attempt++) {
            List<Blocker> blockers = blockers();
            if (!blockers.isEmpty()) {
                seen = blockers;
                listener.log(what + " attempt " + attempt + "/" + o.cutOverAttempts() + ": open transactions "
                        + blockers.stream().map(Blocker::toString).collect(Collectors.joining("; ")));
            }
            if (blockers.stream().anyMatch(Blocker::holdsTableLock)) {
                // known to block: waiting here does not queue the application behind a pending RENAME
                sleep(backoff(attempt));
                continue;
            }
            try {
                exec(sql);
                return;
            } catch (SQLException e) {
                if (e.getErrorCode() != ER_LOCK_WAIT_TIMEOUT) {
                    throw e;
                }
                listener.log(what + " attempt " + attempt + " timed out after " + o.lockWaitTimeoutSeconds() + " s");
                if (attempt < o.cutOverAttempts()) {
                    sleep(backoff(attempt));
                }
            }
        }
        throw new OnlineCopyException.Blocked(what + " of " + name(table) + " gave up after " + o.cutOverAttempts()
                + " attempts of " + o.lockWaitTimeoutSeconds() + " s: " + (seen.isEmpty()
                ? "no open transaction was seen (a LOCK TABLES, or a long statement?)"
                : "open transactions that hold or may hold the table: "
                + seen.stream().map(Blocker::toString).collect(Collectors.joining("; ")) + ". End them (COMMIT/ROLLBACK, "
                + "or KILL <thread>)") + " and call it again. Nothing was renamed; " + name(table) + " is unchanged"
                + (what.equals("cut-over") ? " and the triggers keep " + name(shadow) + " current" : ""), seen);
    }

    /**
     * Open InnoDB transactions of other sessions, oldest first. When the server can say who holds a metadata lock on
     * the table or the shadow (MySQL {@code performance_schema.metadata_locks}, MariaDB's optional
     * {@code METADATA_LOCK_INFO} plugin) only those are returned, marked as holders.
     */
    private List<Blocker> blockers() throws SQLException {
        Set<Long> holders = lockHolders();
        List<Blocker> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT x.trx_mysql_thread_id, p.USER, "
                + "p.HOST, TIMESTAMPDIFF(SECOND, x.trx_started, NOW()), p.COMMAND, LEFT(p.INFO, 200) FROM "
                + "information_schema.INNODB_TRX x LEFT JOIN information_schema.PROCESSLIST p ON p.ID = x.trx_mysql_thread_id "
                + "WHERE x.trx_mysql_thread_id <> CONNECTION_ID() ORDER BY x.trx_started")) {
            boolean known = holders != null && !holders.isEmpty(); // else every open transaction is a suspect
            while (rs.next()) {
                long id = rs.getLong(1);
                boolean holds = known && holders.contains(id);
                if (!known || holds) {
                    out.add(new Blocker(id, rs.getString(2), rs.getString(3), rs.getLong(4), rs.getString(5), rs.getString(6),
                            holds));
                }
            }
        }
        return out;
    }

    /** Connection ids holding a metadata lock on the table or shadow, or null when the server cannot tell. */
    private Set<Long> lockHolders() {
        String sql = isMariaDb()
                ? "SELECT DISTINCT THREAD_ID FROM information_schema.METADATA_LOCK_INFO WHERE TABLE_SCHEMA = ? "
                + "AND TABLE_NAME IN (?, ?) AND THREAD_ID <> CONNECTION_ID()"
                : "SELECT DISTINCT t.PROCESSLIST_ID FROM performance_schema.metadata_locks m JOIN performance_schema.threads t "
                + "ON t.THREAD_ID = m.OWNER_THREAD_ID WHERE m.OBJECT_TYPE = 'TABLE' AND m.OBJECT_SCHEMA = ? "
                + "AND m.OBJECT_NAME IN (?, ?) AND m.LOCK_STATUS = 'GRANTED' AND t.PROCESSLIST_ID <> CONNECTION_ID()";
        try {
            Set<Long> ids = new HashSet<>();
            for (String id : TableInfo.strings(c, sql, schema, table, shadow)) {
                ids.add(Long.valueOf(id));
            }
            return ids;
        } catch (SQLException | NumberFormatException e) {
            return null;
        }
    }

    // ------------------------------------------------------------------------------------------------ revert

    /**
     * After {@link #cutOver()}: swaps back to the old definition. The reverse triggers have kept the old table current
     * since the cut-over; first the two tables are compared chunk by chunk like {@link #checksum()} (which also re-syncs
     * anything written between the RENAME and the reverse triggers), then {@code RENAME TABLE t TO _t_zdnew, _t_zdold
     * TO t}. Nothing written since the cut-over is lost. If a value written since does not fit the old definition (a
     * longer string after widening, say) this throws {@link OnlineCopyException.Mismatch} or {@link OnlineCopyException}
     * naming the key range, and the new table stays in place. Afterwards {@code _t_zdnew} keeps the new definition with
     * the data as of the revert, without triggers, until {@link #cleanup()}.
     */
    public void revert() throws SQLException {
        try (Session s = new Session()) {
            if (state() != State.CUT_OVER) {
                throw new OnlineCopyException("revert() of " + name(table) + " needs a cut-over copy (state is "
                        + state().label() + "); before the cut-over use abort()");
            }
            if (!TableInfo.exists(c, schema, old)) {
                throw new OnlineCopyException(name(old) + " no longer exists, so " + name(table) + " cannot be reverted");
            }
            keyColumn = null;
            reverseSync(true);
            Sync back = sync(table, old);
            verify(back, null, null);
            rename("RENAME TABLE " + qn(table) + " TO " + qn(shadow) + ", " + qn(old) + " TO " + qn(table), "revert");
            journal.state(State.REVERTED.label());
            dropTriggersOn(shadow, ours(TableInfo.triggers(c, schema, shadow), reverseTriggers));
            listener.log("reverted: " + name(table) + " has its old definition and every row written since the cut-over; "
                    + name(shadow) + " keeps the new definition until cleanup()");
        }
    }

    // ------------------------------------------------------------------------------------------------ abort, cleanup

    /**
     * Before the cut-over: drops the triggers, then the shadow. The original table is untouched. If a trigger cannot be
     * dropped in time (a long transaction holds the table) this throws {@link OnlineCopyException.Blocked}; the triggers
     * still keep the shadow current and abort() can be called again.
     */
    public void abort() throws SQLException {
        try (Session s = new Session()) {
            State st = state();
            if (st == State.CUT_OVER) {
                throw new OnlineCopyException(name(table) + " is already cut over; revert() swaps back");
            }
            if (st == State.REVERTED) {
                throw new OnlineCopyException(name(table) + " was reverted; cleanup() drops " + name(shadow));
            }
            dropTriggers(ours(TableInfo.triggers(c, schema, table), forwardTriggers));
            ddl("DROP TABLE IF EXISTS " + qn(shadow), "drop the shadow");
            ddl("DROP TABLE IF EXISTS " + qn(probe), "drop the probe");
            journal.watermark(null, 0);
            journal.state(State.ABORTED.label());
            listener.log("aborted the copy of " + name(table) + "; triggers and " + name(shadow) + " dropped");
        }
    }

    /**
     * Ends a copy: after a cut-over drops the reverse triggers and the old table (after this there is no revert);
     * after a revert drops the new-definition table.
     */
    public void cleanup() throws SQLException {
        try (Session s = new Session()) {
            State st = state();
            if (st == State.CUT_OVER) {
                dropTriggersOn(table, ours(TableInfo.triggers(c, schema, table), reverseTriggers));
                dropTriggersOn(old, TableInfo.triggers(c, schema, old).stream()
                        .filter(n -> forwardTriggers.contains(n) || reverseTriggers.contains(n)).toList());
                ddl("DROP TABLE IF EXISTS " + qn(old), "drop the old table");
            } else if (st == State.REVERTED) {
                dropTriggersOn(shadow, ours(TableInfo.triggers(c, schema, shadow), reverseTriggers));
                ddl("DROP TABLE IF EXISTS " + qn(shadow), "drop the new-definition table");
            } else {
                throw new OnlineCopyException("nothing to clean up for " + name(table) + " in state " + st.label()
                        + "; before the cut-over use abort()");
            }
            journal.state(State.DONE.label());
            listener.log("cleaned up the copy of " + name(table));
        }
    }

    // ------------------------------------------------------------------------------------------------ throttle

    /** Waits while {@code Threads_running} or the replica lag is above its limit. Checked at most every 200 ms. */
    private void throttle() throws SQLException {
        long now = System.nanoTime();
        if (now - lastThrottleCheck < 200_000_000L) {
            return;
        }
        long pausedAt = 0;
        long lastReport = 0;
        while (true) {
            String why = null;
            if (o.maxThreadsRunning() > 0) {
                long running = Long.parseLong(queryString("SHOW GLOBAL STATUS LIKE 'Threads_running'", 2));
                if (running > o.maxThreadsRunning()) {
                    why = "Threads_running " + running + " > " + o.maxThreadsRunning();
                }
            }
            if (why == null && o.maxReplicaLagMs() > 0) {
                long lag = o.lagProbe() != null ? o.lagProbe().getAsLong() : replicaLagMs();
                if (lag > o.maxReplicaLagMs()) {
                    why = lag == Long.MAX_VALUE ? "replication into this server is stopped (lag unknown); start it, or "
                            + "set maxReplicaLagMs 0 / a lagProbe" : "replica lag " + lag + " ms > " + o.maxReplicaLagMs() + " ms";
                }
            }
            long t = System.nanoTime();
            if (why == null) {
                if (pausedAt != 0) {
                    pausedNanos += t - pausedAt;
                    listener.log("resuming after " + (t - pausedAt) / 1_000_000 + " ms paused");
                }
                lastThrottleCheck = t;
                return;
            }
            if (pausedAt == 0) {
                pausedAt = t;
            }
            if (lastReport == 0 || t - lastReport > 5_000_000_000L) {
                listener.paused(why);
                lastReport = t;
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new OnlineCopyException("interrupted while paused (" + why + "); " + name(table) + " is unchanged");
            }
            sleep(250);
        }
    }

    /**
     * Waits while the {@link Guard} says pause (asking again every 100 ms); throws {@link OnlineCopyException.Aborted}
     * when it says abort. Nothing of the copy is open at this point: the last chunk committed and its watermark is in
     * the journal, so an abort leaves exactly the state a crash would, which a new run resumes.
     */
    private void guarded(String watermark) throws SQLException {
        if (guard == null) {
            return;
        }
        long pausedAt = 0;
        String reported = null;
        while (true) {
            Hold h = guard.check();
            long now = System.nanoTime();
            if (h == null) {
                if (pausedAt != 0) {
                    long ms = (now - pausedAt) / 1_000_000;
                    pausedNanos += now - pausedAt;
                    listener.log("resuming the copy after " + ms + " ms paused");
                    listener.resumed(ms);
                }
                return;
            }
            if (h.abort()) {
                if (pausedAt != 0) {
                    pausedNanos += now - pausedAt;
                }
                String msg = "copy of " + name(table) + " aborted (" + h.reason() + ") at watermark "
                        + (watermark == null ? "(none: no chunk copied yet)" : watermark) + ". " + name(table)
                        + " is unchanged and the triggers keep " + name(shadow) + " current: running the copy again "
                        + "resumes from the watermark; abort() (zerodown rollback) removes the shadow and the triggers";
                listener.log(msg);
                throw new OnlineCopyException.Aborted(msg, h.reason());
            }
            if (pausedAt == 0) {
                pausedAt = now;
            }
            if (!h.reason().equals(reported)) {
                listener.paused(h.reason());
                reported = h.reason();
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new OnlineCopyException("interrupted while paused (" + h.reason() + "); " + name(table)
                        + " is unchanged, prepare() and copy() resume");
            }
            sleep(100);
        }
    }

    /** Largest {@code Seconds_Behind_Master/Source} of this server's replication channels, in ms. */
    private long replicaLagMs() throws SQLException {
        try {
            return replication.ms(c);
        } catch (SQLException failure) {
            throw new OnlineCopyException("cannot read replication status to throttle the copy of " + name(table) + ": "
                    + failure.getMessage() + "; grant REPLICATION CLIENT (SLAVE MONITOR on MariaDB), or pass a lagProbe, "
                    + "or set maxReplicaLagMs 0", failure);
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private void ensurePrepared() throws SQLException {
        if (forward == null && state() != State.CUT_OVER) {
            prepare();
        }
    }

    private void dropTriggers(List<String> names) throws SQLException {
        dropTriggersOn(table, names);
    }

    private void dropTriggersOn(String on, List<String> names) throws SQLException {
        List<String> order = new ArrayList<>(names);
        java.util.Collections.reverse(order); // insert first, delete last: the reverse of creation
        for (String n : order) {
            ddl("DROP TRIGGER IF EXISTS " + qn(n), "drop trigger " + n + " on " + on);
        }
    }

    /** DDL under the short lock wait, retried with backoff on lock wait timeouts, then Blocked naming the blockers. */
    private void ddl(String sql, String what) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try {
                exec(sql);
                return;
            } catch (SQLException e) {
                if (e.getErrorCode() != ER_LOCK_WAIT_TIMEOUT) {
                    throw e;
                }
                if (attempt >= o.cutOverAttempts()) {
                    List<Blocker> b = blockers();
                    throw new OnlineCopyException.Blocked("could not " + what + " for the copy of " + name(table)
                            + " within " + attempt + " attempts of " + o.lockWaitTimeoutSeconds() + " s; open transactions: "
                            + (b.isEmpty() ? "none seen" : b.stream().map(Blocker::toString).collect(Collectors.joining("; ")))
                            + ". End them and call it again; " + name(table) + " keeps working", b);
                }
                listener.log(what + ": lock wait timeout, attempt " + attempt);
                sleep(backoff(attempt));
            }
        }
    }

    private void dropQuietly() {
        try {
            dropTriggers(ours(TableInfo.triggers(c, schema, table), forwardTriggers));
            exec("DROP TABLE IF EXISTS " + qn(shadow));
        } catch (SQLException | RuntimeException e) {
            listener.log("could not remove " + name(shadow) + " and its triggers: " + e.getMessage() + "; call abort()");
        }
    }

    private void rollbackQuietly() {
        try {
            if (!c.isClosed()) {
                c.rollback();
            }
        } catch (SQLException ignored) {
            // the connection is gone; the server rolls the transaction back
        }
    }

    private long estimateRows() throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    private Boolean rollbackOnTimeout;
    /** INSERTs of span chunks tried again after meeting a lock, in this copy() (for the log). */
    private int statementRetries;

    /** True when a lock wait timeout rolls back the whole transaction, so a statement cannot simply be tried again. */
    private boolean rollbackOnTimeout() throws SQLException {
        if (rollbackOnTimeout == null) {
            rollbackOnTimeout = "1".equals(queryString("SELECT @@GLOBAL.innodb_rollback_on_timeout", 1));
        }
        return rollbackOnTimeout;
    }

    private boolean isMariaDb() {
        if (mariadb == null) {
            try {
                mariadb = queryString("SELECT VERSION()", 1).toLowerCase(Locale.ROOT).contains("mariadb");
            } catch (SQLException e) {
                mariadb = false;
            }
        }
        return mariadb;
    }

    private String range(String lower, String upper) {
        String k = q(keyColumn);
        if (lower == null && upper == null) {
            return "1 = 1";
        }
        if (lower == null) {
            return k + " <= ?";
        }
        return upper == null ? k + " > ?" : k + " > ? AND " + k + " <= ?";
    }

    private void bindRange(PreparedStatement ps, String lower, String upper) throws SQLException {
        bindRange(ps, 1, lower, upper);
    }

    /** Binds the range's bounds from parameter {@code first}; returns the next free parameter index. */
    private int bindRange(PreparedStatement ps, int first, String lower, String upper) throws SQLException {
        int i = first;
        if (lower != null) {
            keyKind.bind(ps, i++, lower);
        }
        if (upper != null) {
            keyKind.bind(ps, i++, upper);
        }
        return i;
    }

    private static String show(String lower, String upper) {
        return "(" + (lower == null ? "-∞" : lower) + ", " + (upper == null ? "+∞" : upper) + "]";
    }

    private static boolean retryable(SQLException e) {
        return e.getErrorCode() == ER_LOCK_WAIT_TIMEOUT || e.getErrorCode() == ER_LOCK_DEADLOCK
                || e.getErrorCode() == ER_LOCK_NOWAIT;
    }

    /** 100 ms doubling per attempt, capped at 5 s, times a random factor in [0.5, 1.5). */
    private static long backoff(int attempt) {
        long base = Math.min(5_000L, 100L << Math.min(attempt - 1, 10));
        return (long) (base * (0.5 + ThreadLocalRandom.current().nextDouble()));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static List<String> ours(List<String> present, List<String> wanted) {
        return wanted.stream().filter(present::contains).toList();
    }

    private void exec(String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private String maxKey() throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT MAX(" + q(keyColumn) + ") FROM " + qn(table))) {
            rs.next();
            return keyKind.read(rs, 1);
        }
    }

    private String queryString(String sql, int col) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(col) : null;
        }
    }

    private OnlineCopyException.Refused refused(String why) {
        return new OnlineCopyException.Refused("cannot copy " + name(table) + " online: " + why + ".");
    }

    private String qn(String t) {
        return q(schema) + "." + q(t);
    }

    private String name(String t) {
        return qn(t);
    }

    /** Backtick-quotes an identifier, doubling embedded backticks. */
    static String q(String identifier) {
        return "`" + identifier.replace("`", "``") + "`";
    }

    /** {@code _<table>_<suffix>}, shortened with a hash of the table name to fit MySQL's 64-character names. */
    static String derived(String table, String suffix) {
        String n = "_" + table + "_" + suffix;
        if (n.length() <= 64) {
            return n;
        }
        CRC32 crc = new CRC32();
        crc.update(table.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        String h = String.format("%08x", crc.getValue());
        int keep = 64 - (1 + 1 + h.length() + 1 + suffix.length());
        return "_" + table.substring(0, keep) + "_" + h + "_" + suffix;
    }

    /** Sets what the copy needs on the session for one public call and puts the caller's settings back after it. */
    private final class Session implements AutoCloseable {
        private final boolean autoCommit;
        private final int isolation;
        private final String lockWait;
        private final String rowLockWait;
        private final String sqlMode;

        Session() throws SQLException {
            autoCommit = c.getAutoCommit();
            isolation = c.getTransactionIsolation();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT @@SESSION.lock_wait_timeout, @@SESSION.innodb_lock_wait_timeout, @@SESSION.sql_mode")) {
                rs.next();
                lockWait = rs.getString(1);
                rowLockWait = rs.getString(2);
                sqlMode = rs.getString(3);
            }
            if (!autoCommit) {
                c.commit();
                c.setAutoCommit(true);
            }
            if (isolation != Connection.TRANSACTION_REPEATABLE_READ) {
                c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            }
            // our row-lock waits are short so that the copy, not the application, gives way
            exec("SET SESSION lock_wait_timeout = " + o.lockWaitTimeoutSeconds() + ", innodb_lock_wait_timeout = 1");
        }

        @Override
        public void close() {
            try {
                if (c.isClosed()) {
                    return;
                }
                if (!c.getAutoCommit()) {
                    c.rollback();
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "SET SESSION lock_wait_timeout = ?, innodb_lock_wait_timeout = ?, sql_mode = ?")) {
                    ps.setLong(1, Long.parseLong(lockWait));
                    ps.setLong(2, Long.parseLong(rowLockWait));
                    ps.setString(3, sqlMode);
                    ps.execute();
                }
                if (isolation != Connection.TRANSACTION_REPEATABLE_READ) {
                    c.setTransactionIsolation(isolation);
                }
                c.setAutoCommit(autoCommit);
            } catch (SQLException | RuntimeException ignored) {
                // a dead connection: nothing to restore
            }
        }
    }
}
