import { encode } from "@cosocket/ubjson";
import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";

function hex(value: unknown, options = {}): string {
  return encode(value, options).toHex();
}

function ascii(text: string): string {
  return new TextEncoder().encode(text).toHex();
}

Deno.test("encode() writes null, booleans and non-finite numbers as single markers", () => {
  strictEqual(hex(null), "5a");
  strictEqual(hex(true), "54");
  strictEqual(hex(false), "46");
  strictEqual(hex(NaN), "5a");
  strictEqual(hex(Infinity), "5a");
  strictEqual(hex(-Infinity), "5a");
});

Deno.test("encode() picks the smallest integer type at every boundary", () => {
  const cases: [number, string][] = [
    [0, "6900"],
    [-0, "6900"],
    [1, "6901"],
    [127, "697f"],
    [128, "5580"],
    [255, "55ff"],
    [256, "490100"],
    [-1, "69ff"],
    [-128, "6980"],
    [-129, "49ff7f"],
    [32767, "497fff"],
    [-32768, "498000"],
    [32768, "6c00008000"],
    [-32769, "6cffff7fff"],
    [65535, "6c0000ffff"],
    [2147483647, "6c7fffffff"],
    [-2147483648, "6c80000000"],
    [2147483648, "4c0000000080000000"],
    [-2147483649, "4cffffffff7fffffff"],
    [4294967296, "4c0000000100000000"],
    [Number.MAX_SAFE_INTEGER, "4c001fffffffffffff"],
    [Number.MIN_SAFE_INTEGER, "4cffe0000000000001"],
    [9223372036854774784, "4c7ffffffffffffc00"], // largest double below 2^63
    [-9223372036854775808, "4c8000000000000000"], // -2^63
  ];
  for (const [value, expected] of cases) strictEqual(hex(value), expected, `${value}`);
});

Deno.test("encode() writes integers beyond int64 as H with JSON number text", () => {
  // The shortest round-trip text of the double, as JSON.stringify writes it.
  strictEqual(hex(2 ** 63), "486913" + ascii("9223372036854776000"));
  strictEqual(hex(-(2 ** 64)), "486915" + ascii("-18446744073709552000"));
  strictEqual(hex(1e21), "486905" + ascii("1e+21"));
  strictEqual(hex(-Number.MAX_VALUE), "486918" + ascii("-1.7976931348623157e+308"));
});

Deno.test("encode() writes bigints with the smallest type and H beyond int64", () => {
  strictEqual(hex(0n), "6900");
  strictEqual(hex(-129n), "49ff7f");
  strictEqual(hex(2147483647n), "6c7fffffff");
  strictEqual(hex(2147483648n), "4c0000000080000000");
  strictEqual(hex(2n ** 63n - 1n), "4c7fffffffffffffff");
  strictEqual(hex(-(2n ** 63n)), "4c8000000000000000");
  strictEqual(hex(2n ** 63n), "486913" + ascii("9223372036854775808"));
  strictEqual(hex(-(2n ** 63n) - 1n), "486914" + ascii("-9223372036854775809"));
  strictEqual(hex(10n ** 30n), "48691f" + ascii("1" + "0".repeat(30)));
});

Deno.test("encode() writes non-integers as D, or d when float32 is exact and asked", () => {
  strictEqual(hex(1.5), "443ff8000000000000");
  strictEqual(hex(-0.1), "44bfb999999999999a");
  strictEqual(hex(Number.MIN_VALUE), "440000000000000001");
  strictEqual(hex(Number.EPSILON), "443cb0000000000000");
  strictEqual(hex(1.5, { float32: true }), "643fc00000");
  strictEqual(hex(-0.1, { float32: true }), "44bfb999999999999a"); // not exact in float32
  strictEqual(hex(2 ** -149, { float32: true }), "6400000001"); // smallest float32 subnormal
  strictEqual(hex(2 ** -150, { float32: true }), "443690000000000000"); // below float32
  strictEqual(hex(3.4028234663852886e38 / 2 ** 120, { float32: true }), "64437fffff");
  strictEqual(hex(16777217.5, { float32: true }), "44417000001800000" + "0");
  strictEqual(hex(NaN, { float32: true }), "5a");
});

