import {
  type CosocketEnd,
  ensure,
  type Operation,
  operation,
  type Socket,
  type SocketAddress,
  SocketError,
  type SocketStatus,
  type Suspension,
  type Task,
  type WriteOperation,
} from "@cosocket/socket";
import { parseCookies } from "@cosocket/http/parse-cookies";
import {
  closePayload,
  FrameBuilder,
  isValidCloseCode,
  MAX_CONTROL_PAYLOAD,
  OP_BINARY,
  OP_CLOSE,
  OP_CONTINUATION,
  OP_PING,
  OP_PONG,
  OP_TEXT,
} from "./_frame.ts";
import type { PerMessageDeflate } from "./_permessage_deflate.ts";
import { isValidUtf8 } from "./_utf8.ts";
import { FrameReceiver, isClosedError } from "./_frame_receiver.ts";
import { FrameSender } from "./_frame_sender.ts";
import { MethodOperation } from "./_method_operation.ts";
import { spare } from "./_spare.ts";
import type { WebSocketConnection, WsChunk } from "./web_socket_connection.ts";
import { WebSocketError } from "./web_socket_error.ts";
import type { UpgradeRequest } from "./upgrade_request.ts";
import {
  DEFAULT_MAX_BUFFERED_AMOUNT,
  type WsMessageWriter,
  type WsSocketOptions,
} from "./ws_socket_options.ts";

/** How a WebSocket connection was set up; internal to this package. */
export interface WsSetup {
  socket: Socket;
  client: boolean;
  protocol: string;
  extensions: string;
  deflate: PerMessageDeflate | null;
  options: WsSocketOptions;
  /** The upgrade request (server side). */
  request?: UpgradeRequest | null;
}

/** @internal Creates a WebSocket over a socket whose handshake is done. */
export let createWsSocket: (setup: WsSetup) => WsSocket;
/** @internal The teardown that closes a WebSocket when its cosocket ends. */
export let closeOnExit: (ws: WsSocket, end: CosocketEnd) => Promise<void> | void;

const DEFAULT_LIMIT = 16 * 1024 * 1024;
const DEFAULT_MAX_FRAGMENTS = 131072;
const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();
// A leading U+FEFF is text like any other (RFC 6455 §5.6), not a BOM to drop.
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
const fatalDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

type Phase = "open" | "closing" | "closed";

/** What a read waits for before it can hand out a piece (see `#nextPiece`). */
const MORE_BYTES = 0;
const CONTROL_FRAME = 1;
const VIOLATION = 2;
type Wait = typeof MORE_BYTES | typeof CONTROL_FRAME | typeof VIOLATION;
/** A whole text message that is not valid UTF-8 (see `#messagePiece`). */
const INVALID_TEXT = 3;

/**
 * A WebSocket connection (RFC 6455) that is also a socket: the seed's
 * read/write/close/event/disable/enable/state API, awaited from async code
 * or delegated to (`yield*`) inside a cosocket.
 *
 * Incoming data comes three ways: {@linkcode read} returns data as it
 * trickles in with the seed's flags, {@linkcode readMessage} returns whole
 * messages (a string for text, bytes for binary), and `for await` iterates
 * over messages. Pings are answered, the closing handshake is completed,
 * UTF-8 is validated as it arrives, and every frame is checked against the
 * RFC and the configured limits: a violation closes the connection with the
 * right code and the read throws a {@linkcode WebSocketError}.
 *
 * Create one with `upgrade` (server) or `connect` (client).
 *
 * @example An echo server as a cosocket and a client in async code
 * ```ts
 * import { bind, type Socket } from "@cosocket/socket";
 * import { connect, upgrade } from "@cosocket/websocket";
 *
 * function* echo(sock: Socket) {
 *   const ws = yield* upgrade(sock);
 *   let message;
 *   while ((message = yield* ws.readMessage()) !== null) yield* ws.send(message);
 * }
 * await using server = bind(0, { hostname: "127.0.0.1" }).event(function* (listener) {
 *   let client;
 *   while ((client = yield* listener.accept()) !== null) client.event(echo);
 * });
 *
 * await using ws = await connect(`ws://127.0.0.1:${server.sockname().port}/`);
 * await ws.send("hello");
 * console.log(await ws.readMessage()); // "hello"
 * ```
 */
