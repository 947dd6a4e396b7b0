import { deepEqual, equal, ok, rejects, throws } from "node:assert/strict";
import { bind, connect as connectTcp, type Socket, SocketError } from "@cosocket/socket";
import {
  connect,
  upgrade,
  type UpgradeOptions,
  WebSocketError,
  type WsSocket,
} from "@cosocket/websocket";
import { assertNoSockets, certs, delay, pseudoRandomBytes } from "../socket/_helpers.ts";
import { concat, OP, rawClient, RawDeflate } from "./_raw.ts";
import { parseRequestHead, type RequestHead } from "@cosocket/http/head";

/** Reads a request head off a bare accepted connection (a raw peer answers it by hand). */
async function readHeadOf(sock: Socket): Promise<RequestHead> {
  const head = await sock.readUntil("\r\n\r\n", { inclusive: true });
  return parseRequestHead(head!);
}

const decoder = new TextDecoder();

interface Pair extends AsyncDisposable {
  server: Socket;
  ws: WsSocket;
  client: WsSocket;
  url: string;
}

/** A listener, a client WebSocket connected to it, and the server side. */
async function wsPair(
  serverOptions: UpgradeOptions = {},
  clientOptions: Parameters<typeof connect>[1] = {},
  path = "/",
): Promise<Pair> {
  const server = bind(0, { hostname: "127.0.0.1" });
  const url = `ws://127.0.0.1:${server.sockname().port}${path}`;
  const accepted = server.accept().then((sock) => upgrade(sock!, serverOptions));
  const client = await connect(url, clientOptions);
  const ws = await accepted;
  return {
    server,
    ws,
    client,
    url,
    async [Symbol.asyncDispose]() {
      await Promise.all([client.close(), ws.close()]);
      await server[Symbol.asyncDispose]();
    },
  };
}

/** A raw HTTP exchange with a listener that upgrades with `options`. */
async function rawUpgrade(request: string, options: UpgradeOptions = {}) {
  await using server = bind(0, { hostname: "127.0.0.1" });
  const upgraded = Promise.resolve(server.accept().then((sock) => upgrade(sock!, options)))
    .catch((e: unknown) => e);
  await using client = await connectTcp("127.0.0.1", server.sockname().port);
  await client.write(request);
  // Reads the whole refusal (the server closes), or a 101 head.
  let response = "";
  let chunk;
  while (!(response.startsWith("HTTP/1.1 101") && response.includes("\r\n\r\n"))) {
    if ((chunk = await client.read(2000)) === null) break;
    response += decoder.decode(chunk);
  }
  return { response, error: await upgraded };
}

const KEY = "dGhlIHNhbXBsZSBub25jZQ==";
function request(extra: string[] = [], skip: string[] = []): string {
  const lines = [
    "GET /chat HTTP/1.1",
    "Host: 127.0.0.1",
    "Upgrade: websocket",
    "Connection: Upgrade",
    `Sec-WebSocket-Key: ${KEY}`,
    "Sec-WebSocket-Version: 13",
  ].filter((line) => !skip.some((name) => line.startsWith(name)));
  return [...lines, ...extra, "", ""].join("\r\n");
}

Deno.test("text, binary and empty messages go both ways", async () => {
  {
    await using pair = await wsPair();
    await pair.client.send("héllo");
    equal(await pair.ws.readMessage(), "héllo");
    await pair.ws.send(new Uint8Array([1, 2, 3]));
    deepEqual(await pair.client.readMessage(), new Uint8Array([1, 2, 3]));
    await pair.client.write("", true);
    equal(await pair.ws.readMessage(), "");
    await pair.client.write(new Uint8Array(0));
    deepEqual(await pair.ws.readMessage(), new Uint8Array(0));
    await pair.ws.write("binary string");
    deepEqual(await pair.client.readMessage(), new TextEncoder().encode("binary string"));
  }
  await assertNoSockets();
});

Deno.test("messages of every length class arrive intact", async () => {
  {
    await using pair = await wsPair();
    for (const size of [0, 1, 125, 126, 127, 128, 65535, 65536, 1_000_003]) {
      const data = pseudoRandomBytes(size, size + 1);
      await pair.client.send(data);
      deepEqual(await pair.ws.readMessage(), data, `client to server, ${size} bytes`);
      await pair.ws.send(data);
      deepEqual(await pair.client.readMessage(), data, `server to client, ${size} bytes`);
    }
  }
  await assertNoSockets();
});

