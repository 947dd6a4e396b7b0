import { createRoutine } from "./_runner.ts";
import type { Suspension } from "./operation.ts";
import type { Socket } from "./socket.ts";
import type { Task } from "./task.ts";

/**
 * Runs a generator function as a cosocket that has no socket of its own:
 * the general runner, for composing operations outside a socket.
 *
 * @param fn The generator function.
 * @returns The task: await it for the result, or halt it.
 *
 * @example
 * ```ts
 * import { run, sleep } from "@cosocket/socket";
 *
 * console.log(await run(function* () {
 *   yield* sleep(1);
 *   return 42;
 * }));
 * ```
 */
export function run<T>(fn: () => Iterator<Suspension, T, unknown>): Task<T> {
  const routine = createRoutine<[], T, Socket>(null, fn, []);
  routine.start();
  return routine;
}
