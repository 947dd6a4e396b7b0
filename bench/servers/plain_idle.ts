// The platform baseline for bench/socket_scale.ts: a plain Deno.listen server
// that keeps exactly one pending `conn.read()` per connection, into a buffer
// of the size given as the first argument (default 256 bytes), and echoes
// whatever arrives. Idle memory per connection is then roughly what Deno
// itself needs to hold a socket plus one small read in flight.
// Prints its port, then serves until stdin closes.
import { serveUntilStdinCloses } from "./_stdin.ts";
const size = Number(Deno.args[0] ?? 256);
if (!Number.isInteger(size) || size < 1) {
  throw new RangeError(`Cannot start idle server: read size must be a positive integer: ${size}`);
}
const listener = Deno.listen({ hostname: "127.0.0.1", port: 0, tcpBacklog: 4096 });

async function hold(conn: Deno.Conn): Promise<void> {
  // One buffer per connection, allocated up front, as a real server would:
  // that is the per-connection cost being measured.
  const buffer = new Uint8Array(size);
  try {
    let count;
    while ((count = await conn.read(buffer)) !== null) {
      let offset = 0;
      while (offset < count) offset += await conn.write(buffer.subarray(offset, count));
    }
  } catch {
    // Peer reset: the scale clients end with RST to leave no TIME_WAIT behind.
  } finally {
    conn.close();
  }
}

(async () => {
  for await (const conn of listener) hold(conn);
})().catch(() => {});
console.log(listener.addr.port);
await serveUntilStdinCloses();
Deno.exit(0);
