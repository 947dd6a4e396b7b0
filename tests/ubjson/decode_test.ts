import { decode, type DecodeOptions, encode } from "@cosocket/ubjson";
import { deepStrictEqual, match, strictEqual, throws } from "node:assert/strict";
import { bytes } from "./_helpers.ts";

function dec(hexText: string, options?: DecodeOptions): unknown {
  return decode(Uint8Array.fromHex(hexText), options);
}

function syntaxError(input: Uint8Array | string, at: number | null, options?: DecodeOptions): void {
  const data = typeof input === "string" ? Uint8Array.fromHex(input) : input;
  throws(() => decode(data, options), (error: unknown) => {
    strictEqual((error as Error).constructor, SyntaxError, String(error));
    if (at !== null) match((error as Error).message, new RegExp(`at byte ${at}:`));
    return true;
  });
}

Deno.test("decode() reads every value marker", () => {
  strictEqual(dec("5a"), null);
  strictEqual(dec("54"), true);
  strictEqual(dec("46"), false);
  strictEqual(dec("69ff"), -1);
  strictEqual(dec("55ff"), 255);
  strictEqual(dec("498000"), -32768);
  strictEqual(dec("6c80000000"), -2147483648);
  strictEqual(dec("4c001fffffffffffff"), Number.MAX_SAFE_INTEGER);
  strictEqual(dec("643fc00000"), 1.5);
  strictEqual(dec("443ff8000000000000"), 1.5);
  strictEqual(dec("4361"), "a");
  strictEqual(dec("536902c3a9"), "é");
  strictEqual(dec("536900"), "");
  strictEqual(dec("486903" + "312e35"), 1.5);
  deepStrictEqual(dec("5b5d"), []);
  deepStrictEqual(dec("7b7d"), {});
});

Deno.test("decode() skips N no-ops wherever a value or key may start", () => {
  strictEqual(dec("4e4e6905"), 5);
  strictEqual(dec("69054e4e"), 5); // trailing no-ops
  deepStrictEqual(decode(bytes("[Ni", [1], "NNi", [2], "N]")), [1, 2]);
  deepStrictEqual(decode(bytes("{Ni", [1], "aNi", [1], "N}")), { a: 1 });
  deepStrictEqual(decode(bytes("[#i", [2], "Ni", [1], "NT")), [1, true]);
  throws(() => dec("4e4e"), SyntaxError);
});

Deno.test("decode() reads optimized containers", () => {
  // [#] count only: no end marker.
  deepStrictEqual(decode(bytes("[#i", [3], "i", [1], "Si", [1], "aZ")), [1, "a", null]);
  deepStrictEqual(decode(bytes("[[#i", [1], "i", [5], "]")), [[5]]);
  deepStrictEqual(decode(bytes("{#i", [2], "i", [1], "aT", "i", [1], "bF")), { a: true, b: false });
  // [$][#] strongly typed.
  deepStrictEqual(decode(bytes("[$i#i", [3], [1, 0xff, 3])), [1, -1, 3]);
  deepStrictEqual(decode(bytes("[$U#i", [2], [200, 201])), [200, 201]);
  deepStrictEqual(decode(bytes("[$I#i", [2], [0, 1, 0xff, 0xfe])), [1, -2]);
  deepStrictEqual(decode(bytes("[$l#i", [1], [0xff, 0xff, 0xff, 0xfe])), [-2]);
  deepStrictEqual(decode(bytes("[$L#i", [1], [0, 0, 0, 0, 0, 0, 0, 9])), [9]);
  deepStrictEqual(decode(bytes("[$d#i", [1], [0x3f, 0xc0, 0, 0])), [1.5]);
  deepStrictEqual(decode(bytes("[$D#i", [1], [0x3f, 0xf8, 0, 0, 0, 0, 0, 0])), [1.5]);
  deepStrictEqual(decode(bytes("[$C#i", [2], "ab")), ["a", "b"]);
  deepStrictEqual(decode(bytes("[$S#i", [2], "i", [1], "ai", [0])), ["a", ""]);
  deepStrictEqual(decode(bytes("[$H#i", [1], "i", [2], "10")), [10]);
  // Typed Z/T/F containers have no body at all.
  deepStrictEqual(decode(bytes("[$Z#i", [3])), [null, null, null]);
  deepStrictEqual(decode(bytes("[$T#i", [2])), [true, true]);
  deepStrictEqual(decode(bytes("[$F#i", [1])), [false]);
  deepStrictEqual(decode(bytes("{$Z#i", [2], "i", [1], "ai", [1], "b")), { a: null, b: null });
  deepStrictEqual(decode(bytes("{$i#i", [2], "i", [1], "a", [1], "i", [1], "b", [2])), {
    a: 1,
    b: 2,
  });
  // Nested typed containers: the inner containers have no leading marker.
  deepStrictEqual(
    decode(bytes("[$[#i", [2], "$i#i", [2], [1, 2], "#i", [1], "T")),
    [[1, 2], [true]],
  );
  deepStrictEqual(decode(bytes("[${#i", [1], "$U#i", [1], "i", [1], "x", [7])), [{ x: 7 }]);
  deepStrictEqual(decode(bytes("[$[#i", [1], "]")), [[]]);
});

