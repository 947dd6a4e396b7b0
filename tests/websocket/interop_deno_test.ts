// Interop with Deno's own WebSocket implementation: its native `WebSocket` client against our
// server, and a `Deno.serve` server upgrading with `Deno.upgradeWebSocket` against our client.
// Deno's implementation has no permessage-deflate and no fragment or ping API: those are
// covered by the ws, Python and Chromium tests; here Deno's server pings us (`idleTimeout`).
import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { connect, WebSocketError, type WsSocket } from "@cosocket/websocket";
import {
  assertNoSockets,
  certPaths,
  certs,
  delay,
  HEARTBEAT,
  ourServer,
  pseudoRandomBytes,
  Queue,
  sha256,
  within,
} from "./_peers.ts";

const MiB = 1 << 20;
const encoder = new TextEncoder();

/** A native WebSocket (client or server side) with its events recorded. */
class NativePeer {
  readonly messages = new Queue<string | Uint8Array>();
  readonly closed: Promise<{ code: number; reason: string; wasClean: boolean }>;
  readonly opened: Promise<void>;

  constructor(readonly ws: WebSocket) {
    ws.binaryType = "arraybuffer";
    ws.onmessage = (event) => {
      this.messages.push(typeof event.data === "string" ? event.data : new Uint8Array(event.data));
    };
    this.opened = new Promise((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = (event) => reject(new Error((event as ErrorEvent).message ?? "WebSocket error"));
    });
    this.opened.catch(() => {});
    this.closed = new Promise((resolve) => {
      ws.onclose = (event) => {
        this.messages.end(new Error(`The native WebSocket closed: ${event.code}`));
        resolve({ code: event.code, reason: event.reason, wasClean: event.wasClean });
      };
    });
  }

  next(): Promise<string | Uint8Array> {
    return within(this.messages.next(), "a message at the native WebSocket");
  }
}

async function nativeClient(url: string, protocols: string[] = []): Promise<NativePeer> {
  const peer = new NativePeer(new WebSocket(url, protocols));
  await within(peer.opened, "the native client's handshake");
  return peer;
}

function message(ws: WsSocket, what = "a message from Deno's server") {
  return within(ws.readMessage(), what);
}

// ---------------------------------------------------------------------------------------------
// Deno's native WebSocket client -> our server

Deno.test("Deno client: text, binary and empty messages through our server", async () => {
  {
    await using server = ourServer();
    const peer = await nativeClient(server.url());
    const conn = await server.next();
    for (const text of ["hello", "", "h\u00e9llo \u2603 \u{1F600}"]) {
      peer.ws.send(text);
      equal(await peer.next(), text);
    }
    for (const bytes of [new Uint8Array([0, 1, 255]), new Uint8Array(0)]) {
      peer.ws.send(bytes);
      deepEqual(await peer.next(), bytes);
    }
    peer.ws.close(1000);
    equal((await within(peer.closed, "the native client's close event")).code, 1000);
    equal((await within(conn.ended, "our connection's end")).closeCode, 1000);
  }
  await assertNoSockets();
});

Deno.test("Deno client: 1 MiB and 16 MiB messages both ways through our server", async () => {
  {
    await using server = ourServer();
    const peer = await nativeClient(server.url());
    await server.next();
    for (const [length, seed] of [[MiB, 101], [16 * MiB, 102]] as const) {
      const bytes = pseudoRandomBytes(length, seed);
      peer.ws.send(bytes);
      equal(await sha256((await peer.next()) as Uint8Array), await sha256(bytes));
      peer.ws.send(`cmd:random:${length}:${seed}`);
      equal(await sha256((await peer.next()) as Uint8Array), await sha256(bytes));
    }
    peer.ws.close();
    await within(peer.closed, "the native client's close event");
  }
  await assertNoSockets();
});

Deno.test("Deno client: our fragmented messages arrive whole", async () => {
  {
    await using server = ourServer();
    const peer = await nativeClient(server.url());
    await server.next();
    peer.ws.send("cmd:fragments:text:fr|ag|ment \u2603");
    equal(await peer.next(), "fragment \u2603");
    peer.ws.send("cmd:fragments:binary:a|b|c|d");
    deepEqual(await peer.next(), encoder.encode("abcd"));
    peer.ws.close();
    await within(peer.closed, "the native client's close event");
  }
  await assertNoSockets();
});

Deno.test("Deno client: close handshakes with our server, both directions", async () => {
  {
    await using server = ourServer();
    const peer = await nativeClient(server.url());
    const conn = await server.next();
    peer.ws.close(4001, "native leaves \u2603");
    const closed = await within(peer.closed, "the native client's close event");
    deepEqual([closed.code, closed.wasClean], [4001, true]);
    const ended = await within(conn.ended, "our connection's end");
    deepEqual([ended.closeCode, ended.closeReason, ended.error], [
      4001,
      "native leaves \u2603",
      null,
    ]);
  }
  {
    await using server = ourServer();
    const peer = await nativeClient(server.url());
    const conn = await server.next();
    peer.ws.send("cmd:close:4002:server leaves");
    deepEqual(await within(peer.closed, "the native client's close event"), {
      code: 4002,
      reason: "server leaves",
      wasClean: true,
    });
    equal((await within(conn.ended, "our connection's end")).closeCode, 4002);
  }
  await assertNoSockets();
});

