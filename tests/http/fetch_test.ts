// Our fetch() side by side with Deno's own on the same requests, against
// Deno.serve and Node's http module (gzip, streaming, redirects, aborts), and
// through a SOCKS5 proxy with credentials (microsocks), which Deno's fetch cannot do.
import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import { closePool } from "@cosocket/socket";
import { fetch } from "@cosocket/http";
import { microsocks, nodeServer } from "./_peers.ts";
import { assertClean } from "./_helpers.ts";

const NODE_APP = `
import http from "node:http";
import zlib from "node:zlib";
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

Deno.test("fetch: through a SOCKS5 proxy with credentials (init.proxy)", async () => {
  await using app = await nodeServer(NODE_APP);
  await using proxy = await microsocks({ user: "ada", password: "pw" });
  const response = await fetch(`http://localhost:${app.port}/echo?via=socks`, {
    proxy: { host: "127.0.0.1", port: proxy.port, type: "socks5", user: "ada", password: "pw" },
  });
  strictEqual((await response.json()).path, "/echo?via=socks");
  ok(response.ok);
});
