import { type Operation, operation, Socket, type Suspension, until } from "@cosocket/socket";
import { req2sock, type ServerRequest } from "@cosocket/http";
import { checkUpgradeRequest, chooseProtocol, type Refusal } from "./_handshake.ts";
import { formatResponseHead } from "@cosocket/http/head";
import { acceptKey } from "./_accept_key.ts";
import { acceptOffer, PerMessageDeflate } from "./_permessage_deflate.ts";
import { readRequest } from "./_read_request.ts";
import type { ReadRequestOptions, UpgradeRequest } from "./upgrade_request.ts";
import { WebSocketError } from "./web_socket_error.ts";
import { closeWithCosocket } from "./_close_with_cosocket.ts";
import { createWsSocket, type WsSocket } from "./ws_socket.ts";
import type { WsSocketOptions } from "./ws_socket_options.ts";

/** How a server accepts WebSocket upgrades. */
export interface UpgradeOptions extends WsSocketOptions, ReadRequestOptions {
  /**
   * The request head, when the caller already read it from a bare socket.
   *
   * @default {undefined} (read it from the socket)
   */
  request?: UpgradeRequest;
  /**
   * The subprotocols this server speaks, in its order of preference, or a
   * function that picks one of those the client offered (`null`: none).
   *
   * @default {[]}
   */
  protocols?: string[] | ((offered: string[], request: UpgradeRequest) => string | null);
  /**
   * Accepts or refuses a request by its `Origin` (`null` when absent); a
   * refusal is answered with 403.
   *
   * @default {undefined} (every origin)
   */
  origin?: (origin: string | null, request: UpgradeRequest) => boolean;
  /**
   * Decides whether the request may have a WebSocket, before the handshake
   * answers it: the place to check a session cookie, a token in the query or
   * an `Authorization` header. Return `true` (or nothing) to accept, `false`
   * for a plain 403, or a `Response` to answer with instead (a 401 with
   * `WWW-Authenticate`, a 403 with a body, a redirect). It may be async (a
   * JWT check, a session lookup). A refused request gets that answer, the
   * connection closes and `upgrade` throws a `WebSocketError` with the
   * `status`. Afterwards the request is `ws.request` (with `ws.query` and
   * `ws.cookies`).
   *
   * @default {undefined} (every request)
   */
  authorize?: (
    request: UpgradeRequest,
  ) => boolean | void | Response | PromiseLike<boolean | void | Response>;
  /**
   * Keeps the WebSocket open when the cosocket that upgraded it ends.
   *
   * @default {false}
   */
  detached?: boolean;
  /**
   * Extra headers for the 101 response (cookies, for example).
   *
   * @default {undefined}
   */
  headers?: HeadersInit;
}

const GUARDED = new Set([
  "upgrade",
  "connection",
  "sec-websocket-accept",
  "sec-websocket-protocol",
  "sec-websocket-extensions",
]);

