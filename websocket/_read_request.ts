import { type Operation, operation, type Socket, type Suspension } from "@cosocket/socket";
import { readHead } from "./_read_head.ts";
import { parseRequestHead } from "@cosocket/http/head";
import type { ReadRequestOptions, UpgradeRequest } from "./upgrade_request.ts";
import { WebSocketError } from "./web_socket_error.ts";

/**
 * Reads the HTTP request head of a bare accepted connection, for `upgrade`
 * on a socket that did not come through `@cosocket/http`'s server. Bytes
 * after the head stay in the socket.
 *
 * @returns The head, or `null` when the connection ended before a request.
 * @throws {WebSocketError} `protocol` with `status` 400 or 431, `closed`
 * when the connection ended inside the head.
 */
export function readRequest(
  socket: Socket,
  options: ReadRequestOptions = {},
): Operation<UpgradeRequest | null> {
  return operation(() => readUpgradeRequest(socket, options));
}

/** The steps of {@linkcode readRequest}. */
function* readUpgradeRequest(
  socket: Socket,
  options: ReadRequestOptions,
): Generator<Suspension, UpgradeRequest | null> {
  const maxHeaderSize = options.maxHeaderSize ?? 16384;
  const limits = { maxHeaderSize, timeout: options.timeout ?? 10000 };
  const head = yield* readHead(socket, limits, "Cannot read request", 431);
  if (head === null) return null;
  try {
    return parseRequestHead(head, {
      maxHeaderSize,
      maxHeaders: options.maxHeaders ?? 100,
    });
  } catch (error) {
    const tooLarge = error instanceof RangeError;
    throw new WebSocketError(
      "protocol",
      `Cannot read request: ${(error as Error).message}`,
      { status: tooLarge ? 431 : 400, closeCode: 1002, cause: error },
    );
  }
}
