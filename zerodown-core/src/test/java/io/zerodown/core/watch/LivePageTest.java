package io.zerodown.core.watch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The live page over real HTTP: the page, its state, and the guarded control endpoint handing requests to its handler. */
class LivePageTest {
    final HttpClient http = HttpClient.newHttpClient();
    final ObjectMapper json = new ObjectMapper();
    /** Every control request the handler received, as "action params". */
    final List<String> handled = new CopyOnWriteArrayList<>();

    HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(int port, String query, boolean withHeader) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/control?" + query))
                .POST(HttpRequest.BodyPublishers.noBody());
        if (withHeader) r.header(LivePage.CONTROL_HEADER, "control");
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    LivePage page(Map<String, Object> state) throws Exception {
        return new LivePage(0, () -> state, (action, params) -> {
            handled.add(action + " " + new java.util.TreeMap<>(params));
            if (action.equals("set") && !params.getOrDefault("value", "").endsWith("ms")) {
                throw new IllegalArgumentException("value '" + params.get("value") + "' is not a duration");
            }
            if (action.equals("boom")) throw new IllegalStateException("the database went away");
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("sent", action);
            answer.put("params", params.size());
            return answer;
        });
    }

    @Test
    void servesASelfContainedPageWithTheStateAndItsControls() throws Exception {
        try (LivePage page = page(Map.of())) {
            HttpResponse<String> r = get(page.port(), "/");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
            assertThat(r.body()).contains("Canary latency", "id=\"pause\"", "id=\"proceed\"", "id=\"setting\"", "id=\"rate-line\"",
                    "/api/state", "settingNames", "controlsOffered", "proceedLabel")
                    .doesNotContain("http://", "https://");
        }
    }

    @Test
    void stateIsTheSuppliersMapAsJsonReadAfresh() throws Exception {
        AtomicInteger reads = new AtomicInteger();
        try (LivePage page = new LivePage(0, () -> {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("engine", "mysql");
            s.put("rowsDone", 1_000L * reads.incrementAndGet());
            s.put("settingNames", List.of("chunk-time"));
            s.put("rowsPerSecond", List.of(new double[] {250, 4000}));
            return s;
        }, (a, p) -> Map.of())) {
            HttpResponse<String> first = get(page.port(), "/api/state");
            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(first.headers().firstValue("Content-Type")).hasValue("application/json");
            JsonNode s = json.readTree(first.body());
            assertThat(s.path("engine").asText()).isEqualTo("mysql");
            assertThat(s.path("rowsDone").asLong()).isEqualTo(1_000);
            assertThat(s.path("settingNames").get(0).asText()).isEqualTo("chunk-time");
            assertThat(s.path("rowsPerSecond").get(0).get(1).asDouble()).isEqualTo(4000.0);
            assertThat(json.readTree(get(page.port(), "/api/state").body()).path("rowsDone").asLong()).isEqualTo(2_000);
        }
    }

    @Test
    void controlNeedsPostAndTheHeaderAndHandsActionAndParamsToTheHandler() throws Exception {
        try (LivePage page = page(Map.of())) {
            int port = page.port();
            HttpResponse<String> refused = post(port, "action=pause", false);
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(refused.body()).contains(LivePage.CONTROL_HEADER);
            assertThat(get(port, "/api/control?action=pause").statusCode()).isEqualTo(405);
            assertThat(handled).as("requests refused before the handler").isEmpty();

            HttpResponse<String> sent = post(port, "action=pause", true);
            assertThat(sent.statusCode()).isEqualTo(200);
            assertThat(json.readTree(sent.body()).path("sent").asText()).isEqualTo("pause");
            assertThat(handled).containsExactly("pause {action=pause}");

            HttpResponse<String> set = post(port, "action=set&name=batch-time&value=50%20ms", true);
            assertThat(set.statusCode()).isEqualTo(200);
            assertThat(json.readTree(set.body()).path("params").asInt()).isEqualTo(3);
            assertThat(handled.get(1)).isEqualTo("set {action=set, name=batch-time, value=50 ms}");
        }
    }

    @Test
    void handlerErrorsBecome400WithTheirMessageOr500() throws Exception {
        try (LivePage page = page(Map.of())) {
            HttpResponse<String> bad = post(page.port(), "action=set&name=batch-time&value=soon", true);
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).isEqualTo("value 'soon' is not a duration");
            HttpResponse<String> failed = post(page.port(), "action=boom", true);
            assertThat(failed.statusCode()).isEqualTo(500);
            assertThat(failed.body()).contains("boom", "the database went away");
        }
    }

    @Test
    void controlNeedsALocalHost() throws Exception {
        try (LivePage page = page(Map.of());
             java.net.Socket s = new java.net.Socket("127.0.0.1", page.port())) {
            // as a page on a rebinding DNS name would send it: the right header, another Host
            s.getOutputStream().write(("POST /api/control?action=abort HTTP/1.1\r\nHost: evil.example:" + page.port()
                    + "\r\nX-Zerodown: control\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 403");
            assertThat(handled).isEmpty();
        }
    }
}
