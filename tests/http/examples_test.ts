// The HTTP examples run as `deno task examples` runs them, and say what they should.
import { equal, ok } from "node:assert/strict";

async function runExample(name: string): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net=127.0.0.1",
      new URL(`../../examples/${name}`, import.meta.url).pathname,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  equal(code, 0, new TextDecoder().decode(stderr));
  return new TextDecoder().decode(stdout);
}

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
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net=127.0.0.1",
      "--allow-read",
      "--unstable-net",
      new URL("../../examples/http_cluster.ts", import.meta.url).pathname,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  equal(code, 0, new TextDecoder().decode(stderr));
  const output = new TextDecoder().decode(stdout);
  ok(output.includes("every worker answered: true"), output);
});
