// Copyright 2026 the cosocket authors. MIT license.
/**
 * `ByteArray`: the seed's mutable byte buffer (`ba.bytearray.*`) in TypeScript form.
 * Pure TypeScript, no Deno APIs.
 *
 * @module
 */
import { type FloatSize, fn2h, h2n, hf2n, n2h, type N2hOptions } from "./network_order.ts";

/**
 * Data that {@linkcode ByteArray.copy} and {@linkcode ByteArray.set} copy from: a string
 * (its UTF-8 bytes), bytes, another `ByteArray` (its current window) or an array of byte
 * values 0–255 (the seed's Lua table of numbers).
 *
 * @example
 * ```ts
 * import { ByteArray, type ByteSource } from "@cosocket/socket/byte-array";
 * import { strictEqual } from "node:assert/strict";
 *
 * const to = new ByteArray(4);
 * const sources: ByteSource[] = ["a", new Uint8Array([0x62]), new ByteArray("c"), [0x64]];
 * sources.forEach((source, i) => to.set(i, source));
 * strictEqual(to.toString(), "abcd");
 * ```
 */
export type ByteSource = string | Uint8Array | ByteArray | ArrayLike<number>;

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/** Resolves a slice-style index (negative counts from the end) against `length`. */
function resolveIndex(index: number, length: number, name: string): number {
  if (!Number.isInteger(index) || index < -length || index > length) {
    throw new RangeError(
      `Invalid ${name}: expected an integer from ${-length} to ${length}, got ${index}`,
    );
  }
  return index < 0 ? length + index : index;
}

function toBytes(source: ByteSource): Uint8Array {
  if (typeof source === "string") return textEncoder.encode(source);
  if (source instanceof Uint8Array) return source;
  if (source instanceof ByteArray) return source.view();
  const bytes = new Uint8Array(source.length);
  for (let i = 0; i < source.length; i++) {
    const v = source[i]!;
    if (!Number.isInteger(v) || v < 0 || v > 255) {
      throw new RangeError(
        `Invalid byte at index ${i}: expected an integer from 0 to 255, got ${v}`,
      );
    }
    bytes[i] = v;
  }
  return bytes;
}

/**
 * A mutable, fixed-size byte buffer with a movable window, translating the seed's
 * `ba.bytearray` API to 0-based TypeScript.
 *
 * The buffer has a real (allocated) size and a window `[start, end)` set by
 * {@linkcode ByteArray.setSize}; every other method (`length`, `get`, `set`, `copy`,
 * `h2n`, `n2h`, `toString`, `view`) works inside the window, with positions relative to
 * its start. {@linkcode ByteArray.view} returns the window as a `Uint8Array` without
 * copying, which is how the socket's `write()` sends a `ByteArray` without copying it.
 *
 * Mapping from the 1-based Lua API (the seed's `i..j` ranges are inclusive; here
 * `[i, j)` ranges are half-open like `Array.prototype.slice`, and negative values count
 * from the end in both):
 *
 * | Lua | TypeScript |
 * | --- | --- |
 * | `ba.bytearray.create(size)` / `create(string)` | `new ByteArray(size)` / `new ByteArray(string)` |
 * | `#array` | `array.length` |
 * | `array[i]` (read) | `array.get(i - 1)` |
 * | `array[i] = byte \| string \| table` | `array.set(i - 1, byte \| string \| bytes \| number[])` |
 * | `ba.bytearray.copy(to, n, from, i, j)` | `ByteArray.copy(to, n - 1, from, i', j')` |
 * | `ba.bytearray.h2n(array, n, size, number)` | `array.h2n(n - 1, size, number)` |
 * | `ba.bytearray.n2h(array, n, size)` | `array.n2h(n - 1, size)` |
 * | `ba.bytearray.setsize(array, i, j)` | `array.setSize(i', j')` |
 * | `ba.bytearray.size(array)` → size, start, end | `array.size()` → `[size, start - 1, end]` |
 * | `ba.bytearray.tostring(array, i, j)` / `tostring(array)` | `array.toString(i', j')` / `String(array)` |
 *
 * where `i' = i > 0 ? i - 1 : i` and `j' = j > 0 ? j : j === -1 ? undefined : j + 1`.
 *
 * @example The seed's example, 0-based
 * ```ts
 * import { ByteArray } from "@cosocket/socket/byte-array";
 * import { deepStrictEqual, strictEqual } from "node:assert/strict";
 *
 * const array = new ByteArray(23);
 * for (let i = 0; i < 20; i++) array.set(i, 65 + i); // "A".."T"
 * array.setSize(0, 20);
 * deepStrictEqual(array.size(), [23, 0, 20]);
 * strictEqual(array.toString(), "ABCDEFGHIJKLMNOPQRST");
 * array.setSize(-3);
 * strictEqual(array.toString(), "\0\0\0");
 * ```
 */