Deno.test("decode() returns typed arrays for strongly typed numeric containers when asked", () => {
  const options = { typedArrays: true };
  deepStrictEqual(decode(bytes("[$U#i", [2], [1, 2]), options), new Uint8Array([1, 2]));
  deepStrictEqual(decode(bytes("[$i#i", [1], [0xff]), options), new Int8Array([-1]));
  deepStrictEqual(decode(bytes("[$I#i", [1], [0xff, 0xfe]), options), new Int16Array([-2]));
  deepStrictEqual(decode(bytes("[$l#i", [1], [0, 0, 1, 0]), options), new Int32Array([256]));
  deepStrictEqual(
    decode(bytes("[$L#i", [1], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), options),
    new BigInt64Array([-1n]),
  );
  deepStrictEqual(
    decode(bytes("[$d#i", [1], [0x3f, 0xc0, 0, 0]), options),
    new Float32Array([1.5]),
  );
  deepStrictEqual(
    decode(bytes("[$D#i", [1], [0x3f, 0xf8, 0, 0, 0, 0, 0, 0]), options),
    new Float64Array([1.5]),
  );
  // The decoded typed array owns its memory.
  const input = bytes("[$U#i", [2], [1, 2]);
  const out = decode(input, options) as Uint8Array;
  input[5] = 9;
  strictEqual(out[0], 1);
  for (
    const value of [
      new Uint8Array([1, 2, 3]),
      new Int8Array([-5]),
      new Int16Array([300, -300]),
      new Int32Array([1 << 30]),
      new BigInt64Array([2n ** 62n]),
      new Float32Array([0.25]),
      new Float64Array([Math.PI, -0]),
    ]
  ) {
    deepStrictEqual(decode(encode(value), options), value);
  }
});

Deno.test("decode() handles int64 values as numbers, bigints or errors", () => {
  const safe = "4c001fffffffffffff";
  const unsafe = "4c0020000000000000";
  const negative = "4cffe0000000000001";
  strictEqual(dec(safe), 2 ** 53 - 1);
  strictEqual(dec(negative), -(2 ** 53) + 1);
  strictEqual(dec(unsafe), 2n ** 53n);
  strictEqual(dec("4cffe0000000000000"), -(2n ** 53n));
  strictEqual(dec(safe, { int64: "bigint" }), 2n ** 53n - 1n);
  strictEqual(dec("4c0000000000000005", { int64: "bigint" }), 5n);
  strictEqual(dec(safe, { int64: "error" }), 2 ** 53 - 1);
  throws(() => dec(unsafe, { int64: "error" }), RangeError);
  deepStrictEqual(
    decode(bytes("[$L#i", [2], [0, 0, 0, 0, 0, 0, 0, 1], [0x80, 0, 0, 0, 0, 0, 0, 0])),
    [1, -(2n ** 63n)],
  );
});

Deno.test("decode() validates H text and returns it as number, string or error", () => {
  const h = (text: string) => bytes("Hi", [text.length], text);
  strictEqual(decode(h("1.5e3")), 1500);
  strictEqual(decode(h("-0.25")), -0.25);
  strictEqual(decode(h("9223372036854775808"), { highPrecision: "string" }), "9223372036854775808");
  throws(() => decode(h("1"), { highPrecision: "error" }), RangeError);
  for (
    const bad of ["", "+1", "01", "1.", ".5", "1e", "0x10", "NaN", "Infinity", "1 ", "--1", "1e+"]
  ) {
    syntaxError(h(bad), null);
  }
  syntaxError(bytes("Hi", [2], [0x31, 0xb9]), 4);
});

