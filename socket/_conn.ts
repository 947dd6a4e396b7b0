import { SocketError, type SocketErrorCode } from "./socket_error.ts";

/** The byte stream under a connected socket: a TCP/TLS conn or a named pipe. */
export interface StreamConn {
  read(buffer: Uint8Array): Promise<number | null>;
  write(data: Uint8Array): Promise<number>;
  /** Sends FIN and keeps reading (half-close). */
  closeWrite(): Promise<void>;
  close(): void;
}

const codes: Record<string, SocketErrorCode> = {
  ConnectionRefused: "refused",
  ConnectionReset: "closed",
  ConnectionAborted: "closed",
  BrokenPipe: "closed",
  NotConnected: "closed",
  BadResource: "closed",
  Interrupted: "closed",
  UnexpectedEof: "closed",
  TimedOut: "timeout",
  NotFound: "unreachable",
  AddrNotAvailable: "unreachable",
  NetworkUnreachable: "unreachable",
  HostUnreachable: "unreachable",
  InvalidData: "tls",
  NotCapable: "incorrectuse",
  PermissionDenied: "incorrectuse",
};

/**
 * Turns a platform error into a {@linkcode SocketError} with a stable code,
 * keeping the original as `cause`.
 */
export function toSocketError(error: unknown, action: string): SocketError {
  if (error instanceof SocketError) return error;
  const name = error instanceof Error ? error.name : "";
  let code = codes[name] ?? "io";
  const detail = error instanceof Error ? error.message : String(error);
  if (code === "io" && /certificate|tls|handshake|alert/i.test(detail)) code = "tls";
  if (code === "io" && /dns|lookup|resolve|name or service/i.test(detail)) code = "unreachable";
  return new SocketError(code, `Cannot ${action}: ${detail}`, { cause: error });
}

/** Reports whether `hostname` is an IPv6 literal (with or without brackets). */
export function isIpv6(hostname: string): boolean {
  return hostname.includes(":");
}

/** Removes the brackets of an IPv6 literal such as `[::1]`. */
export function unbracket(hostname: string): string {
  return hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
}

/** A plain TCP connection of Deno's (TLS and `node:net` ones have no option setters). */
export function isTcpConn(conn: StreamConn): conn is Deno.TcpConn {
  return typeof (conn as Partial<Deno.TcpConn>).setNoDelay === "function";
}

/**
 * Turns Nagle's algorithm off on a TCP connection (TLS connections accepted
 * by Deno have no setter and keep it). With it on, a small write while an
 * earlier one is unacknowledged waits for the peer's ACK, which the peer
 * delays by up to 40 ms: a request head and body written apart, or
 * pipelined responses, stalled that long.
 */
export function setNoDelay(conn: StreamConn): void {
  if (!isTcpConn(conn)) return;
  try {
    conn.setNoDelay(true);
  } catch {
    // Best effort: a connection reset already fails its first read or write.
  }
}
