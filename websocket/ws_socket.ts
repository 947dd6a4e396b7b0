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
  headerSize,
  isValidCloseCode,
  mask,
  maskCopy,
  MAX_CONTROL_PAYLOAD,
  OP_BINARY,
  OP_CLOSE,
  OP_CONTINUATION,
  OP_PING,
  OP_PONG,
  OP_TEXT,
} from "./_frame.ts";
import type { PerMessageDeflate } from "./_permessage_deflate.ts";
import { Slab } from "./_slab.ts";
import { isValidUtf8, Utf8Validator } from "./_utf8.ts";
import type { WebSocketConnection, WsChunk } from "./web_socket_connection.ts";
import { WebSocketError } from "./web_socket_error.ts";
import type { UpgradeRequest } from "./upgrade_request.ts";
import { BufferedWrite } from "./_buffered_write.ts";
import {
  DEFAULT_MAX_BUFFERED_AMOUNT,
  type WsMessageWriter,
  type WsSocketOptions,
} from "./ws_socket_options.ts";

let warnedRefusal = false;

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
const FIRST_RX = 1024;
const MAX_RX = 262144;
const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();
// A leading U+FEFF is text like any other (RFC 6455 §5.6), not a BOM to drop.
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
const fatalDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

type Phase = "open" | "closing" | "closed";
type Waiter = PromiseWithResolvers<void>;

/** How many bytes of frames may wait behind a write in flight before writers wait. */
const WRITE_BUFFER = 65536;

/**
 * The payload of the whole message read last, by any connection, and the
 * bytes right before it in its buffer that held its frame header: a server
 * that writes that payload (echo, broadcast) puts its own header there
 * instead of copying the payload into a new frame. The bytes are no one
 * else's: every view handed out ends before them or starts after them.
 */
