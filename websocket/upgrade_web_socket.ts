import { checkUpgradeRequest, chooseProtocol } from "./_handshake.ts";
import {
  createNative,
  type NativeWsSocket,
  type UpgradeWebSocketOptions,
} from "./native_ws_socket.ts";
import type { UpgradeRequest } from "./upgrade_request.ts";
import { WebSocketError } from "./web_socket_error.ts";

/** The result of {@linkcode upgradeWebSocket}. */
export interface NativeUpgrade {
  /** The WebSocket; it opens once `response` has been returned to `Deno.serve`. */
  socket: NativeWsSocket;
  /** The 101 response to return from the `Deno.serve` handler. */
  response: Response;
}

/**
 * Accepts a WebSocket upgrade in a `Deno.serve` handler and gives the
 * connection the cosocket API of `WsSocket`: `read`, `readMessage`,
 * `write`, `close`, `event`, `disable`/`enable`, awaited from async code or
 * delegated to (`yield*`) inside a cosocket. Under the hood it is Deno's
 * native WebSocket (`Deno.upgradeWebSocket`), so it works at message level:
 * a read returns a whole message, there are no fragments to stream, no
 * permessage-deflate, and pings are Deno's (`idleTimeout`).
 *
 * The request is checked first (method GET, `Upgrade: websocket`,
 * `Connection: Upgrade`, version 13, the key, the origin hook); a request
 * that cannot be upgraded throws a {@linkcode WebSocketError} whose
 * `status` (400, 403 or 426) is the HTTP answer to return.
 *
 * @param request The request `Deno.serve` passed to the handler.
 * @param options Subprotocols, origin check, extra headers and limits.
 * @returns The socket and the response to return from the handler.
 * @throws {WebSocketError} Code `protocol` with `status` 426 (not a
 * WebSocket request, or an unsupported `Sec-WebSocket-Version`; the answer
 * should carry `Upgrade: websocket` and `Sec-WebSocket-Version: 13`), 400
 * (a malformed WebSocket request) or 403 (origin refused).
 * @throws {TypeError} When the request does not come from `Deno.serve`, or
 * the `protocols` function picks a protocol the client did not offer.
 *
 * @example An echo server as a cosocket
 * ```ts
 * import { upgradeWebSocket, type NativeWsSocket } from "@cosocket/websocket";
 *
 * function* echo(ws: NativeWsSocket) {
 *   let message;
 *   while ((message = yield* ws.readMessage()) !== null) yield* ws.send(message);
 * }
 *
 * await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
 *   const { socket, response } = upgradeWebSocket(request);
 *   socket.event(echo);
 *   return response;
 * });
 *
 * const client = new WebSocket(`ws://127.0.0.1:${server.addr.port}/`);
 * await new Promise((resolve) => client.onopen = resolve);
 * client.send("hello");
 * const reply = await new Promise((resolve) => client.onmessage = (event) => resolve(event.data));
 * console.log(reply); // "hello"
 * client.close();
 * await new Promise((resolve) => client.onclose = resolve);
 * ```
 */
export function upgradeWebSocket(
  request: Request,
  options: UpgradeWebSocketOptions = {},
): NativeUpgrade {
  const url = new URL(request.url);
  const upgradeRequest: UpgradeRequest = {
    method: request.method,
    path: url.pathname + url.search,
    // Deno.serve upgrades HTTP/1.1 requests only.
    version: "HTTP/1.1",
    headers: request.headers,
  };
  const refusal = checkUpgradeRequest(upgradeRequest, options.origin);
  if (refusal !== null) {
    throw new WebSocketError("protocol", refusal.why, { status: refusal.status, closeCode: 1002 });
  }
  const protocol = chooseProtocol(upgradeRequest, options.protocols);
  const upgraded = Deno.upgradeWebSocket(request, {
    ...(protocol === "" ? {} : { protocol }),
    ...(options.idleTimeout === undefined ? {} : { idleTimeout: options.idleTimeout }),
  });
  for (const [name, value] of new Headers(options.headers)) {
    if (!name.startsWith("sec-websocket-") && name !== "upgrade" && name !== "connection") {
      upgraded.response.headers.append(name, value);
    }
  }
  return { socket: createNative(upgraded.socket, protocol, options), response: upgraded.response };
}
