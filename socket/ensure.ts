import { lazy } from "./_operation.ts";
import { currentRoutine } from "./_runner.ts";
import type { Operation } from "./operation.ts";
import { SocketError } from "./socket_error.ts";
import type { CosocketEnd } from "./cosocket_end.ts";

/**
 * Registers a teardown for the running cosocket. Teardowns run after the
 * cosocket returns, throws or is halted, in reverse order, before its socket
 * closes, and the task settles only when they are done. Unlike a `finally`
 * block, a teardown may do I/O even when the cosocket was halted: this is
 * where a WebSocket close frame or an SMTP `QUIT` belongs.
 *
 * @param teardown The function; it learns how the cosocket ended and may
 * return a promise.
 * @returns An operation that registers it.
 * @throws {SocketError} `incorrectuse` outside a cosocket.
 *
 * @example
 * ```ts
 * import { ensure, run, sleep } from "@cosocket/socket";
 *
 * const task = run(function* () {
 *   yield* ensure(async (end) => {
 *     await new Promise((resolve) => setTimeout(resolve, 1));
 *     console.log("teardown finished:", end); // "teardown finished: halted"
 *   });
 *   yield* sleep(60_000);
 * });
 * await task.halt();
 * ```
 */
export function ensure(
  teardown: (end: CosocketEnd) => void | PromiseLike<void>,
): Operation<void> {
  return lazy(() => {
    const routine = currentRoutine();
    if (routine === null) {
      throw new SocketError("incorrectuse", "Cannot register teardown: not inside a cosocket");
    }
    routine.ensure(teardown);
  });
}
