import { SocketError, type SocketErrorCode } from "@cosocket/socket";

/** Where a {@linkcode WebSocketError} comes from, beyond its socket code. */
export interface WebSocketErrorOptions extends ErrorOptions {
  /**
   * The close code sent to the peer for this failure (RFC 6455 §7.4).
   *
   * @default {1006}
   */
  closeCode?: number;
  /**
   * The HTTP status of a failed opening handshake.
   *
   * @default {undefined}
   */
  status?: number;
}

/**
 * A WebSocket failure. Its `code` is one of the socket package's stable
 * codes: `protocol` when the peer broke RFC 6455 (the connection was closed
 * with {@linkcode closeCode}: 1002 protocol error, 1007 invalid UTF-8,
 * 1009 too big, ...) or the opening handshake failed ({@linkcode status}
 * holds the HTTP status); `timeout` for a handshake or heartbeat that ran
 * out of time; `closed` for a connection that is gone.
 *
 * @example Telling a protocol error from others
 * ```ts
 * import { WebSocketError } from "@cosocket/websocket";
 *
 * const error = new WebSocketError("protocol", "Cannot read message: invalid UTF-8 in text", {
 *   closeCode: 1007,
 * });
 * console.log(error.code, error.closeCode); // "protocol" 1007
 * ```
 */
export class WebSocketError extends SocketError {
  /** The close code sent to the peer (1006 when none could be sent). */
  readonly closeCode: number;
  /** The HTTP status of a failed opening handshake, if that is what failed. */
  readonly status: number | undefined;

  /**
   * Creates the error.
   *
   * @param code The stable socket error code.
   * @param message The message, sentence case without a trailing period.
   * @param options The close code, HTTP status and cause.
   */
  constructor(code: SocketErrorCode, message: string, options?: WebSocketErrorOptions) {
    super(code, message, options);
    options ??= {};
    this.name = "WebSocketError";
    this.closeCode = options.closeCode ?? 1006;
    this.status = options.status;
  }
}
