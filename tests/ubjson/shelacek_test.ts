// Cross-checks against @shelacek/ubjson (npm), pinned to 1.1.1, the most used Draft 12
// implementation for JavaScript. Where both follow the spec the bytes must match; where
// it deviates, a test pins the deviation down so the README's list stays true.
import { decode, encode } from "@cosocket/ubjson";
import * as shelacek from "npm:@shelacek/ubjson@1.1.1";
import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import { prng } from "./_helpers.ts";

function theirs(value: unknown, options?: Parameters<typeof shelacek.encode>[1]): string {
  return new Uint8Array(shelacek.encode(value, options)).toHex();
}

function theirDecode(data: Uint8Array, options?: Parameters<typeof shelacek.decode>[1]): unknown {
  return shelacek.decode(data.slice().buffer, options);
}

/** Values on which both implementations follow the spec. */
function specValue(random: () => number, depth = 0): unknown {
  const int = (n: number) => Math.floor(random() * n);
  switch (int(depth > 3 ? 6 : 8)) {
    case 0:
      return [null, true, false][int(3)];
    case 1:
      return int(2 ** 32) - 2 ** 31; // int32 range
    case 2:
      return [
        0,
        127,
        128,
        255,
        256,
        -128,
        -129,
        32767,
        32768,
        -32768,
        -32769,
        2 ** 31 - 1,
        -(2 ** 31),
      ][int(13)];
    case 3:
      return (random() - 0.5) * 1e6; // non-integer, float64 unless exact in float32
    case 4:
      return Math.fround((random() - 0.5) * 1e3); // exact in float32
    case 5: {
      let s = "";
      for (let i = int(80); i > 0; i--) {
        s += String.fromCharCode(random() < 0.8 ? 32 + int(95) : 0xa0 + int(0x500));
      }
      return s;
    }
    case 6:
      return Array.from({ length: int(5) }, () => specValue(random, depth + 1));
    default: {
      const object: Record<string, unknown> = {};
      for (let i = int(5); i > 0; i--) object[`k${int(1000)}`] = specValue(random, depth + 1);
      return object;
    }
  }
}

Deno.test("encode() matches @shelacek/ubjson byte for byte where both follow the spec", () => {
  const random = prng(7);
  for (let run = 0; run < 500; run++) {
    const value = specValue(random);
    // It always uses C for one-character strings and d when float32 is exact.
    strictEqual(encode(value, { float32: true, char: true }).toHex(), theirs(value), `run ${run}`);
  }
});

Deno.test("decode() and @shelacek/ubjson read each other's output identically", () => {
  const random = prng(8);
  for (let run = 0; run < 300; run++) {
    const value = specValue(random);
    const ours = encode(value);
    deepStrictEqual(theirDecode(ours), decode(ours), `run ${run}`);
    // Its optimized containers ($ and #) decode to the original value.
    const optimized = new Uint8Array(
      shelacek.encode(value, { optimizeArrays: true, optimizeObjects: true }),
    );
    deepStrictEqual(decode(optimized), JSON.parse(JSON.stringify(value)), `run ${run}`);
  }
  const typed = [
    new Uint8Array([1, 255]),
    new Int8Array([-1]),
    new Int16Array([-300]),
    new Int32Array([1 << 30]),
    new Float32Array([1.5]),
    new Float64Array([Math.PI]),
  ];
  for (const value of typed) {
    deepStrictEqual(theirDecode(encode(value), { useTypedArrays: true }), value);
    const optimized = new Uint8Array(shelacek.encode(value, { optimizeArrays: "onlyTypedArrays" }));
    strictEqual(optimized.toHex(), encode(value).toHex());
  }
});

Deno.test("@shelacek/ubjson 1.1.1 deviations are as documented", () => {
  // 1. NaN and ±Infinity become float32 values; Draft 12 and we write Z (null).
  strictEqual(theirs(NaN), "647fc00000");
  strictEqual(theirs(Infinity), "647f800000");
  strictEqual(encode(NaN).toHex(), "5a");
  // 2. Integers beyond int32 become d/D floats instead of L; we write L (exact, 64-bit).
  strictEqual(theirs(2 ** 40), "6453800000");
  strictEqual(theirs(2 ** 53 + 2), "444340000000000001");
  strictEqual(encode(2 ** 40).toHex(), "4c0000010000000000");
  // 3. undefined becomes an N no-op, so [undefined] decodes as []; we write Z like JSON.
  strictEqual(theirs([undefined]), "5b4e5d");
  deepStrictEqual(theirDecode(Uint8Array.fromHex("5b4e5d")), []);
  strictEqual(encode([undefined]).toHex(), "5b5a5d");
  // 4. No bigint and no toJSON: 1n throws, a Date becomes {}.
  throws(() => shelacek.encode(1n));
  strictEqual(theirs(new Date(0)), "7b7d");
  // 5. Typed arrays are plain arrays unless optimizeArrays is set.
  strictEqual(theirs(new Float64Array([1.5])), "5b643fc000005d");
  // 6. The decoder rejects L and H by default; we return numbers/bigints.
  throws(() => theirDecode(Uint8Array.fromHex("4c0000000000000005")));
  strictEqual(decode(Uint8Array.fromHex("4c0000000000000005")), 5);
  throws(() => theirDecode(Uint8Array.fromHex("48690131")));
  // 7. It accepts C above 127, invalid UTF-8 and trailing bytes; we reject all three.
  strictEqual(theirDecode(Uint8Array.fromHex("4380")), "\uff80"); // the byte read as signed
  throws(() => decode(Uint8Array.fromHex("4380")), SyntaxError);
  strictEqual(theirDecode(Uint8Array.fromHex("536902c328")), "\ufffd(");
  throws(() => decode(Uint8Array.fromHex("536902c328")), SyntaxError);
  strictEqual(theirDecode(Uint8Array.fromHex("69016902")), 1);
  throws(() => decode(Uint8Array.fromHex("69016902")), SyntaxError);
  // 8. Truncated containers overflow its stack (RangeError) instead of a SyntaxError.
  throws(() => theirDecode(Uint8Array.fromHex("5b")), RangeError);
  throws(() => decode(Uint8Array.fromHex("5b")), SyntaxError);
});
