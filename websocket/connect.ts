import {
  type Operation,
  operation,
  type Socket,
  SocketError,
  type Suspension,
  type TlsClientOptions,
  until,
} from "@cosocket/socket";
import { headerTokens } from "@cosocket/http/head";
import { httpc, type HttpClient } from "@cosocket/http/client";
import { http2sock } from "@cosocket/http/http2sock";
import { HttpError } from "@cosocket/http/http-error";
import type { ProxyOptions } from "@cosocket/http/proxycon";
import { acceptKey } from "./_accept_key.ts";
import { formatOffer, parseResponse, PerMessageDeflate } from "./_permessage_deflate.ts";
import { WebSocketError } from "./web_socket_error.ts";
import { closeWithCosocket } from "./_close_with_cosocket.ts";
import { createWsSocket, type WsSocket } from "./ws_socket.ts";
import type { WsSocketOptions } from "./ws_socket_options.ts";

/** How a client opens a WebSocket. */
export interface ConnectOptions extends WsSocketOptions, TlsClientOptions {
  /**
   * Subprotocols to offer, in order of preference.
   *
   * @default {[]}
   */
  protocols?: string[];
  /**
   * Extra request headers (`Origin`, `User-Agent`, ...). The handshake's
   * own headers cannot be replaced.
   *
   * @default {undefined}
   */
  headers?: HeadersInit;
  /**
   * HTTP Basic credentials (seed "WebSocket authentication"); the URL's
   * `user:password@` works too.
   *
   * @default {undefined}
   */
  credentials?: { username: string; password: string };
  /**
   * Cookies to send: a `Cookie` header value or name/value pairs.
   *
   * @default {undefined}
   */
  cookies?: string | Record<string, string>;
  /**
   * The longest the TCP/TLS connect plus the opening handshake may take, in
   * milliseconds.
   *
   * @default {10000}
   */
  timeout?: number;
  /**
   * Aborts the connect and the handshake.
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
  /**
   * Keeps the WebSocket open when the cosocket that opened it ends; inside
   * a cosocket with an unconnected socket it also leaves that socket alone.
   *
   * @default {false}
   */
  detached?: boolean;
  /**
   * The most bytes the response head may take.
   *
   * @default {16384}
   */
  maxHeaderSize?: number;
  /**
   * The most response header lines.
   *
   * @default {100}
   */
  maxHeaders?: number;
  /**
   * Reach the server through a proxy (HTTP CONNECT or SOCKS5, the HTTP
   * client's `proxycon`): the seed's WebSocket started by the HTTP client
   * with a proxy. TLS for `wss:` is started over the tunnel.
   *
   * @default {undefined} (connect directly)
   */
  proxy?: ProxyOptions;
}

const GUARDED = new Set([
  "host",
  "upgrade",
  "connection",
  "sec-websocket-key",
  "sec-websocket-version",
  "sec-websocket-protocol",
  "sec-websocket-extensions",
]);

/**
 * Opens a WebSocket connection to a `ws://` or `wss://` URL (the seed's
 * client WebSocket: an HTTP request upgraded with `ba.socket.http2sock`).
 * Inside a cosocket whose socket is not connected yet, it connects that
 * very socket. Delegated to inside any cosocket, the WebSocket belongs to
 * it: it closes with a close frame when the cosocket ends, even when it is
 * halted (unless `detached`).
 *
 * @param url The server, `ws://host:port/path?query` or `wss://...`.
 * @param options Subprotocols, headers, credentials, cookies, TLS trust,
 * limits, extensions and the timeout.
 * @returns The WebSocket.
 * @throws {WebSocketError} `protocol` when the server refused the upgrade
 * (`status` holds its HTTP status, 401 for missing credentials) or answered
 * wrongly; `timeout` when the handshake took too long.
 * @throws {SocketError} As the socket package's `connect` (refused,
 * unreachable, tls, timeout).
 * @throws {TypeError} For a URL that is not ws:// or wss://.
 *
 * @example Connecting with credentials and a cookie
 * ```ts
 * import { bind } from "@cosocket/socket";
 * import { connect, upgrade } from "@cosocket/websocket";
 *
 * await using server = bind(0, { hostname: "127.0.0.1" });
 * const accepted = server.accept().then((sock) => upgrade(sock!, {
 *   origin: (origin) => origin === "https://example.test",
 * }));
 * await using client = await connect(`ws://127.0.0.1:${server.sockname().port}/feed`, {
 *   headers: { origin: "https://example.test" },
 *   credentials: { username: "ada", password: "secret" },
 *   cookies: { session: "42" },
 * });
 * await using ws = await accepted;
 * await ws.send("welcome, ada");
 * console.log(await client.readMessage()); // "welcome, ada"
 * ```
 */
