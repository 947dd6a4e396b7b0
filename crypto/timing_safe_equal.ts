/**
 * Compares two byte arrays in time that depends only on their length, not on where they
 * differ. Use it for MACs, authentication tags and other secrets so that an attacker cannot
 * learn how many leading bytes of a guess are right.
 *
 * Arrays of different lengths compare unequal at once: the length of a MAC or tag is public.
 *
 * @param a The first byte array.
 * @param b The second byte array.
 * @returns `true` when both arrays hold the same bytes.
 *
 * @example Compare two MACs
 * ```ts
 * import { timingSafeEqual } from "@cosocket/crypto";
 * import assert from "node:assert/strict";
 *
 * const expected = new Uint8Array([1, 2, 3, 4]);
 * assert(timingSafeEqual(expected, new Uint8Array([1, 2, 3, 4])));
 * assert(!timingSafeEqual(expected, new Uint8Array([1, 2, 3, 5])));
 * assert(!timingSafeEqual(expected, new Uint8Array([1, 2, 3])));
 * ```
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array)) {
    throw new TypeError("Cannot compare: both arguments must be Uint8Array");
  }
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
