// The least a WebSocket echo server in JavaScript on Deno.listen can do, for
// bench/websocket_bench.ts: the handshake, frame parsing, unmasking, a
// fatal UTF-8 check of text, framing the echo, one write per read. No
// fragmentation, control frames (a close ends the connection), limits,
// flow control or messages the caller owns: a yardstick, not a server.
// Prints its port, then serves until stdin closes.
import { createHash } from "node:crypto";
import { serveUntilStdinCloses } from "./_stdin.ts";
import { echoLoop } from "../_ws_floor_frames.ts";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const latin1 = new TextDecoder("latin1");
const encoder = new TextEncoder();

/** Reads the upgrade request and answers it; returns the bytes after it. */
async function handshake(conn: Deno.Conn, input: Uint8Array): Promise<number | null> {
  let have = 0;
  while (true) {
    const count = await conn.read(input.subarray(have));
    if (count === null) return null;
    have += count;
    const head = latin1.decode(input.subarray(0, have));
    const end = head.indexOf("\r\n\r\n");
    if (end < 0) continue;
    const key = /sec-websocket-key:\s*(\S+)/i.exec(head)?.[1] ?? "";
    const accept = createHash("sha1").update(key + GUID).digest("base64");
    await conn.write(encoder.encode(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
    ));
    input.copyWithin(0, end + 4, have);
    return have - end - 4;
  }
}

async function serve(conn: Deno.Conn): Promise<void> {
  const input = new Uint8Array(1 << 18);
  try {
    const have = await handshake(conn, input);
    if (have !== null) await echoLoop(conn, input, have);
  } catch {
    // A reset connection ends like a closed one.
  } finally {
    try {
      conn.close();
    } catch {
      // Closed already.
    }
  }
}

const listener = Deno.listen({ hostname: "127.0.0.1", port: 0, tcpBacklog: 4096 });
(async () => {
  for await (const conn of listener) serve(conn);
})();
console.log(listener.addr.port);
await serveUntilStdinCloses();
Deno.exit(0);
