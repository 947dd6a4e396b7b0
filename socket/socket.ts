import { isTcpConn, type StreamConn, toSocketError } from "./_conn.ts";
import { handshake } from "./_tls.ts";
import {
  fromGenerator,
  lazy,
  LazyOperation,
  type MaybePromise,
  Step,
  withCancel,
} from "./_operation.ts";
import { createRoutine, currentRoutine, type Routine } from "./_runner.ts";
import { type PoolKey, returnToPool } from "./_pool.ts";
import { concat, readTimeout, StreamReader } from "./_stream_reader.ts";
import { deadline } from "./_timeout.ts";
import { DatagramEndpoint } from "./_datagram.ts";
import { ListenerEndpoint } from "./_listener.ts";
import { doneWrite, failedWrite, sentWrite, WriteQueue } from "./_write_queue.ts";
import { ByteArray } from "./byte_array.ts";
import type { Operation, Suspension } from "./operation.ts";
import { IncompleteReadError } from "./incomplete_read_error.ts";
import { SocketError } from "./socket_error.ts";
import type { SocketAddress, SocketState, SocketStatus } from "./socket_state.ts";
import type { TlsClientOptions } from "./tls_options.ts";
import type { WriteData, WriteOperation } from "./write_operation.ts";

export type { WriteData, WriteOperation } from "./write_operation.ts";

/** A datagram with its sender, as `Socket#read(timeout, true)` returns it on UDP. */
export interface Datagram {
  /** The payload. */
  data: Uint8Array;
  /** The sender's IP address. */
  address: string;
  /** The sender's port. */
  port: number;
}

/** A cosocket function: a generator function that receives its socket first. */
export type CosocketFunction<A extends unknown[] = unknown[], T = unknown> = (
  socket: Socket,
  ...args: A
) => Iterator<Suspension, T, unknown>;

/** Options of `Socket#readUntil` and `Socket#readLine`. */
export interface ReadUntilOptions {
  /**
   * The longest wait for the next chunk of data, in milliseconds.
   *
   * @default {undefined} (wait indefinitely)
   */
  timeout?: number;
  /**
   * The most bytes to buffer while looking for the delimiter; more fails with
   * a `RangeError` and leaves the bytes buffered.
   *
   * @default {65536}
   */
  maxLength?: number;
  /**
   * Whether the delimiter is included in the result.
   *
   * @default {false}
   */
  inclusive?: boolean;
}

/** Options of `Socket#setKeepAlive`. */
export interface KeepAliveOptions {
  /**
   * How long the idle connection may wait in the pool, in milliseconds.
   *
   * @default {60000}
   */
  timeout?: number;
  /**
   * The most idle connections kept for one host, port and TLS setting; the
   * oldest is closed when more arrive.
   *
   * @default {30}
   */
  poolSize?: number;
}

type Kind = "unconnected" | "stream" | "listener" | "datagram" | "closed";

interface Disabled {
  resume: (values: unknown[]) => void;
  promise: Promise<unknown[]>;
}

/** How a listener treats what it accepts. */
export interface ListenerSetup {
  tls: boolean;
  /** Turn Nagle's algorithm off on each accepted TCP connection. */
  noDelay: boolean;
  onAcceptError?: (error: SocketError) => void;
}

/** Everything the connection of a stream socket brings along. */
export interface StreamSetup {
  conn: StreamConn;
  tls?: boolean;
  serverName?: string | null;
  hostnameVerified?: boolean;
  alpnProtocol?: string | null;
  poolKey?: PoolKey | null;
  inflight?: Promise<Uint8Array | null> | null;
  reused?: number;
  remote?: SocketAddress | null;
  local?: SocketAddress | null;
}

/**
 * A client connection's TLS session and pool membership, kept apart from the
 * socket so that a server's idle connections do not carry five empty fields.
 */
interface ClientFacts {
  serverName: string | null;
  hostnameVerified: boolean;
  alpnProtocol: string | null;
  poolKey: PoolKey | null;
  reused: number;
}