export class ByteArray {
  #bytes: Uint8Array<ArrayBuffer>;
  #start = 0;
  #end: number;

  /**
   * Creates a zero-filled `ByteArray` of `size` bytes, or one holding a copy of a
   * string's UTF-8 bytes or of a `Uint8Array`.
   *
   * @example Create from a size and from a string
   * ```ts
   * import { ByteArray } from "@cosocket/socket/byte-array";
   * import { strictEqual } from "node:assert/strict";
   *
   * strictEqual(new ByteArray(4).length, 4);
   * strictEqual(new ByteArray("héllo").length, 6);
   * ```
   *
   * @param init The size in bytes, or the initial content.
   * @throws {RangeError} If `size` is not a non-negative integer.
   */
  constructor(init: number | string | Uint8Array) {
    if (typeof init === "number") {
      if (!Number.isSafeInteger(init) || init < 0) {
        throw new RangeError(`Invalid size: expected a non-negative integer, got ${init}`);
      }
      this.#bytes = new Uint8Array(init);
    } else if (typeof init === "string") {
      this.#bytes = textEncoder.encode(init);
    } else {
      this.#bytes = new Uint8Array(init);
    }
    this.#end = this.#bytes.length;
  }

  /**
   * The window's length (the seed's `#array`).
   *
   * @example
   * ```ts
   * import { ByteArray } from "@cosocket/socket/byte-array";
   * import { strictEqual } from "node:assert/strict";
   *
   * const array = new ByteArray(10).setSize(2, 5);
   * strictEqual(array.length, 3);
   * ```
   *
   * @returns The number of bytes in the current window.
   */
  get length(): number {
    return this.#end - this.#start;
  }

  /**
   * Returns the current window as a `Uint8Array` sharing this array's memory: no copy
   * is made, and writes through the view change the `ByteArray`.
   *
   * @example
   * ```ts
   * import { ByteArray } from "@cosocket/socket/byte-array";
   * import { strictEqual } from "node:assert/strict";
   *
   * const array = new ByteArray("abcdef").setSize(1, 3);
   * const view = array.view();
   * view[0] = 0x42;
   * strictEqual(array.toString(), "Bc");
   * ```
   *
   * @returns A view of the window.
   */
  view(): Uint8Array<ArrayBuffer> {
    return this.#bytes.subarray(this.#start, this.#end);
  }

  /**
   * Returns the real (allocated) size and the window's start and end (the seed's
   * `ba.bytearray.size`). The start is 0-based and the end exclusive, so
   * `end - start === length`; the seed's `23 1 20` is `[23, 0, 20]`.
   *
   * @example
   * ```ts
   * import { ByteArray } from "@cosocket/socket/byte-array";
   * import { deepStrictEqual } from "node:assert/strict";
   *
   * deepStrictEqual(new ByteArray(23).setSize(0, 20).size(), [23, 0, 20]);
   * ```
   *
   * @returns `[realSize, start, end]`.
   */
  size(): [realSize: number, start: number, end: number] {
    return [this.#bytes.length, this.#start, this.#end];
  }

  /**
   * Moves the window over the real buffer (the seed's `ba.bytearray.setsize`). `start`
   * and `end` are positions in the whole buffer, half-open, and negative values count
   * from the end of the buffer. `setSize()` restores the full size; `setSize(-3)` keeps
   * the last three bytes.
   *
   * @example
   * ```ts
   * import { ByteArray } from "@cosocket/socket/byte-array";
   * import { strictEqual } from "node:assert/strict";
   *
   * const array = new ByteArray("abcdefgh");
   * strictEqual(array.setSize(-3).toString(), "fgh");
   * strictEqual(array.setSize(1, -1).toString(), "bcdefg");
   * strictEqual(array.setSize().toString(), "abcdefgh");
   * ```
   *
   * @param start First byte of the window.
   * @param end End of the window (exclusive); the end of the buffer when omitted.
   * @returns This array.
   * @throws {RangeError} If a position is outside the buffer or `end` is before `start`.
   */
  setSize(start?: number, end?: number): this {
    start ??= 0;
    const real = this.#bytes.length;
    const s = resolveIndex(start, real, "start");
    const e = end === undefined ? real : resolveIndex(end, real, "end");
    if (e < s) throw new RangeError(`Invalid window: end ${e} is before start ${s}`);
    this.#start = s;
    this.#end = e;
    return this;
  }

  /**
   * Reads the byte at a 0-based window position (the seed's `array[i]`, with `i - 1`).
   *
   * @example
   * ```ts
   * import { ByteArray } from "@cosocket/socket/byte-array";
   * import { strictEqual } from "node:assert/strict";
   *
   * strictEqual(new ByteArray("AB").get(1), 66);
   * ```
   *
   * @param index Position in the window, 0 to `length - 1`.
   * @returns The byte value, 0–255.
   * @throws {RangeError} If `index` is outside the window.
   */
  get(index: number): number {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) {
      throw new RangeError(`Invalid index: expected 0 to ${this.length - 1}, got ${index}`);
    }
    return this.#bytes[this.#start + index]!;
  }

