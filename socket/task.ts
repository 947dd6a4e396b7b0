import type { Operation } from "./operation.ts";
import type { Socket } from "./socket.ts";

/**
 * A running cosocket. It is both a promise (await its result from async
 * code) and an {@linkcode Operation} (`yield*` it from another cosocket).
 *
 * A task that throws rejects its promise; when nobody awaits it, that is an
 * unhandled rejection, exactly like an async function nobody awaits. A
 * halted task rejects with a {@linkcode SocketError} of code `halted`, which
 * is never reported as unhandled.
 *
 * @typeParam T The cosocket function's return value.
 *
 * @example Halting a cosocket runs its finally blocks
 * ```ts
 * import { run, sleep } from "@cosocket/socket";
 *
 * let cleaned = false;
 * const task = run(function* () {
 *   try {
 *     yield* sleep(60_000);
 *   } finally {
 *     cleaned = true;
 *   }
 * });
 * await task.halt();
 * console.log(cleaned); // true
 * ```
 */
export interface Task<T> extends PromiseLike<T>, Operation<T> {
  /** The socket the cosocket is bound to, or `null` for {@linkcode run}. */
  readonly socket: Socket | null;
  /** `true` once the cosocket has returned, thrown or been halted and its teardown ran. */
  readonly done: boolean;
  /**
   * Stops the cosocket: its generator is returned at the point where it
   * waits, so its `finally` blocks run, then the teardowns registered with
   * `ensure` run in reverse order, then its socket is closed.
   *
   * @returns A promise that settles when all of that is finished; it
   * rejects with the first error a teardown threw.
   * @throws {SocketError} Code `incorrectuse` when a cosocket halts itself
   * (return from it instead).
   */
  halt(): Promise<void>;
  /**
   * Makes the cosocket independent of the cosocket it was started from: it
   * no longer ends when that one ends. Cosockets started outside any
   * cosocket are independent from the start.
   */
  detach(): void;
}
