// The reverse proxy (redirector) in front of nginx and Node's http, nginx in front of two
// instances of our server (requests and WebSocket sessions spread over both), WebSocket and
// event-stream pass-through, TLS termination, and refused path traversal.
import { deepStrictEqual, equal, ok } from "node:assert/strict";
import {
  crossSiteRedirector,
  redirector,
  servcon,
  type ServerRequest,
  type ServerResponse,
  sse,
} from "@cosocket/http";
import { connect, upgrade } from "@cosocket/websocket";
import { certs } from "../socket/_helpers.ts";
import { assertClean } from "./_helpers.ts";
import { nginx, nodeServer } from "./_peers.ts";
import { rawRequest, statuses } from "./_server_helpers.ts";

const LOOPBACK = { hostname: "127.0.0.1" };

async function sha256(bytes: Uint8Array): Promise<string> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>))
    .toHex();
}

function pseudoRandom(size: number, seed = 7): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** A Node http backend that reports what it received and can redirect and upload. */
const NODE_BACKEND = `
import http from "node:http";
import crypto from "node:crypto";
const server = http.createServer((req, res) => {
  if (req.url.startsWith("/base/redirect")) {
    res.writeHead(302, { location: "/base/target?x=1" }); res.end(); return;
  }
  if (req.url.startsWith("/base/big")) {
    const size = 8 * 1024 * 1024; const chunk = Buffer.alloc(65536, 7);
    res.writeHead(200, { "content-length": size });
    let sent = 0; const more = () => { while (sent < size) { sent += chunk.length;
      if (!res.write(chunk)) { res.once("drain", more); return; } } res.end(); }; more(); return;
  }
  const hash = crypto.createHash("sha256"); let length = 0;
  req.on("data", (d) => { hash.update(d); length += d.length; });
  req.on("end", () => {
    res.setHeader("content-type", "application/json");
    res.setHeader("connection", "keep-alive, x-private");
    res.setHeader("x-private", "hop");
    res.end(JSON.stringify({ url: req.url, method: req.method, length, sha256: hash.digest("hex"),
      host: req.headers.host, xff: req.headers["x-forwarded-for"],
      proto: req.headers["x-forwarded-proto"], xhost: req.headers["x-forwarded-host"],
      hop: req.headers["x-hop"] ?? null, te: req.headers["transfer-encoding"] ?? null }));
  });
});
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
process.stdin.on("end", () => server.close()); process.stdin.resume();`;

Deno.test("redirector: in front of Node http, streaming 4 MiB up and 8 MiB down", async () => {
  {
    await using backend = await nodeServer(NODE_BACKEND);
    const proxy = redirector(`http://127.0.0.1:${backend.port}/base/`, { prefix: "/app/" });
    await using front = servcon(0, function* (request: ServerRequest, response: ServerResponse) {
      if (!(yield* proxy(request, response))) response.status = 404;
    }, LOOPBACK);
    const base = `http://127.0.0.1:${front.port}`;
    const body = pseudoRandom(4 * 1024 * 1024);
    const answer = await fetch(`${base}/app/upload?q=1`, {
      method: "POST",
      body: body as Uint8Array<ArrayBuffer>,
      headers: { connection: "keep-alive, x-hop", "x-hop": "1" },
    });
    const json = await answer.json();
    deepStrictEqual(
      [json.url, json.method, json.length, json.sha256, json.host, json.xff, json.proto],
      [
        "/base/upload?q=1",
        "POST",
        body.length,
        await sha256(body),
        `127.0.0.1:${backend.port}`,
        "127.0.0.1",
        "http",
      ],
    );
    deepStrictEqual([json.xhost, json.hop], [`127.0.0.1:${front.port}`, null]);
    // The backend's hop-by-hop fields stay behind.
    equal(answer.headers.get("x-private"), null); // named in the backend's Connection
    equal(answer.headers.get("keep-alive"), null);
    const big = await fetch(`${base}/app/big`);
    equal(big.headers.get("content-length"), String(8 * 1024 * 1024));
    const bytes = new Uint8Array(await big.arrayBuffer());
    deepStrictEqual([bytes.length, bytes[0], bytes.at(-1)], [8 * 1024 * 1024, 7, 7]);
    const redirect = await fetch(`${base}/app/redirect`, { redirect: "manual" });
    deepStrictEqual([redirect.status, redirect.headers.get("location")], [
      302,
      "/app/target?x=1",
    ]);
    await redirect.body?.cancel();
    equal((await fetch(`${base}/elsewhere`)).status, 404);
  }
  await assertClean();
});

Deno.test("redirector: in front of nginx, and path traversal out of the base is refused", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.chmod(root, 0o755);
    await Deno.mkdir(`${root}/base`);
    await Deno.chmod(`${root}/base`, 0o755);
    await Deno.writeTextFile(`${root}/base/page.html`, "<p>from nginx</p>");
    await Deno.writeTextFile(`${root}/secret.txt`, "secret");
    await Deno.chmod(`${root}/base/page.html`, 0o644);
    await Deno.chmod(`${root}/secret.txt`, 0o644);
    await using web = await nginx(root);
    const proxy = redirector(`http://127.0.0.1:${web.port}/base/`, { prefix: "/site/" });
    {
      await using front = servcon(0, proxy, LOOPBACK);
      const base = `http://127.0.0.1:${front.port}`;
      const page = await fetch(`${base}/site/page.html`);
      deepStrictEqual([page.status, await page.text()], [200, "<p>from nginx</p>"]);
      for (
        const path of [
          "/site/../secret.txt",
          "/site/%2e%2e/secret.txt",
          "/site/.%2E/secret.txt",
          "/site/a/..%2fsecret.txt",
          "/site/..\\secret.txt",
        ]
      ) {
        const { text } = await rawRequest(
          front.port,
          `GET ${path} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`,
        );
        deepStrictEqual(statuses(text), [400], path);
        ok(!text.includes("secret\n") && !text.endsWith("secret"), path);
      }
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
  await assertClean();
});

