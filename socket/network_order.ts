// Copyright 2026 the cosocket authors. MIT license.
/**
 * Network byte order (big endian) conversions: the seed's `ba.socket.n2h`, `h2n`,
 * `fn2h` and `hf2n`. Pure TypeScript, no Deno APIs. {@linkcode ByteArray} uses these
 * same functions for its `h2n`/`n2h` methods.
 *
 * Integer policy:
 * - Sizes 1–8 bytes. Reading ({@linkcode n2h}) returns a `number` for sizes 1–6 (every
 *   value is exact below 2^53) and always a `bigint` for sizes 7 and 8, so the result type
 *   depends only on the size, never on the data.
 * - Reading is unsigned unless {@linkcode N2hOptions.signed} asks for two's complement.
 * - Writing ({@linkcode h2n}) accepts a `number` or `bigint` from −2^(8·size−1) to
 *   2^(8·size) − 1 (the union of the signed and unsigned ranges) and stores its two's
 *   complement; anything else is a `RangeError`, as is a non-integer number.
 *
 * Positions are 0-based (the seed's `start` defaults to 1; here it defaults to 0).
 *
 * @module
 */

/**
 * Options for {@linkcode n2h}.
 *
 * @example
 * ```ts
 * import { n2h, type N2hOptions } from "@cosocket/socket/network-order";
 * import { strictEqual } from "node:assert/strict";
 *
 * const options: N2hOptions = { signed: true };
 * strictEqual(n2h(1, new Uint8Array([0xff]), 0, options), -1);
 * ```
 */
export interface N2hOptions {
  /**
   * Interpret the bytes as a two's complement signed integer instead of unsigned.
   *
   * @default {false}
   */
  signed?: boolean;
}

/**
 * Options for {@linkcode h2n} and {@linkcode hf2n}.
 *
 * @example Write a header into an existing buffer
 * ```ts
 * import { h2n, type H2nOptions } from "@cosocket/socket/network-order";
 * import { strictEqual } from "node:assert/strict";
 *
 * const frame = new Uint8Array(6);
 * const options: H2nOptions = { target: frame, offset: 2 };
 * h2n(4, 7, options);
 * strictEqual(frame.toHex(), "000000000007");
 * ```
 */
export interface H2nOptions {
  /**
   * Write into this buffer instead of allocating a new one.
   *
   * @default {undefined}
   */
  target?: Uint8Array;
  /**
   * 0-based position in {@linkcode H2nOptions.target} to write at.
   *
   * @default {0}
   */
  offset?: number;
}

/**
 * Byte sizes accepted by the float conversions: 4 (float32) and 8 (float64).
 *
 * @example
 * ```ts
 * import { type FloatSize, hf2n } from "@cosocket/socket/network-order";
 * import { strictEqual } from "node:assert/strict";
 *
 * const size: FloatSize = 4;
 * strictEqual(hf2n(size, 1).toHex(), "3f800000");
 * ```
 */
export type FloatSize = 4 | 8;

function checkSize(size: number, max: number): void {
  if (!Number.isInteger(size) || size < 1 || size > max) {
    throw new RangeError(`Invalid size: expected an integer from 1 to ${max}, got ${size}`);
  }
}

function checkFloatSize(size: number): void {
  if (size !== 4 && size !== 8) {
    throw new RangeError(`Invalid float size: expected 4 or 8, got ${size}`);
  }
}

function checkPosition(length: number, position: number, size: number): void {
  if (!Number.isInteger(position) || position < 0 || position + size > length) {
    throw new RangeError(
      `Invalid position: ${size} bytes at ${position} do not fit in ${length} bytes`,
    );
  }
}

