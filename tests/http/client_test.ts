// The HTTP/1.1 client against servers nobody here wrote (Node's http module,
// nginx, Deno.serve) and against raw servers that misbehave on purpose.
import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import { createHash } from "node:crypto";
import { event, getsock, run, SocketError } from "@cosocket/socket";
import { http2sock, httpc, HttpError } from "@cosocket/http";
import { nginx, nodeServer, rawServer } from "./_peers.ts";
import { assertClean } from "./_helpers.ts";

const NODE_APP = `
import http from "node:http";
const server = http.createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const body = Buffer.concat(chunks);
  const url = new URL(req.url, "http://x");
  if (url.pathname === "/port") return res.end(String(req.socket.remotePort));
  if (url.pathname === "/chunked") {
    res.setHeader("trailer", "x-sum");
    for (let i = 0; i < 50; i++) res.write("piece " + i + "\\n");
    res.addTrailers({ "x-sum": "50" });
    return res.end();
  }
  if (url.pathname === "/cookies") {
    res.setHeader("set-cookie", ["a=1; Path=/; HttpOnly", "b=two; Domain=example.com; Secure; SameSite=Lax"]);
    return res.end("ok");
  }
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify({
    method: req.method,
    te: req.headers["transfer-encoding"] ?? null,
    cl: req.headers["content-length"] ?? null,
    length: body.length,
    sha: (await import("node:crypto")).createHash("sha256").update(body).digest("hex"),
    query: url.search,
  }));
});
server.keepAliveTimeout = 10000;
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
`;

Deno.test("client: keep-alive against Node http reuses one connection for many requests", async () => {
  await using node = await nodeServer(NODE_APP);
  {
    await using client = httpc();
    const ports = new Set<string>();
    for (let i = 0; i < 5; i++) {
      await client.request({ url: `http://127.0.0.1:${node.port}/port` });
      strictEqual(await client.status(), 200);
      ports.add(await client.text());
    }
    strictEqual(ports.size, 1, `client ports used: ${[...ports]}`);
  }
  const { closePool } = await import("@cosocket/socket");
  await closePool();
  await assertClean();
});

Deno.test("client: chunked responses with trailers, read whole or in pieces", async () => {
  await using node = await nodeServer(NODE_APP);
  await using client = httpc({ persistent: false });
  const expected = Array.from({ length: 50 }, (_, i) => `piece ${i}\n`).join("");
  await client.request({ url: `http://127.0.0.1:${node.port}/chunked` });
  strictEqual(await client.text(), expected);
  await client.request({ url: `http://127.0.0.1:${node.port}/chunked` });
  let text = "";
  let piece;
  while ((piece = await client.read(7)) !== null) {
    ok(piece.length <= 7);
    text += new TextDecoder().decode(piece);
  }
  strictEqual(text, expected);
});

Deno.test("client: uploads with Content-Length and with chunked coding; query tables and Basic auth", async () => {
  await using node = await nodeServer(NODE_APP);
  await using client = httpc({ persistent: false });
  const data = new Uint8Array(300_000).map((_, i) => i * 7);
  const sha = createHash("sha256").update(data).digest("hex");
  await client.request({
    url: `http://127.0.0.1:${node.port}/up`,
    method: "PUT",
    size: data.length,
    query: { key1: "a", key2: ["b1", "b2"] },
  });
  await client.write(data.subarray(0, 100_000));
  await client.write(data.subarray(100_000));
  const sized = await client.readJson() as Record<string, unknown>;
  deepStrictEqual(
    [sized.method, sized.cl, sized.te, sized.length, sized.sha, sized.query],
    ["PUT", "300000", null, 300000, sha, "?key1=a&key2=b1&key2=b2"],
  );
  await client.request({ url: `http://127.0.0.1:${node.port}/up`, method: "POST" });
  // Small pieces go out joined with their framing, large ones between it.
  await client.write(data.subarray(0, 10));
  for (let at = 10; at < data.length; at += 65_536) {
    await client.write(data.subarray(at, at + 65_536));
  }
  const chunked = await client.readJson() as Record<string, unknown>;
  deepStrictEqual([chunked.te, chunked.length, chunked.sha], ["chunked", 300000, sha]);
  await client.request({ url: `http://127.0.0.1:${node.port}/up`, method: "POST", size: 3 });
  await rejects(
    Promise.resolve(client.write("four")),
    (e: unknown) => e instanceof HttpError && e.code === "incorrectuse",
  );
});

