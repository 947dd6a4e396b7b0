import type { Socket } from "@cosocket/socket";
import type { HttpClient } from "./client.ts";
import { takeSocket } from "./_client_hooks.ts";

/**
 * Takes the connection of an HTTP client as a plain socket (the seed's
 * `ba.socket.http2sock`): after a `proxycon` request (a tunnel through a
 * proxy, ready for SMTP, MQTT or TLS) or after a `101 Switching Protocols`
 * answer. Bytes the server sent after its head stay in the socket for the
 * first read. The client no longer owns the connection.
 *
 * @param client The client.
 * @returns The socket.
 * @throws {HttpError} `incorrectuse` when the client has no tunnel and no
 * 101 response.
 *
 * @example Sending a raw protocol over a proxy tunnel opened by the client
 * ```ts
 * import { bind, type Socket } from "@cosocket/socket";
 * import { http2sock, httpc } from "@cosocket/http";
 *
 * // A proxy that accepts CONNECT and then speaks a line protocol itself.
 * await using proxy = bind(0, { hostname: "127.0.0.1" }).event(function* (l) {
 *   let c;
 *   while ((c = yield* l.accept()) !== null) {
 *     c.event(function* (s: Socket) {
 *       yield* s.readUntil("\r\n\r\n");
 *       yield* s.write("HTTP/1.1 200 OK\r\n\r\n220 ready\r\n");
 *     });
 *   }
 * });
 * const client = httpc({ proxy: { host: "127.0.0.1", port: proxy.sockname().port }, proxycon: true });
 * await client.request({ url: "http://mail.example:25/" });
 * await using sock = http2sock(client);
 * console.log(await sock.readLine()); // "220 ready"
 * ```
 */
export function http2sock(client: HttpClient): Socket {
  return takeSocket(client);
}
