import { type CancellablePromise, cancelWait, isPromiseLike, lazy, Step } from "./_operation.ts";
import type { Suspension } from "./operation.ts";
import { SocketError } from "./socket_error.ts";
import type { SocketState } from "./socket_state.ts";
import type { Socket } from "./socket.ts";
import type { Task } from "./task.ts";

/** A teardown registered with `ensure`. */
export type Teardown = () => void | PromiseLike<void>;

type Status = "running" | "suspended" | "halting" | "done";

/** The routine whose generator is executing right now, if any. */
let current: Routine<unknown> | null = null;
let running = 0;

/** Returns the routine executing right now (`null` outside cosockets). */
export function currentRoutine(): Routine<unknown> | null {
  return current;
}

/** The number of routines that have not finished. */
export function runningRoutines(): number {
  return running;
}

/**
 * Drives one cosocket generator. The loop resumes the generator from promise
 * callbacks only, so the JavaScript stack stays flat however deep the
 * `yield*` chain is and however many operations finish synchronously.
 */
export class Routine<T> implements Task<T> {
  readonly socket: Socket | null;
  /** What the routine waits for, for `Socket#state` (`null` while running). */
  waitingFor: SocketState | null = null;

  #iterator: Iterator<Suspension, T, unknown>;
  #status: Status = "running";
  #suspension: Suspension | null = null;
  #teardowns: Teardown[] = [];
  #promise: Promise<T>;
  #resolve!: (value: T) => void;
  #reject!: (reason: unknown) => void;
  #finished: Promise<void> | null = null;
  #observed = false;

  constructor(iterator: Iterator<Suspension, T, unknown>, socket: Socket | null) {
    this.#iterator = iterator;
    this.socket = socket;
    this.#promise = new Promise<T>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    running++;
  }

  get done(): boolean {
    return this.#status === "done";
  }

