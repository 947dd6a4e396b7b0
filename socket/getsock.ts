import { currentRoutine } from "./_runner.ts";
import type { Socket } from "./socket.ts";

/**
 * The socket of the cosocket running now (the seed's `ba.socket.getsock`).
 *
 * @returns The socket, or `null` outside cosockets and in `run` tasks.
 *
 * @example
 * ```ts
 * import { event, getsock, type Socket } from "@cosocket/socket";
 *
 * console.log(getsock()); // null
 * event(function* (sock: Socket) {
 *   console.log(getsock() === sock); // true
 * });
 * ```
 */
export function getsock(): Socket | null {
  // A routine's owner is always a Socket: Socket#event is the only place
  // that binds one (the runner itself knows sockets only as closable owners).
  return (currentRoutine()?.socket ?? null) as Socket | null;
}
