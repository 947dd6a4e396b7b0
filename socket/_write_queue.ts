/**
 * The write side of a stream socket: one FIFO for every writer, whichever
 * cosocket or async function it comes from, with the seed's queue length
 * for writers that do not wait.
 *
 * A request is the caller's operation, the iterator `yield*` uses and the
 * step the runner maps, all in one object: every write on the hot path pays
 * for each allocation.
 *
 * @module
 */
import type { StreamConn } from "./_conn.ts";
import { toSocketError } from "./_conn.ts";
import { lazy, type MaybePromise, Step } from "./_operation.ts";
import { currentRoutine, type Routine } from "./_runner.ts";
import type { Suspension } from "./operation.ts";
import { SocketError } from "./socket_error.ts";
import type { WriteOperation } from "./write_operation.ts";
import { allocBytes } from "./alloc_bytes.ts";

const DEFAULT_QUEUE_LENGTH = 16384;
/**
 * Writes queued behind one in flight are sent together, copied into one
 * buffer of up to this many bytes: a copy costs less than a platform write
 * and its wake-up, and pipelined HTTP responses or bursts of small frames
 * leave in one segment instead of waiting on each other.
 */
const BATCH_LIMIT = 65536;
/** The shared empty queue of idle sockets; never pushed to. */
const NO_WRITES: never[] = [];
/** The refused-write warning is printed once per process. */
let warnedRefusal = false;

const noop = () => {};

/** A socket's writes, in order, and the bookkeeping that keeps them so. */
export class WriteQueue {
  /** Where the bytes go; the socket sets it on connect, TLS upgrade and pooling. */
  conn: StreamConn | null = null;
  /** The socket is closed: a platform write that fails then reports `closed`. */
  #closed = false;
  // Idle sockets share one empty queue; a socket gets its own on its first
  // queued write and gives it up when the queue drains.
  #queue: WriteRequest[] = NO_WRITES;
  #writing = false;
  #unwaitedBytes = 0;
  #queueLength = DEFAULT_QUEUE_LENGTH;
  /** A refused write nobody noticed: the next operation reports it. */
  #refused: SocketError | null = null;

  /** Bytes queued by writers that do not wait. */
  get unwaitedBytes(): number {
    return this.#unwaitedBytes;
  }

  /** No write is queued or in flight. */
  get empty(): boolean {
    return this.#queue.length === 0;
  }