/**
 * Network (big endian) to host integer conversion: reads `size` bytes at `start`.
 *
 * @example Read a 16-bit length and a 64-bit timestamp
 * ```ts
 * import { n2h } from "@cosocket/socket/network-order";
 * import { strictEqual } from "node:assert/strict";
 *
 * const data = new Uint8Array([0x01, 0x02, 0xff, 0xfe, 0, 0, 0, 0, 0, 0, 0, 42]);
 * strictEqual(n2h(2, data), 258);
 * strictEqual(n2h(2, data, 2), 65534);
 * strictEqual(n2h(2, data, 2, { signed: true }), -2);
 * strictEqual(n2h(8, data, 4), 42n);
 * ```
 *
 * @param size Number of bytes, 1 to 8.
 * @param data The bytes to read from.
 * @param start 0-based position of the first byte.
 * @param options Signedness.
 * @returns The integer: a `number` for sizes 1–6, a `bigint` for sizes 7 and 8.
 * @throws {RangeError} If `size` is not 1–8 or the bytes do not fit in `data`.
 */
export function n2h(
  size: 1 | 2 | 3 | 4 | 5 | 6,
  data: Uint8Array,
  start?: number,
  options?: N2hOptions,
): number;
/**
 * Network (big endian) to host integer conversion for 7 and 8 bytes.
 *
 * @param size Number of bytes, 7 or 8.
 * @param data The bytes to read from.
 * @param start 0-based position of the first byte.
 * @param options Signedness.
 * @returns The integer as a `bigint`.
 * @throws {RangeError} If the bytes do not fit in `data`.
 */
export function n2h(size: 7 | 8, data: Uint8Array, start?: number, options?: N2hOptions): bigint;
/**
 * Network (big endian) to host integer conversion for a size known only at run time.
 *
 * @param size Number of bytes, 1 to 8.
 * @param data The bytes to read from.
 * @param start 0-based position of the first byte.
 * @param options Signedness.
 * @returns The integer: a `number` for sizes 1–6, a `bigint` for sizes 7 and 8.
 * @throws {RangeError} If `size` is not 1–8 or the bytes do not fit in `data`.
 */
export function n2h(
  size: number,
  data: Uint8Array,
  start?: number,
  options?: N2hOptions,
): number | bigint;
export function n2h(
  size: number,
  data: Uint8Array,
  start = 0,
  options: N2hOptions = {},
): number | bigint {
  checkSize(size, 8);
  checkPosition(data.length, start, size);
  const signed = options.signed ?? false;
  if (size <= 6) {
    let value = 0;
    for (let i = start; i < start + size; i++) value = value * 256 + data[i]!;
    if (signed && data[start]! >= 0x80) value -= 2 ** (8 * size);
    return value;
  }
  let high = 0;
  for (let i = start; i < start + size - 4; i++) high = high * 256 + data[i]!;
  let low = 0;
  for (let i = start + size - 4; i < start + size; i++) low = low * 256 + data[i]!;
  const value = (BigInt(high) << 32n) | BigInt(low);
  return signed ? BigInt.asIntN(8 * size, value) : value;
}

/**
 * Host integer to network (big endian) conversion: `size` bytes of two's complement.
 *
 * @example Encode a 16-bit length and a negative 32-bit value
 * ```ts
 * import { h2n } from "@cosocket/socket/network-order";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * deepStrictEqual(h2n(2, 258), new Uint8Array([1, 2]));
 * deepStrictEqual(h2n(4, -2), new Uint8Array([0xff, 0xff, 0xff, 0xfe]));
 * deepStrictEqual(h2n(8, 2n ** 63n).toHex(), "8000000000000000");
 * ```
 *
 * @param size Number of bytes, 1 to 8.
 * @param value An integer from −2^(8·size−1) to 2^(8·size) − 1.
 * @param options Where to write (default: a new buffer).
 * @returns The `size` bytes written (a view into {@linkcode H2nOptions.target} when
 * given).
 * @throws {RangeError} If `size` is not 1–8, `value` is out of range or not an integer,
 * or the bytes do not fit in the target.
 * @throws {TypeError} If `value` is not a number or bigint.
 */
