/**
 * The stable codes of {@linkcode HttpError}:
 *
 * - `protocol`: the peer's message breaks HTTP/1.1 (a malformed head, an
 *   invalid chunk size, conflicting framing such as `Content-Length` with
 *   `Transfer-Encoding`); the connection is closed
 * - `toolarge`: a head, a header count, a chunk line or a body over the
 *   client's limits; the connection is closed
 * - `nottrusted`: a request with `trusted: true` reached a server whose
 *   certificate was not verified for its name (the seed's `"nottrusted"`)
 * - `incorrectuse`: a call out of order (reading before a request, writing
 *   more than `size` bytes) or a header, method or URL that would split the
 *   request (CR or LF)
 * - `status`: the server answered with an error status while the client was
 *   still uploading; `status` has it and the upload stopped
 * - `proxy`: the proxy refused to open the tunnel; `status` has its HTTP
 *   status (407 for missing credentials) or its SOCKS5 reply code
 * - `redirect`: too many redirects, a redirect loop, or a refused `https:` →
 *   `http:` downgrade
 */
export type HttpErrorCode =
  | "protocol"
  | "toolarge"
  | "nottrusted"
  | "incorrectuse"
  | "status"
  | "proxy"
  | "redirect";

/** Options of {@linkcode HttpError}. */
export interface HttpErrorOptions extends ErrorOptions {
  /**
   * The HTTP status that goes with the error (code `status`).
   *
   * @default {undefined}
   */
  status?: number;
}

/**
 * An error of the HTTP client beyond the socket's own (`SocketError` keeps
 * reporting `closed`, `timeout`, `refused`, `unreachable` and `tls`).
 *
 * @example Telling a malformed answer from a network failure
 * ```ts
 * import { HttpError } from "@cosocket/http";
 *
 * const error = new HttpError("protocol", "Cannot read response: invalid chunk size");
 * console.log(error.code, error instanceof HttpError); // "protocol" true
 * ```
 */
export class HttpError extends Error {
  /** The stable error code. */
  readonly code: HttpErrorCode;
  /** The HTTP status, for code `status`. */
  readonly status: number | undefined;

  /**
   * Creates the error.
   *
   * @param code The stable code.
   * @param message The message, sentence case without a trailing period.
   * @param options The status and the cause.
   */
  constructor(code: HttpErrorCode, message: string, options?: HttpErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "HttpError";
    this.code = code;
    this.status = options?.status;
  }
}
