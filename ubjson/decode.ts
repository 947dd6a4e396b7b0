// Copyright 2026 the cosocket authors. MIT license.
/**
 * UBJSON (Draft 12) decoder.
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
  NOOP,
  NULL,
  OBJECT_END,
  OBJECT_START,
  STRING,
  TRUE,
  TYPE,
  UINT8,
} from "./_markers.ts";

/**
 * How {@linkcode decode} returns an `L` (int64) value.
 * - `"auto"`: a `number` when it is a safe integer (|v| ≤ 2^53 − 1), otherwise a `bigint`.
 * - `"bigint"`: always a `bigint`.
 * - `"error"`: a `number` when it is a safe integer, otherwise throw a `RangeError`.
 *
 * @example
 * ```ts
 * import { decode, type Int64Handling } from "@cosocket/ubjson";
 * import { strictEqual } from "node:assert/strict";
 *
 * const big = Uint8Array.fromHex("4c" + "0020000000000000"); // L 2^53
 * const mode: Int64Handling = "auto";
 * strictEqual(decode(big, { int64: mode }), 2n ** 53n);
 * strictEqual(decode(Uint8Array.fromHex("4c" + "0000000000000005"), { int64: "bigint" }), 5n);
 * ```
 */
export type Int64Handling = "auto" | "bigint" | "error";

/**
 * How {@linkcode decode} returns an `H` (high-precision number) value, whose text is
 * always validated as a JSON number first.
 * - `"number"`: `Number(text)`, like `JSON.parse` (may round).
 * - `"string"`: the number's text, unchanged.
 * - `"error"`: throw a `RangeError`.
 *
 * @example
 * ```ts
 * import { decode, encode, type HighPrecisionHandling } from "@cosocket/ubjson";
 * import { strictEqual } from "node:assert/strict";
 *
 * const bytes = encode(2n ** 70n); // beyond int64: H "1180591620717411303424"
 * const mode: HighPrecisionHandling = "string";
 * strictEqual(decode(bytes, { highPrecision: mode }), "1180591620717411303424");
 * strictEqual(decode(bytes), 1180591620717411303424);
 * ```
 */
export type HighPrecisionHandling = "number" | "string" | "error";

/**
 * Anything with a `view()` method returning its bytes without copying, such as the
 * `ByteArray` of `@cosocket/socket` (whose `view()` is its current window).
 *
 * @example
 * ```ts
 * import { type ByteView, decode } from "@cosocket/ubjson";
 * import { strictEqual } from "node:assert/strict";
 *
 * const frame: ByteView = { view: () => new Uint8Array([0x69, 0x2a]) };
 * strictEqual(decode(frame), 42);
 * ```
 */
export interface ByteView {
  /** Returns the bytes to decode. */
  view(): Uint8Array;
}

/**
 * Options for {@linkcode decode}.
 *
 * @example Strict limits for untrusted input
 * ```ts
 * import { decode, type DecodeOptions, encode } from "@cosocket/ubjson";
 * import { throws } from "node:assert/strict";
 *
 * const strict: DecodeOptions = { maxDepth: 8, maxKeyLength: 64, int64: "error" };
 * throws(() => decode(encode([[[[[[[[[0]]]]]]]]]), strict), RangeError);
 * ```
 */
export interface DecodeOptions {
  /**
   * The seed's `stacksize`: maximum nesting depth of arrays and objects (the top-level
   * container is depth 1). Deeper input throws a `RangeError`.
   *
   * @default {512}
   */
  maxDepth?: number;
  /**
   * The seed's `namelen`: maximum length of an object key in UTF-8 bytes. A longer key
   * throws a `RangeError`.
   *
   * @default {65536}
   */
  maxKeyLength?: number;
  /**
   * The seed's `offset`: number of bytes to skip before the document starts (0-based, so
   * the seed's `offset` value carries over unchanged).
   *
   * @default {0}
   */
  offset?: number;
  /**
   * How `L` (int64) values are returned. See {@linkcode Int64Handling}.
   *
   * @default {"auto"}
   */
  int64?: Int64Handling;
  /**
   * How `H` (high-precision number) values are returned. See
   * {@linkcode HighPrecisionHandling}.
   *
   * @default {"number"}
   */
  highPrecision?: HighPrecisionHandling;
  /**
   * Return strongly typed numeric containers as typed arrays: `$U` → `Uint8Array`,
   * `$i` → `Int8Array`, `$I` → `Int16Array`, `$l` → `Int32Array`, `$L` →
   * `BigInt64Array`, `$d` → `Float32Array`, `$D` → `Float64Array`. When `false` they
   * decode to ordinary arrays of numbers.
   *
   * @default {false}
   */
  typedArrays?: boolean;
  /**
   * Maximum total number of elements in strongly typed `Z`, `T` and `F` containers in
   * one document. Those elements take no bytes of input, so this is what bounds the
   * memory a tiny document can ask for. Exceeding it throws a `RangeError`.
   *
   * @default {1048576}
   */
  maxBodilessElements?: number;
  /**
   * Allow bytes after the first complete value. When `false`, anything but trailing
   * `N` no-ops after the value is a `SyntaxError`, as in `JSON.parse`.
   *
   * @default {false}
   */
  allowTrailing?: boolean;
}

