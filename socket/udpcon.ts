import { toSocketError, unbracket } from "./_conn.ts";
import { internals, type Socket } from "./socket.ts";

/** Options of {@linkcode udpcon}. */
export interface UdpOptions {
  /**
   * The local interface address (the seed's `intf` option).
   *
   * @default {"0.0.0.0", or "::" with ipv6}
   */
  hostname?: string;
  /**
   * The local port; 0 picks a free one.
   *
   * @default {0}
   */
  port?: number;
  /**
   * Use IPv6 (the seed's `ipv6` option).
   *
   * @default {false}
   */
  ipv6?: boolean;
  /**
   * Set `SO_REUSEADDR`.
   *
   * @default {false}
   */
  reuseAddress?: boolean;
}

/**
 * Opens a UDP socket (the seed's `ba.socket.udpcon`). With `address` and
 * `port` it is connected: `write` sends to that peer and `read` hears only
 * that peer. Without them it is unconnected: use `sendto` and
 * `read(timeout, true)`.
 *
 * Deno's datagram API is unstable: run with `--unstable-net` (the root
 * `deno.json` of this repository enables it).
 *
 * @param address The peer's IP address, for a connected socket.
 * @param port The peer's port.
 * @param options Local interface, port and IPv6.
 * @returns The UDP socket.
 * @throws {SocketError} When the local address cannot be bound.
 *
 * @example A UDP echo
 * ```ts
 * import { udpcon } from "@cosocket/socket";
 *
 * await using server = udpcon(undefined, undefined, { hostname: "127.0.0.1" });
 * await using client = udpcon("127.0.0.1", server.sockname().port, { hostname: "127.0.0.1" });
 * await client.write("ping");
 * const datagram = (await server.read(undefined, true))!;
 * await server.sendto(datagram.data, datagram.address, datagram.port);
 * console.log(new TextDecoder().decode((await client.read())!)); // "ping"
 * ```
 */
export function udpcon(address?: string, port?: number, options?: UdpOptions): Socket {
  options ??= {};
  const hostname = unbracket(options.hostname ?? (options.ipv6 ? "::" : "0.0.0.0"));
  let conn: Deno.DatagramConn;
  try {
    conn = Deno.listenDatagram({
      transport: "udp",
      hostname,
      port: options.port ?? 0,
      reuseAddress: options.reuseAddress ?? false,
    });
  } catch (error) {
    throw toSocketError(error, `bind UDP socket to ${hostname}:${options.port ?? 0}`);
  }
  const peer: Deno.NetAddr | null = address === undefined || port === undefined
    ? null
    : { transport: "udp", hostname: unbracket(address), port };
  const socket = internals.create();
  internals.attachDatagram(socket, conn, peer);
  return socket;
}
