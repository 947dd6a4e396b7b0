import type { Socket } from "@cosocket/socket";
import { exchangeOf } from "./_exchange.ts";
import { HttpError } from "./http_error.ts";
import type { ServerRequest } from "./server_request.ts";

/**
 * Takes the connection of a request over (the seed's `ba.socket.req2sock`):
 * the server writes no response and serves no more requests on it, and the
 * caller gets the raw socket, with any bytes the client sent after the
 * head (and not read as body yet) still to be read from it. For tunnels
 * (an HTTP CONNECT proxy), protocol upgrades and event streams; the
 * caller writes the response head itself and closes the socket when done.
 *
 * Works for both handler styles: pass the cosocket handler's
 * `ServerRequest` or the WHATWG handler's `Request`.
 *
 * @param request The request, before any of its response was sent.
 * @returns The connection's socket.
 * @throws {HttpError} `incorrectuse` for a request that did not come from
 * this package's server, one taken already, or one whose response head was
 * sent.
 *
 * @example A CONNECT tunnel (the core of an HTTP proxy)
 * ```ts
 * import { req2sock, servcon, type ServerRequest } from "@cosocket/http";
 * import { bind, connect, type Socket, spawn } from "@cosocket/socket";
 *
 * await using echo = bind(0, { hostname: "127.0.0.1" }).event(function* (listener: Socket) {
 *   const client = yield* listener.accept();
 *   yield* client!.write((yield* client!.read()) as Uint8Array);
 * });
 * await using proxy = servcon(0, function* (request: ServerRequest) {
 *   const [host, port] = request.path.split(":");
 *   const upstream = yield* connect(host!, Number(port));
 *   const sock = req2sock(request);
 *   yield* sock.write("HTTP/1.1 200 Connection Established\r\n\r\n");
 *   spawn(function* () {
 *     let data;
 *     while ((data = yield* upstream.read()) !== null) yield* sock.write(data as Uint8Array);
 *     sock.close();
 *   });
 *   let data;
 *   while ((data = yield* sock.read()) !== null) yield* upstream.write(data as Uint8Array);
 *   upstream.close();
 * }, { hostname: "127.0.0.1" });
 * const client = await connect("127.0.0.1", proxy.port);
 * await client.write(`CONNECT 127.0.0.1:${echo.sockname().port} HTTP/1.1\r\nHost: x\r\n\r\nping`);
 * console.log(await client.readLine()); // "HTTP/1.1 200 Connection Established"
 * await client.readLine();
 * console.log(new TextDecoder().decode((await client.read()) as Uint8Array)); // "ping"
 * client.close();
 * ```
 */
export function req2sock(request: ServerRequest | Request): Socket {
  const exchange = exchangeOf(request);
  if (exchange === undefined) {
    throw new HttpError(
      "incorrectuse",
      "Cannot take the connection: the request did not come from servcon or serve",
    );
  }
  if (exchange.taken) {
    throw new HttpError("incorrectuse", "Cannot take the connection: req2sock was called already");
  }
  if (exchange.headSent) {
    throw new HttpError("incorrectuse", "Cannot take the connection: the response head was sent");
  }
  exchange.taken = true;
  const rest = exchange.body.takeBuffered();
  if (rest !== null) exchange.socket.unread(rest);
  return exchange.socket;
}