/** The facts a setup carries; `null` when it carries none (an accepted connection). */
function clientFacts(setup: StreamSetup): ClientFacts | null {
  const {
    serverName = null,
    hostnameVerified = false,
    alpnProtocol = null,
    poolKey = null,
    reused = 0,
  } = setup;
  if (serverName === null && alpnProtocol === null && poolKey === null && reused === 0) {
    return null;
  }
  return { serverName, hostnameVerified, alpnProtocol, poolKey, reused };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

let openSockets = 0;
const SETTLED = Promise.resolve();

/** Internal entry points for the factories (`connect`, `bind`, ...) of this package. */
export interface SocketInternals {
  create(): Socket;
  attachStream(socket: Socket, setup: StreamSetup): void;
  attachListener(socket: Socket, listener: Deno.Listener, setup: ListenerSetup): void;
  attachDatagram(socket: Socket, conn: Deno.DatagramConn, peer: Deno.NetAddr | null): void;
  isUnconnected(socket: Socket): boolean;
  setWaiting(socket: Socket, state: SocketState | null): void;
  openSockets(): number;
}

/** @internal */
export let internals: SocketInternals;
type StartRead = (
  socket: Socket,
  timeout: number | undefined,
) => MaybePromise<Uint8Array | Datagram | null>;
let startRead: StartRead;
let startReadWithAddress: StartRead;
let startReadInto: (socket: Socket, buffer: Uint8Array) => MaybePromise<number | null>;
let startAccept: (socket: Socket, timeout: number | undefined) => MaybePromise<Socket | null>;
let AcceptStep: new (
  listener: Socket,
  routine: Routine<unknown> | null,
  source: Promise<unknown>,
) => Step<Socket | null>;

/**
 * A socket of the seed API: a TCP or TLS connection, a listener, a UDP
 * endpoint, a named pipe, or an unconnected socket that belongs to a
 * cosocket until it connects or binds.
 *
 * Every suspending method returns an {@linkcode Operation}: `await` it from
 * async code, or `yield*` it inside a cosocket generator. Both run on the
 * one JavaScript thread; a cosocket only looks blocking.
 *
 * Sockets come from {@linkcode connect}, {@linkcode bind},
 * {@linkcode event}, {@linkcode udpcon} and {@linkcode openFifo}.
 *
 * @example An echo server as a cosocket, and a client in async code
 * ```ts
 * import { bind, connect, type Socket } from "@cosocket/socket";
 *
 * function* echo(sock: Socket) {
 *   let data;
 *   while ((data = yield* sock.read()) !== null) yield* sock.write(data);
 * }
 * function* acceptLoop(server: Socket) {
 *   let client;
 *   while ((client = yield* server.accept()) !== null) client.event(echo);
 * }
 *
 * await using server = bind(0, { hostname: "127.0.0.1" }).event(acceptLoop);
 * await using client = await connect("127.0.0.1", server.sockname().port);
 * await client.write("hello");
 * console.log(new TextDecoder().decode((await client.readExactly(5))!)); // "hello"
 * ```
 */
export class Socket implements SocketLike<Socket>, AsyncDisposable {
  #kind: Kind = "unconnected";
  #routine: Routine<unknown, Socket> | null = null;
  #asyncWaiting: SocketState | null = null;

  // Stream connection.
  #conn: StreamConn | null = null;
  #tls = false;
  /** What only a client connection knows; `null` for an accepted one. */
  #client: ClientFacts | null = null;
  #remote: SocketAddress | null = null;
  #local: SocketAddress | null = null;

  // Read side: one read in flight at most, and bytes read but not consumed.
  #stream = new StreamReader();

  // Write side: one FIFO for every writer.
  #writes = new WriteQueue();
  /** closeWrite() sent FIN. */
  #writeClosed = false;

  /** Made by a listener's accept(): a server's connection. */
  #accepted = false;
  /** A listener's or a UDP socket's endpoint: one field for the two kinds. */
  #endpoint: ListenerEndpoint | DatagramEndpoint | null = null;

  #disabled: Disabled | null = null;

  static {
    startRead = (socket, timeout) =>
      socket.#kind === "datagram"
        ? socket.#receive(timeout, false)
        : socket.#readChunk(timeout, "read from");
    startReadWithAddress = (socket, timeout) =>
      socket.#kind === "datagram"
        ? socket.#receive(timeout, true)
        : socket.#readChunk(timeout, "read from");
    startReadInto = (socket, buffer) => socket.#readInto(buffer, undefined);
    startAccept = (socket, timeout) => socket.#accept(timeout);
    // An accept without a timeout is one step on the listener's accept in
    // flight: no promise, executor or callbacks of its own per connection.
    AcceptStep = class extends Step<Socket | null> {
      readonly #listener: Socket;
      readonly #routine: Routine<unknown> | null;
      constructor(listener: Socket, routine: Routine<unknown> | null, source: Promise<unknown>) {
        super();
        this.source = source;
        this.#listener = listener;
        this.#routine = routine;
      }
      override map(conn: unknown): Socket | null {
        const listener = this.#listener;
        listener.#acceptSettled(this.#routine);
        return listener.#adopt(conn as Deno.Conn | null);
      }
      override mapError(error: unknown): never {
        this.#listener.#acceptSettled(this.#routine);
        throw error;
      }
      override cancel(): void {
        // The accept stays in flight: its connection goes to the next accept.
        this.#listener.#acceptStopped(this.#routine);
      }
    };
    internals = {
      create: () => new Socket(),
      attachStream: (socket, setup) => socket.#attachStream(setup),
      attachListener: (socket, listener, setup) => socket.#attachListener(listener, setup),
      attachDatagram: (socket, conn, peer) => socket.#attachDatagram(conn, peer),
      isUnconnected: (socket) => socket.#kind === "unconnected",
      setWaiting: (socket, state) => {
        socket.#asyncWaiting = state;
      },
      openSockets: () => openSockets,
    };
  }

  private constructor() {
    openSockets++;
  }

  get #listening(): ListenerEndpoint | null {
    const endpoint = this.#endpoint;
    return endpoint instanceof ListenerEndpoint ? endpoint : null;
  }

  get #datagram(): DatagramEndpoint | null {
    const endpoint = this.#endpoint;
    return endpoint instanceof DatagramEndpoint ? endpoint : null;
  }

  // ---------------------------------------------------------------- reading

  /**
   * Reads the next chunk of data: whatever has arrived, up to the socket's
   * current read size (it starts small and grows for connections that move
   * data). The returned bytes belong to the caller.
   *
   * On a UDP socket it reads one datagram; with `withAddress` it also
   * returns the sender. On an unconnected cosocket socket, `read(ms)` from
   * its own cosocket sleeps for `ms` and then fails with `timeout`, as in
   * the seed.
   *
   * @param timeout The longest wait in milliseconds. A timeout is not fatal:
   * the socket stays usable and the next read gets the data that arrives.
   * @returns The data, or `null` at end of stream (also when the socket is
   * closed while the read waits).
   * @throws {SocketError} `timeout` when the time ran out, `closed` when the
   * socket was already closed or the peer reset it, `incorrectuse` when
   * another cosocket owns the socket, `busy` while another read waits.
   */
  read(timeout?: number): Operation<Uint8Array | null>;
  /**
   * Reads one UDP datagram with its sender.
   *
   * @param timeout The longest wait in milliseconds (`undefined`: no limit).
   * @param withAddress `true` to return the sender too.
   * @returns The datagram and its sender, or `null` when the socket closed.
   * @throws {SocketError} As the other overload.
   */
  read(timeout: number | undefined, withAddress: true): Operation<Datagram | null>;
  read(timeout?: number, withAddress?: boolean): Operation<Uint8Array | Datagram | null> {
    return new LazyOperation(
      withAddress === true ? startReadWithAddress : startRead,
      this,
      timeout,
    );
  }

  /**
   * Reads the next chunk into the caller's buffer, without allocating: the
   * zero-copy form of {@linkcode Socket.prototype.read} for loops that reuse
   * one buffer (proxies, echo servers, bulk transfers). The bytes are
   * written into `buffer` by the platform while the operation waits, so do
   * not touch it until the operation finishes. With a timeout the platform
   * reads into the socket's own buffer and the bytes are copied, since a
   * read that timed out must not write into `buffer` later; the bytes of
   * such a read wait for the next one.
   *
   * @param buffer Where to put the data; at most `buffer.length` bytes.
   * @param timeout The longest wait in milliseconds; not fatal, as for `read`.
   * @returns The number of bytes read, or `null` at end of stream.
   * @throws {SocketError} As {@linkcode Socket.prototype.read}.
   * @throws {RangeError} For an empty buffer.
   */
  readInto(buffer: Uint8Array, timeout?: number): Operation<number | null> {
    if (buffer.length === 0) throw new RangeError("Cannot read into buffer: it is empty");
    // The hot path (no timeout) needs no closure per call.
    if (timeout === undefined) return new LazyOperation(startReadInto, this, buffer);
    return lazy(() => this.#readInto(buffer, timeout));
  }

  #readInto(buffer: Uint8Array, timeout: number | undefined): MaybePromise<number | null> {
    this.#writes.throwRefused();
    const stream = this.#stream;
    if (timeout === undefined && this.#kind === "stream" && stream.canReadInto()) {
      this.#checkOwner("read from");
      return stream.readInto(buffer, currentRoutine());
    }
    const chunk = this.#readChunk(timeout, "read from");
    return chunk instanceof Promise
      ? chunk.then((bytes: Uint8Array | null) => stream.copyInto(bytes, buffer))
      : stream.copyInto(chunk as Uint8Array | null, buffer);
  }

  /**
   * Puts bytes back in front of what the socket reads next: for a parser
   * that read past its message and hands the connection on (an HTTP server
   * giving a raw socket to a tunnel, a protocol sniffed from its first
   * bytes).
   *
   * @param data The bytes, read next and before anything still unread.
   * @throws {SocketError} `busy` while a read is in flight (the bytes would
   * arrive after newer ones).
   * @example Sniff a protocol and put its first bytes back
   * ```ts
   * import { bind, connect } from "@cosocket/socket";
   *
   * await using server = bind(0, { hostname: "127.0.0.1" });
   * await using client = await connect("127.0.0.1", server.sockname().port);
   * await using peer = (await server.accept())!;
   * await client.write("GET / HTTP/1.1\r\n");
   * const first = (await peer.read()) as Uint8Array;
   * peer.unread(first);
   * console.log(await peer.readLine()); // "GET / HTTP/1.1"
   * ```
   */
  unread(data: Uint8Array): void {
    this.#stream.unread(data);
  }

  /**
   * Reads exactly `size` bytes.
   *
   * @param size The number of bytes.
   * @param timeout The longest wait for each chunk, in milliseconds.
   * @returns The bytes, or `null` when the stream ended before any byte.
   * @throws {IncompleteReadError} When the stream ended part way; its
   * `partial` has the bytes that did arrive.
   * @throws {SocketError} As {@linkcode Socket.prototype.read}.
   */
  readExactly(size: number, timeout?: number): Operation<Uint8Array | null> {
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new RangeError(
        `Cannot read exactly ${size} bytes: size must be a non-negative integer`,
      );
    }
    return fromGenerator(() =>
      this.#collect((buffer) => buffer.length >= size ? size : -1, {
        timeout,
        maxLength: size,
        consumed: size,
      })
    );
  }

  /**
   * Reads up to a delimiter.
   *
   * @param delimiter The delimiter (a string is matched as UTF-8).
   * @param options Timeout, buffer limit and whether to keep the delimiter.
   * @returns The bytes before the delimiter (with it when `inclusive`), or
   * `null` when the stream ended before any byte.
   * @throws {IncompleteReadError} When the stream ended before the delimiter.
   * @throws {RangeError} When `maxLength` bytes arrived without a delimiter.
   * @throws {SocketError} As {@linkcode Socket.prototype.read}.
   */
  readUntil(
    delimiter: Uint8Array | string,
    options: ReadUntilOptions = {},
  ): Operation<Uint8Array | null> {
    const needle = typeof delimiter === "string" ? encoder.encode(delimiter) : delimiter;
    if (needle.length === 0) {
      throw new RangeError("Cannot read until delimiter: delimiter is empty");
    }
    const { maxLength = 65536, inclusive = false, timeout } = options;
    let scanned = 0;
    return fromGenerator(() =>
      this.#collect((buffer) => {
        const index = indexOf(buffer, needle, Math.max(0, scanned - needle.length + 1));
        scanned = buffer.length;
        return index < 0 ? -1 : index + (inclusive ? needle.length : 0);
      }, { timeout, maxLength: maxLength + needle.length, skip: inclusive ? 0 : needle.length })
    );
  }

  /**
   * Reads one line, ending at `\n`, and decodes it as UTF-8 without the
   * line break (`\r\n` or `\n`).
   *
   * @param options Timeout and the longest line accepted.
   * @returns The line, or `null` at end of stream.
   * @throws {IncompleteReadError} When the stream ended inside a line.
   * @throws {RangeError} When a line is longer than `maxLength`.
   * @throws {SocketError} As {@linkcode Socket.prototype.read}.
   */
  readLine(options: Omit<ReadUntilOptions, "inclusive"> = {}): Operation<string | null> {
    const until = this.readUntil("\n", { ...options, inclusive: false });
    return fromGenerator(() => lineOf(until));
  }

  *#collect(
    find: (buffer: Uint8Array) => number,
    limits: { timeout: number | undefined; maxLength: number; skip?: number; consumed?: number },
  ): Generator<Suspension, Uint8Array | null, unknown> {
    const stream = this.#stream;
    let buffer: Uint8Array = stream.takeUnread() ?? new Uint8Array(0);
    while (true) {
      const end = find(buffer);
      if (end >= 0) {
        stream.putBack(buffer.subarray(limits.consumed ?? end + (limits.skip ?? 0)));
        return buffer.subarray(0, end);
      }
      if (buffer.length >= limits.maxLength) {
        stream.putBack(buffer);
        throw new RangeError(
          `Cannot read from socket: no delimiter within ${limits.maxLength} bytes`,
        );
      }
      let chunk: Uint8Array | null;
      try {
        chunk = yield* lazy(() => this.#readChunk(limits.timeout, "read from"));
      } catch (error) {
        // Keep what arrived so far: a timeout is not fatal.
        stream.putBack(buffer);
        throw error;
      }
      if (chunk === null) {
        if (buffer.length === 0) return null;
        throw new IncompleteReadError(buffer);
      }
      buffer = concat(buffer, chunk);
    }
  }

  #checkOwner(action: string): void {
    const routine = this.#routine;
    if (routine !== null && !routine.done && currentRoutine() !== routine) {
      throw new SocketError(
        "incorrectuse",
        `Cannot ${action} socket: it belongs to a cosocket and only that cosocket may ${action} it`,
      );
    }
  }

  #readChunk(timeout: number | undefined, action: string): MaybePromise<Uint8Array | null> {
    if (this.#kind === "unconnected") return this.#sleepUnconnected(timeout);
    this.#checkOwner(action);
    this.#writes.throwRefused();
    if (this.#kind === "listener") {
      throw new SocketError(
        "incorrectuse",
        `Cannot ${action} socket: it is a listener, use accept()`,
      );
    }
    return this.#stream.read(currentRoutine(), timeout, action);
  }

  #sleepUnconnected(timeout: number | undefined): Promise<never> {
    const routine = currentRoutine();
    if (routine === null || routine !== this.#routine || timeout === undefined) {
      throw new SocketError(
        "incorrectuse",
        "Cannot read from socket: it is not connected (only its own cosocket may sleep on it with a timeout)",
      );
    }
    routine.waitingFor = "read";
    const { expired, clear } = deadline(timeout, () => readTimeout(timeout));
    return withCancel(expired, clear);
  }

  // ---------------------------------------------------------------- writing

  /**
   * Writes data. Every writer is served strictly in the order of its call,
   * whichever cosocket or async function it comes from.
   *
   * A caller that waits (`yield*` in a cosocket, `await` in async code) is
   * suspended until its bytes are handed to the kernel, so a writer can
   * never outrun a slow peer. A caller that does not wait (a timer or event
   * callback) has its bytes queued, up to {@linkcode Socket.prototype.queuelen}
   * bytes; past that `accepted` is `false` and the write is dropped whole.
   *
   * The bytes are sent from the given buffer without copying: do not change
   * it until the write finishes. `start` and `end` select a part as
   * `Uint8Array#subarray` does (the seed's 1-based inclusive `i, j` become
   * `i - 1, j`).
   *
   * @param data The bytes; a string is sent as UTF-8, a ByteArray as its
   * current window.
   * @param start The first byte to send.
   * @param end The byte after the last one to send.
   * @returns The write, to wait for or to inspect.
   * @throws {SocketError} When waited for: `closed` if the connection is or
   * becomes closed before the bytes were sent, `incorrectuse` on a listener,
   * an unconnected socket or an unconnected UDP socket.
   */
  write(data: WriteData, start?: number, end?: number): WriteOperation {
    const bytes = toBytes(data, start, end);
    const writes = this.#writes;
    writes.throwRefused();
    if (this.#kind === "datagram") return this.#writeDatagram(bytes);
    const problem = this.#writeProblem();
    if (problem !== null) return failedWrite(problem, writes.unwaitedBytes);
    if (bytes.length === 0) return doneWrite(writes.unwaitedBytes);
    return writes.write(bytes);
  }

  #writeProblem(): SocketError | null {
    switch (this.#kind) {
      case "stream":
        if (this.#conn === null) {
          return new SocketError("closed", "Cannot write to socket: connection is closed");
        }
        return this.#writeClosed
          ? new SocketError("closed", "Cannot write to socket: its write side was closed")
          : null;
      case "closed":
        return new SocketError("closed", "Cannot write to socket: connection is closed");
      case "listener":
        return new SocketError("incorrectuse", "Cannot write to socket: it is a listener");
      default:
        return new SocketError("incorrectuse", "Cannot write to socket: it is not connected");
    }
  }

  /**
   * Gets or sets the queue length: how many bytes writers that do not wait
   * may have queued (the seed's `socket:queuelen`).
   *
   * @param size The new length in bytes.
   * @returns The queue length in force.
   * @throws {RangeError} When `size` is not a non-negative integer.
   */
  queuelen(size?: number): number {
    if (size !== undefined) {
      if (!Number.isSafeInteger(size) || size < 0) {
        throw new RangeError(
          `Cannot set queue length to ${size}: it must be a non-negative integer`,
        );
      }
    }
    return this.#writes.queuelen(size);
  }

  /**
   * Bytes received and not read yet: what the next read returns without
   * waiting (Node's `readableLength`).
   */
  get readableLength(): number {
    return this.#stream.unreadLength;
  }

  /**
   * Takes the bytes received and not read yet, without waiting: for a
   * parser that can finish a message from what already arrived.
   *
   * @returns The bytes, or `null` when nothing is buffered.
   * @throws {SocketError} `busy` while a read is in flight.
   * @example Finish a message from what arrived with its head
   * ```ts
   * import { bind, connect } from "@cosocket/socket";
   *
   * await using server = bind(0, { hostname: "127.0.0.1" });
   * await using client = await connect("127.0.0.1", server.sockname().port);
   * await using peer = (await server.accept())!;
   * await client.write("LEN 5\nhello");
   * await new Promise((resolve) => setTimeout(resolve, 50));
   * console.log(await peer.readLine()); // "LEN 5"
   * console.log(peer.readableLength); // 5
   * console.log(new TextDecoder().decode(peer.readBuffered()!)); // "hello"
   * ```
   */
  readBuffered(): Uint8Array | null {
    return this.#stream.takeBuffered();
  }

  /** Bytes waiting in the write queue, from writers that wait or not. */
  get bufferedAmount(): number {
    return this.#writes.bufferedAmount;
  }

  // --------------------------------------------------------------- datagram

  #receive(
    timeout: number | undefined,
    withAddress: boolean,
  ): MaybePromise<Uint8Array | Datagram | null> {
    this.#checkOwner("read from");
    const endpoint = this.#datagram;
    if (endpoint?.waiting) {
      throw new SocketError("busy", "Cannot read from socket: another read is in progress");
    }
    if (endpoint === null) return null;
    endpoint.waiting = true;
    const inflight = endpoint.receive();
    const routine = currentRoutine();
    if (routine !== null) routine.waitingFor = "read";
    let settled = false;
    const finish = () => {
      settled = true;
      endpoint.waiting = false;
      limit?.clear();
    };
    const limit = timeout === undefined
      ? null
      : deadline(timeout, () => readTimeout(timeout), () => void (settled || finish()));
    const promise = new Promise<Uint8Array | Datagram | null>((resolve, reject) => {
      limit?.expired.catch(reject);
      inflight.then((datagram) => {
        if (settled) return;
        finish();
        endpoint.taken();
        resolve(datagram === null || withAddress ? datagram : datagram.data);
      }, (error) => {
        if (settled) return;
        finish();
        endpoint.taken();
        reject(error);
      });
    });
    return withCancel(promise, finish);
  }

  #writeDatagram(bytes: Uint8Array): WriteOperation {
    const peer = this.#datagram?.peer ?? null;
    if (peer === null) {
      const closed = this.#datagram === null;
      return failedWrite(
        new SocketError(
          closed ? "closed" : "incorrectuse",
          closed
            ? "Cannot write to socket: connection is closed"
            : "Cannot write to socket: the UDP socket has no peer, use sendto()",
        ),
        0,
      );
    }
    return sentWrite(this.#sendDatagram(bytes, peer));
  }

  /**
   * Sends a datagram to an address (the seed's `unconnected:sendto`). UDP
   * sends never wait for the peer.
   *
   * @param data The datagram.
   * @param address The recipient's IP address (host names are not resolved,
   * as in the seed).
   * @param port The recipient's port.
   * @returns An operation that finishes when the datagram was sent.
   * @throws {SocketError} `incorrectuse` on a socket that is not UDP,
   * `closed` after close.
   */
  sendto(data: WriteData, address: string, port: number): Operation<void> {
    const bytes = toBytes(data);
    return lazy(() => {
      if (this.#kind !== "datagram") {
        throw new SocketError(
          "incorrectuse",
          "Cannot send datagram: the socket is not a UDP socket",
        );
      }
      return this.#sendDatagram(bytes, { transport: "udp", hostname: address, port });
    });
  }

  #sendDatagram(bytes: Uint8Array, to: Deno.NetAddr): Promise<void> {
    const endpoint = this.#datagram;
    if (endpoint === null) {
      return Promise.reject(new SocketError("closed", "Cannot send datagram: socket is closed"));
    }
    return endpoint.send(bytes, to);
  }

  // --------------------------------------------------------------- listener

  /**
   * Waits for the next connection on a listener (the seed's accept mode).
   *
   * @param timeout The longest wait in milliseconds.
   * Temporary failures of the platform's accept (EMFILE, ENFILE, ENOBUFS,
   * ENOMEM, ECONNABORTED) never reach the caller: the listener reports them
   * to `BindOptions.onAcceptError`, counts them in `sockstat().acceptBackoffs`,
   * waits (5 ms, doubling up to 200 ms while they last) and accepts again,
   * keeping its port and the clients queued in its backlog.
   *
   * @returns The new connection, or `null` once the listener is closed.
   * @throws {SocketError} `timeout` when `timeout` passes first (not fatal);
   * `incorrectuse` on a socket that is not a listener or belongs to another
   * cosocket; `busy` during another accept; `io` (or `tls`) for a failure of
   * the listener itself that is not temporary.
   */
  accept(timeout?: number): Operation<Socket | null> {
    return new LazyOperation(startAccept, this, timeout);
  }

  #accept(timeout: number | undefined): MaybePromise<Socket | null> {
    if (this.#kind === "closed") return null;
    if (this.#kind !== "listener") {
      throw new SocketError("incorrectuse", "Cannot accept on socket: it is not a listener");
    }
    this.#checkOwner("accept on");
    const endpoint = this.#listening!;
    if (endpoint.waiting) {
      throw new SocketError("busy", "Cannot accept on socket: another accept is in progress");
    }
    const inflight = endpoint.accept();
    endpoint.waiting = true;
    const routine = currentRoutine();
    if (routine !== null) routine.waitingFor = "accept";
    else this.#asyncWaiting = "accept";
    if (timeout === undefined) return new AcceptStep(this, routine, inflight);
    return this.#acceptWithin(timeout, inflight, routine);
  }

  #acceptWithin(
    timeout: number,
    inflight: Promise<Deno.Conn | null>,
    routine: Routine<unknown> | null,
  ): Promise<Socket | null> {
    let settled = false;
    const limit = deadline(
      timeout,
      () => new SocketError("timeout", `Cannot accept on socket: timed out after ${timeout} ms`),
      () => void (settled || stop()),
    );
    const stop = () => {
      settled = true;
      this.#acceptStopped(routine);
      limit.clear();
    };
    // The accept in flight settled before the deadline: the next accept starts another.
    const settle = (): boolean => {
      if (settled) return false;
      stop();
      this.#listening?.taken();
      return true;
    };
    const promise = new Promise<Socket | null>((resolve, reject) => {
      limit.expired.catch(reject);
      inflight.then((conn) => {
        if (settle()) resolve(this.#adopt(conn));
      }, (error) => {
        if (settle()) reject(error);
      });
    });
    return withCancel(promise, stop);
  }

  /** The accept in flight settled: the next accept starts another. */
  #acceptSettled(routine: Routine<unknown> | null): void {
    this.#acceptStopped(routine);
    this.#listening?.taken();
  }

  /** Nobody waits for the accept any more (it may still be in flight). */
  #acceptStopped(routine: Routine<unknown> | null): void {
    const endpoint = this.#listening;
    if (endpoint !== null) endpoint.waiting = false;
    if (routine === null && this.#asyncWaiting === "accept") this.#asyncWaiting = null;
  }

  /** The socket of an accepted connection (`null`: the listener closed). */
  #adopt(conn: Deno.Conn | null): Socket | null {
    if (conn === null) return null;
    const socket = new Socket();
    socket.#accepted = true;
    socket.#attachStream({ conn, tls: this.#tls });
    return socket;
  }

  /**
   * Accepts one connection from the platform. Temporary failures (out of
   * descriptors or buffers, a connection aborted before it was accepted) do
   * not end the listener: it reports them to `onAcceptError`, waits, and
   * tries again, so queued clients are served once resources free up.
   */
  // --------------------------------------------------------------- cosocket

  /**
   * Runs a cosocket bound to this socket (the seed's `socket:event`). The
   * function starts at once, with this socket first and then `args`. From
   * then on only that cosocket may read from (or accept on) the socket; any
   * code may write to it. The socket closes when the function returns or
   * throws. A listener's cosocket runs in accept mode.
   *
   * @param fn The cosocket: a generator function.
   * @param args The arguments after the socket.
   * @returns This socket.
   * @throws {SocketError} `incorrectuse` when a cosocket already runs on it.
   */
  event<A extends unknown[]>(fn: CosocketFunction<A>, ...args: A): this {
    if (this.#routine !== null && !this.#routine.done) {
      throw new SocketError("incorrectuse", "Cannot start cosocket: the socket already has one");
    }
    if (this.#kind === "closed") {
      throw new SocketError("closed", "Cannot start cosocket: socket is closed");
    }
    const routine = createRoutine<[Socket, ...A], unknown, Socket>(this, fn, [this, ...args]);
    // One connection's bug must not end the server: see Routine#isolated.
    routine.isolated = this.#accepted;
    this.#routine = routine as Routine<unknown, Socket>;
    routine.start();
    return this;
  }

  /**
   * The cosocket bound to this socket, or `null`. Await it (or `yield*` it)
   * for its result; `halt()` stops it.
   */
  get task(): Task<unknown> | null {
    return this.#routine;
  }

  /**
   * Reports whether the code running now is the cosocket that owns this
   * socket (the seed's `socket:owner`).
   *
   * @returns `true` inside the owning cosocket.
   */
  owner(): boolean {
    return this.#routine !== null && currentRoutine() === this.#routine;
  }

  /**
   * Suspends the socket's events (the seed's `socket:disable`).
   *
   * Called by the owning cosocket, it suspends that cosocket until
   * `enable(...values)` is called (and returns those values) or until the
   * connection closes (and returns `[]`). Called from anywhere else, it stops
   * the cosocket's reads from receiving data until `enable()`; that is
   * refused while the cosocket waits in a write.
   *
   * @returns The values passed to `enable`.
   * @throws {SocketError} `incorrectuse` from outside while the owner waits
   * in a write, or for a closed socket that was connected.
   */
  disable(): Operation<unknown[]> {
    const routine = this.#routine;
    if (routine !== null && currentRoutine() === routine) {
      return lazy(() => this.#disableSelf(routine));
    }
    if (routine !== null && routine.waitingFor === "write") {
      throw new SocketError(
        "incorrectuse",
        "Cannot disable socket: its cosocket is waiting in a write",
      );
    }
    this.#stream.pause();
    return lazy(() => []);
  }

  #disableSelf(routine: Routine<unknown>): Promise<unknown[]> {
    if (this.#kind === "closed") {
      throw new SocketError("incorrectuse", "Cannot disable socket: connection is closed");
    }
    const disabled = this.#disabled = deferred();
    routine.waitingFor = "read";
    // Watch for the peer closing while the cosocket is disabled; data that
    // arrives meanwhile waits unread for the next read.
    const watch = this.#kind === "stream" ? this.#stream.watch() : null;
    watch?.then(() => {
      if (this.#stream.eof && this.#disabled === disabled) this.#resumeDisabled([]);
    });
    return withCancel(disabled.promise, () => {
      if (this.#disabled === disabled) this.#disabled = null;
    });
  }

  #resumeDisabled(values: unknown[]): void {
    const disabled = this.#disabled;
    this.#disabled = null;
    disabled?.resume(values);
  }

  /**
   * Resumes a disabled socket (the seed's `socket:enable`). When its cosocket
   * waits in `disable()`, `values` become the result of that call.
   *
   * @param values Values for the cosocket.
   * @returns `true` when something was disabled.
   */
  enable(...values: unknown[]): boolean {
    let enabled = this.#stream.resume();
    if (this.#disabled !== null) {
      this.#resumeDisabled(values);
      enabled = true;
    }
    return enabled;
  }

  /**
   * Reports the socket's state (the seed's `socket:state`).
   *
   * @returns The state and whether the socket is connected.
   */
  state(): SocketStatus {
    const connected = this.#kind !== "unconnected" && this.#kind !== "closed" &&
      !this.#stream.eof;
    const routine = this.#routine;
    let state: SocketState;
    if (routine !== null && !routine.done && routine.executing) state = "exec";
    else if (routine !== null && !routine.done && routine.waitingFor !== null) {
      state = routine.waitingFor;
    } else if (this.#asyncWaiting !== null) state = this.#asyncWaiting;
    else if (this.#stream.asyncReading) state = "read";
    else if (this.#writes.waited) state = "write";
    else state = connected ? "exec" : "notcon";
    return { state, connected };
  }

  // ------------------------------------------------------------------- TLS

  /**
   * Upgrades a client connection to TLS (STARTTLS): the seed's
   * `socket:upgrade`, named `startTls` here because "upgrade" is also the
   * WebSocket and HTTP upgrade; `upgrade` stays as an alias. Refused while unread bytes are buffered or a read is in
   * flight: bytes that arrived before the handshake must never be taken as
   * protected (the STARTTLS injection defence), and `Deno.startTls` needs a
   * connection with no pending read.
   *
   * Deno can only start TLS as a client, so a server cannot upgrade an
   * accepted connection.
   *
   * @param options CA certificates, server name and ALPN.
   * @returns This socket, now secure.
   * @throws {SocketError} `incorrectuse` when refused as above or when the
   * socket is not a plain TCP client connection; `tls` when the handshake
   * fails (the socket is then closed); `timeout` after `timeout` ms.
   */
  startTls(options?: TlsClientOptions & { timeout?: number }): Operation<Socket> {
    options ??= {};
    return lazy(() => this.#upgrade(options));
  }

  /**
   * The seed's name for {@linkcode Socket.prototype.startTls}.
   *
   * @param options CA certificates, server name, ALPN and a timeout.
   * @returns This socket, now secure.
   * @throws {SocketError} As {@linkcode Socket.prototype.startTls}.
   */
  upgrade(options?: TlsClientOptions & { timeout?: number }): Operation<Socket> {
    options ??= {};
    return this.startTls(options);
  }

  // ------------------------------------------------------------ half-close

  /**
   * Closes the write side (sends FIN) once every write queued before the
   * call has been handed to the kernel, and keeps reading: the peer sees end
   * of stream and can still answer. Every proxy needs it to pass a client's
   * half-close on. Later writes fail with `closed`. Closing the write side
   * twice is allowed.
   *
   * @returns The operation, done once FIN is sent.
   * @throws {SocketError} `closed` when the connection is already closed;
   * `incorrectuse` on a listener, a UDP socket or an unconnected socket.
   *
   * @example Ask, half-close, read the whole answer
   * ```ts
   * import { bind, connect, type Socket } from "@cosocket/socket";
   *
   * // A server that answers once its client has said everything.
   * await using server = bind(0, { hostname: "127.0.0.1" }).event(function* (listener) {
   *   let client;
   *   while ((client = yield* listener.accept()) !== null) {
   *     client.event(function* (sock: Socket) {
   *       let total = 0;
   *       let chunk;
   *       while ((chunk = yield* sock.read()) !== null) total += chunk.length;
   *       yield* sock.write(`got ${total} bytes`);
   *     });
   *   }
   * });
   * await using client = await connect("127.0.0.1", server.sockname().port);
   * await client.write("hello");
   * await client.closeWrite();
   * console.log(new TextDecoder().decode((await client.read())!)); // "got 5 bytes"
   * ```
   */
  closeWrite(): Operation<void> {
    return lazy(() => this.#closeWrite());
  }

  async #closeWrite(): Promise<void> {
    if (this.#writeClosed && this.#kind === "stream") return;
    const problem = this.#writeProblem();
    if (problem !== null) throw problem;
    const failure = await this.#writes.drained();
    if (failure !== null) throw failure;
    const conn = this.#conn;
    if (conn === null || (this.#kind as Kind) !== "stream") {
      throw new SocketError(
        "closed",
        "Cannot close the write side of socket: connection is closed",
      );
    }
    if (this.#writeClosed) return;
    this.#writeClosed = true;
    try {
      await conn.closeWrite();
    } catch (error) {
      throw toSocketError(error, "close the write side of socket");
    }
  }

  async #upgrade(options: TlsClientOptions & { timeout?: number }): Promise<Socket> {
    const conn = this.#conn;
    if (this.#kind !== "stream" || conn === null || !isTcpConn(conn)) {
      throw new SocketError(
        "incorrectuse",
        "Cannot upgrade socket: it is not a plain TCP connection",
      );
    }
    if (this.#tls) {
      throw new SocketError("incorrectuse", "Cannot upgrade socket: it is already secure");
    }
    this.#checkOwner("upgrade");
    if (!this.#stream.idle) {
      throw new SocketError(
        "incorrectuse",
        `Cannot upgrade socket: ${
          this.#stream.unreadLength || "some"
        } unread bytes are buffered, refusing them as TLS input`,
      );
    }
    if (!this.#writes.empty) {
      throw new SocketError("incorrectuse", "Cannot upgrade socket: writes are still queued");
    }
    const routine = currentRoutine();
    if (routine !== null) routine.waitingFor = "upgrade";
    else this.#asyncWaiting = "upgrade";
    const serverName = options.serverName ?? addressOf(conn, "remoteAddr")?.address ?? "localhost";
    try {
      const tls = await handshake(
        conn,
        serverName,
        options,
        options.timeout ?? 10_000,
        (started) => {
          // Closing the socket during the handshake must close this conn.
          if (this.#kind === "closed") started.close();
          else this.#useConn(started);
        },
      );
      this.#useConn(tls.conn);
      this.#tls = true;
      this.#client = {
        poolKey: this.#client?.poolKey ?? null,
        reused: this.#client?.reused ?? 0,
        serverName,
        hostnameVerified: options.unsafelyDisableHostnameVerification !== true,
        alpnProtocol: tls.alpnProtocol,
      };
      return this;
    } catch (error) {
      this.close();
      throw error;
    } finally {
      if (this.#asyncWaiting === "upgrade") this.#asyncWaiting = null;
    }
  }

  /** `true` when the connection is TLS. */
  get secure(): boolean {
    return this.#tls;
  }

  /** The ALPN protocol the TLS handshake agreed on, or `null`. */
  get alpnProtocol(): string | null {
    return this.#client?.alpnProtocol ?? null;
  }

  /**
   * Reports whether the peer is trusted (the seed's `socket:trusted`).
   * Deno verifies the certificate chain and the server name during the
   * handshake and refuses untrusted servers, so a TLS client connection is
   * trusted for the name it verified. Deno does not expose the peer
   * certificate, so other names cannot be checked and report `false`, as do
   * plain connections and accepted (server-side) connections.
   *
   * @param hostname The name to check; defaults to the verified name.
   * @returns Whether the connection is trusted for that name.
   */
  trusted(hostname?: string): boolean {
    const serverName = this.#client?.hostnameVerified ? this.#client.serverName : null;
    if (!this.#tls || serverName === null) return false;
    return hostname === undefined || hostname.toLowerCase() === serverName.toLowerCase();
  }

  // ------------------------------------------------------------- addresses

  /**
   * The peer's address (the seed's `socket:peername`).
   *
   * @returns Address, port and whether it is IPv6.
   * @throws {SocketError} `incorrectuse` when the socket has no peer.
   */
  peername(): SocketAddress {
    const remote = this.#remote ??
      (this.#conn === null ? null : addressOf(this.#conn, "remoteAddr"));
    if (remote !== null) return remote;
    const peer = this.#datagram?.peer ?? null;
    if (peer !== null) return netAddress(peer);
    throw new SocketError("incorrectuse", "Cannot get peer name: socket has no peer");
  }

  /**
   * The local address (the seed's `socket:sockname`).
   *
   * @returns Address, port and whether it is IPv6.
   * @throws {SocketError} `incorrectuse` when the socket is not bound.
   */
  sockname(): SocketAddress {
    const local = this.#local ?? (this.#conn === null ? null : addressOf(this.#conn, "localAddr"));
    if (local !== null) return local;
    throw new SocketError("incorrectuse", "Cannot get socket name: socket is not bound");
  }

  /**
   * Sets a TCP option (the seed's `socket:setoption`): `keepalive` (TCP
   * keep-alive probes) or `nodelay` (disables Nagle's algorithm; `connect`
   * and `bind` turn it on for their TCP connections unless their `noDelay`
   * option is `false`).
   *
   * @param option The option name.
   * @param value The value.
   * @throws {SocketError} `incorrectuse` when the socket is not a TCP
   * connection (or is TLS, whose Deno connection has no such setters).
   * @throws {TypeError} For an unknown option.
   */
  setoption(option: "keepalive" | "nodelay", value?: boolean): void {
    value ??= true;
    const conn = this.#conn;
    if (option !== "keepalive" && option !== "nodelay") {
      throw new TypeError(`Cannot set socket option: unknown option "${option}"`);
    }
    if (conn === null || !isTcpConn(conn)) {
      throw new SocketError(
        "incorrectuse",
        "Cannot set socket option: it is not a plain TCP connection",
      );
    }
    if (option === "keepalive") conn.setKeepAlive(value);
    else conn.setNoDelay(value);
  }

  // ------------------------------------------------------------------ pool

  /**
   * Returns the connection to the pool for its host, port and TLS setting,
   * where a later `connect` to the same place picks it up (OpenResty's
   * `setkeepalive`). The socket itself is then not connected: a cosocket
   * may connect it again. From the next timer turn on, a parked connection
   * on which the server sends anything or closes is dropped from the pool;
   * one taken back sooner is handed over as it is, and a close of the
   * server's in that moment is the next user's end of stream.
   *
   * Refused while bytes are unread or writes are queued, since the next
   * user would otherwise get this one's leftovers.
   *
   * @param options Idle timeout and pool size.
   * @throws {SocketError} `incorrectuse` when refused as above, or when the
   * socket is not a connection made by `connect`.
   */
  setKeepAlive(options?: KeepAliveOptions): void {
    options ??= {};
    const conn = this.#conn;
    const client = this.#client;
    if (
      this.#kind !== "stream" || conn === null || client?.poolKey == null || this.#stream.eof
    ) {
      throw new SocketError(
        "incorrectuse",
        "Cannot keep socket alive: it is not an open connection made by connect()",
      );
    }
    if (!this.#stream.idle) {
      throw new SocketError("incorrectuse", "Cannot keep socket alive: unread data remains");
    }
    if (!this.#writes.empty) {
      throw new SocketError("incorrectuse", "Cannot keep socket alive: writes are still queued");
    }
    returnToPool(client.poolKey, {
      conn,
      tls: this.#tls,
      serverName: client.serverName,
      hostnameVerified: client.hostnameVerified,
      alpnProtocol: client.alpnProtocol,
      reused: client.reused + 1,
      remote: this.#remote ?? addressOf(conn, "remoteAddr"),
      local: this.#local ?? addressOf(conn, "localAddr"),
    }, options);
    this.#useConn(null);
    this.#resetConnection();
    this.#kind = "unconnected";
  }

  /**
   * How many times this connection was taken from the pool (OpenResty's
   * `getreusedtimes`).
   *
   * @returns 0 for a fresh connection.
   */
  reusedTimes(): number {
    return this.#client?.reused ?? 0;
  }

  // ----------------------------------------------------------------- close

  /**
   * Closes the socket (the seed's `socket:close`). A cosocket waiting in a
   * read on it resumes with end of stream; writers waiting on it fail with
   * `closed`; its own cosocket, if any, keeps running until it returns. A
   * listener's accept loop then ends (`accept()` returns `null`), and with
   * it every connection cosocket it started (they are its children).
   * Closing twice is allowed.
   *
   * The socket is closed when the call returns; the promise it returns
   * resolves once the socket's cosocket has finished, its children and
   * teardowns included, so `await server.close()` is a graceful shutdown:
   * afterwards `sockstat()` no longer counts any of its connections.
   *
   * @returns A promise that resolves when the cosocket (if any) has
   * finished; it never rejects.
   */
  close(): Promise<void> {
    const finished = this.#closeNow();
    const routine = this.#routine;
    if (routine === null || routine.done && finished || currentRoutine() === routine) {
      return this.#settled();
    }
    return routine.finished().then(() => this.#settled());
  }

  /** Closes at once; `true` when the socket was closed already. */
  #closeNow(): boolean {
    if (this.#kind === "closed") return true;
    const wasOpen = this.#kind !== "unconnected";
    this.#kind = "closed";
    openSockets--;
    try {
      this.#conn?.close();
      this.#listening?.close();
      this.#datagram?.close();
    } catch {
      // Already closed by the platform (peer reset): nothing left to release.
    }
    this.#writes.close();
    if (wasOpen || this.#disabled !== null) this.#resumeDisabled([]);
    this.#stream.close();
    return false;
  }

  /**
   * Closes the socket, halts its cosocket (unless it is the caller) and
   * waits until pending platform operations have finished, so that nothing
   * outlives an `await using` block.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    this.#closeNow();
    const routine = this.#routine;
    if (routine !== null && !routine.done && currentRoutine() !== routine) await routine.halt();
    await this.#settled();
  }

  /**
   * Closes the socket at once (`using`, for cosockets: a generator cannot
   * `await using`, and a halted cosocket's `using` still runs). Its own
   * cosocket, if another, is halted without waiting for it.
   *
   * @example A connection a cosocket opened is closed however it ends
   * ```ts
   * import { bind, connect, run, sockstat } from "@cosocket/socket";
   *
   * await using server = bind(0, { hostname: "127.0.0.1" });
   * const task = run(function* () {
   *   using sock = yield* connect("127.0.0.1", server.sockname().port, { detached: true });
   *   yield* sock.read(); // the server never writes
   * });
   * await using peer = await server.accept();
   * await task.halt();
   * console.log(sockstat().total); // 2: the listener and the accepted side
   * ```
   */
  [Symbol.dispose](): void {
    void this.close();
  }

  /** Waits for the read, accept and receive in flight to settle after close. */
  #settled(): Promise<void> {
    const landing = this.#stream.landing;
    const accepting = this.#listening?.accepting ?? null;
    const receiving = this.#datagram?.receiving ?? null;
    // Nothing in flight, as for a connection just handed to the pool.
    if (landing === null && accepting === null && receiving === null) return SETTLED;
    return Promise.allSettled([landing, accepting, receiving]).then(() => {});
  }

  /**
   * Makes this socket's cosocket independent of the cosocket that started
   * it: it no longer ends when that one ends (see `event`). For a
   * connection that must outlive its server, or work handed from one
   * cosocket to another.
   *
   * @returns This socket.
   */
  detach(): this {
    this.#routine?.detach();
    return this;
  }

  // ---------------------------------------------------------------- attach

  /** Hands the connection to the parts that read and write it. */
  #useConn(conn: StreamConn | null): void {
    this.#conn = this.#writes.conn = this.#stream.conn = conn;
  }

  #attachStream(setup: StreamSetup): void {
    this.#kind = "stream";
    this.#useConn(setup.conn);
    this.#tls = setup.tls ?? false;
    this.#client = clientFacts(setup);
    if (setup.inflight) this.#stream.adopt(setup.inflight);
    // Addresses of a Deno conn are read when asked for: idle connections
    // should not carry two more objects each.
    this.#remote = setup.remote ?? null;
    this.#local = setup.local ?? null;
  }

  #attachListener(listener: Deno.Listener, setup: ListenerSetup): void {
    this.#kind = "listener";
    this.#endpoint = new ListenerEndpoint(listener, setup.onAcceptError ?? null, setup.noDelay);
    this.#tls = setup.tls;
    this.#local = netAddress(listener.addr as Deno.NetAddr);
  }

  #attachDatagram(conn: Deno.DatagramConn, peer: Deno.NetAddr | null): void {
    this.#kind = "datagram";
    this.#endpoint = new DatagramEndpoint(conn, peer);
    this.#local = netAddress(conn.addr as Deno.NetAddr);
  }

  #resetConnection(): void {
    this.#tls = false;
    this.#client = null;
    this.#remote = null;
    this.#local = null;
    this.#stream.reset();
    this.#writeClosed = false;
  }
}

function deferred(): Disabled {
  let resume!: (values: unknown[]) => void;
  const promise = new Promise<unknown[]>((resolve) => {
    resume = resolve;
  });
  return { resume, promise };
}

/** Converts write input to bytes without copying. */
function toBytes(data: WriteData, start?: number, end?: number): Uint8Array {
  let bytes: Uint8Array;
  if (typeof data === "string") bytes = encoder.encode(data);
  else if (data instanceof Uint8Array) bytes = data;
  else if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
  else if (data instanceof ByteArray) bytes = data.view();
  else {throw new TypeError(
      "Cannot write to socket: data must be a string, Uint8Array, ArrayBuffer or ByteArray",
    );}
  return start === undefined && end === undefined ? bytes : bytes.subarray(start, end);
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0]!;
  if (needle.length === 1) return haystack.indexOf(first, from);
  const last = haystack.length - needle.length;
  for (let index = haystack.indexOf(first, from); index >= 0 && index <= last;) {
    let match = true;
    for (let k = 1; k < needle.length; k++) {
      if (haystack[index + k] !== needle[k]) {
        match = false;
        break;
      }
    }
    if (match) return index;
    index = haystack.indexOf(first, index + 1);
  }
  return -1;
}

function netAddress(addr: Deno.NetAddr): SocketAddress {
  return { address: addr.hostname, port: addr.port, ipv6: addr.hostname.includes(":") };
}

function addressOf(conn: StreamConn, which: "remoteAddr" | "localAddr"): SocketAddress | null {
  const addr = (conn as Partial<Deno.Conn>)[which];
  if (addr === undefined) return null;
  if (addr.transport === "tcp") return netAddress(addr);
  return null;
}

/**
 * A running cosocket. It is both a promise (await its result from async
 * code) and an {@linkcode Operation} (`yield*` it from another cosocket).
 *
 * A task that throws rejects its promise; when nobody awaits it, that is an
 * unhandled rejection, exactly like an async function nobody awaits. A
 * halted task rejects with a {@linkcode SocketError} of code `halted`, which
 * is never reported as unhandled.
 *
 * @typeParam T The cosocket function's return value.
 *
 * @example Halting a cosocket runs its finally blocks
 * ```ts
 * import { run, sleep } from "@cosocket/socket";
 *
 * let cleaned = false;
 * const task = run(function* () {
 *   try {
 *     yield* sleep(60_000);
 *   } finally {
 *     cleaned = true;
 *   }
 * });
 * await task.halt();
 * console.log(cleaned); // true
 * ```
 */
export interface Task<T> extends PromiseLike<T>, Operation<T> {
  /** The socket the cosocket is bound to, or `null` for {@linkcode run}. */
  readonly socket: Socket | null;
  /** `true` once the cosocket has returned, thrown or been halted and its teardown ran. */
  readonly done: boolean;
  /**
   * Stops the cosocket: its generator is returned at the point where it
   * waits, so its `finally` blocks run, then the teardowns registered with
   * `ensure` run in reverse order, then its socket is closed.
   *
   * @returns A promise that settles when all of that is finished; it
   * rejects with the first error a teardown threw.
   * @throws {SocketError} Code `incorrectuse` when a cosocket halts itself
   * (return from it instead).
   */
  halt(): Promise<void>;
  /**
   * Makes the cosocket independent of the cosocket it was started from: it
   * no longer ends when that one ends. Cosockets started outside any
   * cosocket are independent from the start.
   */
  detach(): void;
}

/**
 * What every object that runs a cosocket the way a socket does offers:
 * {@linkcode Socket}, both WebSocket classes of `@cosocket/websocket` and
 * `@cosocket/pty`'s `Pty`.
 * Code that starts, watches or wakes cosockets can take any of them.
 *
 * @typeParam Self The object itself, as its cosocket function receives it.
 *
 * @example A helper that works for sockets and WebSockets alike
 * ```ts
 * import { type SocketLike, bind } from "@cosocket/socket";
 *
 * function describe(target: SocketLike): string {
 *   return `${target.state().state}, cosocket: ${target.task === null ? "none" : "running"}`;
 * }
 * await using server = bind(0, { hostname: "127.0.0.1" });
 * console.log(describe(server)); // "exec, cosocket: none"
 * ```
 */
export interface SocketLike<Self = unknown> {
  /**
   * Starts the object's cosocket: `fn` gets the object and `args`.
   *
   * @param fn The cosocket: a generator function.
   * @param args More arguments for `fn`.
   * @returns The object.
   */
  event<A extends unknown[]>(
    fn: (self: Self, ...args: A) => Iterator<Suspension, unknown, unknown>,
    ...args: A
  ): this;
  /** The object's cosocket, or `null`. */
  readonly task: Task<unknown> | null;
  /**
   * Whether the code running now is the object's own cosocket.
   *
   * @returns `true` inside it.
   */
  owner(): boolean;
  /**
   * Suspends the object's cosocket until someone calls `enable`.
   *
   * @returns The values passed to `enable`.
   */
  disable(): Operation<unknown[]>;
  /**
   * Wakes the object's cosocket from `disable`.
   *
   * @param values What `disable` returns.
   * @returns `false` when the cosocket was not disabled.
   */
  enable(...values: unknown[]): boolean;
  /**
   * What the object is doing.
   *
   * @returns Its state.
   */
  state(): SocketStatus;
  /**
   * Closes the object.
   *
   * @returns A promise (or operation) that settles once it is closed (a
   * `Pty` settles with how its child ended).
   */
  close(): PromiseLike<unknown>;
}

/**
 * The text of a line read with `readUntil`, without its CR. A generator
 * function of its own, not one written inside `readLine`: each generator
 * function expression made per call gets its own object map, which V8 keeps
 * in old space, so everything the closure holds outlived every minor GC.
 */
function* lineOf(until: Operation<Uint8Array | null>): Generator<Suspension, string | null> {
  const line = yield* until;
  if (line === null) return null;
  const end = line.length > 0 && line[line.length - 1] === 13 ? line.length - 1 : line.length;
  return decoder.decode(line.subarray(0, end));
}