Deno.test("decode() rejects C above 127 and invalid UTF-8", () => {
  syntaxError("4380", 1);
  syntaxError("43ff", 1);
  syntaxError("536902c328", 3);
  syntaxError(bytes("Si", [30], "x".repeat(29), [0xff]), 3);
  strictEqual(dec("536906efbbbf" + "616263"), "\ufeffabc"); // a BOM is kept
});

Deno.test("decode() names the byte offset of malformed and truncated input", () => {
  syntaxError("", 0);
  syntaxError("69", 1);
  syntaxError("49ff", 2);
  syntaxError("6cffffff", 4);
  syntaxError("4c00", 2);
  syntaxError("64000000", 4);
  syntaxError("4400", 2);
  syntaxError("5369", 2);
  syntaxError("536905616263", 1);
  syntaxError("5b", 1);
  syntaxError("5b6901", 3);
  syntaxError("7b", 1);
  syntaxError("7b690161", 4);
  syntaxError("7b6901616901", 6);
  syntaxError("78", 0); // unknown marker
  syntaxError("5b7d", 1); // '}' inside an array
  syntaxError("7b5d", 1); // ']' is not a key length
  syntaxError("7b5369016169017d", 1); // keys have no S marker
  syntaxError("69016902", 2); // trailing data
  syntaxError("5d", 0);
  syntaxError(bytes("[$"), 2);
  syntaxError(bytes("[$N#i", [1]), 2); // N is not an element type
  syntaxError(bytes("[$$#i", [1]), 2);
  syntaxError(bytes("[$]#i", [1]), 2);
  syntaxError(bytes("[$i", [1, 2]), 3); // $ without #
  syntaxError(bytes("[#d", [0, 0, 0, 0]), 2); // count must be an integer
  syntaxError(bytes("[#i", [0xff]), 2); // negative count
  syntaxError(bytes("Si", [0xfb]), 1); // negative length
  syntaxError(bytes("[#L", [0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), 2);
});

Deno.test("decode() rejects counts larger than the bytes left before allocating", () => {
  // Each of these would ask for gigabytes if the count were trusted.
  syntaxError(bytes("[$D#l", [0x7f, 0xff, 0xff, 0xff]), 0);
  syntaxError(bytes("[$U#l", [0x7f, 0xff, 0xff, 0xff], [1, 2, 3]), 0);
  syntaxError(bytes("[#l", [0x7f, 0xff, 0xff, 0xff], "ZZ"), 0);
  syntaxError(bytes("{#l", [0x7f, 0xff, 0xff, 0xff], "i", [1], "aZ"), 0);
  syntaxError(bytes("[$S#L", [0, 0, 0, 1, 0, 0, 0, 0]), 0);
  syntaxError(bytes("Sl", [0x7f, 0xff, 0xff, 0xff], "abc"), 1);
  syntaxError(bytes("Hl", [0x7f, 0xff, 0xff, 0xff], "1"), 6);
  // The exact size still works.
  deepStrictEqual(decode(bytes("[$I#i", [2], [0, 1, 0, 2])), [1, 2]);
  syntaxError(bytes("[$I#i", [2], [0, 1, 0]), 0);
});

Deno.test("decode() bounds bodiless Z/T/F containers with maxBodilessElements", () => {
  throws(() => decode(bytes("[$Z#l", [0x7f, 0xff, 0xff, 0xff])), RangeError);
  strictEqual((decode(bytes("[$T#l", [0, 0x10, 0, 0])) as unknown[]).length, 1048576);
  throws(
    () => decode(bytes("[[$Z#i", [3], "[$Z#i", [3], "]"), { maxBodilessElements: 5 }),
    RangeError,
  );
  deepStrictEqual(decode(bytes("[[$Z#i", [2], "[$Z#i", [3], "]"), { maxBodilessElements: 5 }), [[
    null,
    null,
  ], [null, null, null]]);
});

Deno.test("decode() enforces maxDepth (the seed's stacksize)", () => {
  const nested = (n: number) => bytes("[".repeat(n), "]".repeat(n));
  strictEqual(decode(nested(512)) !== undefined, true);
  throws(() => decode(nested(513)), RangeError);
  throws(() => decode(nested(3), { maxDepth: 2 }), RangeError);
  throws(() => decode(bytes("[{i", [1], "a[]}]"), { maxDepth: 2 }), RangeError);
  deepStrictEqual(decode(bytes("[{i", [1], "a[]}]"), { maxDepth: 3 }), [{ a: [] }]);
  throws(() => decode(bytes("[$[#i", [1], "#i", [0]), { maxDepth: 1 }), RangeError);
  strictEqual(decode(bytes("i", [1]), { maxDepth: 0 }), 1);
  throws(() => decode(bytes("[]"), { maxDepth: 0 }), RangeError);
  // A deep document fails cleanly instead of overflowing the stack.
  throws(() => decode(nested(200_000)), RangeError);
});

Deno.test("decode() enforces maxKeyLength (the seed's namelen)", () => {
  const doc = bytes("{i", [5], "abcdeT}");
  deepStrictEqual(decode(doc, { maxKeyLength: 5 }), { abcde: true });
  throws(() => decode(doc, { maxKeyLength: 4 }), RangeError);
  deepStrictEqual(decode(bytes("{i", [0], "T}"), { maxKeyLength: 0 }), { "": true });
  const long = encode({ ["k".repeat(70_000)]: 1 });
  throws(() => decode(long), RangeError);
  strictEqual(Object.keys(decode(long, { maxKeyLength: 70_000 }) as object)[0]!.length, 70_000);
});

Deno.test("decode() supports the seed's offset and the seed's example", () => {
  const data = bytes([1, 2, 3, 4, 5], encode(["Hello World"]));
  strictEqual(
    JSON.stringify(decode(data, { maxDepth: 1, maxKeyLength: 0, offset: 5 })),
    '["Hello World"]',
  );
  throws(() => decode(data, { offset: 99 }), RangeError);
  throws(() => decode(data, { offset: -1 }), RangeError);
  syntaxError(data, data.length, { offset: data.length });
});

Deno.test("decode() allows trailing bytes only when asked", () => {
  syntaxError("6901ff", 2);
  strictEqual(dec("6901ff", { allowTrailing: true }), 1);
});

Deno.test("decode() never lets __proto__ keys change a prototype", () => {
  const doc = bytes("{i", [9], "__proto__{i", [8], "polluted", "T}i", [1], "aT}");
  const value = decode(doc) as Record<string, unknown>;
  strictEqual(Object.getPrototypeOf(value), Object.prototype);
  deepStrictEqual(Object.keys(value), ["__proto__", "a"]);
  deepStrictEqual(Object.getOwnPropertyDescriptor(value, "__proto__")?.value, { polluted: true });
  strictEqual(({} as Record<string, unknown>).polluted, undefined);
  strictEqual((value as { polluted?: unknown }).polluted, undefined);
  // The same object as JSON.parse builds.
  deepStrictEqual(value, JSON.parse('{"__proto__":{"polluted":true},"a":true}'));
  const typed = decode(bytes("{$T#i", [1], "i", [9], "__proto__")) as Record<string, unknown>;
  strictEqual(Object.getPrototypeOf(typed), Object.prototype);
  strictEqual(Object.hasOwn(typed, "__proto__"), true);
});

Deno.test("decode() accepts any ArrayBufferView or ArrayBuffer", () => {
  const data = encode({ a: [1, 2] });
  const padded = new Uint8Array(data.length + 4);
  padded.set(data, 2);
  deepStrictEqual(decode(data.buffer), { a: [1, 2] });
  deepStrictEqual(decode(new DataView(padded.buffer, 2, data.length)), { a: [1, 2] });
  deepStrictEqual(decode(padded.subarray(2, 2 + data.length)), { a: [1, 2] });
  throws(() => decode("5a" as unknown as Uint8Array), TypeError);
});

Deno.test("decode() returns the right string when cached strings collide", () => {
  // Same length, first, middle and last byte: these share a cache slot.
  const words: string[] = [];
  for (const fill of ["x", "y"]) {
    for (let n = 1; n <= 64; n++) {
      for (const at of [1, n - 2, n >> 2]) {
        if (at <= 0 || at >= n - 1 || at === n >> 1) continue;
        const chars = Array.from({ length: n }, () => "a");
        chars[at] = fill;
        words.push(chars.join(""));
      }
    }
  }
  const doc = { words, again: words, keys: Object.fromEntries(words.map((w, i) => [w, i])) };
  for (let run = 0; run < 3; run++) deepStrictEqual(decode(encode(doc)), doc);
});
