// Copyright 2026 the cosocket authors. MIT license.
/**
 * UBJSON (Draft 12) encoder.
 *
 * @module
 */
import {
  ARRAY_END,
  ARRAY_START,
  CHAR,
  COUNT,
  FALSE,
  FLOAT32,
  FLOAT64,
  HIGH_PRECISION,
  INT16,
  INT32,
  INT64,
  INT8,
  NULL,
  OBJECT_END,
  OBJECT_START,
  STRING,
  TRUE,
  TYPE,
  UINT8,
} from "./_markers.ts";

/**
 * A function called for every value before it is encoded, with the same contract as the
 * `replacer` function of `JSON.stringify`: `this` is the containing object or array, `key`
 * is the property name (array indices as strings, `""` for the root value), and the
 * return value is encoded instead. Returning `undefined` drops an object property (or
 * encodes `Z` inside an array).
 *
 * @example Drop private fields and encode dates as epoch milliseconds
 * ```ts
 * import { decode, encode, type EncodeReplacer } from "@cosocket/ubjson";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const replacer: EncodeReplacer = (key, value) =>
 *   key.startsWith("_") ? undefined : key === "at" ? Date.parse(value as string) : value;
 * const bytes = encode({ at: new Date(0), _secret: 1, ok: true }, { replacer });
 * deepStrictEqual(decode(bytes), { at: 0, ok: true });
 * ```
 */
export type EncodeReplacer = (this: unknown, key: string, value: unknown) => unknown;

/**
 * Options for {@linkcode encode}.
 *
 * @example Compact floats and characters
 * ```ts
 * import { encode, type EncodeOptions } from "@cosocket/ubjson";
 * import { strictEqual } from "node:assert/strict";
 *
 * const options: EncodeOptions = { float32: true, char: true };
 * strictEqual(encode([1.5, "x"], options).toHex(), "5b" + "643fc00000" + "4378" + "5d");
 * strictEqual(encode([1.5, "x"]).toHex(), "5b" + "443ff8000000000000" + "53690178" + "5d");
 * ```
 */
export interface EncodeOptions {
  /**
   * Encode a non-integer number as float32 (`d`, 5 bytes) when float32 represents it
   * exactly, instead of float64 (`D`, 9 bytes).
   *
   * @default {false}
   */
  float32?: boolean;
  /**
   * Encode a string of exactly one ASCII character (code point 0–127) as `C` (2 bytes)
   * instead of `S` (4 bytes).
   *
   * @default {false}
   */
  char?: boolean;
  /**
   * The seed's optional second "encode table": a function that rewrites values before
   * they are encoded, with the contract of the `JSON.stringify` replacer. See
   * {@linkcode EncodeReplacer}.
   *
   * @default {undefined}
   */
  replacer?: EncodeReplacer;
  /**
   * The seed's `size` argument: the initial size in bytes of the output buffer. The
   * buffer grows by doubling when a document is larger, so this is only a hint that saves
   * reallocation for large documents.
   *
   * @default {4096}
   */
  sizeHint?: number;
  /**
   * Maximum nesting depth of arrays and objects. Exceeding it throws a `RangeError`; this
   * is also how a circular structure is reported.
   *
   * @default {512}
   */
  maxDepth?: number;
}

const TWO_32 = 4294967296;
const TWO_63 = 9223372036854775808;
const MIN_INT64 = -9223372036854775808n;
const MAX_INT64 = 9223372036854775807n;
const SCRATCH_LIMIT = 1 << 20;

const textEncoder = new TextEncoder();

// Output buffer kept between calls, so small documents allocate only their result. A
// replacer or toJSON may call encode() again: the nested call finds no scratch buffer
// (taken) and allocates its own.
let scratch: Uint8Array<ArrayBuffer> | null = new Uint8Array(4096);

