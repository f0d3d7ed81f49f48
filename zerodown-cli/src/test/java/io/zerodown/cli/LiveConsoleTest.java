package io.zerodown.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The terminal view's plain mode (stdout not a terminal): progress lines with the live figures, pauses once each. */
class LiveConsoleTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final LiveConsole console = new LiveConsole(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, Map::of);

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static Map<String, Object> copying(long done, long estimate) {
        Map<String, Object> s = new HashMap<>();
        s.put("currentStep", "V2 #0 online copy of orders");
        s.put("rowsDone", done);
        s.put("rowsEstimate", estimate);
        s.put("batchSize", 4000);
        s.put("rowsPerSecond", List.of(new double[] {250, 100_000}));
        s.put("replicaLag", List.of(new double[] {250, 40}, new double[] {500, 120}));
        s.put("maxReplicaLagMs", 300L);
        s.put("canaryRecentP99Ms", 3.25);
        s.put("lockRetries", 2);
        return s;
    }

    @Test
    void plainLineCarriesRowsRateEtaChunkLagCanaryAndRetries() {
        console.refresh(copying(50_000, 200_000));
        assertThat(printed()).isEqualTo("      V2 #0 online copy of orders: 50000 of ~200000 rows (25%), 100000 rows/s, ETA 2 s, "
                + "chunk 4000 rows · replica lag 120 ms (max 300 ms) · canary p99 3.3 ms · lock retries 2" + System.lineSeparator());
    }

    @Test
    void plainLinesComeAtMostEveryFiveSecondsAndPausesOnceEach() {
        console.refresh(copying(10, 100));
        console.refresh(copying(20, 100));
        assertThat(printed().lines()).hasSize(1);
        Map<String, Object> paused = copying(20, 100);
        paused.put("pausedNow", "replica lag 5000 ms > 1000 ms");
        console.refresh(paused);
        console.refresh(paused);
        assertThat(printed().lines().filter(l -> l.contains("paused: replica lag 5000 ms > 1000 ms"))).hasSize(1);
    }

    @Test
    void nothingWhileNoCopyOrBackfillRuns() {
        Map<String, Object> ddl = new HashMap<>();
        ddl.put("currentStep", "V3 #0 add index");
        ddl.put("rowsDone", 0L);
        ddl.put("rowsEstimate", 0L);
        console.refresh(ddl);
        console.refresh(Map.of("outcome", "starting"));
        assertThat(printed()).isEmpty();
    }
}
