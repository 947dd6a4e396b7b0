// The incremental UTF-8 validator against the Autobahn 6.x cases (reconstructed from the
// suite's case list and Markus Kuhn's decoder stress test), fail-fast positions, every
// split of a text into 2 and 3 pieces, and a bounded fuzz against TextDecoder (fatal).
import { equal, ok } from "node:assert/strict";
import { isValidUtf8, Utf8Validator } from "../../websocket/_utf8.ts";
import { prng } from "../socket/_helpers.ts";

const fatal = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

function hex(text: string): Uint8Array {
  return Uint8Array.fromHex(text.replace(/\s+/g, ""));
}

const lenient = new TextDecoder("utf-8", { ignoreBOM: true });

/**
 * The reference: complete, valid UTF-8 according to the platform decoder. A decode that
 * replaced nothing re-encodes to the same bytes; comparing them avoids an exception per
 * invalid input, which would make the fuzz slow. The cases are also checked with the
 * fatal decoder.
 */
function reference(bytes: Uint8Array): boolean {
  const again = encoder.encode(lenient.decode(bytes));
  if (again.length !== bytes.length) return false;
  for (let index = 0; index < again.length; index++) {
    if (again[index] !== bytes[index]) return false;
  }
  return true;
}

function fatalReference(bytes: Uint8Array): boolean {
  try {
    fatal.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * Continuation bytes that stand for every range the decoder distinguishes: after E0 only
 * A0..BF may follow, after ED only 80..9F, after F0 only 90..BF, after F4 only 80..8F, and
 * 80..BF everywhere else, so one of these repeated completes any valid prefix.
 */
const REPRESENTATIVES = [0x80, 0x90, 0xa0];

/** The reference for prefixes: can `bytes` be completed into valid UTF-8? */
function validPrefix(bytes: Uint8Array): boolean {
  if (reference(bytes)) return true;
  for (let length = 1; length <= 3; length++) {
    for (const byte of REPRESENTATIVES) {
      const candidate = new Uint8Array(bytes.length + length).fill(byte);
      candidate.set(bytes);
      if (reference(candidate)) return true;
    }
  }
  return false;
}

/**
 * The index of the first byte after which the input can no longer be valid, or -1.
 * Prefix validity is monotone (a longer prefix of an impossible one stays impossible),
 * so a binary search finds the first impossible prefix.
 */
function referenceFailure(bytes: Uint8Array): number {
  if (validPrefix(bytes)) return -1;
  let low = 0; // bytes[0, low) is a valid prefix
  let high = bytes.length; // bytes[0, high) is not
  while (high - low > 1) {
    const middle = (low + high) >>> 1;
    if (validPrefix(bytes.subarray(0, middle))) low = middle;
    else high = middle;
  }
  return high - 1;
}

/** Feeds byte by byte and returns the index of the first `false`, or -1. */
function failureByteByByte(bytes: Uint8Array): number {
  const validator = new Utf8Validator();
  for (let index = 0; index < bytes.length; index++) {
    if (!validator.push(bytes, index, index + 1)) return index;
  }
  return -1;
}

/** Checks one case every way: one shot, whole push, byte by byte against the reference. */
function check(bytes: Uint8Array, valid: boolean, label: string): void {
  equal(reference(bytes), valid, `${label}: the reference disagrees with the case table`);
  equal(fatalReference(bytes), valid, `${label}: the fatal decoder disagrees with the case table`);
  equal(isValidUtf8(bytes), valid, `${label}: isValidUtf8`);
  const validator = new Utf8Validator();
  equal(validator.push(bytes) && validator.finish(), valid, `${label}: push + finish`);
  equal(failureByteByByte(bytes), referenceFailure(bytes), `${label}: fail-fast position`);
}

// ------------------------------------------------------------- Autobahn 6.x

const VALID: Record<string, string> = {
  "6.1.1 empty": "",
  "6.2.1 Hello-µ@ßöäüàá-UTF-8!!": Array.from(encoder.encode("Hello-µ@ßöäüàá-UTF-8!!"))
    .map((byte) => byte.toString(16).padStart(2, "0")).join(""),
  "6.3.1 kosme": "cebae1bdb9cf83cebcceb5",
  "6.7.1 first 1-byte": "00",
  "6.7.2 first 2-byte": "c280",
  "6.7.3 first 3-byte": "e0a080",
  "6.7.4 first 4-byte": "f0908080",
  "6.9.1 last 1-byte": "7f",
  "6.9.2 last 2-byte": "dfbf",
  "6.9.3 last 3-byte": "efbfbf",
  "6.9.4 last 4-byte U+10FFFF": "f48fbfbf",
  "6.11.1 U+D7FF": "ed9fbf",
  "6.11.2 U+E000": "ee8080",
  "6.11.3 U+FFFD": "efbfbd",
  "6.11.4 U+10FFFF": "f48fbfbf",
  "6.23.1 U+FFFD": "efbfbd",
  "6.23.2 U+FFFD in text": "61efbfbd62",
  "6.23.3 U+FFFD repeated": "efbfbdefbfbdefbfbd",
  "6.23.4 BOM": "efbbbf",
};

const INVALID: Record<string, string> = {
  "6.3.2 kosme + surrogate": "cebae1bdb9cf83cebcceb5eda080656469746564",
  "6.4.1 fail fast F4 90": "cebae1bdb9cf83cebcceb5f4908080656469746564",
  "6.4.2 fail fast F4 90 (frame end)": "cebae1bdb9cf83cebcceb5f490",
  "6.4.3 fail fast F4 90 80 80 alone": "f4908080",
  "6.4.4 fail fast kosme F4 90": "cebae1bdb9cf83cebcceb5f490808065646974",
  "6.8.1 first 5-byte": "f888808080",
  "6.8.2 first 6-byte": "fc8480808080",
  "6.10.1 last 4-byte beyond range": "f7bfbfbf",
  "6.10.2 last 5-byte": "fbbfbfbfbf",
  "6.10.3 last 6-byte": "fdbfbfbfbfbf",
  "6.11.5 U+110000": "f4908080",
  "6.12.1 first continuation": "80",
  "6.12.2 last continuation": "bf",
  "6.12.3 2 continuations": "80bf",
  "6.12.4 3 continuations": "80bf80",
  "6.12.5 4 continuations": "80bf80bf",
  "6.12.6 5 continuations": "80bf80bf80",
  "6.12.7 6 continuations": "80bf80bf80bf",
  "6.12.8 7 continuations": "80bf80bf80bf80",
  "6.14.1 C0 last byte missing": "c0",
  "6.14.2 E0 80 last byte missing": "e080",
  "6.14.3 F0 80 80 last byte missing": "f08080",
  "6.14.4 F8 (5-byte) last byte missing": "f8808080",
  "6.14.5 FC (6-byte) last byte missing": "fc80808080",
  "6.14.6 DF last byte missing": "df",
  "6.14.7 EF BF last byte missing": "efbf",
  "6.14.8 F7 BF BF last byte missing": "f7bfbf",
  "6.14.9 FB last byte missing": "fbbfbfbf",
  "6.14.10 FD last byte missing": "fdbfbfbfbf",
  "6.15.1 incomplete sequences concatenated":
    "c0e080f08080f8808080fc80808080dfefbff7bfbffbbfbfbffdbfbfbfbf",
  "6.16.1 FE": "fe",
  "6.16.2 FF": "ff",
  "6.16.3 FE FE FF FF": "fefeffff",
  "6.17.1 overlong / 2-byte": "c0af",
  "6.17.2 overlong / 3-byte": "e080af",
  "6.17.3 overlong / 4-byte": "f08080af",
  "6.17.4 overlong / 5-byte": "f8808080af",
  "6.17.5 overlong / 6-byte": "fc80808080af",
  "6.18.1 max overlong 2-byte": "c1bf",
  "6.18.2 max overlong 3-byte": "e09fbf",
  "6.18.3 max overlong 4-byte": "f08fbfbf",
  "6.18.4 max overlong 5-byte": "f887bfbfbf",
  "6.18.5 max overlong 6-byte": "fc83bfbfbfbf",
  "6.19.1 overlong NUL 2-byte": "c080",
  "6.19.2 overlong NUL 3-byte": "e08080",
  "6.19.3 overlong NUL 4-byte": "f0808080",
  "6.19.4 overlong NUL 5-byte": "f880808080",
  "6.19.5 overlong NUL 6-byte": "fc8080808080",
  "6.20.1 U+D800": "eda080",
  "6.20.2 U+DB7F": "edadbf",
  "6.20.3 U+DB80": "edae80",
  "6.20.4 U+DBFF": "edafbf",
  "6.20.5 U+DC00": "edb080",
  "6.20.6 U+DF80": "edbe80",
  "6.20.7 U+DFFF": "edbfbf",
  "6.21.1 U+D800 U+DC00": "eda080edb080",
  "6.21.2 U+D800 U+DFFF": "eda080edbfbf",
  "6.21.3 U+DB7F U+DC00": "edadbfedb080",
  "6.21.4 U+DB7F U+DFFF": "edadbfedbfbf",
  "6.21.5 U+DB80 U+DC00": "edae80edb080",
  "6.21.6 U+DB80 U+DFFF": "edae80edbfbf",
  "6.21.7 U+DBFF U+DC00": "edafbfedb080",
  "6.21.8 U+DBFF U+DFFF": "edafbfedbfbf",
};

Deno.test("Utf8Validator accepts the valid Autobahn 6.x cases", () => {
  for (const [label, bytes] of Object.entries(VALID)) check(hex(bytes), true, label);
});

Deno.test("Utf8Validator rejects the invalid Autobahn 6.x cases", () => {
  for (const [label, bytes] of Object.entries(INVALID)) check(hex(bytes), false, label);
});

Deno.test("Utf8Validator rejects every lone continuation byte (6.12.9)", () => {
  const all = Uint8Array.from({ length: 64 }, (_, index) => 0x80 + index);
  check(all, false, "6.12.9 all continuation bytes");
  for (const byte of all) check(Uint8Array.of(byte), false, `6.12 ${byte.toString(16)}`);
});

Deno.test("Utf8Validator rejects lonely start bytes followed by a space (6.13)", () => {
  for (const [from, to] of [[0xc0, 0xdf], [0xe0, 0xef], [0xf0, 0xf7], [0xf8, 0xfb], [0xfc, 0xfd]]) {
    const bytes: number[] = [];
    for (let lead = from!; lead <= to!; lead++) {
      bytes.push(lead, 0x20);
      check(Uint8Array.of(lead, 0x20), false, `6.13 ${lead.toString(16)} 20`);
    }
    check(Uint8Array.from(bytes), false, `6.13 ${from!.toString(16)}..${to!.toString(16)}`);
  }
});

Deno.test("Utf8Validator accepts noncharacters (6.22, 6.23)", () => {
  const codePoints = [0xfffe, 0xffff];
  for (let plane = 1; plane <= 16; plane++) {
    codePoints.push(plane * 0x10000 + 0xfffe, plane * 0x10000 + 0xffff);
  }
  for (let codePoint = 0xfdd0; codePoint <= 0xfdef; codePoint++) codePoints.push(codePoint);
  equal(codePoints.length, 66);
  for (const codePoint of codePoints) {
    check(encoder.encode(String.fromCodePoint(codePoint)), true, `U+${codePoint.toString(16)}`);
  }
});

Deno.test("Utf8Validator accepts every scalar value at the sequence-length boundaries", () => {
  const points = [
    0x0,
    0x7f,
    0x80,
    0x7ff,
    0x800,
    0xfff,
    0x1000,
    0xcfff,
    0xd000,
    0xd7ff,
    0xe000,
    0xffff,
    0x10000,
    0x3ffff,
    0x40000,
    0xfffff,
    0x100000,
    0x10ffff,
  ];
  for (const point of points) {
    check(encoder.encode(String.fromCodePoint(point)), true, `U+${point.toString(16)}`);
  }
});

Deno.test("Utf8Validator fails at the first impossible byte", () => {
  const cases: [string, number][] = [
    ["c0", 0],
    ["c1", 0],
    ["f5", 0],
    ["ff", 0],
    ["41e080", 2], // E0 then 80..9F: overlong
    ["41e09f", 2],
    ["eda0", 1], // surrogates
    ["edbf", 1],
    ["f08f", 1], // F0 then 80..8F: overlong
    ["f490", 1], // above U+10FFFF
    ["f4bf", 1],
    ["c241", 1], // continuation expected
    ["e0a041", 2],
    ["f0908041", 3],
  ];
  for (const [input, position] of cases) {
    equal(failureByteByByte(hex(input)), position, input);
    equal(referenceFailure(hex(input)), position, `reference ${input}`);
  }
  const validator = new Utf8Validator();
  ok(!validator.push(hex("ff")));
  ok(!validator.push(hex("41")), "stays failed");
  ok(!validator.finish());
  validator.reset();
  ok(validator.push(hex("41")) && validator.finish(), "usable after reset");
});

Deno.test("Utf8Validator.finish() reports an incomplete sequence at the end", () => {
  const validator = new Utf8Validator();
  ok(validator.push(hex("e282")));
  ok(!validator.finish());
  ok(validator.push(hex("ac")));
  ok(validator.finish());
});

Deno.test("isValidUtf8() and push() honour start and end", () => {
  const bytes = hex("ff 41 e282ac 42 ff");
  ok(isValidUtf8(bytes, 1, 6));
  ok(!isValidUtf8(bytes, 0, 6));
  ok(!isValidUtf8(bytes, 1, 4), "cut inside the euro sign");
  const long = new Uint8Array(600).fill(0x61);
  long[0] = 0xff;
  long[599] = 0xff;
  ok(isValidUtf8(long, 1, 599), "the native path honours the range");
  const validator = new Utf8Validator();
  ok(validator.push(long, 1, 599) && validator.finish());
});

// ----------------------------------------------------------------- splits

/** A text that crosses the engines' length threshold with every sequence length. */
const TEXT = encoder.encode(
  "Hello-µ@ßöäüàá-UTF-8!! κόσμε 東京 🎉 𝄞 \u{10ffff}\u{fffe} ascii run ".repeat(4),
);

Deno.test("Utf8Validator accepts a valid text split at every position into 2 and 3 pieces", () => {
  ok(TEXT.length > 256);
  const validator = new Utf8Validator();
  for (let first = 0; first <= TEXT.length; first++) {
    validator.reset();
    ok(validator.push(TEXT, 0, first) && validator.push(TEXT, first), `split at ${first}`);
    ok(validator.finish(), `split at ${first}: finish`);
    for (let second = first; second <= TEXT.length; second += 3) {
      validator.reset();
      ok(
        validator.push(TEXT.subarray(0, first)) &&
          validator.push(TEXT.subarray(first, second)) &&
          validator.push(TEXT.subarray(second)) && validator.finish(),
        `split at ${first} and ${second}`,
      );
    }
  }
});

Deno.test("Utf8Validator rejects an invalid text in the piece that holds the bad byte", () => {
  for (const bad of ["eda080", "f49080", "c0af", "ff", "e080"]) {
    const middle = Math.floor(TEXT.length / 2);
    const invalid = new Uint8Array(TEXT.length + bad.length / 2);
    invalid.set(TEXT.subarray(0, middle));
    invalid.set(hex(bad), middle);
    invalid.set(TEXT.subarray(middle), middle + bad.length / 2);
    const failure = referenceFailure(invalid);
    ok(failure >= middle);
    for (let first = 0; first <= invalid.length; first++) {
      for (let second = first; second <= invalid.length; second += 7) {
        const validator = new Utf8Validator();
        const results = [
          validator.push(invalid, 0, first),
          validator.push(invalid, first, second),
          validator.push(invalid, second),
        ];
        const expected = [failure >= first, failure >= second, false];
        equal(JSON.stringify(results), JSON.stringify(expected), `${bad} at ${first}, ${second}`);
      }
    }
  }
});

// ------------------------------------------------------------------- fuzz

const INTERESTING = [
  0x00,
  0x41,
  0x7f,
  0x80,
  0x8f,
  0x90,
  0x9f,
  0xa0,
  0xbf,
  0xc0,
  0xc1,
  0xc2,
  0xdf,
  0xe0,
  0xe1,
  0xec,
  0xed,
  0xee,
  0xef,
  0xf0,
  0xf1,
  0xf3,
  0xf4,
  0xf5,
  0xf7,
  0xf8,
  0xfe,
  0xff,
];

/** Mostly valid text with a few mutated bytes, or random interesting bytes. */
function fuzzInput(random: () => number): Uint8Array {
  const kind = random();
  const length = Math.floor(random() * (random() < 0.2 ? 2000 : 160));
  if (kind < 0.3) {
    return Uint8Array.from(
      { length },
      () => INTERESTING[Math.floor(random() * INTERESTING.length)]!,
    );
  }
  let text = "";
  while (text.length < length) {
    const pick = random();
    const codePoint = pick < 0.5
      ? Math.floor(random() * 0x80)
      : pick < 0.7
      ? 0x80 + Math.floor(random() * 0x780)
      : pick < 0.9
      ? 0x800 + Math.floor(random() * 0xd000)
      : 0x10000 + Math.floor(random() * 0x100000);
    text += String.fromCodePoint(codePoint);
  }
  const bytes = encoder.encode(text);
  if (kind < 0.85) {
    const mutations = 1 + Math.floor(random() * 3);
    for (let count = 0; count < mutations && bytes.length > 0; count++) {
      const at = Math.floor(random() * bytes.length);
      bytes[at] = random() < 0.5
        ? INTERESTING[Math.floor(random() * INTERESTING.length)]!
        : Math.floor(random() * 256);
    }
  }
  // Surrogate code points (U+D800..U+DFFF) encode as U+FFFD in TextEncoder, so
  // they only come in through mutation and the INTERESTING bytes.
  return random() < 0.5 ? bytes : bytes.subarray(0, Math.floor(random() * (bytes.length + 1)));
}

Deno.test("isValidUtf8() and Utf8Validator agree with TextDecoder on 20,000 fuzzed inputs", () => {
  const random = prng(6455);
  let valid = 0;
  for (let round = 0; round < 20_000; round++) {
    const bytes = fuzzInput(random);
    const expected = reference(bytes);
    if (round % 16 === 0) equal(fatalReference(bytes), expected, `references ${bytes.toHex()}`);
    if (expected) valid++;
    equal(isValidUtf8(bytes), expected, `isValidUtf8 ${bytes.toHex()}`);
    // Random pieces: the first false must come in the piece holding the first bad byte.
    const validator = new Utf8Validator();
    const failure = expected ? -1 : referenceFailure(bytes);
    let start = 0;
    let failedAt = -1;
    while (start < bytes.length) {
      const end = Math.min(bytes.length, start + 1 + Math.floor(random() * 300));
      if (!validator.push(bytes, start, end)) {
        failedAt = end;
        break;
      }
      start = end;
    }
    if (failedAt >= 0) {
      ok(failure >= start && failure < failedAt, `push failed in [${start}, ${failedAt})`);
    } else if (failure >= 0) {
      // Valid prefix but incomplete at the end.
      ok(false, `push missed the failure at ${failure}: ${bytes.toHex()}`);
    }
    equal(validator.finish(), expected, `finish ${bytes.toHex()}`);
    if (bytes.length <= 40 && round % 4 === 0) {
      equal(failureByteByByte(bytes), failure, `byte by byte ${bytes.toHex()}`);
    }
  }
  // Both outcomes are well represented.
  ok(valid > 3000 && valid < 17_000, `valid inputs: ${valid}`);
});
