import { IncompleteReadError, type Socket, type Suspension } from "@cosocket/socket";
import { WebSocketError } from "./web_socket_error.ts";

const BLANK_LINE = new Uint8Array([13, 10, 13, 10]);

/**
 * Reads an HTTP head (up to and including the blank line) for `action`
 * ("Cannot read request", "Cannot connect").
 *
 * @param tooLarge The HTTP status to report for a head over the limit
 * (431 on the server; none on the client).
 * @returns The head, or `null` when the connection ended before any byte.
 * @throws {WebSocketError} `protocol` for a head over `maxHeaderSize`,
 * `closed` for a connection that ended inside it.
 */
export function* readHead(
  socket: Socket,
  limits: { maxHeaderSize: number; timeout: number },
  action: string,
  tooLarge?: number,
): Generator<Suspension, Uint8Array | null> {
  try {
    return yield* socket.readUntil(BLANK_LINE, {
      maxLength: limits.maxHeaderSize,
      inclusive: true,
      timeout: limits.timeout,
    });
  } catch (error) {
    if (error instanceof RangeError) {
      throw new WebSocketError(
        "protocol",
        `${action}: head exceeds ${limits.maxHeaderSize} bytes`,
        { closeCode: 1002, cause: error, ...(tooLarge !== undefined && { status: tooLarge }) },
      );
    }
    if (error instanceof IncompleteReadError) {
      throw new WebSocketError("closed", `${action}: connection ended inside the head`, {
        cause: error,
      });
    }
    throw error;
  }
}
