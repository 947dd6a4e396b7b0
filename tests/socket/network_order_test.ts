import { fn2h, h2n, hf2n, n2h } from "@cosocket/socket/network-order";
import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";

Deno.test("n2h() reads unsigned big-endian integers of 1 to 6 bytes as numbers", () => {
  const data = Uint8Array.fromHex("0102030405060708");
  strictEqual(n2h(1, data), 0x01);
  strictEqual(n2h(2, data), 0x0102);
  strictEqual(n2h(3, data), 0x010203);
  strictEqual(n2h(4, data), 0x01020304);
  strictEqual(n2h(5, data), 0x0102030405);
  strictEqual(n2h(6, data), 0x010203040506);
  strictEqual(n2h(2, data, 6), 0x0708);
  strictEqual(n2h(4, Uint8Array.fromHex("ffffffff")), 4294967295);
  strictEqual(n2h(6, Uint8Array.fromHex("ffffffffffff")), 2 ** 48 - 1);
});

Deno.test("n2h() returns bigints for 7 and 8 bytes", () => {
  strictEqual(n2h(7, Uint8Array.fromHex("01020304050607")), 0x01020304050607n);
  strictEqual(n2h(8, Uint8Array.fromHex("0102030405060708")), 0x0102030405060708n);
  strictEqual(n2h(8, Uint8Array.fromHex("ffffffffffffffff")), 2n ** 64n - 1n);
  strictEqual(n2h(8, Uint8Array.fromHex("ffffffffffffffff"), 0, { signed: true }), -1n);
  strictEqual(n2h(7, Uint8Array.fromHex("80000000000000"), 0, { signed: true }), -(2n ** 55n));
  strictEqual(typeof n2h(8, new Uint8Array(8)), "bigint");
});

Deno.test("n2h() reads two's complement when signed", () => {
  const cases: [number, string, number][] = [
    [1, "ff", -1],
    [1, "80", -128],
    [1, "7f", 127],
    [2, "fffe", -2],
    [2, "8000", -32768],
    [3, "800000", -(2 ** 23)],
    [4, "80000000", -(2 ** 31)],
    [4, "7fffffff", 2 ** 31 - 1],
    [5, "ffffffffff", -1],
    [6, "800000000000", -(2 ** 47)],
  ];
  for (const [size, hex, expected] of cases) {
    strictEqual(n2h(size, Uint8Array.fromHex(hex), 0, { signed: true }), expected, hex);
  }
});

Deno.test("h2n() writes two's complement big-endian bytes for sizes 1 to 8", () => {
  const cases: [number, number | bigint, string][] = [
    [1, 0, "00"],
    [1, 255, "ff"],
    [1, -1, "ff"],
    [1, -128, "80"],
    [2, 258, "0102"],
    [2, -2, "fffe"],
    [3, 0x010203, "010203"],
    [4, 0xfffffffe, "fffffffe"],
    [4, -(2 ** 31), "80000000"],
    [5, 2 ** 40 - 1, "ffffffffff"],
    [6, -(2 ** 47), "800000000000"],
    [6, 2 ** 48 - 1, "ffffffffffff"],
    [7, 2 ** 53 - 1, "1fffffffffffff"],
    [8, 2 ** 53, "0020000000000000"],
    [8, -1, "ffffffffffffffff"],
    [8, 2n ** 64n - 1n, "ffffffffffffffff"],
    [8, -(2n ** 63n), "8000000000000000"],
    [8, 1n, "0000000000000001"],
    [2, 258n, "0102"],
  ];
  for (const [size, value, hex] of cases) {
    strictEqual(h2n(size, value).toHex(), hex, `${size} ${value}`);
  }
});

Deno.test("h2n() and n2h() round-trip at every size, signed and unsigned", () => {
  for (let size = 1; size <= 8; size++) {
    const bits = BigInt(8 * size);
    const unsigned = [
      0n,
      1n,
      0x5an,
      (1n << (bits - 1n)) - 1n,
      1n << (bits - 1n),
      (1n << bits) - 1n,
    ];
    for (const value of unsigned) {
      strictEqual(BigInt(n2h(size, h2n(size, value))), value, `${size} ${value}`);
    }
    const signed = [-(1n << (bits - 1n)), -1n, 0n, 1n, (1n << (bits - 1n)) - 1n];
    for (const value of signed) {
      const read = n2h(size, h2n(size, value), 0, { signed: true });
      strictEqual(BigInt(read), value, `${size} ${value}`);
      // Numbers and bigints write the same bytes.
      if (size <= 6) strictEqual(h2n(size, Number(value)).toHex(), h2n(size, value).toHex());
    }
  }
});

