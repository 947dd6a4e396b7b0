// Bounded fuzzing of the decoder with random and mutated bytes. Every input must either
// decode or throw SyntaxError/RangeError, and the decoded value must stay within the
// memory bound the decoder promises: one node per input byte plus the bodiless budget.
import { decode, type DecodeOptions, encode } from "@cosocket/ubjson";
import { ok } from "node:assert/strict";
import { prng } from "./_helpers.ts";

const MARKERS = "ZNTFiUIlLdDHCS[]{}$#";
const BODILESS = 1000;
const OPTION_SETS: DecodeOptions[] = [
  { maxBodilessElements: BODILESS },
  { maxBodilessElements: BODILESS, typedArrays: true, int64: "bigint", highPrecision: "string" },
  {
    maxBodilessElements: BODILESS,
    maxDepth: 4,
    maxKeyLength: 3,
    int64: "error",
    highPrecision: "error",
    allowTrailing: true,
  },
];

/** Number of nodes in a decoded value (elements of typed arrays count one each). */
function weight(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + weight(item), 1);
  if (ArrayBuffer.isView(value)) return 1 + (value as Uint8Array).length;
  if (typeof value === "object" && value !== null) {
    return Object.values(value).reduce((sum: number, item) => sum + weight(item), 1);
  }
  return 1;
}

function check(data: Uint8Array, options: DecodeOptions, label: string): void {
  let value: unknown;
  try {
    value = decode(data, options);
  } catch (error) {
    ok(
      error instanceof SyntaxError || error instanceof RangeError,
      `${label}: ${data.toHex()}: ${error}`,
    );
    return;
  }
  ok(weight(value) <= data.length + BODILESS, `${label}: ${data.toHex()} decoded too large`);
}

Deno.test("decode() survives random bytes with only SyntaxError or RangeError", () => {
  const random = prng(11);
  const int = (n: number) => Math.floor(random() * n);
  for (let run = 0; run < 20_000; run++) {
    const data = new Uint8Array(int(40));
    for (let i = 0; i < data.length; i++) {
      // Mostly markers and small numbers, so inputs get past the first byte.
      data[i] = random() < 0.6
        ? MARKERS.charCodeAt(int(MARKERS.length))
        : random() < 0.5
        ? int(8)
        : int(256);
    }
    check(data, OPTION_SETS[run % OPTION_SETS.length]!, `random ${run}`);
  }
});

Deno.test("decode() survives mutated valid documents with only SyntaxError or RangeError", () => {
  const seeds = [
    encode({ id: 1, name: "ada", tags: ["x", "yz"], nested: { a: [1, 2.5, null, true] } }),
    encode([new Uint8Array([1, 2, 3]), new Float64Array([1.5]), new Int16Array([-1]), 2n ** 60n]),
    encode({ big: 2 ** 63, s: "é".repeat(30), f: 0.1 }, { float32: true, char: true }),
    new Uint8Array([
      0x5b,
      0x24,
      0x5b,
      0x23,
      0x69,
      0x02,
      0x24,
      0x69,
      0x23,
      0x69,
      0x01,
      0x05,
      0x23,
      0x69,
      0x00,
    ]),
    new Uint8Array([0x7b, 0x24, 0x5a, 0x23, 0x69, 0x02, 0x69, 0x01, 0x61, 0x69, 0x01, 0x62]),
  ];
  const random = prng(12);
  const int = (n: number) => Math.floor(random() * n);
  for (let run = 0; run < 20_000; run++) {
    const bytes = [...seeds[run % seeds.length]!];
    for (let edits = 1 + int(4); edits > 0; edits--) {
      const at = int(bytes.length + 1);
      switch (int(5)) {
        case 0:
          bytes[at] = int(256);
          break;
        case 1:
          bytes[at] = (bytes[at] ?? 0) ^ (1 << int(8));
          break;
        case 2:
          bytes.splice(at, 0, random() < 0.5 ? MARKERS.charCodeAt(int(MARKERS.length)) : int(256));
          break;
        case 3:
          bytes.splice(at, 1 + int(3));
          break;
        default:
          bytes.length = Math.min(bytes.length, at); // truncate
      }
    }
    check(new Uint8Array(bytes), OPTION_SETS[run % OPTION_SETS.length]!, `mutated ${run}`);
  }
});

Deno.test("decode() rejects huge counts and lengths in every position without allocating", () => {
  const huge = [
    [0x6c, 0x7f, 0xff, 0xff, 0xff],
    [0x4c, 0x00, 0x0f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
  ];
  const prefixes = ["[#", "{#", "[$D#", "[$U#", "[$S#", "[$[#", "{$i#", "S", "H", "{"];
  for (const prefix of prefixes) {
    for (const count of huge) {
      const data = new Uint8Array([...new TextEncoder().encode(prefix), ...count, 0x69, 0x01]);
      check(data, { maxBodilessElements: BODILESS }, prefix);
    }
  }
  for (const type of "ZTF") {
    for (const count of huge) {
      const data = new Uint8Array([0x5b, 0x24, type.charCodeAt(0), 0x23, ...count]);
      check(data, { maxBodilessElements: BODILESS }, `[$${type}`);
    }
  }
});
