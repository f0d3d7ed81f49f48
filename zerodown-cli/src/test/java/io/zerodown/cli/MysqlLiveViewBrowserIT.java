package io.zerodown.cli;

import io.zerodown.core.source.MigrationScanner;
import io.zerodown.core.watch.LivePage;
import io.zerodown.mysql.apply.MysqlApplier;
import io.zerodown.mysql.apply.MysqlConnections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The live page of an apply on MariaDB (the server of this machine) in a real headless browser (Debian's chromium
 * through its chromedriver): during a real online copy the page shows the plan and the copy's progress moving, draws
 * the canary, replica-lag and rows/s charts, and its Pause button (the same control handler as {@code apply --ui})
 * stops the copy in the database until Resume, and a setting changed on the page reaches the run; the run then
 * finishes and writes its HTML report. A screenshot goes
 * to the module's build folder.
 */
class MysqlLiveViewBrowserIT {
    static final String SERVER = "jdbc:mariadb://127.0.0.1:3306/test?user=root";
    static final Path CHROMIUM = Path.of(System.getProperty("zerodown.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("zerodown.chromedriver", "/usr/bin/chromedriver"));

    static WebDriver browser(Path profile) {
        assertThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER))
                .as("the browser test needs Debian's chromium and its driver: apt-get install -y chromium chromium-driver")
                .isTrue();
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1400,1800", "--user-data-dir=" + profile);
        return new ChromeDriver(service, options);
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

    /** The first number of the page's progress line: rows copied as the page shows them. */
    static long shownRows(WebDriver d) {
        String t = text(d, "rows");
        return t.isEmpty() || !Character.isDigit(t.charAt(0)) ? 0 : Long.parseLong(t.split(" ")[0]);
    }

    static long shadowRows(String url) {
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM `_orders_zdnew`")) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            return -1;
        }
    }