Deno.test("h2n() writes into a target at an offset", () => {
  const target = new Uint8Array(6);
  const written = h2n(4, 0x01020304, { target, offset: 1 });
  strictEqual(target.toHex(), "000102030400");
  strictEqual(written.buffer, target.buffer);
  strictEqual(written.length, 4);
  throws(() => h2n(4, 1, { target, offset: 3 }), RangeError);
});

Deno.test("h2n() rejects bad sizes, out-of-range values and non-integers", () => {
  throws(() => h2n(0, 1), RangeError);
  throws(() => h2n(9, 1), RangeError);
  throws(() => h2n(2.5, 1), RangeError);
  throws(() => h2n(1, 256), RangeError);
  throws(() => h2n(1, -129), RangeError);
  throws(() => h2n(2, 65536), RangeError);
  throws(() => h2n(6, 2 ** 48), RangeError);
  throws(() => h2n(8, 2n ** 64n), RangeError);
  throws(() => h2n(8, -(2n ** 63n) - 1n), RangeError);
  throws(() => h2n(8, 2 ** 64), RangeError);
  throws(() => h2n(4, 1.5), RangeError);
  throws(() => h2n(4, NaN), RangeError);
  throws(() => h2n(4, "1" as unknown as number), TypeError);
});

Deno.test("n2h() rejects bad sizes and reads past the end", () => {
  const data = new Uint8Array(4);
  throws(() => n2h(0, data), RangeError);
  throws(() => n2h(9, data), RangeError);
  throws(() => n2h(4, data, 1), RangeError);
  throws(() => n2h(2, data, -1), RangeError);
  throws(() => n2h(2, data, 1.5), RangeError);
  throws(() => n2h(8, data), RangeError);
});

Deno.test("hf2n() and fn2h() convert float32 and float64 in network order", () => {
  strictEqual(hf2n(8, Math.PI).toHex(), "400921fb54442d18");
  strictEqual(hf2n(4, 1.5).toHex(), "3fc00000");
  strictEqual(hf2n(4, 0.1).toHex(), "3dcccccd"); // rounded to float32
  strictEqual(hf2n(8, -0).toHex(), "8000000000000000");
  strictEqual(fn2h(8, Uint8Array.fromHex("400921fb54442d18")), Math.PI);
  strictEqual(fn2h(4, Uint8Array.fromHex("3dcccccd")), Math.fround(0.1));
  strictEqual(fn2h(4, Uint8Array.fromHex("00003fc00000"), 2), 1.5);
  strictEqual(Number.isNaN(fn2h(8, hf2n(8, NaN))), true);
  strictEqual(fn2h(4, hf2n(4, Infinity)), Infinity);
  const target = new Uint8Array(10);
  hf2n(8, 2.5, { target, offset: 2 });
  strictEqual(fn2h(8, target, 2), 2.5);
  for (const size of [0, 1, 2, 3, 5, 16]) {
    throws(() => hf2n(size as 4, 1), RangeError);
    throws(() => fn2h(size as 4, new Uint8Array(16)), RangeError);
  }
  throws(() => fn2h(8, new Uint8Array(7)), RangeError);
  throws(() => hf2n(4, "1" as unknown as number), TypeError);
});

Deno.test("n2h() reads a view at its own offset, not the buffer's", () => {
  const buffer = Uint8Array.fromHex("ff0102ff");
  const view = buffer.subarray(1, 3);
  strictEqual(n2h(2, view), 0x0102);
  strictEqual(fn2h(4, Uint8Array.fromHex("003fc00000").subarray(1)), 1.5);
  deepStrictEqual(h2n(2, 1, { target: view }), new Uint8Array([0, 1]));
  strictEqual(buffer.toHex(), "ff0001ff");
});
