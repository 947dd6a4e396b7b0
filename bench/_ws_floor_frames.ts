// The featureless WebSocket echo after its handshake (bench/servers/ws_floor_echo.ts
// on loopback, bench/path_cost.ts on stand-in connections): parse, unmask, a
// fatal UTF-8 check of text, frame the echo, one write per read. Nothing else.

/** What the echo needs of a connection (a `Deno.Conn` or a stand-in). */
export interface EchoConn {
  read(buffer: Uint8Array): Promise<number | null>;
  write(data: Uint8Array): Promise<number>;
}

/**
 * Echoes frames until the peer closes or sends a close frame; `input` holds
 * `have` bytes that arrived with the handshake.
 */
export async function echoLoop(conn: EchoConn, input: Uint8Array, have: number): Promise<void> {
  const output = new Uint8Array(input.length + 16);
  const done = { at: 0, out: 0 };
  while (true) {
    echoFrames(input, have, output, done);
    const { at, out } = done;
    for (let offset = 0; offset < out;) offset += await conn.write(output.subarray(offset, out));
    if (at < 0) return;
    input.copyWithin(0, at, have);
    have -= at;
    const count = await conn.read(input.subarray(have));
    if (count === null) return;
    have += count;
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Echoes the whole client frames in `input[0, have)` into `output`, unmasked
 * (text checked with a fatal decoder). Sets `done.at` to where the unparsed
 * rest starts (-1 once a close frame came) and `done.out` to how many bytes
 * to write (an object the caller reuses: no allocation per call).
 */
export function echoFrames(
  input: Uint8Array,
  have: number,
  output: Uint8Array,
  done: { at: number; out: number },
): void {
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
    if (opcode === 8) {
      done.at = -1;
      done.out = out;
      return;
    }
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
  done.at = at;
  done.out = out;
}
