/** The live viewer: one page that shows the trace buffer as it grows. */
export const VIEWER_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>TraceLogger</title>
<style>
  body { font: 13px/1.4 ui-monospace, monospace; margin: 0; background: #111; color: #ddd; }
  header { padding: 6px 10px; background: #222; }
  #log { white-space: pre-wrap; padding: 10px; margin: 0; }
  .p0, .p1 { color: #f66; } .p2, .p3 { color: #fc6; }
</style></head>
<body><header>TraceLogger: <span id="state">connecting</span></header><pre id="log"></pre>
<script>
  const log = document.getElementById("log");
  const state = document.getElementById("state");
  const url = new URL("tracelogger.service/", location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const ws = new WebSocket(url);
  ws.onopen = () => state.textContent = "connected";
  ws.onclose = (event) => state.textContent = "closed: " + (event.reason || event.code);
  ws.onmessage = (event) => {
    for (const entry of JSON.parse(event.data)) {
      const line = document.createElement("div");
      line.className = "p" + entry.priority;
      line.textContent = new Date(entry.time).toISOString().slice(11, 23) + " " + entry.text;
      log.append(line);
    }
    window.scrollTo(0, document.body.scrollHeight);
  };
  globalThis.configure = (settings) => ws.send(JSON.stringify({ configure: settings }));
</script></body></html>
`;
