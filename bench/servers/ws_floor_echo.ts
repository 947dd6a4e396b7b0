// The least a WebSocket echo server in JavaScript on Deno.listen can do, for
// bench/websocket_bench.ts: the handshake, frame parsing, unmasking, a
// fatal UTF-8 check of text, framing the echo, one write per read. No
// fragmentation, control frames (a close ends the connection), limits,
// flow control or messages the caller owns: a yardstick, not a server.
// Prints its port, then serves until stdin closes.
import { createHash } from "node:crypto";
import { serveUntilStdinCloses } from "./_stdin.ts";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const utf8 = new TextDecoder("utf-8", { fatal: true });
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

/** Echoes the whole frames in `input[0, have)`; returns where the rest starts, or -1 on close. */
function echoFrames(input: Uint8Array, have: number, output: Uint8Array): [number, number] {
  let at = 0;
  let out = 0;
  while (have - at >= 2) {
    const first = input[at]!;
    let length = input[at + 1]! & 0x7f;
    let header = 2;
    if (length === 126) {
      if (have - at < 4) break;
      length = (input[at + 2]! << 8) | input[at + 3]!;
      header = 4;
    } else if (length === 127) {
      if (have - at < 10) break;
      length = input[at + 6]! * 2 ** 24 + (input[at + 7]! << 16) + (input[at + 8]! << 8) +
        input[at + 9]!;
      header = 10;
    }
    if (have - at < header + 4 + length) break;
    if (out + length + 10 > output.length) break; // the rest on the next turn
    const keyAt = at + header;
    const payload = keyAt + 4;
    for (let i = 0; i < length; i++) input[payload + i]! ^= input[keyAt + (i & 3)]!;
    const opcode = first & 0x0f;
    if (opcode === 8) return [-1, out];
    if (opcode === 1) utf8.decode(input.subarray(payload, payload + length));
    output[out++] = first;
    if (length < 126) output[out++] = length;
    else if (length < 65536) {
      output[out++] = 126;
      output[out++] = length >> 8;
      output[out++] = length & 0xff;
    } else {
      output[out++] = 127;
      for (let shift = 56; shift >= 0; shift -= 8) {
        output[out++] = shift >= 32 ? 0 : (length >>> shift) & 0xff;
      }
    }
    output.set(input.subarray(payload, payload + length), out);
    out += length;
    at = payload + length;
  }
  return [at, out];
}

async function serve(conn: Deno.Conn): Promise<void> {
  const input = new Uint8Array(1 << 18);
  const output = new Uint8Array((1 << 18) + 16);
  try {
    let have = await handshake(conn, input);
    while (have !== null) {
      const [at, out] = echoFrames(input, have, output);
      for (let offset = 0; offset < out;) offset += await conn.write(output.subarray(offset, out));
      if (at < 0) return;
      input.copyWithin(0, at, have);
      have -= at;
      const count = await conn.read(input.subarray(have));
      have = count === null ? null : have + count;
    }
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
