import { lookup } from "node:dns/promises";
import { isIpv6, setNoDelay, type StreamConn, toSocketError, unbracket } from "./_conn.ts";
import { connectFrom } from "./_node_conn.ts";
import { lazy } from "./_operation.ts";
import { type PoolKey, poolKey, takeFromPool } from "./_pool.ts";
import { currentRoutine } from "./_runner.ts";
import { getsock } from "./getsock.ts";
import { handshake } from "./_tls.ts";
import type { Operation } from "./operation.ts";
import { internals, type Socket, type StreamSetup } from "./socket.ts";
import { SocketError } from "./socket_error.ts";
import type { TlsClientOptions } from "./tls_options.ts";

/** Options of {@linkcode connect}. */
export interface ConnectOptions {
  /**
   * The longest wait for the connection (and its TLS handshake), in
   * milliseconds, as the seed's `timeout` option. The default is the
   * seed's, one second, which suits a LAN or loopback; over the internet pass
   * a longer one (`connect(host, 443, { timeout: 10_000 })`), and `0` waits
   * as long as the operating system does.
   *
   * @default {1000}
   */
  timeout?: number;
  /**
   * Connect with TLS: `true` for Deno's root store, or the TLS settings
   * (the seed's `shark` and `alpn` options).
   *
   * @default {false}
   */
  tls?: boolean | TlsClientOptions;
  /**
   * Resolve a host name to an IPv6 address (the seed's `ipv6` option).
   * Without it Deno tries both families (Happy Eyeballs).
   *
   * @default {false}
   */
  ipv6?: boolean;
  /**
   * The local address to connect from (the seed's `intf` option). Deno's
   * own connect cannot bind a local address, so this goes through
   * `node:net`; it cannot be combined with `tls` (Deno starts TLS only on
   * its own TCP connections).
   *
   * @default {undefined} (any interface)
   */
  localAddress?: string;
  /**
   * Aborts the connection attempt and its TLS handshake: the operation then
   * throws a `SocketError` whose `cause` is the signal's reason.
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
  /**
   * Reuse an idle connection parked with `Socket#setKeepAlive` for the same
   * host, port and TLS settings: `true` for the default pool of that place,
   * a string to name the pool, `false` never to pool.
   *
   * @default {true}
   */
  pool?: boolean | string;
  /**
   * Inside a cosocket whose socket is not connected, `connect` connects
   * that very socket (seed Example 10). `detached: true` makes a separate
   * socket instead, which any cosocket may then bind with `event`.
   *
   * @default {false}
   */
  detached?: boolean;
  /**
   * Turn Nagle's algorithm off (`TCP_NODELAY`), as Go does for every TCP
   * connection and Node's HTTP client, undici and `ws` do for theirs: a
   * small write (a request body after its head, a frame after a frame)
   * then leaves at once instead of waiting for the peer to acknowledge the
   * previous one, which the peer may delay by 40 ms. Writes queued behind
   * one in flight are sent together anyway.
   *
   * @default {true}
   */
  noDelay?: boolean;
}

/**
 * Opens a TCP or TLS connection (the seed's `ba.socket.connect`).
 *
 * Await it from async code for a new socket. Inside a cosocket started on
 * an unconnected socket (by {@linkcode event}), `yield*` it to connect the
 * cosocket's own socket: the result is that same socket, and a second
 * connect then fails with `incorrectuse`.
 *
 * @param host The host name or IP address (`::1` or `[::1]` for IPv6).
 * @param port The port.
 * @param options Timeout, TLS, local address, pooling.
 * @returns The connected socket.
 * @throws {SocketError} `refused`, `unreachable`, `timeout`, `tls` (the
 * handshake failed or the certificate is not trusted), `incorrectuse` (a
 * second connect in a cosocket).
 *
 * @example Connecting in async code and in a cosocket
 * ```ts
 * import { bind, connect, event, type Socket } from "@cosocket/socket";
 *
 * await using server = bind(0, { hostname: "127.0.0.1" });
 * const port = server.sockname().port;
 *
 * await using client = await connect("127.0.0.1", port);
 * await using accepted = await server.accept();
 *
 * const cosocket = event(function* (sock: Socket) {
 *   const same = yield* connect("127.0.0.1", port);
 *   console.log(same === sock); // true
 * });
 * await using second = await server.accept();
 * await cosocket.task;
 * ```
 */
