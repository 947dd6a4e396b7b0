// The platform's own alternative: a plain Deno.listen async echo loop with one
// buffer per connection, allocated up front and reused, of the size given as
// the first argument (default 64 KiB). bench/socket_scale.ts runs it with 256
// and 4096: idle, it then holds what Deno itself needs for a socket plus one
// small read in flight. Prints its port, then serves until stdin closes.
import { serveUntilStdinCloses } from "./_stdin.ts";
const size = Number(Deno.args[0] ?? 65536);
const listener = Deno.listen({ hostname: "127.0.0.1", port: 0, tcpBacklog: 4096 });

async function echo(conn: Deno.Conn) {
  const buffer = new Uint8Array(size);
  try {
    let count;
    while ((count = await conn.read(buffer)) !== null) {
      let offset = 0;
      while (offset < count) offset += await conn.write(buffer.subarray(offset, count));
    }
  } catch {
    // Peer reset.
  } finally {
    conn.close();
  }
}

(async () => {
  for await (const conn of listener) echo(conn);
})().catch(() => {});
console.log(listener.addr.port);
await serveUntilStdinCloses();
Deno.exit(0);
