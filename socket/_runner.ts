import type { CosocketEnd } from "./cosocket_end.ts";
import {
  type CancellablePromise,
  cancelWait,
  isPromiseLike,
  isSuspension,
  lazy,
  Step,
} from "./_operation.ts";
import type { Suspension } from "./operation.ts";
import { SocketError } from "./socket_error.ts";
import type { SocketState } from "./socket_state.ts";

/** A write whose completion handling is still to be attached. */
export interface Unbooked {
  book(): void;
}

/** Socket error codes that end an unobserved cosocket without a log line. */
const QUIET_CODES: ReadonlySet<string> = new Set(["closed", "tls", "halted", "protocol"]);

/** A teardown registered with `ensure`. */
export type Teardown = (end: CosocketEnd) => void | PromiseLike<void>;

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
 * What a routine needs of the socket it is bound to: it closes it when the
 * cosocket ends. (The runner knows no more of sockets, so that it imports
 * nothing of them: `Socket` and `Task` build on it, not the other way round.)
 */
export interface RoutineOwner {
  close(): void;
}

/**
 * Drives one cosocket generator. The loop resumes the generator from promise
 * callbacks only, so the JavaScript stack stays flat however deep the
 * `yield*` chain is and however many operations finish synchronously.
 */
export class Routine<T, S extends RoutineOwner = RoutineOwner> {
  readonly socket: S | null;
  /** What the routine waits for, for `Socket#state` (`null` while running). */
  waitingFor: SocketState | null = null;
  /**
   * A write this routine started whose completion nobody handles yet: if the
   * routine delegates to it right away, the runner's own wait does the
   * write's bookkeeping (one promise callback less per write); otherwise it
   * is booked when the routine next suspends or ends.
   */
  unbooked: Unbooked | null = null;
  /**
   * A server connection's cosocket: when it fails and nobody awaits it, the
   * error is logged instead of becoming an unhandled rejection, so that one
   * connection's bug never ends the process, its listener or the other
   * connections (as `Deno.serve` does with a handler's error).
   */
  isolated = false;

  #iterator: Iterator<Suspension, T, unknown>;
  #status: Status = "running";
  #suspension: Suspension | null = null;
  #observed = false;
  /** The cosocket this one was started from, which it ends with (`null`: detached or top level). */
  #parent: Routine<unknown> | null = null;
  /** Made on first use (`#ownExtras`): see `Extras`. */
  #extras: Extras<T> | null = null;

  constructor(iterator: Iterator<Suspension, T, unknown>, socket: S | null) {
    this.#iterator = iterator;
    this.socket = socket;
    running++;
    // Structured concurrency: a cosocket started while another one runs is
    // its child, and ends when it ends (see #haltChildren).
    const parent = current;
    if (parent !== null && parent.#status !== "done") {
      this.#parent = parent;
      (parent.#ownExtras().children ??= new Set()).add(this as Routine<unknown>);
    }
  }

  /** Makes the cosocket independent of the one that started it: it no longer ends with it. */
  detach(): void {
    this.#leaveParent();
  }

  #leaveParent(): void {
    const parent = this.#parent;
    if (parent !== null) parent.#extras?.children?.delete(this as Routine<unknown>);
    this.#parent = null;
  }

  /** The number of children that have not finished (for tests and `state`). */
  get childCount(): number {
    return this.#extras?.children?.size ?? 0;
  }