export function connect(
  host: string,
  port: number,
  options: ConnectOptions = {},
): Operation<Socket> {
  return lazy(() => {
    const target = options.detached === true ? null : getsock();
    if (target !== null) {
      if (!internals.isUnconnected(target)) {
        throw new SocketError(
          "incorrectuse",
          "Cannot connect: the cosocket's socket is already connected (use detached: true for another socket)",
        );
      }
    }
    const socket = establish(host, port, options, target);
    if (target !== null && socket instanceof Promise) currentRoutine()!.waitingFor = "connect";
    return socket;
  });
}

/**
 * A pooled connection synchronously (the cosocket goes on without
 * suspending), else a promise of a new one.
 */
function establish(
  host: string,
  port: number,
  options: ConnectOptions,
  target: Socket | null,
): Socket | Promise<Socket> {
  const hostname = unbracket(host);
  const tls = options.tls === true ? {} : options.tls || null;
  if (tls !== null && options.localAddress !== undefined) {
    throw new TypeError("Cannot connect: localAddress cannot be combined with tls in Deno");
  }
  const serverName = tls?.serverName ?? hostname;
  const key = options.pool === false ? null : poolKey(
    hostname,
    port,
    tls === null ? null : { serverName, caCerts: tls.caCerts ?? [] },
    typeof options.pool === "string" ? options.pool : undefined,
  );
  const pooled = key === null ? null : takeFromPool(key);
  if (pooled !== null) return attach(target, pooled);
  return dial(hostname, port, options, target, tls, key);
}

/** Opens a new connection (TCP, then TLS when asked). */
async function dial(
  hostname: string,
  port: number,
  options: ConnectOptions,
  target: Socket | null,
  tls: TlsClientOptions | null,
  key: PoolKey | null,
): Promise<Socket> {
  const serverName = tls?.serverName ?? hostname;
  const timeout = options.timeout ?? 1000;
  const started = Date.now();
  if (target !== null) internals.setWaiting(target, "connect");
  try {
    const conn = await tcpConnect(hostname, port, options, timeout);
    // Before a TLS handshake: the TLS connection has no setter of its own.
    if (options.noDelay !== false) setNoDelay(conn);
    if (tls === null) return attach(target, { conn, poolKey: key });
    const remaining = timeout === 0 ? 0 : Math.max(1, timeout - (Date.now() - started));
    const secured = await handshake(
      conn as Deno.TcpConn,
      serverName,
      tls,
      remaining,
      undefined,
      options.signal,
    );
    return attach(target, {
      conn: secured.conn,
      tls: true,
      serverName,
      hostnameVerified: tls.unsafelyDisableHostnameVerification !== true,
      alpnProtocol: secured.alpnProtocol,
      poolKey: key,
    });
  } finally {
    if (target !== null) internals.setWaiting(target, null);
  }
}

function attach(target: Socket | null, setup: StreamSetup): Socket {
  if (target !== null && !internals.isUnconnected(target)) {
    setup.conn.close();
    throw new SocketError("closed", "Cannot connect: the socket was closed while connecting");
  }
  const socket = target ?? internals.create();
  internals.attachStream(socket, setup);
  return socket;
}

async function tcpConnect(
  hostname: string,
  port: number,
  options: ConnectOptions,
  timeout: number,
): Promise<StreamConn> {
  const controller = new AbortController();
  let timedOut = false;
  // 0: no timer of ours; the operating system's own connect timeout applies.
  const timer = timeout === 0 ? undefined : setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeout);
  const forward = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", forward, { once: true });
  try {
    options.signal?.throwIfAborted();
    const address = options.ipv6 === true && !isIpv6(hostname)
      ? (await lookup(hostname, { family: 6 })).address
      : hostname;
    if (options.localAddress !== undefined) {
      return await connectFrom(address, port, options.localAddress, {
        signal: controller.signal,
        noDelay: options.noDelay !== false,
      });
    }
    return await Deno.connect({ hostname: address, port, signal: controller.signal });
  } catch (error) {
    if (timedOut) {
      throw new SocketError(
        "timeout",
        `Cannot connect to ${hostname}:${port}: timed out after ${timeout} ms`,
        {
          cause: error,
        },
      );
    }
    throw toSocketError(error, `connect to ${hostname}:${port}`);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", forward);
  }
}
