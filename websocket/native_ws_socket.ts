import {
  type CosocketEnd,
  ensure,
  event,
  getsock,
  type Operation,
  operation,
  type Socket,
  SocketError,
  type SocketStatus,
  type Suspension,
  type Task,
} from "@cosocket/socket";
import { clearImmediate, setImmediate } from "node:timers";
import { callSiteOf } from "./_buffered_write.ts";
import { closePayload } from "./_frame.ts";
import { MethodOperation } from "./_method_operation.ts";
import type { UpgradeRequest } from "./upgrade_request.ts";
import { WebSocketError } from "./web_socket_error.ts";
import type { WebSocketConnection, WsChunk } from "./web_socket_connection.ts";

/** How {@linkcode upgradeWebSocket} accepts a `Deno.serve` request. */
export interface UpgradeWebSocketOptions {
  /**
   * The subprotocols this server speaks, in its order of preference, or a
   * function that picks one of those the client offered (`null`: none).
   *
   * @default {[]}
   */
  protocols?: string[] | ((offered: string[], request: UpgradeRequest) => string | null);
  /**
   * Accepts or refuses a request by its `Origin` (`null` when absent).
   *
   * @default {undefined} (every origin)
   */
  origin?: (origin: string | null, request: UpgradeRequest) => boolean;
  /**
   * Extra headers for the 101 response (cookies, for example).
   *
   * @default {undefined}
   */
  headers?: HeadersInit;
  /**
   * Deno pings the client at this interval in seconds and closes the
   * connection when no pong arrives in time (Deno's own heartbeat: pings
   * cannot be sent from JavaScript). `0` turns it off.
   *
   * @default {30}
   */
  idleTimeout?: number;
  /**
   * The largest incoming message in bytes (UTF-8 bytes for text); a larger
   * one closes the connection with 1009. Deno's own limit of 64 MiB per
   * message applies before this one.
   *
   * @default {16777216}
   */
  maxMessageSize?: number;
  /**
   * The most bytes of received messages waiting for the reader (a text
   * message counts its length in UTF-16 code units, which is close to the
   * memory the string holds). Deno reads
   * as fast as the client sends and offers no way to pause, so when the
   * reader falls this far behind (or the socket stays disabled), the
   * connection closes with 1008 instead of buffering without bound. A
   * message that arrives when nothing waits is always taken.
   *
   * @default {16777216}
   */
  maxQueued?: number;
  /**
   * How long `close()` waits for the client's close frame, in milliseconds.
   *
   * @default {1000}
   */
  closeTimeout?: number;
  /**
   * The most bytes that writers who do not wait may leave buffered in Deno's
   * WebSocket for a slow peer (its `bufferedAmount`). Past it a write is
   * held: a caller that awaits it waits and sends, a write nobody waits for
   * is dropped whole and the next write throws `SocketError` code
   * `queuefull` (with a one-time warning naming the call). Deno's own
   * `send()` never refuses, so a peer that does not read would otherwise grow
   * the server's memory without end.
   *
   * @default {4194304}
   */
  maxBufferedAmount?: number;
}

const MiB = 1024 * 1024;
const DEFAULT_QUEUE_LENGTH = 16384;
/** Event-loop turns a waiting writer polls before falling back to a 1 ms timer. */
const FAST_POLLS = 256;
const encoder = new TextEncoder();
/** The dropped-write warning is printed once per process. */
let warnedRefusal = false;
const fatalDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** @internal Wraps a native WebSocket that `upgradeWebSocket` accepted. */
export let createNative: (
  ws: WebSocket,
  protocol: string,
  options: UpgradeWebSocketOptions,
) => NativeWsSocket;

/** A message as Deno delivers it: a string for text, an ArrayBuffer for binary. */
type Message = string | ArrayBuffer;

