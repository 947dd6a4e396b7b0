/**
 * Sockets whose reads and writes look blocking but run as generator-based
 * cosockets on one thread: the auxiliary socket API of an embedded
 * application server, brought to Deno.
 *
 * Every suspending call returns an {@linkcode Operation}: `await` it in
 * async code, `yield*` it inside a cosocket. A cosocket is a generator
 * function bound to a socket with {@linkcode event} or `Socket#event`; many
 * of them share one thread, and flow control suspends a writer while the
 * peer is slow.
 *
 * ```ts
 * import { bind, connect, type Socket } from "@cosocket/socket";
 *
 * function* echo(sock: Socket) {
 *   let data;
 *   while ((data = yield* sock.read()) !== null) yield* sock.write(data);
 * }
 *
 * await using server = bind(0, { hostname: "127.0.0.1" }).event(function* (listener) {
 *   let client;
 *   while ((client = yield* listener.accept()) !== null) client.event(echo);
 * });
 * await using client = await connect("127.0.0.1", server.sockname().port);
 * await client.write("ping\n");
 * console.log(await client.readLine()); // "ping"
 * ```
 *
 * @module
 */
export * from "./alloc_bytes.ts";
export * from "./bind.ts";
export * from "./byte_array.ts";
export * from "./connect.ts";
export * from "./cosocket_end.ts";
export * from "./ensure.ts";
export * from "./event.ts";
export * from "./fifo.ts";
export * from "./getsock.ts";
export * from "./incomplete_read_error.ts";
export * from "./network_order.ts";
export * from "./operation.ts";
export * from "./pool.ts";
export * from "./run.ts";
export * from "./sleep.ts";
export {
  type CosocketFunction,
  type Datagram,
  type KeepAliveOptions,
  type ReadUntilOptions,
  Socket,
  type SocketLike,
} from "./socket.ts";
export * from "./socket_error.ts";
export * from "./socket_state.ts";
export * from "./sockstat.ts";
export * from "./spawn.ts";
export * from "./task.ts";
export * from "./tls_options.ts";
export * from "./toip.ts";
export * from "./udpcon.ts";
export * from "./until.ts";
export * from "./write_operation.ts";
