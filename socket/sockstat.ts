import { acceptBackoffs } from "./_accept_backoff.ts";
import { runningRoutines } from "./_runner.ts";
import { internals } from "./socket.ts";

/** The result of {@linkcode sockstat}. */
export interface SocketStatistics {
  /** Socket objects created and not yet closed. */
  total: number;
  /** Cosockets that have not finished. */
  active: number;
  /**
   * Times a listener waited after a temporary accept failure (out of
   * descriptors or buffers) since the process started.
   */
  acceptBackoffs: number;
}

/**
 * Counts sockets (the seed's `ba.socket.sockstat`). Both numbers return to
 * zero when every socket is closed and every cosocket has finished, which
 * makes this a leak check.
 *
 * @returns The totals.
 *
 * @example
 * ```ts
 * import { sockstat } from "@cosocket/socket";
 *
 * console.log(sockstat()); // { total: 0, active: 0, acceptBackoffs: 0 }
 * ```
 */
export function sockstat(): SocketStatistics {
  return {
    total: internals.openSockets(),
    active: runningRoutines(),
    acceptBackoffs: acceptBackoffs(),
  };
}