const TWO_32 = 4294967296;
const JSON_NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;
// The non-fatal decoder is much faster in Deno; the fatal one only runs to confirm an
// error when the output holds U+FFFD (which valid input may also contain).
const textDecoder = new TextDecoder("utf-8", { ignoreBOM: true });
const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const CHARS: string[] = Array.from({ length: 128 }, (_, i) => String.fromCharCode(i));

// Short ASCII strings (object keys above all) repeat a lot in real documents: a small
// direct-mapped cache returns the same string without building it again (about 10%
// faster on the benchmark's timeline documents).
const CACHE_SIZE = 4096;
const CACHE_MAX_LENGTH = 64;
const stringCache: string[] = new Array<string>(CACHE_SIZE).fill("");
// The cached strings' bytes, 16 words per slot, so a hit is confirmed four bytes at a time.
const cacheWords = new Int32Array(CACHE_SIZE * 16);

/**
 * Decodes one Universal Binary JSON (Draft 12) document.
 *
 * Accepts every Draft 12 marker (`Z N T F i U I l L d D H C S [ ] { }`) and optimized
 * containers (`$` type with `#` count, `#` alone, typed `Z`/`T`/`F` containers without
 * a body, nested typed containers); `N` no-ops are skipped wherever a value may start.
 * Objects are ordinary objects; a `"__proto__"` key becomes an own property (as with
 * `JSON.parse`) and never changes the prototype.
 *
 * Input is checked before anything is allocated: a count or length larger than the bytes
 * left is a `SyntaxError`, so the output is bounded by the input size, except for
 * bodiless `Z`/`T`/`F` containers, bounded by
 * {@linkcode DecodeOptions.maxBodilessElements}.
 *
 * @example Decode a document
 * ```ts
 * import { decode } from "@cosocket/ubjson";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * // { i1 "a" [$i#i3 1 2 3 }
 * const bytes = Uint8Array.fromHex("7b6901615b246923690301020" + "37d");
 * deepStrictEqual(decode(bytes), { a: [1, 2, 3] });
 * deepStrictEqual(decode(bytes, { typedArrays: true }), { a: new Int8Array([1, 2, 3]) });
 * ```
 *
 * @example The seed's example: skip 5 leading bytes, allow one level of nesting
 * ```ts
 * import { decode, encode } from "@cosocket/ubjson";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const data = new Uint8Array([...crypto.getRandomValues(new Uint8Array(5)), ...encode(["Hello World"])]);
 * deepStrictEqual(JSON.stringify(decode(data, { maxDepth: 1, maxKeyLength: 0, offset: 5 })), '["Hello World"]');
 * ```
 *
 * @example Malformed input names the byte offset
 * ```ts
 * import { decode } from "@cosocket/ubjson";
 * import { throws } from "node:assert/strict";
 *
 * throws(() => decode(new Uint8Array([0x53, 0x69, 0x05, 0x61])), SyntaxError);
 * ```
 *
 * @param input The bytes to decode: any `ArrayBufferView`, an `ArrayBuffer`, or a
 * {@linkcode ByteView} such as a `ByteArray` (its window is decoded, without copying).
 * @param options Decoding options.
 * @returns The decoded value.
 * @throws {SyntaxError} If the input is malformed or truncated; the message names the
 * byte offset.
 * @throws {RangeError} If the input exceeds a limit ({@linkcode DecodeOptions.maxDepth},
 * {@linkcode DecodeOptions.maxKeyLength}, {@linkcode DecodeOptions.maxBodilessElements})
 * or holds a number that {@linkcode DecodeOptions.int64} or
 * {@linkcode DecodeOptions.highPrecision} rejects, or if an option is out of range.
 * @throws {TypeError} If `input` is not an `ArrayBuffer`, `ArrayBufferView` or
 * {@linkcode ByteView}.
 */