Deno.test("Deno client: subprotocol selection by our server", async () => {
  {
    await using server = ourServer({ upgrade: { protocols: ["chat.v2", "chat.v1"] } });
    const peer = await nativeClient(server.url("/room"), ["chat.v1", "chat.v2"]);
    const conn = await server.next();
    // Our server's order of preference wins.
    equal(conn.ws.protocol, "chat.v2");
    equal(peer.ws.protocol, "chat.v2");
    equal(conn.request.path, "/room");
    equal(conn.request.headers.get("sec-websocket-protocol"), "chat.v1, chat.v2");
    peer.ws.close();
    await within(peer.closed, "the native client's close event");
  }
  await assertNoSockets();
});

Deno.test("Deno client: its pongs keep our heartbeat satisfied", async () => {
  {
    // A ping every HEARTBEAT ms; a ping unanswered by the next beat drops the connection. The
    // native client stays idle for 6 beats: it only survives by answering every ping.
    await using server = ourServer({ upgrade: { heartbeat: HEARTBEAT } });
    const peer = await nativeClient(server.url());
    const conn = await server.next();
    await delay(6 * HEARTBEAT);
    peer.ws.send("still here");
    equal(await peer.next(), "still here");
    equal(conn.ws.state().connected, true);
    peer.ws.close(1000);
    await within(peer.closed, "the native client's close event");
    await within(conn.ended, "our connection's end");
  }
  await assertNoSockets();
});

Deno.test("Deno client: wss:// to our TLS server (a child process trusting the test CA)", async () => {
  {
    await using server = ourServer({ tls: true });
    const script = new URL("../testdata/websocket/interop_deno_native_client.ts", import.meta.url);
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-config",
        `--cert=${certPaths.ca}`,
        "--allow-net=localhost",
        script.pathname,
        server.url("/", "localhost"),
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const conn = await server.next();
    ok(conn.ws.secure);
    const output = await within(child, "the native client process");
    equal(output.code, 0, new TextDecoder().decode(output.stderr));
    deepEqual(JSON.parse(new TextDecoder().decode(output.stdout)), {
      text: "over tls",
      binaryMatches: true,
      closeCode: 4000,
      wasClean: true,
    });
    equal((await within(conn.ended, "our connection's end")).closeCode, 4000);
  }
  await assertNoSockets();
});

// ---------------------------------------------------------------------------------------------
// Our client -> Deno.serve + Deno.upgradeWebSocket

interface NativeServerOptions {
  tls?: boolean;
  /** The subprotocol to answer with (Deno's server does not choose one itself). */
  protocol?: (offered: string[]) => string | undefined;
  /** Header values every handshake must carry, else HTTP 401. */
  require?: Record<string, string>;
  /** Deno pings after idleTimeout/2 s of silence and drops the connection without a pong. */
  idleTimeout?: number;
}

interface NativeServer extends AsyncDisposable {
  port: number;
  url(path?: string, host?: string): string;
  next(): Promise<{ peer: NativePeer; request: Request }>;
  refused: string[];
}

function nativeServer(options: NativeServerOptions = {}): NativeServer {
  const connections = new Queue<{ peer: NativePeer; request: Request }>();
  const peers = new Set<NativePeer>();
  const refused: string[] = [];
  const handler = (request: Request): Response => {
    const wrong = Object.entries(options.require ?? {})
      .filter(([name, value]) => request.headers.get(name) !== value)
      .map(([name]) => name);
    if (wrong.length > 0) {
      refused.push(...wrong);
      return new Response(`missing ${wrong.join(", ")}`, { status: 401 });
    }
    const offered = (request.headers.get("sec-websocket-protocol") ?? "").split(/\s*,\s*/)
      .filter(Boolean);
    const protocol = options.protocol?.(offered);
    const { socket, response } = Deno.upgradeWebSocket(request, {
      ...(protocol === undefined ? {} : { protocol }),
      idleTimeout: options.idleTimeout ?? 0,
    });
    const peer = new NativePeer(socket);
    peers.add(peer);
    peer.opened.then(() => connections.push({ peer, request }), () => {});
    peer.closed.then(() => peers.delete(peer));
    return response;
  };
  const tls = options.tls ? { cert: certs.cert, key: certs.key } : {};
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {}, ...tls }, handler);
  const port = server.addr.port;
  const scheme = options.tls ? "wss" : "ws";
  return {
    port,
    url: (path = "/", host = "127.0.0.1") => `${scheme}://${host}:${port}${path}`,
    next: () => within(connections.next(), "a connection to Deno's server"),
    refused,
    async [Symbol.asyncDispose]() {
      for (const peer of peers) {
        if (peer.ws.readyState === WebSocket.OPEN) peer.ws.close(1001);
        await within(peer.closed, "Deno's server socket to close");
      }
      await server.shutdown();
    },
  };
}