  #ownExtras(): Extras<T> {
    return this.#extras ??= new Extras<T>();
  }

  /** Resolves once the routine has finished, teardown included; never rejects. */
  finished(): Promise<void> {
    const extras = this.#ownExtras();
    if (extras.whenDone === null) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => resolve = r);
      extras.whenDone = { promise, resolve };
    }
    return extras.whenDone.promise;
  }

  /**
   * Halts the children, the most recently started first, each one's own
   * teardown finished before the next is halted. A child's failure is its
   * own to report, never its parent's.
   */
  async #haltChildren(): Promise<void> {
    const children = this.#extras?.children;
    if (!children) return;
    while (children.size > 0) {
      for (const child of [...children].reverse()) {
        try {
          await child.halt();
        } catch {
          // Reported by the child itself (its task rejects).
        }
        children.delete(child);
      }
    }
  }

  #result(): Promise<T> {
    const extras = this.#ownExtras();
    if (extras.promise === null) {
      const outcome = extras.outcome;
      if (outcome === null) {
        extras.promise = new Promise<T>((resolve, reject) => {
          extras.settle = { resolve, reject };
        });
      } else {
        extras.promise = outcome.ok
          ? Promise.resolve(outcome.value)
          : Promise.reject(outcome.error);
      }
    }
    return extras.promise;
  }

  #settleWith(outcome: { ok: true; value: T } | { ok: false; error: unknown }): void {
    const extras = this.#ownExtras();
    extras.outcome = outcome;
    const settle = extras.settle;
    extras.settle = null;
    if (settle === null) return;
    if (outcome.ok) settle.resolve(outcome.value);
    else settle.reject(outcome.error);
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
    return this.#result().then(onfulfilled, onrejected);
  }

  [Symbol.iterator](): Iterator<Suspension, T, unknown> {
    this.#observed = true;
    return lazy(() => this.#result())[Symbol.iterator]();
  }

  /** Registers a teardown that runs when the routine ends, in reverse order. */
  ensure(teardown: Teardown): void {
    (this.#ownExtras().teardowns ??= []).push(teardown);
  }

  /** Runs the generator until it first suspends, then drives it. */
  start(): void {
    this.#run(false, undefined);
  }

  halt(): Promise<void> {
    if (this.#status === "done" || this.#status === "halting") {
      return this.#extras?.finished ?? Promise.resolve();
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
    this.#bookWrites();
    return this.#finish(error, true);
  }

  /**
   * Resumes the generator and waits for what it yields next. Resumptions
   * come from promise callbacks only, so the stack stays flat. The two
   * callbacks are bound once per routine: an idle connection then costs its
   * generator and this object, not one more suspended async frame.
   */
  #run(isThrow: boolean, value: unknown): void {
    const suspension = this.#resume(isThrow, value);
    this.#bookWrites();
    if (suspension === null) return;
    const source = suspension instanceof Step ? suspension.source : suspension;
    source.then(this.#onValue, this.#onError);
  }

  #bookWrites(): void {
    const unbooked = this.unbooked;
    if (unbooked !== null) {
      this.unbooked = null;
      unbooked.book();
    }
  }

  #onValue = (value: unknown): void => {
    if (this.#status !== "suspended") return;
    if (this.#suspension instanceof Step) return this.#mapStep(false, value);
    this.#suspension = null;
    this.#run(false, value);
  };

  #onError = (error: unknown): void => {
    if (this.#status !== "suspended") return;
    if (this.#suspension instanceof Step) return this.#mapStep(true, error);
    this.#suspension = null;
    this.#run(true, error);
  };

  #mapStep(failed: boolean, value: unknown): void {
    const step = this.#suspension as Step<unknown>;
    this.#suspension = null;
    let mapped: unknown;
    try {
      mapped = failed ? step.mapError(value) : step.map(value);
    } catch (error) {
      this.#run(true, error);
      return;
    }
    if (isSuspension(mapped)) {
      // More waiting (a paused socket, the rest of a partial write): chunks,
      // counts and outcomes themselves are never thenables.
      this.#suspension = mapped;
      mapped.then(this.#onValue, this.#onError);
    } else {
      this.#run(false, mapped);
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
        this.#finish({ value: withPromiseHint(error) }, false);
        return null;
      } finally {
        current = previous;
      }
      if (result.done) {
        this.#finish(null, false, result.value);
        return null;
      }
      const yielded = result.value;
      if (isBareOperation(yielded)) {
        isThrow = true;
        value = new TypeError(
          "Cannot suspend cosocket: it yielded an operation with a bare yield, " +
            "use yield* with an operation",
        );
        continue;
      }
      if (isSuspension(yielded)) {
        this.#status = "suspended";
        this.#suspension = yielded;
        return yielded;
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
    return this.#ownExtras().finished = this.#teardown(error, halted, value);
  }

  async #teardown(error: { value: unknown } | null, halted: boolean, value?: T): Promise<void> {
    try {
      await this.#endTree(error, halted, value);
    } finally {
      this.#leaveParent();
      const extras = this.#ownExtras();
      if (extras.whenDone !== null) extras.whenDone.resolve();
      else extras.whenDone = { promise: Promise.resolve(), resolve: () => {} };
    }
  }

  async #endTree(error: { value: unknown } | null, halted: boolean, value?: T): Promise<void> {
    await this.#haltChildren();
    let teardownError: { value: unknown } | null = null;
    const extras = this.#extras;
    const teardowns = extras?.teardowns ?? [];
    if (extras) extras.teardowns = null;
    for (const teardown of teardowns.reverse()) {
      try {
        const result = teardown(halted ? "halted" : error ? "threw" : "returned");
        if (isPromiseLike(result)) await result;
      } catch (thrown) {
        teardownError ??= { value: thrown };
      }
    }
    this.socket?.close();
    running--;
    const failure = error ?? teardownError;
    if (failure) {
      this.#settleWith({ ok: false, error: failure.value });
      if (!this.#observed) {
        // A network condition is handled by policy; a bug must surface as
        // an unhandled rejection, as in any async function nobody awaits.
        if (failure.value instanceof SocketError) this.#unobserved(failure.value);
        else if (this.isolated) this.#logUnobserved(failure.value);
        else if (!halted) this.#result();
      }
    } else if (halted) {
      this.#settleWith({ ok: false, error: new SocketError("halted", "Cosocket was halted") });
    } else {
      this.#settleWith({ ok: true, value: value as T });
    }
    if (halted && failure) throw failure.value;
  }

  /**
   * A cosocket that nobody awaits and that failed with a network condition
   * must not bring the process down, like a request handler whose client
   * went away: its connection closing under it (`closed`, `tls`) or the
   * peer breaking the protocol (`protocol`, already answered on the wire)
   * ends it quietly, other socket errors are logged. Any other error (a bug) stays
   * an unhandled rejection.
   */
  #unobserved(error: SocketError): void {
    if (QUIET_CODES.has(error.code)) return;
    this.#logUnobserved(error);
  }

  #logUnobserved(error: unknown): void {
    // Whoever started the cosocket may subscribe right after a synchronous
    // failure: decide once the current task is over.
    setTimeout(() => {
      if (!this.#observed) console.error("A cosocket that nobody awaited failed:", error);
    }, 0);
  }
}

/**
 * The parts of a routine that few routines use while they run: teardowns,
 * children, and whatever its end needs (made only when someone asks for the
 * result, which most server cosockets never do). Kept apart so that an idle
 * connection's routine carries one field for them, not seven.
 */
class Extras<T> {
  teardowns: Teardown[] | null = null;
  /** Cosockets started from this one that have not finished, in start order. */
  children: Set<Routine<unknown>> | null = null;
  promise: Promise<T> | null = null;
  settle: { resolve: (value: T) => void; reject: (reason: unknown) => void } | null = null;
  outcome: { ok: true; value: T } | { ok: false; error: unknown } | null = null;
  /** The teardown in progress or done. */
  finished: Promise<void> | null = null;
  /** Waiters for the end of the teardown (`Socket#close`). */
  whenDone: { promise: Promise<void>; resolve: () => void } | null = null;
}

/**
 * An operation yielded with `yield` instead of `yield*`: an iterable that is
 * not a suspension the runner knows (a write is both, see
 * `Step#isBareOperation`).
 */
function isBareOperation(value: unknown): boolean {
  if (value instanceof Step) return value.isBareOperation();
  // Asked of every suspension: a platform promise is answered without a
  // lookup that would see every kind of value (see `isSuspension`).
  if (value instanceof Promise) return false;
  return value !== null && typeof value === "object" &&
    typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === "function";
}

/**
 * `yield* promise` fails inside the generator with the engine's "is not
 * iterable": add what the user most likely wants.
 */
function withPromiseHint(error: unknown): unknown {
  if (
    error instanceof TypeError && /is not iterable/.test(error.message) &&
    !error.message.includes("until(")
  ) {
    error.message += " (to wait for a promise inside a cosocket, use yield* until(promise))";
  }
  return error;
}

/**
 * Creates a routine for `fn` on `socket`. `start()` then runs it
 * synchronously up to its first suspension, the way the seed resumes a new
 * cosocket immediately.
 */
export function createRoutine<A extends unknown[], T, S extends RoutineOwner>(
  socket: S | null,
  fn: (...args: A) => Iterator<Suspension, T, unknown>,
  args: A,
): Routine<T, S> {
  return new Routine<T, S>(new Starter(fn, args), socket);
}

/**
 * Calls the cosocket function when the routine starts, so that a
 * synchronous throw (or a function that is not a generator) fails the
 * routine like any other error, without wrapping every resumption in one
 * more generator.
 */
class Starter<A extends unknown[], T> implements Iterator<Suspension, T, unknown> {
  #fn: (...args: A) => Iterator<Suspension, T, unknown>;
  #args: A;

  constructor(fn: (...args: A) => Iterator<Suspension, T, unknown>, args: A) {
    this.#fn = fn;
    this.#args = args;
  }

  iterator(): Iterator<Suspension, T, unknown> {
    // Called without a receiver: a generator object keeps its `this` for
    // its whole life, and that must not be this starter and its arguments.
    const fn = this.#fn;
    const iterator = fn(...this.#args);
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
