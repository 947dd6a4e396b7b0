// The HTTP/1.1 server (servcon) against clients nobody here wrote: curl, Deno's fetch,
// Node's http client, undici and Python's urllib; raw sockets for the protocol edges
// (keep-alive, pipelining, chunked bodies, 100-continue, HEAD, HTTP/1.0, limits, timeouts).
import { deepStrictEqual, equal, match, ok, strictEqual } from "node:assert/strict";
import { request as undiciRequest } from "npm:undici@7.30.2";
import {
  HttpError,
  type HttpServer,
  servcon,
  type ServconOptions,
  type ServerRequest,
  type ServerResponse,
} from "@cosocket/http";
import { sleep, until } from "@cosocket/socket";
import { assertClean } from "./_helpers.ts";
import { rawRequest, readAll, runProgram, statuses } from "./_server_helpers.ts";

const LOOPBACK = { hostname: "127.0.0.1" };

/** A server echoing what it got as JSON: method, path, query, headers, body length and hash. */
function echoServer(options: ServconOptions = {}): HttpServer {
  return servcon(0, function* (request: ServerRequest, response: ServerResponse) {
    const body = yield* request.bytes();
    const digest = new Uint8Array(
      yield* until(crypto.subtle.digest("SHA-256", body as Uint8Array<ArrayBuffer>)),
    ).toHex();
    response.headers.set("content-type", "application/json");
    yield* response.send(JSON.stringify({
      method: request.method,
      path: request.pathname,
      query: request.data(),
      length: body.length,
      sha256: digest,
      host: request.headers.get("host"),
      cookie: request.cookies.get("session") ?? null,
      trailer: request.trailers.get("x-sum"),
    }));
  }, { ...LOOPBACK, ...options });
}

async function sha256(bytes: Uint8Array): Promise<string> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>))
    .toHex();
}

function pseudoRandom(size: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = 2463534242;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

Deno.test("server: curl GET, POST of 3 MiB with Expect: 100-continue, HEAD and keep-alive", async () => {
  {
    await using server = echoServer();
    const base = `http://127.0.0.1:${server.port}`;
    const got = JSON.parse(
      await runProgram("curl", ["-s", "-b", "session=abc", `${base}/a/b?x=1&x=2&y=3`]),
    );
    deepStrictEqual(
      [got.method, got.path, got.query, got.length, got.host, got.cookie],
      ["GET", "/a/b", { x: ["1", "2"], y: "3" }, 0, `127.0.0.1:${server.port}`, "abc"],
    );
    const file = await Deno.makeTempFile();
    try {
      const body = pseudoRandom(3 * 1024 * 1024);
      await Deno.writeFile(file, body);
      const verbose = await runProgram("curl", [
        "-sv",
        "-H",
        "Expect: 100-continue",
        "--data-binary",
        `@${file}`,
        `${base}/upload`,
        "-o",
        `${file}.out`,
        "--stderr",
        "-",
      ]);
      match(verbose, /HTTP\/1\.1 100 Continue/);
      const json = JSON.parse(await Deno.readTextFile(`${file}.out`));
      deepStrictEqual([json.method, json.length, json.sha256], [
        "POST",
        body.length,
        await sha256(body),
      ]);
    } finally {
      await Deno.remove(file);
      await Deno.remove(`${file}.out`).catch(() => {});
    }
    const head = await runProgram("curl", ["-sI", `${base}/x`]);
    match(head, /^HTTP\/1\.1 200 OK\r\n/);
    match(head, /content-length: \d+/i);
    match(head, /date: \w{3}, \d\d \w{3} \d{4}/i);
    // Two URLs on one command line share the connection.
    const twice = await runProgram("curl", ["-sv", `${base}/1`, `${base}/2`, "--stderr", "-"]);
    match(twice, /Re-using existing connection|Reusing existing/);
  }
  await assertClean();
});

Deno.test("server: Deno fetch streams a request body chunked and reads a streamed response", async () => {
  {
    await using server = servcon(0, function* (request: ServerRequest, response: ServerResponse) {
      strictEqual(request.headers.get("transfer-encoding"), "chunked");
      let total = 0;
      const buffer = new Uint8Array(8192);
      let count;
      while ((count = yield* request.readInto(buffer)) !== null) total += count;
      for (let i = 0; i < 50; i++) yield* response.write(new Uint8Array(10000).fill(i));
      yield* response.write(`total=${total}`);
    }, LOOPBACK);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new Uint8Array(5000).fill(1));
        controller.close();
      },
    });
    const answer = await fetch(`http://127.0.0.1:${server.port}/`, {
      method: "PUT",
      body,
    });
    equal(answer.headers.get("transfer-encoding"), "chunked");
    const bytes = new Uint8Array(await answer.arrayBuffer());
    equal(bytes.length, 500000 + "total=100000".length);
    equal(new TextDecoder().decode(bytes.subarray(500000)), "total=100000");
    equal(bytes[499999], 49);
  }
  await assertClean();
});

