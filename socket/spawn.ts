import { run } from "./run.ts";
import { currentRoutine } from "./_runner.ts";
import type { Suspension } from "./operation.ts";
import { SocketError } from "./socket_error.ts";
import type { Task } from "./task.ts";

/**
 * Starts a child cosocket with no socket of its own, in the manner of
 * effection's `spawn`: it runs beside the cosocket that spawned it and ends
 * with it. When the parent returns, throws or is halted, its children are
 * halted first (the most recently started first, each one's `finally`
 * blocks and teardowns done before the next), then the parent's own
 * teardowns run. Every cosocket started while another runs (`run`, `event`,
 * `socket.event`, a listener's connections) is that one's child the same
 * way; `task.detach()` or `socket.detach()` lets one outlive its parent.
 *
 * @param fn The generator function of the child.
 * @returns The child's task, started at once (like `run`, it runs up to its
 * first wait before `spawn` returns): await it, halt it, or `yield*` it for
 * its result. A task is itself awaitable, so `spawn` returns it directly
 * rather than as an operation.
 * @throws {SocketError} `incorrectuse` outside a cosocket (use `run`).
 *
 * @example A heartbeat that ends with the cosocket that started it
 * ```ts
 * import { run, sleep, spawn } from "@cosocket/socket";
 *
 * let beats = 0;
 * await run(function* () {
 *   spawn(function* () {
 *     while (true) {
 *       yield* sleep(5);
 *       beats++;
 *     }
 *   });
 *   yield* sleep(30);
 * }); // returning halts the heartbeat
 * console.log(beats > 0); // true
 * ```
 */
export function spawn<T>(fn: () => Iterator<Suspension, T, unknown>): Task<T> {
  if (currentRoutine() === null) {
    throw new SocketError(
      "incorrectuse",
      "Cannot spawn a cosocket: spawn() works inside a cosocket, use run() outside one",
    );
  }
  return run(fn);
}
