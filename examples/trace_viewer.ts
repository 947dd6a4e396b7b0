/**
 * The seed's TraceLogger: lines traced on the server appear live in a
 * browser page at /rtl/tracelogger/, streamed over a WebSocket. Run as it
 * is, the example checks itself with a WebSocket client; with `--serve` it
 * keeps running, tracing a line a second, and prints the page's address.
 *
 * Run: `deno run --allow-net=127.0.0.1 examples/trace_viewer.ts --serve`
 */
import { servcon, type ServerRequest, type ServerResponse } from "@cosocket/http";
import { trace, traceLogger, traceRequests } from "@cosocket/trace";
import { connect } from "@cosocket/websocket";

await using logger = traceLogger();
logger.configure({ request: true });
logger.onclient((connected) => trace(connected ? "a viewer connected" : "the viewer left"));

// The viewer first, the application's pages after it; every request is traced.
await using server = servcon(
  0,
  traceRequests(function* (request: ServerRequest, response: ServerResponse) {
    if (yield* logger.handler(request, response)) return;
    yield* response.send(`hello from ${request.pathname}`);
  }),
  { hostname: "127.0.0.1" },
);

if (Deno.args.includes("--serve")) {
  console.log(`TraceLogger: open http://127.0.0.1:${server.port}/rtl/tracelogger/`);
  let n = 0;
  setInterval(() => trace(`tick ${++n}`), 1000);
  await new Promise(() => {});
} else {
  await using viewer = await connect(
    `ws://127.0.0.1:${server.port}/rtl/tracelogger/tracelogger.service/`,
  );
  await viewer.readMessage(); // what the buffer held
  await (await fetch(`http://127.0.0.1:${server.port}/some/page`)).text();
  const lines: string[] = [];
  while (!lines.some((line) => line.includes("/some/page"))) {
    for (const entry of JSON.parse((await viewer.readMessage()) as string)) lines.push(entry.text);
  }
  console.log("the viewer saw:", lines.join(" | "));
}