Deno.test("redirector: WebSocket and event streams pass through; TLS in front, plain behind", async () => {
  {
    await using backend = servcon(0, function* (request: ServerRequest, response: ServerResponse) {
      if (request.pathname === "/events") {
        const events = yield* sse(request, { heartbeat: 0 });
        for (let i = 1; i <= 3; i++) yield* events.send({ data: `e${i}`, id: String(i) });
        events.close();
        return;
      }
      if (request.headers.get("upgrade") !== null) {
        const ws = yield* upgrade(request);
        let message;
        while ((message = yield* ws.readMessage()) !== null) {
          yield* ws.write(`backend: ${message}`, true);
        }
        return;
      }
      yield* response.send(`plain ${request.headers.get("x-forwarded-proto")}`);
    }, LOOPBACK);
    const proxy = redirector(`http://127.0.0.1:${backend.port}/`);
    await using front = servcon(0, proxy, {
      ...LOOPBACK,
      tls: { cert: certs.cert, key: certs.key },
    });
    const client = Deno.createHttpClient({ caCerts: [certs.ca] });
    try {
      const plain = await fetch(`https://localhost:${front.port}/x`, { client });
      equal(await plain.text(), "plain https");
      const events = await fetch(`https://localhost:${front.port}/events`, { client });
      equal(events.headers.get("content-type"), "text/event-stream");
      equal(
        await events.text(),
        "id: 1\ndata: e1\n\nid: 2\ndata: e2\n\nid: 3\ndata: e3\n\n",
      );
    } finally {
      client.close();
    }
    await using ws = await connect(`wss://localhost:${front.port}/chat`, { caCerts: [certs.ca] });
    for (const text of ["one", "two"]) {
      await ws.write(text, true);
      equal(await ws.readMessage(), `backend: ${text}`);
    }
    await ws.close();
  }
  await assertClean();
});

Deno.test("nginx in front of two instances of our server spreads requests and WebSocket sessions", async () => {
  const served: number[] = [];
  function instance(id: number) {
    return servcon(0, function* (request: ServerRequest, response: ServerResponse) {
      served.push(id);
      if (request.headers.get("upgrade") !== null) {
        const ws = yield* upgrade(request);
        yield* ws.write(`instance ${id}`, true);
        yield* ws.readMessage();
        return;
      }
      yield* response.send(`instance ${id}`);
    }, LOOPBACK);
  }
  {
    await using one = instance(1);
    await using two = instance(2);
    const root = await Deno.makeTempDir();
    try {
      await using balancer = await nginx(
        root,
        `location / {
          proxy_pass http://ours;
          proxy_http_version 1.1;
          proxy_set_header Upgrade $http_upgrade;
          proxy_set_header Connection $connection_upgrade;
        }`,
        `upstream ours { server 127.0.0.1:${one.port}; server 127.0.0.1:${two.port}; keepalive 8; }
         map $http_upgrade $connection_upgrade { default upgrade; '' ''; }`,
      );
      const answers = new Set<string>();
      for (let i = 0; i < 10; i++) {
        answers.add(await (await fetch(`http://127.0.0.1:${balancer.port}/`)).text());
      }
      deepStrictEqual([...answers].sort(), ["instance 1", "instance 2"]);
      const sessions = new Set<string>();
      for (let i = 0; i < 4; i++) {
        await using ws = await connect(`ws://127.0.0.1:${balancer.port}/ws`);
        sessions.add((await ws.readMessage()) as string);
        await ws.close();
      }
      deepStrictEqual([...sessions].sort(), ["instance 1", "instance 2"]);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  }
  ok(served.includes(1) && served.includes(2));
  await assertClean();
});

Deno.test("cross-site redirector: allowed hosts only, redirects stay inside the gateway", async () => {
  {
    await using backend = await nodeServer(NODE_BACKEND);
    const site = `127.0.0.1:${backend.port}`;
    const gateway = crossSiteRedirector({ prefix: "/gateway/", allow: [site], scheme: "http" });
    await using front = servcon(0, function* (request: ServerRequest, response: ServerResponse) {
      if (!(yield* gateway(request, response))) response.status = 404;
    }, LOOPBACK);
    const base = `http://127.0.0.1:${front.port}/gateway`;
    const json = await (await fetch(`${base}/${site}/base/x?y=2`, { method: "PUT", body: "abc" }))
      .json();
    deepStrictEqual([json.url, json.method, json.length, json.host], [
      "/base/x?y=2",
      "PUT",
      3,
      site,
    ]);
    const redirect = await fetch(`${base}/${site}/base/redirect`, { redirect: "manual" });
    equal(redirect.headers.get("location"), `/gateway/${site}/base/target?x=1`);
    await redirect.body?.cancel();
    const other = await fetch(`${base}/127.0.0.2:${backend.port}/base/`);
    deepStrictEqual([other.status, (await other.text()).startsWith("Forbidden")], [403, true]);
    const { text } = await rawRequest(
      front.port,
      `GET /gateway/${site}/../../etc HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`,
    );
    deepStrictEqual(statuses(text), [400]);
    equal((await fetch(`http://127.0.0.1:${front.port}/elsewhere`)).status, 404);
  }
  await assertClean();
});