Deno.test("encode() writes strings as S with the smallest length type", () => {
  strictEqual(hex(""), "536900");
  strictEqual(hex("a"), "53690161");
  strictEqual(hex("é"), "536902c3a9");
  strictEqual(hex("€"), "536903e282ac");
  strictEqual(hex("😀"), "536904f09f9880");
  strictEqual(hex("\ud800"), "536903efbfbd"); // lone surrogate, as TextEncoder
  strictEqual(hex("\ufeffa"), "536904efbbbf61"); // a BOM is data
  const lengths: [number, string][] = [
    [63, "693f"],
    [64, "6940"], // first length on the native encodeInto path
    [127, "697f"],
    [128, "5580"],
    [255, "55ff"],
    [256, "490100"],
    [32767, "497fff"],
    [32768, "6c00008000"],
  ];
  for (const [n, header] of lengths) {
    const text = "x".repeat(n);
    strictEqual(hex(text), "53" + header + ascii(text), `${n} ASCII chars`);
  }
  // Non-ASCII long strings: the reserved header shrinks to the real length.
  for (const n of [43, 64, 86, 127, 128, 16384, 16385]) {
    const text = "é".repeat(n);
    const expected = encode(text);
    const body = new TextEncoder().encode(text);
    strictEqual(expected.subarray(expected.length - body.length).toHex(), body.toHex());
    strictEqual(
      expected.length - body.length,
      1 + (body.length <= 255 ? 2 : body.length <= 32767 ? 3 : 5),
    );
  }
  strictEqual(hex("a😀".repeat(40)).slice(0, 6), "5355c8");
});

Deno.test("encode() writes C for one ASCII character only when asked", () => {
  strictEqual(hex("a", { char: true }), "4361");
  strictEqual(hex("\x7f", { char: true }), "437f");
  strictEqual(hex("é", { char: true }), "536902c3a9");
  strictEqual(hex("ab", { char: true }), "53690261" + "62");
  strictEqual(hex("a"), "53690161");
});

Deno.test("encode() writes containers with keys that have no S marker", () => {
  strictEqual(hex([]), "5b5d");
  strictEqual(hex({}), "7b7d");
  strictEqual(hex({ a: 1 }), "7b6901616901" + "7d");
  strictEqual(hex([1, [2], { b: null }]), "5b69015b69025d7b6901625a7d5d");
  strictEqual(hex({ ["k".repeat(200)]: true }), "7b55c8" + ascii("k".repeat(200)) + "547d");
});

Deno.test("encode() follows JSON.stringify for undefined, functions, toJSON and wrappers", () => {
  strictEqual(hex([undefined, () => 1, Symbol("s")]), "5b5a5a5a5d");
  strictEqual(hex({ a: undefined, b: () => 1, c: Symbol("s"), d: 1 }), "7b6901646901" + "7d");
  const date = new Date(0);
  strictEqual(hex(date), hex("1970-01-01T00:00:00.000Z"));
  strictEqual(hex({ toJSON: (key: string) => `key:${key}` }), hex("key:"));
  strictEqual(
    hex([new Number(5), new String("s"), new Boolean(false), Object(5n)]),
    "5b690553690173465b".slice(0, 0) + "5b6905536901734669055d",
  );
});

Deno.test("encode() applies the replacer like JSON.stringify", () => {
  const seen: string[] = [];
  const bytes = encode({ a: 1, b: [2, 3] }, {
    replacer(key, value) {
      seen.push(key);
      return typeof value === "number" ? value * 10 : value;
    },
  });
  deepStrictEqual(seen, ["", "a", "b", "0", "1"]);
  strictEqual(bytes.toHex(), encode({ a: 10, b: [20, 30] }).toHex());
  strictEqual(
    hex({ a: 1, b: 2 }, { replacer: (k: string, v: unknown) => k === "a" ? undefined : v }),
    "7b6901626902" + "7d",
  );
});