/**
 * A WebSocket accepted by {@linkcode upgradeWebSocket}: Deno's native
 * server-side WebSocket with the cosocket API of `WsSocket`, at message
 * level.
 *
 * - Reading: incoming messages wait in a bounded queue (`maxQueued`) until
 *   `read`, `readMessage` or the async iterator takes them. `read` returns
 *   a whole message as one {@linkcode WsChunk} (`final` is `true` and
 *   `bytesRead === frameLength === data.length`, counting the message, not
 *   a frame). One reader at a time; while a cosocket owns the socket
 *   (`event`), only it may read.
 * - Writing: `write`/`send` hand the message to Deno at the call (messages
 *   written before the connection opens go out, in order, once it opens);
 *   the returned operation waits while more than `queuelen()` bytes are
 *   buffered (flow control).
 * - Closing: `close` sends the close frame and waits for the client's (up
 *   to `closeTimeout`). Deno cannot drop a connection whose client never
 *   answers the close frame: after the timeout the operation settles and
 *   Deno keeps the connection until the client closes it. Deno also drops
 *   the connection (the client sees 1006) when the client keeps sending
 *   data after the server's close frame, as a flooding client does when
 *   the queue overflows.
 * - Not available: `ping` (Deno sends pings itself, see `idleTimeout`),
 *   fragmented `writer`, permessage-deflate, and the addresses of the
 *   connection (use the `Deno.serve` handler's `info.remoteAddr`).
 *
 * @example An echo server in async code, with a subprotocol
 * ```ts
 * import { upgradeWebSocket } from "@cosocket/websocket";
 *
 * await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
 *   const { socket, response } = upgradeWebSocket(request, { protocols: ["chat"] });
 *   (async () => {
 *     let message;
 *     while ((message = await socket.readMessage()) !== null) await socket.send(`echo: ${message}`);
 *   })();
 *   return response;
 * });
 *
 * const client = new WebSocket(`ws://127.0.0.1:${server.addr.port}/`, ["chat"]);
 * await new Promise((resolve) => client.onopen = resolve);
 * console.log(client.protocol); // "chat"
 * client.send("hi");
 * console.log(await new Promise((resolve) => client.onmessage = (event) => resolve(event.data))); // "echo: hi"
 * client.close();
 * await new Promise((resolve) => client.onclose = resolve);
 * ```
 */
export class NativeWsSocket implements WebSocketConnection, AsyncDisposable {
  readonly #ws: WebSocket;
  readonly #protocol: string;
  readonly #maxMessage: number;
  readonly #maxQueued: number;
  readonly #closeTimeout: number;

  // Incoming messages not yet read, and their sizes in bytes.
  #queue: Message[] = [];
  #sizes: number[] = [];
  #head = 0;
  #queued = 0;
  #reading = false;
  #wake: (() => void) | null = null;
  #paused = false;
  #failure: WebSocketError | null = null;
  #failureThrown = false;

  // Outgoing messages written before the connection opened.
  #outbox: (string | Uint8Array)[] | null = [];
  #outboxBytes = 0;
  #queueLength = DEFAULT_QUEUE_LENGTH;
  #maxBuffered = 4 * MiB;
  /** A held write nobody waited for: the next write reports it. */
  #refused: SocketError | null = null;
  #writersWaiting = 0;

  // Closing.
  #closing = false;
  #closed = false;
  #pendingClose: { code: number | undefined; reason: string } | null = null;
  #closeTimer: ReturnType<typeof setTimeout> | null = null;
  #closeSettled = false;
  #closeWaiters: (() => void)[] = [];
  #closeCode: number | null = null;
  #closeReason = "";

  /** The unconnected socket whose cosocket runs `event`'s function. */
  #cosocket: Socket | null = null;

  static {
    createNative = (ws, protocol, options) => new NativeWsSocket(ws, protocol, options);
  }

  private constructor(ws: WebSocket, protocol: string, options: UpgradeWebSocketOptions) {
    this.#ws = ws;
    this.#protocol = protocol;
    this.#maxMessage = options.maxMessageSize ?? 16 * MiB;
    this.#maxQueued = options.maxQueued ?? 16 * MiB;
    this.#closeTimeout = options.closeTimeout ?? 1000;
    this.#maxBuffered = options.maxBufferedAmount ?? 4 * MiB;
    ws.binaryType = "arraybuffer";
    ws.onopen = () => this.#opened();
    ws.onmessage = (message) => this.#received(message.data as Message);
    ws.onerror = (error) => this.#errored(error);
    ws.onclose = (close) => this.#ended(close.code, close.reason);
  }

  // ------------------------------------------------------------ events in

  #opened(): void {
    const outbox = this.#outbox ?? [];
    this.#outbox = null;
    this.#outboxBytes = 0;
    for (const message of outbox) this.#ws.send(message);
    const pending = this.#pendingClose;
    if (pending !== null) closeNative(this.#ws, pending.code, pending.reason);
  }