Deno.test("server: Node's http client with keep-alive, a chunked upload and trailers", async () => {
  {
    await using server = echoServer();
    const script = `
      import http from "node:http";
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const results = [];
      for (let i = 0; i < 3; i++) {
        results.push(await new Promise((resolve, reject) => {
          const req = http.request({ host: "127.0.0.1", port: ${server.port}, path: "/n?i=" + i,
            method: "POST", agent, headers: { "Transfer-Encoding": "chunked", Trailer: "x-sum" } },
            (res) => { let t = ""; const port = res.socket.localPort; res.on("data", (d) => t += d);
              res.on("end", () => resolve({ status: res.statusCode, socket: port,
                body: JSON.parse(t) })); });
          req.on("error", reject);
          req.write("hello ");
          req.write("world");
          req.addTrailers({ "x-sum": "11" });
          req.end();
        }));
      }
      agent.destroy();
      console.log(JSON.stringify(results));`;
    const results = JSON.parse(await runProgram("node", ["--input-type=module", "-e", script]));
    deepStrictEqual(results.map((r: { status: number }) => r.status), [200, 200, 200]);
    deepStrictEqual(
      results.map((r: { body: { length: number; trailer: string; query: unknown } }) => [
        r.body.length,
        r.body.trailer,
        r.body.query,
      ]),
      [[11, "11", { i: "0" }], [11, "11", { i: "1" }], [11, "11", { i: "2" }]],
    );
    // One connection carried all three.
    equal(new Set(results.map((r: { socket: number }) => r.socket)).size, 1);
  }
  await assertClean();
});

Deno.test("server: undici and Python urllib", async () => {
  {
    await using server = echoServer();
    const answer = await undiciRequest(`http://127.0.0.1:${server.port}/undici?a=1`, {
      method: "POST",
      body: "x".repeat(70000),
    });
    equal(answer.statusCode, 200);
    const json = await answer.body.json() as { length: number; query: unknown };
    deepStrictEqual([json.length, json.query], [70000, { a: "1" }]);
    const python = await runProgram("/usr/bin/python3", [
      "-c",
      `import urllib.request, json
r = urllib.request.urlopen(urllib.request.Request("http://127.0.0.1:${server.port}/py", data=b"abc", method="PUT"))
print(r.status, json.loads(r.read())["length"])`,
    ]);
    equal(python.trim(), "200 3");
  }
  await assertClean();
});

