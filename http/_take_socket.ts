/**
 * The hook through which `http2sock` takes a client's connection: the
 * client class installs it (it alone can reach its private state), and the
 * hook stays out of the public API.
 */
import type { Socket } from "@cosocket/socket";

type Taker = (client: object) => Socket;

let taker: Taker | null = null;

/** Installs the hook (called once by the client class). */
export function installTakeSocket(fn: Taker): void {
  taker = fn;
}

/** Takes the connection of `client`. */
export function takeSocket(client: object): Socket {
  return taker!(client);
}
