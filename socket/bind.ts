import { toSocketError, unbracket } from "./_conn.ts";
import { getsock } from "./getsock.ts";
import { internals, type Socket } from "./socket.ts";
import { SocketError } from "./socket_error.ts";
import type { TlsServerOptions } from "./tls_options.ts";

/** Options of {@linkcode bind}. */
export interface BindOptions {
  /**
   * The interface address to listen on (the seed's `intf` option).
   *
   * @default {"0.0.0.0", or "::" with ipv6}
   */
  hostname?: string;
  /**
   * Listen on IPv6 (the seed's `ipv6` option): the default address becomes
   * `::`.
   *
   * @default {false}
   */
  ipv6?: boolean;
  /**
   * Accept TLS connections with this certificate and key (the seed's
   * `shark` option).
   *
   * @default {undefined}
   */
  tls?: TlsServerOptions;
  /**
   * Set `SO_REUSEPORT`, so several listeners (processes) share the port.
   * Needs `--unstable-net`.
   *
   * @default {false}
   */
  reusePort?: boolean;
  /**
   * The most connections the kernel queues before they are accepted.
   *
   * @default {511}
   */
  backlog?: number;
  /**
   * Called with each temporary accept failure (out of descriptors or
   * buffers, a connection aborted in the backlog). The listener keeps
   * running either way: it waits and accepts again.
   *
   * @default {undefined}
   */
  onAcceptError?: (error: SocketError) => void;
  /**
   * Turn Nagle's algorithm off (`TCP_NODELAY`) on each accepted connection,
   * as Go does for every TCP connection and Node's HTTP server for its own:
   * a small write then leaves at once instead of waiting for the peer to
   * acknowledge the previous one, which the peer may delay by 40 ms. Writes
   * queued behind one in flight are sent together anyway. Connections
   * accepted with `tls` have no such setter in Deno and keep the algorithm.
   *
   * @default {true}
   */
  noDelay?: boolean;
}

/**
 * Opens a TCP or TLS listener (the seed's `ba.socket.bind`). Called inside a
 * cosocket whose socket is not connected, it binds that very socket, which
 * then runs in accept mode.
 *
 * @param port The port; 0 picks a free one (see `Socket#sockname`).
 * @param options Interface, IPv6, TLS, `reusePort`, backlog.
 * @returns The listening socket.
 * @throws {SocketError} `incorrectuse` when the port is taken, access is
 * denied, or the cosocket's socket is already connected.
 *
 * @example A listener on a free loopback port
 * ```ts
 * import { bind } from "@cosocket/socket";
 *
 * await using server = bind(0, { hostname: "127.0.0.1" });
 * console.log(server.sockname().port > 0); // true
 * ```
 */
export function bind(port: number, options?: BindOptions): Socket {
  options ??= {};
  const target = getsock();
  if (target !== null) {
    if (!internals.isUnconnected(target)) {
      throw new SocketError(
        "incorrectuse",
        "Cannot bind: the cosocket's socket is already connected",
      );
    }
  }
  const hostname = unbracket(options.hostname ?? (options.ipv6 ? "::" : "0.0.0.0"));
  let listener: Deno.Listener;
  try {
    const common = {
      hostname,
      port,
      reusePort: options.reusePort ?? false,
      ...(options.backlog === undefined ? {} : { tcpBacklog: options.backlog }),
    };
    listener = options.tls === undefined ? Deno.listen(common) : Deno.listenTls({
      ...common,
      cert: options.tls.cert,
      key: options.tls.key,
      alpnProtocols: options.tls.alpnProtocols ?? [],
    });
  } catch (error) {
    const failure = toSocketError(error, `bind to ${hostname}:${port}`);
    if (failure.code === "io" && error instanceof Deno.errors.AddrInUse) {
      throw new SocketError("incorrectuse", failure.message, { cause: error });
    }
    throw failure;
  }
  const socket = target ?? internals.create();
  internals.attachListener(socket, listener, {
    tls: options.tls !== undefined,
    noDelay: options.noDelay ?? true,
    ...(options.onAcceptError === undefined ? {} : { onAcceptError: options.onAcceptError }),
  });
  return socket;
}