  /**
   * Writes at a 0-based window position (the seed's `array[i] = value`): a number sets
   * one byte; a string, bytes, a `ByteArray` or an array of byte values is copied
   * starting there and must fit entirely.
   *
   * @example
   * ```ts
   * import { ByteArray } from "@cosocket/socket/byte-array";
   * import { strictEqual } from "node:assert/strict";
   *
   * const array = new ByteArray(5);
   * array.set(0, 0x2a);
   * array.set(1, "bcd");
   * array.set(4, [0x65]);
   * strictEqual(array.toString(), "*bcde");
   * ```
   *
   * @param index Position in the window.
   * @param value A byte value 0–255, or data to copy.
   * @throws {RangeError} If the position or the data does not fit in the window, or a
   * byte value is not an integer from 0 to 255.
   */
  set(index: number, value: number | ByteSource): void {
    if (typeof value === "number") {
      if (!Number.isInteger(value) || value < 0 || value > 255) {
        throw new RangeError(`Invalid byte: expected an integer from 0 to 255, got ${value}`);
      }
      if (!Number.isInteger(index) || index < 0 || index >= this.length) {
        throw new RangeError(`Invalid index: expected 0 to ${this.length - 1}, got ${index}`);
      }
      this.#bytes[this.#start + index] = value;
      return;
    }
    const bytes = toBytes(value);
    if (!Number.isInteger(index) || index < 0 || index + bytes.length > this.length) {
      throw new RangeError(
        `Cannot copy into ByteArray: ${bytes.length} bytes at ${index} do not fit in ${this.length}`,
      );
    }
    this.#bytes.set(bytes, this.#start + index);
  }

  /**
   * Copies `from[i, j)` into `to` at window position `n` (the seed's
   * `ba.bytearray.copy`). Only what fits is copied; the rest is reported, not thrown.
   * `i` and `j` are half-open and may be negative (counting from the end of `from`); for
   * a string they index its UTF-8 bytes.
   *
   * @example Copy with overflow
   * ```ts
   * import { ByteArray } from "@cosocket/socket/byte-array";
   * import { strictEqual } from "node:assert/strict";
   *
   * const to = new ByteArray("......");
   * strictEqual(ByteArray.copy(to, 4, "hello"), 3);
   * strictEqual(to.toString(), "....he");
   * strictEqual(ByteArray.copy(to, 0, "hello", -3), 0);
   * strictEqual(to.toString(), "llo.he");
   * ```
   *
   * @param to The destination.
   * @param n 0-based position in the destination's window, 0 to `to.length`.
   * @param from The source.
   * @param i First source byte (default 0).
   * @param j End of the source range, exclusive (default: the source's end).
   * @returns The number of bytes that did not fit (the overflow).
   * @throws {RangeError} If `n`, `i` or `j` is out of range.
   */
  static copy(to: ByteArray, n: number, from: ByteSource, i = 0, j?: number): number {
    const source = toBytes(from);
    const s = resolveIndex(i, source.length, "i");
    const e = j === undefined ? source.length : resolveIndex(j, source.length, "j");
    if (!Number.isInteger(n) || n < 0 || n > to.length) {
      throw new RangeError(`Invalid position: expected 0 to ${to.length}, got ${n}`);
    }
    const wanted = Math.max(e - s, 0);
    const copied = Math.min(wanted, to.length - n);
    // TypedArray#set copes with overlapping memory (copying an array into itself).
    to.#bytes.set(source.subarray(s, s + copied), to.#start + n);
    return wanted - copied;
  }