    @Test
    void pageInARealBrowserFollowsAMysqlOnlineCopyAndItsButtonsSteerIt(@TempDir Path dir) throws Exception {
        String name = "zd_live_" + Long.toHexString(System.nanoTime());
        String url = "jdbc:mariadb://127.0.0.1:3306/" + name + "?user=root";
        try (Connection c = DriverManager.getConnection(SERVER); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        }
        WebDriver d = null;
        try {
            try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE orders (id bigint PRIMARY KEY AUTO_INCREMENT, amount decimal(10,2) NOT NULL DEFAULT 0, "
                        + "note varchar(40))");
                st.execute("INSERT INTO orders (amount, note) SELECT seq / 100, CONCAT('n', seq) FROM seq_1_to_300000");
            }
            Path migrations = Files.createDirectories(dir.resolve("m"));
            Files.writeString(migrations.resolve("V1__widen.sql"), "ALTER TABLE orders MODIFY amount decimal(14,2) NOT NULL DEFAULT 0;\n");
            MysqlConnections db = MysqlConnections.parse("mysql://root@127.0.0.1:3306/" + name);
            long start = System.currentTimeMillis();
            // a replica-lag signal the test controls (no replica here): a saw-tooth well under the limit, read before
            // every chunk; each reading takes 150 ms, so the copy lasts seconds and the clicks land while it runs
            MysqlApplier.Watch watch = MysqlApplier.Watch.defaults().withReplicaLag(() -> {
                try {
                    Thread.sleep(150);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return (System.currentTimeMillis() - start) / 10 % 400;
            }).withReport(dir.resolve("reports").resolve("apply-mysql.json"));
            List<String> log = new CopyOnWriteArrayList<>();
            MysqlApplier applier = new MysqlApplier(db, MysqlApplier.Options.defaults(), log::add).withWatch(watch);
            Path screenshot = Path.of(System.getProperty("zerodown.buildDir", "target")).resolve("screenshots").resolve("mysql-live-page.png");
            Files.deleteIfExists(screenshot);
            d = browser(Files.createDirectories(dir.resolve("chromium-profile")));
            WebDriver b = d;
            try (LivePage page = new LivePage(0, () -> MysqlCli.liveState(applier, db), (a, p) -> MysqlCli.control(db, a, p))) {
                CompletableFuture<MysqlApplier.Outcome> run = CompletableFuture.supplyAsync(() -> {
                    try {
                        return applier.apply(MigrationScanner.standard().scan(List.of(migrations)));
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                d.manage().timeouts().scriptTimeout(Duration.ofSeconds(5));
                d.get("http://127.0.0.1:" + page.port() + "/");

                // the plan as a timeline, the copy running, its progress moving
                await("the page to show the copy running", 60, () -> shownRows(b) > 0
                        && !b.findElements(By.cssSelector("#timeline span.running")).isEmpty());
                assertThat(d.findElement(By.cssSelector("#timeline span.running")).getText()).contains("online copy of orders");
                long first = shownRows(d);
                await("the page's row count to move", 30, () -> shownRows(b) > first);
                assertThat(text(d, "rows")).contains("of ~3");
                await("a few samples for every chart", 30, () -> List.of("line", "lag-line", "rate-line").stream().allMatch(id -> {
                    String n = b.findElement(By.id(id)).getAttribute("data-points");
                    return n != null && Integer.parseInt(n) >= 3;
                }));

                // Pause takes effect in the database: the shadow table stops growing
                d.findElement(By.id("pause")).click();
                await("the page to confirm the pause", 10, () -> text(b, "sent").equals("sent pause"));
                await("the pause to show up", 10, () -> text(b, "pauses").contains("paused by zerodown control"));
                await("the paused banner", 5, () -> text(b, "paused").contains("Paused: paused by zerodown control"));
                Thread.sleep(500);
                long paused = shadowRows(url);
                Thread.sleep(1_500);
                assertThat(shadowRows(url)).as("rows copied while paused").isEqualTo(paused);
                assertThat(paused).isBetween(1L, 299_999L);
                assertThat(run).isNotDone();

                // the charts draw: the browser laid out a path of real length from the live samples
                JavascriptExecutor js = (JavascriptExecutor) d;
                await("the canary, lag and rows/s charts to draw", 30, () -> {
                    for (String line : List.of("line", "lag-line", "rate-line")) {
                        Object len = js.executeScript("var p=document.getElementById(arguments[0]);"
                                + "return p.getAttribute('d') ? p.getTotalLength() : 0;", line);
                        if (((Number) len).doubleValue() <= 0) return false;
                    }
                    return true;
                });
                // a setting changed on the page reaches the run (picked up while paused too)
                d.findElement(By.xpath("//select[@id='setting']/option[.='max-replica-lag']")).click();
                d.findElement(By.id("value")).sendKeys("2s");
                d.findElement(By.id("set")).click();
                await("the run to pick up max-replica-lag", 10, () -> text(b, "controls").contains("set max-replica-lag to 2000 ms"));
                await("the settings line to show it", 5, () -> text(b, "settings").contains("max-replica-lag 2000 ms"));
                assertThat(applier.guard().limits().maxReplicaLagMs()).isEqualTo(2000);

                Files.createDirectories(screenshot.getParent());
                Files.write(screenshot, ((ChromeDriver) d).getScreenshotAs(OutputType.BYTES));

                // Resume: the copy finishes, the cut-over runs, the page shows every step done
                d.findElement(By.id("resume")).click();
                MysqlApplier.Outcome out = run.get(120, TimeUnit.SECONDS);
                assertThat(out.applied()).containsExactly("1");
                await("the page to show the run done", 10, () -> text(b, "summary").contains("done")
                        && b.findElements(By.cssSelector("#timeline span.pending, #timeline span.running")).isEmpty());
            }
            assertThat(log).anyMatch(l -> l.contains("resuming") || l.contains("resumed"));
            try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT COUNT(*), SUM(amount) FROM orders")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(300_000);
                assertThat(rs.getBigDecimal(2)).isEqualByComparingTo("450001500.00");
            }
            String html = Files.readString(dir.resolve("reports").resolve("apply-mysql.html"));
            assertThat(html).contains("paused by zerodown control", "id=\"canary-chart\"", "id=\"rate-chart\"", "id=\"lag-chart\"");
            assertThat(screenshot).exists();
            byte[] png = Files.readAllBytes(screenshot);
            assertThat(new String(png, 1, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PNG");
        } finally {
            if (d != null) d.quit();
            try (Connection c = DriverManager.getConnection(SERVER); Statement st = c.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + name);
            }
        }
    }
}