  /** `true` while this routine's generator is executing. */
  get executing(): boolean {
    return current === this;
  }

  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    this.#observed = true;
    return this.#promise.then(onfulfilled, onrejected);
  }

  [Symbol.iterator](): Iterator<Suspension, T, unknown> {
    this.#observed = true;
    return lazy(() => this.#promise)[Symbol.iterator]();
  }

  /** Registers a teardown that runs when the routine ends, in reverse order. */
  ensure(teardown: Teardown): void {
    this.#teardowns.push(teardown);
  }

  /** Runs the generator until it first suspends, then drives it. */
  start(): void {
    this.#drive();
  }

  halt(): Promise<void> {
    if (this.#status === "done" || this.#status === "halting") {
      return this.#finished ?? Promise.resolve();
    }
    if (current === this) {
      throw new SocketError("incorrectuse", "Cannot halt cosocket: a cosocket cannot halt itself");
    }
    this.#status = "halting";
    const suspension = this.#suspension as CancellablePromise<unknown> | null;
    this.#suspension = null;
    if (suspension instanceof Step) suspension.cancel();
    else suspension?.[cancelWait]?.();
    let error: { value: unknown } | null = null;
    // A finally block that suspends would let `yield*` resume the code after
    // the halted operation; returning again until the generator is done
    // skips such suspending cleanup, which belongs in `ensure` instead.
    for (let attempt = 0; attempt < 1000; attempt++) {
      const previous = current;
      current = this as Routine<unknown>;
      try {
        if (this.#iterator instanceof Starter) break;
        if (this.#iterator.return?.(undefined as T).done !== false) break;
      } catch (thrown) {
        error ??= { value: thrown };
        break;
      } finally {
        current = previous;
      }
    }
    return this.#finish(error, true);
  }

  /**
   * The driver loop. An async function, because `await` on a platform
   * promise costs no derived promise, where `.then` costs one per wait; its
   * continuations run from the microtask queue, so the stack stays flat.
   * After a halt the status is no longer "suspended" and the loop just ends.
   */
  async #drive(): Promise<void> {
    let isThrow = false;
    let value: unknown = undefined;
    while (true) {
      const suspension = this.#resume(isThrow, value);
      if (suspension === null) return;
      try {
        if (suspension instanceof Step) {
          let result: unknown;
          let failure: { error: unknown } | null = null;
          try {
            result = await suspension.source;
          } catch (error) {
            failure = { error };
          }
          if (this.#status !== "suspended") return;
          const mapped = failure === null
            ? suspension.map(result)
            : suspension.mapError(failure.error);
          // Chunks, counts and outcomes are never thenables: a thenable here
          // is more waiting (a paused socket, the rest of a partial write).
          value = isPromiseLike(mapped) ? await mapped : mapped;
        } else {
          value = await suspension;
        }
        isThrow = false;
      } catch (error) {
        value = error;
        isThrow = true;
      }
      if (this.#status !== "suspended") return;
      this.#suspension = null;
    }
  }

  /** Runs the generator to its next suspension; `null` once it finished. */
  #resume(isThrow: boolean, value: unknown): Suspension | null {
    while (true) {
      const previous = current;
      current = this as Routine<unknown>;
      this.#status = "running";
      this.waitingFor = null;
      let result: IteratorResult<Suspension, T>;
      try {
        if (this.#iterator instanceof Starter) this.#iterator = this.#iterator.iterator();
        result = isThrow ? this.#iterator.throw!(value) : this.#iterator.next(value);
      } catch (error) {
        current = previous;
        this.#finish({ value: error }, false);
        return null;
      } finally {
        current = previous;
      }
      if (result.done) {
        this.#finish(null, false, result.value);
        return null;
      }
      if (isPromiseLike(result.value)) {
        this.#status = "suspended";
        this.#suspension = result.value;
        return result.value;
      }
      isThrow = true;
      value = new TypeError(
        "Cannot suspend cosocket: it yielded a value that is not an operation, use yield* with an operation",
      );
    }
  }

  #finish(error: { value: unknown } | null, halted: boolean, value?: T): Promise<void> {
    this.#status = "done";
    this.waitingFor = null;
    this.#finished = this.#teardown(error, halted, value);
    return this.#finished;
  }

  async #teardown(error: { value: unknown } | null, halted: boolean, value?: T): Promise<void> {
    let teardownError: { value: unknown } | null = null;
    for (const teardown of this.#teardowns.reverse()) {
      try {
        const result = teardown();
        if (isPromiseLike(result)) await result;
      } catch (thrown) {
        teardownError ??= { value: thrown };
      }
    }
    this.#teardowns = [];
    this.socket?.close();
    running--;
    const failure = error ?? teardownError;
    if (failure) {
      if (!this.#observed && failure.value instanceof SocketError) this.#unobserved(failure.value);
      this.#reject(failure.value);
    } else if (halted) {
      // Nobody has to await a halted task: mark the rejection as handled.
      this.#promise.catch(() => {});
      this.#reject(new SocketError("halted", "Cosocket was halted"));
    } else {
      this.#resolve(value as T);
    }
    if (halted && failure) {
      this.#promise.catch(() => {});
      throw failure.value;
    }
  }

  /**
   * A cosocket that nobody awaits and that failed with a network condition
   * must not bring the process down, like a request handler whose client
   * went away: its connection closing under it (`closed`, `tls`) ends it
   * quietly, other socket errors are logged. Any other error (a bug) stays
   * an unhandled rejection.
   */
  #unobserved(error: SocketError): void {
    this.#promise.catch(() => {});
    if (error.code === "closed" || error.code === "tls" || error.code === "halted") return;
    // Whoever started the cosocket may subscribe right after a synchronous
    // failure: decide once the current task is over.
    setTimeout(() => {
      if (!this.#observed) console.error("A cosocket that nobody awaited failed:", error);
    }, 0);
  }
}

/**
 * Creates a routine for `fn` on `socket`. `start()` then runs it
 * synchronously up to its first suspension, the way the seed resumes a new
 * cosocket immediately.
 */
export function createRoutine<A extends unknown[], T>(
  socket: Socket | null,
  fn: (...args: A) => Iterator<Suspension, T, unknown>,
  args: A,
): Routine<T> {
  return new Routine<T>(callGenerator(fn, args), socket);
}

/**
 * Calls the cosocket function when the routine starts, so that a
 * synchronous throw (or a function that is not a generator) fails the
 * routine like any other error, without wrapping every resumption in one
 * more generator.
 */
class Starter<T> implements Iterator<Suspension, T, unknown> {
  #start: () => Iterator<Suspension, T, unknown>;

  constructor(start: () => Iterator<Suspension, T, unknown>) {
    this.#start = start;
  }

  iterator(): Iterator<Suspension, T, unknown> {
    const iterator = this.#start();
    if (!iterator || typeof iterator.next !== "function") {
      throw new TypeError(
        "Cannot start cosocket: the function did not return an iterator, use function*",
      );
    }
    return iterator;
  }

  next(): IteratorResult<Suspension, T> {
    throw new TypeError("Cannot resume cosocket: it has not started");
  }
}

function callGenerator<A extends unknown[], T>(
  fn: (...args: A) => Iterator<Suspension, T, unknown>,
  args: A,
): Iterator<Suspension, T, unknown> {
  return new Starter(() => fn(...args));
}