let spare: Uint8Array | null = null;
let spareRoom = 0;
/** The last whole text message decoded, and its bytes (`spare`'s rules). */
let spareText: string | null = null;
let spareTextBytes: Uint8Array | null = null;

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
  readonly #client: boolean;
  readonly #protocol: string;
  readonly #request: UpgradeRequest | null;
  readonly #extensions: string;
  readonly #deflate: PerMessageDeflate | null;
  readonly #builder: FrameBuilder;
  readonly #maxFrame: number;
  readonly #maxMessage: number;
  readonly #maxFragments: number;
  readonly #closeTimeout: number;
  readonly #fragmentSize: number;

  // Incoming bytes not parsed yet: #pending[#at, #end).
  #pending: Uint8Array | null = null;
  #at = 0;
  #end = 0;
  /** The reused receive buffer (`reuseReadBuffer`), grown as reads fill it. */
  #rx: Uint8Array | null = null;
  #rxSize = FIRST_RX;
  /** Where copies of pieces for callers come from (without `reuseReadBuffer`). */
  #copies: Slab | null = null;
  readonly #reuse: boolean;
  #reading = false;

  // The frame being read.
  #inFrame = false;
  #opcode = 0;
  #fin = false;
  #key = 0;
  #masked = false;
  #frameLength = 0;
  #frameRead = 0;
  #control: Uint8Array | null = null;
  /** Where the current frame's header lay, for `spare`. */
  #headerBuffer: Uint8Array | null = null;
  #headerAt = 0;
  #headerSize = 0;

  // The message being read.
  #message = 0; // OP_TEXT, OP_BINARY, or 0 between messages
  #compressed = false;
  #compressedSize = 0;
  #messageSize = 0;
  #fragments = 0;
  #validator: Utf8Validator | null = null;
  /** Whether the last whole text piece was validated on the way. */
  #validatedPiece = false;
  // The flags of the piece #read returned last.
  #pieceUtf8 = false;
  #pieceFinal = false;
  #pieceBytesRead = 0;
  #pieceFrameLength = 0;
  /** The piece is already a copy the caller may keep. */
  #pieceOwned = false;

  // Writing a fragmented message.
  #writerOpen = false;

  // Frames wait here while a write is in flight, and go out together as
  // one write when it completes (see #send).
  #flushing = false;
  #batch: Uint8Array[] = [];
  #batchBytes = 0;
  #maxBuffered = DEFAULT_MAX_BUFFERED_AMOUNT;
  /** A refused write nobody looked at: the next write reports it. */
  #refused: SocketError | null = null;
  /** Callers waiting for frames of the batch, and of the write in flight. */
  #batchWaiters: Waiter[] = [];
  #flightWaiters: Waiter[] = [];
  #writeError: SocketError | null = null;
  /** Settles when nothing is left to write (see #flushed). */
  #idle: PromiseWithResolvers<void> | null = null;
  readonly #joins = new Slab();

  // Closing.
  #phase: Phase = "open";
  #closeReceived = false;
  #closeCode: number | null = null;
  #closeReason = "";
  #failure: WebSocketError | null = null;
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
    this.#client = setup.client;
    this.#protocol = setup.protocol;
    this.#request = setup.request ?? null;
    this.#extensions = setup.extensions;
    this.#deflate = setup.deflate;
    this.#builder = new FrameBuilder(setup.client);
    this.#maxFrame = options.maxFrameSize ?? DEFAULT_LIMIT;
    this.#maxMessage = options.maxMessageSize ?? DEFAULT_LIMIT;
    this.#maxFragments = options.maxFragments ?? DEFAULT_MAX_FRAGMENTS;
    this.#closeTimeout = options.closeTimeout ?? 1000;
    this.#fragmentSize = options.fragmentSize ?? 0;
    this.#maxBuffered = options.maxBufferedAmount ?? DEFAULT_MAX_BUFFERED_AMOUNT;
    this.#reuse = options.reuseReadBuffer ?? false;
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
    return operation(() => this.#readChunk(timeout));
  }

  *#readChunk(timeout: number | undefined): Generator<Suspension, WsChunk | null> {
    const data = yield* this.#read(timeout, false);
    if (data === null) return null;
    return {
      data: this.#reuse || this.#pieceOwned ? data : this.#own(data),
      utf8: this.#pieceUtf8,
      bytesRead: this.#pieceBytesRead,
      frameLength: this.#pieceFrameLength,
      final: this.#pieceFinal,
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
    return operation(() => this.#readMessage(timeout));
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

  *#readMessage(timeout: number | undefined): Generator<Suspension, string | Uint8Array | null> {
    let whole: Uint8Array | null = null;
    let size = 0;
    while (true) {
      const data = yield* this.#read(timeout, true);
      if (data === null) return null;
      const final = this.#pieceFinal;
      if (final && whole === null) {
        if (this.#pieceUtf8) return this.#textMessage(data) ?? (yield* this.#invalidText());
        return this.#reuse || this.#pieceOwned ? data : this.#own(data);
      }
      // Pieces are copied as they come (the receive buffer is reused); a
      // frame whose length is known gets the right size at once.
      const needed = size + data.length;
      if (whole === null || needed > whole.length) {
        const capacity = Math.max(
          needed,
          this.#pieceFrameLength,
          whole === null ? 0 : whole.length * 2,
        );
        const grown = new Uint8Array(Math.min(capacity, Math.max(needed, this.#maxMessage)));
        if (whole !== null) grown.set(whole.subarray(0, size));
        whole = grown;
      }
      whole.set(data, size);
      size = needed;
      if (final) {
        const message = whole.subarray(0, size);
        return this.#pieceUtf8 ? decoder.decode(message) : message;
      }
    }
  }

  /** A whole single-piece text message, decoded (and validated, if not yet). */
  #textMessage(data: Uint8Array): string | null {
    const text = this.#validatedText(data);
    if (text !== null && data === spare) {
      // Its bytes stay valid until this connection reads again (see #fill).
      spareText = text;
      spareTextBytes = data;
    }
    return text;
  }

  /**
   * A copy of a piece that the caller owns (the receive buffer is reused),
   * carved from a slab with room for a frame header before it: a message
   * written on right away needs no second copy.
   */
  #own(data: Uint8Array): Uint8Array {
    const room = headerSize(data.length, false);
    const copy = (this.#copies ??= new Slab()).take(room + data.length).subarray(room);
    copy.set(data);
    if (data === spare) {
      spare = copy;
      spareRoom = room;
    }
    return copy;
  }

  /**
   * A whole single-piece text message, decoded and, if not done yet,
   * validated: the lenient decoder turns every invalid sequence into
   * U+FFFD, so text without one is valid, and only text that has one needs
   * the exact check (a fatal decoder is several times slower).
   */
  #validatedText(data: Uint8Array): string | null {
    const text = decoder.decode(data);
    if (this.#validatedPiece || !text.includes("\uFFFD") || isValidUtf8(data)) return text;
    return null;
  }

  *#invalidText(): Generator<Suspension, never> {
    return yield* this.#failConnectionWith(1007, "Cannot read message: text is not valid UTF-8");
  }

  /**
   * The next piece of data (its flags land in the #piece fields), or `null`
   * once the connection has closed. Control frames are handled on the way.
   */
  *#read(
    timeout: number | undefined,
    forMessage: boolean,
  ): Generator<Suspension, Uint8Array | null> {
    if (this.#reading) {
      throw new SocketError("busy", "Cannot read from WebSocket: another read is waiting");
    }
    this.#reading = true;
    try {
      while (true) {
        if (this.#failure !== null) {
          if (this.#failureThrown) return null;
          this.#failureThrown = true;
          throw this.#failure;
        }
        if (this.#closeReceived || this.#phase === "closed") return null;
        const available = this.#end - this.#at;
        let piece: Uint8Array | null;
        if (!this.#inFrame) {
          if (!this.#parseHeader(available)) {
            if (!(yield* this.#fill(timeout))) return this.#ended();
            continue;
          }
          if (this.#failure !== null) yield* this.#failConnection();
          if (this.#opcode >= OP_CLOSE) {
            if (!(yield* this.#readControl(timeout))) return this.#ended();
            continue;
          }
          if (this.#frameLength !== 0) continue;
          this.#inFrame = false;
          this.#pieceOwned = false;
          piece = this.#dataPiece(EMPTY, true, forMessage);
        } else if (available === 0) {
          if (!(yield* this.#fill(timeout))) return this.#ended();
          continue;
        } else {
          piece = this.#dataPiece(
            this.#takePayload(available),
            this.#frameRead === this.#frameLength,
            forMessage,
          );
        }
        if (this.#failure !== null) yield* this.#failConnection();
        if (piece !== null) return piece;
      }
    } finally {
      this.#reading = false;
    }
  }

  /** The payload bytes of the current frame that have arrived, unmasked. */
  #takePayload(available: number): Uint8Array {
    const take = Math.min(available, this.#frameLength - this.#frameRead);
    const pending = this.#pending!;
    const data = pending.subarray(this.#at, this.#at + take);
    const whole = take === this.#frameLength && pending === this.#headerBuffer &&
      this.#at === this.#headerAt + this.#headerSize;
    this.#consume(take);
    this.#pieceOwned = !this.#reuse && take === this.#frameLength &&
      this.#message === OP_BINARY && !this.#compressed;
    if (this.#pieceOwned) {
      // A whole binary frame the caller will own: copied (and unmasked) in
      // one pass, with room for a header in front (see #own).
      const room = (headerSize(take, false) + 3) & ~3;
      const copy = (this.#copies ??= new Slab()).take(room + take).subarray(room);
      if (this.#masked) maskCopy(copy, data, this.#key);
      else copy.set(data);
      this.#frameRead += take;
      this.#inFrame = false;
      if (this.#fin && this.#fragments === 1) {
        spare = copy;
        spareRoom = room;
      }
      return copy;
    }
    if (this.#masked) mask(data, this.#key, this.#frameRead);
    this.#frameRead += take;
    if (this.#frameRead === this.#frameLength) this.#inFrame = false;
    if (whole && this.#fin && this.#fragments === 1 && !this.#compressed) {
      spare = data;
      spareRoom = this.#headerSize;
    }
    return data;
  }

  /**
   * Turns payload bytes of a data frame into a piece for the reader:
   * inflates, validates UTF-8, and keeps the message's bookkeeping. A
   * violation is recorded in #failure for the caller to act on.
   *
   * @returns The piece, or `null` when there is nothing to hand out.
   */
  #dataPiece(data: Uint8Array, frameDone: boolean, forMessage: boolean): Uint8Array | null {
    const final = frameDone && this.#fin;
    const text = this.#message === OP_TEXT;
    let bytesRead = this.#frameRead;
    let frameLength = this.#frameLength;
    if (this.#compressed) {
      const inflated = this.#inflate(data, final);
      if (inflated === null) return null;
      data = inflated;
      this.#messageSize += data.length;
      bytesRead = frameLength = this.#messageSize;
      if (data.length === 0 && !final) return null;
    }
    this.#validatedPiece = true;
    if (text) {
      const wholeMessage = final && this.#validator === null && bytesRead === data.length;
      if (wholeMessage && forMessage) {
        // readMessage validates while decoding: one pass instead of two.
        this.#validatedPiece = false;
      } else if (wholeMessage ? !isValidUtf8(data) : !this.#validateMore(data, final)) {
        this.#violation(1007, "Cannot read message: text is not valid UTF-8");
        return null;
      }
    }
    this.#pieceUtf8 = text;
    this.#pieceFinal = final;
    this.#pieceBytesRead = bytesRead;
    this.#pieceFrameLength = frameLength;
    if (final) this.#endMessage();
    return data;
  }

  #validateMore(data: Uint8Array, final: boolean): boolean {
    const validator = this.#validator ??= new Utf8Validator();
    return validator.push(data) && (!final || validator.finish());
  }

  #inflate(data: Uint8Array, final: boolean): Uint8Array | null {
    this.#compressedSize += data.length;
    // An empty compressed message is an empty message; zlib would take the
    // bare sync marker as the start of the next one.
    if (final && this.#compressedSize === 0) return EMPTY;
    try {
      return this.#deflate!.decompress(data, final);
    } catch (error) {
      const tooBig = (error as { code?: unknown }).code === "toobig";
      this.#violation(
        tooBig ? 1009 : 1007,
        tooBig
          ? `Cannot read message: inflated message exceeds ${this.#maxMessage} bytes`
          : "Cannot read message: compressed data is corrupt",
        error,
      );
      return null;
    }
  }

  #endMessage(): void {
    this.#message = 0;
    this.#compressed = false;
    this.#compressedSize = 0;
    this.#messageSize = 0;
    this.#fragments = 0;
    this.#validator?.reset();
    this.#validator = null;
  }

  /**
   * Reads more bytes from the network into the receive buffer; `false` at
   * end of stream. The bytes left (a partial header at most) move to the
   * front and the socket reads in after them; a read that fills the buffer
   * doubles it for the next one. Views of the old contents die here.
   */
  *#fill(timeout: number | undefined): Generator<Suspension, boolean> {
    const rest = this.#end - this.#at;
    let rx = this.#rx;
    if (rx === null || rx.length < this.#rxSize) {
      const grown = new Uint8Array(this.#rxSize);
      if (rest > 0) grown.set(this.#pending!.subarray(this.#at, this.#end));
      rx = this.#rx = grown;
    } else if (rest > 0) {
      rx.copyWithin(0, this.#at, this.#end);
    }
    if (spare !== null && spare.buffer === rx.buffer) spare = null;
    if (spareTextBytes !== null && spareTextBytes.buffer === rx.buffer) {
      spareText = spareTextBytes = null;
    }
    let count: number | null;
    try {
      count = yield* this.#socket.readInto(rest === 0 ? rx : rx.subarray(rest), timeout);
    } catch (error) {
      if (isClosed(error)) return false;
      throw error;
    }
    if (count === null) return false;
    if (rest + count === rx.length && this.#rxSize < MAX_RX) this.#rxSize *= 2;
    this.#pending = rx;
    this.#at = 0;
    this.#end = rest + count;
    return true;
  }

  #consume(count: number): void {
    this.#at += count;
    if (this.#at === this.#end) {
      this.#pending = null;
      this.#at = this.#end = 0;
    }
  }

  /**
   * Parses the next frame header if it has fully arrived, and checks it
   * against the protocol and the limits (a violation is recorded in
   * #failure for the caller to act on).
   *
   * @returns `false` when more bytes are needed.
   */
  #parseHeader(available: number): boolean {
    if (available < 2) return false;
    const bytes = this.#pending!;
    let at = this.#at;
    const first = bytes[at]!;
    const second = bytes[at + 1]!;
    const masked = (second & 0x80) !== 0;
    const length7 = second & 0x7f;
    const size = 2 + (length7 === 126 ? 2 : length7 === 127 ? 8 : 0) + (masked ? 4 : 0);
    if (available < size) return false;
    at += 2;
    let length = length7;
    if (length7 === 126) {
      length = (bytes[at]! << 8) | bytes[at + 1]!;
      at += 2;
    } else if (length7 === 127) {
      const high = ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) |
        bytes[at + 3]!) >>> 0;
      const low = ((bytes[at + 4]! << 24) | (bytes[at + 5]! << 16) | (bytes[at + 6]! << 8) |
        bytes[at + 7]!) >>> 0;
      length = high >= 0x200000 ? Number.MAX_SAFE_INTEGER : high * 0x100000000 + low;
      if (high >= 0x80000000) {
        this.#violation(1002, "Cannot read frame: 64-bit length has its most significant bit set");
      }
      at += 8;
    }
    if (masked) {
      this.#key = (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) |
        (bytes[at + 3]! << 24)) >>> 0;
      at += 4;
    }
    this.#headerBuffer = bytes;
    this.#headerAt = this.#at;
    this.#headerSize = size;
    this.#consume(size);
    this.#inFrame = true;
    this.#fin = (first & 0x80) !== 0;
    this.#opcode = first & 0x0f;
    this.#masked = masked;
    this.#frameLength = length;
    this.#frameRead = 0;
    if (this.#failure === null) this.#check(first, masked, length);
    return true;
  }

  #check(first: number, masked: boolean, length: number): void {
    const opcode = first & 0x0f;
    const rsv1 = (first & 0x40) !== 0;
    if ((first & 0x30) !== 0) {
      return this.#violation(1002, "Cannot read frame: reserved bits RSV2/RSV3 are set");
    }
    if (masked === this.#client) {
      return this.#violation(
        1002,
        this.#client
          ? "Cannot read frame: a server must not mask its frames"
          : "Cannot read frame: a client must mask its frames",
      );
    }
    if (opcode >= OP_CLOSE) {
      if (opcode > OP_PONG) {
        return this.#violation(1002, `Cannot read frame: reserved opcode ${opcode}`);
      }
      if (!this.#fin) return this.#violation(1002, "Cannot read frame: fragmented control frame");
      if (length > MAX_CONTROL_PAYLOAD) {
        return this.#violation(1002, `Cannot read frame: control frame of ${length} bytes`);
      }
      if (rsv1) return this.#violation(1002, "Cannot read frame: RSV1 set on a control frame");
      return;
    }
    if (opcode > OP_BINARY) {
      return this.#violation(1002, `Cannot read frame: reserved opcode ${opcode}`);
    }
    if (opcode === OP_CONTINUATION) {
      if (this.#message === 0) {
        return this.#violation(1002, "Cannot read frame: continuation without a message");
      }
      if (rsv1) return this.#violation(1002, "Cannot read frame: RSV1 set on a continuation");
    } else {
      if (this.#message !== 0) {
        return this.#violation(1002, "Cannot read frame: new message inside a fragmented one");
      }
      if (rsv1 && this.#deflate === null) {
        return this.#violation(1002, "Cannot read frame: RSV1 set without an extension");
      }
      this.#message = opcode;
      this.#compressed = rsv1;
    }
    if (length > this.#maxFrame) {
      return this.#violation(1009, `Cannot read frame: ${length} bytes exceed ${this.#maxFrame}`);
    }
    if (++this.#fragments > this.#maxFragments) {
      return this.#violation(1009, `Cannot read message: more than ${this.#maxFragments} frames`);
    }
    if (!this.#compressed) {
      this.#messageSize += length;
      if (this.#messageSize > this.#maxMessage) {
        return this.#violation(
          1009,
          `Cannot read message: ${this.#messageSize} bytes exceed ${this.#maxMessage}`,
        );
      }
    }
  }

  #violation(closeCode: number, message: string, cause?: unknown): void {
    this.#failure ??= new WebSocketError("protocol", message, { closeCode, cause });
  }

  /** Reads a control frame's payload and acts on it; `false` at end of stream. */
  *#readControl(timeout: number | undefined): Generator<Suspension, boolean> {
    const length = this.#frameLength;
    let payload: Uint8Array;
    const available = this.#end - this.#at;
    if (length === 0) {
      payload = EMPTY;
    } else if (this.#control === null && available >= length) {
      payload = this.#pending!.subarray(this.#at, this.#at + length);
      this.#consume(length);
    } else {
      // Control payloads are at most 125 bytes, so gathering them is cheap.
      const control = this.#control ??= new Uint8Array(length);
      while (this.#frameRead < length) {
        const have = this.#end - this.#at;
        if (have === 0) {
          if (!(yield* this.#fill(timeout))) return false;
          continue;
        }
        const take = Math.min(have, length - this.#frameRead);
        control.set(this.#pending!.subarray(this.#at, this.#at + take), this.#frameRead);
        this.#consume(take);
        this.#frameRead += take;
      }
      payload = control;
      this.#control = null;
    }
    if (this.#masked) mask(payload, this.#key, 0);
    this.#inFrame = false;
    this.#frameRead = length;
    switch (this.#opcode) {
      case OP_PING:
        if (this.#phase === "open") {
          yield* this.#sendQuietly(this.#builder.frame(0x80 | OP_PONG, payload));
        }
        return true;
      case OP_PONG:
        this.#awaitingPong = false;
        return true;
      default:
        yield* this.#closeReceivedFrame(payload);
        return true;
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
      yield* this.#sendQuietly(this.#builder.frame(0x80 | OP_CLOSE, echo));
    }
    this.#finish();
  }

  /** End of the TCP stream: a closed connection unless a failure is pending. */
  #ended(): null {
    if (this.#failure !== null && !this.#failureThrown) {
      this.#failureThrown = true;
      this.#finish();
      throw this.#failure;
    }
    if (!this.#closeReceived) this.#closeCode ??= 1006;
    this.#finish();
    return null;
  }

  /** Fails the connection for the violation recorded in #failure. */
  *#failConnection(): Generator<Suspension, never> {
    const failure = this.#failure!;
    if (this.#phase === "open") {
      this.#phase = "closing";
      yield* this.#sendQuietly(
        this.#builder.frame(0x80 | OP_CLOSE, closePayload(failure.closeCode, "")),
      );
    }
    this.#closeCode ??= 1006;
    this.#finish();
    this.#failureThrown = true;
    throw failure;
  }

  *#failConnectionWith(closeCode: number, message: string): Generator<Suspension, never> {
    this.#violation(closeCode, message);
    return yield* this.#failConnection();
  }

  /**
   * Writes a frame and waits for it, at most the close timeout: a peer that
   * does not read must not hold a failing or closing connection open.
   */
  *#sendQuietly(frame: Uint8Array): Generator<Suspension, void> {
    try {
      this.#send(frame, true);
    } catch {
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.#closeTimeout);
    });
    try {
      yield Promise.race([this.#flushed(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Sends a frame in order with every other frame of the connection. A
   * frame built in our own memory (`owned`) is written behind: the call
   * completes at once while less than {@linkcode WRITE_BUFFER} bytes wait,
   * and frames that arrive while a write is in flight go out together in
   * the next one. A frame around a caller's payload is waited for, since
   * the caller's bytes are in use until then.
   */
  #send(frame: Uint8Array, owned: boolean): WriteOperation {
    if (this.#writeError !== null) throw this.#writeError;
    const refused = this.#refused;
    if (refused !== null) {
      this.#refused = null;
      throw refused;
    }
    if (!this.#flushing) {
      // The socket's FIFO keeps every write in call order; only frames
      // written behind need our bookkeeping.
      const write = this.#socket.write(frame);
      if (!owned) return write;
      this.#flushing = true;
      write.then(this.#onFlushed, this.#onFlushFailed);
      return new BufferedWrite(null, frame.length);
    }
    const queued = this.#batchBytes;
    this.#batch.push(frame);
    this.#batchBytes += frame.length;
    if (owned && this.#batchBytes <= WRITE_BUFFER) {
      return new BufferedWrite(null, this.#batchBytes);
    }
    const waiter = Promise.withResolvers<void>();
    this.#batchWaiters.push(waiter);
    // One message larger than the limit still goes when nothing waits before it.
    if (queued === 0 || queued + frame.length <= this.#maxBuffered) {
      return new BufferedWrite(waiter.promise, this.#batchBytes);
    }
    // Over the limit: kept only if its caller waits for it (flow control),
    // decided once the caller had its chance to await, as the socket does.
    const write = new BufferedWrite(waiter.promise, queued, false);
    queueMicrotask(() => queueMicrotask(() => this.#decide(write, frame, waiter)));
    return write;
  }

  /** Drops a write over the limit that nobody waits for, and remembers it if nobody looked. */
  #decide(
    write: BufferedWrite,
    frame: Uint8Array,
    waiter: PromiseWithResolvers<void>,
  ): void {
    if (write.waited) return;
    const index = this.#batch.indexOf(frame);
    if (index === -1) return;
    this.#batch.splice(index, 1);
    this.#batchBytes -= frame.length;
    this.#batchWaiters.splice(this.#batchWaiters.indexOf(waiter), 1);
    waiter.reject(new SocketError("queuefull", "Cannot write to WebSocket: the buffer is full"));
    if (write.observed) return;
    this.#refused ??= new SocketError(
      "queuefull",
      `Cannot write to WebSocket: an earlier message of ${frame.length} bytes was refused ` +
        `because ${write.queueLength} bytes were already buffered (maxBufferedAmount ` +
        `${this.#maxBuffered}) and its caller did not wait: use yield* (or await) with ` +
        "write()/send(), or check accepted",
    );
    if (warnedRefusal) return;
    warnedRefusal = true;
    console.warn(`${this.#refused.message}\nThe refused write was called at:\n${write.callSite}`);
  }

  /** The write in flight completed: the batch goes out as the next one. */
  readonly #onFlushed = (): void => {
    for (const waiter of this.#flightWaiters) waiter.resolve();
    const batch = this.#batch;
    if (batch.length === 0) {
      this.#flushing = false;
      this.#flightWaiters = [];
      // Every frame built so far has been written: their memory is free.
      this.#builder.recycle();
      this.#joins.reset();
      this.#idle?.resolve();
      this.#idle = null;
      return;
    }
    this.#flightWaiters = this.#batchWaiters;
    this.#batchWaiters = [];
    this.#batch = [];
    const size = this.#batchBytes;
    this.#batchBytes = 0;
    let joined = batch[0]!;
    if (batch.length > 1) {
      joined = this.#joins.take(size);
      let at = 0;
      for (const frame of batch) {
        joined.set(frame, at);
        at += frame.length;
      }
    }
    this.#socket.write(joined).then(this.#onFlushed, this.#onFlushFailed);
  };

  readonly #onFlushFailed = (error: unknown): void => {
    this.#writeError = error instanceof SocketError
      ? error
      : new SocketError("io", "Cannot write to WebSocket: the connection failed", { cause: error });
    const waiters = [...this.#flightWaiters, ...this.#batchWaiters];
    this.#flightWaiters = [];
    this.#batchWaiters = [];
    this.#batch = [];
    this.#batchBytes = 0;
    this.#flushing = false;
    for (const waiter of waiters) waiter.reject(this.#writeError);
    this.#idle?.resolve();
    this.#idle = null;
  };

  /** Settles when every frame sent so far has been written (or failed). */
  #flushed(): Promise<void> {
    if (!this.#flushing) return Promise.resolve();
    return (this.#idle ??= Promise.withResolvers<void>()).promise;
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
    const frame = this.#messageFrames(data, utf8 ? OP_TEXT : OP_BINARY);
    return this.#send(frame, frame !== this.#inPlace);
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

  /** The last frame built around a caller's payload instead of copied. */
  #inPlace: Uint8Array | null = null;

  #messageFrames(data: Uint8Array | string, opcode: number): Uint8Array {
    let payload = typeof data !== "string"
      ? data
      : data === spareText
      ? spareTextBytes!
      : encoder.encode(data);
    if (payload === spare && this.#fragmentSize === 0 && this.#deflate === null) {
      const frame = this.#builder.frameInPlace(0x80 | opcode, payload, spareRoom);
      if (frame !== null) return this.#inPlace = frame;
    }
    let rsv1 = false;
    if (this.#deflate !== null && this.#deflate.shouldCompress(payload.length)) {
      payload = this.#deflate.compress(payload);
      rsv1 = true;
    }
    const fragmentSize = this.#fragmentSize;
    if (fragmentSize > 0 && payload.length > fragmentSize) {
      return this.#builder.fragments(opcode, rsv1, payload, fragmentSize);
    }
    return this.#builder.frame(0x80 | (rsv1 ? 0x40 : 0) | opcode, payload);
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
      return this.#send(frame, true);
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
    return this.#send(this.#builder.frame(0x80 | OP_PING, payload), true);
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
      this.#send(this.#builder.frame(0x80 | OP_CLOSE, payload), true);
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
      this.#failure ??= new WebSocketError(
        "timeout",
        `Cannot keep WebSocket open: no pong within ${interval} ms`,
      );
      this.#closeCode ??= 1006;
      this.#finish();
      return;
    }
    this.#awaitingPong = true;
    try {
      this.#send(this.#builder.frame(0x80 | OP_PING, EMPTY), true);
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
    return this.#socket.bufferedAmount + this.#batchBytes;
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

function isClosed(error: unknown): boolean {
  return error instanceof SocketError && error.code === "closed";
}
