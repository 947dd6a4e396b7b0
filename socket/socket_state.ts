/**
 * What a socket (or the cosocket that owns it) is doing, as in the seed:
 *
 * - `notcon`: created but not connected, or closed
 * - `accept`: waiting in accept
 * - `connect`: waiting for a connection (and its TLS handshake)
 * - `upgrade`: waiting for a TLS upgrade
 * - `read`: waiting for data (also while disabled or sleeping)
 * - `write`: waiting for a write to be handed to the kernel
 * - `exec`: running, or connected and idle
 */
export type SocketState = "notcon" | "accept" | "connect" | "upgrade" | "read" | "write" | "exec";

/** The result of `Socket#state`. */
export interface SocketStatus {
  /** What the socket is doing. */
  state: SocketState;
  /** Whether the socket has an open connection, listener or datagram endpoint. */
  connected: boolean;
}

/** An address as `Socket#peername` and `Socket#sockname` report it. */
export interface SocketAddress {
  /** The IP address (or the path of a named pipe). */
  address: string;
  /** The port (0 for a named pipe). */
  port: number;
  /** `true` for an IPv6 address. */
  ipv6: boolean;
}