export class WsSocket implements WebSocketConnection, AsyncDisposable {
  readonly #socket: Socket;
  readonly #protocol: string;
  readonly #request: UpgradeRequest | null;
  readonly #extensions: string;
  readonly #deflate: PerMessageDeflate | null;
  readonly #builder: FrameBuilder;
  readonly #closeTimeout: number;
  readonly #reuse: boolean;
  /** Frames in: parsing, checks, pieces (see _frame_receiver.ts). */
  readonly #rx: FrameReceiver;
  /** Frames out: framing, ordering, batching, flow control (see _frame_sender.ts). */
  readonly #tx: FrameSender;
  #reading = false;
  /** The message being assembled from pieces, and its size so far. */
  #whole: Uint8Array | null = null;
  #wholeSize = 0;

  // Writing a fragmented message.
  #writerOpen = false;

  // Closing.
  #phase: Phase = "open";
  #closeReceived = false;
  #closeCode: number | null = null;
  #closeReason = "";
  /** The receiver's failure was thrown to a reader once. */
  #failureThrown = false;
  #closeTimer: ReturnType<typeof setTimeout> | null = null;
  #done: PromiseWithResolvers<void> | null = null;

  // Heartbeat.
  #heartbeat: ReturnType<typeof setInterval> | null = null;
  #awaitingPong = false;

  static {
    createWsSocket = (setup) => new WsSocket(setup);
    closeOnExit = (ws, end) => ws.#teardown(end);
  }

