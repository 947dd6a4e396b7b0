/**
 * The read side of a stream socket: one read in flight at most, and the
 * bytes read but not consumed yet.
 *
 * Deno cannot cancel a read, so a read whose reader is gone (timed out,
 * halted, or nobody: the read that watches a pooled or disabled connection)
 * stays in flight, and what it brings waits in `unread` for the next read,
 * after anything already waiting there. Bytes are never dropped and never
 * reordered.
 *
 * @module
 */
import { type StreamConn, toSocketError } from "./_conn.ts";
import { type MaybePromise, Step } from "./_operation.ts";
import { ReadWindows } from "./_read_windows.ts";
import type { Routine } from "./_runner.ts";
import { raceTimeout } from "./_timeout.ts";
import { SocketError } from "./socket_error.ts";

/** Who waits for the read in flight: a cosocket, async code, or nobody. */
type Reader = Routine<unknown> | typeof ASYNC_READER | typeof NOBODY;
const ASYNC_READER = Symbol("async reader");
const NOBODY = Symbol("nobody");

/** A reader that still wants its data (a halted cosocket does not). */
function isLive(reader: Reader | null): boolean {
  if (reader === null || reader === NOBODY) return false;
  return reader === ASYNC_READER || !reader.done;
}

interface Pause {
  resume: () => void;
  promise: Promise<void>;
}

/** A promise that never settles: the source of a step not started yet. */
const NEVER: Promise<never> = new Promise(() => {});

let ReadStep: new (stream: StreamReader, into: boolean) => Step<Uint8Array | number | null>;

/**
 * The read side of one stream socket, built on its read windows (one object
 * per connection for both: an idle connection should not carry two).
 */
export class StreamReader extends ReadWindows {
  /** Where the bytes come from; the socket sets it on connect, TLS upgrade and pooling. */
  conn: StreamConn | null = null;
  /** The socket is closed: a read that fails then is end of stream. */
  #closed = false;
  /** Async code (not a cosocket) waits in a read. */
  asyncReading = false;
  #landing: Promise<unknown> | null = null;
  /** The caller's buffer of a readInto in flight. */
  #into: Uint8Array | null = null;
  #readStep: Step<Uint8Array | number | null> | null = null;
  #intoStep: Step<Uint8Array | number | null> | null = null;
  #reader: Reader | null = null;
  #readError: SocketError | null = null;
  #unread: Uint8Array | null = null;
  #eof = false;
  #paused: Pause | null = null;

