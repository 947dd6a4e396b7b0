import { cancelWait, type CancellablePromise, isPromiseLike, lazy } from "./_operation.ts";
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
  #generation = 0;
  #suspension: Suspension | null = null;
  #teardowns: Teardown[] = [];
  #promise: Promise<T>;
  #resolve!: (value: T) => void;
  #reject!: (reason: unknown) => void;
  #finished: Promise<void> | null = null;

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
    return this.#promise.then(onfulfilled, onrejected);
  }

  [Symbol.iterator](): Iterator<Suspension, T, unknown> {
    return lazy(() => this.#promise)[Symbol.iterator]();
  }

  /** Registers a teardown that runs when the routine ends, in reverse order. */
  ensure(teardown: Teardown): void {
    this.#teardowns.push(teardown);
  }

  /** Runs the generator until it first suspends. */
  start(): void {
    this.#resume(false, undefined);
  }

  halt(): Promise<void> {
    if (this.#status === "done" || this.#status === "halting") {
      return this.#finished ?? Promise.resolve();
    }
    if (current === this) {
      throw new SocketError("incorrectuse", "Cannot halt cosocket: a cosocket cannot halt itself");
    }
    this.#status = "halting";
    this.#generation++;
    const suspension = this.#suspension as CancellablePromise<unknown> | null;
    this.#suspension = null;
    suspension?.[cancelWait]?.();
    let error: { value: unknown } | null = null;
    // A finally block that suspends would let `yield*` resume the code after
    // the halted operation; returning again until the generator is done
    // skips such suspending cleanup, which belongs in `ensure` instead.
    for (let attempt = 0; attempt < 1000; attempt++) {
      const previous = current;
      current = this as Routine<unknown>;
      try {
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

  #resume(isThrow: boolean, value: unknown): void {
    const previous = current;
    current = this as Routine<unknown>;
    this.#status = "running";
    this.waitingFor = null;
    let result: IteratorResult<Suspension, T>;
    try {
      result = isThrow ? this.#iterator.throw!(value) : this.#iterator.next(value);
    } catch (error) {
      current = previous;
      this.#finish({ value: error }, false);
      return;
    }
    current = previous;
    if (result.done) {
      this.#finish(null, false, result.value);
      return;
    }
    this.#wait(result.value);
  }

  #wait(suspension: Suspension): void {
    if (!isPromiseLike(suspension)) {
      const error = new TypeError(
        "Cannot suspend cosocket: it yielded a value that is not an operation, use yield* with an operation",
      );
      this.#resume(true, error);
      return;
    }
    this.#status = "suspended";
    this.#suspension = suspension;
    const generation = this.#generation;
    suspension.then(
      (value) => {
        if (generation !== this.#generation) return;
        this.#suspension = null;
        this.#resume(false, value);
      },
      (error) => {
        if (generation !== this.#generation) return;
        this.#suspension = null;
        this.#resume(true, error);
      },
    );
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

function callGenerator<A extends unknown[], T>(
  fn: (...args: A) => Iterator<Suspension, T, unknown>,
  args: A,
): Iterator<Suspension, T, unknown> {
  // Calling fn inside a generator keeps a synchronous throw from fn itself
  // (or a non-generator fn) inside the routine's error handling.
  return (function* (): Generator<Suspension, T, unknown> {
    const iterator = fn(...args);
    if (!iterator || typeof iterator.next !== "function") {
      throw new TypeError("Cannot start cosocket: the function did not return an iterator, use function*");
    }
    return yield* { [Symbol.iterator]: () => iterator };
  })();
}
