/**
 * The stable error codes a {@linkcode SocketError} carries. They follow the
 * error strings of the seed API, so code ported from Lua can switch on them.
 *
 * - `closed`: the socket was closed, locally or by the peer
 * - `timeout`: a read, connect or accept did not finish in time; the socket
 *   stays usable after a read timeout
 * - `refused`: the peer refused the connection
 * - `unreachable`: the host name could not be resolved or reached
 * - `incorrectuse`: the call is not allowed in the socket's current state
 *   (a second connect in a cosocket, reading another cosocket's socket, ...)
 * - `busy`: another operation of the same kind is in progress
 * - `tls`: the TLS handshake or the TLS session failed
 * - `halted`: the cosocket was halted before it finished
 * - `queuefull`: a write was refused earlier because the socket's queue was
 *   full and its caller neither waited for it nor looked at `accepted`; the
 *   socket's next operation reports it once, so that data never vanishes
 *   unnoticed
 * - `protocol`: the peer broke the protocol spoken over the socket (a
 *   malformed WebSocket frame, a bad handshake); the connection is closed
 * - `io`: any other operating-system error (`cause` has the original)
 */
export type SocketErrorCode =
  | "closed"
  | "timeout"
  | "refused"
  | "unreachable"
  | "incorrectuse"
  | "busy"
  | "tls"
  | "halted"
  | "protocol"
  | "queuefull"
  | "io";

/**
 * An error raised by a socket operation. Callers switch on {@linkcode code},
 * which is stable; the message is for people.
 *
 * @example Catching a read timeout
 * ```ts
 * import { bind, connect, SocketError } from "@cosocket/socket";
 *
 * await using server = bind(0, { hostname: "127.0.0.1" });
 * await using client = await connect("127.0.0.1", server.sockname().port);
 * await using peer = await server.accept();
 * try {
 *   await client.read(10);
 * } catch (error) {
 *   if (!(error instanceof SocketError) || error.code !== "timeout") throw error;
 * }
 * ```
 */
export class SocketError extends Error {
  /** The stable error code. */
  readonly code: SocketErrorCode;

  /**
   * Creates a socket error.
   *
   * @param code The stable error code.
   * @param message The message, sentence case without a trailing period.
   * @param options The standard error options (`cause`).
   */
  constructor(code: SocketErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SocketError";
    this.code = code;
  }
}
