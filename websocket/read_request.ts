import { type Operation, operation, type Socket } from "@cosocket/socket";
import { readHead } from "./_read_head.ts";
import { parseRequestHead } from "@cosocket/http/head";
import { WebSocketError } from "./web_socket_error.ts";

/** An HTTP request head, as the opening handshake of a WebSocket sends it. */
export interface UpgradeRequest {
  /** The method, `GET` for a WebSocket. */
  method: string;
  /** The request target: path and query. */
  path: string;
  /** The HTTP version, `HTTP/1.1` for a WebSocket. */
  version: string;
  /** The request headers. */
  headers: Headers;
}

/** Limits and timing for reading a request head. */
export interface ReadRequestOptions {
  /**
   * The most bytes the head (request line and headers) may take.
   *
   * @default {16384}
   */
  maxHeaderSize?: number;
  /**
   * The most header lines.
   *
   * @default {100}
   */
  maxHeaders?: number;
  /**
   * The longest wait for the next piece of the head, in milliseconds.
   *
   * @default {10000}
   */
  timeout?: number;
}

/**
 * Reads an HTTP request head from an accepted connection (the part of the
 * seed's `ba.socket.req2sock` that reads the request), for servers that
 * answer some requests themselves and upgrade others: pass the result to
 * `upgrade` as `options.request`. Bytes after the head stay in the socket.
 *
 * @param socket An accepted TCP or TLS connection.
 * @param options Limits and the timeout.
 * @returns The request head, or `null` when the connection ended before
 * any byte of a request.
 * @throws {WebSocketError} `protocol` with `status` 400 for a malformed
 * head or 431 for one over the limits (nothing is answered yet: the caller
 * decides), `closed` when the connection ended inside the head.
 * @throws {SocketError} `timeout` as `Socket#read`.
 *
 * @example Serving a page and upgrading the WebSocket request
 * ```ts
 * import { bind } from "@cosocket/socket";
 * import { connect, readRequest, upgrade } from "@cosocket/websocket";
 *
 * await using server = bind(0, { hostname: "127.0.0.1" });
 * const served = server.accept().then(async (sock) => {
 *   const request = (await readRequest(sock!))!;
 *   if (request.headers.get("upgrade") === null) {
 *     await sock!.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nhi");
 *     return null;
 *   }
 *   return await upgrade(sock!, { request });
 * });
 * await using client = await connect(`ws://127.0.0.1:${server.sockname().port}/chat`);
 * await using ws = (await served)!;
 * console.log(ws.protocol === ""); // true
 * ```
 */
export function readRequest(
  socket: Socket,
  options: ReadRequestOptions = {},
): Operation<UpgradeRequest | null> {
  return operation(function* () {
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
  });
}
