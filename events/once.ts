import type { EventEmitter, EventMap, Listener } from "./event_emitter.ts";

/** Options of {@linkcode once}. */
export interface OnceOptions {
  /**
   * Give up after this many milliseconds (a `DOMException` named `TimeoutError`).
   *
   * @default {undefined} (wait as long as it takes)
   */
  timeout?: number;
  /**
   * Give up when this signal aborts (its reason is thrown).
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
}

/**
 * Waiting for one event: awaitable like a promise, and delegated to with
 * `yield*` inside a cosocket (the shape of `@cosocket/socket`'s
 * operations, without depending on that package).
 */
export interface EventOperation<A extends unknown[]> extends PromiseLike<A> {
  /** Waits inside a cosocket: `const args = yield* once(emitter, "x")`. */
  [Symbol.iterator](): Generator<PromiseLike<unknown>, A, unknown>;
}

/**
 * Waits for the next emit of an event (or a retained one) and gives its
 * arguments. Lazy: it listens from the moment it is awaited or delegated
 * to. A cosocket halted while it waits stops listening.
 *
 * @param emitter The emitter.
 * @param event The event name.
 * @param options A timeout and an abort signal.
 * @returns The operation; its value is the event's arguments.
 * @throws {DOMException} `TimeoutError` after `timeout`; the signal's
 * reason when it aborts.
 *
 * @example In async code and in a cosocket
 * ```ts
 * import { create, once } from "@cosocket/events";
 *
 * const emitter = create<{ ready: [string] }>();
 * setTimeout(() => emitter.emit("ready", "go"), 5);
 * const [word] = await once(emitter, "ready", { timeout: 1000 });
 * console.log(word); // "go"
 * ```
 */
export function once<E extends EventMap, K extends keyof E & string>(
  emitter: EventEmitter<E>,
  event: K,
  options?: OnceOptions,
): EventOperation<E[K]> {
  let started: { promise: Promise<E[K]>; stop: () => void } | null = null;
  const start = () => started ??= listen(emitter, event, options);
  return {
    then(onFulfilled, onRejected) {
      return start().promise.then(onFulfilled, onRejected);
    },
    *[Symbol.iterator]() {
      const waiting = start();
      try {
        return (yield waiting.promise) as E[K];
      } finally {
        waiting.stop();
      }
    },
  };
}

function listen<E extends EventMap, K extends keyof E & string>(
  emitter: EventEmitter<E>,
  event: K,
  options: OnceOptions | undefined,
): { promise: Promise<E[K]>; stop: () => void } {
  let stop = () => {};
  const promise = new Promise<E[K]>((resolve, reject) => {
    const signal = options?.signal;
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const listener = ((...args: E[K]) => {
      stop();
      resolve(args);
    }) as Listener<E[K]>;
    const onAbort = () => {
      stop();
      reject(signal!.reason);
    };
    stop = () => {
      emitter.off(event, listener);
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    };
    if (options?.timeout !== undefined) {
      timer = setTimeout(() => {
        stop();
        reject(
          new DOMException(
            `Timed out waiting for "${event}" after ${options.timeout} ms`,
            "TimeoutError",
          ),
        );
      }, options.timeout);
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    emitter.on(event, listener);
  });
  return { promise, stop: () => stop() };
}
