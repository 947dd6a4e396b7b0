/**
 * WebSocket client and server (RFC 6455, with permessage-deflate from RFC
 * 7692) in TypeScript over `@cosocket/socket`. A WebSocket is a socket: the
 * same read/write/close/event/disable/enable/state API, awaited from async
 * code or delegated to (`yield*`) inside a cosocket, so seed code ports
 * line by line.
 *
 * - Server: {@linkcode upgrade} turns a request of `@cosocket/http`'s
 *   server (`servcon`, `serve`), or a bare accepted connection, into a
 *   {@linkcode WsSocket}; {@linkcode upgradeWebSocket} adapts a
 *   `Deno.serve` request.
 * - Client: {@linkcode connect} opens `ws://` and `wss://` URLs.
 *
 * ```ts
 * import { servcon, type ServerRequest } from "@cosocket/http";
 * import { connect, upgrade } from "@cosocket/websocket";
 *
 * // Echo every message whole, however many frames and reads it arrives in.
 * function* echo(request: ServerRequest) {
 *   const ws = yield* upgrade(request);
 *   let message;
 *   while ((message = yield* ws.readMessage()) !== null) {
 *     yield* ws.write(message, typeof message === "string");
 *   }
 * }
 * await using server = servcon(0, echo, { hostname: "127.0.0.1" });
 *
 * await using ws = await connect(`ws://127.0.0.1:${server.port}/`);
 * await ws.write("hello", true);
 * console.log(await ws.readMessage()); // "hello"
 * const big = new Uint8Array(1 << 20).fill(7); // 1 MiB: many reads on the way
 * await ws.write(big);
 * console.log(((await ws.readMessage()) as Uint8Array).length); // 1048576
 * ```
 *
 * @module
 */
export * from "./connect.ts";
export * from "./per_message_deflate_options.ts";
export * from "./upgrade_request.ts";
export * from "./upgrade.ts";
export { NativeWsSocket, type UpgradeWebSocketOptions } from "./native_ws_socket.ts";
export * from "./upgrade_web_socket.ts";
export * from "./web_socket_connection.ts";
export * from "./web_socket_error.ts";
export { WsSocket } from "./ws_socket.ts";
export * from "./ws_socket_options.ts";