  static {
    // One small step object per socket, reused by every read, with no
    // closures; it lives here so it may call the reader's private methods.
    ReadStep = class extends Step<Uint8Array | number | null> {
      readonly #stream: StreamReader;
      readonly #into: boolean;
      constructor(stream: StreamReader, into: boolean) {
        super();
        this.source = NEVER;
        this.#stream = stream;
        this.#into = into;
      }
      override map(count: unknown): MaybePromise<Uint8Array | number | null> {
        const stream = this.#stream;
        return this.#into
          ? stream.#landedInto(count as number | null)
          : stream.#landed(count as number | null);
      }
      override mapError(error: unknown): Uint8Array | null {
        return this.#into ? this.#stream.#failedInto(error) : this.#stream.#failed(error);
      }
      override cancel(): void {
        // The halted reader's read still lands, and its bytes wait in #unread.
        this.#stream.#landing = (this.source as Promise<number | null>).then(
          (count) => this.map(count),
          (error) => this.mapError(error),
        );
      }
    };
  }

  /** The peer ended the stream. */
  get eof(): boolean {
    return this.#eof;
  }

  /** The read in flight, for a closing socket to wait on. */
  get landing(): Promise<unknown> | null {
    return this.#landing;
  }

  /** Nothing is buffered and no read is in flight (STARTTLS and pooling need that). */
  get idle(): boolean {
    return this.#unread === null && this.#landing === null;
  }

  /** How many bytes wait unread. */
  get unreadLength(): number {
    return this.#unread?.length ?? 0;
  }

  /** Whether `readInto` can read straight into the caller's buffer. */
  canReadInto(): boolean {
    return this.#landing === null && this.#unread === null && this.#paused === null &&
      this.#readError === null && !this.#eof && this.conn !== null;
  }

  /** Reads into the caller's buffer; only when `canReadInto()`. */
  readInto(buffer: Uint8Array, routine: Routine<unknown> | null): Step<number | null> {
    this.#markWaiting(routine);
    this.#reader = routine ?? ASYNC_READER;
    this.#into = buffer;
    const step = this.#intoStep ??= new ReadStep(this, true);
    step.source = this.#landing = this.conn!.read(buffer);
    return step as Step<number | null>;
  }

  /** Copies a chunk into `buffer`; what does not fit is read next. */
  copyInto(chunk: Uint8Array | null, buffer: Uint8Array): number | null {
    if (chunk === null) return null;
    const count = Math.min(chunk.length, buffer.length);
    buffer.set(chunk.subarray(0, count));
    if (count < chunk.length) this.putBack(chunk.subarray(count));
    return count;
  }

  /**
   * Reads the next chunk for `routine` (or async code when `null`).
   *
   * @throws {SocketError} `busy` while another reader waits, `closed`,
   * `timeout`, or the failure of an earlier read nobody waited for.
   */
  read(
    routine: Routine<unknown> | null,
    timeout: number | undefined,
    action: string,
  ): MaybePromise<Uint8Array | null> {
    const reader: Reader = routine ?? ASYNC_READER;
    if (this.#landing !== null) {
      if (isLive(this.#reader)) {
        throw new SocketError("busy", `Cannot ${action} socket: another read is in progress`);
      }
      if (this.#into !== null) {
        // A halted readInto: its bytes land in #unread, then read on.
        return this.#landing.then(() => this.read(routine, timeout, action));
      }
      // Bytes a timed-out reader left come before the read still in flight.
      if (this.#paused === null && this.#unread !== null) return this.takeUnread()!;
      // The previous reader timed out or was halted (or nobody read, as for
      // a pooled or disabled connection): this reader takes the read over.
      this.#reader = reader;
      this.#markWaiting(routine);
      const landing = this.#landing as Promise<Uint8Array | null>;
      return timeout === undefined ? landing : this.#withTimeout(landing, timeout);
    }
    if (this.#paused === null) {
      const unread = this.takeUnread();
      if (unread !== null) return unread;
    }
    if (this.#closed || this.conn === null) {
      throw new SocketError("closed", `Cannot ${action} socket: connection is closed`);
    }
    const failure = this.#readError;
    if (failure !== null) {
      this.#readError = null;
      throw failure;
    }
    if (this.#eof && this.#unread === null) return null;
    this.#markWaiting(routine);
    if (this.#unread !== null) {
      const landing = this.#whenEnabled(reader);
      return timeout === undefined ? landing : this.#withTimeout(landing, timeout);
    }
    if (timeout !== undefined) return this.#withTimeout(this.#startRead(reader), timeout);
    // The hot path: the runner maps the platform's byte count itself.
    this.#reader = reader;
    const step = this.#readStep ??= new ReadStep(this, false);
    step.source = this.#landing = this.conn.read(this.nextWindow());
    return step as Step<Uint8Array | null>;
  }

  /**
   * Puts bytes back in front of what is read next.
   *
   * @throws {SocketError} `busy` while a reader waits.
   */
  unread(data: Uint8Array): void {
    if (this.#landing !== null && isLive(this.#reader)) {
      throw new SocketError("busy", "Cannot unread: a read is in flight");
    }
    this.putBack(data);
  }

  /** Puts bytes back in front of what is read next (a parser's leftover). */
  putBack(data: Uint8Array): void {
    if (data.length === 0) return;
    this.#unread = this.#unread === null ? data : concat(data, this.#unread);
  }

  /**
   * Takes every byte that waits unread, for a caller outside any read.
   *
   * @throws {SocketError} `busy` while a reader waits (the bytes are its).
   */
  takeBuffered(): Uint8Array | null {
    if (this.#landing !== null && isLive(this.#reader)) {
      throw new SocketError("busy", "Cannot take buffered bytes: a read is in flight");
    }
    return this.takeUnread();
  }

  /**
   * Starts a read that nobody waits for, to notice the peer closing while
   * the socket is disabled; data that arrives meanwhile waits unread.
   *
   * @returns A promise settled when it lands, or `null` when no read was needed.
   */
  watch(): Promise<unknown> | null {
    if (this.#eof || this.#unread !== null || this.#landing !== null || this.conn === null) {
      return null;
    }
    return this.#startRead(NOBODY);
  }

  /** Takes over a read already in flight (a pooled connection's watch). */
  adopt(watch: Promise<Uint8Array | null>): void {
    this.#reader = NOBODY;
    this.#landing = watch.then((chunk) => {
      if (chunk === null) this.#eof = true;
      return this.#deliver(chunk);
    });
  }

  /** Holds data back from readers until `resume()` (the seed's `disable` from outside). */
  pause(): void {
    if (this.#paused !== null) return;
    let resume!: () => void;
    const promise = new Promise<void>((settle) => {
      resume = settle;
    });
    this.#paused = { resume, promise };
  }

  /** Lets readers have their data again; `true` when the reader was paused. */
  resume(): boolean {
    const paused = this.#paused;
    if (paused === null) return false;
    this.#paused = null;
    paused.resume();
    return true;
  }

  /** The socket closed: reads that fail are end of stream, and a paused reader wakes. */
  close(): void {
    this.#closed = true;
    this.resume();
  }

  /** Forgets the connection's end and read sizes (the socket went back to the pool). */
  reset(): void {
    this.resetWindows();
    this.#eof = false;
  }

  /** Takes every byte that waits unread. */
  takeUnread(): Uint8Array | null {
    const unread = this.#unread;
    this.#unread = null;
    return unread;
  }

  /** Keeps a chunk nobody took, after what already waits. */
  #keep(chunk: Uint8Array | null): void {
    if (chunk === null || chunk.length === 0) return;
    this.#unread = this.#unread === null ? chunk : concat(this.#unread, chunk);
  }

  #markWaiting(routine: Routine<unknown> | null): void {
    if (routine !== null) routine.waitingFor = "read";
    else this.asyncReading = true;
  }

  /** With data already buffered while paused: hand it over after resume(). */
  #whenEnabled(reader: Reader): Promise<Uint8Array | null> {
    this.#reader = reader;
    const landing = this.#paused!.promise.then(() => this.#deliver(this.takeUnread()));
    this.#landing = landing;
    return landing;
  }

  /**
   * Starts the one read in flight. It resolves with the chunk for its
   * reader; when that reader is gone, the chunk waits in #unread.
   */
  #startRead(reader: Reader): Promise<Uint8Array | null> {
    this.#reader = reader;
    const landing = this.conn!.read(this.nextWindow()).then(
      (count) => this.#landed(count),
      (error) => this.#failed(error),
    );
    this.#landing = landing;
    return landing;
  }

  #landed(count: number | null): MaybePromise<Uint8Array | null> {
    let chunk: Uint8Array | null = null;
    if (count === null) this.#eof = true;
    else chunk = this.landedChunk(count);
    if (this.#paused !== null && isLive(this.#reader)) {
      this.#keep(chunk);
      return this.#paused.promise.then(() => this.#deliver(this.takeUnread()));
    }
    return this.#deliver(chunk);
  }

  #landedInto(count: number | null): MaybePromise<number | null> {
    const buffer = this.#into!;
    this.#into = null;
    if (count === null) this.#eof = true;
    if (this.#paused !== null && isLive(this.#reader)) {
      if (count !== null) this.#keep(buffer.slice(0, count));
      return this.#paused.promise.then(() => {
        this.#release();
        return this.copyInto(this.takeUnread() ?? (this.#eof ? null : new Uint8Array()), buffer);
      });
    }
    const reader = this.#release();
    if (isLive(reader)) return count;
    if (count !== null) this.#keep(buffer.slice(0, count));
    return null;
  }

  #failedInto(error: unknown): null {
    this.#into = null;
    this.#failed(error);
    return null;
  }

  #failed(error: unknown): Uint8Array | null {
    if (this.#closed) {
      this.#eof = true;
      return this.#deliver(null);
    }
    const failure = toSocketError(error, "read from socket");
    const reader = this.#release();
    if (isLive(reader)) throw failure;
    this.#readError = failure;
    return null;
  }

  #deliver(chunk: Uint8Array | null): Uint8Array | null {
    const reader = this.#release();
    if (isLive(reader)) return chunk;
    this.#keep(chunk);
    return null;
  }

  #release(): Reader | null {
    const reader = this.#reader;
    this.#reader = null;
    this.#landing = null;
    if (reader === ASYNC_READER) this.asyncReading = false;
    return reader;
  }

  #withTimeout(landing: Promise<Uint8Array | null>, timeout: number): Promise<Uint8Array | null> {
    const reader = this.#reader;
    return raceTimeout(landing, timeout, () => readTimeout(timeout), () => {
      // Detach: the read stays in flight and its data waits for the next read.
      if (this.#reader === reader && this.#landing === landing) this.#reader = NOBODY;
      this.asyncReading = false;
    });
  }
}

/** The error of a read that waited `ms` in vain. */
export function readTimeout(ms: number): SocketError {
  return new SocketError("timeout", `Cannot read from socket: timed out after ${ms} ms`);
}

/** Joins two byte arrays (the first may be empty). */
export function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a, 0);
  joined.set(b, a.length);
  return joined;
}
