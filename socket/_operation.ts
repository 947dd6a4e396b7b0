import type { Operation, Suspension } from "./operation.ts";

/** A result that is ready now or later. */
export type MaybePromise<T> = T | PromiseLike<T>;

/** Reports whether `value` is a thenable. */
export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === "object" || typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function";
}

/**
 * The one bridge from promises to operations. `start` runs when the
 * operation is first awaited or delegated to; a synchronous result lets a
 * cosocket continue without suspending at all.
 */
export class LazyOperation<T> implements Operation<T> {
  #start: () => MaybePromise<T>;

  constructor(start: () => MaybePromise<T>) {
    this.#start = start;
  }

  [Symbol.iterator](): Iterator<Suspension, T, unknown> {
    return new StartIterator(this.#start);
  }

  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    let promise: Promise<T>;
    try {
      promise = Promise.resolve(this.#start());
    } catch (error) {
      promise = Promise.reject(error);
    }
    return promise.then(onfulfilled, onrejected);
  }
}

/**
 * A hand-written iterator (instead of a generator object) keeps the per-call
 * cost of `yield*` to one small allocation on the hot path.
 */
class StartIterator<T> implements Iterator<Suspension, T, unknown> {
  #start: (() => MaybePromise<T>) | null;

  constructor(start: () => MaybePromise<T>) {
    this.#start = start;
  }

  next(value?: unknown): IteratorResult<Suspension, T> {
    const start = this.#start;
    if (start === null) return { done: true, value: value as T };
    this.#start = null;
    const result = start();
    if (isPromiseLike(result)) return { done: false, value: result };
    return { done: true, value: result };
  }

  throw(error?: unknown): IteratorResult<Suspension, T> {
    this.#start = null;
    throw error;
  }

  return(value?: unknown): IteratorResult<Suspension, T> {
    this.#start = null;
    return { done: true, value: value as T };
  }
}

/** Creates a lazy operation from a function returning a value or a promise. */
export function lazy<T>(start: () => MaybePromise<T>): Operation<T> {
  return new LazyOperation(start);
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