Deno.test("client: Set-Cookie headers become cookies with attributes; headerPairs keeps each", async () => {
  await using node = await nodeServer(NODE_APP);
  await using client = httpc({ persistent: false });
  await client.request({ url: `http://127.0.0.1:${node.port}/cookies` });
  deepStrictEqual(await client.cookies(), [
    { name: "a", value: "1", attributes: { path: "/", httponly: "" } },
    { name: "b", value: "two", attributes: { domain: "example.com", secure: "", samesite: "Lax" } },
  ]);
  const pairs = await client.headerPairs();
  strictEqual(pairs.filter(([name]) => name === "set-cookie").length, 2);
  await client.read();
});

Deno.test("client: nginx static files (a 64 MiB one streamed), keep-alive, redirects reported", async () => {
  const root = await Deno.makeTempDir({ prefix: "cosocket_www_" });
  try {
    const big = new Uint8Array(64 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 65536) crypto.getRandomValues(big.subarray(i, i + 65536));
    await Deno.writeFile(`${root}/big.bin`, big);
    await Deno.writeTextFile(`${root}/hello.txt`, "hello from nginx\n");
    const expected = createHash("sha256").update(big).digest("hex");
    // nginx's workers run as an unprivileged user: let them read the files.
    await Deno.chmod(root, 0o755);
    for (const name of ["big.bin", "hello.txt"]) await Deno.chmod(`${root}/${name}`, 0o644);
    await using server = await nginx(root, "location = /old { return 301 /hello.txt; }");
    await using client = httpc();
    const base = `http://127.0.0.1:${server.port}`;
    await client.request({ url: `${base}/hello.txt` });
    strictEqual(await client.text(), "hello from nginx\n");
    await client.request({ url: `${base}/big.bin` });
    strictEqual((await client.header()).get("content-length"), String(big.length));
    const hash = createHash("sha256");
    let piece;
    let total = 0;
    while ((piece = await client.read(1 << 20)) !== null) {
      hash.update(piece);
      total += piece.length;
    }
    strictEqual(total, big.length);
    strictEqual(hash.digest("hex"), expected);
    await client.request({ url: `${base}/old` });
    strictEqual(await client.status(), 301);
    ok((await client.header()).get("location")!.endsWith("/hello.txt"));
    await client.read();
    await client.request({ url: `${base}/missing`, method: "HEAD" });
    strictEqual(await client.status(), 404);
    strictEqual((await client.read("a"))!.length, 0);
  } finally {
    const { closePool } = await import("@cosocket/socket");
    await closePool();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("client: a cosocket reads a response with yield* while another cosocket keeps running", async () => {
  await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    return new Response("slow");
  });
  let ticks = 0;
  const interval = setInterval(() => ticks++, 5);
  const answer = await run(function* () {
    const client = httpc({ persistent: false });
    yield* client.request({ url: `http://127.0.0.1:${server.addr.port}/` });
    const status = yield* client.status();
    const text = new TextDecoder().decode((yield* client.read("a"))!);
    return `${status} ${text}`;
  });
  clearInterval(interval);
  strictEqual(answer, "200 slow");
  ok(ticks > 3, "the event loop kept running while the cosocket waited");
});

const UPGRADE_APP = `
import http from "node:http";
const server = http.createServer((req, res) => res.end(String(req.socket.remotePort)));
// A toy protocol after 101: the server says which client port it sees, then echoes.
server.on("upgrade", (req, socket) => {
  socket.write("HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: echo\\r\\nConnection: Upgrade\\r\\n\\r\\n");
  socket.write(socket.remotePort + "\\n");
  socket.pipe(socket);
});
server.keepAliveTimeout = 10000;
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
`;

Deno.test("client: an Upgrade request gets a connection of its own; detached: false uses the cosocket's socket", async () => {
  await using node = await nodeServer(UPGRADE_APP);
  const url = `http://127.0.0.1:${node.port}/`;
  {
    await using client = httpc();
    await client.request({ url });
    const kept = await client.text();
    await client.request({ url, header: { upgrade: "echo", connection: "Upgrade" } });
    strictEqual(await client.status(), 101);
    await using sock = http2sock(client);
    const upgraded = await sock.readLine();
    ok(upgraded !== kept, `the upgrade did not reuse the kept connection (port ${kept})`);
    await sock.write("round trip\n");
    strictEqual(await sock.readLine(), "round trip");
  }
  // Inside a cosocket whose socket is not connected, detached: false connects that very socket.
  let seen = { port: "", same: false };
  await event(function* () {
    const own = getsock()!;
    const client = httpc({ detached: false });
    yield* client.request({ url });
    const port = yield* client.text();
    seen = { port, same: own.state().connected && own.sockname().port === Number(port) };
  }).task;
  ok(seen.same, `the cosocket's own socket carried the request (server saw port ${seen.port})`);
  const { closePool } = await import("@cosocket/socket");
  await closePool();
  await assertClean();
});

const HEAD_OK = "HTTP/1.1 200 OK\r\n";

Deno.test("client: ambiguous or malformed framing is refused (response smuggling)", async () => {
  const cases: Record<string, string> = {
    "CL and TE": `${HEAD_OK}content-length: 3\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n`,
    "differing CLs": `${HEAD_OK}content-length: 3\r\ncontent-length: 4\r\n\r\nabcd`,
    "bad CL": `${HEAD_OK}content-length: 3x\r\n\r\nabc`,
    "obs-fold": `${HEAD_OK}x-a: 1\r\n  folded\r\ncontent-length: 0\r\n\r\n`,
    "bare LF in head": `HTTP/1.1 200 OK\nx: y\r\ncontent-length: 0\r\n\r\n`,
    "invalid chunk size": `${HEAD_OK}transfer-encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n`,
    "chunk longer than its size":
      `${HEAD_OK}transfer-encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n`,
    "bare LF after a chunk size": `${HEAD_OK}transfer-encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n`,
    "TE gzip": `${HEAD_OK}transfer-encoding: gzip\r\n\r\nxxxx`,
    "body cut short": `${HEAD_OK}content-length: 10\r\n\r\nabc`,
  };
  for (const [name, response] of Object.entries(cases)) {
    await using server = rawServer(async (_, conn) => {
      await conn.write(new TextEncoder().encode(response));
    });
    const client = httpc({ persistent: false });
    await client.request({ url: `http://127.0.0.1:${server.port}/` });
    await rejects(
      (async () => {
        await client.status();
        await client.read("a");
      })(),
      (error: unknown) => error instanceof HttpError && error.code === "protocol",
      name,
    );
    await client.close();
  }
  await assertClean();
});

Deno.test("client: limits on head size and header count; bodies past maxBodySize", async () => {
  const huge = `${HEAD_OK}x-big: ${"a".repeat(20_000)}\r\ncontent-length: 0\r\n\r\n`;
  const many = HEAD_OK + Array.from({ length: 150 }, (_, i) => `x-${i}: ${i}\r\n`).join("") +
    "content-length: 0\r\n\r\n";
  const long = `${HEAD_OK}content-length: 5000\r\n\r\n${"b".repeat(5000)}`;
  for (const [response, limit] of [[huge, "head"], [many, "count"], [long, "body"]] as const) {
    await using server = rawServer(async (_, conn) => {
      await conn.write(new TextEncoder().encode(response));
    });
    const client = httpc({ persistent: false, maxBodySize: 1000 });
    await client.request({ url: `http://127.0.0.1:${server.port}/` });
    await rejects(
      (async () => {
        await client.status();
        await client.read("a");
      })(),
      (error: unknown) => error instanceof HttpError && error.code === "toolarge",
      limit,
    );
    await client.close();
  }
});

Deno.test("client: every truncation of a chunked response is a typed error, never a hang", async () => {
  const full =
    `${HEAD_OK}transfer-encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nx-t: 1\r\n\r\n`;
  for (let cut = 0; cut < full.length; cut++) {
    await using server = rawServer(async (_, conn) => {
      await conn.write(new TextEncoder().encode(full.slice(0, cut)));
    });
    const client = httpc({ persistent: false, timeout: 2000 });
    await client.request({ url: `http://127.0.0.1:${server.port}/` });
    let outcome: unknown = null;
    try {
      await client.status();
      await client.read("a");
    } catch (error) {
      outcome = error;
    }
    ok(
      outcome instanceof HttpError || (outcome instanceof SocketError && outcome.code === "closed"),
      `cut at ${cut}: ${String(outcome)}`,
    );
    await client.close();
  }
  await using whole = rawServer(async (_, conn) => {
    await conn.write(new TextEncoder().encode(full));
  });
  const client = httpc({ persistent: false });
  await client.request({ url: `http://127.0.0.1:${whole.port}/` });
  strictEqual(await client.text(), "hello world");
  await client.close();
});

Deno.test("client: a server that drips one byte at a time is cut off by the timeout", async () => {
  await using server = rawServer(async (_, conn) => {
    for (const byte of new TextEncoder().encode(HEAD_OK)) {
      await conn.write(new Uint8Array([byte]));
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  });
  const client = httpc({ persistent: false, timeout: 100 });
  await client.request({ url: `http://127.0.0.1:${server.port}/` });
  await rejects(
    Promise.resolve(client.status()),
    (e: unknown) => e instanceof SocketError && e.code === "timeout",
  );
  await client.close();
});

Deno.test("client: CR or LF in a header, method or URL is refused (request splitting)", async () => {
  const client = httpc();
  await rejects(
    Promise.resolve(
      client.request({ url: "http://127.0.0.1:1/", header: [["x-a", "1\r\nx-b: 2"]] }),
    ),
    TypeError,
  );
  await rejects(
    Promise.resolve(client.request({ url: "http://127.0.0.1:1/", method: "GET /x HTTP/1.1\r\n" })),
    TypeError,
  );
  await rejects(Promise.resolve(client.request({ url: "ftp://127.0.0.1/" })), TypeError);
  await client.close();
});

Deno.test("client: halting a cosocket that waits for a response leaves nothing behind", async () => {
  await using server = rawServer(async () => {
    await new Promise((resolve) => setTimeout(resolve, 300));
  });
  const task = run(function* () {
    const client = httpc({ persistent: false });
    try {
      yield* client.request({ url: `http://127.0.0.1:${server.port}/` });
      return yield* client.status();
    } finally {
      client.close();
    }
  });
  await new Promise((resolve) => setTimeout(resolve, 50));
  await task.halt();
  await assertClean();
});

Deno.test("client: `using` closes a cosocket's client when the cosocket is halted", async () => {
  await using server = rawServer(async () => {
    await new Promise((resolve) => setTimeout(resolve, 300));
  });
  const task = run(function* () {
    using client = httpc({ persistent: false });
    yield* client.request({ url: `http://127.0.0.1:${server.port}/` });
    return yield* client.status();
  });
  await new Promise((resolve) => setTimeout(resolve, 50));
  await task.halt();
  await assertClean();
});

Deno.test("client: a kept-alive connection the server closed meanwhile is retried once on a fresh one", async () => {
  await using node = await nodeServer(`
import http from "node:http";
const server = http.createServer((req, res) => res.end(String(req.socket.remotePort)));
server.keepAliveTimeout = 100;
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
`);
  {
    await using client = httpc();
    const url = `http://127.0.0.1:${node.port}/`;
    await client.request({ url });
    const first = await client.text();
    // Node closes the idle connection after 100 ms (plus its 1 s grace); the client learns it only on reuse.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await client.request({ url });
    strictEqual(await client.status(), 200);
    const second = await client.text();
    ok(first !== second, "the second request went over a new connection");
  }
  const { closePool } = await import("@cosocket/socket");
  await closePool();
  await assertClean();
});

Deno.test("client: an upload the server refuses early stops at once with the server's status", async () => {
  await using node = await nodeServer(`
import http from "node:http";
const server = http.createServer((req, res) => {
  // Refuse at once, without reading the body.
  res.writeHead(413, { "content-type": "text/plain", connection: "close" });
  res.end("too large");
});
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
`);
  for (const size of [64 * 1024 * 1024, undefined]) {
    await using client = httpc({ persistent: false });
    await client.request({
      url: `http://127.0.0.1:${node.port}/upload`,
      method: "PUT",
      ...(size === undefined ? {} : { size }),
    });
    const piece = new Uint8Array(64 * 1024);
    let sent = 0;
    let stopped: unknown = null;
    while (sent < 64 * 1024 * 1024) {
      try {
        await client.write(piece);
      } catch (error) {
        stopped = error;
        break;
      }
      sent += piece.length;
    }
    ok(
      stopped instanceof HttpError && stopped.code === "status" && stopped.status === 413,
      String(stopped),
    );
    ok(sent < 64 * 1024 * 1024, "the upload stopped early");
    strictEqual(await client.status(), 413);
  }
});

Deno.test("client: a local interface (intf), IPv6, and trusted TLS", async () => {
  const dir = new URL("../testdata/tls/", import.meta.url).pathname;
  await using plain = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (_, info) => new Response((info.remoteAddr as Deno.NetAddr).hostname),
  );
  {
    await using client = httpc({ intf: "127.0.0.2", persistent: false });
    await client.request({ url: `http://127.0.0.1:${plain.addr.port}/` });
    strictEqual(await client.text(), "127.0.0.2");
  }
  await using v6 = Deno.serve(
    { hostname: "::1", port: 0, onListen() {} },
    () => new Response("six"),
  );
  {
    await using client = httpc({ persistent: false });
    await client.request({ url: `http://[::1]:${v6.addr.port}/` });
    strictEqual(await client.text(), "six");
  }
  // On every loopback address: 127.0.0.3 is not in the certificate.
  await using secure = Deno.serve({
    hostname: "0.0.0.0",
    port: 0,
    onListen() {},
    cert: Deno.readTextFileSync(`${dir}server.pem`),
    key: Deno.readTextFileSync(`${dir}server.key`),
  }, () => new Response("secure"));
  const caCerts = [Deno.readTextFileSync(`${dir}ca.pem`)];
  {
    await using client = httpc({ tls: { caCerts }, persistent: false });
    await client.request({ url: `https://localhost:${secure.addr.port}/`, trusted: true });
    ok(client.trusted());
    strictEqual(await client.text(), "secure");
  }
  {
    await using client = httpc({
      tls: { caCerts, unsafelyDisableHostnameVerification: true },
      persistent: false,
    });
    await rejects(
      Promise.resolve(
        client.request({ url: `https://127.0.0.9:${secure.addr.port}/`, trusted: true }),
      ),
      (e: unknown) => e instanceof HttpError && e.code === "nottrusted" || e instanceof SocketError,
    );
  }
  {
    // Not trusted by default: the test CA is unknown to the platform.
    await using client = httpc({ persistent: false });
    await rejects(
      Promise.resolve(client.request({ url: `https://localhost:${secure.addr.port}/` })),
      (e: unknown) => e instanceof SocketError && e.code === "tls",
    );
  }
});

Deno.test("client: a body that stalls is cut off by the timeout, whole-body reads included", async () => {
  await using server = rawServer(async (_, conn) => {
    await conn.write(new TextEncoder().encode(`${HEAD_OK}content-length: 10\r\n\r\nabc`));
    await new Promise((resolve) => setTimeout(resolve, 600));
  });
  for (const size of ["a", 4] as const) {
    const client = httpc({ persistent: false, timeout: 150 });
    await client.request({ url: `http://127.0.0.1:${server.port}/` });
    strictEqual(await client.status(), 200);
    await rejects(
      (async () => {
        while ((await client.read(size)) !== null);
      })(),
      (e: unknown) => e instanceof SocketError && e.code === "timeout",
      String(size),
    );
    await client.close();
  }
});

Deno.test("client: readInto() fills one reused buffer for Content-Length, chunked and close-delimited bodies", async () => {
  const data = "x".repeat(200_000);
  const framings = [
    `${HEAD_OK}content-length: ${data.length}\r\n\r\n${data}`,
    `${HEAD_OK}transfer-encoding: chunked\r\n\r\n${(data.length / 2).toString(16)}\r\n${
      data.slice(0, data.length / 2)
    }\r\n${(data.length / 2).toString(16)}\r\n${data.slice(data.length / 2)}\r\n0\r\n\r\n`,
    `HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n${data}`,
  ];
  for (const response of framings) {
    await using server = rawServer(async (_, conn) => {
      await conn.write(new TextEncoder().encode(response));
    });
    await using client = httpc({ persistent: false });
    await client.request({ url: `http://127.0.0.1:${server.port}/` });
    const buffer = new Uint8Array(7_000);
    let total = 0;
    let count;
    while ((count = await client.readInto(buffer)) !== null) {
      ok(count > 0 && count <= buffer.length);
      ok(buffer.subarray(0, count).every((b) => b === 0x78));
      total += count;
    }
    strictEqual(total, data.length);
  }
});

Deno.test("client: request fields given as a record, as pairs or as Headers reach Node http alike", async () => {
  await using node = await nodeServer(`
import http from "node:http";
const server = http.createServer((request, response) => {
  response.end(JSON.stringify({ one: request.headers["x-one"], two: request.headers["x-two"] }));
});
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
`);
  const url = `http://127.0.0.1:${node.port}/`;
  {
    await using client = httpc();
    const forms: HeadersInit[] = [
      { "X-One": " \ta\t ", "x-two": "b" },
      [["X-One", "a"], ["x-two", "b"], ["X-TWO", "c"]],
      new Headers([["x-one", "a"], ["x-two", "b"]]),
    ];
    const seen = [];
    for (const header of forms) {
      await client.request({ url, header });
      seen.push(JSON.parse(await client.text()));
    }
    // Values are trimmed as Headers trims them; a name repeated in pairs is sent twice.
    deepStrictEqual(seen, [
      { one: "a", two: "b" },
      { one: "a", two: "b, c" },
      { one: "a", two: "b" },
    ]);
    await rejects(
      Promise.resolve(
        client.request({ url, header: [["x-a", "1", "2"]] as unknown as HeadersInit }),
      ),
      TypeError,
    );
    await rejects(Promise.resolve(client.request({ url, header: { "bad name": "x" } })), TypeError);
  }
  const { closePool } = await import("@cosocket/socket");
  await closePool();
  await assertClean();
});