Deno.test("Deno server: our client exchanges text, binary and empty messages", async () => {
  {
    await using server = nativeServer();
    await using ws = await connect(server.url());
    const { peer } = await server.next();
    for (const text of ["hello", "", "h\u00e9llo \u{1F600}"]) {
      await ws.send(text);
      equal(await peer.next(), text);
      peer.ws.send(text);
      equal(await message(ws), text);
    }
    for (const bytes of [new Uint8Array([9, 0, 255]), new Uint8Array(0)]) {
      await ws.send(bytes);
      deepEqual(await peer.next(), bytes);
      peer.ws.send(bytes);
      deepEqual(await message(ws), bytes);
    }
    // Our fragmented message is assembled by Deno's server.
    const writer = ws.writer(true);
    await writer.write("fr");
    await writer.end("agmented");
    equal(await peer.next(), "fragmented");
  }
  await assertNoSockets();
});

Deno.test("Deno server: 1 MiB and 16 MiB messages both ways", async () => {
  {
    await using server = nativeServer();
    await using ws = await connect(server.url());
    const { peer } = await server.next();
    for (const [length, seed] of [[MiB, 111], [16 * MiB, 112]] as const) {
      const bytes = pseudoRandomBytes(length, seed);
      await ws.send(bytes);
      equal(await sha256((await peer.next()) as Uint8Array), await sha256(bytes));
      peer.ws.send(bytes);
      equal(
        await sha256((await message(ws, `a ${length}-byte message`)) as Uint8Array),
        await sha256(bytes),
      );
    }
  }
  await assertNoSockets();
});

Deno.test("Deno server: close handshakes with our client, both directions", async () => {
  {
    await using server = nativeServer();
    const ws = await connect(server.url());
    const { peer } = await server.next();
    await within(ws.close(4001, "client leaves \u2603"), "our close()");
    deepEqual(await within(peer.closed, "Deno's close event"), {
      code: 4001,
      reason: "client leaves \u2603",
      wasClean: true,
    });
    equal(ws.closeCode, 4001);
    await ws[Symbol.asyncDispose]();
  }
  {
    await using server = nativeServer();
    await using ws = await connect(server.url());
    const { peer } = await server.next();
    const reading = Promise.resolve(ws.readMessage());
    peer.ws.close(4002, "server leaves");
    equal(await within(reading, "end of messages"), null);
    deepEqual([ws.closeCode, ws.closeReason], [4002, "server leaves"]);
    equal((await within(peer.closed, "Deno's close event")).code, 4002);
  }
  await assertNoSockets();
});

Deno.test("Deno server: subprotocol, headers, cookies and credentials", async () => {
  {
    const require = {
      "x-api-key": "k-7",
      cookie: "a=1; b=2",
      authorization: `Basic ${encoder.encode("erin:pw").toBase64()}`,
    };
    await using server = nativeServer({
      require,
      protocol: (offered) => offered.find((p) => p === "chat.v1"),
    });
    await rejects(Promise.resolve(connect(server.url())), (error: unknown) => {
      ok(error instanceof WebSocketError, String(error));
      equal(error.status, 401);
      return true;
    });
    await using ws = await connect(`ws://erin:pw@127.0.0.1:${server.port}/path`, {
      protocols: ["x", "chat.v1"],
      headers: [["X-Api-Key", "k-7"]],
      cookies: { a: "1", b: "2" },
    });
    const { request } = await server.next();
    equal(new URL(request.url).pathname, "/path");
    equal(ws.protocol, "chat.v1");
  }
  await assertNoSockets();
});

Deno.test("Deno server: its idle pings are answered by our reader", async () => {
  {
    // Deno pings after 0.5 s of silence and drops the connection if no pong comes within
    // another 0.5 s: a connection idle for 2.2 s survives only by answering every ping.
    await using server = nativeServer({ idleTimeout: 1 });
    await using ws = await connect(server.url());
    const { peer } = await server.next();
    const reading = Promise.resolve(ws.readMessage());
    await delay(2200);
    peer.ws.send("still here");
    equal(await within(reading, "the message after the idle time"), "still here");
    equal(peer.ws.readyState, WebSocket.OPEN);
  }
  await assertNoSockets();
});

Deno.test("Deno server: wss:// with the test CA", async () => {
  {
    await using server = nativeServer({ tls: true });
    await using ws = await connect(server.url("/", "localhost"), { caCerts: [certs.ca] });
    const { peer } = await server.next();
    ok(ws.secure && ws.trusted());
    const bytes = pseudoRandomBytes(2 * MiB, 121);
    await ws.send(bytes);
    equal(await sha256((await peer.next()) as Uint8Array), await sha256(bytes));
    peer.ws.send("secure");
    equal(await message(ws), "secure");
  }
  await assertNoSockets();
});
