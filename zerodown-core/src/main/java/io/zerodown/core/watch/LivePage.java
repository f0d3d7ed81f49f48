package io.zerodown.core.watch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The live page of a running apply, for any engine, served on 127.0.0.1 with no outside resources: the plan as a
 * timeline with the current step, copy/backfill progress with rows/s and ETA, charts of canary latency, replica lag and
 * rows/s over time, lock waits with their blockers, pauses, and the controls the engine offers.
 * <p>
 * {@code GET /} is the page, {@code GET /api/state} the JSON of the state supplier, and
 * {@code POST /api/control?action=...&...} hands the action and every query parameter to the {@link ControlHandler}.
 * Control requests must carry the header {@code X-Zerodown: control} and a 127.0.0.1/localhost Host, so another web
 * site open in the same browser cannot send them (a custom header needs a CORS preflight this server never grants);
 * the state needs the local Host too, so a rebinding DNS name cannot read it.
 * <p>
 * The page reads these state keys, each optional: {@code database, engine, outcome, wallMs, lockRetries,
 * maxReplicaLagMs, waitingToProceed, pausedNow, proceedLabel, controlsOffered, settingNames, settings, currentStep,
 * rowsDone, rowsEstimate, batchSize, rowsPerSecond, indexBuild, canary, canaryRecentP99Ms, replicaLag, steps,
 * lockWaits, pauses, controls}.
 */
public final class LivePage implements AutoCloseable {
    /** Header every control request must carry, with the value {@code control}. */
    public static final String CONTROL_HEADER = "X-Zerodown";

    /** Carries out one control request of the page. */
    @FunctionalInterface
    public interface ControlHandler {
        /**
         * @param action the request's {@code action} parameter ("" when absent)
         * @param params every query parameter of the request, {@code action} included
         * @return what to answer as JSON (null answers {})
         * @throws IllegalArgumentException for a request the user got wrong: answered 400 with its message
         * @throws Exception for anything else: answered 500
         */
        Map<String, Object> handle(String action, Map<String, String> params) throws Exception;
    }

    private final HttpServer server;
    private final ExecutorService threads;

