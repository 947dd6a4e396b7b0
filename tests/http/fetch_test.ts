// Our fetch() side by side with Deno's own on the same requests, against
// Deno.serve and Node's http module (gzip, streaming, redirects, aborts), and
// through a SOCKS5 proxy with credentials (microsocks), which Deno's fetch cannot do.
import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import { closePool } from "@cosocket/socket";
import { fetch } from "@cosocket/http";
import { microsocks, nodeServer } from "./_peers.ts";
import { assertClean } from "./_helpers.ts";
import { within } from "../_shared.ts";

const NODE_APP = `
import http from "node:http";
import zlib from "node:zlib";
const waiting = [];
const server = http.createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const body = Buffer.concat(chunks);
  const url = new URL(req.url, "http://x");
  if (url.pathname === "/gzip") {
    res.writeHead(200, { "content-encoding": "gzip", "content-type": "text/plain" });
    return res.end(zlib.gzipSync("compressed ".repeat(1000)));
  }
  if (url.pathname === "/deflate") {
    res.writeHead(200, { "content-encoding": "deflate" });
    return res.end(zlib.deflateSync("deflated ".repeat(1000)));
  }
  if (url.pathname === "/redirect") { res.writeHead(302, { location: "/echo?r=1" }); return res.end(); }
  if (url.pathname === "/stream") {
    res.writeHead(200, { "x-kind": "stream" });
    for (let i = 0; i < 100; i++) res.write("line " + i + "\\n");
    return res.end();
  }
  if (url.pathname === "/hang") { res.writeHead(200); res.write("start"); return; }
  if (url.pathname === "/late") {
    res.writeHead(200, { "content-length": "9" });
    res.flushHeaders();
    waiting.push(() => res.end("late body"));
    return;
  }
  if (url.pathname === "/release") {
    for (const release of waiting.splice(0)) release();
    return res.end();
  }
  if (url.pathname === "/big") {
    const body = Buffer.alloc(3 * 1024 * 1024 + 7);
    for (let i = 0; i < body.length; i++) body[i] = (i * 31) & 0xff;
    res.writeHead(200, { "content-length": String(body.length) });
    return res.end(body);
  }
  if (url.pathname === "/empty") { res.writeHead(204); return res.end(); }
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify({ method: req.method, path: req.url, length: body.length, text: body.toString(), type: req.headers["content-type"] ?? null }));
});
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
`;

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
const both: [string, Fetch][] = [["ours", fetch], ["Deno's", globalThis.fetch]];

async function summary(response: Response) {
  return {
    status: response.status,
    statusText: response.statusText,
    redirected: response.redirected,
    url: new URL(response.url).pathname + new URL(response.url).search,
    body: await response.text(),
    type: response.headers.get("content-type"),
    encoding: response.headers.get("content-encoding"),
  };
}

Deno.test("fetch: the same answers as Deno's fetch for GET, POST bodies, gzip, deflate, redirects, 204", async () => {
  await using app = await nodeServer(NODE_APP);
  const base = `http://127.0.0.1:${app.port}`;
  const cases: [string, RequestInit][] = [
    ["/echo", {}],
    ["/echo", { method: "POST", body: "plain text" }],
    ["/echo", { method: "PUT", body: new Uint8Array([1, 2, 3]) }],
    ["/echo", { method: "POST", body: new URLSearchParams({ a: "1", b: "2" }) }],
    ["/echo", {
      method: "POST",
      body: JSON.stringify({ x: 1 }),
      headers: { "content-type": "application/json" },
    }],
    ["/gzip", {}],
    ["/redirect", {}],
    ["/redirect", { redirect: "manual" }],
    ["/empty", {}],
    ["/stream", {}],
  ];
  for (const [path, init] of cases) {
    const [ours, theirs] = await Promise.all(
      both.map(async ([, f]) => summary(await f(`${base}${path}`, init))),
    );
    deepStrictEqual(ours, theirs, `${path} ${JSON.stringify(init)}`);
  }
  // deflate: decoded by ours (RFC 9110 §8.4.1.2); Deno's fetch passes it through undecoded.
  strictEqual(await (await fetch(`${base}/deflate`)).text(), "deflated ".repeat(1000));
  await closePool();
  await assertClean();
});

Deno.test("fetch: a streamed request body and a streamed response body", async () => {
  await using app = await nodeServer(NODE_APP);
  const base = `http://127.0.0.1:${app.port}`;
  const upload = ReadableStream.from(
    ["part one, ", "part two"].map((s) => new TextEncoder().encode(s)),
  );
  const response = await fetch(
    `${base}/echo`,
    { method: "POST", body: upload, duplex: "half" } as RequestInit,
  );
  deepStrictEqual((await response.json()).text, "part one, part two");
  const streamed = await fetch(`${base}/stream`);
  let lines = 0;
  for await (const chunk of streamed.body!.pipeThrough(new TextDecoderStream())) {
    lines += chunk.split("\n").length - 1;
  }
  strictEqual(lines, 100);
  await closePool();
});

