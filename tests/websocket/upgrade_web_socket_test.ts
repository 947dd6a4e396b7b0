// The Deno.serve adapter: a Deno.serve server on loopback upgrading with `upgradeWebSocket`,
// driven by Deno's native WebSocket client, our own `connect` client and raw TCP.
import { deepEqual, equal, ok, rejects, throws } from "node:assert/strict";
import { run, SocketError, sockstat } from "@cosocket/socket";
import { connect, WebSocketError } from "@cosocket/websocket";
import { upgradeWebSocket } from "@cosocket/websocket/upgrade-web-socket";
import type { NativeWsSocket, UpgradeWebSocketOptions } from "@cosocket/websocket/native-ws-socket";
import { findHeadEnd, parseResponseHead, type ResponseHead } from "@cosocket/http/head";
import { pseudoRandomBytes } from "../socket/_helpers.ts";

const MiB = 1 << 20;
const encoder = new TextEncoder();

/** An unbounded FIFO whose `next()` waits for the next item. */
class Queue<T> {
  #items: T[] = [];
  #waiters: ((item: T) => void)[] = [];

  push(item: T): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter(item);
    else this.#items.push(item);
  }

  next(): Promise<T> {
    if (this.#items.length > 0) return Promise.resolve(this.#items.shift()!);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  get size(): number {
    return this.#items.length;
  }
}

/** A Deno.serve server whose handler upgrades every request with the adapter. */
interface Server extends AsyncDisposable {
  url: string;
  port: number;
  /** The sockets the handler created, in order. */
  sockets: Queue<NativeWsSocket>;
}

function serve(
  options: UpgradeWebSocketOptions = {},
  setup: (socket: NativeWsSocket) => void = () => {},
): Server {
  const sockets = new Queue<NativeWsSocket>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    try {
      const { socket, response } = upgradeWebSocket(request, options);
      setup(socket);
      sockets.push(socket);
      return response;
    } catch (error) {
      if (!(error instanceof WebSocketError)) throw error;
      const headers: HeadersInit = error.status === 426
        ? { "upgrade": "websocket", "sec-websocket-version": "13" }
        : {};
      return new Response(error.message, { status: error.status ?? 400, headers });
    }
  });
  return {
    url: `ws://127.0.0.1:${server.addr.port}/`,
    port: server.addr.port,
    sockets,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}

/** Deno's native WebSocket client with its events recorded. */
class Client implements AsyncDisposable {
  readonly ws: WebSocket;
  readonly messages = new Queue<string | Uint8Array>();
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(url: string, protocols?: string[]) {
    this.ws = new WebSocket(url, protocols);
    this.ws.binaryType = "arraybuffer";
    this.ws.onmessage = (event) => {
      this.messages.push(typeof event.data === "string" ? event.data : new Uint8Array(event.data));
    };
    this.opened = new Promise((resolve, reject) => {
      this.ws.onopen = () => resolve();
      this.ws.onerror = (event) => reject(new Error((event as ErrorEvent).message));
    });
    this.closed = new Promise((resolve) => {
      this.ws.onclose = (event) => resolve({ code: event.code, reason: event.reason });
    });
  }

  static async open(url: string, protocols?: string[]): Promise<Client> {
    const client = new Client(url, protocols);
    await client.opened;
    return client;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.ws.readyState !== WebSocket.CLOSED) {
      if (this.ws.readyState === WebSocket.OPEN) this.ws.close();
      await this.closed;
    }
  }
}