/**
 * Turns a request into a WebSocket (the seed's `ba.socket.req2sock` on a
 * WebSocket request): checks the request (method, version, `Upgrade`,
 * `Connection`, the key, the origin and authorize hooks), picks a
 * subprotocol, negotiates permessage-deflate, and answers 101. A request
 * that cannot be upgraded gets a clear HTTP error (400, 403, 426 with
 * `Sec-WebSocket-Version: 13`, 431) and the connection closes.
 *
 * `from` is a request of `@cosocket/http`'s server (`servcon` or `serve`),
 * in either handler style: the WebSocket takes its connection over (a
 * WHATWG handler returns any `Response` afterwards; it is not sent). It may
 * also be a bare accepted connection from `bind`, whose request head is
 * read here (or given as `options.request`).
 *
 * Delegated to inside a cosocket, the WebSocket belongs to that cosocket:
 * it closes with a close frame when the cosocket ends, even when it is
 * halted (unless `detached`).
 *
 * @param from The server request, or an accepted connection.
 * @param options Subprotocols, origin and authorize hooks, limits and extensions.
 * @returns The WebSocket.
 * @throws {WebSocketError} `protocol` with the `status` answered when the
 * request was refused; `closed` when the connection ended first.
 * @throws {HttpError} `incorrectuse` for a server request whose response
 * was started or whose connection was taken already.
 * @throws {SocketError} `timeout` when the request did not arrive in time.
 *
 * @example An echo server on the HTTP server, next to a page
 * ```ts
 * import { servcon, type ServerRequest, type ServerResponse } from "@cosocket/http";
 * import { connect, upgrade } from "@cosocket/websocket";
 *
 * await using server = servcon(0, function* (request: ServerRequest, response: ServerResponse) {
 *   if (request.headers.get("upgrade") === null) return yield* response.send("a page");
 *   const ws = yield* upgrade(request, { protocols: ["chat.v2"] });
 *   let message;
 *   while ((message = yield* ws.readMessage()) !== null) {
 *     yield* ws.write(message, typeof message === "string");
 *   }
 * }, { hostname: "127.0.0.1" });
 * await using client = await connect(`ws://127.0.0.1:${server.port}/chat`, {
 *   protocols: ["chat.v1", "chat.v2"],
 * });
 * await client.write("ping", true);
 * console.log(client.protocol, await client.readMessage()); // "chat.v2" "ping"
 * ```
 *
 * @example A bare accepted connection
 * ```ts
 * import { bind } from "@cosocket/socket";
 * import { connect, upgrade } from "@cosocket/websocket";
 *
 * await using server = bind(0, { hostname: "127.0.0.1" });
 * const accepted = server.accept().then((sock) => upgrade(sock!));
 * await using client = await connect(`ws://127.0.0.1:${server.sockname().port}`);
 * await using ws = await accepted;
 * console.log(ws.protocol === client.protocol); // true
 * ```
 */
export function upgrade(
  from: Socket | ServerRequest | Request,
  options?: UpgradeOptions,
): Operation<WsSocket> {
  options ??= {};
  if (!(from instanceof Socket)) {
    // A request of @cosocket/http's server: take its connection over.
    const request = upgradeRequest(from);
    return upgrade(req2sock(from), { ...options, request });
  }
  const socket = from;
  return operation(() => answerUpgrade(socket, options));
}

/** The steps of {@linkcode upgrade} on a socket. */
function* answerUpgrade(socket: Socket, options: UpgradeOptions): Generator<Suspension, WsSocket> {
  const request = options.request ?? (yield* readOrRefuse(socket, options));
  if (request === null) {
    throw new WebSocketError("closed", "Cannot upgrade: connection ended before a request");
  }
  if (options.authorize !== undefined) {
    const verdict = yield* until(Promise.resolve(options.authorize(request)));
    if (verdict === false) {
      return yield* refuse(socket, {
        status: 403,
        statusText: "Forbidden",
        why: "Cannot upgrade: the request was not authorized",
        headers: [],
      });
    }
    if (verdict instanceof Response) return yield* refuseWith(socket, verdict);
  }
  const answer = negotiate(request, options);
  if ("status" in answer) return yield* refuse(socket, answer);
  yield* socket.write(formatResponseHead(101, "Switching Protocols", answer.headers));
  const ws = createWsSocket({
    socket,
    client: false,
    protocol: answer.protocol,
    extensions: answer.extensions,
    deflate: answer.deflate,
    options,
    request,
  });
  if (options.detached !== true) yield* closeWithCosocket(ws);
  return ws;
}

interface Acceptance {
  headers: [string, string][];
  protocol: string;
  extensions: string;
  deflate: PerMessageDeflate | null;
}

function* readOrRefuse(
  socket: Socket,
  options: UpgradeOptions,
): Generator<Suspension, UpgradeRequest | null> {
  try {
    return yield* readRequest(socket, options);
  } catch (error) {
    if (error instanceof WebSocketError && error.status !== undefined) {
      const statusText = error.status === 431 ? "Request Header Fields Too Large" : "Bad Request";
      return yield* refuse(socket, {
        status: error.status,
        statusText,
        why: error.message,
        headers: [],
      });
    }
    throw error;
  }
}