  /** Bytes waiting, from writers that wait or not. */
  get bufferedAmount(): number {
    let total = 0;
    for (const request of this.#queue) total += request.bytes.length;
    return total;
  }

  /** Some writer waits for its write (the socket's state is then `write`). */
  get waited(): boolean {
    return this.#queue.some((request) => request.waited);
  }

  /** The seed's `queuelen`: gets, or sets when `size` is given. */
  queuelen(size: number | undefined): number {
    if (size !== undefined) this.#queueLength = size;
    return this.#queueLength;
  }

  /** Queues `bytes` (not empty) and starts sending when the queue was idle. */
  write(bytes: Uint8Array): WriteOperation {
    const queueLength = this.#unwaitedBytes;
    const idle = this.#queue.length === 0;
    const accepted = idle || queueLength + bytes.length <= this.#queueLength;
    const request = new WriteRequest(this, bytes, accepted, queueLength);
    // An idle socket's queue is made with its one request (no growing).
    if (this.#queue === NO_WRITES) this.#queue = [request];
    else this.#queue.push(request);
    if (accepted) this.#unwaitedBytes += bytes.length;
    else {
      // The warning names the call. The error's stack is formatted only if
      // the warning is shown: formatting it (source maps) costs more than a
      // large write, and a caller that waits never needs it.
      request.callSite = new Error();
      // An awaiting caller calls `then` within one microtask of the call;
      // the second hop gives it that chance before the write is dropped.
      queueMicrotask(() => queueMicrotask(() => this.#decide(request)));
    }
    if (idle) {
      const routine = currentRoutine();
      if (routine === null) this.#startHead();
      else this.#startDirect(request, routine);
    }
    return request;
  }

  /** Waits until every write queued so far has been handed to the kernel. */
  drained(): MaybePromise<SocketError | null> {
    const last = this.#queue[this.#queue.length - 1];
    return last === undefined ? null : this.waitFor(last);
  }

  /** Throws a refused write nobody noticed, once. */
  throwRefused(): void {
    const refused = this.#refused;
    if (refused === null) return;
    this.#refused = null;
    throw refused;
  }

  /** The socket closed: queued writes fail, and so does any platform write still out. */
  close(): void {
    this.#closed = true;
    // An error costs a stack trace: most sockets close with nothing queued.
    if (this.#queue.length > 0) this.#failAll(closedError());
  }

  /** Settles every queued write with `error`. */
  #failAll(error: SocketError): void {
    const queue = this.#queue;
    this.#queue = NO_WRITES;
    for (const request of queue) this.#settle(request, error);
  }

  /**
   * The hot path of a cosocket writing to an idle socket: the write starts
   * at once, and its completion is handled by whoever waits for it first:
   * the runner (when the cosocket delegates to it, `WriteRequest#next`), or
   * `book()` (when it does not, or when it is halted).
   */
  #startDirect(request: WriteRequest, routine: Routine<unknown>): void {
    this.#writing = true;
    request.booked = false;
    request.raw = this.conn!.write(request.bytes);
    routine.unbooked?.book();
    routine.unbooked = request;
  }

  book(request: WriteRequest): void {
    if (request.booked) return;
    request.booked = true;
    request.flight = request.raw!.then(
      (count) => this.wrote(request, count),
      (error) => this.writeFailed(error),
    );
  }

  /** A platform write finished: continue a partial write, or settle and start the next. */
  wrote(request: WriteRequest, count: number): MaybePromise<SocketError | null> {
    if (request.done) return request.error;
    request.offset += count;
    if (request.offset < request.bytes.length) {
      request.flight = this.#send(request);
      return request.flight;
    }
    this.#written(1);
    return null;
  }

  /** The first `count` requests were written whole: they settle and leave, and the next starts. */
  #written(count: number): void {
    this.#writing = false;
    const queue = this.#queue;
    for (let index = 0; index < count; index++) this.#settle(queue[index]!, null);
    if (count === queue.length) this.#queue = NO_WRITES;
    else if (count === 1) queue.shift();
    else queue.splice(0, count);
    this.#startHead();
  }

  writeFailed(error: unknown): SocketError {
    this.#writing = false;
    const failure = this.#closed ? closedError() : toSocketError(error, "write to socket");
    this.#failAll(failure);
    return failure;
  }

  /** Marks a write as waited for; returns its outcome now or later. */
  waitFor(request: WriteRequest): MaybePromise<SocketError | null> {
    this.markWaited(request);
    if (request.done) return request.error;
    if (!request.booked) this.book(request);
    if (request.flight !== null) return request.flight;
    if (request.waiter === null) {
      let resolve!: (error: SocketError | null) => void;
      const promise = new Promise<SocketError | null>((settle) => {
        resolve = settle;
      });
      request.waiter = { promise, resolve };
    }
    return request.waiter.promise;
  }

  markWaited(request: WriteRequest): void {
    if (!request.waited) {
      request.waited = true;
      this.#uncount(request);
      if (request.tentative) {
        request.tentative = false;
        this.#startHead();
      }
    }
    const routine = currentRoutine();
    if (routine !== null && !request.done) routine.waitingFor = "write";
  }

  #decide(request: WriteRequest): void {
    if (!request.tentative) return;
    request.tentative = false;
    const index = this.#queue.indexOf(request);
    if (index >= 0) {
      this.#queue.splice(index, 1);
      if (this.#queue.length === 0) this.#queue = NO_WRITES;
      request.done = true;
      request.error = new SocketError(
        "incorrectuse",
        "Cannot write to socket: the queue is full and the writer did not wait",
      );
      if (!request.observed) this.#noteRefusal(request);
    }
    this.#startHead();
  }

  /**
   * A write was dropped and its caller never looked: remember it for the
   * socket's next operation, and warn once per process with the call site,
   * which is almost always a `write` missing its `yield*`.
   */
  #noteRefusal(request: WriteRequest): void {
    this.#refused ??= new SocketError(
      "queuefull",
      `Cannot write to socket: an earlier write of ${request.bytes.length} bytes was refused ` +
        `because ${request.queueLength} bytes were already queued (queuelen ${this.#queueLength}) ` +
        "and its caller did not wait: use yield* (or await) with write(), or check " +
        "write().accepted",
    );
    if (warnedRefusal) return;
    warnedRefusal = true;
    console.warn(
      `${this.#refused.message}\nThe refused write was called at:\n${
        request.callSite?.stack?.split("\n").slice(3, 7).join("\n") ?? "(unknown)"
      }`,
    );
  }

  /** Hands the request at the head of the queue, and the small ones behind it, to the kernel. */
  #startHead(): void {
    if (this.#writing || this.#queue.length === 0 || this.conn === null) return;
    const head = this.#queue[0]!;
    if (head.tentative) return;
    this.#writing = true;
    const count = head.offset === 0 ? this.#batchable() : 1;
    if (count > 1) this.#sendBatch(count);
    else head.flight = this.#send(head);
  }