/** Waits until every cosocket finished and every socket closed. */
async function assertNoCosockets(): Promise<void> {
  for (let i = 0; i < 100 && (sockstat().total > 0 || sockstat().active > 0); i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const { total, active } = sockstat();
  deepEqual({ total, active }, { total: 0, active: 0 });
}

const isCode = (code: string) => (error: unknown): boolean =>
  error instanceof SocketError && error.code === code;

// ------------------------------------------------------------------ basics

Deno.test("upgradeWebSocket() exchanges text and binary messages with Deno's WebSocket", async () => {
  await using server = serve();
  await using client = await Client.open(server.url);
  const socket = await server.sockets.next();
  client.ws.send("héllo 🎉");
  client.ws.send(new Uint8Array([0, 1, 2, 255]));
  client.ws.send("");
  client.ws.send(new Uint8Array(0));
  equal(await socket.readMessage(), "héllo 🎉");
  deepEqual(await socket.readMessage(), new Uint8Array([0, 1, 2, 255]));
  const empty = (await socket.read())!;
  deepEqual(empty, {
    data: new Uint8Array(0),
    utf8: true,
    bytesRead: 0,
    frameLength: 0,
    final: true,
  });
  equal((await socket.read())!.utf8, false);
  client.ws.send("κόσμε");
  const chunk = (await socket.read())!;
  equal(chunk.utf8, true);
  equal(chunk.final, true);
  equal(chunk.bytesRead, 10);
  equal(chunk.frameLength, 10);
  deepEqual(chunk.data, encoder.encode("κόσμε"));

  await socket.write("text", true);
  await socket.write("binary from a string");
  await socket.write(new Uint8Array([9, 8]));
  await socket.write(encoder.encode("text from bytes"), true);
  await socket.send("sent text");
  await socket.send(new Uint8Array([7]));
  equal(await client.messages.next(), "text");
  deepEqual(await client.messages.next(), encoder.encode("binary from a string"));
  deepEqual(await client.messages.next(), new Uint8Array([9, 8]));
  equal(await client.messages.next(), "text from bytes");
  equal(await client.messages.next(), "sent text");
  deepEqual(await client.messages.next(), new Uint8Array([7]));
  equal(socket.protocol, "");
  equal(socket.extensions, "");
  deepEqual(socket.state(), { state: "exec", connected: true });
  await socket.close(1000);
  equal((await client.closed).code, 1000);
});

Deno.test("NativeWsSocket carries large messages both ways", async () => {
  await using server = serve({ maxMessageSize: 32 * MiB, maxQueued: 32 * MiB });
  await using client = await Client.open(server.url);
  const socket = await server.sockets.next();
  const big = pseudoRandomBytes(12 * MiB, 7);
  const text = "a€😀".repeat(300_000); // 2.4 MiB of UTF-8
  client.ws.send(big);
  client.ws.send(text);
  deepEqual(await socket.readMessage(), big);
  equal(await socket.readMessage(), text);
  const write = socket.write(big);
  ok(socket.bufferedAmount > 0, "the message was handed over at the call");
  await write;
  await socket.write(text, true);
  deepEqual(await client.messages.next(), big);
  equal(await client.messages.next(), text);
});

Deno.test("NativeWsSocket.write() waits while more than queuelen() bytes are buffered", async () => {
  await using server = serve();
  await using client = await Client.open(server.url);
  const socket = await server.sockets.next();
  equal(socket.queuelen(), 16384);
  equal(socket.queuelen(0), 0);
  throws(() => socket.queuelen(-1), RangeError);
  for (let round = 0; round < 4; round++) {
    await socket.write(new Uint8Array(4 * MiB));
    equal(socket.bufferedAmount, 0);
  }
  for (let round = 0; round < 4; round++) equal((await client.messages.next()).length, 4 * MiB);
});

Deno.test("NativeWsSocket sends messages written before the connection opened, in order", async () => {
  await using server = serve({}, (socket) => {
    equal(socket.state().state, "connect");
    socket.write("first", true);
    socket.write(new Uint8Array([2]));
    socket.send("third");
    ok(socket.bufferedAmount >= 7);
  });
  await using client = await Client.open(server.url);
  equal(await client.messages.next(), "first");
  deepEqual(await client.messages.next(), new Uint8Array([2]));
  equal(await client.messages.next(), "third");
});

Deno.test("NativeWsSocket refuses invalid writes, closes and pings with clear errors", async () => {
  await using server = serve();
  await using client = await Client.open(server.url);
  const socket = await server.sockets.next();
  throws(() => socket.write(new Uint8Array([0xc0, 0xaf]), true), TypeError);
  throws(
    () => socket.ping(),
    (error: unknown) =>
      isCode("incorrectuse")(error) && /idleTimeout/.test((error as Error).message),
  );
  throws(() => socket.close(1005), RangeError);
  throws(() => socket.close(999), RangeError);
  throws(() => socket.close(undefined, "no code"), RangeError);
  throws(() => socket.close(1000, "é".repeat(62)), RangeError);
  await socket.close(4001, "é".repeat(61));
  deepEqual(await client.closed, { code: 4001, reason: "é".repeat(61) });
  throws(() => socket.write("late"), isCode("closed"));
  equal(await socket.read(), null);
  deepEqual(socket.state(), { state: "notcon", connected: false });
});

// ------------------------------------------------------------------ closing

Deno.test("NativeWsSocket.read() returns null with the client's close code and reason", async () => {
  await using server = serve();
  await using client = await Client.open(server.url);
  const socket = await server.sockets.next();
  client.ws.send("last words");
  client.ws.close(4321, "going away now");
  equal(await socket.readMessage(), "last words");
  equal(await socket.read(), null);
  equal(socket.closeCode, 4321);
  equal(socket.closeReason, "going away now");
  equal(await socket.readMessage(), null);
  deepEqual(await client.closed, { code: 4321, reason: "going away now" });
  await socket.close(); // after the close: settles at once
});

Deno.test("NativeWsSocket.close() sends each code and waits for the closing handshake", async () => {
  await using server = serve();
  for (
    const [code, reason] of [[1000, ""], [1001, "shutdown"], [1008, "policy"], [1011, "oops"], [
      4999,
      "x",
    ]] as const
  ) {
    await using client = await Client.open(server.url);
    const socket = await server.sockets.next();
    equal(socket.closeCode, null);
    await socket.close(code, reason);
    equal(socket.closeCode, code, "the client echoed the code");
    deepEqual(await client.closed, { code, reason });
  }
  await using client = await Client.open(server.url);
  const socket = await server.sockets.next();
  await socket.close();
  equal((await client.closed).code, 1005);
});

Deno.test("NativeWsSocket works with our connect() client: messages, close codes both ways", async () => {
  await using server = serve({ protocols: ["v2", "v1"] });
  {
    await using ws = await connect(server.url, { protocols: ["v1", "v2"] });
    const socket = await server.sockets.next();
    equal(ws.protocol, "v2");
    equal(socket.protocol, "v2");
    await ws.write("text from connect", true);
    await ws.write(pseudoRandomBytes(3 * MiB));
    await ws.ping("ping from connect"); // Deno answers with a pong by itself
    equal(await socket.readMessage(), "text from connect");
    deepEqual(await socket.readMessage(), pseudoRandomBytes(3 * MiB));
    await socket.send("reply");
    await socket.send(new Uint8Array([1, 2, 3]));
    equal(await ws.readMessage(), "reply");
    deepEqual(await ws.readMessage(), new Uint8Array([1, 2, 3]));
    const closing = ws.close(4400, "client done");
    equal(await socket.read(), null);
    equal(socket.closeCode, 4400);
    equal(socket.closeReason, "client done");
    await closing;
  }
  {
    await using ws = await connect(server.url);
    const socket = await server.sockets.next();
    equal(socket.protocol, "");
    const closing = socket.close(4500, "server done");
    equal(await ws.read(), null);
    equal(ws.closeCode, 4500);
    equal(ws.closeReason, "server done");
    await closing;
    equal(socket.closeCode, 4500);
  }
});

// ------------------------------------------------------------------ cosockets

function* echo(ws: NativeWsSocket) {
  let message;
  while ((message = yield* ws.readMessage()) !== null) yield* ws.send(message);
  return "client closed";
}

Deno.test("NativeWsSocket.event() runs an echo cosocket", async () => {
  const tasks: PromiseLike<unknown>[] = [];
  {
    await using server = serve({}, (socket) => {
      socket.event(echo);
      tasks.push(socket.task!);
    });
    for (let round = 0; round < 3; round++) {
      await using client = await Client.open(server.url);
      for (const message of ["one", new Uint8Array([1, 2]), "three"]) {
        client.ws.send(message);
        deepEqual(await client.messages.next(), message);
      }
    }
  }
  deepEqual(await Promise.all(tasks), ["client closed", "client closed", "client closed"]);
  await assertNoCosockets();
});

Deno.test("NativeWsSocket closes 1000, 1011 or 1001 when its cosocket returns, throws or is halted", async () => {
  const outcomes: ((socket: NativeWsSocket) => void)[] = [
    (socket) =>
      socket.event(function* (ws: NativeWsSocket) {
        yield* ws.send("bye");
      }),
    (socket) =>
      socket.event(function* (ws: NativeWsSocket) {
        yield* ws.send("bye");
        throw new Error("the handler failed");
      }),
    (socket) =>
      socket.event(function* (ws: NativeWsSocket) {
        yield* ws.send("bye");
        yield* ws.read(); // halted here
        throw new Error("not reached");
      }),
  ];
  let index = 0;
  await using server = serve({}, (socket) => outcomes[index++]!(socket));
  for (const code of [1000, 1011, 1001]) {
    await using client = await Client.open(server.url);
    const socket = await server.sockets.next();
    equal(await client.messages.next(), "bye");
    if (code === 1011) await rejects(Promise.resolve(socket.task!), /the handler failed/);
    if (code === 1001) await socket.task!.halt();
    equal((await client.closed).code, code);
  }
  await assertNoCosockets();
});

Deno.test("NativeWsSocket: only the owning cosocket may read", async () => {
  await using server = serve({}, (socket) => socket.event(echo));
  await using client = await Client.open(server.url);
  const socket = await server.sockets.next();
  equal(socket.owner(), false);
  throws(() => socket.event(echo), isCode("incorrectuse"));
  await rejects(Promise.resolve(socket.read()), isCode("incorrectuse"));
  client.ws.send("still echoed");
  equal(await client.messages.next(), "still echoed");
});

// ------------------------------------------------------------- disable/enable

Deno.test("NativeWsSocket.disable() from outside holds messages until enable()", async () => {
  await using server = serve();
  await using client = await Client.open(server.url);
  const socket = await server.sockets.next();
  deepEqual(await socket.disable(), []);
  let received: string | Uint8Array | null | undefined;
  const reading = socket.readMessage().then((message) => received = message);
  client.ws.send("held 1");
  client.ws.send("held 2");
  // Round trips through the client prove that the messages reached the server.
  for (let round = 0; round < 3; round++) {
    await socket.send("sync");
    equal(await client.messages.next(), "sync");
  }
  equal(received, undefined, "nothing is delivered while disabled");
  deepEqual(socket.state(), { state: "read", connected: true });
  equal(socket.enable(), true);
  await reading;
  equal(received, "held 1");
  equal(await socket.readMessage(), "held 2");
  equal(socket.enable(), false);
});

Deno.test("NativeWsSocket.disable() in the owning cosocket waits for enable(...values) or the close", async () => {
  const resumed = new Queue<unknown[]>();
  await using server = serve({}, (socket) =>
    socket.event(function* (ws: NativeWsSocket) {
      ok(ws.owner());
      resumed.push(yield* ws.disable());
      yield* ws.send("enabled");
      resumed.push(yield* ws.disable());
    }));
  await using client = await Client.open(server.url);
  const socket = await server.sockets.next();
  await new Promise((resolve) => setTimeout(resolve, 0));
  deepEqual(socket.state(), { state: "read", connected: true });
  equal(socket.enable("a", 1), true);
  deepEqual(await resumed.next(), ["a", 1]);
  equal(await client.messages.next(), "enabled");
  client.ws.close(1000);
  deepEqual(await resumed.next(), [], "the close resumes a disabled cosocket with []");
  await socket.task;
  await assertNoCosockets();
});

// ------------------------------------------------------------- cancellation

Deno.test("NativeWsSocket.read() in a halted cosocket stops waiting and loses no message", async () => {
  await using server = serve();
  await using client = await Client.open(server.url);
  const socket = await server.sockets.next();
  let after = false;
  const task = run(function* () {
    yield* socket.read();
    after = true;
  });
  await new Promise((resolve) => setTimeout(resolve, 0));
  deepEqual(socket.state(), { state: "read", connected: true });
  await task.halt();
  equal(after, false);
  deepEqual(socket.state(), { state: "exec", connected: true });
  client.ws.send("for the next reader");
  equal(await socket.readMessage(), "for the next reader");
});

Deno.test("NativeWsSocket.read(timeout) times out without harm; a second reader is busy", async () => {
  await using server = serve();
  await using client = await Client.open(server.url);
  const socket = await server.sockets.next();
  await rejects(Promise.resolve(socket.read(20)), isCode("timeout"));
  const first = socket.readMessage();
  const waiting = Promise.resolve(first);
  await new Promise((resolve) => setTimeout(resolve, 0));
  await rejects(Promise.resolve(socket.read()), isCode("busy"));
  client.ws.send("after the timeout");
  equal(await waiting, "after the timeout");
});

Deno.test("NativeWsSocket async iterator yields messages until the close", async () => {
  await using server = serve();
  await using client = await Client.open(server.url);
  const socket = await server.sockets.next();
  client.ws.send("a");
  client.ws.send(new Uint8Array([98]));
  client.ws.close();
  const messages: (string | Uint8Array)[] = [];
  for await (const message of socket) messages.push(message);
  deepEqual(messages, ["a", new Uint8Array([98])]);
  equal(socket.closeCode, 1005);
});

// ------------------------------------------------------------------ limits

Deno.test("NativeWsSocket closes with 1008 when the unread queue overflows", async () => {
  await using server = serve({ maxQueued: 64 * 1024 });
  await using client = await Client.open(server.url);
  const socket = await server.sockets.next();
  const piece = new Uint8Array(16 * 1024);
  // Four messages fill the queue; the fifth overflows it. (The client then stops sending:
  // Deno's server drops a connection whose client keeps sending after the server's close
  // frame, and the client would see 1006 instead of 1008.)
  for (let index = 0; index < 5; index++) {
    piece[0] = index;
    client.ws.send(piece);
  }
  deepEqual(await client.closed, { code: 1008, reason: "" });
  // The four messages that fit are still delivered, then the failure.
  for (let index = 0; index < 4; index++) {
    equal((await socket.readMessage() as Uint8Array)[0], index);
  }
  await rejects(
    Promise.resolve(socket.readMessage()),
    (error: unknown) =>
      error instanceof WebSocketError && error.closeCode === 1008 && error.code === "protocol",
  );
  equal(await socket.readMessage(), null);
});

Deno.test("NativeWsSocket closes with 1009 for a message over maxMessageSize", async () => {
  await using server = serve({ maxMessageSize: 1000 });
  await using client = await Client.open(server.url);
  const socket = await server.sockets.next();
  client.ws.send("x".repeat(1000));
  client.ws.send("é".repeat(501)); // 1002 bytes of UTF-8
  equal((await client.closed).code, 1009);
  equal(await socket.readMessage(), "x".repeat(1000));
  await rejects(
    Promise.resolve(socket.read()),
    (error: unknown) => error instanceof WebSocketError && error.closeCode === 1009,
  );
});

// ------------------------------------------------------------------ handshake

const HANDSHAKE = [
  "GET /raw?x=1 HTTP/1.1",
  "Host: 127.0.0.1",
  "Upgrade: websocket",
  "Connection: Upgrade",
  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
  "Sec-WebSocket-Version: 13",
];

/** Sends a request head over raw TCP; returns the response head and body (Content-Length). */
async function rawRequest(
  port: number,
  lines: string[],
  keep?: (conn: Deno.Conn) => Promise<void>,
): Promise<{ head: ResponseHead; body: string }> {
  using conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(encoder.encode(lines.join("\r\n") + "\r\n\r\n"));
  let received = new Uint8Array(0);
  const buffer = new Uint8Array(4096);
  let head: ResponseHead | null = null;
  let bodyStart = 0;
  while (true) {
    if (head === null) {
      const end = findHeadEnd(received);
      if (end >= 0) {
        head = parseResponseHead(received.subarray(0, end));
        bodyStart = end;
      }
    }
    if (head !== null) {
      const length = Number(head.headers.get("content-length") ?? 0);
      if (received.length - bodyStart >= length) {
        const body = new TextDecoder().decode(received.subarray(bodyStart, bodyStart + length));
        await keep?.(conn);
        return { head, body };
      }
    }
    const count = await conn.read(buffer);
    if (count === null) throw new Error("Connection closed before the response");
    const joined = new Uint8Array(received.length + count);
    joined.set(received);
    joined.set(buffer.subarray(0, count), received.length);
    received = joined;
  }
}

/** The handshake with one header replaced (or removed with value null) or added. */
function handshake(name: string, value: string | null): string[] {
  const lines = HANDSHAKE.filter((line) =>
    !line.toLowerCase().startsWith(name.toLowerCase() + ":")
  );
  return value === null ? lines : [...lines, `${name}: ${value}`];
}

Deno.test("upgradeWebSocket() refuses bad requests with the status to answer", async () => {
  await using server = serve({ origin: (origin) => origin !== "http://evil.example" });
  const cases: [string[], number, RegExp][] = [
    [handshake("Upgrade", null), 426, /the Upgrade header does not name websocket/],
    [handshake("Upgrade", "h2c"), 426, /the Upgrade header does not name websocket/],
    [handshake("Connection", "keep-alive"), 400, /the Connection header does not name upgrade/],
    [handshake("Sec-WebSocket-Version", "8"), 426, /Sec-WebSocket-Version is not 13/],
    [handshake("Sec-WebSocket-Key", "c2hvcnQ="), 400, /Sec-WebSocket-Key is invalid/],
    [handshake("Sec-WebSocket-Key", null), 400, /Sec-WebSocket-Key is invalid/],
    [["POST / HTTP/1.1", ...HANDSHAKE.slice(1)], 400, /method POST is not GET/],
    [handshake("Origin", "http://evil.example"), 403, /origin refused/],
  ];
  for (const [lines, status, pattern] of cases) {
    const { head, body } = await rawRequest(server.port, lines);
    equal(head.status, status, lines.join(" | "));
    ok(pattern.test(body), body);
    if (status === 426) equal(head.headers.get("sec-websocket-version"), "13");
  }
  // Case-insensitive tokens in lists are accepted.
  const { head } = await rawRequest(server.port, [
    ...handshake("Connection", "keep-alive, UPGRADE").filter((line) => !line.startsWith("Upgrade")),
    "Upgrade: WebSocket",
  ]);
  equal(head.status, 101);
  await (await server.sockets.next()).close();
});

Deno.test("upgradeWebSocket() answers 101 with the chosen protocol and extra headers", async () => {
  const seen: string[] = [];
  await using server = serve({
    protocols: (offered, request) => {
      seen.push(request.path, ...offered);
      return offered.includes("b") ? "b" : null;
    },
    headers: { "set-cookie": "session=1", "x-extra": "yes", "sec-websocket-accept": "forged" },
  }, (socket) => socket.close(1000));
  const { head } = await rawRequest(server.port, handshake("Sec-WebSocket-Protocol", "a, b"));
  equal(head.status, 101);
  equal(head.headers.get("sec-websocket-accept"), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  equal(head.headers.get("sec-websocket-protocol"), "b");
  equal(head.headers.get("x-extra"), "yes");
  deepEqual(head.headers.getSetCookie(), ["session=1"]);
  deepEqual(seen, ["/raw?x=1", "a", "b"]);
  const socket = await server.sockets.next();
  equal(socket.protocol, "b");
  await using client = await Client.open(server.url, ["a"]);
  equal(client.ws.protocol, "");
  equal((await server.sockets.next()).protocol, "");
});

Deno.test("NativeWsSocket.close() settles after closeTimeout when the client never answers", async () => {
  await using server = serve({ closeTimeout: 30 });
  let socket: NativeWsSocket | null = null;
  await rawRequest(server.port, HANDSHAKE, async () => {
    socket = await server.sockets.next();
    // The raw client reads nothing and never answers the close frame.
    await socket.close(1000);
    equal(socket.closeCode, null, "the handshake is still open");
  });
  // The raw connection is closed now: Deno ends the WebSocket.
  equal(await socket!.read(), null);
  ok(socket!.closeCode === 1005 || socket!.closeCode === 1006, `${socket!.closeCode}`);
});

Deno.test("NativeWsSocket.write() waiting for a client that does not read: halt and close end it", async () => {
  await using server = serve({ closeTimeout: 30 });
  let socket: NativeWsSocket | null = null;
  let failure: unknown = null;
  await rawRequest(server.port, HANDSHAKE, async () => {
    socket = await server.sockets.next();
    socket.queuelen(0);
    const big = new Uint8Array(32 * MiB);
    // The raw client reads nothing: the kernel buffers fill and the write waits.
    let after = false;
    const task = run(function* () {
      yield* socket!.write(big);
      after = true;
    });
    for (let i = 0; i < 100 && socket.state().state !== "write"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    deepEqual(socket.state(), { state: "write", connected: true });
    await task.halt();
    equal(after, false);
    equal(socket.state().state, "exec");
    // A second waiting write fails with closed when the connection ends.
    const waiting = Promise.resolve(socket.write(big)).catch((error) => failure = error);
    await new Promise((resolve) => setTimeout(resolve, 0));
    equal(failure, null);
    return void waiting;
  });
  // The raw connection closed: the waiting write fails.
  for (let i = 0; i < 200 && failure === null; i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  ok(isCode("closed")(failure), String(failure));
  // Depending on when Deno notices, the end is an error (broken pipe) or a plain end.
  const last = await Promise.resolve(socket!.read()).catch((error) => error);
  ok(last === null || (last instanceof WebSocketError && last.code === "closed"), String(last));
  equal(await socket!.read(), null);
});
