// UTF-8 validation for WebSocket text messages:
// `deno bench --allow-read bench/websocket_utf8_bench.ts`.
// Each group validates the same valid buffer with `isValidUtf8` (the baseline, what the
// WebSocket code calls), the incremental `Utf8Validator` fed in 4 KiB pieces, the pure
// JavaScript automaton alone, `TextDecoder` with `fatal: true` (decodes to a string and
// throws on invalid input) and `isUtf8` of `node:buffer` called directly.
import { isUtf8 } from "node:buffer";
import { isValidUtf8, isValidUtf8Scalar, Utf8Validator } from "../websocket/_utf8.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** Valid UTF-8 of exactly `size` bytes or slightly less, built from `unit` repeated. */
function make(unit: string, size: number): Uint8Array {
  const bytes = encoder.encode(unit.repeat(Math.ceil(size / encoder.encode(unit).length)));
  // Cut on a character boundary.
  let end = Math.min(size, bytes.length);
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.slice(0, end);
}

const CONTENTS: Record<string, string> = {
  ascii: "The quick brown fox jumps over the lazy dog. ",
  mixed: "Grüße, 東京 🎉 ok. ",
  "2-byte": "дом ",
  "3-byte": "日本語",
  "4-byte": "𝄞🎉",
};
const SIZES: Record<string, number> = {
  "20 B": 20,
  "64 B": 64,
  "1 KiB": 1024,
  "16 KiB": 16384,
  "1 MiB": 1 << 20,
};

const validator = new Utf8Validator();
function pieces(bytes: Uint8Array): boolean {
  validator.reset();
  for (let start = 0; start < bytes.length; start += 4096) {
    if (!validator.push(bytes, start, Math.min(bytes.length, start + 4096))) return false;
  }
  return validator.finish();
}

for (const [content, unit] of Object.entries(CONTENTS)) {
  for (const [sizeName, size] of Object.entries(SIZES)) {
    if (content !== "ascii" && content !== "mixed" && size === 64) continue;
    const bytes = make(unit, size);
    const group = `${content} ${sizeName}`;
    const check = (ok: boolean) => {
      if (!ok) throw new Error("Benchmark input is not valid UTF-8");
    };
    Deno.bench("isValidUtf8", { group, baseline: true }, () => check(isValidUtf8(bytes)));
    Deno.bench("Utf8Validator 4 KiB pieces", { group }, () => check(pieces(bytes)));
    Deno.bench("JS automaton alone", { group }, () => check(isValidUtf8Scalar(bytes)));
    Deno.bench("TextDecoder fatal", { group }, () => check(decoder.decode(bytes).length >= 0));
    Deno.bench("node:buffer isUtf8", { group }, () => check(isUtf8(bytes)));
  }
}
