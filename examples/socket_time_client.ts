/**
 * Seed Example 1: a blocking-style request/response client. A local RFC 868
 * time server answers every connection with the seconds since 1900 as a
 * 32-bit network-order integer; the client reads it with a 5 s timeout and
 * converts it with `n2h`.
 *
 * Run: `deno run --allow-net=127.0.0.1 examples/socket_time_client.ts`
 */
import { bind, connect, h2n, n2h, type Socket, SocketError } from "@cosocket/socket";

/** Seconds between 1900-01-01 (RFC 868) and 1970-01-01 (Unix). */
const EPOCH_OFFSET = 2208988800;

/** Starts an RFC 868 time server on a free loopback port. */
export function timeServer(): Socket {
  return bind(0, { hostname: "127.0.0.1" }).event(function* (listener: Socket) {
    let client;
    while ((client = yield* listener.accept()) !== null) {
      const seconds = Math.floor(Date.now() / 1000) + EPOCH_OFFSET;
      yield* client.write(h2n(4, seconds));
      client.close();
    }
  });
}

/** Asks a time server for the time, as the seed's LSP page does. */
export async function fetchTime(host: string, port: number): Promise<Date> {
  await using sock = await connect(host, port);
  const data = await sock.readExactly(4, 5000);
  if (data === null) throw new SocketError("closed", "Cannot read time: the server sent nothing");
  return new Date((n2h(4, data) - EPOCH_OFFSET) * 1000);
}

if (import.meta.main) {
  await using server = timeServer();
  const date = await fetchTime("127.0.0.1", server.sockname().port);
  console.log("RFC 868 date and time:", date.toUTCString());
}
