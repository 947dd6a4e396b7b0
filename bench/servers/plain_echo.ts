// The platform's own alternative: a plain Deno.listen async echo loop with a
// reused buffer (the read size is the first argument, default 64 KiB).
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