Deno.test("server: bodies around the write sizes arrive whole at undici (keep-alive) and curl (close)", async () => {
  // Around 8 KiB (small responses), and 64 KiB: how much of a response
  // leaves in one write with its head.
  const sizes = [8000, 8192, 9000, 65400, 65536, 65537, 70000, (1 << 20) + 3];
  const body = (size: number) => {
    const bytes = new Uint8Array(size);
    for (let index = 0; index < size; index++) bytes[index] = (index * 31 + size) & 0xff;
    return bytes;
  };
  {
    await using server = servcon(0, function* (request: ServerRequest, response: ServerResponse) {
      yield* response.send(body(Number(request.pathname.slice(1))));
    }, LOOPBACK);
    for (const size of sizes) {
      const answer = await undiciRequest(`http://127.0.0.1:${server.port}/${size}`);
      equal(answer.statusCode, 200);
      deepStrictEqual(new Uint8Array(await answer.body.arrayBuffer()), body(size));
    }
    for (const size of sizes) {
      const file = await Deno.makeTempFile();
      try {
        await runProgram("curl", [
          "-sf",
          "-H",
          "Connection: close",
          "-o",
          file,
          `http://127.0.0.1:${server.port}/${size}`,
        ]);
        deepStrictEqual(await Deno.readFile(file), body(size));
      } finally {
        await Deno.remove(file);
      }
    }
  }
  await assertClean();
});