Deno.test("read returns a large frame as it trickles in, with the seed's counters", async () => {
  {
    await using pair = await wsPair();
    const data = pseudoRandomBytes(300_000, 7);
    pair.client.send(data);
    const received: Uint8Array[] = [];
    let piece;
    do {
      piece = (await pair.ws.read())!;
      equal(piece.utf8, false);
      equal(piece.frameLength, data.length);
      received.push(piece.data);
      equal(piece.bytesRead, received.reduce((sum, part) => sum + part.length, 0));
    } while (!piece.final);
    ok(received.length > 1, "a 300 KB frame arrives in several pieces");
    equal(piece.bytesRead, piece.frameLength);
    const joined = new Uint8Array(data.length);
    let at = 0;
    for (const part of received) {
      joined.set(part, at);
      at += part.length;
    }
    deepEqual(joined, data);
  }
  await assertNoSockets();
});

Deno.test("writer sends fragments and fragmentSize splits messages", async () => {
  {
    await using pair = await wsPair({}, { fragmentSize: 1000 });
    const message = pair.client.writer(true);
    await message.write("one ");
    throws(
      () => pair.client.write("interleaved"),
      (e: unknown) => (e as SocketError).code === "busy",
    );
    await message.write("two ");
    await message.end("three");
    throws(() => message.write("late"), (e: unknown) => (e as SocketError).code === "incorrectuse");
    equal(await pair.ws.readMessage(), "one two three");

    const data = pseudoRandomBytes(10_500, 3);
    await pair.client.send(data);
    const frames: number[] = [];
    let piece;
    do {
      piece = (await pair.ws.read())!;
      if (piece.bytesRead === piece.frameLength) frames.push(piece.frameLength);
    } while (!piece.final);
    deepEqual(frames, [...Array(10).fill(1000), 500]);
  }
  await assertNoSockets();
});

Deno.test("close handshake carries code and reason both ways", async () => {
  {
    await using pair = await wsPair();
    const closing = pair.client.close(4000, "done here");
    equal(await pair.ws.read(), null);
    equal(pair.ws.closeCode, 4000);
    equal(pair.ws.closeReason, "done here");
    await closing;
    equal(pair.client.closeCode, 4000, "the server echoed the code");
    throws(() => pair.client.send("late"), (e: unknown) => (e as SocketError).code === "closed");
    equal(await pair.client.read(), null);
  }
  {
    await using pair = await wsPair();
    const closing = pair.ws.close();
    equal(await pair.client.readMessage(), null);
    equal(pair.client.closeCode, 1005, "no status code");
    await closing;
  }
  await assertNoSockets();
});

Deno.test("close validates its arguments", async () => {
  {
    await using pair = await wsPair();
    throws(() => pair.client.close(1005), RangeError);
    throws(() => pair.client.close(999), RangeError);
    throws(() => pair.client.close(undefined, "reason without code"), RangeError);
    throws(() => pair.client.close(1000, "x".repeat(124)), RangeError);
    throws(() => pair.client.ping(new Uint8Array(126)), RangeError);
  }
  await assertNoSockets();
});

