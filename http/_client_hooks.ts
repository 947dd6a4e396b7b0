/**
 * The hooks through which `http2sock` takes a client's connection, and
 * `fetch` and the redirecting client read the response's head as parsed
 * and take a body that has arrived whole: the client class installs them
 * (it alone can reach its private state), and they stay out of the public
 * API.
 */
import type { Socket } from "@cosocket/socket";
import type { ParsedResponseHead } from "./_fields.ts";

/** What the client class lends to the rest of the package. */
export interface ClientHooks {
  takeSocket(client: object): Socket;
  takeWholeBody(client: object): Uint8Array | null;
  responseHead(client: object): ParsedResponseHead | null;
}

let hooks: ClientHooks | null = null;

/** Installs the hooks (called once by the client class). */
export function installClientHooks(installed: ClientHooks): void {
  hooks = installed;
}

/** Takes the connection of `client`. */
export function takeSocket(client: object): Socket {
  return hooks!.takeSocket(client);
}

/**
 * The whole response body of `client` when all of it has arrived, read
 * without waiting (the exchange is then finished); otherwise `null`.
 */
export function takeWholeBody(client: object): Uint8Array | null {
  return hooks!.takeWholeBody(client);
}

/**
 * The response head of `client` as parsed (its fields with names in lower
 * case, no `Headers` built); `null` before it is read.
 */
export function responseHead(client: object): ParsedResponseHead | null {
  return hooks!.responseHead(client);
}
