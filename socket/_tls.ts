import { toSocketError } from "./_conn.ts";
import { type Deadline, deadline } from "./_timeout.ts";
import { SocketError } from "./socket_error.ts";
import type { TlsClientOptions } from "./tls_options.ts";

/**
 * Runs the client TLS handshake on a TCP connection within `timeout` ms.
 * `onStart` receives the TLS connection before the handshake runs, so that
 * closing the socket meanwhile can stop it; `signal` aborts it too.
 */
export async function handshake(
  conn: Deno.TcpConn,
  serverName: string,
  options: TlsClientOptions,
  timeout: number,
  onStart: (tls: Deno.TlsConn) => void = () => {},
  signal?: AbortSignal,
): Promise<{ conn: Deno.TlsConn; alpnProtocol: string | null }> {
  let tls: Deno.TlsConn | null = null;
  let limit: Deadline | null = null;
  let stop: (() => void) | null = null;
  // Rejects with the signal's reason, so that an abort ends the race below.
  const aborted = signal === undefined ? null : new Promise<never>((_, reject) => {
    stop = () => reject(signal.reason);
    signal.addEventListener("abort", stop, { once: true });
  });
  aborted?.catch(() => {});
  try {
    signal?.throwIfAborted();
    tls = await Deno.startTls(conn, {
      hostname: serverName,
      caCerts: options.caCerts ?? [],
      alpnProtocols: options.alpnProtocols ?? [],
      unsafelyDisableHostnameVerification: options.unsafelyDisableHostnameVerification ?? false,
    });
    onStart(tls);
    // A timeout of 0 leaves the handshake to the peer and the operating system.
    limit = timeout === 0 ? null : deadline(
      timeout,
      () =>
        new SocketError("timeout", `Cannot connect: TLS handshake timed out after ${timeout} ms`),
    );
    const racers: Promise<Deno.TlsHandshakeInfo>[] = [tls.handshake()];
    if (limit !== null) racers.push(limit.expired);
    if (aborted !== null) racers.push(aborted);
    const info = racers.length === 1 ? await racers[0]! : await Promise.race(racers);
    return { conn: tls, alpnProtocol: info.alpnProtocol };
  } catch (error) {
    try {
      (tls ?? conn).close();
    } catch {
      // Already closed.
    }
    const failure = toSocketError(error, "complete TLS handshake");
    if (signal?.aborted) throw failure;
    if (failure.code === "io" || failure.code === "closed") {
      throw new SocketError("tls", failure.message, { cause: error });
    }
    throw failure;
  } finally {
    limit?.clear();
    if (stop !== null) signal!.removeEventListener("abort", stop);
  }
}