  private constructor(setup: WsSetup) {
    const options = setup.options;
    this.#socket = setup.socket;
    this.#protocol = setup.protocol;
    this.#request = setup.request ?? null;
    this.#extensions = setup.extensions;
    this.#deflate = setup.deflate;
    this.#builder = new FrameBuilder(setup.client);
    this.#closeTimeout = options.closeTimeout ?? 1000;
    this.#reuse = options.reuseReadBuffer ?? false;
    this.#rx = new FrameReceiver({
      socket: setup.socket,
      client: setup.client,
      deflate: setup.deflate,
      maxFrame: options.maxFrameSize ?? DEFAULT_LIMIT,
      maxMessage: options.maxMessageSize ?? DEFAULT_LIMIT,
      maxFragments: options.maxFragments ?? DEFAULT_MAX_FRAGMENTS,
      reuse: this.#reuse,
    });
    this.#tx = new FrameSender({
      socket: setup.socket,
      builder: this.#builder,
      deflate: setup.deflate,
      fragmentSize: options.fragmentSize ?? 0,
      maxBuffered: options.maxBufferedAmount ?? DEFAULT_MAX_BUFFERED_AMOUNT,
    });
    const heartbeat = options.heartbeat ?? 0;
    if (heartbeat > 0) this.#heartbeat = setInterval(() => this.#beat(heartbeat), heartbeat);
  }

  // ---------------------------------------------------------------- reading

  /**
   * Reads the next piece of incoming data, as it trickles in (the seed's
   * `socket:read` on a WebSocket): at most the rest of the current frame,
   * with `bytesRead` and `frameLength` telling how much of the frame has
   * arrived and `final` whether the message ends here. Control frames are
   * handled on the way: pings answered, the close handshake completed.
   *
   * @param timeout The longest wait for data from the network, in
   * milliseconds; a timeout is not fatal.
   * @returns The piece, or `null` once the connection has closed (the
   * peer's close frame, or the TCP connection ending).
   * @throws {WebSocketError} `protocol` when the peer broke the protocol or
   * a limit; the connection was closed with {@linkcode WebSocketError.closeCode}.
   * @throws {SocketError} `timeout`, `busy` when another read waits,
   * `incorrectuse` when another cosocket owns the connection.
   *
   * @example Assembling frames from pieces, as in the seed
   * ```ts
   * import { bind } from "@cosocket/socket";
   * import { connect, upgrade } from "@cosocket/websocket";
   *
   * await using server = bind(0, { hostname: "127.0.0.1" });
   * const accepted = server.accept().then((sock) => upgrade(sock!));
   * await using client = await connect(`ws://127.0.0.1:${server.sockname().port}`);
   * await using ws = await accepted;
   * await client.write("a text frame", true);
   * const piece = (await ws.read())!;
   * console.log(piece.utf8, piece.bytesRead === piece.frameLength); // true true
   * ```
   */
  read(timeout?: number): Operation<WsChunk | null> {
    return new MethodOperation(this.#readChunk, this, timeout);
  }

  *#readChunk(timeout: number | undefined): Generator<Suspension, WsChunk | null> {
    const data = (yield* this.#read(timeout, false)) as Uint8Array | null;
    if (data === null) return null;
    const rx = this.#rx;
    return {
      data: this.#reuse || rx.pieceOwned ? data : rx.own(data),
      utf8: rx.pieceUtf8,
      bytesRead: rx.pieceBytesRead,
      frameLength: rx.pieceFrameLength,
      final: rx.pieceFinal,
    };
  }

  /**
   * Reads one whole message: a string for text, bytes for binary.
   *
   * @param timeout The longest wait for data from the network, in
   * milliseconds; a timeout is not fatal and keeps what arrived.
   * @returns The message, or `null` once the connection has closed.
   * @throws {WebSocketError} As {@linkcode read}.
   * @throws {SocketError} As {@linkcode read}.
   *
   * @example
   * ```ts
   * import { bind } from "@cosocket/socket";
   * import { connect, upgrade } from "@cosocket/websocket";
   *
   * await using server = bind(0, { hostname: "127.0.0.1" });
   * const accepted = server.accept().then((sock) => upgrade(sock!));
   * await using client = await connect(`ws://127.0.0.1:${server.sockname().port}`);
   * await using ws = await accepted;
   * await client.send(new Uint8Array([1, 2, 3]));
   * console.log(await ws.readMessage()); // Uint8Array(3) [ 1, 2, 3 ]
   * ```
   */
  readMessage(timeout?: number): Operation<string | Uint8Array | null> {
    return new MethodOperation(this.#readMessage, this, timeout);
  }

  /**
   * Iterates over whole messages until the connection closes. Leaving the
   * loop early does not close the connection.
   *
   * @returns An async iterator of messages.
   *
   * @example
   * ```ts
   * import { bind } from "@cosocket/socket";
   * import { connect, upgrade } from "@cosocket/websocket";
   *
   * await using server = bind(0, { hostname: "127.0.0.1" });
   * const accepted = server.accept().then((sock) => upgrade(sock!));
   * const client = await connect(`ws://127.0.0.1:${server.sockname().port}`);
   * await using ws = await accepted;
   * await client.send("one");
   * await client.send("two");
   * const closing = client.close();
   * for await (const message of ws) console.log(message); // "one", then "two"
   * await closing;
   * ```
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<string | Uint8Array, void, undefined> {
    let message;
    while ((message = await this.readMessage()) !== null) yield message;
  }

  #readMessage(timeout: number | undefined): Generator<Suspension, string | Uint8Array | null> {
    return this.#read(timeout, true);
  }

  /**
   * Takes a piece of the message being read: the whole message once its
   * last piece arrived, `undefined` while more pieces are to come, or
   * `INVALID_TEXT`. Pieces are copied as they come (the receive buffer is
   * reused); a frame whose length is known gets the right size at once.
   */
  #messagePiece(data: Uint8Array): string | Uint8Array | undefined | typeof INVALID_TEXT {
    const rx = this.#rx;
    const final = rx.pieceFinal;
    let whole = this.#whole;
    if (final && whole === null) {
      if (!rx.pieceUtf8) return this.#reuse || rx.pieceOwned ? data : rx.own(data);
      return this.#textMessage(data) ?? INVALID_TEXT;
    }
    const size = this.#wholeSize;
    const needed = size + data.length;
    if (whole === null || needed > whole.length) {
      const capacity = Math.max(needed, rx.pieceFrameLength, whole === null ? 0 : whole.length * 2);
      const grown = new Uint8Array(Math.min(capacity, Math.max(needed, rx.maxMessage)));
      if (whole !== null) grown.set(whole.subarray(0, size));
      whole = this.#whole = grown;
    }
    whole.set(data, size);
    this.#wholeSize = needed;
    if (!final) return undefined;
    this.#dropPartial();
    const message = whole.subarray(0, needed);
    return rx.pieceUtf8 ? decoder.decode(message) : message;
  }

  /** A whole single-piece text message, decoded (and validated, if not yet). */
  #textMessage(data: Uint8Array): string | null {
    const text = this.#validatedText(data);
    if (text !== null && data === spare.bytes) {
      // Its bytes stay valid until this connection reads again (see fill).
      spare.text = text;
      spare.textBytes = data;
    }
    return text;
  }

  /**
   * A whole single-piece text message, decoded and, if not done yet,
   * validated: the lenient decoder turns every invalid sequence into
   * U+FFFD, so text without one is valid, and only text that has one needs
   * the exact check (a fatal decoder is several times slower).
   */
  #validatedText(data: Uint8Array): string | null {
    const text = decoder.decode(data);
    if (this.#rx.validatedPiece || !text.includes("\uFFFD") || isValidUtf8(data)) return text;
    return null;
  }

  *#invalidText(): Generator<Suspension, never> {
    return yield* this.#failConnectionWith(1007, "Cannot read message: text is not valid UTF-8");
  }

  /**
   * The next piece of data (its flags land in the receiver's piece fields),
   * or with `message`, the next whole message; `null` once the connection
   * has closed. Control frames are handled on the way. One generator per
   * read, whatever the number of pieces: the socket read is delegated to
   * from here.
   */
  *#read(
    timeout: number | undefined,
    message: boolean,
  ): Generator<Suspension, string | Uint8Array | null> {
    this.#enterRead();
    const rx = this.#rx;
    try {
      while (true) {
        const piece = this.#nextPiece(message);
        if (piece === MORE_BYTES) {
          let count: number | null = null;
          try {
            count = yield* this.#socket.readInto(rx.fillBuffer(), timeout);
          } catch (error) {
            if (!isClosedError(error)) throw error;
          }
          if (!rx.filled(count)) return this.#ended();
          continue;
        }
        if (typeof piece === "number") {
          if (!(yield* this.#awaitFrame(piece, timeout))) return this.#ended();
          continue;
        }
        if (piece === null) return null;
        if (!message) {
          // A message that ends through read() leaves nothing half assembled.
          if (rx.pieceFinal && this.#whole !== null) this.#dropPartial();
          return piece;
        }
        const whole = this.#messagePiece(piece);
        if (whole === INVALID_TEXT) {
          this.#reading = false;
          return yield* this.#invalidText();
        }
        if (whole !== undefined) return whole;
      }
    } finally {
      this.#reading = false;
    }
  }

  #dropPartial(): void {
    this.#whole = null;
    this.#wholeSize = 0;
  }

  #enterRead(): void {
    if (this.#reading) {
      throw new SocketError("busy", "Cannot read from WebSocket: another read is waiting");
    }
    this.#reading = true;
  }

  /**
   * The next piece from the bytes received so far, without waiting: the
   * piece, `null` once the connection has closed, or what to wait for
   * first (more bytes, a control frame's payload, closing on a violation).
   *
   * @throws {WebSocketError} A violation found earlier, once.
   */
  #nextPiece(forMessage: boolean): Uint8Array | null | Wait {
    const rx = this.#rx;
    while (true) {
      if (rx.failure !== null) {
        if (this.#failureThrown) return null;
        this.#failureThrown = true;
        throw rx.failure;
      }
      if (this.#closeReceived || this.#phase === "closed") return null;
      let piece: Uint8Array | null;
      if (!rx.inFrame && rx.parseHeader()) {
        if (rx.failure !== null) return VIOLATION;
        if (rx.opcode >= OP_CLOSE) return CONTROL_FRAME;
        if (rx.frameLength !== 0) continue;
        piece = rx.emptyPiece(forMessage);
      } else if (rx.inFrame && rx.available !== 0) {
        piece = rx.nextPiece(forMessage);
      } else {
        return MORE_BYTES;
      }
      if (rx.failure !== null) return VIOLATION;
      if (piece !== null) return piece;
    }
  }

  /**
   * Waits for what `#nextPiece` asked for other than bytes: closes the
   * connection on a violation (and throws), or reads a control frame's
   * payload and acts on it. `false` at end of stream.
   */
  *#awaitFrame(wait: Wait, timeout: number | undefined): Generator<Suspension, boolean> {
    if (wait === VIOLATION) yield* this.#failConnection();
    const rx = this.#rx;
    const payload = yield* rx.readControl(timeout);
    if (payload === null) return false;
    yield* this.#onControl(rx.opcode, payload);
    return true;
  }

  /** Acts on a control frame: a ping is answered, a pong noted, a close completed. */
  *#onControl(opcode: number, payload: Uint8Array): Generator<Suspension, void> {
    switch (opcode) {
      case OP_PING:
        if (this.#phase === "open") {
          yield* this.#tx.sendQuietly(
            this.#builder.frame(0x80 | OP_PONG, payload),
            this.#closeTimeout,
          );
        }
        return;
      case OP_PONG:
        this.#awaitingPong = false;
        return;
      default:
        return yield* this.#closeReceivedFrame(payload);
    }
  }

  /** The peer's close frame: check it, answer it, and end the connection. */
  *#closeReceivedFrame(payload: Uint8Array): Generator<Suspension, void> {
    let code = 1005;
    let reason = "";
    if (payload.length === 1) {
      return yield* this.#failConnectionWith(1002, "Cannot close: close frame of one byte");
    }
    if (payload.length >= 2) {
      code = (payload[0]! << 8) | payload[1]!;
      if (!isValidCloseCode(code)) {
        return yield* this.#failConnectionWith(1002, `Cannot close: invalid close code ${code}`);
      }
      try {
        reason = fatalDecoder.decode(payload.subarray(2));
      } catch {
        return yield* this.#failConnectionWith(1007, "Cannot close: reason is not valid UTF-8");
      }
    }
    this.#closeReceived = true;
    this.#closeCode = code;
    this.#closeReason = reason;
    if (this.#phase === "open") {
      this.#phase = "closing";
      const echo = code === 1005 ? EMPTY : payload.subarray(0, 2);
      yield* this.#tx.sendQuietly(this.#builder.frame(0x80 | OP_CLOSE, echo), this.#closeTimeout);
    }
    this.#finish();
  }

  /** End of the TCP stream: a closed connection unless a failure is pending. */
  #ended(): null {
    const failure = this.#rx.failure;
    if (failure !== null && !this.#failureThrown) {
      this.#failureThrown = true;
      this.#finish();
      throw failure;
    }
    if (!this.#closeReceived) this.#closeCode ??= 1006;
    this.#finish();
    return null;
  }

  /** Fails the connection for the violation the receiver recorded. */
  *#failConnection(): Generator<Suspension, never> {
    const failure = this.#rx.failure!;
    if (this.#phase === "open") {
      this.#phase = "closing";
      yield* this.#tx.sendQuietly(
        this.#builder.frame(0x80 | OP_CLOSE, closePayload(failure.closeCode, "")),
        this.#closeTimeout,
      );
    }
    this.#closeCode ??= 1006;
    this.#finish();
    this.#failureThrown = true;
    throw failure;
  }

  *#failConnectionWith(closeCode: number, message: string): Generator<Suspension, never> {
    this.#rx.violation(closeCode, message);
    return yield* this.#failConnection();
  }

  // ---------------------------------------------------------------- writing

  /**
   * Sends one message (the seed's `socket:write(data, utf8)`): binary
   * unless `utf8` is `true`, then text. Messages go out in call order, and
   * are written behind as the seed's cosockets are: the call completes at
   * once while less than 64 KiB of frames wait behind a write in flight
   * (those are then sent together in one write), and awaiting or
   * delegating to it suspends the writer only when that buffer is full
   * (flow control). A message written on without a copy (one just read,
   * see the module docs) is waited for until written, as its bytes are in
   * use until then.
   *
   * A string sent as binary is its UTF-8 bytes. Text given as bytes is sent
   * as is (not validated). Messages of `perMessageDeflate.threshold` bytes or
   * more are compressed when the extension was negotiated; with the
   * `fragmentSize` option, a message goes out in frames of that size.
   *
   * @param data The message.
   * @param utf8 `true` to send a text message.
   * @returns The write; `queueLength` is the bytes waiting before it.
   * @throws {SocketError} `closed` when the connection is closing or closed,
   * `busy` while a fragmented message from {@linkcode writer} is open.
   *
   * @example
   * ```ts
   * import { bind } from "@cosocket/socket";
   * import { connect, upgrade } from "@cosocket/websocket";
   *
   * await using server = bind(0, { hostname: "127.0.0.1" });
   * const accepted = server.accept().then((sock) => upgrade(sock!));
   * await using client = await connect(`ws://127.0.0.1:${server.sockname().port}`);
   * await using ws = await accepted;
   * await ws.write("as text", true);
   * await ws.write("as binary");
   * console.log(await client.readMessage(), await client.readMessage());
   * // "as text" Uint8Array(9) [...]
   * ```
   */
  write(data: Uint8Array | string, utf8?: boolean): WriteOperation {
    utf8 ??= false;
    this.#checkWritable("write message");
    if (this.#writerOpen) {
      throw new SocketError("busy", "Cannot write message: a fragmented message is being written");
    }
    return this.#tx.sendMessage(data, utf8 ? OP_TEXT : OP_BINARY);
  }

  /**
   * Sends one message the way `WebSocket#send` does: a string as text,
   * bytes as binary.
   *
   * @param data The message.
   * @returns The write, as {@linkcode write}.
   * @throws {SocketError} As {@linkcode write}.
   *
   * @example
   * ```ts
   * import { bind } from "@cosocket/socket";
   * import { connect, upgrade } from "@cosocket/websocket";
   *
   * await using server = bind(0, { hostname: "127.0.0.1" });
   * const accepted = server.accept().then((sock) => upgrade(sock!));
   * await using client = await connect(`ws://127.0.0.1:${server.sockname().port}`);
   * await using ws = await accepted;
   * await client.send("hi");
   * console.log(await ws.readMessage()); // "hi"
   * ```
   */
  send(data: string | Uint8Array): WriteOperation {
    return this.write(data, typeof data === "string");
  }

  /**
   * Starts a message sent in fragments, for large or streamed data: each
   * `write` sends one frame, `end` sends the final one. Other messages wait
   * (`write` throws `busy`) until `end`; pings, pongs and close frames may
   * go between the fragments. With permessage-deflate, each fragment is
   * compressed and flushed as it is written.
   *
   * @param utf8 `true` for a text message.
   * @returns The message writer.
   * @throws {SocketError} `closed` when the connection is closing or
   * closed, `busy` while another fragmented message is open.
   *
   * @example Sending a message in three fragments
   * ```ts
   * import { bind } from "@cosocket/socket";
   * import { connect, upgrade } from "@cosocket/websocket";
   *
   * await using server = bind(0, { hostname: "127.0.0.1" });
   * const accepted = server.accept().then((sock) => upgrade(sock!));
   * await using client = await connect(`ws://127.0.0.1:${server.sockname().port}`);
   * await using ws = await accepted;
   * const message = client.writer(true);
   * await message.write("one ");
   * await message.write("two ");
   * await message.end("three");
   * console.log(await ws.readMessage()); // "one two three"
   * ```
   */
  writer(utf8?: boolean): WsMessageWriter {
    utf8 ??= false;
    this.#checkWritable("start message");
    if (this.#writerOpen) {
      throw new SocketError("busy", "Cannot start message: another one is being written");
    }
    this.#writerOpen = true;
    let opcode = utf8 ? OP_TEXT : OP_BINARY;
    const deflate = this.#deflate;
    const fragment = (chunk: Uint8Array | string, fin: boolean): WriteOperation => {
      if (!this.#writerOpen || opcode < 0) {
        throw new SocketError("incorrectuse", "Cannot write fragment: the message has ended");
      }
      this.#checkWritable("write fragment");
      let payload = typeof chunk === "string" ? encoder.encode(chunk) : chunk;
      let first = (fin ? 0x80 : 0) | opcode;
      if (deflate !== null) {
        // Streamed messages compress piece by piece, flushed at each frame.
        payload = deflate.compress(payload, fin);
        if (opcode !== OP_CONTINUATION) first |= 0x40;
      }
      const frame = this.#builder.frame(first, payload);
      opcode = fin ? -1 : OP_CONTINUATION;
      if (fin) this.#writerOpen = false;
      return this.#tx.send(frame, true);
    };
    return {
      write: (chunk) => fragment(chunk, false),
      end: (chunk = EMPTY) => fragment(chunk, true),
    };
  }

  /**
   * Sends a ping (the seed's `socket:ping`); the peer answers with a pong,
   * which the reader consumes.
   *
   * @param data Up to 125 bytes of payload.
   * @returns The write of the ping frame.
   * @throws {RangeError} When the payload is longer than 125 bytes.
   * @throws {SocketError} `closed` when the connection is closing or closed.
   *
   * @example
   * ```ts
   * import { bind } from "@cosocket/socket";
   * import { connect, upgrade } from "@cosocket/websocket";
   *
   * await using server = bind(0, { hostname: "127.0.0.1" });
   * const accepted = server.accept().then((sock) => upgrade(sock!));
   * await using client = await connect(`ws://127.0.0.1:${server.sockname().port}`);
   * await using ws = await accepted;
   * await client.ping("are you there?");
   * await client.send("after the ping");
   * console.log(await ws.readMessage()); // "after the ping" (the ping was answered)
   * ```
   */
  ping(data?: Uint8Array | string): WriteOperation {
    data ??= EMPTY;
    const payload = typeof data === "string" ? encoder.encode(data) : data;
    if (payload.length > MAX_CONTROL_PAYLOAD) {
      throw new RangeError(`Cannot ping: payload of ${payload.length} bytes exceeds 125`);
    }
    this.#checkWritable("ping");
    return this.#tx.send(this.#builder.frame(0x80 | OP_PING, payload), true);
  }

  #checkWritable(action: string): void {
    if (this.#phase !== "open") {
      throw new SocketError("closed", `Cannot ${action}: the WebSocket is ${this.#phase}`);
    }
  }

  // ---------------------------------------------------------------- closing

  /**
   * Starts the closing handshake (the seed's `socket:close`): sends a close
   * frame at once, then the returned operation reads until the peer's close
   * frame arrives (discarding data) or `closeTimeout` passes, and closes the
   * TCP connection. Not awaiting it is fine: the connection still closes by
   * the timeout.
   *
   * @param code The close code (1000 normal closure; omit for none).
   * @param reason A reason of at most 123 UTF-8 bytes (needs a code).
   * @returns An operation that settles when the connection is closed.
   * @throws {RangeError} For a code that may not be sent, or a reason that
   * is too long or has no code.
   *
   * @example
   * ```ts
   * import { bind } from "@cosocket/socket";
   * import { connect, upgrade } from "@cosocket/websocket";
   *
   * await using server = bind(0, { hostname: "127.0.0.1" });
   * const accepted = server.accept().then((sock) => upgrade(sock!));
   * const client = await connect(`ws://127.0.0.1:${server.sockname().port}`);
   * await using ws = await accepted;
   * const closing = client.close(1000, "bye");
   * console.log(await ws.read(), ws.closeCode, ws.closeReason); // null 1000 "bye"
   * await closing;
   * ```
   */
  close(code?: number, reason?: string): Operation<void> {
    reason ??= "";
    if (this.#phase === "open") this.#startClose(closePayload(code, reason));
    return operation(() => this.#awaitClosed());
  }

  #startClose(payload: Uint8Array): void {
    this.#phase = "closing";
    this.#stopHeartbeat();
    try {
      this.#tx.send(this.#builder.frame(0x80 | OP_CLOSE, payload), true);
    } catch {
      this.#finish();
      return;
    }
    this.#closeTimer = setTimeout(() => this.#finish(), this.#closeTimeout);
  }

  *#awaitClosed(): Generator<Suspension, void> {
    if (this.#phase === "closed") return;
    const task = this.#socket.task;
    if (!this.#reading && (task === null || task.done || this.#socket.owner())) {
      // Nobody else reads: drain until the peer's close frame or the end.
      try {
        while ((yield* this.#read(undefined, false)) !== null);
      } catch {
        // A failing peer ends the connection all the same.
      }
      this.#finish();
      return;
    }
    yield (this.#done ??= Promise.withResolvers<void>()).promise;
  }

  /** Ends the connection: timers off, compressor freed, socket closed. */
  #finish(): void {
    if (this.#phase === "closed") return;
    this.#phase = "closed";
    this.#stopHeartbeat();
    if (this.#closeTimer !== null) clearTimeout(this.#closeTimer);
    this.#closeTimer = null;
    this.#deflate?.dispose();
    this.#socket.close();
    this.#done?.resolve();
  }

  /**
   * Closes the connection when the cosocket that owns it ends: 1000 when it
   * returned, 1011 when it threw, 1001 when it was halted. Registered by
   * `upgrade`, `connect` and `event` inside a cosocket; it runs even after a
   * halt, so the peer still gets its close frame.
   */
  #teardown(end: CosocketEnd): Promise<void> | void {
    if (this.#phase === "closed") return;
    const code = end === "returned" ? 1000 : end === "halted" ? 1001 : 1011;
    return Promise.resolve(this.close(code));
  }

  /**
   * Closes with 1000 and waits for the closing handshake (`await using`).
   *
   * @returns A promise that settles when the connection is closed.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close(1000);
  }

  // ---------------------------------------------------------------- heartbeat

  #beat(interval: number): void {
    if (this.#phase !== "open") return this.#stopHeartbeat();
    if (this.#awaitingPong) {
      this.#rx.failure ??= new WebSocketError(
        "timeout",
        `Cannot keep WebSocket open: no pong within ${interval} ms`,
      );
      this.#closeCode ??= 1006;
      this.#finish();
      return;
    }
    this.#awaitingPong = true;
    try {
      this.#tx.send(this.#builder.frame(0x80 | OP_PING, EMPTY), true);
    } catch {
      this.#finish();
    }
  }

  #stopHeartbeat(): void {
    if (this.#heartbeat !== null) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
  }

  // ---------------------------------------------------------------- socket API

  /**
   * Runs a generator function as the cosocket of this connection (the
   * seed's `socket:event(fn, "s")`): it receives the WebSocket and `args`.
   * When it returns, throws or is halted, a close frame (1000, 1011 or
   * 1001) is sent and the connection closes.
   *
   * @param fn The cosocket.
   * @param args The arguments after the WebSocket.
   * @returns This WebSocket.
   * @throws {SocketError} `incorrectuse` when the connection already has a
   * cosocket.
   *
   * @example
   * ```ts
   * import { bind } from "@cosocket/socket";
   * import { connect, upgrade, type WsSocket } from "@cosocket/websocket";
   *
   * await using server = bind(0, { hostname: "127.0.0.1" });
   * const accepted = server.accept().then((sock) => upgrade(sock!));
   * await using client = await connect(`ws://127.0.0.1:${server.sockname().port}`);
   * const ws = (await accepted).event(function* (ws: WsSocket, greeting: string) {
   *   yield* ws.send(greeting);
   * }, "welcome");
   * console.log(await client.readMessage()); // "welcome"
   * await ws.task;
   * ```
   */
  event<A extends unknown[]>(
    fn: (ws: WsSocket, ...args: A) => Iterator<Suspension, unknown, unknown>,
    ...args: A
  ): this {
    this.#socket.event((_socket: Socket, ...rest: A) => this.#runAsCosocket(fn, rest), ...args);
    return this;
  }

  *#runAsCosocket<A extends unknown[]>(
    fn: (ws: WsSocket, ...args: A) => Iterator<Suspension, unknown, unknown>,
    args: A,
  ): Generator<Suspension, unknown> {
    yield* ensure((end) => this.#teardown(end));
    return yield* { [Symbol.iterator]: () => fn(this, ...args) };
  }

  /** The cosocket bound to this connection, or `null`. */
  get task(): Task<unknown> | null {
    return this.#socket.task;
  }

  /**
   * Reports whether the code running now is the cosocket that owns this
   * connection (the seed's `socket:owner`).
   *
   * @returns `true` inside the owning cosocket.
   */
  owner(): boolean {
    return this.#socket.owner();
  }

  /**
   * Suspends the connection's events, as `Socket#disable`.
   *
   * @returns The values passed to `enable`.
   * @throws {SocketError} As `Socket#disable`.
   */
  disable(): Operation<unknown[]> {
    return this.#socket.disable();
  }

  /**
   * Resumes a disabled connection, as `Socket#enable`.
   *
   * @param values What `disable()` returns in the cosocket.
   * @returns `true` when a disabled cosocket was resumed.
   */
  enable(...values: unknown[]): boolean {
    return this.#socket.enable(...values);
  }

  /**
   * The state of the underlying socket (the seed's `socket:state`).
   *
   * @returns The state and whether the connection is up.
   */
  state(): SocketStatus {
    return this.#socket.state();
  }

  /**
   * The peer's address (the seed's `socket:peername`).
   *
   * @returns The address.
   */
  peername(): SocketAddress {
    return this.#socket.peername();
  }

  /**
   * The local address (the seed's `socket:sockname`).
   *
   * @returns The address.
   */
  sockname(): SocketAddress {
    return this.#socket.sockname();
  }

  /** `true` for a wss:// connection (TLS). */
  get secure(): boolean {
    return this.#socket.secure;
  }

  /**
   * Whether the TLS peer was verified, as `Socket#trusted`.
   *
   * @param hostname Also require that the certificate was checked for this name.
   * @returns `true` when the connection is trusted.
   */
  trusted(hostname?: string): boolean {
    return this.#socket.trusted(hostname);
  }

  /**
   * The HTTP request this server-side WebSocket was upgraded from (method,
   * path with query, headers), for routing and authorization after the
   * upgrade; `null` on the client side.
   */
  get request(): UpgradeRequest | null {
    return this.#request;
  }

  /** The query parameters of {@linkcode WsSocket.prototype.request}'s path (empty on the client side). */
  get query(): URLSearchParams {
    const path = this.#request?.path ?? "";
    const at = path.indexOf("?");
    return new URLSearchParams(at === -1 ? "" : path.slice(at + 1));
  }

  /**
   * The cookies the upgrade request carried (`Cookie` headers), by name;
   * the first of several cookies with one name wins (RFC 6265 §5.4).
   */
  get cookies(): Map<string, string> {
    return parseCookies(this.#request?.headers.get("cookie") ?? null);
  }

  /** The negotiated subprotocol, `""` when none. */
  get protocol(): string {
    return this.#protocol;
  }

  /** The negotiated extensions (`Sec-WebSocket-Extensions`), `""` when none. */
  get extensions(): string {
    return this.#extensions;
  }

  /**
   * The peer's close code once the connection closed: 1005 when its close
   * frame had none, 1006 when the connection ended without one; `null`
   * while open.
   */
  get closeCode(): number | null {
    return this.#closeCode;
  }

  /** The peer's close reason, `""` when none. */
  get closeReason(): string {
    return this.#closeReason;
  }

  /** Bytes written by callers that did not wait and not yet sent. */
  get bufferedAmount(): number {
    return this.#socket.bufferedAmount + this.#tx.batched;
  }

  /**
   * Gets or sets the queue length for writers that do not wait, as
   * `Socket#queuelen`.
   *
   * @param size The new length in bytes.
   * @returns The queue length.
   */
  queuelen(size?: number): number {
    return this.#socket.queuelen(size);
  }
}
