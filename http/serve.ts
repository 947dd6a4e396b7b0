import type { WebHandler } from "./handler.ts";
import { type HttpServer, servcon, type ServconOptions } from "./servcon.ts";

/** Options of {@linkcode serve}, shaped as `Deno.serve`'s. */
export interface ServeOptions extends Omit<ServconOptions, "tls"> {
  /**
   * The port.
   *
   * @default {8000}
   */
  port?: number;
  /**
   * Called once the server listens.
   *
   * @default {undefined} (logs "Listening on http://hostname:port/", as `Deno.serve`)
   */
  onListen?: (addr: Deno.NetAddr) => void;
  /**
   * Aborting it shuts the server down gracefully.
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
  /**
   * The TLS certificate (PEM), with `key`.
   *
   * @default {undefined}
   */
  cert?: string;
  /**
   * The TLS private key (PEM), with `cert`.
   *
   * @default {undefined}
   */
  key?: string;
  /**
   * The handler, when not given as the second argument.
   *
   * @default {undefined}
   */
  handler?: WebHandler;
}

/**
 * Starts a server with the call shape of `Deno.serve`: `serve(handler)`,
 * `serve(options, handler)` or `serve({ ...options, handler })`. Code
 * written for `Deno.serve` (Hono's `app.fetch`, for one) runs on this
 * package's engine unchanged, and can take connections over with
 * {@linkcode req2sock}, which `Deno.serve` cannot.
 *
 * @param options The options (or the handler).
 * @param handler The handler, when the first argument holds options.
 * @returns The running server.
 * @throws {TypeError} Without a handler.
 * @throws {SocketError} When the port cannot be bound.
 *
 * @example Deno.serve's call shape
 * ```ts
 * import { serve } from "@cosocket/http";
 *
 * await using server = serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, () => {
 *   return new Response("hello");
 * });
 * const answer = await fetch(`http://127.0.0.1:${server.addr.port}/`);
 * console.log(await answer.text()); // "hello"
 * ```
 */
export function serve(options: ServeOptions | WebHandler, handler?: WebHandler): HttpServer {
  if (typeof options === "function") {
    handler = options;
    options = {};
  }
  handler ??= options.handler;
  if (typeof handler !== "function") {
    throw new TypeError("Cannot serve: no handler, pass one as the last argument");
  }
  const { port, onListen, signal, cert, key, ...rest } = options;
  const server = servcon(port ?? 8000, handler, {
    ...rest,
    ...(cert !== undefined && key !== undefined && { tls: { cert, key } }),
  });
  const addr = server.addr;
  if (onListen !== undefined) onListen(addr);
  else {
    const scheme = cert === undefined ? "http" : "https";
    const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
    console.log(`Listening on ${scheme}://${host}:${addr.port}/`);
  }
  if (signal !== undefined) {
    const stop = () => server.shutdown();
    if (signal.aborted) stop();
    else signal.addEventListener("abort", stop, { once: true });
  }
  return server;
}