export function h2n(size: number, value: number | bigint, options?: H2nOptions): Uint8Array {
  options ??= {};
  checkSize(size, 8);
  const bits = 8 * size;
  if (typeof value === "number") {
    if (!Number.isInteger(value)) {
      throw new RangeError(`Invalid value: expected an integer, got ${value}`);
    }
    if (size <= 6) {
      if (value < -(2 ** (bits - 1)) || value >= 2 ** bits) {
        throw new RangeError(`Invalid value: ${value} does not fit in a ${size}-byte integer`);
      }
      const out = target(size, options);
      let v = value < 0 ? value + 2 ** bits : value;
      for (let i = size - 1; i >= 0; i--) {
        out[i] = v % 256;
        v = Math.floor(v / 256);
      }
      return out;
    }
    value = BigInt(value);
  } else if (typeof value !== "bigint") {
    throw new TypeError(`Invalid value: expected a number or bigint, got ${typeof value}`);
  }
  if (value < -(1n << BigInt(bits - 1)) || value >= 1n << BigInt(bits)) {
    throw new RangeError(`Invalid value: ${value} does not fit in a ${size}-byte integer`);
  }
  const out = target(size, options);
  let v = BigInt.asUintN(bits, value);
  for (let i = size - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

function target(size: number, options: H2nOptions): Uint8Array {
  const to = options.target;
  if (to === undefined) return new Uint8Array(size);
  const offset = options.offset ?? 0;
  checkPosition(to.length, offset, size);
  return to.subarray(offset, offset + size);
}

/**
 * Network (big endian) to host float conversion: reads a float32 (4 bytes) or float64
 * (8 bytes) at `start`.
 *
 * @example Read a float64
 * ```ts
 * import { fn2h } from "@cosocket/socket/network-order";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(fn2h(8, Uint8Array.fromHex("400921fb54442d18")), Math.PI);
 * strictEqual(fn2h(4, Uint8Array.fromHex("003fc00000"), 1), 1.5);
 * ```
 *
 * @param size 4 or 8.
 * @param data The bytes to read from.
 * @param start 0-based position of the first byte.
 * @returns The number.
 * @throws {RangeError} If `size` is not 4 or 8 or the bytes do not fit in `data`.
 */
export function fn2h(size: FloatSize, data: Uint8Array, start?: number): number {
  start ??= 0;
  checkFloatSize(size);
  checkPosition(data.length, start, size);
  const view = new DataView(data.buffer, data.byteOffset + start, size);
  return size === 4 ? view.getFloat32(0) : view.getFloat64(0);
}

/**
 * Host float to network (big endian) conversion: a float32 (4 bytes, rounded to the
 * nearest float32) or float64 (8 bytes).
 *
 * @example Encode π as float64 and 1.5 as float32
 * ```ts
 * import { hf2n } from "@cosocket/socket/network-order";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(hf2n(8, Math.PI).toHex(), "400921fb54442d18");
 * strictEqual(hf2n(4, 1.5).toHex(), "3fc00000");
 * ```
 *
 * @param size 4 or 8.
 * @param value The number.
 * @param options Where to write (default: a new buffer).
 * @returns The bytes written (a view into {@linkcode H2nOptions.target} when given).
 * @throws {RangeError} If `size` is not 4 or 8 or the bytes do not fit in the target.
 * @throws {TypeError} If `value` is not a number.
 */
export function hf2n(size: FloatSize, value: number, options?: H2nOptions): Uint8Array {
  options ??= {};
  checkFloatSize(size);
  if (typeof value !== "number") {
    throw new TypeError(`Invalid value: expected a number, got ${typeof value}`);
  }
  const out = target(size, options);
  const view = new DataView(out.buffer, out.byteOffset, size);
  if (size === 4) view.setFloat32(0, value);
  else view.setFloat64(0, value);
  return out;
}
