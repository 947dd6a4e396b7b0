// The HTTP examples run as `deno task examples` runs them, and say what they should.
import { ok } from "node:assert/strict";
import { runExample } from "../_shared.ts";

Deno.test("example: HTTP server with both handler styles, SSE, WebSocket and a reverse proxy", async () => {
  const output = await runExample("http_server.ts");
  for (
    const line of [
      "page: <!doctype html><h1>cosocket</h1>",
      'api: { hello: "Ada", method: "GET" }',
      'streamed: [ "1", "2", "3" ]',
      'events: [ "data: 1", "data: 2", "data: 3" ]',
      "websocket: echo: hi",
      'proxied: { legacy: true, path: "/v1/items", via: "127.0.0.1" }',
      "missing: 404",
    ]
  ) ok(output.includes(line), `${line}\n---\n${output}`);
});

Deno.test("example: an HTTP CONNECT proxy on req2sock carries our client's request", async () => {
  const output = await runExample("http_connect_proxy.ts");
  ok(output.includes("proxy: tunnel to 127.0.0.1:"), output);
  ok(output.includes("client: 200 a page at /hello, reached through the proxy"), output);
});

Deno.test("example: one servcon per worker on a shared port (reusePort) spreads connections", async () => {
  const output = await runExample("http_cluster.ts", {
    permissions: [
      "--allow-net=127.0.0.1",
      "--allow-read",
      "--unstable-net",
    ],
  });
  ok(output.includes("every worker answered: true"), output);
});
