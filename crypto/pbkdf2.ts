/**
 * PBKDF2 key derivation (RFC 8018, the seed's `ba.crypto.PBKDF2`) on WebCrypto.
 *
 * @module
 */
import { toBytes } from "./_bytes.ts";
import type { SeedHashName } from "./hash_name.ts";

/** Pseudo-random functions for {@linkcode pbkdf2}: HMAC with the named hash. */
export type Pbkdf2Prf = SeedHashName;

const PRFS: Record<string, { hash: string; block: number }> = {
  sha1: { hash: "SHA-1", block: 64 },
  sha256: { hash: "SHA-256", block: 64 },
  sha384: { hash: "SHA-384", block: 128 },
  sha512: { hash: "SHA-512", block: 128 },
};

/** Largest derived key accepted, in bytes. */
const MAX_DK_LEN = 1 << 20;

function bytes(value: string | Uint8Array, what: string): Uint8Array<ArrayBuffer> {
  return toBytes(value, "derive key", what, { copy: true });
}

/**
 * Derives `dkLen` bytes from a password with PBKDF2-HMAC, running natively in WebCrypto.
 * The argument order is the seed's and RFC 8018's (PRF, P, S, c, dkLen).
 *
 * Choosing `iterations`: the count is what makes guessing passwords expensive. For
 * password storage OWASP (2023) recommends at least 600,000 iterations with `"sha256"`,
 * 210,000 with `"sha512"` and 1,300,000 with `"sha1"`; use a random salt of at least
 * 16 bytes per password. Low counts are fine only for deriving keys from secrets that are
 * already random.
 *
 * A zero-length password, which WebCrypto refuses, is handled: HMAC pads short keys with
 * zeros, so it is derived with one block of zero bytes, which gives the same result.
 *
 * @param prf The PRF: HMAC with `"sha1"`, `"sha256"`, `"sha384"` or `"sha512"`.
 * @param password The password (strings are UTF-8).
 * @param salt The salt (strings are UTF-8).
 * @param iterations The iteration count `c`, an integer of at least 1.
 * @param dkLen Length of the derived key in bytes (1 to 1,048,576).
 * @returns The derived key.
 * @throws {TypeError} If the PRF is unknown or password/salt have the wrong type.
 * @throws {RangeError} If `iterations` or `dkLen` is out of range.
 *
 * @example RFC 7914 test vector
 * ```ts
 * import { pbkdf2 } from "@cosocket/crypto";
 * import assert from "node:assert/strict";
 *
 * const dk = await pbkdf2("sha256", "passwd", "salt", 1, 64);
 * assert.equal(dk.toHex().slice(0, 32), "55ac046e56e3089fec1691c22544b605");
 * ```
 */
export async function pbkdf2(
  prf: Pbkdf2Prf,
  password: string | Uint8Array,
  salt: string | Uint8Array,
  iterations: number,
  dkLen: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const info = PRFS[prf];
  if (!info) throw new TypeError(`Cannot derive key: unsupported PRF "${String(prf)}"`);
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > 0xffffffff) {
    throw new RangeError(
      `Cannot derive key: iterations must be an integer >= 1, got ${iterations}`,
    );
  }
  if (!Number.isInteger(dkLen) || dkLen < 1 || dkLen > MAX_DK_LEN) {
    throw new RangeError(`Cannot derive key: dkLen must be 1..${MAX_DK_LEN}, got ${dkLen}`);
  }
  let p = bytes(password, "password");
  const s = bytes(salt, "salt");
  if (p.length === 0) p = new Uint8Array(info.block);
  const key = await crypto.subtle.importKey("raw", p, "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: info.hash, salt: s, iterations },
    key,
    dkLen * 8,
  );
  return new Uint8Array(bits);
}
