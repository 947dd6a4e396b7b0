// The frame loop of the featureless WebSocket echo (bench/servers/ws_floor_echo.ts
// on loopback, bench/path_cost.ts on stand-in connections): parse, unmask, a
// fatal UTF-8 check of text, frame the echo. Nothing else.

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