Deno.test("server: pipelined requests are answered in order on one connection", async () => {
  {
    await using server = servcon(0, function* (request: ServerRequest, response: ServerResponse) {
      // The first request is the slowest: order must still hold.
      if (request.pathname === "/1") yield* sleep(30);
      yield* response.send(`${request.method} ${request.pathname} ${(yield* request.text())}`);
    }, LOOPBACK);
    const { text } = await rawRequest(
      server.port,
      "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n" +
        "POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc" +
        "POST /3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\n\r\n" +
        "GET /4 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    );
    const bodies = [...text.matchAll(/\r\n\r\n([A-Z]+ \/\d[^H]*)/g)].map((m) => m[1]!.trim());
    deepStrictEqual(bodies, ["GET /1", "POST /2 abc", "POST /3 de", "GET /4"]);
    match(text, /connection: close/);
  }
  await assertClean();
});

Deno.test("server: the heads of plain 200s (made once per length) are the heads built field by field", async () => {
  {
    await using server = servcon(0, function* (request: ServerRequest, response: ServerResponse) {
      if (request.pathname === "/typed") response.headers.set("content-type", "text/plain");
      if (request.pathname === "/created") response.status = 201;
      yield* response.send(request.pathname === "/long" ? "x".repeat(1000) : "hi");
    }, LOOPBACK);
    const { text } = await rawRequest(
      server.port,
      "GET /a HTTP/1.1\r\nHost: a\r\n\r\n" + // plain
        "GET /b HTTP/1.1\r\nHost: a\r\n\r\n" + // plain again: the same head
        "GET /long HTTP/1.1\r\nHost: a\r\n\r\n" + // plain, another length
        "GET /typed HTTP/1.1\r\nHost: a\r\n\r\n" + // a header of the handler's
        "GET /created HTTP/1.1\r\nHost: a\r\n\r\n" + // another status
        "HEAD /a HTTP/1.1\r\nHost: a\r\n\r\n" + // no body
        "GET /c HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", // the last
    );
    const heads = text.split(/(?<=\r\n\r\n)(?:hi|x{1000})?/).filter((part) => part !== "")
      .map((head) => head.replace(/date: [^\r]+/, "date: D"));
    deepStrictEqual(heads, [
      "HTTP/1.1 200 OK\r\ndate: D\r\ncontent-length: 2\r\n\r\n",
      "HTTP/1.1 200 OK\r\ndate: D\r\ncontent-length: 2\r\n\r\n",
      "HTTP/1.1 200 OK\r\ndate: D\r\ncontent-length: 1000\r\n\r\n",
      "HTTP/1.1 200 OK\r\ndate: D\r\ncontent-length: 2\r\ncontent-type: text/plain\r\n\r\n",
      "HTTP/1.1 201 Created\r\ndate: D\r\ncontent-length: 2\r\n\r\n",
      "HTTP/1.1 200 OK\r\ndate: D\r\ncontent-length: 2\r\n\r\n",
      "HTTP/1.1 200 OK\r\ndate: D\r\ncontent-length: 2\r\nconnection: close\r\n\r\n",
    ]);
    match(text, new RegExp(`date: ${new Date().toUTCString().slice(0, 16)}`));
  }
  await assertClean();
});

Deno.test("server: 2,000 pipelined requests sent at once get every response, in order", async () => {
  {
    await using server = servcon(0, function* (request: ServerRequest, response: ServerResponse) {
      yield* response.send(`body ${request.pathname.slice(1)}`);
    }, LOOPBACK);
    // Far more responses than the socket's queue length: the connection
    // holds back (waits for its writes) instead of dropping any.
    const count = 2000;
    let requests = "";
    for (let index = 0; index < count; index++) {
      requests += `GET /${index} HTTP/1.1\r\nHost: a\r\n` +
        (index === count - 1 ? "Connection: close\r\n" : "") + "\r\n";
    }
    const { text, closed } = await rawRequest(server.port, requests);
    ok(closed);
    const bodies = [...text.matchAll(/\r\n\r\nbody (\d+)/g)].map((m) => Number(m[1]));
    deepStrictEqual(bodies, Array.from({ length: count }, (_, index) => index));
  }
  await assertClean();
});

Deno.test("server: HTTP/1.0 gets close-delimited streams, and keep-alive when asked", async () => {
  {
    await using server = servcon(0, function* (request: ServerRequest, response: ServerResponse) {
      if (request.pathname === "/stream") {
        yield* response.write("part1 ");
        yield* response.flush();
        yield* response.write("part2");
        return;
      }
      yield* response.send("short");
    }, LOOPBACK);
    const streamed = await rawRequest(server.port, "GET /stream HTTP/1.0\r\n\r\n");
    ok(streamed.closed);
    ok(!/transfer-encoding/i.test(streamed.text));
    ok(streamed.text.endsWith("part1 part2"));
    const kept = await rawRequest(
      server.port,
      "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET / HTTP/1.0\r\n\r\n",
    );
    deepStrictEqual(statuses(kept.text), [200, 200]);
    match(kept.text, /connection: keep-alive/);
    ok(kept.closed);
  }
  await assertClean();
});

Deno.test("server: limits answer 431 and 413 and the connection closes", async () => {
  {
    await using server = echoServer({ maxHeaderSize: 1024, maxHeaders: 10, maxBodySize: 1000 });
    const big = await rawRequest(
      server.port,
      `GET / HTTP/1.1\r\nHost: a\r\nX: ${"a".repeat(2000)}\r\n\r\n`,
    );
    deepStrictEqual([statuses(big.text), big.closed], [[431], true]);
    const many = Array.from({ length: 11 }, (_, i) => `X-${i}: 1\r\n`).join("");
    const fields = await rawRequest(server.port, `GET / HTTP/1.1\r\nHost: a\r\n${many}\r\n`);
    deepStrictEqual(statuses(fields.text), [431]);
    const length = await rawRequest(
      server.port,
      "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1001\r\n\r\n",
    );
    deepStrictEqual([statuses(length.text), length.closed], [[413], true]);
    const chunk = `400\r\n${"b".repeat(1024)}\r\n`;
    const chunked = await rawRequest(
      server.port,
      `POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n${chunk}${chunk}0\r\n\r\n`,
    );
    deepStrictEqual([statuses(chunked.text), chunked.closed], [[413], true]);
  }
  await assertClean();
});

Deno.test("server: ambiguous framing (request smuggling) is refused with 400", async () => {
  {
    await using server = echoServer();
    const cases = [
      "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
      "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 4\r\n\r\nabc",
      "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\nabc",
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n",
      "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n",
      "GET / HTTP/1.1\nHost: a\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n",
      "GET / HTTP/1.1\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
      "GET  / HTTP/1.1\r\nHost: a\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\nX: \x01\r\n\r\n",
      'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;a="unterminated\r\nabc\r\n0\r\n\r\n',
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3 ;\r\nabc\r\n0\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n-3\r\nabc\r\n0\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n",
    ];
    for (const request of cases) {
      const { text, closed } = await rawRequest(server.port, request);
      deepStrictEqual([statuses(text), closed], [[400], true], JSON.stringify(request));
    }
    const gzip = await rawRequest(
      server.port,
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
    );
    deepStrictEqual(statuses(gzip.text), [501]);
    // The server is still fine.
    deepStrictEqual(statuses((await rawRequest(server.port, "GET / HTTP/1.0\r\n\r\n")).text), [
      200,
    ]);
  }
  await assertClean();
});

Deno.test("server: a slow head is cut off by the headers timeout, an idle connection by the keep-alive timeout", async () => {
  {
    await using server = echoServer({ headersTimeout: 300, keepAliveTimeout: 200 });
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
    const started = Date.now();
    // A slowloris client: one byte at a time, never the end of the head.
    let writes = 0;
    for (const byte of new TextEncoder().encode("GET / HTTP/1.1\r\nHost: a\r\nX-Slow: 1")) {
      try {
        await conn.write(new Uint8Array([byte]));
        writes++;
      } catch {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 40));
      if (Date.now() - started > 3000) break;
    }
    const rest = await readAll(conn, 3000);
    ok(rest.closed, "the server closed the slow connection");
    ok(writes < 36, `the server let ${writes} slow bytes in`);
    conn.close();
    const idle = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
    await idle.write(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
    const answer = await readAll(idle, 3000);
    deepStrictEqual([statuses(answer.text), answer.closed], [[200], true]);
    idle.close();
    equal(server.connections, 0);
  }
  await assertClean();
});

Deno.test("server: a handler that throws gets a 500, an HttpError its status; the server goes on", async () => {
  const logged: unknown[] = [];
  {
    await using server = servcon(0, function* (request: ServerRequest, response: ServerResponse) {
      if (request.pathname === "/bug") throw new Error("deliberate");
      if (request.pathname === "/teapot") {
        throw new HttpError("status", "short and stout", { status: 418 });
      }
      if (request.pathname === "/late") {
        yield* response.write("x".repeat(20000)); // over the buffer: the head is out
        throw new Error("late");
      }
      yield* response.send("fine");
    }, { ...LOOPBACK, onError: (error) => void logged.push(error) });
    const bug = await fetch(`http://127.0.0.1:${server.port}/bug`);
    deepStrictEqual([bug.status, await bug.text()], [500, "Internal Server Error\n"]);
    const teapot = await fetch(`http://127.0.0.1:${server.port}/teapot`);
    deepStrictEqual([teapot.status, await teapot.text()], [418, "short and stout\n"]);
    const late = await rawRequest(server.port, "GET /late HTTP/1.1\r\nHost: a\r\n\r\n");
    ok(late.closed);
    ok(!late.text.endsWith("0\r\n\r\n"), "a failed stream is not ended as if complete");
    const fine = await fetch(`http://127.0.0.1:${server.port}/`);
    equal(await fine.text(), "fine");
  }
  equal(logged.length, 2);
  await assertClean();
});

Deno.test("server: a response longer than its Content-Length is refused, a shorter one closes the connection", async () => {
  const errors: unknown[] = [];
  {
    await using server = servcon(0, function* (request: ServerRequest, response: ServerResponse) {
      response.headers.set("content-length", "5");
      try {
        yield* response.write(request.pathname === "/long" ? "123456" : "123");
      } catch (error) {
        errors.push(error);
        yield* response.write("12345");
      }
    }, LOOPBACK);
    const long = await rawRequest(server.port, "GET /long HTTP/1.1\r\nHost: a\r\n\r\n", 300);
    ok(long.text.endsWith("\r\n\r\n12345"));
    const short = await rawRequest(server.port, "GET /short HTTP/1.1\r\nHost: a\r\n\r\n");
    ok(short.closed);
    ok(short.text.endsWith("\r\n\r\n123"));
  }
  equal((errors[0] as HttpError).code, "incorrectuse");
  await assertClean();
});

Deno.test("server: closing halts a handler waiting for a body; the client's going away halts a writer", async () => {
  let cleaned = 0;
  let writeError: unknown = null;
  {
    const server = servcon(0, function* (request: ServerRequest, response: ServerResponse) {
      try {
        if (request.pathname === "/read") yield* request.bytes();
        else {
          while (true) yield* response.write(new Uint8Array(65536));
        }
      } catch (error) {
        writeError = error;
      } finally {
        cleaned++;
      }
    }, LOOPBACK);
    const reader = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
    await reader.write(new TextEncoder().encode(
      "POST /read HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nabc",
    ));
    const writer = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
    await writer.write(new TextEncoder().encode("GET /write HTTP/1.1\r\nHost: a\r\n\r\n"));
    await writer.read(new Uint8Array(1024));
    writer.close();
    for (let i = 0; i < 500 && cleaned < 1; i++) await new Promise((r) => setTimeout(r, 10));
    equal(cleaned, 1);
    equal((writeError as Error).name, "SocketError");
    await server.close();
    equal(cleaned, 2);
    reader.close();
  }
  await assertClean();
});

Deno.test("server: graceful shutdown lets an in-flight request finish and closes idle connections", async () => {
  {
    let release!: () => void;
    const released = new Promise<void>((resolve) => release = resolve);
    let arrived = false;
    const server = servcon(0, function* (request: ServerRequest, response: ServerResponse) {
      if (request.pathname === "/slow") {
        arrived = true;
        yield* until(released);
      }
      yield* response.send("done");
    }, LOOPBACK);
    const idle = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
    await idle.write(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
    const first = await Promise.race([
      idle.read(new Uint8Array(1024)),
      new Promise((r) => setTimeout(r, 2000)),
    ]);
    ok(typeof first === "number");
    const slow = fetch(`http://127.0.0.1:${server.port}/slow`);
    for (let i = 0; i < 500 && !arrived; i++) await sleep(10);
    const stopped = server.shutdown({ timeout: 5000 });
    const idleEnd = await readAll(idle, 2000);
    ok(idleEnd.closed, "the idle keep-alive connection was closed");
    idle.close();
    release();
    const answer = await slow;
    deepStrictEqual([await answer.text(), answer.headers.get("connection")], ["done", "close"]);
    await stopped;
    await server.finished;
    let refused = false;
    await Deno.connect({ hostname: "127.0.0.1", port: server.port }).then(
      (conn) => conn.close(),
      () => refused = true,
    );
    ok(refused);
  }
  await assertClean();
});

Deno.test("server: setPort moves to a new port while accepted connections keep running", async () => {
  {
    await using server = echoServer();
    const oldPort = server.port;
    const kept = await Deno.connect({ hostname: "127.0.0.1", port: oldPort });
    await kept.write(new TextEncoder().encode("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"));
    await kept.read(new Uint8Array(4096));
    server.setPort(0);
    ok(server.port !== oldPort);
    await kept.write(
      new TextEncoder().encode("GET /2 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"),
    );
    const second = await readAll(kept, 2000);
    deepStrictEqual(statuses(second.text), [200]);
    kept.close();
    const moved = await fetch(`http://127.0.0.1:${server.port}/moved`);
    equal((await moved.json()).path, "/moved");
    let refused = false;
    await Deno.connect({ hostname: "127.0.0.1", port: oldPort }).then(
      (conn) => conn.close(),
      () => refused = true,
    );
    ok(refused);
  }
  await assertClean();
});