export function decode(
  input: ArrayBufferView | ArrayBuffer | ByteView,
  options: DecodeOptions = {},
): unknown {
  let bytes: Uint8Array;
  if (input instanceof Uint8Array) {
    bytes = input;
  } else if (typeof (input as ByteView).view === "function") {
    bytes = (input as ByteView).view();
    if (!(bytes instanceof Uint8Array)) {
      throw new TypeError("Cannot decode UBJSON: view() must return a Uint8Array");
    }
  } else if (ArrayBuffer.isView(input)) {
    bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  } else if (input instanceof ArrayBuffer) {
    bytes = new Uint8Array(input);
  } else {
    throw new TypeError(
      "Cannot decode UBJSON: input must be an ArrayBuffer, an ArrayBufferView or have view()",
    );
  }
  const offset = options.offset ?? 0;
  if (!Number.isSafeInteger(offset) || offset < 0 || offset > bytes.length) {
    throw new RangeError(
      `Cannot decode UBJSON: offset must be an integer from 0 to ${bytes.length}, got ${offset}`,
    );
  }
  return new Reader(bytes, offset, options).run(options.allowTrailing ?? false);
}

function hex(byte: number): string {
  const printable = byte >= 0x20 && byte < 0x7f ? ` ('${String.fromCharCode(byte)}')` : "";
  return `0x${byte.toString(16).padStart(2, "0")}${printable}`;
}

/** Minimum bytes one element of a strongly typed container takes. */
function elementSize(type: number): number {
  switch (type) {
    case INT8:
    case UINT8:
    case CHAR:
    case ARRAY_START:
    case OBJECT_START:
      return 1;
    case INT16:
    case STRING:
    case HIGH_PRECISION:
      return 2;
    case INT32:
    case FLOAT32:
      return 4;
    case INT64:
    case FLOAT64:
      return 8;
    case NULL:
    case TRUE:
    case FALSE:
      return 0;
    default:
      return -1;
  }
}