export function connect(url: string | URL, options?: ConnectOptions): Operation<WsSocket> {
  options ??= {};
  const target = parseUrl(url);
  return operation(() => handshake(target, options));
}

/** The steps of {@linkcode connect}. */
function* handshake(target: Target, options: ConnectOptions): Generator<Suspension, WsSocket> {
  const timeout = options.timeout ?? 10000;
  const deadline = Date.now() + timeout;
  const key = new Uint8Array(16);
  crypto.getRandomValues(key);
  const nonce = key.toBase64();
  // The handshake is an HTTP request of the HTTP client: its connect,
  // proxies, TLS, head writer and parser; http2sock() then hands over the
  // connection with any bytes the server sent after its 101.
  const client = httpc({
    ...(target.secure && { tls: tlsOf(options) }),
    timeout,
    maxHeaderSize: options.maxHeaderSize ?? 16384,
    maxHeaders: options.maxHeaders ?? 100,
    ...(options.proxy && { proxy: options.proxy }),
    ...(options.detached !== true && { detached: false }),
  });
  const abort = () => void client.close();
  options.signal?.addEventListener("abort", abort, { once: true });
  let ws: WsSocket;
  let handedOver = false;
  try {
    yield* client.request({
      url: target.url,
      header: requestHeaders(options, nonce),
      ...(options.credentials && {
        user: options.credentials.username,
        password: options.credentials.password,
      }),
      ...(options.signal && { signal: options.signal }),
    });
    client.timeout(Math.max(1, deadline - Date.now()));
    const response = yield* readResponse(client);
    ws = accept(http2sock(client), response, options, nonce);
    handedOver = true;
  } catch (error) {
    yield* until(client.close());
    if (options.signal?.aborted) throw options.signal.reason;
    throw error;
  } finally {
    options.signal?.removeEventListener("abort", abort);
    // Halted while the handshake ran: the connection goes with it.
    if (!handedOver) void client.close();
  }
  if (options.detached !== true) yield* closeWithCosocket(ws);
  return ws;
}

function tlsOf(options: ConnectOptions): TlsClientOptions {
  return {
    ...(options.caCerts && { caCerts: options.caCerts }),
    ...(options.serverName && { serverName: options.serverName }),
    ...(options.alpnProtocols && { alpnProtocols: options.alpnProtocols }),
    ...(options.unsafelyDisableHostnameVerification && {
      unsafelyDisableHostnameVerification: true,
    }),
  };
}

interface Target {
  secure: boolean;
  /** The URL with an http(s) scheme, credentials included, as the HTTP client takes it. */
  url: URL;
}

function parseUrl(url: string | URL): Target {
  const parsed = new URL(url);
  const scheme = parsed.protocol;
  if (scheme !== "ws:" && scheme !== "wss:" && scheme !== "http:" && scheme !== "https:") {
    throw new TypeError(`Cannot connect: ${scheme} is not a WebSocket scheme`);
  }
  if (parsed.hash !== "") throw new TypeError("Cannot connect: a WebSocket URL has no fragment");
  const secure = scheme === "wss:" || scheme === "https:";
  parsed.protocol = secure ? "https:" : "http:";
  return { secure, url: parsed };
}

