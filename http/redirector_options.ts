import type { Suspension, TlsClientOptions } from "@cosocket/socket";
import type { ServerRequest } from "./server_request.ts";
import type { ServerResponse } from "./server_response.ts";

/** Options of `redirector` and `crossSiteRedirector`. */
export interface RedirectorOptions {
  /**
   * The path prefix this proxy answers on our server; it is replaced by the
   * backend URL's path (the seed's base URI). Requests outside it are left
   * to the caller (the handler returns `false`).
   *
   * @default {"/"}
   */
  prefix?: string;
  /**
   * Send the client's `Host` header to the backend instead of the backend's own.
   *
   * @default {false}
   */
  preserveHost?: boolean;
  /**
   * Add to the `X-Forwarded-For` the client sent (when this proxy sits
   * behind another trusted one) instead of replacing it.
   *
   * @default {false}
   */
  trustForwarded?: boolean;
  /**
   * TLS options for an `https:` backend.
   *
   * @default {undefined}
   */
  tls?: TlsClientOptions;
  /**
   * The longest wait for the backend, per read, in milliseconds.
   *
   * @default {30000}
   */
  timeout?: number;
}

/**
 * A cosocket handler that forwards what it is given: returns `false` for a
 * request outside its prefix (the caller answers it), `true` once the
 * request was proxied.
 */
export type ProxyHandler = (
  request: ServerRequest,
  response: ServerResponse,
) => Generator<Suspension, boolean>;