Deno.test("close without a reading peer ends by the close timeout", async () => {
  {
    await using server = bind(0, { hostname: "127.0.0.1" });
    const raw = server.accept();
    const rawServer = raw.then(async (sock) => {
      // Answers the handshake, then never reads nor answers the close frame.
      const request = await readHeadOf(sock!);
      const key = request.headers.get("sec-websocket-key")!;
      const accept = new Uint8Array(
        await crypto.subtle.digest(
          "SHA-1",
          new TextEncoder().encode(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"),
        ),
      ).toBase64();
      await sock!.write(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
      );
      return sock!;
    });
    const client = await connect(`ws://127.0.0.1:${server.sockname().port}`, {
      closeTimeout: 100,
    });
    const sock = await rawServer;
    const started = Date.now();
    await client.close(1000);
    ok(Date.now() - started >= 90);
    equal(client.closeCode, 1006);
    sock.close();
  }
  await assertNoSockets();
});

Deno.test("a cosocket server echoes, and a halt sends 1001", async () => {
  {
    const connections: WsSocket[] = [];
    await using server = bind(0, { hostname: "127.0.0.1" }).event(function* (listener) {
      let sock;
      while ((sock = yield* listener.accept()) !== null) {
        sock.event(function* (s: Socket) {
          const ws = yield* upgrade(s);
          connections.push(ws);
          let message;
          while ((message = yield* ws.readMessage()) !== null) yield* ws.send(message);
        });
      }
    });
    const client = await connect(`ws://127.0.0.1:${server.sockname().port}`);
    await client.send("echo me");
    equal(await client.readMessage(), "echo me");
    // The halted server waits for the client's answer to its close frame.
    const halted = connections[0]!.task!.halt();
    equal(await client.readMessage(), null);
    await halted;
    equal(client.closeCode, 1001);
    await client.close();
  }
  await assertNoSockets();
});

Deno.test("event runs a cosocket on the WebSocket and closes with 1000 when it returns", async () => {
  {
    await using pair = await wsPair();
    pair.ws.event(function* (ws: WsSocket, greeting: string) {
      yield* ws.send(greeting);
      ok(ws.owner());
      const reply = yield* ws.readMessage();
      yield* ws.send(`got ${reply}`);
    }, "hello");
    equal(await pair.client.readMessage(), "hello");
    await pair.client.send("hi");
    equal(await pair.client.readMessage(), "got hi");
    equal(await pair.client.readMessage(), null);
    equal(pair.client.closeCode, 1000);
    await pair.ws.task;
  }
  await assertNoSockets();
});

Deno.test("a cosocket that throws closes with 1011", async () => {
  {
    await using pair = await wsPair();
    pair.ws.event(function* () {
      yield* [];
      throw new SocketError("io", "Cannot go on: test failure");
    });
    equal(await pair.client.readMessage(), null);
    equal(pair.client.closeCode, 1011);
    await rejects(Promise.resolve(pair.ws.task), (e: unknown) => (e as SocketError).code === "io");
  }
  await assertNoSockets();
});

Deno.test("halting a cosocket waiting in read sends a close frame (cancellation)", async () => {
  {
    await using pair = await wsPair();
    pair.ws.event(function* (ws: WsSocket) {
      yield* ws.read();
    });
    await delay(20);
    equal(pair.ws.state().state, "read");
    const halted = pair.ws.task!.halt();
    equal(await pair.client.read(), null);
    equal(pair.client.closeCode, 1001);
    await halted;
  }
  await assertNoSockets();
});

Deno.test("a read timeout is not fatal, with either read buffer", async () => {
  for (const reuseReadBuffer of [false, true]) {
    await using pair = await wsPair({ reuseReadBuffer });
    await rejects(
      Promise.resolve(pair.ws.readMessage(30)),
      (e: unknown) => (e as SocketError).code === "timeout",
    );
    await pair.client.send("later");
    equal(await pair.ws.readMessage(), "later");
  }
  await assertNoSockets();
});

Deno.test("a read timeout in the middle of a fragmented message keeps what arrived", async () => {
  for (const reuseReadBuffer of [false, true]) {
    for (const utf8 of [false, true]) {
      await using pair = await wsPair({ reuseReadBuffer });
      const message = pair.client.writer(utf8);
      await message.write("first ");
      await rejects(
        Promise.resolve(pair.ws.readMessage(30)),
        (e: unknown) => (e as SocketError).code === "timeout",
      );
      await message.write("second ");
      await message.end("third");
      const whole = await pair.ws.readMessage();
      const text = typeof whole === "string" ? whole : new TextDecoder().decode(whole!);
      equal(typeof whole === "string", utf8);
      equal(text, "first second third");
      await pair.client.send("next");
      equal(await pair.ws.readMessage(), "next"); // the next message starts clean
    }
  }
  await assertNoSockets();
});

Deno.test("a message begun by a timed-out readMessage and ended through read() leaves nothing behind", async () => {
  {
    await using pair = await wsPair();
    const message = pair.client.writer(true);
    await message.write("first ");
    await rejects(
      Promise.resolve(pair.ws.readMessage(30)),
      (e: unknown) => (e as SocketError).code === "timeout",
    );
    await message.end("last");
    const piece = (await pair.ws.read())!;
    equal(new TextDecoder().decode(piece.data), "last");
    equal(piece.final, true);
    await pair.client.send("next");
    equal(await pair.ws.readMessage(), "next");
  }
  await assertNoSockets();
});

Deno.test("two reads at once: the second is busy", async () => {
  {
    await using pair = await wsPair();
    const first = pair.ws.readMessage();
    const waiting = Promise.resolve(first);
    await delay(5);
    await rejects(
      Promise.resolve(pair.ws.readMessage()),
      (e: unknown) => (e as SocketError).code === "busy",
    );
    await pair.client.send("x");
    equal(await waiting, "x");
  }
  await assertNoSockets();
});

Deno.test("pings are answered while the peer reads; heartbeat drops a silent peer", async () => {
  {
    await using pair = await wsPair({ heartbeat: 40 });
    const reading = Promise.resolve(pair.client.readMessage());
    const serverReads = Promise.resolve(pair.ws.readMessage());
    await delay(250);
    await pair.client.send("still here");
    equal(await serverReads, "still here", "heartbeat kept the connection");
    await pair.ws.close(1000);
    equal(await reading, null);
  }
  {
    await using pair = await wsPair({ heartbeat: 40 });
    // The client never reads, so it never answers: the server gives up.
    await rejects(
      Promise.resolve(pair.ws.readMessage()),
      (e: unknown) => e instanceof WebSocketError && e.code === "timeout",
    );
    equal(pair.ws.closeCode, 1006);
  }
  await assertNoSockets();
});

Deno.test("ping with a payload is answered and does not disturb messages", async () => {
  {
    await using pair = await wsPair();
    await pair.client.ping("are you there?");
    await pair.client.send("after ping");
    equal(await pair.ws.readMessage(), "after ping");
    await pair.ws.send("reply");
    equal(await pair.client.readMessage(), "reply", "the pong was consumed on the way");
  }
  await assertNoSockets();
});

Deno.test("limits close with 1009", async () => {
  {
    await using pair = await wsPair({ maxMessageSize: 1000 });
    await pair.client.send(new Uint8Array(1001));
    await rejects(
      Promise.resolve(pair.ws.readMessage()),
      (e: unknown) => e instanceof WebSocketError && e.closeCode === 1009,
    );
    equal(await pair.client.readMessage(), null);
    equal(pair.client.closeCode, 1009);
  }
  {
    await using pair = await wsPair({ maxFrameSize: 65535 });
    await pair.client.send(new Uint8Array(65535));
    equal(((await pair.ws.readMessage()) as Uint8Array).length, 65535);
    await pair.client.send(new Uint8Array(65536));
    await rejects(
      Promise.resolve(pair.ws.readMessage()),
      (e: unknown) => e instanceof WebSocketError && e.closeCode === 1009,
    );
  }
  {
    await using pair = await wsPair({ maxFragments: 3 });
    const message = pair.client.writer();
    for (let i = 0; i < 3; i++) message.write("x");
    message.end("y");
    await rejects(
      Promise.resolve(pair.ws.readMessage()),
      (e: unknown) => e instanceof WebSocketError && e.closeCode === 1009,
    );
  }
  await assertNoSockets();
});

Deno.test("subprotocols: server preference, a chooser function, or none", async () => {
  {
    await using pair = await wsPair({ protocols: ["b", "a"] }, { protocols: ["a", "b"] });
    equal(pair.ws.protocol, "b");
    equal(pair.client.protocol, "b");
  }
  {
    await using pair = await wsPair(
      { protocols: (offered) => offered.at(-1) ?? null },
      { protocols: ["x", "y"] },
    );
    equal(pair.client.protocol, "y");
  }
  {
    await using pair = await wsPair({ protocols: ["z"] }, { protocols: ["x"] });
    equal(pair.client.protocol, "");
  }
  await assertNoSockets();
});

Deno.test("credentials, cookies and headers reach the server", async () => {
  {
    await using server = bind(0, { hostname: "127.0.0.1" });
    const seen = server.accept().then(async (sock) => {
      const request = await readHeadOf(sock!);
      return { request, ws: await upgrade(sock!, { request }) };
    });
    const port = server.sockname().port;
    const client = await connect(`ws://ada:s%3Acret@127.0.0.1:${port}/feed?x=1`, {
      cookies: { session: "42", theme: "dark" },
      headers: { "x-trace": "abc", origin: "https://example.test" },
    });
    const { request, ws } = await seen;

    equal(request.path, "/feed?x=1");
    equal(request.headers.get("authorization"), `Basic ${btoa("ada:s:cret")}`);
    equal(request.headers.get("cookie"), "session=42; theme=dark");
    equal(request.headers.get("x-trace"), "abc");
    equal(request.headers.get("origin"), "https://example.test");
    ok(client.secure === false);
    await Promise.all([ws.close(), client.close()]);
  }
  await assertNoSockets();
});

Deno.test("the server refuses bad upgrades with clear HTTP errors", async () => {
  const plain = await rawUpgrade("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  ok(plain.response.startsWith("HTTP/1.1 426 "), plain.response);
  ok(/upgrade: websocket/i.test(plain.response));
  ok(plain.error instanceof WebSocketError && plain.error.status === 426);

  const badKey = await rawUpgrade(request(["Sec-WebSocket-Key: short"], ["Sec-WebSocket-Key"]));
  ok(badKey.response.startsWith("HTTP/1.1 400 "), badKey.response);

  const version = await rawUpgrade(
    request(["Sec-WebSocket-Version: 8"], ["Sec-WebSocket-Version"]),
  );
  ok(version.response.startsWith("HTTP/1.1 426 "), version.response);
  ok(/sec-websocket-version: 13/i.test(version.response));

  const noHost = await rawUpgrade(request([], ["Host"]));
  ok(noHost.response.startsWith("HTTP/1.1 400 "), noHost.response);

  const post = await rawUpgrade(request().replace("GET", "POST"));
  ok(post.response.startsWith("HTTP/1.1 400 "), post.response);

  const origin = await rawUpgrade(request(["Origin: https://evil.test"]), {
    origin: (value) => value === "https://good.test",
  });
  ok(origin.response.startsWith("HTTP/1.1 403 "), origin.response);

  const huge = await rawUpgrade(request([`X-Big: ${"a".repeat(20000)}`]));
  ok(huge.response.startsWith("HTTP/1.1 431 "), huge.response);

  const garbage = await rawUpgrade("GET / HTTP/1.1\r\nBad Header\r\n\r\n");
  ok(garbage.response.startsWith("HTTP/1.1 400 "), garbage.response);

  const good = await rawUpgrade(request());
  ok(good.response.startsWith("HTTP/1.1 101 "), good.response);
  ok(good.response.includes("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), "RFC 6455 sample accept key");
  await (good.error as WsSocket).close();
  await assertNoSockets();
});

Deno.test("the client reports a refused upgrade with its status", async () => {
  {
    await using server = bind(0, { hostname: "127.0.0.1" });
    const handler = server.accept().then(async (sock) => {
      await readHeadOf(sock!);
      await sock!.write("HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\n\r\n");
      sock!.close();
    });
    await rejects(
      Promise.resolve(connect(`ws://127.0.0.1:${server.sockname().port}`)),
      (e: unknown) => e instanceof WebSocketError && e.status === 401,
    );
    await handler;
  }
  {
    await using server = bind(0, { hostname: "127.0.0.1" });
    const handler = server.accept().then(async (sock) => {
      await readHeadOf(sock!);
      await sock!.write(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: wrong\r\n\r\n",
      );
      await Promise.resolve(sock!.read(1000)).catch(() => null);
      sock!.close();
    });
    await rejects(
      Promise.resolve(connect(`ws://127.0.0.1:${server.sockname().port}`)),
      (e: unknown) => e instanceof WebSocketError && /Accept/.test(e.message),
    );
    await handler;
  }
  await assertNoSockets();
});

Deno.test("a handshake that never comes times out, and an abort stops it (cancellation)", async () => {
  {
    await using server = bind(0, { hostname: "127.0.0.1" });
    const held = server.accept();
    await rejects(
      Promise.resolve(connect(`ws://127.0.0.1:${server.sockname().port}`, { timeout: 100 })),
      (e: unknown) => e instanceof WebSocketError && e.code === "timeout",
    );
    (await held)!.close();
  }
  {
    await using server = bind(0, { hostname: "127.0.0.1" });
    const held = server.accept();
    const controller = new AbortController();
    const connecting = Promise.resolve(
      connect(`ws://127.0.0.1:${server.sockname().port}`, { signal: controller.signal }),
    );
    await delay(30);
    controller.abort(new Error("stop"));
    await rejects(connecting, /stop/);
    (await held)!.close();
  }
  {
    // upgrade's wait for a request ends when its cosocket is halted.
    await using server = bind(0, { hostname: "127.0.0.1" });
    const held = Promise.resolve(connectTcp("127.0.0.1", server.sockname().port));
    const sock = (await server.accept())!;
    sock.event(function* (s: Socket) {
      yield* upgrade(s);
    });
    await delay(20);
    await sock.task!.halt();
    (await held).close();
  }
  await assertNoSockets();
});

Deno.test("disable and enable work on a WebSocket cosocket", async () => {
  {
    await using pair = await wsPair();
    const seen: unknown[] = [];
    pair.ws.event(function* (ws: WsSocket) {
      seen.push(...(yield* ws.disable()));
      seen.push(yield* ws.readMessage());
    });
    await delay(10);
    equal(pair.ws.state().state, "read", "a disabled cosocket waits as in read");
    ok(pair.ws.enable("resumed"));
    await pair.client.send("after enable");
    equal(await pair.client.read(), null, "the cosocket returned and closed");
    await pair.ws.task;
    deepEqual(seen, ["resumed", "after enable"]);
  }
  await assertNoSockets();
});

Deno.test("permessage-deflate between our client and server", async () => {
  {
    await using pair = await wsPair({ perMessageDeflate: true }, { perMessageDeflate: true });
    ok(pair.client.extensions.startsWith("permessage-deflate"), pair.client.extensions);
    const text = "compressible ".repeat(10_000);
    for (let i = 0; i < 3; i++) {
      await pair.client.send(text);
      equal(await pair.ws.readMessage(), text);
      await pair.ws.send(text);
      equal(await pair.client.readMessage(), text);
    }
    const small = "tiny";
    await pair.client.send(small);
    equal(await pair.ws.readMessage(), small);
    // A streamed message is compressed fragment by fragment.
    const message = pair.ws.writer(true);
    for (let i = 0; i < 5; i++) await message.write(text.slice(0, 5000));
    await message.end("end");
    equal(await pair.client.readMessage(), text.slice(0, 5000).repeat(5) + "end");
  }
  {
    await using pair = await wsPair(
      { perMessageDeflate: { serverMaxWindowBits: 9, clientNoContextTakeover: true } },
      { perMessageDeflate: { clientMaxWindowBits: 9 } },
    );
    const data = pseudoRandomBytes(50_000, 5).map((byte) => byte & 0x0f);
    await pair.ws.send(data);
    deepEqual(await pair.client.readMessage(), data);
    await pair.client.send(data);
    deepEqual(await pair.ws.readMessage(), data);
  }
  await assertNoSockets();
});

Deno.test("an inflated message over the limit closes with 1009", async () => {
  {
    await using pair = await wsPair({ perMessageDeflate: true, maxMessageSize: 100_000 }, {
      perMessageDeflate: true,
    });
    await pair.client.send(new Uint8Array(1_000_000));
    await rejects(
      Promise.resolve(pair.ws.readMessage()),
      (e: unknown) => e instanceof WebSocketError && e.closeCode === 1009,
    );
    equal(await pair.client.readMessage(), null);
    equal(pair.client.closeCode, 1009);
  }
  await assertNoSockets();
});

Deno.test("wss:// with a test CA", async () => {
  {
    await using server = bind(0, {
      hostname: "127.0.0.1",
      tls: { cert: certs.cert, key: certs.key },
    });
    const accepted = server.accept().then((sock) => upgrade(sock!));
    const client = await connect(`wss://localhost:${server.sockname().port}/`, {
      caCerts: [certs.ca],
    });
    const ws = await accepted;
    ok(client.secure);
    ok(client.trusted("localhost"));
    await client.send("over tls");
    equal(await ws.readMessage(), "over tls");
    await Promise.all([client.close(), ws.close()]);
  }
  await assertNoSockets();
});

Deno.test("the async iterator yields messages until close", async () => {
  {
    await using pair = await wsPair();
    await pair.client.send("a");
    await pair.client.send(new Uint8Array([2]));
    pair.client.close(1000);
    const messages = [];
    for await (const message of pair.ws) messages.push(message);
    deepEqual(messages, ["a", new Uint8Array([2])]);
  }
  await assertNoSockets();
});

Deno.test("invalid UTF-8 in text closes with 1007", async () => {
  {
    await using pair = await wsPair();
    await pair.client.write(new Uint8Array([0x68, 0xed, 0xa0, 0x80]), true);
    await rejects(
      Promise.resolve(pair.ws.readMessage()),
      (e: unknown) => e instanceof WebSocketError && e.closeCode === 1007,
    );
    equal(await pair.client.read(), null);
    equal(pair.client.closeCode, 1007);
  }
  await assertNoSockets();
});

Deno.test("connect refuses URLs that are not WebSocket URLs", () => {
  throws(() => connect("ftp://example.test/"), TypeError);
  throws(() => connect("ws://example.test/#fragment"), TypeError);
});

/** Seed Example 15: assemble a frame from the pieces `read()` returns. */
function* readFrame(ws: WsSocket) {
  let piece = yield* ws.read();
  if (piece === null) return null;
  if (piece.bytesRead === piece.frameLength) return piece;
  const parts = [piece.data];
  while (piece !== null && piece.bytesRead !== piece.frameLength) {
    piece = yield* ws.read();
    if (piece !== null) parts.push(piece.data);
  }
  return { data: parts, utf8: piece?.utf8 ?? false };
}

Deno.test("seed Example 15: assembling frames from read() pieces", async () => {
  {
    await using pair = await wsPair();
    pair.ws.event(function* (ws: WsSocket) {
      const frame = yield* readFrame(ws);
      yield* ws.send(
        JSON.stringify({ pieces: Array.isArray(frame!.data) ? frame!.data.length : 1 }),
      );
    });
    await pair.client.send(new Uint8Array(200_000));
    const answer = JSON.parse((await pair.client.readMessage()) as string);
    ok(answer.pieces > 1);
  }
  await assertNoSockets();
});

Deno.test("a message read can be written back and on to others, repeatedly", async () => {
  {
    await using a = await wsPair();
    await using b = await wsPair();
    for (const size of [5, 200, 70_000]) {
      const data = pseudoRandomBytes(size, size);
      await a.client.send(data);
      const message = (await a.ws.readMessage()) as Uint8Array;
      // The server writes its header into the room before the payload.
      await a.ws.send(message);
      await b.ws.send(message);
      await a.ws.send(message);
      deepEqual(await a.client.readMessage(), data);
      deepEqual(await b.client.readMessage(), data);
      deepEqual(await a.client.readMessage(), data);
      deepEqual(message, data, "the payload itself is untouched");
    }
    await a.client.send("text goes back as text");
    const text = (await a.ws.readMessage()) as string;
    await a.ws.send(text);
    await a.ws.write(text);
    equal(await a.client.readMessage(), "text goes back as text");
    deepEqual(await a.client.readMessage(), new TextEncoder().encode("text goes back as text"));
  }
  await assertNoSockets();
});

Deno.test("reuseReadBuffer: frames chopped into any pieces, messages of any size", async () => {
  {
    await using server = bind(0, { hostname: "127.0.0.1" }).event(function* (listener) {
      let sock;
      while ((sock = yield* listener.accept()) !== null) {
        sock.event(function* (s: Socket) {
          const ws = yield* upgrade(s, { reuseReadBuffer: true });
          let message;
          // The message is a view of the receive buffer: written back before
          // the next read, as the option requires.
          while ((message = yield* ws.readMessage()) !== null) yield* ws.send(message);
        });
      }
    });
    const peer = await rawClient(server.sockname().port);
    try {
      const frames: Uint8Array[] = [];
      const expected: Uint8Array[] = [];
      for (const size of [0, 1, 125, 126, 1000, 65535, 65536, 300_000]) {
        const data = pseudoRandomBytes(size, size + 3);
        expected.push(data);
        frames.push(peer.frame({ opcode: OP.binary, payload: data }));
      }
      const stream = concat(frames);
      // The whole stream at once, then in 7-byte and in 1-byte pieces (small messages).
      await peer.sendRaw(stream);
      for (const data of expected) deepEqual((await peer.message()).data, data);
      await peer.sendChopped(concat(frames.slice(0, 5)), 7);
      for (const data of expected.slice(0, 5)) deepEqual((await peer.message()).data, data);
      await peer.sendChopped(concat(frames.slice(0, 4)), 1);
      for (const data of expected.slice(0, 4)) deepEqual((await peer.message()).data, data);
      await peer.closeHandshake(1000);
    } finally {
      peer.close();
    }
  }
  await assertNoSockets();
});

Deno.test("an empty compressed message is an empty message", async () => {
  {
    const received: unknown[] = [];
    await using server = bind(0, { hostname: "127.0.0.1" }).event(function* (listener) {
      const sock = yield* listener.accept();
      const ws = yield* upgrade(sock!, { perMessageDeflate: true });
      let message;
      while ((message = yield* ws.readMessage()) !== null) received.push(message);
    });
    const peer = await rawClient(server.sockname().port, { extensions: "permessage-deflate" });
    peer.deflate = new RawDeflate({
      sendWindowBits: 15,
      sendContextTakeover: true,
      receiveWindowBits: 15,
      receiveContextTakeover: true,
    });
    try {
      await peer.send({ opcode: OP.text, rsv1: true, payload: new Uint8Array(0) });
      await peer.sendCompressed(OP.text, new TextEncoder().encode("after the empty one"));
      await peer.closeHandshake(1000);
    } finally {
      peer.close();
    }
    await server.task;
    deepEqual(received, ["", "after the empty one"]);
  }
  await assertNoSockets();
});

Deno.test("data handed out stays intact after later reads (it is the caller's)", async () => {
  {
    await using pair = await wsPair();
    const sent: Uint8Array[] = [];
    const kept: Uint8Array[] = [];
    for (let i = 0; i < 60; i++) {
      const data = pseudoRandomBytes(1 + ((i * 977) % 3000), i + 11);
      sent.push(data);
      await pair.client.send(data);
    }
    for (let i = 0; i < 30; i++) kept.push((await pair.ws.readMessage()) as Uint8Array);
    while (kept.length < sent.length) {
      // The seed's read(): pieces, joined here only at the end.
      const parts: Uint8Array[] = [];
      let piece;
      do {
        piece = (await pair.ws.read())!;
        parts.push(piece.data);
      } while (!piece.final);
      const joined = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
      let at = 0;
      for (const part of parts) {
        joined.set(part, at);
        at += part.length;
      }
      kept.push(parts.length === 1 ? parts[0]! : joined);
    }
    for (let i = 0; i < sent.length; i++) deepEqual(kept[i], sent[i], `message ${i}`);
  }
  await assertNoSockets();
});

Deno.test("reuseReadBuffer: fragmented messages across many reads", async () => {
  {
    await using pair = await wsPair({ reuseReadBuffer: true });
    const parts = Array.from({ length: 40 }, (_, i) => pseudoRandomBytes(500 + i * 37, i + 1));
    const message = pair.client.writer();
    for (const part of parts) await message.write(part);
    await message.end();
    const expected = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
    let at = 0;
    for (const part of parts) {
      expected.set(part, at);
      at += part.length;
    }
    deepEqual(await pair.ws.readMessage(), expected);
    await pair.client.writer(true).end("é".repeat(5000));
    equal(await pair.ws.readMessage(), "é".repeat(5000));
  }
  await assertNoSockets();
});

Deno.test("writes are written behind and batched, in order", async () => {
  {
    await using pair = await wsPair();
    const count = 2000;
    let progress = 0;
    // Delegated writes of small messages do not suspend the cosocket while
    // the buffer (64 KiB) has room: the whole burst runs before event()
    // returns, and goes out in a few batched writes.
    pair.client.event(function* (ws: WsSocket) {
      for (; progress < count; progress++) yield* ws.send(`message ${progress}`);
      yield* ws.disable();
    });
    equal(progress, count);
    ok(pair.client.bufferedAmount > 0);
    for (let i = 0; i < count; i++) equal(await pair.ws.readMessage(), `message ${i}`);
    pair.client.enable();
  }
  await assertNoSockets();
});

Deno.test("a writer to a peer that does not read is held back (flow control)", async () => {
  {
    await using pair = await wsPair();
    const message = new Uint8Array(16384);
    let written = 0;
    const writer = (async () => {
      for (let i = 0; i < 2000; i++) {
        await pair.client.send(message);
        written++;
      }
    })();
    await delay(200);
    const held = written;
    ok(held < 2000, "the writer waits while the peer does not read");
    ok(pair.client.bufferedAmount > 0);
    for (let i = 0; i < 2000; i++) {
      equal(((await pair.ws.readMessage()) as Uint8Array).length, 16384);
    }
    await writer;
    equal(written, 2000);
  }
  await assertNoSockets();
});

Deno.test("a write error surfaces on a later write", async () => {
  {
    await using pair = await wsPair();
    pair.ws.close();
    equal(await pair.client.readMessage(), null);
    throws(
      () => pair.client.send("after close"),
      (e: unknown) => (e as SocketError).code === "closed",
    );
  }
  await assertNoSockets();
});

Deno.test("frame memory reused after writes complete never corrupts a frame in flight", async () => {
  {
    await using pair = await wsPair();
    const sent: Uint8Array[] = [];
    const sending = (async () => {
      for (let i = 0; i < 600; i++) {
        const data = pseudoRandomBytes(1 + ((i * 7919) % 9000), i + 5);
        sent.push(data);
        const write = pair.client.send(data);
        if (i % 7 === 0) await write;
      }
    })();
    for (let i = 0; i < 600; i++) {
      const message = (await pair.ws.readMessage()) as Uint8Array;
      deepEqual(message, sent[i], `message ${i}`);
    }
    await sending;
  }
  await assertNoSockets();
});
