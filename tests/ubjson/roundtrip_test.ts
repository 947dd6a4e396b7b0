// Bounded property tests: random JSON-like values survive encode → decode.
import { decode, encode } from "@cosocket/ubjson";
import { deepStrictEqual } from "node:assert/strict";
import { prng } from "./_helpers.ts";

const RUNS = 400;

function generator(seed: number, options: { typed: boolean; bigints: boolean }) {
  const random = prng(seed);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(items: T[]): T => items[int(items.length)]!;

  function string(): string {
    const length = pick([0, 1, 2, 5, 20, 63, 64, 100, 300]);
    let s = "";
    for (let i = 0; i < length; i++) {
      const kind = int(10);
      if (kind < 6) s += String.fromCharCode(32 + int(95));
      else if (kind < 8) s += String.fromCharCode(0x80 + int(0x780)); // 2-byte UTF-8
      else if (kind < 9) s += String.fromCharCode(0x800 + int(0xd000)); // 3-byte, below surrogates
      else s += String.fromCodePoint(0x10000 + int(0x100000)); // surrogate pair
    }
    return s;
  }

  function number(): number {
    switch (int(8)) {
      case 0:
        return int(256) - 128;
      case 1:
        return int(65536) - 32768;
      case 2:
        return int(2 ** 32) - 2 ** 31;
      case 3:
        return Math.floor((random() - 0.5) * 2 ** 53);
      case 4:
        // Up to ±5e9: integral results stay safe integers, so types survive.
        return (random() - 0.5) * 10 ** (int(30) - 20);
      case 5:
        return Math.fround(random() * 1000 - 500);
      case 6:
        return pick([
          0,
          127,
          128,
          255,
          256,
          -128,
          -129,
          32767,
          32768,
          -32769,
          2 ** 31,
          -(2 ** 31) - 1,
          Number.MAX_SAFE_INTEGER,
          Number.MIN_SAFE_INTEGER,
          0.5,
          Number.MIN_VALUE,
          Number.MAX_VALUE,
          1e300,
          -1e21,
        ]);
      default:
        return random();
    }
  }

  function typedArray(): ArrayBufferView {
    const n = int(20);
    const fill = (f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));
    switch (int(7)) {
      case 0:
        return new Uint8Array(fill(() => int(256)));
      case 1:
        return new Int8Array(fill(() => int(256) - 128));
      case 2:
        return new Int16Array(fill(() => int(65536)));
      case 3:
        return new Int32Array(fill(() => int(2 ** 32)));
      case 4:
        return new BigInt64Array(fill(() => 0).map(() => BigInt(int(2 ** 32)) << BigInt(int(32))));
      case 5:
        return new Float32Array(fill(() => random() * 100));
      default:
        return new Float64Array(fill(() => random() * 1e6));
    }
  }

  function value(depth: number): unknown {
    const kind = int(depth > 4 ? 7 : 10);
    switch (kind) {
      case 0:
        return null;
      case 1:
        return random() < 0.5;
      case 2:
      case 3:
        return number();
      case 4:
      case 5:
        return string();
      case 6:
        if (options.bigints) return (BigInt(int(2 ** 30)) << 33n) + 2n ** 53n; // unsafe int64
        if (options.typed) return typedArray();
        return number();
      case 7:
        return Array.from({ length: int(6) }, () => value(depth + 1));
      default: {
        const object: Record<string, unknown> = {};
        for (let i = int(6); i > 0; i--) object[string()] = value(depth + 1);
        return object;
      }
    }
  }
  return () => value(0);
}

/**
 * Integral numbers beyond 2^53 travel as exact `L` values and come back as bigints
 * (`int64: "auto"`); converting them back gives the original double.
 */
function bigintsToNumbers(value: unknown): unknown {
  if (typeof value === "bigint") return Number(value);
  if (Array.isArray(value)) return value.map(bigintsToNumbers);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, bigintsToNumbers(v)]));
  }
  return value;
}

Deno.test("decode(encode(v)) equals JSON.parse(JSON.stringify(v)) for random JSON values", () => {
  const next = generator(1, { typed: false, bigints: false });
  for (let run = 0; run < RUNS; run++) {
    const value = next();
    const decoded = bigintsToNumbers(decode(encode(value)));
    if (run % 2 === 0) {
      // Also cover integral doubles beyond 2^53, which travel as L or H.
      const big = (run + 1) * 2 ** 60;
      deepStrictEqual(bigintsToNumbers(decode(encode([big, -big * 1e5]))), [big, -big * 1e5]);
    }
    deepStrictEqual(decoded, JSON.parse(JSON.stringify(value)), `run ${run}`);
  }
});

Deno.test("decode(encode(v)) round-trips typed arrays and unsafe int64 bigints", () => {
  const next = generator(2, { typed: true, bigints: false });
  for (let run = 0; run < RUNS; run++) {
    const value = next();
    deepStrictEqual(decode(encode(value), { typedArrays: true }), value, `run ${run}`);
  }
  const nextBig = generator(3, { typed: false, bigints: true });
  for (let run = 0; run < RUNS; run++) {
    const value = nextBig();
    deepStrictEqual(decode(encode(value)), value, `run ${run}`);
  }
});

Deno.test("decode(encode(v)) is unchanged by the float32 and char options", () => {
  const next = generator(4, { typed: false, bigints: false });
  for (let run = 0; run < RUNS; run++) {
    const value = next();
    const plain = decode(encode(value));
    deepStrictEqual(decode(encode(value, { float32: true, char: true })), plain, `run ${run}`);
  }
});
