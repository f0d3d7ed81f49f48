package io.zerodown.postgres.watch;

import io.zerodown.core.source.MigrationScanner;
import io.zerodown.postgres.PostgresVersions;
import io.zerodown.postgres.apply.ApplyListener;
import io.zerodown.postgres.apply.ApplyOptions;
import io.zerodown.postgres.apply.PostgresApplier;
import io.zerodown.postgres.apply.PostgresConnections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The live page in a real headless browser (Debian's chromium driven by its chromedriver through Selenium) during a
 * real apply with a real backfill on embedded PostgreSQL: progress moves, the charts draw, the Pause button pauses the
 * backfill in the database, a setting changed on the page reaches the run, Resume lets it finish, and Proceed runs the
 * postponed contract phase. A screenshot goes to the module's build folder.
 */
class WebUiBrowserIT {
    static final Path CHROMIUM = Path.of(System.getProperty("zerodown.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("zerodown.chromedriver", "/usr/bin/chromedriver"));

    static WebDriver browser(Path profile) {
        assertThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER))
                .as("the browser test needs Debian's chromium and its driver: apt-get install -y chromium chromium-driver "
                        + "(looked for " + CHROMIUM + " and " + CHROMEDRIVER + ")")
                .isTrue();
        // the driver is given explicitly, so Selenium Manager never runs (it would try to download one)
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // without these chromium reaches for the network (updates, sync, QUIC probes) and wants a sandbox root lacks
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1400,1800", "--user-data-dir=" + profile);
        return new ChromeDriver(service, options);
    }

    static long rowsDone(PostgresConnections db) throws Exception {
        try (Connection c = db.open(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT coalesce(sum(rows_done), 0) FROM zerodown.steps WHERE migration_id = '2'")) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            return 0; // the journal does not exist yet
        }
    }

    static boolean notNull(PostgresConnections db) throws Exception {
        try (Connection c = db.open(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT attnotnull FROM pg_attribute WHERE attrelid = 'items'::regclass AND attname = 'token'")) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    static void await(String what, int seconds, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (System.currentTimeMillis() < deadline) {
            if (condition.getAsBoolean()) return;
            Thread.sleep(100);
        }
        throw new AssertionError("timed out after " + seconds + " s waiting for: " + what);
    }

    static String text(WebDriver d, String id) {
        return d.findElement(By.id(id)).getText();
    }

    /** The first number in the page's progress line: rows done as the page shows them. */
    static long shownRows(WebDriver d) {
        String t = text(d, "rows");
        return t.isEmpty() ? 0 : Long.parseLong(t.split(" ")[0]);
    }

    /**
     * Makes every UPDATE statement on items take at least 10 ms, like a busy table's, so the backfill lasts seconds
     * on any machine and the test's clicks land while it runs.
     */
    static final String SLOW_UPDATES = "CREATE FUNCTION slow_statement() RETURNS trigger LANGUAGE plpgsql AS "
            + "$$BEGIN PERFORM pg_sleep(0.01); RETURN NULL; END$$;\n"
            + "CREATE TRIGGER slow BEFORE UPDATE ON items FOR EACH STATEMENT EXECUTE FUNCTION slow_statement();\n";

    @Test
    void pageInARealBrowserShowsProgressDrawsChartsAndItsButtonsSteerTheRun(@TempDir Path dir) throws Exception {
        PostgresVersions.Server server = PostgresVersions.embedded(16);
        PostgresConnections db = PostgresConnections.of(server.freshDatabase(), server.user());
        Path migrations = Files.createDirectories(dir.resolve("migrations"));
        Files.writeString(migrations.resolve("V1__init.sql"), "CREATE TABLE items (id bigint PRIMARY KEY, v int);\n"
                + "INSERT INTO items SELECT g, g FROM generate_series(1, 80000) g;\n" + SLOW_UPDATES);
        new PostgresApplier(db, ApplyOptions.defaults(), ApplyListener.NONE).apply(MigrationScanner.standard().scan(List.of(migrations)));
        // a backfill (expand + backfill phases), then SET NOT NULL (the contract phase, postponed until Proceed)
        Files.writeString(migrations.resolve("V2__token.sql"), "ALTER TABLE items ADD COLUMN token text DEFAULT md5(random()::text);\n"
                + "ALTER TABLE items ALTER COLUMN token SET NOT NULL;");

        RunReport report = new RunReport(ApplyListener.NONE, db);
        GuardRails rails = new GuardRails(report::canaryRecentP99Ms, 10_000, 0);
        long start = System.currentTimeMillis();
        // a replica-lag signal the test controls (no replica here): a slow saw-tooth well under the limit, for the lag chart
        ApplyOptions o = ApplyOptions.defaults().withBackfill(30, 50, 10, 100)
                .withReplicaLag(10_000, () -> (System.currentTimeMillis() - start) / 10 % 400)
                .withGuardRails(rails).withPostponeContract(true);
        report.settings(() -> rails.settings(o.backfillTargetMs(), o.maxReplicaLagMs()));
        Path buildDir = Path.of(System.getProperty("zerodown.buildDir", "target"));
        Path screenshot = buildDir.resolve("screenshots").resolve("live-page.png");
        Files.deleteIfExists(screenshot);

        WebDriver d = browser(Files.createDirectories(dir.resolve("chromium-profile")));
        try (WebUi ui = new WebUi(0, report, db)) {
            CompletableFuture<PostgresApplier.Outcome> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return new PostgresApplier(db, o, report).apply(MigrationScanner.standard().scan(List.of(migrations)));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            d.manage().timeouts().scriptTimeout(Duration.ofSeconds(5));
            d.get("http://127.0.0.1:" + ui.port() + "/");

            // progress moves, as the page shows it
            await("the page to show the backfill running", 60, () -> shownRows(d) >= 2_000
                    && !d.findElements(By.cssSelector("#timeline span.running")).isEmpty());
            long first = shownRows(d);
            await("the page's row count to move", 30, () -> shownRows(d) > first);
            assertThat(d.findElement(By.cssSelector("#timeline span.running")).getText()).contains("backfill");
            assertThat(d.findElements(By.cssSelector("#timeline span")).size()).isGreaterThanOrEqualTo(3);

            await("a few samples for every chart", 30, () -> List.of("line", "lag-line", "rate-line").stream()
                    .allMatch(id -> {
                        String n = d.findElement(By.id(id)).getAttribute("data-points");
                        return n != null && Integer.parseInt(n) >= 3;
                    }));

            // Pause takes effect in the database: the journalled progress stops
            d.findElement(By.id("pause")).click();
            await("the page to confirm the pause", 10, () -> text(d, "sent").equals("sent pause"));
            await("the pause to show up", 10, () -> text(d, "pauses").contains("paused by zerodown control"));
            Thread.sleep(500);
            long paused = rowsDone(db);
            Thread.sleep(1_500);
            assertThat(rowsDone(db)).as("rows backfilled while paused").isEqualTo(paused);
            assertThat(paused).isLessThan(80_000);
            await("the paused banner", 5, () -> text(d, "paused").contains("Paused: paused by zerodown control"));

            // an app session waiting on another's row lock shows up with its blocker
            try (Connection writer = db.open(); Connection waiter = db.open()) {
                writer.setAutoCommit(false);
                int writerPid;
                try (Statement st = writer.createStatement()) {
                    st.execute("UPDATE items SET v = v WHERE id = 1");
                    try (ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
                        rs.next();
                        writerPid = rs.getInt(1);
                    }
                }
                try (Statement st = waiter.createStatement()) {
                    st.execute("SET application_name = 'app-writer'");
                }
                CompletableFuture<Void> waits = CompletableFuture.runAsync(() -> {
                    try (Statement st = waiter.createStatement()) {
                        st.execute("UPDATE items SET v = v WHERE id = 1");
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                await("the page to list the app-writer's lock wait", 10, () -> {
                    List<org.openqa.selenium.WebElement> cells = d.findElements(By.cssSelector("#waits td"));
                    return cells.size() >= 8 && cells.get(1).getText().equals("app-writer")
                            && cells.get(4).getText().equals(String.valueOf(writerPid));
                });
                writer.commit();
                waits.get(10, TimeUnit.SECONDS);
            }

            // the charts draw (checked while paused, so the backfill cannot end first): the browser laid out a path of
            // real length from the live samples
            JavascriptExecutor js = (JavascriptExecutor) d;
            await("the canary, lag and rows/s charts to draw", 30, () -> {
                for (String line : List.of("line", "lag-line", "rate-line")) {
                    Object len = js.executeScript("var p=document.getElementById(arguments[0]);"
                            + "return p.getAttribute('d') ? p.getTotalLength() : 0;", line);
                    if (((Number) len).doubleValue() <= 0) return false;
                }
                return true;
            });
            assertThat(Integer.parseInt(d.findElement(By.id("line")).getAttribute("data-points"))).isGreaterThan(2);

            // a setting changed on the page reaches the run (picked up even while paused)
            d.findElement(By.xpath("//select[@id='setting']/option[.='batch-time']")).click();
            d.findElement(By.id("value")).sendKeys("50ms");
            d.findElement(By.id("set")).click();
            await("the run to pick up batch-time", 10, () -> text(d, "controls").contains("batch-time set to 50 ms by zerodown control"));
            assertThat(rails.batchTargetMs(30)).isEqualTo(50);
            await("the settings line to show it", 5, () -> text(d, "settings").contains("batch-time 50 ms"));

            Files.createDirectories(screenshot.getParent());
            Files.write(screenshot, ((ChromeDriver) d).getScreenshotAs(OutputType.BYTES));

            // Resume: the backfill finishes, then the contract phase waits for Proceed
            d.findElement(By.id("resume")).click();
            await("the backfill to finish and the contract phase to wait", 90,
                    () -> d.findElement(By.id("wait")).isDisplayed() && text(d, "wait").contains("Contract phase postponed"));
            assertThat(rowsDone(db)).isGreaterThanOrEqualTo(80_000);
            Thread.sleep(500);
            assertThat(notNull(db)).as("SET NOT NULL ran before Proceed").isFalse();
            assertThat(run).isNotDone();
            d.findElement(By.id("proceed")).click();
            PostgresApplier.Outcome out = run.get(60, TimeUnit.SECONDS);
            assertThat(out.applied()).contains("2");
            assertThat(notNull(db)).isTrue();
            await("the page to show the run done", 10, () -> d.findElements(By.cssSelector("#timeline span.pending, #timeline span.running")).isEmpty());
            assertThat(text(d, "controls")).contains("proceeding with the contract phase");

            // a concurrent index build shows its progress: a partial expression index whose key takes 1 ms a row
            Files.writeString(migrations.resolve("V3__slow_index.sql"), "CREATE FUNCTION slow_key(int) RETURNS int IMMUTABLE "
                    + "LANGUAGE plpgsql AS $$BEGIN PERFORM pg_sleep(0.001); RETURN $1; END$$;\n"
                    + "CREATE INDEX items_slow_idx ON items (slow_key(v)) WHERE id <= 4000;");
            CompletableFuture<PostgresApplier.Outcome> build = CompletableFuture.supplyAsync(() -> {
                try {
                    return new PostgresApplier(db, o.withPostponeContract(false), report).apply(MigrationScanner.standard().scan(List.of(migrations)));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            await("the page to show the index build's progress", 30, () -> text(d, "rows").startsWith("index build items_slow_idx: "));
            assertThat(text(d, "rows")).containsPattern("\\d+ of \\d+ (blocks|tuples)");
            assertThat(build.get(60, TimeUnit.SECONDS).applied()).contains("3");
        } finally {
            d.quit();
        }
        assertThat(screenshot).exists();
        byte[] png = Files.readAllBytes(screenshot);
        assertThat(png.length).isGreaterThan(10_000);
        assertThat(new String(png, 1, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PNG");
        try (Connection c = db.open(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM items WHERE token IS NULL")) {
            rs.next();
            assertThat(rs.getLong(1)).isZero();
        }
    }
}
