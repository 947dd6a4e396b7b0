import type { Suspension } from "@cosocket/socket";
import type { ServerRequest } from "./server_request.ts";
import type { ServerResponse } from "./server_response.ts";

/**
 * The seed's request/response handler style, as a cosocket: a generator
 * function that reads the request and writes the response with `yield*`.
 * The server ends the response when it returns.
 */
export type CosocketHandler = (
  request: ServerRequest,
  response: ServerResponse,
) => Iterator<Suspension, unknown, unknown>;

/** What a {@linkcode WebHandler} learns besides the request, as with `Deno.serve`. */
export interface ServeHandlerInfo {
  /** The client's address. */
  remoteAddr: Deno.NetAddr;
  /** Settles when the response was sent (rejects when it could not be). */
  completed: Promise<void>;
}

/**
 * The WHATWG handler style, with the signature of `Deno.serve`'s: apps
 * written for it (Hono's `app.fetch`, for one) run unchanged.
 */
export type WebHandler = (
  request: Request,
  info: ServeHandlerInfo,
) => Response | PromiseLike<Response>;

/**
 * Answers for a handler that threw, before its response head was sent.
 * Return nothing for the default (500, or the status of an `HttpError`
 * such as 413 for a body over the limit).
 */
export type ErrorHandler = (
  error: unknown,
) => Response | void | PromiseLike<Response | void>;
