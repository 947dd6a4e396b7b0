import { lazy } from "./_operation.ts";
import type { Operation } from "./operation.ts";

/**
 * Waits for a promise inside a cosocket: the bridge from promise-based APIs
 * (fetch, file I/O, WebCrypto, a JWT `verify`) into cosocket code. A
 * promise cannot be `yield*`ed directly (it is not iterable: TypeScript
 * reports "must have a '[Symbol.iterator]()' method", and at run time the
 * cosocket fails with a hint to use `until`).
 *
 * @param promise The promise, or a function that starts it when the
 * operation runs (lazily).
 * @returns The operation.
 *
 * @example
 * ```ts
 * import { run, until } from "@cosocket/socket";
 *
 * const digest = await run(function* () {
 *   const bytes = new TextEncoder().encode("abc");
 *   return yield* until(() => crypto.subtle.digest("SHA-256", bytes));
 * });
 * console.log(digest.byteLength); // 32
 * ```
 */
export function until<T>(promise: PromiseLike<T> | (() => PromiseLike<T>)): Operation<T> {
  return lazy(() => typeof promise === "function" ? promise() : promise);
}