/**
 * Encodes a JavaScript value as Universal Binary JSON (Draft 12).
 *
 * Encoding policy (every case is tested byte for byte):
 * - `null` → `Z`; `true`/`false` → `T`/`F`; `NaN`, `Infinity` and `-Infinity` → `Z`
 *   (UBJSON, like JSON, has no representation for them).
 * - Integers (numbers and bigints) use the smallest type: `i` for −128..127, `U` for
 *   128..255, `I` for 16 bits, `l` for 32 bits, `L` for 64 bits, and `H` (the decimal text)
 *   beyond the int64 range. `-0` encodes as `i 0`, as `JSON.stringify` writes `0`.
 * - Other numbers → `D` (float64), or `d` (float32) when {@linkcode EncodeOptions.float32}
 *   is set and float32 holds the value exactly.
 * - Strings → `S` + length + UTF-8 bytes (lone surrogates become U+FFFD); one ASCII
 *   character → `C` when {@linkcode EncodeOptions.char} is set.
 * - Arrays → `[` … `]`; objects → `{` … `}` with keys written as length + UTF-8 bytes
 *   (no `S` marker). As in `JSON.stringify`: `toJSON()` is honoured; properties whose
 *   value is `undefined`, a function or a symbol are skipped; inside arrays those become
 *   `Z`; `Number`, `String`, `Boolean` and `BigInt` wrapper objects are unwrapped.
 * - Typed arrays → strongly typed optimized containers `[$<type>#<count>` followed by
 *   the raw big-endian elements and no end marker: `Uint8Array`, `Uint8ClampedArray`,
 *   `ArrayBuffer` and `DataView` → `$U`; `Int8Array` → `$i`; `Int16Array` → `$I`;
 *   `Int32Array` and `Uint16Array` → `$l`; `BigInt64Array` and `Uint32Array` → `$L`;
 *   `Float32Array` → `$d`; `Float64Array` → `$D`. `BigUint64Array` has no UBJSON type
 *   and encodes as an ordinary array of integers.
 * - `Map`, `Set`, functions, symbols and `undefined` at the top level throw `TypeError`.
 *
 * @example Encode a document
 * ```ts
 * import { encode } from "@cosocket/ubjson";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const bytes = encode({ id: 300, tags: ["a"] });
 * // {  i 2 "id"  I 0x012c  i 4 "tags"  [ S i 1 "a" ]  }
 * deepStrictEqual(bytes.toHex(), "7b" + "69026964" + "49012c" + "690474616773" + "5b5369016" + "15d" + "7d");
 * ```
 *
 * @example Strongly typed containers from typed arrays
 * ```ts
 * import { encode } from "@cosocket/ubjson";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const bytes = encode(new Int16Array([1, -2]));
 * deepStrictEqual(bytes.toHex(), "5b2449236902" + "0001" + "fffe");
 * ```
 *
 * @param value The value to encode.
 * @param options Encoding options.
 * @returns The encoded bytes, in a new buffer of exactly the encoded length.
 * @throws {TypeError} If the value (or a nested value) cannot be encoded: a symbol, a
 * function or `undefined` at the top level, a `Map` or a `Set`.
 * @throws {RangeError} If nesting exceeds {@linkcode EncodeOptions.maxDepth} (for
 * example a circular structure) or an option is out of range.
 */
export function encode(value: unknown, options?: EncodeOptions): Uint8Array<ArrayBuffer> {
  options ??= {};
  const sizeHint = options.sizeHint ?? 4096;
  const maxDepth = options.maxDepth ?? 512;
  if (!Number.isSafeInteger(sizeHint) || sizeHint < 0) {
    throw new RangeError(
      `Cannot encode UBJSON: sizeHint must be a non-negative integer, got ${sizeHint}`,
    );
  }
  if (!(maxDepth >= 0)) {
    throw new RangeError(
      `Cannot encode UBJSON: maxDepth must be a non-negative number, got ${maxDepth}`,
    );
  }
  let buffer = scratch;
  scratch = null;
  if (buffer === null || buffer.length < sizeHint) {
    buffer = new Uint8Array(Math.max(sizeHint, 64));
  }
  const writer = new Writer(buffer, options, maxDepth);
  try {
    return writer.run(value);
  } finally {
    const used = writer.buffer();
    if (used.length <= SCRATCH_LIMIT) scratch = used;
  }
}

/** One encoding run: the output buffer, its position and the options of that run. */
class Writer {
  #buf: Uint8Array<ArrayBuffer>;
  #view: DataView<ArrayBuffer>;
  #pos = 0;
  #float32: boolean;
  #char: boolean;
  #replacer: EncodeReplacer | undefined;
  #maxDepth: number;