    public LivePage(int port, Supplier<Map<String, Object>> state, ControlHandler control) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        ObjectMapper json = new ObjectMapper();
        server.createContext("/api/state", ex -> {
            if (!ex.getRequestMethod().equals("GET")) {
                send(ex, 405, "text/plain", "GET only");
                return;
            }
            if (!localHost(ex.getRequestHeaders().getFirst("Host"))) {
                send(ex, 403, "text/plain", "the state is served to a 127.0.0.1 or localhost Host only");
                return;
            }
            String body;
            try {
                body = json.writeValueAsString(state.get());
            } catch (RuntimeException | IOException e) {
                send(ex, 500, "text/plain", "could not read the run's state: " + e.getMessage());
                return;
            }
            send(ex, 200, "application/json", body);
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
            Map<String, String> params = query(ex.getRequestURI().getRawQuery());
            String action = params.getOrDefault("action", "");
            String answer;
            try {
                Map<String, Object> result = control.handle(action, Collections.unmodifiableMap(params));
                answer = json.writeValueAsString(result == null ? Map.of() : result);
            } catch (IllegalArgumentException e) {
                send(ex, 400, "text/plain", String.valueOf(e.getMessage()));
                return;
            } catch (Exception e) {
                send(ex, 500, "text/plain", "could not send " + action + ": " + e.getMessage());
                return;
            }
            send(ex, 200, "application/json", answer);
        });
        server.createContext("/", ex -> send(ex, 200, "text/html; charset=utf-8", PAGE));
        threads = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "zerodown-ui");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        server.start();
    }

    private static boolean localHost(String host) {
        if (host == null) return false;
        String h = host.replaceFirst(":\\d+$", "");
        return h.equals("127.0.0.1") || h.equals("localhost");
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null) return out;
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) continue;
            out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    /** The port the page listens on (the one picked by the system when constructed with 0). */
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
        threads.shutdownNow();
    }

    // Element ids are what the browser tests look for: keep them stable.
    private static final String PAGE = """
            <!doctype html><html><head><meta charset="utf-8"><title>zerodown apply</title><style>
            body{font-family:sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;
            padding:3px 8px;text-align:left}tr.now td{background:#ffd}tr.pending td{color:#999}button{margin-right:.5em;padding:.4em 1em}
            #bar{width:600px;height:14px;border:1px solid #999}#fill{height:14px;background:#2a6;width:0}
            #timeline{display:flex;flex-wrap:wrap;gap:4px;margin:.5em 0}#timeline span{border:1px solid #bbb;border-radius:3px;
            padding:3px 6px;font-size:85%;max-width:220px;overflow:hidden;white-space:nowrap;text-overflow:ellipsis}
            #timeline span.done{background:#dfd}#timeline span.running{background:#ffd;border-color:#c90;font-weight:bold}
            #timeline span.failed{background:#fdd}#timeline span.pending{color:#999}#wait,#paused{background:#fec;padding:.5em;display:none}
            .charts{display:flex;flex-wrap:wrap;gap:1em}.charts div{font-size:90%}svg{border:1px solid #ccc}</style></head><body>
            <h1>zerodown apply</h1>
            <p id="summary">connecting...</p>
            <p id="wait"></p><p id="paused"></p>
            <p><button id="pause" onclick="control('pause')">Pause</button><button id="resume" onclick="control('resume')">Resume</button>
            <button id="abort" onclick="control('abort')">Abort</button><button id="proceed" onclick="control('proceed')">Proceed with contract</button>
            <span id="sent"></span></p>
            <p id="setter"><select id="setting"><option>batch-time</option><option>max-replica-lag</option><option>canary-pause</option>
            <option>canary-abort</option></select> <input id="value" size="8" placeholder="50ms"> <button id="set" onclick="setting()">Set</button>
            <span id="settings"></span></p>
            <h2>Plan</h2><div id="timeline"></div>
            <h2>Progress</h2><p id="current"></p><div id="bar"><div id="fill"></div></div><p id="rows"></p>
            <div class="charts" title="one time axis: from the start of the run to now">
            <div>Canary latency (ms)<br><svg id="chart" width="400" height="140"><path id="line" fill="none" stroke="#2a6"/></svg><br><span id="canary"></span></div>
            <div>Replica lag (ms)<br><svg id="lag-chart" width="400" height="140"><path id="lag-line" fill="none" stroke="#c60"/></svg><br><span id="lag"></span></div>
            <div>Rows/s (copy or backfill)<br><svg id="rate-chart" width="400" height="140"><path id="rate-line" fill="none" stroke="#26a"/></svg><br><span id="rate"></span></div>
            </div>
            <h2>Lock waits</h2><table id="waits"></table>
            <h2>Pauses</h2><ul id="pauses"></ul>
            <h2>Control</h2><ul id="controls"></ul>
            <h2>Steps</h2><table id="steps"></table>
            <script>
            function esc(s){return s==null?'':String(s).replace(/[&<>"]/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));}
            function num(x){return typeof x==='number'?x.toFixed(1):'';}
            function $(id){return document.getElementById(id);}
            function post(q,label){fetch('/api/control?'+q,{method:'POST',headers:{'X-Zerodown':'control'}})
              .then(r=>r.text().then(t=>$('sent').textContent=(r.ok?'sent '+label:'refused: '+t)));}
            function control(a){post('action='+a,a);}
            function setting(){var n=$('setting').value,v=$('value').value;
              post('action=set&name='+encodeURIComponent(n)+'&value='+encodeURIComponent(v),n+' '+v);}
            function line(id,pts,w,h,maxT){var maxV=1;maxT=Math.max(1,maxT||0);pts.forEach(p=>{maxT=Math.max(maxT,p[0]);maxV=Math.max(maxV,p[1]);});
              var d=pts.map((p,i)=>(i?'L':'M')+(p[0]/maxT*w).toFixed(1)+','+(h-p[1]/maxV*h).toFixed(1)).join('');
              $(id).setAttribute('d',d);$(id).setAttribute('data-points',pts.length);return maxV;}
            var shownSettings='';
            function offer(s){
              var acts=Array.isArray(s.controlsOffered)?s.controlsOffered:['pause','resume','abort','proceed'];
              ['pause','resume','abort','proceed'].forEach(a=>$(a).style.display=acts.indexOf(a)>=0?'':'none');
              $('proceed').textContent=s.proceedLabel||'Proceed with contract';
              var names=Array.isArray(s.settingNames)?s.settingNames:null;
              $('setter').style.display=names&&!names.length?'none':'';
              // rebuilt only when the list changes, so a choice being made is kept
              if(names&&names.join('\\n')!==shownSettings){var keep=$('setting').value;shownSettings=names.join('\\n');
                $('setting').innerHTML=names.map(n=>'<option>'+esc(n)+'</option>').join('');
                if(names.indexOf(keep)>=0)$('setting').value=keep;}
            }
            function draw(s){
              offer(s);
              var parts=[(s.database||'')+(s.engine?' ('+s.engine+')':''),s.outcome||''];
              if(typeof s.wallMs==='number')parts.push((s.wallMs/1000).toFixed(1)+' s');
              if(s.lockRetries!=null)parts.push('lock retries '+s.lockRetries);
              if(s.maxReplicaLagMs!=null)parts.push('max replica lag '+s.maxReplicaLagMs+' ms');
              $('summary').textContent=parts.join(' · ');
              $('wait').style.display=s.waitingToProceed?'block':'none';
              $('wait').textContent=s.waitingToProceed?'Contract phase postponed before '+s.waitingToProceed+': press '
                +(s.proceedLabel||'Proceed')+' (or run zerodown control proceed)':'';
              $('paused').style.display=s.pausedNow&&!s.waitingToProceed?'block':'none';
              $('paused').textContent=s.pausedNow?'Paused: '+s.pausedNow:'';
              var st=s.settings||{};$('settings').textContent=Object.keys(st).map(k=>k+' '+st[k]+(typeof st[k]==='number'?' ms':'')).join(' · ');
              $('current').textContent=s.currentStep||'';
              var done=s.rowsDone||0,est=s.rowsEstimate||0;
              var pct=est>0?Math.min(100,100*done/est):0;
              $('fill').style.width=pct+'%';
              var rate=(s.rowsPerSecond||[]);var last=rate.length?rate[rate.length-1][1]:0;
              if(s.pausedNow)last=0;
              var eta=last>0&&est>done?Math.round((est-done)/last)+' s':'-';
              $('rows').textContent=done+' of ~'+est+' rows ('+pct.toFixed(0)+'%) · '+last+' rows/s · ETA '+eta
                +(s.batchSize!=null?' · batch '+s.batchSize:'');
              var ib=s.indexBuild;
              if(ib){var blocks=ib.blocksTotal>0,ibDone=(blocks?ib.blocksDone:ib.tuplesDone)||0,total=(blocks?ib.blocksTotal:ib.tuplesTotal)||0;
                var ip=total>0?Math.min(100,100*ibDone/total):0;$('fill').style.width=ip+'%';
                $('rows').textContent='index build '+(ib.index||'')+': '+(ib.phase||'')+' · '+ibDone+' of '+total+(blocks?' blocks':' tuples')+' ('+ip.toFixed(0)+'%)';}
              var c=s.canary||{};line('line',c.samples||[],400,140,s.wallMs);
              $('canary').textContent=(c.probes||0)+' probes, recent p99 '+(s.canaryRecentP99Ms||0).toFixed(1)+' ms, max '+(c.maxMs||0).toFixed(1)+' ms';
              line('lag-line',s.replicaLag||[],400,140,s.wallMs);$('lag').textContent=s.maxReplicaLagMs!=null?'max '+s.maxReplicaLagMs+' ms':'no reading';
              line('rate-line',rate,400,140,s.wallMs);$('rate').textContent='now '+last+' rows/s';
              var steps=s.steps||[];
              function ix(t){return t.index!=null?t.index:(t.step!=null?t.step:'');}
              function ph(t){return t.phase!=null?t.phase:(t.kind!=null?t.kind:'');}
              $('timeline').innerHTML=steps.map(t=>'<span class="'+esc(t.state)+'" title="'+esc(t.description)+'">'+esc(ix(t))+' '
                +esc(ph(t))+': '+esc(t.description)+'</span>').join('');
              var w=s.lockWaits||[];
              $('waits').innerHTML=w.length?'<tr><th>waiting pid</th><th>application</th><th>waiting s</th><th>query</th><th>blocked by pid</th>'
                +'<th>its application</th><th>its state</th><th>its transaction s</th></tr>'+w.map(x=>'<tr><td>'+esc(x.pid)+'</td><td>'+esc(x.applicationName)
                +'</td><td>'+num(x.waitingSeconds)+'</td><td>'+esc(x.query)+'</td><td>'+esc(x.blockerPid)+'</td><td>'+esc(x.blockerApplicationName)
                +'</td><td>'+esc(x.blockerState)+'</td><td>'+num(x.blockerTransactionSeconds)+'</td></tr>').join(''):'<tr><td>none now</td></tr>';
              $('pauses').innerHTML=(s.pauses||[]).map(p=>'<li>'+esc(p.atMs)+' ms: '+esc(p.reason)+'</li>').join('');
              $('controls').innerHTML=(s.controls||[]).map(p=>'<li>'+esc(p.atMs)+' ms: '+esc(p.what)+'</li>').join('');
              $('steps').innerHTML='<tr><th>#</th><th>phase</th><th>step</th><th>lock</th><th>ms</th><th>retries</th></tr>'
                +steps.map(t=>'<tr class="'+(t.state==='running'?'now':esc(t.state))+'"><td>'+esc(ix(t))+'</td><td>'+esc(ph(t))+'</td><td>'+esc(t.description)
                +'</td><td>'+esc(t.lock)+'</td><td>'+(t.state==='pending'?'pending':t.millis==null?'…':esc(t.millis))+'</td><td>'+esc(t.lockRetries)+'</td></tr>').join('');
            }
            function poll(){fetch('/api/state').then(r=>r.json()).then(draw).catch(e=>{}).finally(()=>setTimeout(poll,500));}
            poll();
            </script></body></html>
            """;
}