  /** How many requests from the head on fit one batch (1: send the head alone). */
  #batchable(): number {
    const queue = this.#queue;
    let total = 0;
    let count = 0;
    while (count < queue.length) {
      const request = queue[count]!;
      if (request.tentative || total + request.bytes.length > BATCH_LIMIT) break;
      total += request.bytes.length;
      count++;
    }
    return count;
  }

  /** Sends the first `count` requests in one write; each settles when all of it is written. */
  #sendBatch(count: number): void {
    const batch = this.#queue.slice(0, count);
    let total = 0;
    for (const request of batch) total += request.bytes.length;
    const bytes = allocBytes(total);
    let at = 0;
    for (const request of batch) {
      bytes.set(request.bytes, at);
      at += request.bytes.length;
    }
    const flight = this.#sendRest(batch, bytes, 0);
    for (const request of batch) {
      request.booked = true;
      request.raw = null;
      request.flight = flight;
    }
  }

  #sendRest(
    batch: WriteRequest[],
    bytes: Uint8Array,
    offset: number,
  ): Promise<SocketError | null> {
    return this.conn!.write(offset === 0 ? bytes : bytes.subarray(offset)).then(
      (count) => {
        // Closed meanwhile: every request is settled already.
        if (batch[0]!.done) return batch[0]!.error;
        if (offset + count < bytes.length) return this.#sendRest(batch, bytes, offset + count);
        this.#written(batch.length);
        return null;
      },
      (error) => this.writeFailed(error),
    );
  }

  #send(request: WriteRequest): Promise<SocketError | null> {
    const { bytes, offset } = request;
    const raw = this.conn!.write(offset === 0 ? bytes : bytes.subarray(offset));
    request.raw = raw;
    request.booked = true;
    return raw.then(
      (count) => this.wrote(request, count),
      (error) => this.writeFailed(error),
    );
  }

  #uncount(request: WriteRequest): void {
    if (request.counted) {
      request.counted = false;
      this.#unwaitedBytes -= request.bytes.length;
    }
  }

  #settle(request: WriteRequest, error: SocketError | null): void {
    this.#uncount(request);
    request.done = true;
    request.error = error;
    request.waiter?.resolve(error);
  }
}

