import {
  connect,
  IncompleteReadError,
  type Operation,
  operation,
  type Socket,
  SocketError,
  type Suspension,
  type TlsClientOptions,
} from "@cosocket/socket";
import { formatRequestHead, parseResponseHead } from "./head.ts";
import { HttpError } from "./http_error.ts";

/** A proxy to reach servers through (the seed's `proxy`, `proxyport`, `socks`, ...). */
export interface ProxyOptions {
  /** The proxy's host name or address (the seed's `proxy`). */
  host: string;
  /**
   * The proxy's port (the seed's `proxyport`).
   *
   * @default {8080 for "http", 1080 for "socks5"}
   */
  port?: number;
  /**
   * `"http"` for an HTTP proxy that tunnels with `CONNECT`, `"socks5"` for a
   * SOCKS5 proxy (RFC 1928; the seed's `socks = true`).
   *
   * @default {"http"}
   */
  type?: "http" | "socks5";
  /**
   * User name (the seed's `proxyuser`): Basic authentication for an HTTP
   * proxy, RFC 1929 username/password for SOCKS5.
   *
   * @default {undefined}
   */
  user?: string;
  /**
   * Password (the seed's `proxypass`).
   *
   * @default {""}
   */
  password?: string;
}

/** Options of {@linkcode proxycon}. */
export interface ProxyconOptions {
  /**
   * Start TLS to the target over the tunnel, with these settings (an
   * `https:` origin, SMTPS, ...).
   *
   * @default {undefined} (a plain tunnel)
   */
  tls?: TlsClientOptions;
  /**
   * Milliseconds for connecting to the proxy and for each step of its
   * handshake; 0 waits forever.
   *
   * @default {20000}
   */
  timeout?: number;
  /**
   * Aborts connecting to the proxy, its handshake and the TLS start; the
   * operation then throws the signal's reason.
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
}

const SOCKS_REPLIES: Record<number, string> = {
  1: "general SOCKS server failure",
  2: "connection not allowed by ruleset",
  3: "network unreachable",
  4: "host unreachable",
  5: "connection refused",
  6: "TTL expired",
  7: "command not supported",
  8: "address type not supported",
};

/**
 * Opens a raw connection to `host:port` through a proxy, without sending
 * anything to the target (the seed's `proxycon` mode and its `"prxready"`
 * answer): through an HTTP proxy with `CONNECT` (Basic authentication) or
 * through SOCKS5 (RFC 1928, username/password per RFC 1929; the proxy
 * resolves host names). The socket then carries any protocol: SMTP, a
 * WebSocket, TLS (`tls` starts it over the tunnel). Bytes the proxy sent past
 * its answer stay in the socket for the first read.
 *
 * @param proxy The proxy.
 * @param target `host:port` of the server to reach (IPv6 literals in brackets).
 * @param options TLS over the tunnel, timeout, abort signal.
 * @returns The connected socket (detached: it outlives the calling cosocket).
 * @throws {HttpError} `proxy` when the proxy refuses: `status` is the HTTP
 * status (407 without valid credentials) or, for SOCKS5, the RFC 1928 reply
 * code; `protocol` when its answer is malformed.
 * @throws {SocketError} From the connection (`refused`, `timeout`, `tls`).
 * @throws {unknown} The signal's reason when `signal` aborts.
 *
 * @example A plain TCP tunnel through an HTTP CONNECT proxy (here a tiny one)
 * ```ts
 * import { bind, type Socket } from "@cosocket/socket";
 * import { proxycon } from "@cosocket/http";
 *
 * // The target: an echo server.
 * await using echo = bind(0, { hostname: "127.0.0.1" }).event(function* (l) {
 *   let c;
 *   while ((c = yield* l.accept()) !== null) {
 *     c.event(function* (s: Socket) {
 *       let d;
 *       while ((d = yield* s.read()) !== null) yield* s.write(d);
 *     });
 *   }
 * });
 * // A proxy that answers CONNECT and then echoes too (it is only an example).
 * await using proxy = bind(0, { hostname: "127.0.0.1" }).event(function* (l) {
 *   let c;
 *   while ((c = yield* l.accept()) !== null) {
 *     c.event(function* (s: Socket) {
 *       yield* s.readUntil("\r\n\r\n");
 *       yield* s.write("HTTP/1.1 200 Connection established\r\n\r\n");
 *       let d;
 *       while ((d = yield* s.read()) !== null) yield* s.write(d);
 *     });
 *   }
 * });
 * await using tunnel = await proxycon(
 *   { host: "127.0.0.1", port: proxy.sockname().port },
 *   `127.0.0.1:${echo.sockname().port}`,
 * );
 * await tunnel.write("through");
 * console.log(new TextDecoder().decode((await tunnel.readExactly(7))!)); // "through"
 * ```
 */
export function proxycon(
  proxy: ProxyOptions,
  target: string,
  options?: ProxyconOptions,
): Operation<Socket> {
  return operation(() => openTunnel(proxy, target, options));
}

/** The steps of {@linkcode proxycon}. */
function* openTunnel(
  proxy: ProxyOptions,
  target: string,
  options: ProxyconOptions | undefined,
): Generator<Suspension, Socket> {
  const { host, port } = splitTarget(target);
  const type = proxy.type ?? "http";
  const timeout = options?.timeout ?? 20_000;
  const signal = options?.signal;
  const socket = yield* connect(proxy.host, proxy.port ?? (type === "http" ? 8080 : 1080), {
    timeout,
    detached: true,
    pool: false,
    ...(signal === undefined ? {} : { signal }),
  });
  let ready = false;
  const abort = () => void socket.close();
  signal?.addEventListener("abort", abort, { once: true });
  try {
    // An abort between the TCP connect and here fired no event.
    signal?.throwIfAborted();
    const stepTimeout = timeout === 0 ? undefined : timeout;
    if (type === "http") yield* httpConnect(socket, host, port, proxy, stepTimeout);
    else yield* socks5Connect(socket, host, port, proxy, stepTimeout);
    if (options?.tls !== undefined) {
      yield* socket.startTls({ serverName: host, ...options.tls, timeout });
    }
    ready = true;
    return socket;
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw error;
  } finally {
    signal?.removeEventListener("abort", abort);
    // A failure, or the caller's cosocket halted while the proxy answered.
    if (!ready) socket.close();
  }
}

/** Splits `host:port`, `[v6]:port`. */
function splitTarget(target: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(target);
  const port = Number(match?.[3]);
  if (match === null || port < 1 || port > 65535) {
    throw new TypeError(`Cannot open tunnel: target must be host:port, got "${target}"`);
  }
  return { host: match[1] ?? match[2]!, port };
}

function* httpConnect(
  socket: Socket,
  host: string,
  port: number,
  proxy: ProxyOptions,
  timeout: number | undefined,
): Generator<Suspension, void> {
  const authority = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
  const headers: [string, string][] = [["host", authority]];
  if (proxy.user !== undefined) {
    const token = new TextEncoder().encode(`${proxy.user}:${proxy.password ?? ""}`).toBase64();
    headers.push(["proxy-authorization", `Basic ${token}`]);
  }
  yield* socket.write(formatRequestHead("CONNECT", authority, headers));
  let head;
  try {
    const bytes = yield* socket.readUntil("\r\n\r\n", {
      maxLength: 16384,
      inclusive: true,
      ...(timeout === undefined ? {} : { timeout }),
    });
    if (bytes === null) throw new SyntaxError("the proxy closed the connection");
    head = parseResponseHead(bytes);
  } catch (error) {
    if (error instanceof SocketError && error.code !== "closed") throw error;
    throw new HttpError("protocol", `Cannot open tunnel: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (head.status < 200 || head.status > 299) {
    throw new HttpError(
      "proxy",
      `Cannot open tunnel: the proxy answered ${head.status} ${head.statusText}`.trimEnd(),
      { status: head.status },
    );
  }
}

function* socks5Connect(
  socket: Socket,
  host: string,
  port: number,
  proxy: ProxyOptions,
  timeout: number | undefined,
): Generator<Suspension, void> {
  const read = (n: number) => socksRead(socket, n, timeout);
  const withAuth = proxy.user !== undefined;
  yield* socket.write(new Uint8Array(withAuth ? [5, 2, 0, 2] : [5, 1, 0]));
  const choice = yield* read(2);
  if (choice[0] !== 5) throw socksProtocol("its greeting is not SOCKS5");
  if (choice[1] === 2 && withAuth) {
    const user = new TextEncoder().encode(proxy.user);
    const password = new TextEncoder().encode(proxy.password ?? "");
    if (user.length > 255 || password.length > 255) {
      throw new RangeError("Cannot open tunnel: SOCKS5 user and password are at most 255 bytes");
    }
    yield* socket.write(
      new Uint8Array([1, user.length, ...user, password.length, ...password]),
    );
    const verdict = yield* read(2);
    if (verdict[1] !== 0) {
      throw new HttpError("proxy", "Cannot open tunnel: the SOCKS5 proxy refused the credentials", {
        status: verdict[1]!,
      });
    }
  } else if (choice[1] !== 0) {
    throw new HttpError(
      "proxy",
      choice[1] === 0xff
        ? "Cannot open tunnel: the SOCKS5 proxy accepts none of the offered methods (credentials needed?)"
        : `Cannot open tunnel: the SOCKS5 proxy chose an unknown method ${choice[1]}`,
      { status: choice[1]! },
    );
  }
  yield* socket.write(socksRequest(host, port));
  const reply = yield* read(4);
  if (reply[0] !== 5) throw socksProtocol("its reply is not SOCKS5");
  if (reply[1] !== 0) {
    throw new HttpError(
      "proxy",
      `Cannot open tunnel: the SOCKS5 proxy answered ${
        SOCKS_REPLIES[reply[1]!] ?? `reply ${reply[1]}`
      }`,
      { status: reply[1]! },
    );
  }
  // The bound address, which we do not need: skip it by its type.
  const atyp = reply[3];
  const addressLength = atyp === 1 ? 4 : atyp === 4 ? 16 : atyp === 3 ? (yield* read(1))[0]! : -1;
  if (addressLength < 0) throw socksProtocol(`unknown address type ${atyp}`);
  yield* read(addressLength + 2);
}

/** Reads `n` bytes of a SOCKS5 answer. */
function* socksRead(
  socket: Socket,
  n: number,
  timeout: number | undefined,
): Generator<Suspension, Uint8Array> {
  let bytes: Uint8Array | null;
  try {
    bytes = yield* socket.readExactly(n, timeout);
  } catch (error) {
    if (!(error instanceof IncompleteReadError)) throw error;
    bytes = null;
  }
  if (bytes === null) {
    throw new HttpError("protocol", "Cannot open tunnel: the SOCKS5 proxy closed the connection");
  }
  return bytes;
}

function socksProtocol(why: string): HttpError {
  return new HttpError(
    "protocol",
    `Cannot open tunnel: the SOCKS5 proxy broke the protocol: ${why}`,
  );
}

/** A CONNECT request; host names go to the proxy to resolve (ATYP 3). */
function socksRequest(host: string, port: number): Uint8Array {
  let address: number[];
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (v4 !== null && v4.slice(1).every((part) => Number(part) <= 255)) {
    address = [1, ...v4.slice(1).map(Number)];
  } else if (host.includes(":")) {
    address = [4, ...ipv6Bytes(host)];
  } else {
    const name = new TextEncoder().encode(host);
    if (name.length > 255) {
      throw new RangeError("Cannot open tunnel: host name too long for SOCKS5");
    }
    address = [3, name.length, ...name];
  }
  return new Uint8Array([5, 1, 0, ...address, port >> 8, port & 0xff]);
}

function ipv6Bytes(host: string): number[] {
  const [head = "", tail = ""] = host.split("::");
  const parse = (part: string) => part === "" ? [] : part.split(":").map((g) => parseInt(g, 16));
  const left = parse(head);
  const right = host.includes("::") ? parse(tail) : [];
  const groups = [...left, ...Array(8 - left.length - right.length).fill(0), ...right];
  if (groups.length !== 8 || groups.some((g) => !(g >= 0 && g <= 0xffff))) {
    throw new TypeError(`Cannot open tunnel: invalid IPv6 address "${host}"`);
  }
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}