  constructor(buf: Uint8Array<ArrayBuffer>, options: EncodeOptions, maxDepth: number) {
    this.#buf = buf;
    this.#view = new DataView(buf.buffer);
    this.#float32 = options.float32 ?? false;
    this.#char = options.char ?? false;
    this.#replacer = options.replacer;
    this.#maxDepth = maxDepth;
  }

  buffer(): Uint8Array<ArrayBuffer> {
    return this.#buf;
  }

  run(value: unknown): Uint8Array<ArrayBuffer> {
    const root = this.#prepare(value, "", { "": value });
    if (root === undefined || typeof root === "function" || typeof root === "symbol") {
      throw new TypeError(`Cannot encode UBJSON: ${typeof root} is not a JSON value`);
    }
    this.#value(root, 0);
    return this.#buf.slice(0, this.#pos);
  }

  /** Makes room for `needed` more bytes. */
  #grow(needed: number): void {
    const pos = this.#pos;
    let size = this.#buf.length * 2;
    if (size < pos + needed) size = pos + needed;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, pos));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }

  /** Writes one byte. */
  #byte(byte: number): void {
    if (this.#pos + 1 > this.#buf.length) this.#grow(1);
    this.#buf[this.#pos++] = byte;
  }

  /**
   * Applies `toJSON`, the replacer and primitive unwrapping in the order of
   * `JSON.stringify` (SerializeJSONProperty).
   */
  #prepare(value: unknown, key: string, holder: unknown): unknown {
    if (typeof value === "object" && value !== null) {
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === "function") value = toJSON.call(value, key);
    }
    const replacer = this.#replacer;
    if (replacer !== undefined) value = replacer.call(holder, key, value);
    if (typeof value !== "object" || value === null) return value;
    if (value instanceof Number) return Number(value);
    if (value instanceof String) return String(value);
    if (value instanceof Boolean) return value.valueOf();
    if (value instanceof BigInt) return value.valueOf();
    return value;
  }

  #value(value: unknown, depth: number): void {
    switch (typeof value) {
      case "string":
        this.#stringValue(value);
        return;
      case "number":
        this.#number(value);
        return;
      case "boolean":
        this.#byte(value ? TRUE : FALSE);
        return;
      case "bigint":
        this.#bigint(value);
        return;
      case "object":
        if (value === null) {
          this.#byte(NULL);
          return;
        }
        if (depth >= this.#maxDepth) {
          throw new RangeError(
            `Cannot encode UBJSON: nesting depth exceeds ${this.#maxDepth} (circular structure?)`,
          );
        }
        if (Array.isArray(value)) {
          this.#array(value, depth + 1);
        } else if (ArrayBuffer.isView(value)) {
          this.#typedArray(value);
        } else if (value instanceof ArrayBuffer) {
          this.#typedArray(new Uint8Array(value));
        } else if (value instanceof Map || value instanceof Set) {
          throw new TypeError(
            `Cannot encode UBJSON: ${value.constructor.name} is not a JSON value, convert it to an object or array first`,
          );
        } else {
          this.#object(value as Record<string, unknown>, depth + 1);
        }
        return;
      default:
        // undefined, functions and symbols inside arrays, as in JSON.stringify.
        this.#byte(NULL);
    }
  }

  #array(array: readonly unknown[], depth: number): void {
    this.#byte(ARRAY_START);
    const n = array.length;
    const replace = this.#replacer !== undefined;
    for (let i = 0; i < n; i++) {
      let item = array[i];
      if (replace || (typeof item === "object" && item !== null)) {
        item = this.#prepare(item, String(i), array);
      }
      this.#value(item, depth);
    }
    this.#byte(ARRAY_END);
  }

  #object(object: Record<string, unknown>, depth: number): void {
    this.#byte(OBJECT_START);
    const keys = Object.keys(object);
    const replace = this.#replacer !== undefined;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      let item = object[key];
      if (replace || (typeof item === "object" && item !== null)) {
        item = this.#prepare(item, key, object);
      }
      if (item === undefined || typeof item === "function" || typeof item === "symbol") continue;
      this.#string(key);
      this.#value(item, depth);
    }
    this.#byte(OBJECT_END);
  }

  #number(value: number): void {
    if (this.#pos + 9 > this.#buf.length) this.#grow(9);
    if (Number.isInteger(value)) {
      this.#integer(value);
    } else if (value !== value || value === Infinity || value === -Infinity) {
      this.#buf[this.#pos++] = NULL;
    } else if (this.#float32 && Math.fround(value) === value) {
      this.#buf[this.#pos] = FLOAT32;
      this.#view.setFloat32(this.#pos + 1, value);
      this.#pos += 5;
    } else {
      this.#buf[this.#pos] = FLOAT64;
      this.#view.setFloat64(this.#pos + 1, value);
      this.#pos += 9;
    }
  }

  /** Writes an integral number with the smallest integer marker; needs 9 free bytes. */
  #integer(value: number): void {
    const buf = this.#buf;
    const pos = this.#pos;
    if (value >= -128 && value <= 127) {
      buf[pos] = INT8;
      buf[pos + 1] = value;
      this.#pos = pos + 2;
    } else if (value >= 0 && value <= 255) {
      buf[pos] = UINT8;
      buf[pos + 1] = value;
      this.#pos = pos + 2;
    } else if (value >= -32768 && value <= 32767) {
      buf[pos] = INT16;
      buf[pos + 1] = value >> 8;
      buf[pos + 2] = value;
      this.#pos = pos + 3;
    } else if (value >= -2147483648 && value <= 2147483647) {
      buf[pos] = INT32;
      buf[pos + 1] = value >> 24;
      buf[pos + 2] = value >> 16;
      buf[pos + 3] = value >> 8;
      buf[pos + 4] = value;
      this.#pos = pos + 5;
    } else if (value >= -TWO_63 && value < TWO_63) {
      // Exact for every integral double: the division is by a power of two.
      const high = Math.floor(value / TWO_32);
      buf[pos] = INT64;
      this.#view.setInt32(pos + 1, high);
      this.#view.setUint32(pos + 5, value - high * TWO_32);
      this.#pos = pos + 9;
    } else {
      this.#highPrecision(String(value));
    }
  }

  #bigint(value: bigint): void {
    if (value >= MIN_INT64 && value <= MAX_INT64) {
      if (this.#pos + 9 > this.#buf.length) this.#grow(9);
      if (value >= -2147483648n && value <= 2147483647n) {
        this.#integer(Number(value));
      } else {
        this.#buf[this.#pos] = INT64;
        this.#view.setBigInt64(this.#pos + 1, value);
        this.#pos += 9;
      }
    } else {
      this.#highPrecision(value.toString());
    }
  }

  /** Writes `H` + length + the ASCII digits of a JSON number. */
  #highPrecision(text: string): void {
    const n = text.length;
    if (this.#pos + 10 + n > this.#buf.length) this.#grow(10 + n);
    this.#buf[this.#pos++] = HIGH_PRECISION;
    this.#integer(n);
    const buf = this.#buf;
    let pos = this.#pos;
    for (let i = 0; i < n; i++) buf[pos++] = text.charCodeAt(i);
    this.#pos = pos;
  }

  #stringValue(value: string): void {
    if (this.#char && value.length === 1 && value.charCodeAt(0) < 0x80) {
      if (this.#pos + 2 > this.#buf.length) this.#grow(2);
      this.#buf[this.#pos] = CHAR;
      this.#buf[this.#pos + 1] = value.charCodeAt(0);
      this.#pos += 2;
      return;
    }
    this.#byte(STRING);
    this.#string(value);
  }

  /** Writes length + UTF-8 bytes of a string (an object key or the body of `S`). */
  #string(value: string): void {
    const n = value.length;
    if (n < 64) {
      // Short strings: a JavaScript loop beats a call into the native encoder. The UTF-8
      // length is at most 3n < 192 bytes, so the header is `i` or `U` plus one byte.
      if (this.#pos + 2 + n * 3 > this.#buf.length) this.#grow(2 + n * 3);
      const buf = this.#buf;
      const start = this.#pos;
      let p = start + 2;
      for (let i = 0; i < n; i++) {
        let c = value.charCodeAt(i);
        if (c < 0x80) {
          buf[p++] = c;
        } else if (c < 0x800) {
          buf[p++] = 0xc0 | (c >> 6);
          buf[p++] = 0x80 | (c & 0x3f);
        } else {
          if (c >= 0xd800 && c <= 0xdfff) {
            const next = i + 1 < n ? value.charCodeAt(i + 1) : 0;
            if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
              c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
              i++;
              buf[p++] = 0xf0 | (c >> 18);
              buf[p++] = 0x80 | ((c >> 12) & 0x3f);
              buf[p++] = 0x80 | ((c >> 6) & 0x3f);
              buf[p++] = 0x80 | (c & 0x3f);
              continue;
            }
            c = 0xfffd; // lone surrogate, as TextEncoder does
          }
          buf[p++] = 0xe0 | (c >> 12);
          buf[p++] = 0x80 | ((c >> 6) & 0x3f);
          buf[p++] = 0x80 | (c & 0x3f);
        }
      }
      const length = p - start - 2;
      buf[start] = length <= 127 ? INT8 : UINT8;
      buf[start + 1] = length;
      this.#pos = p;
      return;
    }
    const bound = n * 3;
    const reserved = headerSize(bound);
    if (this.#pos + reserved + bound > this.#buf.length) this.#grow(reserved + bound);
    const pos = this.#pos;
    const buf = this.#buf;
    const { written } = textEncoder.encodeInto(
      value,
      new Uint8Array(buf.buffer, pos + reserved, bound),
    );
    const actual = headerSize(written);
    if (actual !== reserved) {
      buf.copyWithin(pos + actual, pos + reserved, pos + reserved + written);
    }
    this.#integer(written);
    this.#pos += written;
  }

  #typedArray(value: ArrayBufferView): void {
    let type: number;
    let width: number;
    if (value instanceof Uint8Array || value instanceof Uint8ClampedArray) {
      type = UINT8;
      width = 1;
    } else if (value instanceof Float64Array) {
      type = FLOAT64;
      width = 8;
    } else if (value instanceof Float32Array) {
      type = FLOAT32;
      width = 4;
    } else if (value instanceof Int32Array || value instanceof Uint16Array) {
      type = INT32;
      width = 4;
    } else if (value instanceof Int16Array) {
      type = INT16;
      width = 2;
    } else if (value instanceof Int8Array) {
      type = INT8;
      width = 1;
    } else if (value instanceof BigInt64Array || value instanceof Uint32Array) {
      type = INT64;
      width = 8;
    } else if (value instanceof DataView) {
      this.#typedArray(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
      return;
    } else if (value instanceof BigUint64Array) {
      this.#array(Array.from(value), 0);
      return;
    } else {
      throw new TypeError(
        `Cannot encode UBJSON: ${value.constructor.name} has no UBJSON element type`,
      );
    }
    const count = (value as Uint8Array).length;
    const size = count * width;
    if (this.#pos + 12 + size > this.#buf.length) this.#grow(12 + size);
    const buf = this.#buf;
    buf[this.#pos] = ARRAY_START;
    buf[this.#pos + 1] = TYPE;
    buf[this.#pos + 2] = type;
    buf[this.#pos + 3] = COUNT;
    this.#pos += 4;
    this.#integer(count);
    let p = this.#pos;
    const dv = this.#view;
    if (width === 1) {
      buf.set(new Uint8Array(value.buffer, value.byteOffset, count), p);
    } else if (value instanceof Float64Array) {
      for (let i = 0; i < count; i++, p += 8) dv.setFloat64(p, value[i]!);
    } else if (value instanceof Float32Array) {
      for (let i = 0; i < count; i++, p += 4) dv.setFloat32(p, value[i]!);
    } else if (value instanceof Int32Array || value instanceof Uint16Array) {
      for (let i = 0; i < count; i++, p += 4) dv.setInt32(p, value[i]!);
    } else if (value instanceof Int16Array) {
      for (let i = 0; i < count; i++, p += 2) dv.setInt16(p, value[i]!);
    } else if (value instanceof BigInt64Array) {
      for (let i = 0; i < count; i++, p += 8) dv.setBigInt64(p, value[i]!);
    } else {
      const u32 = value as Uint32Array;
      for (let i = 0; i < count; i++, p += 8) {
        dv.setUint32(p, 0);
        dv.setUint32(p + 4, u32[i]!);
      }
    }
    this.#pos += size;
  }
}

/** Bytes taken by a length header (marker + integer) for a length of `n`. */
function headerSize(n: number): number {
  return n <= 255 ? 2 : n <= 32767 ? 3 : n <= 2147483647 ? 5 : 9;
}