Deno.test("encode() writes typed arrays as strongly typed containers", () => {
  strictEqual(hex(new Uint8Array([1, 2])), "5b2455236902" + "0102");
  strictEqual(hex(new Uint8ClampedArray([255])), "5b2455236901" + "ff");
  strictEqual(hex(new Int8Array([-1, 2])), "5b2469236902" + "ff02");
  strictEqual(hex(new Int16Array([1, -2])), "5b2449236902" + "0001fffe");
  strictEqual(hex(new Int32Array([1, -2])), "5b246c236902" + "00000001fffffffe");
  strictEqual(hex(new Uint16Array([65535])), "5b246c236901" + "0000ffff");
  strictEqual(hex(new Uint32Array([4294967295])), "5b244c236901" + "00000000ffffffff");
  strictEqual(
    hex(new BigInt64Array([-1n, 2n])),
    "5b244c236902" + "ffffffffffffffff" + "0000000000000002",
  );
  strictEqual(hex(new Float32Array([1.5])), "5b2464236901" + "3fc00000");
  strictEqual(
    hex(new Float64Array([1.5, NaN])),
    "5b2444236902" + "3ff8000000000000" + "7ff8000000000000",
  );
  strictEqual(
    hex(new BigUint64Array([2n ** 64n - 1n])),
    "5b486914" + ascii("18446744073709551615") + "5d",
  );
  strictEqual(hex(new Uint8Array(0)), "5b2455236900");
  strictEqual(hex(new Uint8Array(200)).slice(0, 12), "5b24552355c8");
  strictEqual(hex(new Uint8Array(300)).slice(0, 14), "5b2455234901" + "2c");
  strictEqual(hex(new Uint8Array([7, 8]).buffer), "5b2455236902" + "0708");
  strictEqual(hex(new DataView(new Uint8Array([1, 2, 3]).buffer, 1)), "5b2455236902" + "0203");
  // A view into a larger buffer encodes only its own elements.
  strictEqual(
    hex(new Int16Array(new Int16Array([9, 1, 2, 9]).buffer, 2, 2)),
    "5b2449236902" + "00010002",
  );
});

Deno.test("encode() rejects values that are not JSON values", () => {
  throws(() => encode(undefined), TypeError);
  throws(() => encode(Symbol("x")), TypeError);
  throws(() => encode(() => 1), TypeError);
  throws(() => encode(new Map()), TypeError);
  throws(() => encode({ s: new Set() }), TypeError);
});

Deno.test("encode() reports circular structures and excessive depth as RangeError", () => {
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  throws(() => encode(cycle), RangeError);
  let deep: unknown = 1;
  for (let i = 0; i < 10; i++) deep = [deep];
  throws(() => encode(deep, { maxDepth: 9 }), RangeError);
  strictEqual(encode(deep, { maxDepth: 10 }).length, 22);
});

Deno.test("encode() grows past sizeHint and can be re-entered from toJSON", () => {
  const big = "y".repeat(100_000);
  const bytes = encode({ big }, { sizeHint: 1 });
  strictEqual(bytes.length, 1 + 2 + 3 + 1 + 5 + 100_000 + 1);
  const inner = { toJSON: () => encode([1]).toHex() };
  strictEqual(hex({ inner }), encode({ inner: "5b69015d" }).toHex());
  throws(() => encode(1, { sizeHint: -1 }), RangeError);
});

Deno.test("encode() reproduces the ubjson.org Draft 12 examples", () => {
  // Value types page: "[i][3][lat][d]..." style examples, written out as bytes.
  strictEqual(
    hex({ lat: 29.976, long: 31.131, alt: 67 }, { float32: false }),
    "7b" + "6903" + ascii("lat") + "44" +
      new Uint8Array(new Float64Array([29.976]).buffer).reverse().toHex() +
      "6904" + ascii("long") + "44" +
      new Uint8Array(new Float64Array([31.131]).buffer).reverse().toHex() +
      "6903" + ascii("alt") + "6943" + "7d",
  );
  // [S][i][5][hello]
  strictEqual(hex("hello"), "536905" + ascii("hello"));
  // [C][a]
  strictEqual(hex("a", { char: true }), "4361");
  // [[][$][d][#][i][3][1.5][2.5][3.5]: a typed float32 array
  strictEqual(
    hex(new Float32Array([1.5, 2.5, 3.5])),
    "5b2464236903" + "3fc00000" + "40200000" + "40600000",
  );
});
