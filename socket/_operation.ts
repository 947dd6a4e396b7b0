// The shapes of operation.ts, restated here so that this core does not import
// the public module built on it (no import cycle, type-only ones included).
// TypeScript compares them structurally: they are the same types.
type Suspension = PromiseLike<unknown>;
interface Operation<T> extends PromiseLike<T> {
  [Symbol.iterator](): Iterator<Suspension, T, unknown>;
}

/** A result that is ready now or later. */
export type MaybePromise<T> = T | PromiseLike<T>;

/** Reports whether `value` is a thenable. */
export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === "object" || typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function";
}

/**
 * `isPromiseLike` for the hot paths of every read and write, where the
 * value is nearly always a step, a platform promise, a chunk, a count or
 * `null`. Those are answered by class, because a `then` lookup shared by
 * every caller sees every kind of value and goes megamorphic (a
 * stub-cache probe per read and per write in the profiles).
 */
export function isSuspension(value: unknown): value is PromiseLike<unknown> {
  if (value instanceof Step || value instanceof Promise) return true;
  if (value === null || value instanceof Uint8Array) return false;
  const type = typeof value;
  return (type === "object" || type === "function") && isPromiseLike(value);
}

/**
 * The one bridge from promises to operations. `start` runs when the
 * operation is first awaited or delegated to; a synchronous result lets a
 * cosocket continue without suspending at all.
 *
 * The operation is its own first iterator (a hand-written one, not a
 * generator object): `yield*` on the hot path of every read and write then
 * costs one allocation, not three. Later iterations get a fresh iterator.
 */
export class LazyOperation<T, A = undefined, B = undefined>
  implements Operation<T>, Iterator<Suspension, T, unknown> {
  // The start function and up to two arguments, kept apart so that hot
  // operations (read, readInto, accept) need no closure per call. Two, not
  // more: a connection idle in a read holds this object.
  #start: (a: A, b: B) => MaybePromise<T>;
  #a: A;
  #b: B;
  #state: 0 | 1 | 2 = 0; // 0: not iterated, 1: started, 2: done

  constructor(start: (a: A, b: B) => MaybePromise<T>, a: A, b: B) {
    this.#start = start;
    this.#a = a;
    this.#b = b;
  }

  [Symbol.iterator](): Iterator<Suspension, T, unknown> {
    if (this.#state !== 0) return new LazyOperation(this.#start, this.#a, this.#b);
    return this;
  }

  next(value?: unknown): IteratorResult<Suspension, T> {
    if (this.#state !== 0) {
      this.#state = 2;
      return { done: true, value: value as T };
    }
    this.#state = 1;
    const result = this.#start(this.#a, this.#b);
    if (isSuspension(result)) return { done: false, value: result };
    this.#state = 2;
    return { done: true, value: result };
  }

  throw(error?: unknown): IteratorResult<Suspension, T> {
    this.#state = 2;
    throw error;
  }

  return(value?: unknown): IteratorResult<Suspension, T> {
    this.#state = 2;
    return { done: true, value: value as T };
  }

  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    let promise: Promise<T>;
    try {
      const result = this.#start(this.#a, this.#b);
      if (result instanceof Step) return result.then(onfulfilled, onrejected);
      promise = Promise.resolve(result);
    } catch (error) {
      promise = Promise.reject(error);
    }
    return promise.then(onfulfilled, onrejected);
  }
}

/** Creates a lazy operation from a function returning a value or a promise. */
export function lazy<T>(start: () => MaybePromise<T>): Operation<T> {
  return new LazyOperation(start, undefined, undefined);
}

/**
 * A promise can carry this hook so that halting the cosocket waiting on it
 * releases what the wait holds (a timer, a place in a queue).
 */
export const cancelWait: unique symbol = Symbol("cosocket.cancelWait");

/** A promise with an optional cancel hook. */
export type CancellablePromise<T> = Promise<T> & { [cancelWait]?: () => void };

/** Attaches a cancel hook to a promise and returns the promise. */
export function withCancel<T>(promise: Promise<T>, cancel: () => void): CancellablePromise<T> {
  (promise as CancellablePromise<T>)[cancelWait] = cancel;
  return promise;
}

/**
 * Turns a generator function into an operation: delegated to inside a
 * cosocket it runs there; awaited, it is driven by a small promise loop
 * outside any cosocket.
 */
export function fromGenerator<T>(
  body: () => Generator<Suspension, T, unknown>,
): Operation<T> {
  return {
    [Symbol.iterator]: body,
    then(onfulfilled, onrejected) {
      return drive(body()).then(onfulfilled, onrejected);
    },
  };
}

async function drive<T>(iterator: Generator<Suspension, T, unknown>): Promise<T> {
  let result = iterator.next();
  while (!result.done) {
    try {
      result = iterator.next(await result.value);
    } catch (error) {
      result = iterator.throw(error);
    }
  }
  return result.value;
}

/**
 * A suspension on a platform promise whose result still needs mapping (a
 * byte count into a chunk, a write into its outcome). The runner awaits
 * `source` and calls `map` itself when it resumes the cosocket, saving the
 * derived promise and microtask that a `.then(map)` would cost on every read
 * and write. If the cosocket is halted first, `cancel` lets the owner do the
 * bookkeeping `map` would have done. Subclasses override the methods.
 */
export class Step<T> implements PromiseLike<T> {
  /**
   * The platform promise; each subclass sets it in its constructor. Step
   * itself has no constructor and no initialized field: `super()` of a
   * subclass then allocates at once instead of calling a base constructor
   * that V8 does not inline (a write makes a step each time).
   */
  declare source: PromiseLike<unknown>;

  /** Maps the platform result; a thenable result means more waiting. */
  map(value: unknown): MaybePromise<T> {
    return value as T;
  }

  /** Maps a platform failure (rethrows by default). */
  mapError(error: unknown): MaybePromise<T> {
    throw error;
  }

  /** Called instead of `map` when the waiting cosocket is halted. */
  cancel(): void {}

  /**
   * True when this is an operation that was yielded with a bare `yield`
   * instead of delegated to with `yield*` (a write is both a step and an
   * operation); the runner then fails the cosocket with a hint.
   */
  isBareOperation(): boolean {
    return false;
  }

  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    const mapped = (this.source as Promise<unknown>).then(
      (value) => this.map(value),
      (error) => this.mapError(error),
    );
    return mapped.then(onfulfilled, onrejected);
  }
}
