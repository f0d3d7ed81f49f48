package io.zerodown.core.watch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The page's script in a real headless browser (Debian's chromium, its DOM dumped once the page has polled the
 * state): a state without PostgreSQL's extras (no index build, no lock retries) and with its own controls, settings and
 * proceed label draws them.
 */
class LivePageBrowserIT {
    static final Path CHROMIUM = Path.of(System.getProperty("zerodown.chromium", "/usr/bin/chromium"));

    static String renderedPage(int port, Path profile) throws Exception {
        assertThat(Files.isExecutable(CHROMIUM))
                .as("the browser test needs Debian's chromium: apt-get install -y chromium (looked for " + CHROMIUM + ")").isTrue();
        // without these chromium reaches for the network (updates, sync, QUIC probes) and wants a sandbox root lacks
        Process p = new ProcessBuilder(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--virtual-time-budget=3000", "--dump-dom",
                "http://127.0.0.1:" + port + "/")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] dom = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("chromium to dump the page within 60 s").isTrue();
        return new String(dom, StandardCharsets.UTF_8);
    }

    /** What the element with this id holds (its first closing tag of the same name ends it). */
    static String inner(String dom, String id) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("<(\\w+) id=\"" + id + "\"[^>]*>(.*?)</\\1>", java.util.regex.Pattern.DOTALL)
                .matcher(dom);
        assertThat(m.find()).as("an element with id " + id + " in the page").isTrue();
        return m.group(2);
    }

    @Test
    void pageDrawsAStateWithItsOwnControlsSettingsAndNoIndexBuild(@TempDir Path dir) throws Exception {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("engine", "mysql");
        state.put("database", "127.0.0.1:3306/shop");
        state.put("outcome", "running");
        state.put("wallMs", 5_000);
        state.put("currentStep", "7 #3 copy orders");
        state.put("rowsDone", 1_200);
        state.put("rowsEstimate", 4_800);
        state.put("rowsPerSecond", List.of(List.of(1_000, 600), List.of(2_000, 400)));
        state.put("controlsOffered", List.of("pause", "resume", "proceed"));
        state.put("proceedLabel", "Cut over now");
        state.put("settingNames", List.of("chunk-time", "max-threads-running"));
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("chunk-time", 500);
        settings.put("max-threads-running", "25 threads");
        state.put("settings", settings);
        Map<String, Object> copy = new LinkedHashMap<>();
        copy.put("step", 3);
        copy.put("kind", "copy");
        copy.put("description", "copy <orders>");
        copy.put("state", "running");
        state.put("steps", List.of(copy));
        state.put("lockWaits", List.of(Map.of("pid", 17, "applicationName", "app")));

        try (LivePage page = new LivePage(0, () -> state, (a, p) -> Map.of())) {
            String dom = renderedPage(page.port(), Files.createDirectories(dir.resolve("profile")));

            assertThat(inner(dom, "summary")).isEqualTo("127.0.0.1:3306/shop (mysql) · running · 5.0 s");
            assertThat(dom).containsPattern("id=\"abort\"[^>]*style=\"display: none;\"")
                    .containsPattern("id=\"pause\"[^>]*>Pause<").doesNotContainPattern("id=\"pause\"[^>]*display: none")
                    .containsPattern("id=\"proceed\"[^>]*>Cut over now<")
                    .containsPattern("id=\"rate-line\"[^>]*data-points=\"2\"");
            assertThat(inner(dom, "setting")).isEqualTo("<option>chunk-time</option><option>max-threads-running</option>");
            assertThat(inner(dom, "settings")).isEqualTo("chunk-time 500 ms · max-threads-running 25 threads");
            assertThat(inner(dom, "rows")).isEqualTo("1200 of ~4800 rows (25%) · 400 rows/s · ETA 9 s");
            assertThat(inner(dom, "timeline")).contains("3 copy: copy &lt;orders&gt;");
            assertThat(inner(dom, "waits")).contains("<td>17</td><td>app</td><td></td>").doesNotContain("undefined", "NaN");
        }
    }
}
