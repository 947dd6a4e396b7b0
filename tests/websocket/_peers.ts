import { delay, STEP_TIMEOUT, within } from "../_shared.ts";
export { delay, STEP_TIMEOUT, within };
// Real WebSocket peers for the interop tests: a remote-controlled python3-websockets process,
// npm `ws` servers, headless Chromium through playwright-core, and our own server speaking a
// small command protocol that every client peer can drive.
import { equal } from "node:assert/strict";
import { createServer as createHttpServer, type IncomingMessage } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Buffer } from "node:buffer";
// npm `ws` is used without its types: `@types/ws` pulls in a newer `@types/node` whose WebCrypto
// types clash with Deno's (`KeyUsage`), which breaks type-checking the JWT tests in the same
// program (`deno check .`). The few shapes used here are declared below.
import { WebSocket as NodeWebSocketClass, WebSocketServer } from "npm:ws@8.23.0";
import type { BrowserContext } from "npm:playwright-core@1.65.1";
import fs from "node:fs";
import { SocketError, type Suspension } from "@cosocket/socket";
import { servcon, type ServerRequest, type ServerResponse } from "@cosocket/http";
import {
  upgrade,
  type UpgradeOptions,
  type UpgradeRequest,
  type WsSocket,
} from "@cosocket/websocket";
import { certs, pseudoRandomBytes } from "../socket/_helpers.ts";

export { assertNoSockets, certs, pseudoRandomBytes } from "../socket/_helpers.ts";

/** An npm `ws` WebSocket, as far as these tests use it. */
// deno-lint-ignore no-explicit-any
type NodeWebSocket = any;
const NodeWebSocket = NodeWebSocketClass;
/** Options of npm `ws` clients and servers (see its documentation). */
type ClientOptions = Record<string, unknown>;
type ServerOptions = Record<string, unknown>;

/** Paths of the test CA and the localhost leaf (tests/testdata/tls/make_certs.sh). */
export const certPaths = {
  ca: new URL("../testdata/tls/ca.pem", import.meta.url).pathname,
  cert: new URL("../testdata/tls/server.pem", import.meta.url).pathname,
  key: new URL("../testdata/tls/server.key", import.meta.url).pathname,
};

/**
 * The heartbeat interval for tests that need our pings answered. Generous, because this
 * machine's cores are shared: a pong delayed past one interval by a busy CPU would drop the
 * connection and fail the test for the wrong reason.
 */
export const HEARTBEAT = 150;

/** Hex SHA-256 of `bytes`. */
export async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return new Uint8Array(digest).toHex();
}

/** `length` bytes that compress well (for permessage-deflate tests) but are not all alike. */
export function compressibleText(length: number): string {
  const words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"];
  let out = "";
  for (let index = 0; out.length < length; index++) {
    out += words[(index * 7 + (index >> 3)) % words.length]! + (index % 13 === 0 ? "\n" : " ");
  }
  return out.slice(0, length);
}

// ---------------------------------------------------------------------------------------------
// python3-websockets (tests/testdata/websocket/interop_python_peer.py)

/** Configuration of the Python peer process (see the script's docstring). */
export interface PythonPeerConfig {
  mode: "server" | "client";
  tls?: { cert: string; key: string };
  subprotocols?: string[];
  compression?: null | "default" | Record<string, number | boolean>;
  require?: Record<string, string>;
  max_size?: number;
  stall_handshake?: number;
}

/** A JSON object from the Python peer. */
// deno-lint-ignore no-explicit-any
export type PeerReply = Record<string, any>;

const PYTHON_PEER = new URL("../testdata/websocket/interop_python_peer.py", import.meta.url)
  .pathname;

/** A python3-websockets process driven by one JSON command per line. */
export class PythonPeer implements AsyncDisposable {
  readonly #child: Deno.ChildProcess;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;
  readonly #replies = new Queue<PeerReply>();
  readonly #events = new Queue<PeerReply>();
  readonly #pumps: Promise<void>;
  #stderr = "";
  /** The listening port in server mode (0 in client mode). */
  port = 0;