/** Checks the request and decides the answer (RFC 6455 §4.2). */
function negotiate(request: UpgradeRequest, options: UpgradeOptions): Acceptance | Refusal {
  const refusal = checkUpgradeRequest(request, options.origin);
  if (refusal !== null) return refusal;
  const headers = request.headers;
  const key = headers.get("sec-websocket-key")!;
  const protocol = chooseProtocol(request, options.protocols);
  let extensions = "";
  let deflate: PerMessageDeflate | null = null;
  if (options.perMessageDeflate) {
    const settings = options.perMessageDeflate === true ? {} : options.perMessageDeflate;
    let accepted;
    try {
      accepted = acceptOffer(headers.get("sec-websocket-extensions"), settings);
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      return {
        status: 400,
        statusText: "Bad Request",
        why: `Cannot upgrade: ${error.message}`,
        headers: [],
      };
    }
    if (accepted !== null) {
      extensions = accepted.response;
      deflate = new PerMessageDeflate(accepted.params, "server", {
        ...settings,
        maxMessageSize: options.maxMessageSize ?? 16 * 1024 * 1024,
      });
    }
  }
  const answer: [string, string][] = [
    ["upgrade", "websocket"],
    ["connection", "Upgrade"],
    ["sec-websocket-accept", acceptKey(key)],
  ];
  if (protocol !== "") answer.push(["sec-websocket-protocol", protocol]);
  if (extensions !== "") answer.push(["sec-websocket-extensions", extensions]);
  for (const [name, value] of new Headers(options.headers)) {
    if (!GUARDED.has(name)) answer.push([name, value]);
  }
  return { headers: answer, protocol, extensions, deflate };
}

const STATUS_TEXT: Record<number, string> = {
  301: "Moved Permanently",
  302: "Found",
  303: "See Other",
  307: "Temporary Redirect",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  429: "Too Many Requests",
};

/** Answers with the authorize hook's response, closes the connection and throws. */
function* refuseWith(socket: Socket, response: Response): Generator<Suspension, never> {
  const body = new Uint8Array(yield* until(response.arrayBuffer()));
  const headers: [string, string][] = [];
  for (const [name, value] of response.headers) {
    if (name !== "content-length" && name !== "connection" && name !== "transfer-encoding") {
      headers.push([name, value]);
    }
  }
  const statusText = response.statusText || (STATUS_TEXT[response.status] ?? "Refused");
  yield* answerAndClose(socket, response.status, statusText, headers, body);
  throw new WebSocketError(
    "protocol",
    `Cannot upgrade: the request was refused with ${response.status}`,
    { status: response.status, closeCode: 1002 },
  );
}

/** Answers the HTTP error, closes the connection and throws. */
function* refuse(socket: Socket, refusal: Refusal): Generator<Suspension, never> {
  const body = new TextEncoder().encode(refusal.why + "\n");
  yield* answerAndClose(socket, refusal.status, refusal.statusText, [
    ...refusal.headers,
    ["content-type", "text/plain; charset=utf-8"],
  ], body);
  throw new WebSocketError("protocol", refusal.why, { status: refusal.status, closeCode: 1002 });
}

/** Writes a whole response (head and body, one write) and closes the connection. */
function* answerAndClose(
  socket: Socket,
  status: number,
  statusText: string,
  headers: [string, string][],
  body: Uint8Array,
): Generator<Suspension, void> {
  const head = formatResponseHead(status, statusText, [
    ...headers,
    ["content-length", String(body.length)],
    ["connection", "close"],
  ]);
  const response = new Uint8Array(head.length + body.length);
  response.set(head);
  response.set(body, head.length);
  try {
    yield* socket.write(response);
  } catch {
    // The client is gone; the refusal stands.
  }
  socket.close();
}

/** The head of a server request, as the handshake reads it. */
function upgradeRequest(request: ServerRequest | Request): UpgradeRequest {
  if (request instanceof Request) {
    const url = new URL(request.url);
    return {
      method: request.method,
      path: url.pathname + url.search,
      version: "HTTP/1.1",
      headers: request.headers,
    };
  }
  return {
    method: request.method,
    path: request.path,
    version: request.version,
    headers: request.headers,
  };
}