function accept(
  socket: Socket,
  response: Response101,
  options: ConnectOptions,
  nonce: string,
): WsSocket {
  const { headers } = response;
  const refuse = (why: string): never => {
    socket.close();
    throw new WebSocketError("protocol", `Cannot connect: ${why}`, {
      status: 101,
      closeCode: 1002,
    });
  };
  if (!headerTokens(headers.get("upgrade")).some((t) => t.toLowerCase() === "websocket")) {
    refuse("the response's Upgrade is not websocket");
  }
  if (!headerTokens(headers.get("connection")).some((t) => t.toLowerCase() === "upgrade")) {
    refuse("the response's Connection lacks upgrade");
  }
  if (headers.get("sec-websocket-accept") !== acceptKey(nonce)) {
    refuse("Sec-WebSocket-Accept does not match the key");
  }
  const protocol = headers.get("sec-websocket-protocol") ?? "";
  if (protocol !== "" && !(options.protocols ?? []).includes(protocol)) {
    refuse(`the server chose protocol "${protocol}", which was not offered`);
  }
  const extensions = headers.get("sec-websocket-extensions");
  const deflateSettings = options.perMessageDeflate === true
    ? {}
    : options.perMessageDeflate || null;
  let deflate: PerMessageDeflate | null = null;
  if (deflateSettings !== null) {
    let params;
    try {
      params = parseResponse(extensions, deflateSettings);
    } catch (error) {
      refuse((error as Error).message);
    }
    if (params) {
      deflate = new PerMessageDeflate(params, "client", {
        ...deflateSettings,
        maxMessageSize: options.maxMessageSize ?? 16 * 1024 * 1024,
      });
    }
  } else if (extensions !== null) {
    refuse(`the server chose extensions that were not offered: ${extensions}`);
  }
  return createWsSocket({
    socket,
    client: true,
    protocol,
    extensions: extensions ?? "",
    deflate,
    options,
  });
}

/**
 * The handshake's own headers, cookies and the caller's extra ones; the HTTP
 * client adds `Host` and, from `credentials` or the URL, `Authorization`.
 */
function requestHeaders(options: ConnectOptions, nonce: string): [string, string][] {
  const headers: [string, string][] = [
    ["upgrade", "websocket"],
    ["connection", "Upgrade"],
    ["sec-websocket-key", nonce],
    ["sec-websocket-version", "13"],
  ];
  if (options.protocols !== undefined && options.protocols.length > 0) {
    headers.push(["sec-websocket-protocol", options.protocols.join(", ")]);
  }
  if (options.perMessageDeflate) {
    const settings = options.perMessageDeflate === true ? {} : options.perMessageDeflate;
    headers.push(["sec-websocket-extensions", formatOffer(settings)]);
  }
  const cookies = options.cookies;
  if (cookies !== undefined) {
    const value = typeof cookies === "string"
      ? cookies
      : Object.entries(cookies).map(([name, value]) => `${name}=${value}`).join("; ");
    headers.push(["cookie", value]);
  }
  for (const [name, value] of new Headers(options.headers)) {
    if (!GUARDED.has(name)) headers.push([name, value]);
  }
  return headers;
}

/** The 101 answer; any other status, a timeout or a malformed head is a WebSocketError. */
interface Response101 {
  headers: Headers;
}

function* readResponse(client: HttpClient): Generator<Suspension, Response101> {
  let status: number;
  try {
    status = yield* client.status();
  } catch (error) {
    if (error instanceof SocketError && error.code === "timeout") {
      throw new WebSocketError("timeout", "Cannot connect: the handshake timed out", {
        cause: error,
      });
    }
    if (error instanceof SocketError && error.code === "closed") {
      throw new WebSocketError("closed", "Cannot connect: connection ended before a response", {
        cause: error,
      });
    }
    if (error instanceof HttpError) {
      throw new WebSocketError("protocol", `Cannot connect: ${error.message}`, {
        closeCode: 1002,
        cause: error,
      });
    }
    throw error;
  }
  if (status !== 101) {
    throw new WebSocketError(
      "protocol",
      `Cannot connect: server answered ${status} ${yield* client.statusText()}`,
      { status, closeCode: 1002 },
    );
  }
  return { headers: yield* client.header() };
}
