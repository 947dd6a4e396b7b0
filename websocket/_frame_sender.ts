/**
 * The sending half of a WebSocket connection: turns messages into frames
 * and writes them in order, behind the caller while the buffer has room,
 * batching the frames that arrive while a write is in flight into one
 * write.
 *
 * @module
 */
import { type Socket, SocketError, type Suspension, type WriteOperation } from "@cosocket/socket";
import type { FrameBuilder } from "./_frame.ts";
import type { PerMessageDeflate } from "./_permessage_deflate.ts";
import { Slab } from "./_slab.ts";
import { spare } from "./_spare.ts";
import { BufferedWrite } from "./_buffered_write.ts";

/** How many bytes of frames may wait behind a write in flight before writers wait. */
const WRITE_BUFFER = 65536;
const encoder = new TextEncoder();

let warnedRefusal = false;

/** What a sender needs from its connection. */
export interface FrameSenderSetup {
  socket: Socket;
  builder: FrameBuilder;
  deflate: PerMessageDeflate | null;
  /** Frames of at most this many payload bytes; 0 sends each message in one. */
  fragmentSize: number;
  /** The most bytes that may wait before a write that nobody waits for is refused. */
  maxBuffered: number;
}

/** Writes the frames of one connection (see the module docs). */
export class FrameSender {
  readonly #socket: Socket;
  readonly #builder: FrameBuilder;
  readonly #deflate: PerMessageDeflate | null;
  readonly #fragmentSize: number;
  readonly #maxBuffered: number;

  /** A write is in flight; frames sent meanwhile wait in the batch. */
  #flushing = false;
  #batch: Uint8Array[] = [];
  #batchBytes = 0;
  /** A refused write nobody looked at: the next write reports it. */
  #refused: SocketError | null = null;
  /** Callers waiting for frames of the batch, and of the write in flight. */
  #batchWaiters: PromiseWithResolvers<void>[] = [];
  #flightWaiters: PromiseWithResolvers<void>[] = [];
  #writeError: SocketError | null = null;
  /** Settles when nothing is left to write (see flushed). */
  #idle: PromiseWithResolvers<void> | null = null;
  readonly #joins = new Slab();
  /** The last frame built around a caller's payload instead of copied. */
  #inPlace: Uint8Array | null = null;

  constructor(setup: FrameSenderSetup) {
    this.#socket = setup.socket;
    this.#builder = setup.builder;
    this.#deflate = setup.deflate;
    this.#fragmentSize = setup.fragmentSize;
    this.#maxBuffered = setup.maxBuffered;
  }

  /** Bytes of frames waiting behind the write in flight. */
  get batched(): number {
    return this.#batchBytes;
  }

  /**
   * Sends one message: framed (compressed, fragmented) as the options say,
   * or around the spare message's own bytes when it is written again.
   */
  sendMessage(data: Uint8Array | string, opcode: number): WriteOperation {
    const frame = this.#messageFrames(data, opcode);
    return this.send(frame, frame !== this.#inPlace);
  }

  #messageFrames(data: Uint8Array | string, opcode: number): Uint8Array {
    let payload = typeof data !== "string"
      ? data
      : data === spare.text
      ? spare.textBytes!
      : encoder.encode(data);
    if (payload === spare.bytes && this.#fragmentSize === 0 && this.#deflate === null) {
      const frame = this.#builder.frameInPlace(0x80 | opcode, payload, spare.room);
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
   * Sends a frame in order with every other frame of the connection. A
   * frame built in our own memory (`owned`) is written behind: the call
   * completes at once while less than {@linkcode WRITE_BUFFER} bytes wait,
   * and frames that arrive while a write is in flight go out together in
   * the next one. A frame around a caller's payload is waited for, since
   * the caller's bytes are in use until then.
   *
   * @throws {SocketError} An earlier write's failure, or an earlier refusal
   * that nobody looked at.
   */
  send(frame: Uint8Array, owned: boolean): WriteOperation {
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

  /**
   * Writes a frame and waits for it, at most `timeout` ms: a peer that does
   * not read must not hold a failing or closing connection open.
   */
  *sendQuietly(frame: Uint8Array, timeout: number): Generator<Suspension, void> {
    try {
      this.send(frame, true);
    } catch {
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeout);
    });
    try {
      yield Promise.race([this.flushed(), expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Settles when every frame sent so far has been written (or failed). */
  flushed(): Promise<void> {
    if (!this.#flushing) return Promise.resolve();
    return (this.#idle ??= Promise.withResolvers<void>()).promise;
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
}
