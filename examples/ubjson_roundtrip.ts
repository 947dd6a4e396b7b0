// UBJSON round trip: encode a document and a typed array, compare sizes with JSON,
// decode them back, and frame a message with a ByteArray and a network-order length
// prefix, the way a socket protocol would.
//
//   deno run examples/ubjson_roundtrip.ts
import { decode, encode } from "@cosocket/ubjson";
import { ByteArray } from "@cosocket/socket/byte-array";

const doc = {
  user: "ada",
  id: 1815,
  admin: true,
  scores: [98.5, 87.25, 100],
  tags: ["math", "engines"],
  nothing: null,
};
const bytes = encode(doc);
const json = new TextEncoder().encode(JSON.stringify(doc));
console.log(`document: ${bytes.length} bytes as UBJSON, ${json.length} bytes as JSON`);
console.log(`  ${bytes.toHex().replace(/(..)/g, "$1 ").trim()}`);
console.log("  decoded:", decode(bytes));

const samples = new Float32Array(1024).map((_, i) => Math.sin(i / 16));
const typed = encode(samples);
const typedJson = JSON.stringify(Array.from(samples)).length;
console.log(`Float32Array[1024]: ${typed.length} bytes as UBJSON ([$d#), ${typedJson} as JSON`);
const back = decode(typed, { typedArrays: true }) as Float32Array;
console.log(
  `  decoded as ${back.constructor.name}, equal: ${back.every((v, i) => v === samples[i])}`,
);

// A frame: 4-byte big-endian length, then the UBJSON body. ByteArray.view() is what the
// socket's write() sends, without copying.
const frame = new ByteArray(4 + bytes.length);
frame.h2n(0, 4, bytes.length);
ByteArray.copy(frame, 4, bytes);
console.log(`frame: ${frame.length} bytes, length prefix ${frame.n2h(0, 4)}`);
frame.setSize(4); // window over the body only
console.log("  body decoded from the frame window:", decode(frame.view()));

try {
  decode(bytes.subarray(0, 20));
} catch (error) {
  console.log(`truncated input: ${(error as Error).name}: ${(error as Error).message}`);
}
