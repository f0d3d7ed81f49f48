package io.zerodown.postgres.watch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.zerodown.postgres.apply.PostgresConnections;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * The live page of a running apply, served by zerodown itself on 127.0.0.1 with no outside resources: the plan with
 * the current step, backfill progress, the canary's latency chart, pauses, and pause/resume/abort buttons.
 * {@code GET /} is the page, {@code GET /api/state} its JSON, {@code POST /api/control?action=...} the buttons.
 */
public final class WebUi implements AutoCloseable {
    private final HttpServer server;

    public WebUi(int port, RunReport report, PostgresConnections db) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        ObjectMapper json = new ObjectMapper();
        server.createContext("/api/state", ex -> {
            if (!ex.getRequestMethod().equals("GET")) {
                send(ex, 405, "text/plain", "GET only");
                return;
            }
            send(ex, 200, "application/json", json.writeValueAsString(report.live()));
        });
        server.createContext("/api/control", ex -> {
            if (!ex.getRequestMethod().equals("POST")) {
                send(ex, 405, "text/plain", "POST only");
                return;
            }
            String q = ex.getRequestURI().getQuery();
            String action = q != null && q.startsWith("action=") ? q.substring(7) : "";
            if (!action.equals("pause") && !action.equals("resume") && !action.equals("abort")) {
                send(ex, 400, "text/plain", "action must be pause, resume or abort");
                return;
            }
            try (Connection c = db.open()) {
                GuardRails.command(c, action);
                send(ex, 200, "application/json", json.writeValueAsString(Map.of("sent", action)));
            } catch (Exception e) {
                send(ex, 500, "text/plain", "could not send " + action + ": " + e.getMessage());
            }
        });
        server.createContext("/", ex -> send(ex, 200, "text/html; charset=utf-8", PAGE));
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "zerodown-ui");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void send(HttpExchange ex, int code, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private static final String PAGE = """
            <!doctype html><html><head><meta charset="utf-8"><title>zerodown apply</title><style>
            body{font-family:sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;
            padding:3px 8px;text-align:left}tr.now td{background:#ffd}tr.pending td{color:#999}button{margin-right:.5em;padding:.4em 1em}
            #bar{width:600px;height:14px;border:1px solid #999}#fill{height:14px;background:#2a6;width:0}</style></head><body>
            <h1>zerodown apply</h1>
            <p id="summary">connecting...</p>
            <p><button id="pause" onclick="control('pause')">Pause</button><button id="resume" onclick="control('resume')">Resume</button>
            <button id="abort" onclick="control('abort')">Abort</button> <span id="sent"></span></p>
            <h2>Progress</h2><p id="current"></p><div id="bar"><div id="fill"></div></div><p id="rows"></p>
            <h2>Canary latency</h2><svg id="chart" width="600" height="160" style="border:1px solid #ccc"><path id="line" fill="none" stroke="#2a6"/></svg>
            <p id="canary"></p>
            <h2>Pauses</h2><ul id="pauses"></ul>
            <h2>Steps</h2><table id="steps"></table>
            <script>
            function esc(s){return String(s).replace(/[&<>"]/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));}
            function control(a){fetch('/api/control?action='+a,{method:'POST'}).then(r=>r.text()).then(t=>document.getElementById('sent').textContent='sent '+a);}
            function draw(s){
              document.getElementById('summary').textContent=(s.database||'')+' · '+s.outcome+' · '+s.wallMs+' ms · lock retries '+s.lockRetries;
              document.getElementById('current').textContent=s.currentStep||'';
              var pct=s.rowsEstimate>0?Math.min(100,100*s.rowsDone/s.rowsEstimate):0;
              document.getElementById('fill').style.width=pct+'%';
              document.getElementById('rows').textContent=s.rowsDone+' of ~'+s.rowsEstimate+' rows';
              var c=s.canary||{}; var pts=c.samples||[]; var maxT=1,maxL=1;
              pts.forEach(p=>{maxT=Math.max(maxT,p[0]);maxL=Math.max(maxL,p[1]);});
              var d=pts.map((p,i)=>(i?'L':'M')+(p[0]/maxT*600).toFixed(1)+','+(160-p[1]/maxL*160).toFixed(1)).join('');
              document.getElementById('line').setAttribute('d',d);
              document.getElementById('line').setAttribute('data-points',pts.length);
              document.getElementById('canary').textContent=(c.probes||0)+' probes, recent p99 '+(s.canaryRecentP99Ms||0).toFixed(1)+' ms, max '+(c.maxMs||0).toFixed(1)+' ms';
              document.getElementById('pauses').innerHTML=(s.pauses||[]).map(p=>'<li>'+p.atMs+' ms: '+esc(p.reason)+'</li>').join('');
              document.getElementById('steps').innerHTML='<tr><th>#</th><th>phase</th><th>step</th><th>lock</th><th>ms</th><th>retries</th></tr>'
                +(s.steps||[]).map(t=>'<tr class="'+(t.state==='running'?'now':t.state)+'"><td>'+t.index+'</td><td>'+t.phase+'</td><td>'+esc(t.description)
                +'</td><td>'+esc(t.lock)+'</td><td>'+(t.state==='pending'?'pending':t.millis===undefined?'…':t.millis)+'</td><td>'+t.lockRetries+'</td></tr>').join('');
            }
            function poll(){fetch('/api/state').then(r=>r.json()).then(draw).catch(e=>{}).finally(()=>setTimeout(poll,500));}
            poll();
            </script></body></html>
            """;
}