  /**
   * Stores an integer in network byte order at window position `n` (the seed's
   * `ba.bytearray.h2n`), with the policy of the `h2n` function in `network_order.ts`.
   *
   * @example
   * ```ts
   * import { ByteArray } from "@cosocket/socket/byte-array";
   * import { strictEqual } from "node:assert/strict";
   *
   * const array = new ByteArray(6);
   * array.h2n(2, 4, 0x01020304);
   * strictEqual(array.view().toHex(), "000001020304");
   * ```
   *
   * @param n 0-based window position.
   * @param size Number of bytes, 1 to 8.
   * @param value An integer from −2^(8·size−1) to 2^(8·size) − 1.
   * @throws {RangeError} If the size, value or position is out of range.
   */
  h2n(n: number, size: number, value: number | bigint): void {
    h2n(size, value, { target: this.view(), offset: n });
  }

  /**
   * Reads an integer in network byte order at window position `n` (the seed's
   * `ba.bytearray.n2h`): a `number` for sizes 1–6, a `bigint` for 7 and 8.
   *
   * @example
   * ```ts
   * import { ByteArray } from "@cosocket/socket/byte-array";
   * import { strictEqual } from "node:assert/strict";
   *
   * const array = new ByteArray(new Uint8Array([9, 0xff, 0xfe]));
   * strictEqual(array.n2h(1, 2), 65534);
   * strictEqual(array.n2h(1, 2, { signed: true }), -2);
   * ```
   *
   * @param n 0-based window position.
   * @param size Number of bytes, 1 to 8.
   * @param options Signedness.
   * @returns The integer.
   * @throws {RangeError} If the size or position is out of range.
   */
  n2h(n: number, size: number, options?: N2hOptions): number | bigint {
    options ??= {};
    return n2h(size, this.view(), n, options);
  }

  /**
   * Stores a float32 or float64 in network byte order at window position `n`.
   *
   * @example
   * ```ts
   * import { ByteArray } from "@cosocket/socket/byte-array";
   * import { strictEqual } from "node:assert/strict";
   *
   * const array = new ByteArray(4);
   * array.hf2n(0, 4, 1.5);
   * strictEqual(array.fn2h(0, 4), 1.5);
   * ```
   *
   * @param n 0-based window position.
   * @param size 4 or 8.
   * @param value The number.
   * @throws {RangeError} If the size or position is out of range.
   */
  hf2n(n: number, size: FloatSize, value: number): void {
    hf2n(size, value, { target: this.view(), offset: n });
  }

  /**
   * Reads a float32 or float64 in network byte order at window position `n`.
   *
   * @example
   * ```ts
   * import { ByteArray } from "@cosocket/socket/byte-array";
   * import { strictEqual } from "node:assert/strict";
   *
   * strictEqual(new ByteArray(Uint8Array.fromHex("400921fb54442d18")).fn2h(0, 8), Math.PI);
   * ```
   *
   * @param n 0-based window position.
   * @param size 4 or 8.
   * @returns The number.
   * @throws {RangeError} If the size or position is out of range.
   */
  fn2h(n: number, size: FloatSize): number {
    return fn2h(size, this.view(), n);
  }

  /**
   * Decodes window bytes `[i, j)` as UTF-8 (the seed's `ba.bytearray.tostring` and
   * `__tostring`); invalid sequences become U+FFFD. Use {@linkcode ByteArray.view} for
   * binary data.
   *
   * @example
   * ```ts
   * import { ByteArray } from "@cosocket/socket/byte-array";
   * import { strictEqual } from "node:assert/strict";
   *
   * const array = new ByteArray("hello world");
   * strictEqual(array.toString(), "hello world");
   * strictEqual(array.toString(6), "world");
   * strictEqual(array.toString(-5, -2), "wor");
   * strictEqual(`${array}`, "hello world");
   * ```
   *
   * @param i First byte (default 0; negative counts from the end).
   * @param j End, exclusive (default: the window's end; negative counts from the end).
   * @returns The decoded text.
   * @throws {RangeError} If `i` or `j` is out of range.
   */
  toString(i?: number, j?: number): string {
    i ??= 0;
    const length = this.length;
    const s = resolveIndex(i, length, "i");
    const e = j === undefined ? length : resolveIndex(j, length, "j");
    return e <= s ? "" : textDecoder.decode(this.#bytes.subarray(this.#start + s, this.#start + e));
  }

  /**
   * Iterates over the bytes of the window.
   *
   * @example
   * ```ts
   * import { ByteArray } from "@cosocket/socket/byte-array";
   * import { deepStrictEqual } from "node:assert/strict";
   *
   * deepStrictEqual([...new ByteArray("AB")], [65, 66]);
   * ```
   *
   * @returns An iterator of byte values.
   */
  [Symbol.iterator](): IterableIterator<number> {
    return this.view()[Symbol.iterator]();
  }
}