  #received(message: Message): void {
    if (this.#closing || this.#failure !== null) return;
    const size = typeof message === "string" ? message.length : message.byteLength;
    // A text's UTF-8 length is between 1 and 3 times its UTF-16 length:
    // count it exactly only when the limit falls in between.
    const bytes = typeof message === "string" && size * 3 > this.#maxMessage
      ? utf8Length(message)
      : size;
    if (bytes > this.#maxMessage) {
      return this.#fail(1009, `Cannot read message: ${bytes} bytes exceed ${this.#maxMessage}`);
    }
    if (this.#queued > 0 && this.#queued + size > this.#maxQueued) {
      return this.#fail(
        1008,
        `Cannot queue message: ${this.#queued} bytes wait for the reader, the limit is ${this.#maxQueued}`,
      );
    }
    this.#queue.push(message);
    this.#sizes.push(size);
    this.#queued += size;
    this.#wake?.();
  }

  #errored(error: Event): void {
    const detail = error instanceof ErrorEvent ? error.message : "connection failed";
    this.#failure ??= new WebSocketError("closed", `Cannot read from WebSocket: ${detail}`, {
      closeCode: 1006,
    });
  }

  #ended(code: number, reason: string): void {
    this.#closed = true;
    this.#closing = true;
    // Deno reports 0 when the connection failed without a close frame.
    this.#closeCode = code === 0 ? 1006 : code;
    this.#closeReason = reason;
    this.#outbox = null;
    this.#settleClose();
    this.#wake?.();
    // A cosocket waiting in its own disable() resumes with [] (as Socket).
    this.#cosocket?.enable();
  }

  /** Closes with `closeCode` for a limit the client broke; readers get the error. */
  #fail(closeCode: number, message: string): void {
    this.#failure ??= new WebSocketError("protocol", message, { closeCode });
    this.#startClose(closeCode, "");
    this.#wake?.();
  }

  // ---------------------------------------------------------------- reading

  /**
   * Reads the next message as one piece, in `WsSocket#read`'s form.
   *
   * @param timeout The longest wait in milliseconds; a timeout is not fatal.
   * @returns The message (`final` true, `bytesRead === frameLength`), or
   * `null` once the connection has closed and the queue is empty.
   * @throws {WebSocketError} `protocol` once, when the connection was
   * closed for a limit (1009 message too big, 1008 queue overflow), after
   * the messages queued before; `closed` when the connection failed.
   * @throws {SocketError} `timeout`; `busy` while another read waits;
   * `incorrectuse` when a cosocket owns the socket and the caller is not it.
   *
   * @example
   * ```ts
   * import { upgradeWebSocket } from "@cosocket/websocket";
   *
   * const piece = Promise.withResolvers<unknown>();
   * await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
   *   const { socket, response } = upgradeWebSocket(request);
   *   socket.read().then(piece.resolve, piece.reject);
   *   return response;
   * });
   * const client = new WebSocket(`ws://127.0.0.1:${server.addr.port}/`);
   * client.onopen = () => client.send("text");
   * const { data, utf8, final } = (await piece.promise) as {
   *   data: Uint8Array;
   *   utf8: boolean;
   *   final: boolean;
   * };
   * console.log(data.length, utf8, final); // 4 true true
   * client.close();
   * await new Promise((resolve) => client.onclose = resolve);
   * ```
   */
  read(timeout?: number): Operation<WsChunk | null> {
    return new MethodOperation(this.#readChunk, this, timeout);
  }

  *#readChunk(timeout: number | undefined): Generator<Suspension, WsChunk | null> {
    const message = yield* this.#next(timeout, "read from");
    if (message === null) return null;
    const utf8 = typeof message === "string";
    const data = utf8 ? encoder.encode(message) : new Uint8Array(message);
    return { data, utf8, bytesRead: data.length, frameLength: data.length, final: true };
  }

  /**
   * Reads one whole message: a string for text, bytes for binary.
   *
   * @param timeout The longest wait in milliseconds; a timeout is not fatal.
   * @returns The message, or `null` once the connection has closed and the
   * queue is empty.
   * @throws {WebSocketError} As {@linkcode NativeWsSocket.read}.
   * @throws {SocketError} As {@linkcode NativeWsSocket.read}.
   *
   * @example
   * ```ts
   * import { upgradeWebSocket } from "@cosocket/websocket";
   *
   * const received = Promise.withResolvers<unknown>();
   * await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
   *   const { socket, response } = upgradeWebSocket(request);
   *   socket.readMessage().then(received.resolve, received.reject);
   *   return response;
   * });
   * const client = new WebSocket(`ws://127.0.0.1:${server.addr.port}/`);
   * client.onopen = () => client.send(new Uint8Array([1, 2, 3]));
   * console.log(await received.promise); // Uint8Array(3) [ 1, 2, 3 ]
   * client.close();
   * await new Promise((resolve) => client.onclose = resolve);
   * ```
   */
  readMessage(timeout?: number): Operation<string | Uint8Array | null> {
    return new MethodOperation(this.#readMessage, this, timeout);
  }

  *#readMessage(timeout: number | undefined): Generator<Suspension, string | Uint8Array | null> {
    const message = yield* this.#next(timeout, "read from");
    return message === null || typeof message === "string" ? message : new Uint8Array(message);
  }

  /**
   * Iterates over whole messages until the connection closes. Leaving the
   * loop early does not close the connection.
   *
   * @returns An async iterator of messages.
   *
   * @example
   * ```ts
   * import { upgradeWebSocket } from "@cosocket/websocket";
   *
   * const done = Promise.withResolvers<string[]>();
   * await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
   *   const { socket, response } = upgradeWebSocket(request);
   *   (async () => {
   *     const messages: string[] = [];
   *     for await (const message of socket) messages.push(message as string);
   *     done.resolve(messages);
   *   })();
   *   return response;
   * });
   * const client = new WebSocket(`ws://127.0.0.1:${server.addr.port}/`);
   * client.onopen = () => {
   *   client.send("one");
   *   client.send("two");
   *   client.close();
   * };
   * console.log(await done.promise); // ["one", "two"]
   * ```
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<string | Uint8Array, void, undefined> {
    let message;
    while ((message = await this.readMessage()) !== null) yield message;
  }

  /** Waits for the next message; `null` at the end. */
  *#next(timeout: number | undefined, action: string): Generator<Suspension, Message | null> {
    this.#checkReader(action);
    this.#reading = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let expired = false;
    try {
      while (true) {
        if ((!this.#paused || this.#closed) && this.#head < this.#queue.length) {
          return this.#take();
        }
        if (this.#failure !== null) {
          if (this.#failureThrown) return null;
          this.#failureThrown = true;
          throw this.#failure;
        }
        if (this.#closed) return null;
        if (expired) {
          throw new SocketError(
            "timeout",
            `Cannot ${action} WebSocket: no message within ${timeout} ms`,
          );
        }
        const wait = new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
        if (timeout !== undefined && timer === undefined) {
          timer = setTimeout(() => {
            expired = true;
            this.#wake?.();
          }, timeout);
        }
        yield wait;
        this.#wake = null;
      }
    } finally {
      // Also reached when a waiting cosocket is halted: the message that
      // would have woken it stays queued for the next reader.
      this.#wake = null;
      this.#reading = false;
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  #checkReader(action: string): void {
    const task = this.#cosocket?.task;
    if (task && !task.done && !this.owner()) {
      throw new SocketError(
        "incorrectuse",
        `Cannot ${action} WebSocket: it belongs to another cosocket`,
      );
    }
    if (this.#reading) {
      throw new SocketError("busy", `Cannot ${action} WebSocket: another read is waiting`);
    }
  }

  #take(): Message {
    const message = this.#queue[this.#head]!;
    this.#queued -= this.#sizes[this.#head]!;
    this.#head++;
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#sizes = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#sizes = this.#sizes.slice(this.#head);
      this.#head = 0;
    }
    return message;
  }

  // ---------------------------------------------------------------- writing

  /**
   * Sends one message (the seed's `socket:write(data, utf8)`): binary
   * unless `utf8` is `true`, then text. The message is handed to Deno at the
   * call; awaiting or delegating waits while more than `queuelen()` bytes
   * are buffered.
   *
   * @param data The message. A string sent as binary is its UTF-8 bytes;
   * bytes sent as text must be valid UTF-8.
   * @param utf8 `true` to send a text message.
   * @returns An operation that settles when the buffer is below `queuelen()`.
   * @throws {SocketError} `closed` when the connection is closing or
   * closed (also from the operation, when it closes while the write waits).
   * @throws {TypeError} For text given as bytes that are not valid UTF-8.
   *
   * @example
   * ```ts
   * import { upgradeWebSocket } from "@cosocket/websocket";
   *
   * await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
   *   const { socket, response } = upgradeWebSocket(request);
   *   socket.write("as text", true);
   *   socket.write("as binary");
   *   return response;
   * });
   * const client = new WebSocket(`ws://127.0.0.1:${server.addr.port}/`);
   * const received: unknown[] = [];
   * await new Promise<void>((resolve) => {
   *   client.onmessage = (event) => received.push(event.data) === 2 && resolve();
   * });
   * console.log(typeof received[0], received[1] instanceof Blob); // "string" true
   * client.close();
   * await new Promise((resolve) => client.onclose = resolve);
   * ```
   */
  write(data: Uint8Array | string, utf8?: boolean): Operation<void> {
    utf8 ??= false;
    this.#checkWritable("write message");
    let message: string | Uint8Array;
    if (utf8) {
      if (typeof data === "string") message = data;
      else {
        try {
          message = fatalDecoder.decode(data);
        } catch {
          throw new TypeError("Cannot write text message: data is not valid UTF-8");
        }
      }
    } else {
      // Deno copies the bytes at the call, so the caller may reuse its buffer.
      message = typeof data === "string" ? encoder.encode(data) : data;
    }
    const size = typeof message === "string" ? utf8Length(message) : message.length;
    if (this.#outbox !== null) {
      this.#outbox.push(message);
      this.#outboxBytes += size;
    } else if (this.bufferedAmount === 0 || this.bufferedAmount + size <= this.#maxBuffered) {
      this.#ws.send(message);
    } else {
      return this.#held(message, size);
    }
    return operation(() => this.#drain());
  }

  *#sendHeld(message: string | Uint8Array): Generator<Suspension, void> {
    yield* this.#drain();
    this.#checkWritable("write message");
    this.#ws.send(message);
    yield* this.#drain();
  }

  /**
   * A write over `maxBufferedAmount`: sent once there is room if its caller
   * waits for it, dropped (and reported on the next write) if not.
   */
  #held(message: string | Uint8Array, size: number): Operation<void> {
    let waited = false;
    const queued = this.bufferedAmount;
    // Formatted only if the warning is shown (source-mapped stacks are costly).
    const callSite = new Error();
    const held = operation(() => {
      waited = true;
      return this.#sendHeld(message);
    });
    queueMicrotask(() =>
      queueMicrotask(() => {
        if (waited) return;
        this.#refused ??= new SocketError(
          "queuefull",
          `Cannot write to WebSocket: an earlier message of ${size} bytes was dropped because ` +
            `${queued} bytes were already buffered (maxBufferedAmount ${this.#maxBuffered}) and ` +
            "its caller did not wait: use yield* (or await) with write()/send()",
        );
        if (warnedRefusal) return;
        warnedRefusal = true;
        console.warn(
          `${this.#refused.message}\nThe dropped write was called at:\n${callSiteOf(callSite)}`,
        );
      })
    );
    return held;
  }

  /**
   * Sends one message the way `WebSocket#send` does: a string as text,
   * bytes as binary.
   *
   * @param data The message.
   * @returns The write, as {@linkcode NativeWsSocket.write}.
   * @throws {SocketError} As {@linkcode NativeWsSocket.write}.
   *
   * @example
   * ```ts
   * import { upgradeWebSocket } from "@cosocket/websocket";
   *
   * await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
   *   const { socket, response } = upgradeWebSocket(request);
   *   socket.send("hi");
   *   return response;
   * });
   * const client = new WebSocket(`ws://127.0.0.1:${server.addr.port}/`);
   * console.log(await new Promise((resolve) => client.onmessage = (event) => resolve(event.data))); // "hi"
   * client.close();
   * await new Promise((resolve) => client.onclose = resolve);
   * ```
   */
  send(data: string | Uint8Array): Operation<void> {
    return this.write(data, typeof data === "string");
  }

  *#drain(): Generator<Suspension, void> {
    if (this.bufferedAmount <= this.#queueLength) return;
    this.#writersWaiting++;
    let immediate: ReturnType<typeof setImmediate> | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      // Deno lowers bufferedAmount when a send completes but has no event
      // for it: poll while over the limit, once per event-loop turn at first
      // (setImmediate runs after I/O, and timers are clamped to a
      // millisecond or more), then every millisecond for a slow client.
      for (let polls = 0;; polls++) {
        // Checked first: Deno empties bufferedAmount when the connection
        // closes, sent or not.
        if (this.#closed) {
          throw new SocketError("closed", "Cannot write message: the WebSocket closed");
        }
        if (this.bufferedAmount <= this.#queueLength) return;
        yield new Promise<void>((resolve) => {
          if (polls < FAST_POLLS) immediate = setImmediate(resolve);
          else timer = setTimeout(resolve, 1);
        });
        immediate = timer = undefined;
      }
    } finally {
      this.#writersWaiting--;
      if (immediate !== undefined) clearImmediate(immediate);
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  #checkWritable(action: string): void {
    const refused = this.#refused;
    if (refused !== null) {
      this.#refused = null;
      throw refused;
    }
    if (this.#closing || this.#closed) {
      const phase = this.#closed ? "closed" : "closing";
      throw new SocketError("closed", `Cannot ${action}: the WebSocket is ${phase}`);
    }
  }

  /**
   * Not available: Deno's native WebSocket cannot send a ping from
   * JavaScript. Deno pings the client itself every `idleTimeout` seconds
   * (an option of {@linkcode upgradeWebSocket}) and closes the connection
   * when the pong does not come.
   *
   * @param _data The payload a ping would carry.
   * @returns Never.
   * @throws {SocketError} Always, code `incorrectuse`.
   *
   * @example
   * ```ts
   * import { upgradeWebSocket } from "@cosocket/websocket";
   * import { SocketError } from "@cosocket/socket";
   *
   * const tried = Promise.withResolvers<string>();
   * await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
   *   const { socket, response } = upgradeWebSocket(request, { idleTimeout: 30 });
   *   try {
   *     socket.ping();
   *   } catch (error) {
   *     tried.resolve((error as SocketError).code);
   *   }
   *   socket.close();
   *   return response;
   * });
   * const client = new WebSocket(`ws://127.0.0.1:${server.addr.port}/`);
   * console.log(await tried.promise); // "incorrectuse"
   * await new Promise((resolve) => client.onclose = resolve);
   * ```
   */
  ping(_data?: Uint8Array | string): Operation<void> {
    throw new SocketError(
      "incorrectuse",
      "Cannot ping: Deno's native WebSocket cannot send pings from JavaScript, use the idleTimeout option",
    );
  }

  /**
   * Bytes handed to Deno (or waiting for the connection to open) and not
   * yet sent.
   */
  get bufferedAmount(): number {
    return this.#outboxBytes + this.#ws.bufferedAmount;
  }

  /**
   * Gets or sets how many bytes may be buffered before writes wait, as
   * `Socket#queuelen`.
   *
   * @param size The new length in bytes.
   * @returns The queue length.
   * @throws {RangeError} For a negative or non-integer size.
   */
  queuelen(size?: number): number {
    if (size !== undefined) {
      if (!Number.isInteger(size) || size < 0) {
        throw new RangeError(`Cannot set queue length: invalid size ${size}`);
      }
      this.#queueLength = size;
    }
    return this.#queueLength;
  }

  // ---------------------------------------------------------------- closing

  /**
   * Starts the closing handshake: sends a close frame at once (or as soon
   * as the connection opens); the returned operation settles when the
   * client's close frame arrived or `closeTimeout` passed. Messages still
   * queued stay readable.
   *
   * @param code The close code (1000 normal closure; omit for none).
   * @param reason A reason of at most 123 UTF-8 bytes (needs a code).
   * @returns An operation that settles when the connection is closed (or
   * the close timeout passed).
   * @throws {RangeError} For a code that may not be sent, or a reason that
   * is too long or has no code.
   *
   * @example
   * ```ts
   * import { upgradeWebSocket } from "@cosocket/websocket";
   *
   * const closed = Promise.withResolvers<number | null>();
   * await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
   *   const { socket, response } = upgradeWebSocket(request);
   *   socket.close(4000, "bye").then(() => closed.resolve(socket.closeCode));
   *   return response;
   * });
   * const client = new WebSocket(`ws://127.0.0.1:${server.addr.port}/`);
   * const event = await new Promise<CloseEvent>((resolve) => client.onclose = resolve);
   * console.log(event.code, event.reason, await closed.promise); // 4000 "bye" 4000
   * ```
   */
  close(code?: number, reason?: string): Operation<void> {
    reason ??= "";
    closePayload(code, reason); // validates as WsSocket#close does
    this.#startClose(code, reason);
    return operation(() => this.#awaitClosed());
  }

  #startClose(code: number | undefined, reason: string): void {
    if (this.#closing || this.#closed) return;
    this.#closing = true;
    if (this.#outbox !== null) this.#pendingClose = { code, reason };
    else closeNative(this.#ws, code, reason);
    this.#closeTimer = setTimeout(() => this.#settleClose(), this.#closeTimeout);
  }

  #settleClose(): void {
    if (this.#closeTimer !== null) clearTimeout(this.#closeTimer);
    this.#closeTimer = null;
    this.#closeSettled = true;
    const waiters = this.#closeWaiters;
    this.#closeWaiters = [];
    for (const wake of waiters) wake();
  }

  *#awaitClosed(): Generator<Suspension, void> {
    if (this.#closeSettled) return;
    let wake!: () => void;
    const settled = new Promise<void>((resolve) => {
      wake = resolve;
      this.#closeWaiters.push(resolve);
    });
    try {
      yield settled;
    } finally {
      const index = this.#closeWaiters.indexOf(wake);
      if (index >= 0) this.#closeWaiters.splice(index, 1);
    }
  }

  /**
   * Closes with 1000 and waits for the closing handshake (`await using`);
   * a cosocket still running on the socket is halted.
   *
   * @returns A promise that settles when the connection is closed.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.#closing) this.#startClose(1000, "");
    await this.#awaitClosedPromise();
    const task = this.task;
    if (task !== null && !task.done && !this.owner()) await task.halt();
  }

  #awaitClosedPromise(): PromiseLike<void> {
    return operation(() => this.#awaitClosed());
  }

  /**
   * The client's close code once the connection closed: 1005 when its
   * close frame had none, 1006 when the connection failed without one;
   * `null` while open.
   */
  get closeCode(): number | null {
    return this.#closeCode;
  }

  /** The client's close reason, `""` when none. */
  get closeReason(): string {
    return this.#closeReason;
  }

  /** The negotiated subprotocol, `""` when none. */
  get protocol(): string {
    return this.#protocol;
  }

  /** The negotiated extensions: always `""` (Deno's server has none). */
  get extensions(): string {
    return this.#ws.extensions;
  }

  // ------------------------------------------------------------ cosockets

  /**
   * Runs a generator function as the cosocket of this connection (the
   * seed's `socket:event`): it receives the socket and `args`, and from then
   * on only it may read. When it returns, throws or is halted, the
   * connection closes with 1000, 1011 or 1001.
   *
   * @param fn The cosocket.
   * @param args The arguments after the socket.
   * @returns This socket.
   * @throws {SocketError} `incorrectuse` when a cosocket already runs on
   * it, `closed` when the connection has closed.
   *
   * @example
   * ```ts
   * import { type NativeWsSocket, upgradeWebSocket } from "@cosocket/websocket";
   *
   * await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
   *   const { socket, response } = upgradeWebSocket(request);
   *   socket.event(function* (ws: NativeWsSocket, greeting: string) {
   *     yield* ws.send(greeting);
   *     yield* ws.readMessage(); // until the client closes
   *   }, "welcome");
   *   return response;
   * });
   * const client = new WebSocket(`ws://127.0.0.1:${server.addr.port}/`);
   * console.log(await new Promise((resolve) => client.onmessage = (event) => resolve(event.data))); // "welcome"
   * client.close();
   * await new Promise((resolve) => client.onclose = resolve);
   * ```
   */
  event<A extends unknown[]>(
    fn: (ws: NativeWsSocket, ...args: A) => Iterator<Suspension, unknown, unknown>,
    ...args: A
  ): this {
    const running = this.#cosocket?.task;
    if (running && !running.done) {
      throw new SocketError("incorrectuse", "Cannot start cosocket: the WebSocket already has one");
    }
    if (this.#closed) {
      throw new SocketError("closed", "Cannot start cosocket: the WebSocket is closed");
    }
    this.#cosocket = event((_socket: Socket, ...rest: A) => this.#runCosocket(fn, rest), ...args);
    return this;
  }

  *#runCosocket<A extends unknown[]>(
    fn: (ws: NativeWsSocket, ...args: A) => Iterator<Suspension, unknown, unknown>,
    args: A,
  ): Generator<Suspension, unknown> {
    // The cosocket starts inside event(), before event() returns the socket.
    this.#cosocket = getsock();
    yield* ensure((end) => this.#teardown(end));
    return yield* { [Symbol.iterator]: () => fn(this, ...args) };
  }

  /**
   * Closes the connection when its cosocket ends; registered with `ensure`
   * so that it runs, and the client gets its close frame, even after a halt.
   */
  #teardown(end: CosocketEnd): Promise<void> | void {
    if (this.#closed) return;
    if (!this.#closing) {
      this.#startClose(end === "returned" ? 1000 : end === "halted" ? 1001 : 1011, "");
    }
    return Promise.resolve(this.#awaitClosedPromise());
  }

  /** The cosocket bound to this connection, or `null`. */
  get task(): Task<unknown> | null {
    return this.#cosocket?.task ?? null;
  }

  /**
   * Reports whether the code running now is the cosocket that owns this
   * connection (the seed's `socket:owner`).
   *
   * @returns `true` inside the owning cosocket.
   */
  owner(): boolean {
    return this.#cosocket !== null && getsock() === this.#cosocket;
  }

  /**
   * Suspends the connection's events (the seed's `socket:disable`). Called
   * by the owning cosocket, it suspends the cosocket until `enable(...values)`
   * (and returns those values) or until the connection closes (and returns
   * `[]`). Called from elsewhere, it stops reads from receiving messages
   * until `enable()`; messages wait in the queue meanwhile, within
   * `maxQueued`.
   *
   * @returns The values passed to `enable`.
   *
   * @example Pausing delivery from outside
   * ```ts
   * import { upgradeWebSocket } from "@cosocket/websocket";
   *
   * const received = Promise.withResolvers<unknown>();
   * await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
   *   const { socket, response } = upgradeWebSocket(request);
   *   socket.disable();
   *   socket.readMessage().then(received.resolve, received.reject);
   *   setTimeout(() => socket.enable(), 50);
   *   return response;
   * });
   * const client = new WebSocket(`ws://127.0.0.1:${server.addr.port}/`);
   * client.onopen = () => client.send("waited");
   * console.log(await received.promise); // "waited"
   * client.close();
   * await new Promise((resolve) => client.onclose = resolve);
   * ```
   */
  disable(): Operation<unknown[]> {
    const cosocket = this.#cosocket;
    if (cosocket !== null && this.owner()) {
      return this.#closed ? resolved([]) : cosocket.disable();
    }
    this.#paused = true;
    return resolved([]);
  }

  /**
   * Resumes a disabled connection (the seed's `socket:enable`).
   *
   * @param values What `disable()` returns in the cosocket.
   * @returns `true` when something was disabled.
   */
  enable(...values: unknown[]): boolean {
    let enabled = false;
    if (this.#paused) {
      this.#paused = false;
      this.#wake?.();
      enabled = true;
    }
    if (this.#cosocket?.enable(...values)) enabled = true;
    return enabled;
  }

  /**
   * Reports the connection's state (the seed's `socket:state`): `connect`
   * before it opens, `read` while a reader or the owning cosocket waits for
   * a message (or in `disable()`), `write` while a writer waits for the
   * buffer to drain, `exec` otherwise, `notcon` once closed.
   *
   * @returns The state and whether the connection is open.
   */
  state(): SocketStatus {
    const open = this.#ws.readyState === WebSocket.OPEN;
    if (this.#closed) return { state: "notcon", connected: false };
    if (this.owner()) return { state: "exec", connected: open };
    const cosocketState = this.#cosocket?.task?.done === false
      ? this.#cosocket.state().state
      : null;
    if (this.#reading || cosocketState === "read") return { state: "read", connected: open };
    if (this.#writersWaiting > 0) return { state: "write", connected: open };
    if (this.#ws.readyState === WebSocket.CONNECTING) return { state: "connect", connected: false };
    return { state: "exec", connected: open };
  }
}

/** An operation that is done at once with `value`. */
function resolved<T>(value: T): Operation<T> {
  return {
    [Symbol.iterator]: () => ({ next: () => ({ done: true, value }) }),
    then: (onfulfilled, onrejected) => Promise.resolve(value).then(onfulfilled, onrejected),
  };
}

/** Deno's close, without a reason when there is no code. */
function closeNative(ws: WebSocket, code: number | undefined, reason: string): void {
  if (code === undefined) ws.close();
  else ws.close(code, reason);
}

/** The UTF-8 length of a string (lone surrogates count as U+FFFD, as Deno sends them). */
function utf8Length(text: string): number {
  let length = text.length;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x80) continue;
    if (code < 0x800) length += 1;
    else if (code >= 0xd800 && code <= 0xdbff && index + 1 < text.length) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        length += 2; // the pair: 2 units, 4 bytes
        index++;
      } else length += 2;
    } else length += 2;
  }
  return length;
}