/** One write: its place in the queue, its caller's operation and its step. */
class WriteRequest extends Step<void>
  implements WriteOperation, Iterator<Suspension, void, unknown> {
  readonly #accepted: boolean;
  /** The caller looked at `accepted`: a refusal is then its to handle. */
  observed = false;
  /** Where a write that was refused at the call was called from, for the warning. */
  callSite: Error | null = null;
  readonly queueLength: number;
  readonly queue: WriteQueue;
  readonly bytes: Uint8Array;
  /** Bytes handed to the kernel so far. */
  offset = 0;
  waited = false;
  /** Not accepted at the call: dropped unless its caller waits. */
  tentative: boolean;
  /** Its bytes count against the queue length (accepted, nobody waits yet). */
  counted: boolean;
  done = false;
  error: SocketError | null = null;
  /** The write in flight, once this request is at the head of the queue. */
  flight: Promise<SocketError | null> | null = null;
  /** The platform write under `flight` right now (the step's source). */
  raw: Promise<number> | null = null;
  /** For a caller that waits before the request reaches the head. */
  waiter:
    | { promise: Promise<SocketError | null>; resolve: (error: SocketError | null) => void }
    | null = null;
  /** Its completion is handled (see `WriteQueue#startDirect`); queued writes always are. */
  booked = true;
  #iterated: 0 | 1 | 2 = 0;
  /** The runner maps the platform write itself. */
  #direct = false;

  constructor(queue: WriteQueue, bytes: Uint8Array, accepted: boolean, queueLength: number) {
    super();
    this.source = NEVER;
    this.queue = queue;
    this.bytes = bytes;
    this.#accepted = accepted;
    this.tentative = !accepted;
    this.counted = accepted;
    this.queueLength = queueLength;
  }

  /** Whether the write was queued at the call (see `WriteOperation#accepted`). */
  get accepted(): boolean {
    this.observed = true;
    return this.#accepted;
  }

  override isBareOperation(): boolean {
    return this.#iterated === 0;
  }

  [Symbol.iterator](): Iterator<Suspension, void, unknown> {
    if (this.#iterated === 0) return this;
    return lazy(() => Promise.resolve(this.queue.waitFor(this)).then(throwIfError))[
      Symbol.iterator
    ]();
  }

  next(outcome?: unknown): IteratorResult<Suspension, void> {
    if (this.#iterated !== 0) {
      this.#iterated = 2;
      throwIfError(outcome as SocketError | null | undefined);
      return { done: true, value: undefined };
    }
    this.#iterated = 1;
    if (!this.booked) {
      // Delegated to right after the call: the runner awaits the platform
      // write and `map` does its bookkeeping.
      const routine = currentRoutine();
      if (routine !== null && routine.unbooked === this) {
        routine.unbooked = null;
        this.booked = true;
        this.#direct = true;
        this.queue.markWaited(this);
        this.source = this.raw!;
        return { done: false, value: this };
      }
    }
    const result = this.queue.waitFor(this);
    if (result === null) {
      this.#iterated = 2;
      return { done: true, value: undefined };
    }
    if (result instanceof SocketError) {
      this.#iterated = 2;
      throw result;
    }
    if (this.raw !== null && result === this.flight) {
      // The queue's own handler on the platform write runs first, so when
      // the runner maps, the request is settled (or, after a partial write,
      // still in flight: then map says to wait for the rest).
      this.source = this.raw;
      return { done: false, value: this };
    }
    return { done: false, value: result };
  }

  throw(error?: unknown): IteratorResult<Suspension, void> {
    this.#iterated = 2;
    throw error;
  }

  return(): IteratorResult<Suspension, void> {
    this.#iterated = 2;
    return { done: true, value: undefined };
  }

  // The runner hands the mapped outcome to `next`, which throws a failure:
  // as a step, a write resolves to its outcome, not to the operation's void.
  override map(count?: unknown): MaybePromise<void> {
    if (this.#direct) {
      this.#direct = false;
      return this.queue.wrote(this, count as number) as unknown as MaybePromise<void>;
    }
    return (this.done ? this.error : this.flight!) as unknown as MaybePromise<void>;
  }

  override mapError(error: unknown): MaybePromise<void> {
    if (this.#direct) {
      this.#direct = false;
      if (this.done) return this.error as unknown as MaybePromise<void>;
      return this.queue.writeFailed(error) as unknown as MaybePromise<void>;
    }
    return this.map();
  }

  override cancel(): void {
    if (!this.#direct) return;
    // Halted while waiting: the write still completes, and its bookkeeping
    // must still run.
    this.#direct = false;
    this.booked = false;
    this.queue.book(this);
  }

  /** Attaches the completion handling (see `Routine#unbooked`). */
  book(): void {
    this.queue.book(this);
  }

  override then<R1 = void, R2 = never>(
    onfulfilled?: ((value: void) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    // One derived promise, not two (`.then(throwIfError).then(...)`): the
    // WebSocket sender awaits each write it owns this way.
    return Promise.resolve(this.queue.waitFor(this)).then((error) => {
      if (error === null || error === undefined) {
        return typeof onfulfilled === "function" ? onfulfilled() : undefined as R1;
      }
      if (typeof onrejected === "function") return onrejected(error);
      throw error;
    });
  }
}

/** A promise that never settles: the source of a step not started yet. */
const NEVER: Promise<never> = new Promise(() => {});

/**
 * Throws a write's failure. The runner resumes a write with its mapped
 * outcome; other drivers (`operation` awaiting the step) resume it with the
 * step's `undefined`, which is a success too.
 */
function throwIfError(error: SocketError | null | undefined): void {
  if (error !== null && error !== undefined) throw error;
}

/** A write whose outcome is known or comes from elsewhere (UDP, refusals, empty writes). */
class SettledWrite implements WriteOperation {
  readonly accepted: boolean;
  readonly queueLength: number;
  #promise: Promise<void>;

  constructor(promise: Promise<void>, accepted: boolean, queueLength: number) {
    this.#promise = promise;
    this.accepted = accepted;
    this.queueLength = queueLength;
  }

  [Symbol.iterator](): Iterator<Suspension, void, unknown> {
    return lazy(() => this.#promise)[Symbol.iterator]();
  }

  then<R1 = void, R2 = never>(
    onfulfilled?: ((value: void) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#promise.then(onfulfilled, onrejected);
  }
}

function closedError(): SocketError {
  return new SocketError("closed", "Cannot write to socket: connection is closed");
}

/** A write that waits for `promise` (a UDP send); it was accepted. */
export function sentWrite(promise: Promise<void>): WriteOperation {
  promise.catch(noop);
  return new SettledWrite(promise, true, 0);
}

/** A write refused at the call with `error`. */
export function failedWrite(error: SocketError, queueLength: number): WriteOperation {
  const promise = Promise.reject(error);
  promise.catch(noop);
  return new SettledWrite(promise, false, queueLength);
}

/** An empty write: done at once. */
export function doneWrite(queueLength: number): WriteOperation {
  return new SettledWrite(Promise.resolve(), true, queueLength);
}
