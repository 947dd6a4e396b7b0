// The WHATWG handler style of the HTTP server: Deno.serve's call shape, a Hono app served
// unchanged, streamed request and response bodies, req2sock and WebSocket upgrades from a
// `Request`, and the AbortSignal.
import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { Hono } from "npm:hono@4.13.23";
import { stream } from "npm:hono@4.13.23/streaming";
import { req2sock, servcon, serve } from "@cosocket/http";
import { connect, upgrade } from "@cosocket/websocket";
import { assertClean } from "./_helpers.ts";
import { runProgram } from "./_server_helpers.ts";

const QUIET = { port: 0, hostname: "127.0.0.1", onListen() {} };

Deno.test("server (web style): a Hono app runs unchanged", async () => {
  const app = new Hono();
  app.use("*", async (c, next) => {
    await next();
    c.header("x-served-by", "cosocket");
  });
  app.get("/hello/:name", (c) => c.text(`hello ${c.req.param("name")}`));
  app.post("/json", async (c) => c.json({ got: await c.req.json(), query: c.req.query("q") }));
  app.get("/stream", (c) =>
    stream(c, async (out) => {
      for (let i = 0; i < 3; i++) {
        await out.write(`part ${i};`);
        await out.sleep(5);
      }
    }));
  app.notFound((c) => c.text("nothing here", 404));
  {
    await using server = serve(QUIET, app.fetch);
    const base = `http://127.0.0.1:${server.addr.port}`;
    const hello = await fetch(`${base}/hello/ada`);
    deepStrictEqual(
      [hello.status, await hello.text(), hello.headers.get("x-served-by")],
      [200, "hello ada", "cosocket"],
    );
    const json = await fetch(`${base}/json?q=1`, {
      method: "POST",
      body: JSON.stringify({ a: [1, 2] }),
      headers: { "content-type": "application/json" },
    });
    deepStrictEqual(await json.json(), { got: { a: [1, 2] }, query: "1" });
    const streamed = await runProgram("curl", ["-s", "--raw", `${base}/stream`]);
    ok(streamed.includes("part 0;") && streamed.includes("part 2;"));
    const missing = await fetch(`${base}/nope`);
    deepStrictEqual([missing.status, await missing.text()], [404, "nothing here"]);
  }
  await assertClean();
});

Deno.test("server (web style): request bodies stream in, response streams go out as they are made", async () => {
  let release!: () => void;
  const released = new Promise<void>((resolve) => release = resolve);
  {
    await using server = serve(QUIET, async (request, info) => {
      if (request.method === "POST") {
        let total = 0;
        for await (const chunk of request.body!) total += chunk.length;
        return new Response(`${total} from ${info.remoteAddr.hostname}`);
      }
      const body = new ReadableStream<Uint8Array>({
        async start(controller) {
          controller.enqueue(new TextEncoder().encode("first;"));
          await released;
          controller.enqueue(new TextEncoder().encode("second"));
          controller.close();
        },
      });
      return new Response(body);
    });
    const base = `http://127.0.0.1:${server.addr.port}`;
    const upload = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 16; i++) controller.enqueue(new Uint8Array(65536));
        controller.close();
      },
    });
    const posted = await fetch(base, { method: "POST", body: upload });
    equal(await posted.text(), `${16 * 65536} from 127.0.0.1`);
    const answer = await fetch(base);
    const reader = answer.body!.getReader();
    // The first chunk arrives while the stream still waits for the second.
    equal(new TextDecoder().decode((await reader.read()).value), "first;");
    release();
    equal(new TextDecoder().decode((await reader.read()).value), "second");
    ok((await reader.read()).done);
  }
  await assertClean();
});

Deno.test("server (web style): req2sock and a WebSocket upgrade from a Request", async () => {
  {
    await using server = servcon(0, async (request: Request) => {
      const path = new URL(request.url).pathname;
      if (path === "/raw") {
        const sock = req2sock(request);
        await sock.write("HTTP/1.1 200 OK\r\ncontent-length: 3\r\nconnection: close\r\n\r\nraw");
        sock.close();
      } else {
        const ws = await upgrade(request);
        const message = await ws.readMessage();
        await ws.write(`echo ${message}`, true);
        await ws.close();
      }
      return new Response(null); // not sent: the connection was taken
    }, { hostname: "127.0.0.1" });
    const raw = await fetch(`http://127.0.0.1:${server.port}/raw`);
    equal(await raw.text(), "raw");
    await using ws = await connect(`ws://127.0.0.1:${server.port}/ws`);
    await ws.write("hi", true);
    equal(await ws.readMessage(), "echo hi");
  }
  await assertClean();
});

Deno.test("server (web style): a thrown error gets a 500 or onError's answer; the signal shuts down", async () => {
  const controller = new AbortController();
  const server = serve({
    ...QUIET,
    signal: controller.signal,
    onError: (error) => new Response(`sorry: ${(error as Error).message}`, { status: 503 }),
  }, (request) => {
    if (new URL(request.url).pathname === "/throw") throw new Error("broken");
    return Response.json({ ok: true });
  });
  const base = `http://127.0.0.1:${server.addr.port}`;
  const failed = await fetch(`${base}/throw`);
  deepStrictEqual([failed.status, await failed.text()], [503, "sorry: broken"]);
  deepStrictEqual(await (await fetch(base)).json(), { ok: true });
  controller.abort();
  await server.finished;
  await assertClean();
});

Deno.test("server (web style): a Host that makes no URL gives the request a localhost URL", async () => {
  {
    await using server = serve(QUIET, (request) => new Response(request.url));
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
    await conn.write(
      new TextEncoder().encode(
        "GET /a?b=1 HTTP/1.1\r\nhost: exa mple\r\nconnection: close\r\n\r\n",
      ),
    );
    const text = new TextDecoder().decode(await new Response(conn.readable).arrayBuffer());
    ok(text.startsWith("HTTP/1.1 200 "), text);
    ok(text.endsWith("\r\n\r\nhttp://localhost/a?b=1"), text);
  }
  await assertClean();
});
