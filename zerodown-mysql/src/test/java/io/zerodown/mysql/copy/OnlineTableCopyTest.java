package io.zerodown.mysql.copy;

import io.zerodown.mysql.copy.OnlineTableCopy.Journal;
import io.zerodown.mysql.copy.OnlineTableCopy.Listener;
import io.zerodown.mysql.copy.OnlineTableCopy.Options;
import io.zerodown.mysql.copy.OnlineTableCopy.State;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Online table copy against the MariaDB server of this machine (127.0.0.1:3306, root, no password, database test). */
class OnlineTableCopyTest {
    static final String URL = "jdbc:mariadb://127.0.0.1:3306/test?user=root";
    final List<String> tables = new ArrayList<>();
    final List<String> log = new CopyOnWriteArrayList<>();
    final List<String> pauses = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void server() {
        // .ci/run starts the server; a missing server must fail the build, not skip these tests
        try (Connection c = DriverManager.getConnection(URL)) {
            if (!c.isValid(2)) throw new AssertionError("the MariaDB server at 127.0.0.1:3306 does not answer");
        } catch (SQLException e) {
            throw new AssertionError("no MariaDB on 127.0.0.1:3306 (start it: start-stop-daemon --start --oknodo --background "
                    + "--exec /usr/sbin/mariadbd): " + e.getMessage(), e);
        }
    }

    @AfterEach
    void dropTables() throws SQLException {
        try (Connection c = conn(); Statement st = c.createStatement()) {
            for (String t : tables) {
                for (String n : List.of(t, OnlineTableCopy.derived(t, "zdnew"), OnlineTableCopy.derived(t, "zdold"),
                        OnlineTableCopy.derived(t, "zdprobe"))) {
                    st.execute("DROP TABLE IF EXISTS `" + n + "`");
                }
            }
        }
    }

    static Connection conn() throws SQLException {
        return DriverManager.getConnection(URL);
    }

    String table(String prefix) {
        String t = prefix + "_" + Long.toHexString(System.nanoTime());
        tables.add(t);
        return t;
    }

    Listener listener(String tag) {
        return new Listener() {
            @Override
            public void log(String s) {
                log.add(s);
                System.out.println("[" + tag + "] " + s);
            }

            @Override
            public void paused(String why) {
                pauses.add(why);
                System.out.println("[" + tag + "] paused: " + why);
            }
        };
    }

    static void exec(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    static String one(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    static long count(Connection c, String t) throws SQLException {
        return Long.parseLong(one(c, "SELECT COUNT(*) FROM `" + t + "`"));
    }

    static String createSql(Connection c, String t) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW CREATE TABLE `" + t + "`")) {
            rs.next();
            return rs.getString(2);
        }
    }

