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
 * The live page of a running apply, served by zerodown itself on 127.0.0.1 with no outside resources: the plan as a
 * timeline with the current step, backfill progress with rows/s and ETA, charts of canary latency, replica lag and
 * rows/s over time, lock waits with their blocking sessions, pauses, and the controls (pause, resume, abort, proceed
 * with a postponed contract phase, and the settings zerodown control set changes).
 * {@code GET /} is the page, {@code GET /api/state} its JSON, {@code POST /api/control?action=...} the controls.
 * Control requests must carry the header {@code X-Zerodown: control} and a 127.0.0.1/localhost Host, so another web
 * site open in the same browser cannot send them (a custom header needs a CORS preflight this server never grants).
 */
public final class WebUi implements AutoCloseable {
    /** Header every control request must carry. */
    public static final String CONTROL_HEADER = "X-Zerodown";
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
            if (!"control".equals(ex.getRequestHeaders().getFirst(CONTROL_HEADER)) || !localHost(ex.getRequestHeaders().getFirst("Host"))) {
                send(ex, 403, "text/plain", "control requests need the header " + CONTROL_HEADER + ": control and a 127.0.0.1 or localhost Host");
                return;
            }
            Map<String, String> q = query(ex.getRequestURI().getRawQuery());
            String action = q.getOrDefault("action", "");
            try (Connection c = db.open()) {
                switch (action) {
                    case "pause", "resume", "abort", "proceed" -> {
                        GuardRails.command(c, action);
                        send(ex, 200, "application/json", json.writeValueAsString(Map.of("sent", action)));
                    }
                    case "set" -> {
                        long ms = GuardRails.set(c, q.getOrDefault("name", ""), q.get("value"));
                        send(ex, 200, "application/json", json.writeValueAsString(Map.of("set", q.get("name"), "ms", ms)));
                    }
                    default -> send(ex, 400, "text/plain", "action must be pause, resume, abort, proceed or set");
                }
            } catch (IllegalArgumentException e) {
                send(ex, 400, "text/plain", e.getMessage());
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

    private static boolean localHost(String host) {
        if (host == null) return false;
        String h = host.replaceFirst(":\\d+$", "");
        return h.equals("127.0.0.1") || h.equals("localhost");
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new java.util.HashMap<>();
        if (raw == null) return out;
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) continue;
            out.put(java.net.URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
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
            #bar{width:600px;height:14px;border:1px solid #999}#fill{height:14px;background:#2a6;width:0}
            #timeline{display:flex;flex-wrap:wrap;gap:4px;margin:.5em 0}#timeline span{border:1px solid #bbb;border-radius:3px;
            padding:3px 6px;font-size:85%;max-width:220px;overflow:hidden;white-space:nowrap;text-overflow:ellipsis}
            #timeline span.done{background:#dfd}#timeline span.running{background:#ffd;border-color:#c90;font-weight:bold}
            #timeline span.pending{color:#999}#wait,#paused{background:#fec;padding:.5em;display:none}
            .charts{display:flex;flex-wrap:wrap;gap:1em}.charts div{font-size:90%}svg{border:1px solid #ccc}</style></head><body>
            <h1>zerodown apply</h1>
            <p id="summary">connecting...</p>
            <p id="wait"></p><p id="paused"></p>
            <p><button id="pause" onclick="control('pause')">Pause</button><button id="resume" onclick="control('resume')">Resume</button>
            <button id="abort" onclick="control('abort')">Abort</button><button id="proceed" onclick="control('proceed')">Proceed with contract</button>
            <span id="sent"></span></p>
            <p><select id="setting"><option>batch-time</option><option>max-replica-lag</option><option>canary-pause</option>
            <option>canary-abort</option></select> <input id="value" size="8" placeholder="50ms"> <button id="set" onclick="setting()">Set</button>
            <span id="settings"></span></p>
            <h2>Plan</h2><div id="timeline"></div>
            <h2>Progress</h2><p id="current"></p><div id="bar"><div id="fill"></div></div><p id="rows"></p>
            <div class="charts" title="one time axis: from the start of the run to now">
            <div>Canary latency (ms)<br><svg id="chart" width="400" height="140"><path id="line" fill="none" stroke="#2a6"/></svg><br><span id="canary"></span></div>
            <div>Replica lag (ms)<br><svg id="lag-chart" width="400" height="140"><path id="lag-line" fill="none" stroke="#c60"/></svg><br><span id="lag"></span></div>
            <div>Backfill rows/s<br><svg id="rate-chart" width="400" height="140"><path id="rate-line" fill="none" stroke="#26a"/></svg><br><span id="rate"></span></div>
            </div>
            <h2>Lock waits</h2><table id="waits"></table>
            <h2>Pauses</h2><ul id="pauses"></ul>
            <h2>Control</h2><ul id="controls"></ul>
            <h2>Steps</h2><table id="steps"></table>
            <script>
            function esc(s){return String(s).replace(/[&<>"]/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));}
            function $(id){return document.getElementById(id);}
            function post(q,label){fetch('/api/control?'+q,{method:'POST',headers:{'X-Zerodown':'control'}})
              .then(r=>r.text().then(t=>$('sent').textContent=(r.ok?'sent '+label:'refused: '+t)));}
            function control(a){post('action='+a,a);}
            function setting(){var n=$('setting').value,v=$('value').value;
              post('action=set&name='+encodeURIComponent(n)+'&value='+encodeURIComponent(v),n+' '+v);}
            function line(id,pts,w,h,maxT){var maxV=1;pts.forEach(p=>{maxT=Math.max(maxT,p[0]);maxV=Math.max(maxV,p[1]);});
              var d=pts.map((p,i)=>(i?'L':'M')+(p[0]/maxT*w).toFixed(1)+','+(h-p[1]/maxV*h).toFixed(1)).join('');
              $(id).setAttribute('d',d);$(id).setAttribute('data-points',pts.length);return maxV;}
            function draw(s){
              $('summary').textContent=(s.database||'')+' · '+s.outcome+' · '+(s.wallMs/1000).toFixed(1)+' s · lock retries '+s.lockRetries
                +' · max replica lag '+s.maxReplicaLagMs+' ms';
              $('wait').style.display=s.waitingToProceed?'block':'none';
              $('wait').textContent=s.waitingToProceed?'Contract phase postponed before '+s.waitingToProceed+': press Proceed (or run zerodown control proceed)':'';
              $('paused').style.display=s.pausedNow&&!s.waitingToProceed?'block':'none';
              $('paused').textContent=s.pausedNow?'Paused: '+s.pausedNow:'';
              var st=s.settings||{};$('settings').textContent=Object.keys(st).map(k=>k+' '+st[k]+' ms').join(' · ');
              $('current').textContent=s.currentStep||'';
              var pct=s.rowsEstimate>0?Math.min(100,100*s.rowsDone/s.rowsEstimate):0;
              $('fill').style.width=pct+'%';
              var rate=(s.rowsPerSecond||[]);var last=rate.length?rate[rate.length-1][1]:0;
              if(s.pausedNow)last=0;
              var eta=last>0&&s.rowsEstimate>s.rowsDone?Math.round((s.rowsEstimate-s.rowsDone)/last)+' s':'-';
              $('rows').textContent=s.rowsDone+' of ~'+s.rowsEstimate+' rows ('+pct.toFixed(0)+'%) · '+last+' rows/s · ETA '+eta+' · batch '+s.batchSize;
              var ib=s.indexBuild;
              if(ib){var blocks=ib.blocksTotal>0,done=blocks?ib.blocksDone:ib.tuplesDone,total=blocks?ib.blocksTotal:ib.tuplesTotal;
                var ip=total>0?Math.min(100,100*done/total):0;$('fill').style.width=ip+'%';
                $('rows').textContent='index build '+(ib.index||'')+': '+ib.phase+' · '+done+' of '+total+(blocks?' blocks':' tuples')+' ('+ip.toFixed(0)+'%)';}
              var c=s.canary||{};var maxL=line('line',c.samples||[],400,140,s.wallMs);
              $('canary').textContent=(c.probes||0)+' probes, recent p99 '+(s.canaryRecentP99Ms||0).toFixed(1)+' ms, max '+(c.maxMs||0).toFixed(1)+' ms';
              line('lag-line',s.replicaLag||[],400,140,s.wallMs);$('lag').textContent='max '+s.maxReplicaLagMs+' ms';
              line('rate-line',rate,400,140,s.wallMs);$('rate').textContent='now '+last+' rows/s';
              $('timeline').innerHTML=(s.steps||[]).map(t=>'<span class="'+t.state+'" title="'+esc(t.description)+'">'+t.index+' '
                +t.phase+': '+esc(t.description)+'</span>').join('');
              var w=s.lockWaits||[];
              $('waits').innerHTML=w.length?'<tr><th>waiting pid</th><th>application</th><th>waiting s</th><th>query</th><th>blocked by pid</th>'
                +'<th>its application</th><th>its state</th><th>its transaction s</th></tr>'+w.map(x=>'<tr><td>'+x.pid+'</td><td>'+esc(x.applicationName)
                +'</td><td>'+x.waitingSeconds.toFixed(1)+'</td><td>'+esc(x.query)+'</td><td>'+x.blockerPid+'</td><td>'+esc(x.blockerApplicationName)
                +'</td><td>'+esc(x.blockerState)+'</td><td>'+x.blockerTransactionSeconds.toFixed(1)+'</td></tr>').join(''):'<tr><td>none now</td></tr>';
              $('pauses').innerHTML=(s.pauses||[]).map(p=>'<li>'+p.atMs+' ms: '+esc(p.reason)+'</li>').join('');
              $('controls').innerHTML=(s.controls||[]).map(p=>'<li>'+p.atMs+' ms: '+esc(p.what)+'</li>').join('');
              $('steps').innerHTML='<tr><th>#</th><th>phase</th><th>step</th><th>lock</th><th>ms</th><th>retries</th></tr>'
                +(s.steps||[]).map(t=>'<tr class="'+(t.state==='running'?'now':t.state)+'"><td>'+t.index+'</td><td>'+t.phase+'</td><td>'+esc(t.description)
                +'</td><td>'+esc(t.lock)+'</td><td>'+(t.state==='pending'?'pending':t.millis===undefined?'…':t.millis)+'</td><td>'+t.lockRetries+'</td></tr>').join('');
            }
            function poll(){fetch('/api/state').then(r=>r.json()).then(draw).catch(e=>{}).finally(()=>setTimeout(poll,500));}
            poll();
            </script></body></html>
            """;
}