Deno.test("fetch: an abort while waiting for the body rejects with the signal's reason and leaves nothing", async () => {
  await using app = await nodeServer(NODE_APP);
  const controller = new AbortController();
  const response = await fetch(`http://127.0.0.1:${app.port}/hang`, { signal: controller.signal });
  const reader = response.body!.getReader();
  strictEqual(new TextDecoder().decode((await reader.read()).value), "start");
  setTimeout(() => controller.abort(new Error("enough")), 20);
  await rejects(reader.read(), /enough/);
  const aborted = new AbortController();
  aborted.abort(new Error("before"));
  await rejects(fetch(`http://127.0.0.1:${app.port}/echo`, { signal: aborted.signal }), /before/);
  await closePool();
  await assertClean();
});

Deno.test("fetch: an abort during a TLS handshake or a proxy's handshake rejects at once and leaves nothing", async () => {
  // A peer that accepts and then says nothing: neither TLS nor a proxy answer comes.
  using silent = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = silent.addr.port;
  const held: Deno.Conn[] = [];
  const cases = [
    { url: `https://127.0.0.1:${port}/`, init: {} },
    { url: "http://example.test/", init: { proxy: { host: "127.0.0.1", port } } },
    {
      url: "http://example.test/",
      init: { proxy: { host: "127.0.0.1", port, type: "socks5" as const } },
    },
  ];
  for (const { url, init } of cases) {
    const controller = new AbortController();
    // The timeout is far away: only the abort can end the request in time.
    const pending = fetch(url, { ...init, timeout: 60_000, signal: controller.signal });
    held.push(await silent.accept());
    controller.abort(new Error("stop waiting"));
    await within(rejects(pending, /stop waiting/), `abort ends ${url} via ${JSON.stringify(init)}`);
  }
  for (const conn of held) conn.close();
  await closePool();
  await assertClean();
});

Deno.test("fetch: through a SOCKS5 proxy with credentials (init.proxy)", async () => {
  await using app = await nodeServer(NODE_APP);
  await using proxy = await microsocks({ user: "ada", password: "pw" });
  const response = await fetch(`http://localhost:${app.port}/echo?via=socks`, {
    proxy: { host: "127.0.0.1", port: proxy.port, type: "socks5", user: "ada", password: "pw" },
  });
  strictEqual((await response.json()).path, "/echo?via=socks");
  ok(response.ok);
});

Deno.test("fetch: a body that has not arrived with its head is streamed: the response comes first", async () => {
  await using app = await nodeServer(NODE_APP);
  // The server sends the body only when asked to by another request, made
  // once the response is here: a fetch that waited for the body would hang.
  const response = await within(fetch(`http://127.0.0.1:${app.port}/late`), "the response head");
  strictEqual(response.status, 200);
  await (await fetch(`http://127.0.0.1:${app.port}/release`)).arrayBuffer();
  strictEqual(await response.text(), "late body");
  await closePool();
  await assertClean();
});

Deno.test("fetch: a BYOB reader reads the body into its own buffer, bytes as Deno's fetch gives them", async () => {
  await using app = await nodeServer(NODE_APP);
  const url = `http://127.0.0.1:${app.port}/big`;
  const expected = new Uint8Array(await (await globalThis.fetch(url)).arrayBuffer());
  const reader = (await fetch(url)).body!.getReader({ mode: "byob" });
  const received = new Uint8Array(expected.length);
  let at = 0;
  let buffer = new ArrayBuffer(100_000);
  while (true) {
    const { value, done } = await reader.read(new Uint8Array(buffer));
    if (done) break;
    received.set(value, at);
    at += value.length;
    buffer = value.buffer as ArrayBuffer;
  }
  strictEqual(at, expected.length);
  deepStrictEqual(received, expected);
  // And the same body through arrayBuffer(), read in pieces of the platform's.
  deepStrictEqual(new Uint8Array(await (await fetch(url)).arrayBuffer()), expected);
  await closePool();
  await assertClean();
});

Deno.test("fetch: a request without a body is checked as new Request checks it", async () => {
  await using app = await nodeServer(NODE_APP);
  const base = `http://127.0.0.1:${app.port}`;
  for (const method of ["CONNECT", "trace", "bad method"]) {
    await rejects(fetch(`${base}/echo`, { method }), TypeError, method);
    await rejects(globalThis.fetch(`${base}/echo`, { method }), TypeError, `Deno's, ${method}`);
  }
  await rejects(fetch(`${base}/echo`, { redirect: "sometimes" as RequestRedirect }), TypeError);
  await rejects(fetch("not a url"), TypeError);
  await rejects(fetch(`${base}/echo`, { headers: { "bad name": "x" } }), TypeError);
  // Methods normalized as the platform does.
  for (const method of ["post", "delete", "GET"]) {
    const [ours, theirs] = await Promise.all(
      both.map(async ([, f]) => (await (await f(`${base}/echo`, { method })).json()).method),
    );
    strictEqual(ours, theirs, method);
  }
  await closePool();
  await assertClean();
});
