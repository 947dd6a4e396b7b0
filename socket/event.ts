import { type CosocketFunction, internals, type Socket } from "./socket.ts";

/**
 * Starts a cosocket on a new, unconnected socket (the seed's
 * `ba.socket.event`). The function runs at once, receiving the socket and
 * then `args`. Its first socket call is usually `connect` or `bind`, which
 * connect or bind this very socket. It may also stay unconnected and only
 * write to other sockets, or wait in `disable()` until someone calls
 * `enable()`. The socket closes when the function returns or throws.
 * Started inside another cosocket, it is that one's child and ends with it
 * (see {@linkcode spawn}).
 *
 * Inside the function, wait for operations with `yield*` (not a bare
 * `yield`, which fails with "use yield* with an operation"). A promise is
 * not an operation: `yield* somePromise` fails; wrap it as
 * `yield* until(somePromise)` (a `crypto.subtle` call, `fetch`,
 * `Deno.readFile`, a JWT `verify`).
 *
 * @param fn The cosocket: a generator function.
 * @param args The arguments after the socket.
 * @returns The socket; its `task` is the running cosocket.
 *
 * @example A cosocket client (seed Example 10)
 * ```ts
 * import { bind, connect, event, type Socket } from "@cosocket/socket";
 *
 * await using server = bind(0, { hostname: "127.0.0.1" });
 * const client = event(function* (sock: Socket, port: number) {
 *   yield* connect("127.0.0.1", port);
 *   yield* sock.write("hello");
 *   return new TextDecoder().decode((yield* sock.read())!);
 * }, server.sockname().port);
 *
 * await using peer = (await server.accept())!;
 * await peer.write(await peer.readExactly(5) ?? "");
 * console.log(await client.task); // "hello"
 * ```
 */
export function event<A extends unknown[]>(fn: CosocketFunction<A>, ...args: A): Socket {
  return internals.create().event(fn, ...args);
}