function setKey(object: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(object, key, {
      value,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  } else {
    object[key] = value;
  }
}

/** One decoding run over one input: the position and limits of that run. */
class Reader {
  #b: Uint8Array;
  #dv: DataView;
  #p: number;
  #end: number;
  #depthLimit: number;
  #keyLimit: number;
  #bodilessLeft: number;
  #int64Mode: Int64Handling;
  #highMode: HighPrecisionHandling;
  #typed: boolean;
  // Header of an optimized container, set by #readHeader.
  #headerType = -1;
  #headerCount = -1;

  constructor(bytes: Uint8Array, offset: number, options: DecodeOptions) {
    this.#b = bytes;
    this.#dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#p = offset;
    this.#end = bytes.length;
    this.#depthLimit = options.maxDepth ?? 512;
    this.#keyLimit = options.maxKeyLength ?? 65536;
    this.#bodilessLeft = options.maxBodilessElements ?? 1048576;
    this.#int64Mode = options.int64 ?? "auto";
    this.#highMode = options.highPrecision ?? "number";
    this.#typed = options.typedArrays ?? false;
  }

  run(allowTrailing: boolean): unknown {
    const value = this.#readValue(this.#nextMarker(), 0);
    if (!allowTrailing) {
      while (this.#p < this.#end && this.#b[this.#p] === NOOP) this.#p++;
      if (this.#p < this.#end) {
        this.#fail(this.#p, `unexpected byte ${hex(this.#b[this.#p]!)} after the end of the value`);
      }
    }
    return value;
  }

  #fail(at: number, detail: string): never {
    throw new SyntaxError(`Cannot decode UBJSON at byte ${at}: ${detail}`);
  }

  #truncated(): never {
    this.#fail(this.#end, "unexpected end of input");
  }

  /** Returns the next marker byte, skipping `N` no-ops. */
  #nextMarker(): number {
    while (this.#p < this.#end) {
      const m = this.#b[this.#p++]!;
      if (m !== NOOP) return m;
    }
    this.#truncated();
  }

  #readValue(marker: number, depth: number): unknown {
    switch (marker) {
      case INT8:
        if (this.#p >= this.#end) this.#truncated();
        return (this.#b[this.#p++]! << 24) >> 24;
      case UINT8:
        if (this.#p >= this.#end) this.#truncated();
        return this.#b[this.#p++]!;
      case INT16: {
        if (this.#p + 2 > this.#end) this.#truncated();
        const v = this.#dv.getInt16(this.#p);
        this.#p += 2;
        return v;
      }
      case INT32: {
        if (this.#p + 4 > this.#end) this.#truncated();
        const v = this.#dv.getInt32(this.#p);
        this.#p += 4;
        return v;
      }
      case INT64:
        return this.#readInt64();
      case FLOAT32: {
        if (this.#p + 4 > this.#end) this.#truncated();
        const v = this.#dv.getFloat32(this.#p);
        this.#p += 4;
        return v;
      }
      case FLOAT64: {
        if (this.#p + 8 > this.#end) this.#truncated();
        const v = this.#dv.getFloat64(this.#p);
        this.#p += 8;
        return v;
      }
      case STRING: {
        const at = this.#p;
        return this.#readString(this.#readLength(), at);
      }
      case NULL:
        return null;
      case TRUE:
        return true;
      case FALSE:
        return false;
      case ARRAY_START:
        return this.#readArray(depth + 1);
      case OBJECT_START:
        return this.#readObject(depth + 1);
      case CHAR: {
        if (this.#p >= this.#end) this.#truncated();
        const c = this.#b[this.#p]!;
        if (c > 127) this.#fail(this.#p, `char value ${c} is not ASCII (0-127)`);
        this.#p++;
        return CHARS[c]!;
      }
      case HIGH_PRECISION:
        return this.#readHighPrecision();
      default:
        this.#fail(this.#p - 1, `unexpected byte ${hex(marker)} where a value should start`);
    }
  }

  #readInt64(): number | bigint {
    if (this.#p + 8 > this.#end) this.#truncated();
    const high = this.#dv.getInt32(this.#p);
    const at = this.#p;
    if (this.#int64Mode !== "bigint" && high >= -2097152 && high < 2097152) {
      const v = high * TWO_32 + this.#dv.getUint32(this.#p + 4);
      if (Number.isSafeInteger(v)) {
        this.#p += 8;
        return v;
      }
    }
    if (this.#int64Mode === "error") {
      throw new RangeError(
        `Cannot decode UBJSON at byte ${at}: int64 value ${
          this.#dv.getBigInt64(at)
        } is not a safe integer`,
      );
    }
    this.#p += 8;
    return this.#dv.getBigInt64(at);
  }

  /** Reads an integer-marked length or count: a non-negative safe integer. */
  #readLength(): number {
    if (this.#p >= this.#end) this.#truncated();
    const at = this.#p;
    const m = this.#b[this.#p++]!;
    let n: number;
    switch (m) {
      case INT8:
      case UINT8:
      case INT16:
      case INT32:
        n = this.#readValue(m, 0) as number;
        break;
      case INT64:
        if (this.#p + 8 > this.#end) this.#truncated();
        n = this.#dv.getInt32(this.#p) * TWO_32 + this.#dv.getUint32(this.#p + 4);
        this.#p += 8;
        break;
      default:
        this.#fail(at, `expected an integer length or count, found ${hex(m)}`);
    }
    if (n < 0 || n > Number.MAX_SAFE_INTEGER) {
      this.#fail(at, `length or count ${n} is out of range`);
    }
    return n;
  }

  #readString(length: number, at: number): string {
    if (length > this.#end - this.#p) {
      this.#fail(at, `string length ${length} exceeds the ${this.#end - this.#p} bytes left`);
    }
    const start = this.#p;
    if (length <= CACHE_MAX_LENGTH) {
      if (length === 0) return "";
      // Hash three sampled bytes only: a hit is confirmed by comparing every byte anyway.
      let hash = Math.imul(length ^ this.#b[start]!, 0x01000193);
      hash = Math.imul(hash ^ this.#b[start + (length >> 1)]!, 0x01000193);
      hash = Math.imul(hash ^ this.#b[start + length - 1]!, 0x01000193);
      const slot = (hash ^ (hash >>> 16)) & (CACHE_SIZE - 1);
      const cached = stringCache[slot]!;
      const base = slot << 4;
      const full = length & ~3;
      const dv = this.#dv;
      if (cached.length === length) {
        let k = 0;
        while (k < full && cacheWords[base + (k >> 2)] === dv.getInt32(start + k)) k += 4;
        if (k >= full) {
          while (k < length && cached.charCodeAt(k) === this.#b[start + k]) k++;
          if (k === length) {
            this.#p += length;
            return cached;
          }
        }
      }
      for (let i = start, stop = start + length; i < stop; i++) {
        if (this.#b[i]! >= 0x80) return this.#readUtf8(start, length);
      }
      let s: string;
      if (length <= 12) {
        s = "";
        for (let i = start, stop = start + length; i < stop; i++) s += CHARS[this.#b[i]!]!;
      } else {
        s = textDecoder.decode(new Uint8Array(this.#b.buffer, this.#b.byteOffset + start, length));
      }
      stringCache[slot] = s;
      for (let k = 0; k < full; k += 4) cacheWords[base + (k >> 2)] = dv.getInt32(start + k);
      this.#p += length;
      return s;
    }
    return this.#readUtf8(start, length);
  }

  #readUtf8(start: number, length: number): string {
    const bytes = new Uint8Array(this.#b.buffer, this.#b.byteOffset + start, length);
    const s = textDecoder.decode(bytes);
    if (s.includes("\ufffd")) {
      try {
        strictDecoder.decode(bytes);
      } catch {
        this.#fail(start, "string is not valid UTF-8");
      }
    }
    this.#p = start + length;
    return s;
  }

  #readHighPrecision(): number | string {
    const at = this.#p - 1;
    const length = this.#readLength();
    if (length > this.#end - this.#p) {
      this.#fail(this.#p, `number length ${length} exceeds the ${this.#end - this.#p} bytes left`);
    }
    let text = "";
    for (let i = this.#p, stop = this.#p + length; i < stop; i++) {
      const c = this.#b[i]!;
      if (c >= 0x80) this.#fail(i, "high-precision number is not JSON number text");
      text += CHARS[c]!;
    }
    if (!JSON_NUMBER.test(text)) {
      this.#fail(this.#p, `high-precision number ${JSON.stringify(text)} is not JSON number text`);
    }
    this.#p += length;
    if (this.#highMode === "string") return text;
    if (this.#highMode === "error") {
      throw new RangeError(
        `Cannot decode UBJSON at byte ${at}: high-precision number ${text} is not accepted`,
      );
    }
    return Number(text);
  }

  #readHeader(): void {
    this.#headerType = -1;
    this.#headerCount = -1;
    if (this.#p < this.#end && this.#b[this.#p] === TYPE) {
      this.#p++;
      if (this.#p >= this.#end) this.#truncated();
      this.#headerType = this.#b[this.#p]!;
      if (elementSize(this.#headerType) < 0) {
        this.#fail(this.#p, `${hex(this.#headerType)} is not a valid container element type`);
      }
      this.#p++;
      if (this.#p >= this.#end) this.#truncated();
      if (this.#b[this.#p] !== COUNT) {
        this.#fail(this.#p, "a typed container ('$') must have a count ('#')");
      }
    }
    if (this.#p < this.#end && this.#b[this.#p] === COUNT) {
      this.#p++;
      this.#headerCount = this.#readLength();
    }
  }

  /** Checks a count against the bytes left, before anything is allocated. */
  #checkCount(at: number, count: number, minSize: number): void {
    if (minSize === 0) {
      if (count > this.#bodilessLeft) {
        throw new RangeError(
          `Cannot decode UBJSON at byte ${at}: ${count} bodiless elements exceed maxBodilessElements`,
        );
      }
      this.#bodilessLeft -= count;
    } else if (count * minSize > this.#end - this.#p) {
      this.#fail(
        at,
        `count ${count} needs at least ${count * minSize} bytes, ${this.#end - this.#p} left`,
      );
    }
  }

  #readArray(depth: number): unknown[] | ArrayBufferView {
    const at = this.#p - 1;
    if (depth > this.#depthLimit) {
      throw new RangeError(
        `Cannot decode UBJSON at byte ${at}: nesting exceeds maxDepth ${this.#depthLimit}`,
      );
    }
    this.#readHeader();
    const type = this.#headerType, count = this.#headerCount;
    if (count < 0) {
      const array: unknown[] = [];
      for (;;) {
        let m = this.#p < this.#end ? this.#b[this.#p++]! : this.#truncated();
        if (m === NOOP) m = this.#nextMarker();
        if (m === ARRAY_END) return array;
        array.push(this.#readValue(m, depth));
      }
    }
    if (type < 0) {
      this.#checkCount(at, count, 1);
      const array: unknown[] = [];
      for (let i = 0; i < count; i++) array.push(this.#readValue(this.#nextMarker(), depth));
      return array;
    }
    this.#checkCount(at, count, elementSize(type));
    return this.#readTypedElements(type, count, depth);
  }

  #readTypedElements(
    type: number,
    count: number,
    depth: number,
  ): unknown[] | ArrayBufferView {
    const start = this.#p;
    switch (type) {
      case UINT8:
        this.#p += count;
        return this.#typed
          ? this.#b.slice(start, this.#p)
          : Array.from(this.#b.subarray(start, this.#p));
      case INT8: {
        this.#p += count;
        const out = new Int8Array(this.#b.slice(start, this.#p).buffer);
        return this.#typed ? out : Array.from(out);
      }
      case INT16: {
        const out = this.#typed ? new Int16Array(count) : new Array<number>(count);
        for (let i = 0, q = start; i < count; i++, q += 2) out[i] = this.#dv.getInt16(q);
        this.#p += count * 2;
        return out;
      }
      case INT32: {
        const out = this.#typed ? new Int32Array(count) : new Array<number>(count);
        for (let i = 0, q = start; i < count; i++, q += 4) out[i] = this.#dv.getInt32(q);
        this.#p += count * 4;
        return out;
      }
      case FLOAT32: {
        const out = this.#typed ? new Float32Array(count) : new Array<number>(count);
        for (let i = 0, q = start; i < count; i++, q += 4) out[i] = this.#dv.getFloat32(q);
        this.#p += count * 4;
        return out;
      }
      case FLOAT64: {
        const out = this.#typed ? new Float64Array(count) : new Array<number>(count);
        for (let i = 0, q = start; i < count; i++, q += 8) out[i] = this.#dv.getFloat64(q);
        this.#p += count * 8;
        return out;
      }
      case INT64: {
        if (this.#typed) {
          const out = new BigInt64Array(count);
          for (let i = 0, q = start; i < count; i++, q += 8) out[i] = this.#dv.getBigInt64(q);
          this.#p += count * 8;
          return out;
        }
        break;
      }
    }
    const array: unknown[] = [];
    for (let i = 0; i < count; i++) array.push(this.#readValue(type, depth));
    return array;
  }

  #readKey(): string {
    const at = this.#p;
    let length: number;
    // Fast path for the usual one-byte length (`i` 0..127 or `U`).
    const m = this.#b[this.#p];
    if (this.#p + 1 < this.#end && (m === UINT8 || (m === INT8 && this.#b[this.#p + 1]! < 0x80))) {
      length = this.#b[this.#p + 1]!;
      this.#p += 2;
    } else {
      length = this.#readLength();
    }
    if (length > this.#keyLimit) {
      throw new RangeError(
        `Cannot decode UBJSON at byte ${at}: key length ${length} exceeds maxKeyLength ${this.#keyLimit}`,
      );
    }
    return this.#readString(length, at);
  }

  #readObject(depth: number): Record<string, unknown> {
    const at = this.#p - 1;
    if (depth > this.#depthLimit) {
      throw new RangeError(
        `Cannot decode UBJSON at byte ${at}: nesting exceeds maxDepth ${this.#depthLimit}`,
      );
    }
    this.#readHeader();
    const type = this.#headerType, count = this.#headerCount;
    const object: Record<string, unknown> = {};
    if (count < 0) {
      for (;;) {
        while (this.#p < this.#end && this.#b[this.#p] === NOOP) this.#p++;
        if (this.#p >= this.#end) this.#truncated();
        if (this.#b[this.#p] === OBJECT_END) {
          this.#p++;
          return object;
        }
        const key = this.#readKey();
        let m = this.#p < this.#end ? this.#b[this.#p++]! : this.#truncated();
        if (m === NOOP) m = this.#nextMarker();
        const value = this.#readValue(m, depth);
        if (key === "__proto__") setKey(object, key, value);
        else object[key] = value;
      }
    }
    // A pair takes at least 2 key bytes (`i` + length) and its value's minimum size.
    if (type < 0) {
      this.#checkCount(at, count, 3);
      for (let i = 0; i < count; i++) {
        while (this.#p < this.#end && this.#b[this.#p] === NOOP) this.#p++;
        const key = this.#readKey();
        setKey(object, key, this.#readValue(this.#nextMarker(), depth));
      }
    } else {
      this.#checkCount(at, count, 2 + elementSize(type));
      for (let i = 0; i < count; i++) {
        const key = this.#readKey();
        setKey(object, key, this.#readValue(type, depth));
      }
    }
    return object;
  }
}