  private constructor(config: PythonPeerConfig) {
    this.#child = new Deno.Command("/usr/bin/python3", {
      args: [PYTHON_PEER, JSON.stringify(config)],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      env: { PYTHONDONTWRITEBYTECODE: "1" },
    }).spawn();
    this.#stdin = this.#child.stdin.getWriter();
    this.#pumps = Promise.all([this.#pumpStdout(), this.#pumpStderr()]).then(() => {
      const gone = new Error(`The Python peer exited: ${this.#stderr.trim()}`);
      this.#replies.end(gone);
      this.#events.end(gone);
    });
  }

  /** Starts the peer; in server mode waits until it listens. */
  static async start(config: PythonPeerConfig): Promise<PythonPeer> {
    const peer = new PythonPeer(config);
    if (config.mode === "server") {
      try {
        const listening = await peer.event("listening");
        peer.port = listening.port;
      } catch (error) {
        await peer[Symbol.asyncDispose]();
        throw error;
      }
    }
    return peer;
  }

  /** The peer's URL in server mode. */
  url(path = "/", scheme = "ws", host = "127.0.0.1"): string {
    return `${scheme}://${host}:${this.port}${path}`;
  }

  /** Sends one command and returns its reply; throws when the peer reports a failure. */
  async command(op: string, fields: PeerReply = {}): Promise<PeerReply> {
    const reply = await this.tryCommand(op, fields);
    if (!reply.ok) throw new Error(`Python peer failed "${op}": ${reply.error}`);
    return reply;
  }

  /** Sends one command and returns its reply, successful or not. */
  async tryCommand(op: string, fields: PeerReply = {}): Promise<PeerReply> {
    const line = JSON.stringify({ op, ...fields }) + "\n";
    await this.#stdin.write(new TextEncoder().encode(line));
    return await within(this.#replies.next(), `the Python peer's reply to "${op}"`);
  }

  /** Waits for the next event, which must be `name`. */
  async event(name: string): Promise<PeerReply> {
    const event = await within(this.#events.next(), `the Python peer's "${name}" event`);
    equal(event.event, name, `unexpected Python peer event: ${JSON.stringify(event)}`);
    return event;
  }

  /** What the peer printed on stderr so far. */
  get stderr(): string {
    return this.#stderr;
  }

  async #pumpStdout(): Promise<void> {
    let buffered = "";
    for await (const text of this.#child.stdout.pipeThrough(new TextDecoderStream())) {
      buffered += text;
      let newline;
      while ((newline = buffered.indexOf("\n")) >= 0) {
        const message = JSON.parse(buffered.slice(0, newline)) as PeerReply;
        buffered = buffered.slice(newline + 1);
        (message.kind === "event" ? this.#events : this.#replies).push(message);
      }
    }
  }

  async #pumpStderr(): Promise<void> {
    for await (const text of this.#child.stderr.pipeThrough(new TextDecoderStream())) {
      this.#stderr += text;
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    // Closing stdin ends the command loop; the peer then aborts its connection and exits.
    await this.#stdin.close().catch(() => {});
    const timer = setTimeout(() => {
      try {
        this.#child.kill("SIGKILL");
      } catch {
        // Already exited.
      }
    }, 10_000);
    try {
      await this.#child.status;
      await this.#pumps;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** An async queue with a terminal error. */
class Queue<T> {
  #items: T[] = [];
  #waiters: { resolve: (item: T) => void; reject: (error: unknown) => void }[] = [];
  #ended: Error | null = null;

  push(item: T): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter.resolve(item);
    else this.#items.push(item);
  }

  end(error: Error): void {
    this.#ended = error;
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
  }

  next(): Promise<T> {
    if (this.#items.length > 0) return Promise.resolve(this.#items.shift()!);
    if (this.#ended) return Promise.reject(this.#ended);
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }
}

export { Queue };

// ---------------------------------------------------------------------------------------------
// Our server: upgrade() on accepted sockets of our own listener, then a command protocol.

/** What our server saw on one WebSocket connection. */
export interface ServerConnection {
  request: UpgradeRequest;
  ws: WsSocket;
  /** Resolves when the connection's cosocket ends. */
  ended: Promise<{ closeCode: number | null; closeReason: string; error: unknown }>;
}

/** Options of {@linkcode ourServer}. */
export interface OurServerOptions {
  /** Passed to `upgrade()`. */
  upgrade?: UpgradeOptions;
  /** Serve wss:// with the test certificate. */
  tls?: boolean;
  /** Answer plain (non-upgrade) GET requests with this HTML page. */
  page?: string;
  /** The test expects connections to fail (else any failure fails the test at dispose). */
  expectFailures?: boolean;
}

/** Our WebSocket server on a loopback port. */
export interface OurServer extends AsyncDisposable {
  port: number;
  url(path?: string, host?: string): string;
  /** The next connection that completed the upgrade. */
  next(): Promise<ServerConnection>;
  /** Errors thrown by `upgrade()` (failed handshakes). */
  handshakeErrors: unknown[];
}

/** A connection that ended with an error other than the peer going away fails the test. */
function unexpected(error: unknown): boolean {
  return !(error instanceof SocketError && error.code === "closed");
}

/**
 * Starts our server: `@cosocket/http`'s servcon, whose cosocket handler answers plain
 * requests with the page and upgrades WebSocket requests, then runs
 * {@linkcode commandLoop} on each.
 */
export function ourServer(options: OurServerOptions = {}): OurServer {
  const connections = new Queue<ServerConnection>();
  const handshakeErrors: unknown[] = [];
  const failures: unknown[] = [];
  const tls = options.tls ? { tls: { cert: certs.cert, key: certs.key } } : {};
  const server = servcon(0, serveOne, { hostname: "127.0.0.1", ...tls });

  function* serveOne(
    request: ServerRequest,
    response: ServerResponse,
  ): Generator<Suspension, void, unknown> {
    let ws: WsSocket;
    try {
      if (options.page !== undefined && request.headers.get("upgrade") === null) {
        // A plain HTTP request (the browser loading the page).
        response.headers.set("content-type", "text/html; charset=utf-8");
        response.headers.set("cache-control", "no-store");
        if (request.path === "/") yield* response.send(options.page);
        else response.status = 404;
        return;
      }
      ws = yield* upgrade(request, options.upgrade);
    } catch (error) {
      handshakeErrors.push(error);
      return;
    }
    let settle!: (value: Awaited<ServerConnection["ended"]>) => void;
    const ended = new Promise<Awaited<ServerConnection["ended"]>>((resolve) => settle = resolve);
    connections.push({ request: ws.request!, ws, ended });
    let failure: unknown = null;
    try {
      yield* commandLoop(ws);
    } catch (error) {
      failure = error;
      failures.push(error);
    } finally {
      settle({ closeCode: ws.closeCode, closeReason: ws.closeReason, error: failure });
    }
  }

  const port = server.port;
  const scheme = options.tls ? "wss" : "ws";
  return {
    port,
    url: (path = "/", host = "127.0.0.1") => `${scheme}://${host}:${port}${path}`,
    next: () => within(connections.next(), "a WebSocket connection to our server"),
    handshakeErrors,
    async [Symbol.asyncDispose]() {
      await server.close();
      const failed = options.expectFailures ? [] : failures.filter(unexpected);
      if (failed.length > 0) {
        throw new AggregateError(failed, `Our server's connections failed: ${failed.join("; ")}`);
      }
    },
  };
}

/**
 * Echoes every message back as it came (text as text, binary as binary), except text
 * messages starting with "cmd:", which ask the server to act:
 * - `cmd:fragments:text|binary:a|b|c` sends one message as the fragments a, b, c;
 * - `cmd:random:<length>:<seed>` sends that many pseudo-random bytes;
 * - `cmd:text:<length>` sends a compressible text message of that length;
 * - `cmd:ping:<payload>` pings the peer;
 * - `cmd:info` sends JSON with the negotiated protocol and extensions;
 * - `cmd:close:<code>:<reason>` closes the connection with that code and reason.
 */
export function* commandLoop(ws: WsSocket): Generator<Suspension, void, unknown> {
  let message;
  while ((message = yield* ws.readMessage()) !== null) {
    if (typeof message !== "string" || !message.startsWith("cmd:")) {
      yield* ws.send(message);
      continue;
    }
    const [, name = "", ...rest] = message.split(":");
    const arg = rest.join(":");
    switch (name) {
      case "fragments": {
        const [kind, ...parts] = rest;
        const pieces = parts.join(":").split("|");
        const text = kind === "text";
        const writer = ws.writer(text);
        const encode = (piece: string) => text ? piece : new TextEncoder().encode(piece);
        for (const piece of pieces.slice(0, -1)) yield* writer.write(encode(piece));
        yield* writer.end(encode(pieces.at(-1)!));
        break;
      }
      case "random": {
        const [length = "0", seed = "1"] = rest;
        yield* ws.send(pseudoRandomBytes(Number(length), Number(seed)));
        break;
      }
      case "text":
        yield* ws.send(compressibleText(Number(arg)));
        break;
      case "ping":
        yield* ws.ping(arg);
        break;
      case "info":
        yield* ws.send(JSON.stringify({ protocol: ws.protocol, extensions: ws.extensions }));
        break;
      case "close": {
        const [code = "1000", ...reason] = rest;
        yield* ws.close(Number(code), reason.join(":"));
        return;
      }
      default:
        yield* ws.send(`unknown command: ${message}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// npm ws, running inside this Deno process (Node compatibility layer).

/** A message as npm `ws` delivered it. */
export interface NodeWsMessage {
  data: Uint8Array;
  binary: boolean;
  /** The data as text (for text messages). */
  text: string;
}

/** Records everything one npm `ws` WebSocket (client or server side) sees. */
export class NodeWsPeer {
  readonly ws: NodeWebSocket;
  readonly messages: Queue<NodeWsMessage> = new Queue();
  /** Payloads of the pings and pongs this end received, as text. */
  readonly pings: string[] = [];
  readonly pongs: Queue<string> = new Queue();
  /** Resolves with the close code and reason this end received (or 1006 on a drop). */
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly errors: Error[] = [];

  constructor(ws: NodeWebSocket) {
    this.ws = ws;
    ws.on("message", (data: Buffer, binary: boolean) => {
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
      this.messages.push({
        data: bytes,
        binary,
        text: binary ? "" : new TextDecoder().decode(bytes),
      });
    });
    ws.on("ping", (data: Buffer) => this.pings.push(data.toString()));
    ws.on("pong", (data: Buffer) => this.pongs.push(data.toString()));
    ws.on("error", (error: Error) => this.errors.push(error));
    this.closed = new Promise((resolve) => {
      ws.on("close", (code: number, reason: Buffer) => {
        const gone = new Error(`The ws peer closed: ${code} ${reason}`);
        this.messages.end(gone);
        this.pongs.end(gone);
        resolve({ code, reason: reason.toString() });
      });
    });
  }

  /** The next message. */
  next(): Promise<NodeWsMessage> {
    return within(this.messages.next(), "a message at the ws peer");
  }

  /** Sends `data` (a string as text) and waits until ws has handed it to the socket. */
  send(
    data: string | Uint8Array,
    options: { fin?: boolean; compress?: boolean } = {},
  ): Promise<void> {
    return within(
      new Promise<void>((resolve, reject) =>
        this.ws.send(
          data,
          { binary: typeof data !== "string", ...options },
          (error?: Error) => error ? reject(error) : resolve(),
        )
      ),
      "a send by the ws peer",
    );
  }
}

/** Opens an npm `ws` client and waits for the handshake. */
export async function nodeWsClient(
  url: string,
  protocols: string[] = [],
  options: ClientOptions = {},
): Promise<NodeWsPeer> {
  const ws = new NodeWebSocket(url, protocols, options);
  const peer = new NodeWsPeer(ws);
  await within(
    new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
      ws.once("unexpected-response", (_request: unknown, response: { statusCode: number }) => {
        reject(new Error(`ws client: HTTP ${response.statusCode}`));
      });
    }),
    "the ws client's handshake",
  );
  return peer;
}

/** An npm `ws` server on a loopback port. */
export interface NodeWsServer extends AsyncDisposable {
  port: number;
  url(path?: string, host?: string): string;
  /** The next connection and the HTTP request that opened it. */
  next(): Promise<{ peer: NodeWsPeer; request: IncomingMessage }>;
  /** Requests `verifyClient` refused, with the reason. */
  refused: string[];
}

/** Options of {@linkcode nodeWsServer}. */
export interface NodeWsServerOptions
  extends Omit<ServerOptions, "port" | "server" | "verifyClient"> {
  /** Serve wss:// with the test certificate. */
  tls?: boolean;
  /** Header values every handshake must carry (lower-case names), else HTTP 401. */
  require?: Record<string, string>;
}

/** Starts an npm `ws` server on an http(s) server of `node:http(s)` on 127.0.0.1. */
export async function nodeWsServer(options: NodeWsServerOptions = {}): Promise<NodeWsServer> {
  const { tls, require = {}, ...wsOptions } = options;
  const http = tls ? createHttpsServer({ cert: certs.cert, key: certs.key }) : createHttpServer();
  const refused: string[] = [];
  const wss = new WebSocketServer({
    ...wsOptions,
    server: http,
    verifyClient(
      info: { req: IncomingMessage },
      callback: (ok: boolean, code?: number, message?: string) => void,
    ) {
      const wrong = Object.entries(require)
        .filter(([name, value]) => info.req.headers[name] !== value)
        .map(([name, value]) => `${name}: ${info.req.headers[name]} != ${value}`);
      refused.push(...wrong);
      callback(wrong.length === 0, 401, wrong.join("; "));
    },
  });
  const connections = new Queue<{ peer: NodeWsPeer; request: IncomingMessage }>();
  const sockets = new Set<NodeWebSocket>();
  wss.on("connection", (ws: NodeWebSocket, request: IncomingMessage) => {
    sockets.add(ws);
    ws.on("close", () => sockets.delete(ws));
    connections.push({ peer: new NodeWsPeer(ws), request });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const port = (http.address() as { port: number }).port;
  const scheme = tls ? "wss" : "ws";
  return {
    port,
    url: (path = "/", host = "127.0.0.1") => `${scheme}://${host}:${port}${path}`,
    next: () => within(connections.next(), "a connection to the ws server"),
    refused,
    async [Symbol.asyncDispose]() {
      for (const ws of sockets) ws.terminate();
      await new Promise((resolve) => wss.close(resolve));
      await new Promise((resolve) => http.close(resolve));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// A byte-counting TCP proxy (plain Deno APIs), to see what a browser puts on the wire.

/** A loopback TCP proxy that counts the bytes it forwards each way. */
export interface CountingProxy extends AsyncDisposable {
  port: number;
  /** Bytes forwarded client -> target and target -> client so far. */
  readonly up: number;
  readonly down: number;
}

/** Starts a proxy on a free loopback port forwarding every connection to `targetPort`. */
export function countingProxy(targetPort: number): CountingProxy {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const counts = { up: 0, down: 0 };
  const links = new Set<Promise<void>>();
  const conns = new Set<Deno.Conn>();

  async function pump(from: Deno.Conn, to: Deno.Conn, count: (n: number) => void): Promise<void> {
    const buffer = new Uint8Array(65536);
    try {
      for (let n; (n = await from.read(buffer)) !== null;) {
        count(n);
        for (let done = 0; done < n;) done += await to.write(buffer.subarray(done, n));
      }
      await to.closeWrite();
    } catch {
      // One side went away: the other is closed below.
    }
  }

  async function link(client: Deno.Conn): Promise<void> {
    let target: Deno.Conn | null = null;
    try {
      target = await Deno.connect({ hostname: "127.0.0.1", port: targetPort });
      conns.add(target);
      await Promise.all([
        pump(client, target, (n) => counts.up += n),
        pump(target, client, (n) => counts.down += n),
      ]);
    } catch {
      // The target refused: drop the client.
    } finally {
      for (const conn of [client, target]) {
        if (conn === null) continue;
        conns.delete(conn);
        try {
          conn.close();
        } catch {
          // Already closed.
        }
      }
    }
  }

  const accepting = (async () => {
    try {
      for await (const client of listener) {
        conns.add(client);
        const linked = link(client);
        links.add(linked);
        linked.finally(() => links.delete(linked));
      }
    } catch {
      // The listener was closed.
    }
  })();

  return {
    port: (listener.addr as Deno.NetAddr).port,
    get up() {
      return counts.up;
    },
    get down() {
      return counts.down;
    },
    async [Symbol.asyncDispose]() {
      listener.close();
      await accepting;
      for (const conn of conns) {
        try {
          conn.close();
        } catch {
          // Already closed.
        }
      }
      await Promise.all(links);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core.

/**
 * Loads playwright-core on first use (the other interop tests do not need it). At load time
 * it asks `fs.existsSync("/proc/sys/fs/binfmt_misc/WSLInterop")` to detect WSL, and Deno
 * answers any access under /proc/sys with a NotCapable error unless the process runs with
 * --allow-all (not just --allow-read), which Node's existsSync would have turned into
 * `false`. So for that one probe we answer `false` (this is not WSL) instead of granting every
 * permission to the test process.
 */
async function importPlaywright(): Promise<typeof import("npm:playwright-core@1.65.1")> {
  const existsSync = fs.existsSync;
  fs.existsSync = (path: fs.PathLike): boolean =>
    String(path).startsWith("/proc/sys/fs/binfmt_misc/") ? false : existsSync(path);
  try {
    return await import("npm:playwright-core@1.65.1");
  } finally {
    fs.existsSync = existsSync;
  }
}

/** A Chromium instance with a fresh profile; disposing closes it and removes its files. */
export interface Chromium extends AsyncDisposable {
  context: BrowserContext;
}

/**
 * Launches headless Chromium. With `trustTestCa`, Chromium trusts the test CA the way a user
 * would install one on Linux: an NSS database in `$HOME/.pki/nssdb` of a throwaway home with the
 * CA marked trusted for TLS servers (`certutil`, Debian package libnss3-tools). Certificate
 * checks stay on: a server whose certificate does not chain to that CA is still refused.
 */
export async function launchChromium(options: { trustTestCa?: boolean } = {}): Promise<Chromium> {
  const home = await Deno.makeTempDir({ dir: "/tmp", prefix: "cosocket_chromium_" });
  try {
    if (options.trustTestCa) {
      const db = `sql:${home}/.pki/nssdb`;
      await Deno.mkdir(`${home}/.pki/nssdb`, { recursive: true });
      for (
        const args of [
          ["-N", "-d", db, "--empty-password"],
          ["-A", "-d", db, "-n", "cosocket test CA", "-t", "C,,", "-i", certPaths.ca],
        ]
      ) {
        const run = await new Deno.Command("certutil", { args, stdout: "piped", stderr: "piped" })
          .output();
        equal(run.code, 0, `certutil ${args[0]}: ${new TextDecoder().decode(run.stderr)}`);
      }
    }
    const { chromium } = await importPlaywright();
    const context = await chromium.launchPersistentContext(`${home}/profile`, {
      executablePath: "/usr/bin/chromium",
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
      env: { HOME: home, PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" },
      timeout: STEP_TIMEOUT,
    });
    return {
      context,
      async [Symbol.asyncDispose]() {
        try {
          await context.close();
        } finally {
          await Deno.remove(home, { recursive: true });
        }
      },
    };
  } catch (error) {
    await Deno.remove(home, { recursive: true });
    throw error;
  }
}