    static List<String> triggers(Connection c, String t) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT TRIGGER_NAME FROM information_schema.TRIGGERS "
                + "WHERE EVENT_OBJECT_SCHEMA = 'test' AND EVENT_OBJECT_TABLE = ?")) {
            ps.setString(1, t);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /** Every row as key → all columns, to compare tables exactly. */
    static Map<String, String> rows(Connection c, String t, String cols) throws SQLException {
        Map<String, String> out = new HashMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT id, " + cols + " FROM `" + t + "`")) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder b = new StringBuilder();
                for (int i = 2; i <= n; i++) {
                    b.append(rs.getString(i)).append('|');
                }
                assertThat(out.put(rs.getString(1), b.toString())).as("duplicate id %s", rs.getString(1)).isNull();
            }
        }
        return out;
    }

    static void orders(Connection c, String t, int rows) throws SQLException {
        exec(c, "CREATE TABLE `" + t + "` (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, amount DECIMAL(12,2) NOT NULL, "
                + "name VARCHAR(50) CHARACTER SET utf8mb4 NOT NULL, status ENUM('new','paid','shipped') NOT NULL, "
                + "note VARCHAR(100) NULL, updated_at DATETIME(3) NOT NULL, KEY (name)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
        exec(c, "INSERT INTO `" + t + "` (amount, name, status, note, updated_at) SELECT seq % 10000 + 0.25, "
                + "CONCAT('name-', seq, '-é'), ELT(1 + seq % 3, 'new', 'paid', 'shipped'), IF(seq % 7 = 0, NULL, "
                + "CONCAT('n', seq)), NOW(3) FROM seq_1_to_" + rows);
    }

    static final String ALTER = "MODIFY amount DECIMAL(14,2) NOT NULL, MODIFY name VARCHAR(200) CHARACTER SET utf8mb4 NOT NULL";
    static final String COLS = "amount, name, status, note, updated_at";

    // ------------------------------------------------------------------------------------------------ 1

    /** Application load during the whole copy and checksum: inserts, updates (no-op and key-changing too), deletes. */
    @Test
    void typeChangeUnderConcurrentWritesLosesNothing() throws Exception {
        String t = table("oc_load");
        try (Connection admin = conn()) {
            orders(admin, t, 100_000);
        }
        AtomicBoolean stop = new AtomicBoolean();
        Map<Integer, AtomicInteger> errors = new ConcurrentHashMap<>();
        AtomicLong ops = new AtomicLong();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<Void>> writers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            writers.add(CompletableFuture.runAsync(() -> write(t, stop, errors, ops, latencies)));
        }
        Journal journal = Journal.inMemory();
        try (Connection c = conn()) {
            Thread.sleep(300);
            OnlineTableCopy copy = new OnlineTableCopy(c, "test", t, ALTER, Options.defaults(), journal, listener("load"));
            copy.prepare();
            copy.copy();
            OnlineTableCopy.Stats s = copy.stats();
            System.out.println("[load] copy under load: " + s);
            ChecksumResult during = copy.checksum();
            stop.set(true);
            CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            List<Long> l = new ArrayList<>(latencies);
            Collections.sort(l);
            System.out.println("[load] app ops " + ops.get() + ", errors " + errors + ", write p50/p99/max ms "
                    + l.get(l.size() / 2) / 1e6 + " / " + l.get((int) (l.size() * 0.99)) / 1e6 + " / " + l.get(l.size() - 1) / 1e6);
            assertThat(during.rows()).isGreaterThan(90_000);
            assertThat(during.repaired()).as("triggers and copy keep the shadow exact").isEmpty();
            assertThat(errors).as("no application write failed").isEmpty();

            // writers stopped: the source as it is now is the reference the new table must equal
            ChecksumResult after = copy.checksum();
            assertThat(after.clean()).isTrue();
            Map<String, String> before = rows(c, t, COLS);
            assertThat(copy.cutOver()).isEqualTo(State.CUT_OVER);
            String ddl = createSql(c, t);
            assertThat(ddl).contains("`amount` decimal(14,2) NOT NULL").contains("`name` varchar(200)");
            Map<String, String> now = rows(c, t, COLS);
            assertThat(now).hasSize(before.size());
            assertThat(now).isEqualTo(before);
            assertThat(createSql(c, copy.oldTable())).contains("`amount` decimal(12,2) NOT NULL");
            assertThat(triggers(c, t)).hasSize(3);                    // reverse sync
            assertThat(triggers(c, copy.oldTable())).isEmpty();
            copy.cleanup();
            assertThat(triggers(c, t)).isEmpty();
            assertThat(one(c, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'test' AND TABLE_NAME = '"
                    + copy.oldTable() + "'")).isEqualTo("0");
            assertThat(journal.state()).isEqualTo("done");
        } finally {
            stop.set(true);
        }
    }

    private static void write(String t, AtomicBoolean stop, Map<Integer, AtomicInteger> errors, AtomicLong ops,
                              List<Long> latencies) {
        try (Connection c = conn()) {
            String q = "`" + t + "`";
            PreparedStatement ins = c.prepareStatement("INSERT INTO " + q + " (amount, name, status, note, updated_at) "
                    + "VALUES (?, ?, 'new', 'w', NOW(3))");
            PreparedStatement upd = c.prepareStatement("UPDATE " + q + " SET amount = amount + 1, name = CONCAT('u', ?), "
                    + "status = 'paid', updated_at = NOW(3) WHERE id = ?");
            PreparedStatement noop = c.prepareStatement("UPDATE " + q + " SET amount = amount WHERE id = ?");
            // a key change to a negative id: a larger positive one would move MariaDB's AUTO_INCREMENT counter there
            // and make the workload's own inserts collide
            PreparedStatement key = c.prepareStatement("UPDATE " + q + " SET id = -id WHERE id = ?");
            PreparedStatement del = c.prepareStatement("DELETE FROM " + q + " WHERE id = ?");
            ThreadLocalRandom r = ThreadLocalRandom.current();
            while (!stop.get()) {
                int p = r.nextInt(100);
                long id = 1 + r.nextLong(105_000);
                long t0 = System.nanoTime();
                try {
                    if (p < 35) {
                        ins.setBigDecimal(1, java.math.BigDecimal.valueOf(r.nextLong(100_000), 2));
                        ins.setString(2, "ins-" + r.nextInt(1_000_000) + "-ü");
                        ins.executeUpdate();
                    } else if (p < 70) {
                        upd.setString(1, Long.toString(id));
                        upd.setLong(2, id);
                        upd.executeUpdate();
                    } else if (p < 80) {
                        noop.setLong(1, id);
                        noop.executeUpdate();
                    } else if (p < 85) {
                        key.setLong(1, id);
                        key.executeUpdate();
                    } else {
                        del.setLong(1, id);
                        del.executeUpdate();
                    }
                    ops.incrementAndGet();
                } catch (SQLException e) {
                    errors.computeIfAbsent(e.getErrorCode(), k -> new AtomicInteger()).incrementAndGet();
                    System.out.println("[load] app error " + e.getErrorCode() + ": " + e.getMessage());
                    if (e.getErrorCode() == 1213) {
                        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW ENGINE INNODB STATUS")) {
                            rs.next();
                            String status = rs.getString(3);
                            int at = status.indexOf("LATEST DETECTED DEADLOCK");
                            System.out.println(at < 0 ? status : status.substring(at, Math.min(status.length(), at + 6000)));
                        } catch (SQLException ignored) {
                            // diagnostics only
                        }
                    }
                }
                latencies.add(System.nanoTime() - t0);
            }
        } catch (SQLException e) {
            throw new RuntimeException(e);
        }
    }

    // ------------------------------------------------------------------------------------------------ 2

    /** The copy's connection is killed mid-copy; a new instance with the same journal continues where it stopped. */
    @Test
    void killedCopyResumesFromTheJournalledWatermark() throws Exception {
        String t = table("oc_kill");
        Journal journal = Journal.inMemory();
        Options o = Options.defaults().withChunks(50, 500, 2000);
        long total;
        try (Connection admin = conn()) {
            orders(admin, t, 60_000);
            Connection victim = conn();
            long victimId = Long.parseLong(one(victim, "SELECT CONNECTION_ID()"));
            AtomicInteger chunks = new AtomicInteger();
            Listener killer = new Listener() {
                @Override
                public void progress(long rows, long estimate, int chunk) {
                    if (chunks.incrementAndGet() == 8) {
                        CompletableFuture.runAsync(() -> {
                            try (Connection k = conn()) {
                                Thread.sleep(3);
                                exec(k, "KILL CONNECTION " + victimId);
                            } catch (Exception e) {
                                throw new RuntimeException(e);
                            }
                        });
                    }
                }
            };
            OnlineTableCopy first = new OnlineTableCopy(victim, "test", t, ALTER, o, journal, killer);
            first.prepare();
            assertThatThrownBy(first::copy).isInstanceOf(SQLException.class);
            victim.close();
            String watermark = journal.watermark();
            long before = journal.rowsCopied();
            System.out.println("[kill] killed after " + chunks.get() + " chunks at watermark " + watermark + ", " + before
                    + " rows journalled");
            assertThat(before).isPositive().isLessThan(60_000);
            assertThat(journal.state()).isEqualTo("prepared");
            assertThat(count(admin, OnlineTableCopy.derived(t, "zdnew"))).isGreaterThanOrEqualTo(before);
            // the application keeps working, the triggers keep capturing
            exec(admin, "INSERT INTO `" + t + "` (amount, name, status, updated_at) VALUES (1, 'after crash', 'new', NOW())");
            assertThat(one(admin, "SELECT COUNT(*) FROM `" + OnlineTableCopy.derived(t, "zdnew") + "` WHERE name = 'after crash'"))
                    .isEqualTo("1");
            total = count(admin, t);

            try (Connection c = conn()) {
                OnlineTableCopy second = new OnlineTableCopy(c, "test", t, ALTER, o, journal, listener("kill"));
                second.prepare();
                assertThat(log).anyMatch(s -> s.startsWith("resuming the copy"));
                second.copy();
                OnlineTableCopy.Stats s = second.stats();
                System.out.println("[kill] resumed run: " + s);
                // nothing journalled was copied again; the rows of a chunk that committed before the kill but was not
                // journalled yet (one chunk: at most twice 2,000 rows) are in the shadow already, so the resumed run inserts
                // (and counts) only the rest
                assertThat(s.rows()).isBetween(total - before - 4_001, total - before);
                assertThat(journal.rowsCopied()).isEqualTo(before + s.rows());
                ChecksumResult r = second.checksum();
                assertThat(r.rows()).isEqualTo(total);
                assertThat(r.clean()).isTrue();
                second.abort();
                assertThat(triggers(c, t)).isEmpty();
                assertThat(one(c, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'test' AND TABLE_NAME = '"
                        + second.shadowTable() + "'")).isEqualTo("0");
                assertThat(count(c, t)).isEqualTo(total);
                assertThat(createSql(c, t)).contains("decimal(12,2)");
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ 3

    @Test
    void cutOverWaitsOutAShortBlockerAndGivesUpCleanlyOnALongOne() throws Exception {
        String t = table("oc_block");
        Options o = Options.defaults().withLockWait(1, 20);
        try (Connection admin = conn(); Connection c = conn(); Connection blocker = conn()) {
            orders(admin, t, 5_000);
            OnlineTableCopy copy = new OnlineTableCopy(c, "test", t, ALTER, o, Journal.inMemory(), listener("block"));
            copy.prepare();
            copy.copy();
            long blockerId = Long.parseLong(one(blocker, "SELECT CONNECTION_ID()"));
            blocker.setAutoCommit(false);
            one(blocker, "SELECT id FROM `" + t + "` LIMIT 1");
            CompletableFuture<Void> release = CompletableFuture.runAsync(() -> {
                try {
                    Thread.sleep(3000);
                    blocker.commit();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            long t0 = System.nanoTime();
            assertThat(copy.cutOver()).isEqualTo(State.CUT_OVER);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            release.get();
            System.out.println("[block] cut-over took " + ms + " ms with a 3 s blocker");
            assertThat(ms).isGreaterThan(2500);
            assertThat(log).anyMatch(s -> s.contains("thread " + blockerId));
            assertThat(createSql(admin, t)).contains("decimal(14,2)");
            copy.cleanup();
        }

        String t2 = table("oc_block2");
        try (Connection admin = conn(); Connection c = conn(); Connection blocker = conn()) {
            orders(admin, t2, 2_000);
            OnlineTableCopy copy = new OnlineTableCopy(c, "test", t2, ALTER, Options.defaults().withLockWait(1, 3),
                    Journal.inMemory(), listener("block2"));
            copy.prepare();
            copy.copy();
            long blockerId = Long.parseLong(one(blocker, "SELECT CONNECTION_ID()"));
            blocker.setAutoCommit(false);
            one(blocker, "SELECT id FROM `" + t2 + "` LIMIT 1");
            assertThatThrownBy(copy::cutOver)
                    .isInstanceOfSatisfying(OnlineCopyException.Blocked.class, e -> assertThat(e.blockers())
                            .anyMatch(b -> b.threadId() == blockerId && b.user().equals("root") && b.seconds() >= 0))
                    .hasMessageContaining("thread " + blockerId)
                    .hasMessageContaining("Nothing was renamed");
            System.out.println("[block2] " + log.get(log.size() - 1));
            // the original still works (the blocker's shared lock does not stop other writers) and is still captured
            exec(admin, "INSERT INTO `" + t2 + "` (amount, name, status, updated_at) VALUES (5, 'still works', 'new', NOW())");
            assertThat(createSql(admin, t2)).contains("decimal(12,2)");
            assertThat(one(admin, "SELECT COUNT(*) FROM `" + copy.shadowTable() + "` WHERE name = 'still works'")).isEqualTo("1");
            assertThat(copy.state()).isEqualTo(State.COPIED);
            blocker.rollback();
            copy.abort();
            assertThat(triggers(admin, t2)).isEmpty();
            assertThat(count(admin, t2)).isEqualTo(2_001);
        }
    }

    @Test
    void aPostponedCutOverIsReadyAndANewInstanceCompletesIt() throws Exception {
        String t = table("oc_postpone");
        Journal journal = Journal.inMemory();
        try (Connection admin = conn()) {
            orders(admin, t, 3_000);
            try (Connection c = conn()) {
                OnlineTableCopy copy = new OnlineTableCopy(c, "test", t, ALTER, Options.defaults().withPostponeCutOver(true),
                        journal, listener("postpone"));
                copy.prepare();
                copy.copy();
                assertThat(copy.cutOver()).isEqualTo(State.READY);
                assertThat(journal.state()).isEqualTo("ready");
                assertThat(createSql(admin, t)).contains("decimal(12,2)");
            }
            exec(admin, "UPDATE `" + t + "` SET amount = 7 WHERE id = 3"); // while waiting, the triggers keep up
            try (Connection c = conn()) {
                OnlineTableCopy later = new OnlineTableCopy(c, "test", t, ALTER, Options.defaults(), journal, listener("postpone"));
                later.prepare();
                assertThat(later.cutOver()).isEqualTo(State.CUT_OVER);
                assertThat(createSql(admin, t)).contains("decimal(14,2)");
                assertThat(one(admin, "SELECT amount FROM `" + t + "` WHERE id = 3")).isEqualTo("7.00");
                assertThat(count(admin, t)).isEqualTo(3_000);
                later.cleanup();
            }
        }
    }

    @Test
    void namesAreQuotedAndFitSixtyFourCharacters() {
        assertThat(OnlineTableCopy.q("we`ird")).isEqualTo("`we``ird`");
        assertThat(OnlineTableCopy.derived("orders", "zdnew")).isEqualTo("_orders_zdnew");
        String longName = "x".repeat(64);
        assertThat(OnlineTableCopy.derived(longName, "zdnew")).hasSize(64).endsWith("_zdnew")
                .isNotEqualTo(OnlineTableCopy.derived("x".repeat(63) + "y", "zdnew"));
    }

    // ------------------------------------------------------------------------------------------------ 4

    @Test
    void revertKeepsRowsWrittenAfterTheCutOver() throws Exception {
        String t = table("oc_revert");
        try (Connection admin = conn(); Connection c = conn()) {
            orders(admin, t, 20_000);
            OnlineTableCopy copy = new OnlineTableCopy(c, "test", t, ALTER, Options.defaults(), Journal.inMemory(),
                    listener("revert"));
            copy.prepare();
            copy.copy();
            assertThat(copy.cutOver()).isEqualTo(State.CUT_OVER);
            // written against the new definition, after the cut-over
            exec(admin, "INSERT INTO `" + t + "` (amount, name, status, updated_at) VALUES (12345678.91, 'post cut-over', 'new', NOW())");
            exec(admin, "UPDATE `" + t + "` SET amount = 99.99, name = 'changed' WHERE id = 5");
            exec(admin, "DELETE FROM `" + t + "` WHERE id = 7");
            exec(admin, "UPDATE `" + t + "` SET id = 900000 WHERE id = 9");
            // a write the reverse triggers miss (as in the moment between RENAME and CREATE TRIGGER): revert re-syncs it
            exec(admin, "DROP TRIGGER `" + OnlineTableCopy.derived(t, "zdrupd") + "`");
            exec(admin, "UPDATE `" + t + "` SET note = 'missed by triggers' WHERE id = 11");
            Map<String, String> expected = rows(admin, t, COLS);

            copy.revert();
            assertThat(copy.state()).isEqualTo(State.REVERTED);
            assertThat(createSql(admin, t)).contains("`amount` decimal(12,2) NOT NULL").contains("`name` varchar(50)");
            assertThat(rows(admin, t, COLS)).isEqualTo(expected);
            assertThat(one(admin, "SELECT name FROM `" + t + "` WHERE amount = 12345678.91")).isEqualTo("post cut-over");
            assertThat(one(admin, "SELECT COUNT(*) FROM `" + t + "` WHERE id IN (7, 9)")).isEqualTo("0");
            assertThat(one(admin, "SELECT note FROM `" + t + "` WHERE id = 11")).isEqualTo("missed by triggers");
            assertThat(log).anyMatch(s -> s.contains("differs") && s.contains("copying it again"));
            assertThat(triggers(admin, t)).isEmpty();
            assertThat(createSql(admin, copy.shadowTable())).contains("decimal(14,2)");
            copy.cleanup();
            assertThat(one(admin, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'test' AND TABLE_NAME = '"
                    + copy.shadowTable() + "'")).isEqualTo("0");
        }
    }

    @Test
    void revertRefusesWhenNewDataDoesNotFitTheOldDefinition() throws Exception {
        String t = table("oc_nofit");
        try (Connection admin = conn(); Connection c = conn()) {
            orders(admin, t, 1_000);
            OnlineTableCopy copy = new OnlineTableCopy(c, "test", t, ALTER, Options.defaults(), Journal.inMemory(),
                    listener("nofit"));
            copy.prepare();
            copy.copy();
            copy.cutOver();
            exec(admin, "INSERT INTO `" + t + "` (id, amount, name, status, updated_at) VALUES (5000, 1, '" + "x".repeat(150)
                    + "', 'new', NOW())");
            assertThatThrownBy(copy::revert).isInstanceOf(OnlineCopyException.class).hasMessageContaining("Data truncated for column 'name'")
                    .hasMessageContaining("do not fit the old definition");
            assertThat(copy.state()).isEqualTo(State.CUT_OVER);
            assertThat(createSql(admin, t)).contains("varchar(200)");
            assertThat(one(admin, "SELECT LENGTH(name) FROM `" + t + "` WHERE id = 5000")).isEqualTo("150");
            copy.cleanup();
        }
    }

    // ------------------------------------------------------------------------------------------------ 5

    @Test
    void refusesWhatItCannotCopy() throws Exception {
        try (Connection c = conn()) {
            String nokey = table("oc_nokey");
            exec(c, "CREATE TABLE `" + nokey + "` (a INT, b INT)");
            assertThatThrownBy(() -> copy(c, nokey, "MODIFY b BIGINT").prepare())
                    .isInstanceOf(OnlineCopyException.Refused.class).hasMessageContaining(nokey)
                    .hasMessageContaining("no PRIMARY KEY").hasMessageContaining("Add a PRIMARY KEY");

            String composite = table("oc_comp");
            exec(c, "CREATE TABLE `" + composite + "` (a INT, b INT, v INT, PRIMARY KEY (a, b))");
            assertThatThrownBy(() -> copy(c, composite, "MODIFY v BIGINT").prepare())
                    .isInstanceOf(OnlineCopyException.Refused.class).hasMessageContaining("composite");

            String parent = table("oc_parent");
            String child = table("oc_child");
            exec(c, "CREATE TABLE `" + parent + "` (id INT PRIMARY KEY, v INT)");
            exec(c, "CREATE TABLE `" + child + "` (id INT PRIMARY KEY, pid INT, CONSTRAINT `" + child + "_fk` FOREIGN KEY (pid) "
                    + "REFERENCES `" + parent + "` (id))");
            assertThatThrownBy(() -> copy(c, parent, "MODIFY v BIGINT").prepare())
                    .isInstanceOf(OnlineCopyException.Refused.class).hasMessageContaining(parent)
                    .hasMessageContaining("test." + child + "." + child + "_fk").hasMessageContaining("not supported");
            assertThatThrownBy(() -> copy(c, child, "MODIFY pid BIGINT").prepare())
                    .isInstanceOf(OnlineCopyException.Refused.class).hasMessageContaining("has foreign keys");
            exec(c, "DROP TABLE `" + child + "`");

            String trig = table("oc_trig");
            exec(c, "CREATE TABLE `" + trig + "` (id INT PRIMARY KEY, v INT)");
            exec(c, "CREATE TRIGGER `" + trig + "_audit` BEFORE UPDATE ON `" + trig + "` FOR EACH ROW SET NEW.v = NEW.v");
            assertThatThrownBy(() -> copy(c, trig, "MODIFY v BIGINT").prepare())
                    .isInstanceOf(OnlineCopyException.Refused.class).hasMessageContaining(trig + "_audit");

            // the ALTER runs on the empty shadow first: its error surfaces before any row moves, nothing is left
            exec(c, "INSERT INTO `" + parent + "` VALUES (1, 1)");
            OnlineTableCopy bad = copy(c, parent, "MODIFY nosuch BIGINT");
            assertThatThrownBy(bad::prepare).isInstanceOf(OnlineCopyException.Refused.class)
                    .hasMessageContaining("fails on an empty copy").hasMessageContaining("nosuch");
            assertThat(one(c, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'test' AND TABLE_NAME = '"
                    + bad.shadowTable() + "'")).isEqualTo("0");
            assertThat(triggers(c, parent)).isEmpty();
        }
    }

    @Test
    void aConversionThatChangesValuesStopsTheCopy() throws Exception {
        String t = table("oc_lossy");
        try (Connection c = conn()) {
            orders(c, t, 3_000);
            OnlineTableCopy copy = copy(c, t, "MODIFY name VARCHAR(8) NOT NULL");
            copy.prepare();
            assertThatThrownBy(copy::copy).isInstanceOf(OnlineCopyException.class)
                    .hasMessageContaining("would change data").hasMessageContaining("Data truncated");
            assertThat(copy.state()).isEqualTo(State.PREPARED);
            copy.abort();
            assertThat(createSql(c, t)).contains("varchar(50)");
            assertThat(count(c, t)).isEqualTo(3_000);
        }
    }

    OnlineTableCopy copy(Connection c, String t, String alter) {
        return new OnlineTableCopy(c, "test", t, alter, Options.defaults(), Journal.inMemory(), listener(t));
    }

    // ------------------------------------------------------------------------------------------------ 6

    @Test
    void chunksGrowOnAFastTableAndTheThrottlePauses() throws Exception {
        String t = table("oc_grow");
        AtomicInteger probes = new AtomicInteger();
        Options o = Options.defaults().withThrottle(1000, 25, () -> probes.incrementAndGet() <= 3 ? 5_000 : 0);
        try (Connection c = conn()) {
            orders(c, t, 200_000);
            List<Integer> sizes = new CopyOnWriteArrayList<>();
            OnlineTableCopy copy = new OnlineTableCopy(c, "test", t, ALTER, o, Journal.inMemory(), new Listener() {
                @Override
                public void progress(long rows, long estimate, int chunk) {
                    sizes.add(chunk);
                }

                @Override
                public void paused(String why) {
                    pauses.add(why);
                }

                @Override
                public void log(String s) {
                    System.out.println("[grow] " + s);
                }
            });
            copy.prepare();
            copy.copy();
            OnlineTableCopy.Stats s = copy.stats();
            System.out.println("[grow] " + s + " → " + s.rowsPerSecond() + " rows/s; sizes " + sizes.subList(0, Math.min(12, sizes.size())));
            assertThat(s.rows()).isEqualTo(200_000);
            assertThat(s.firstChunk()).isEqualTo(1000);
            assertThat(s.largestChunk()).isGreaterThan(2000);
            assertThat(pauses).anyMatch(w -> w.contains("replica lag 5000 ms"));
            assertThat(s.pausedMillis()).isGreaterThan(400);
            ChecksumResult r = copy.checksum();
            System.out.println("[grow] checksum " + r);
            assertThat(r.rows()).isEqualTo(200_000);
            copy.abort();
        }
    }

    // ------------------------------------------------------------------------------------------------ 7

    @Test
    void walksStringAndBinaryKeys() throws Exception {
        try (Connection c = conn()) {
            String s = table("oc_str");
            exec(c, "CREATE TABLE `" + s + "` (id VARCHAR(36) NOT NULL PRIMARY KEY, v VARCHAR(20) CHARACTER SET latin1) "
                    + "DEFAULT CHARSET=utf8mb4");
            exec(c, "INSERT INTO `" + s + "` SELECT UUID(), CONCAT('vé', seq) FROM seq_1_to_5000");
            Options small = Options.defaults().withChunks(50, 100, 400);
            OnlineTableCopy copy = new OnlineTableCopy(c, "test", s, "MODIFY v VARCHAR(300) CHARACTER SET utf8mb4",
                    small, Journal.inMemory(), listener("str"));
            copy.prepare();
            copy.copy();
            assertThat(copy.stats().chunks()).isGreaterThan(10);
            assertThat(copy.checksum().rows()).isEqualTo(5000);
            Map<String, String> before = rows(c, s, "v");
            copy.cutOver();
            assertThat(createSql(c, s)).contains("varchar(300)");
            assertThat(rows(c, s, "v")).isEqualTo(before);
            copy.cleanup();

            // no primary key, a NOT NULL UNIQUE BINARY(16) key instead
            String b = table("oc_bin");
            exec(c, "CREATE TABLE `" + b + "` (id BINARY(16) NOT NULL, n INT NOT NULL, UNIQUE KEY uk (id))");
            exec(c, "INSERT INTO `" + b + "` SELECT UNHEX(MD5(seq)), seq FROM seq_1_to_3000");
            copy = new OnlineTableCopy(c, "test", b, "MODIFY n BIGINT NOT NULL, ADD COLUMN extra INT NOT NULL DEFAULT 7",
                    small, Journal.inMemory(), listener("bin"));
            copy.prepare();
            copy.copy();
            assertThat(copy.checksum().rows()).isEqualTo(3000);
            copy.cutOver();
            assertThat(one(c, "SELECT SUM(n), SUM(extra) FROM `" + b + "`")).isEqualTo(String.valueOf(3000L * 3001 / 2));
            assertThat(one(c, "SELECT SUM(extra) FROM `" + b + "`")).isEqualTo("21000");
            copy.cleanup();
        }
    }

    // ------------------------------------------------------------------------------------------------ 8

    /**
     * The copy checksums every chunk as it goes (beside it on a second connection, or inline without one): a shadow
     * row that differs from its source row (written into the shadow behind the copy's back, so INSERT IGNORE keeps it)
     * is found, its chunk copied again, and the cut-over then needs no second pass.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void chunkChecksumsDuringTheCopyFindAndRepairADifferingChunk(boolean beside) throws Exception {
        String t = table("oc_sum");
        try (Connection c = conn(); Connection admin = conn()) {
            orders(c, t, 20_000);
            String shadow = OnlineTableCopy.derived(t, "zdnew");
            AtomicInteger chunks = new AtomicInteger();
            Listener tamper = new Listener() {
                @Override
                public void log(String s) {
                    log.add(s);
                    System.out.println("[sum] " + s);
                }

                @Override
                public void progress(long rows, long estimate, int chunk) {
                    if (chunks.incrementAndGet() == 1) {
                        try {
                            exec(admin, "INSERT INTO `" + shadow + "` (id, amount, name, status, note, updated_at) "
                                    + "VALUES (15000, 1, 'tampered', 'new', NULL, NOW(3))");
                        } catch (SQLException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                }
            };
            OnlineTableCopy copy = new OnlineTableCopy(c, "test", t, ALTER, Options.defaults().withChunks(50, 500, 2000),
                    Journal.inMemory(), tamper);
            if (beside) {
                copy.withHelperConnections(OnlineTableCopyTest::conn);
            }
            copy.prepare();
            copy.copy();
            ChecksumResult r = copy.copyChecksum();
            System.out.println("[sum] beside=" + beside + ": " + r);
            assertThat(r.rows()).isEqualTo(20_000);
            assertThat(r.repaired()).hasSize(1);
            assertThat(r.repaired().get(0)).startsWith("(").endsWith("]");
            assertThat(one(c, "SELECT name FROM `" + shadow + "` WHERE id = 15000")).isEqualTo("name-15000-é");
            assertThat(log).anyMatch(s -> s.contains(beside ? "checksumming each chunk on a second connection" : "copying"));
            Map<String, String> before = rows(c, t, COLS);
            assertThat(copy.cutOver()).isEqualTo(State.CUT_OVER);
            assertThat(log).noneMatch(s -> s.startsWith("checksum `test`.`" + t + "` = `test`.`" + shadow + "`: 20000 rows in")
                    && !s.contains("beside the copy"));
            assertThat(rows(c, t, COLS)).isEqualTo(before);
            copy.cleanup();
        }
    }

    /**
     * The checksum marks NULLs only in columns that can hold one: a NULL turned into '' in the shadow is still found,
     * and so is a changed value in a NOT NULL column, which has no mark.
     */
    @Test
    void checksumFindsANullTurnedIntoAnEmptyStringAndAChangedNotNullValue() throws Exception {
        String t = table("oc_nulls");
        try (Connection c = conn(); Connection admin = conn()) {
            orders(c, t, 5_000);
            String shadow = OnlineTableCopy.derived(t, "zdnew");
            OnlineTableCopy copy = new OnlineTableCopy(c, "test", t, ALTER, Options.defaults().withChunks(50, 500, 2000),
                    Journal.inMemory(), listener("nulls"));
            copy.prepare();
            copy.copy();
            assertThat(copy.copyChecksum().repaired()).isEmpty();
            assertThat(one(admin, "SELECT note IS NULL FROM `" + t + "` WHERE id = 700")).isEqualTo("1");
            assertThat(one(admin, "SELECT status FROM `" + t + "` WHERE id = 4001")).isEqualTo("shipped");
            // behind the copy's back (no trigger on the shadow)
            exec(admin, "UPDATE `" + shadow + "` SET note = '' WHERE id = 700");
            exec(admin, "UPDATE `" + shadow + "` SET status = 'new' WHERE id = 4001");
            ChecksumResult r = copy.checksum();
            assertThat(r.repaired()).hasSize(2);
            assertThat(one(admin, "SELECT note IS NULL FROM `" + shadow + "` WHERE id = 700")).isEqualTo("1");
            assertThat(one(admin, "SELECT status FROM `" + shadow + "` WHERE id = 4001")).isEqualTo("shipped");
            assertThat(copy.cutOver()).isEqualTo(State.CUT_OVER);
            assertThat(count(c, t)).isEqualTo(5_000);
        }
    }

    /**
     * A dense stretch of keys after a sparse one: the span sized on the sparse keys would hold every dense row at once
     * (a long INSERT holding the AUTO-INC lock), so a span wider than twice the rows asked is counted first and
     * narrowed; dense spans are copied without that count. Every chunk stays within twice the largest size asked.
     */
    @Test
    void aDenseStretchAfterASparseOneIsCopiedInChunksOfTheSizeAsked() throws Exception {
        String t = table("oc_sparse");
        try (Connection c = conn()) {
            orders(c, t, 1);
            exec(c, "DELETE FROM `" + t + "`");
            // 1,000 rows a thousand keys apart, then 20,000 consecutive keys
            exec(c, "INSERT INTO `" + t + "` (id, amount, name, status, note, updated_at) SELECT seq * 1000, 1, "
                    + "CONCAT('s', seq), 'new', NULL, NOW(3) FROM seq_1_to_1000");
            exec(c, "INSERT INTO `" + t + "` (id, amount, name, status, note, updated_at) SELECT 1000000 + seq, 2, "
                    + "CONCAT('d', seq), 'paid', 'x', NOW(3) FROM seq_1_to_20000");
            List<Integer> chunkRows = new CopyOnWriteArrayList<>();
            Listener l = listener("sparse");
            OnlineTableCopy copy = new OnlineTableCopy(c, "test", t, ALTER, Options.defaults().withChunks(50, 500, 2000),
                    Journal.inMemory(), new Listener() {
                        @Override
                        public void log(String s) {
                            l.log(s);
                        }

                        @Override
                        public void chunk(String lastKey, int rows, long nanos) {
                            chunkRows.add(rows);
                        }
                    });
            Map<String, String> before = rows(c, t, COLS);
            copy.prepare();
            copy.copy();
            assertThat(copy.copyChecksum().rows()).isEqualTo(21_000);
            assertThat(copy.copyChecksum().repaired()).isEmpty();
            assertThat(chunkRows.stream().mapToInt(Integer::intValue).sum()).isEqualTo(21_000);
            assertThat(chunkRows).allMatch(n -> n <= 4_000);
            assertThat(copy.cutOver()).isEqualTo(State.CUT_OVER);
            assertThat(rows(c, t, COLS)).isEqualTo(before);
        }
    }

    /** Without a second connection (the server's max_connections reached, say) the chunks are checked inline. */
    @Test
    void chunkChecksumsRunInlineWhenNoSecondConnectionOpens() throws Exception {
        String t = table("oc_noconn");
        try (Connection c = conn()) {
            orders(c, t, 5_000);
            OnlineTableCopy copy = new OnlineTableCopy(c, "test", t, ALTER, Options.defaults().withChunks(50, 500, 2000),
                    Journal.inMemory(), listener("noconn")).withHelperConnections(() -> {
                        throw new SQLException("Too many connections", "08004", 1040);
                    });
            copy.prepare();
            copy.copy();
            assertThat(log).anyMatch(s -> s.startsWith("no second connection for the checksum (Too many connections)"));
            assertThat(copy.copyChecksum().rows()).isEqualTo(5_000);
            assertThat(copy.copyChecksum().chunks()).isGreaterThan(1);
            assertThat(copy.cutOver()).isEqualTo(State.CUT_OVER);
            assertThat(count(c, t)).isEqualTo(5_000);
        }
    }
}
