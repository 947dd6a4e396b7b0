/**
 * Synchronous, incremental, chainable hashes and HMACs (the seed's `ba.crypto.hash`).
 *
 * WebCrypto has no synchronous or incremental digest and no MD5, so this module runs on
 * `node:crypto`, which Deno has built in.
 *
 * @module
 */
import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import type { SeedHashName } from "./hash_name.ts";

/** Hash algorithms of {@linkcode hash}, with the seed's names. */
export type HashAlgorithm = "md5" | SeedHashName;

/**
 * Output formats of a digest: `"binary"`/`"raw"` give bytes; `"hex"`, `"b64"`/`"base64"`
 * and `"b64u"`/`"base64url"` (no padding) give text.
 */
export type DigestFormat = BinaryDigestFormat | TextDigestFormat;
/** Digest formats that produce bytes. */
export type BinaryDigestFormat = "binary" | "raw";
/** Digest formats that produce text. */
export type TextDigestFormat = "hex" | "b64" | "base64" | "b64u" | "base64url";

/**
 * A running hash or HMAC. Call it with data to feed it (it returns itself, so calls chain);
 * call it with no arguments, or with `true` and a format, to finish. `update()`/`digest()`
 * are the same operations under their conventional names. A finished hash cannot be fed
 * or finished again.
 */
export interface HashFunction {
  /** Feeds data (strings are UTF-8) and returns this hash for chaining. */
  (data: string | Uint8Array): HashFunction;
  /** Finishes and returns the digest bytes. */
  (): Uint8Array<ArrayBuffer>;
  /** Finishes and returns the digest bytes. */
  (finish: true, format?: BinaryDigestFormat): Uint8Array<ArrayBuffer>;
  /** Finishes and returns the digest as text. */
  (finish: true, format: TextDigestFormat): string;
  /** Feeds data (strings are UTF-8) and returns this hash for chaining. */
  update(data: string | Uint8Array): HashFunction;
  /** Finishes and returns the digest bytes. */
  digest(format?: BinaryDigestFormat): Uint8Array<ArrayBuffer>;
  /** Finishes and returns the digest as text. */
  digest(format: TextDigestFormat): string;
  /** The algorithm, such as `"sha256"` or `"hmac-sha256"`. */
  readonly algorithm: string;
}

const ALGORITHMS = new Set(["md5", "sha1", "sha256", "sha384", "sha512"]);

function checkAlgorithm(name: unknown): HashAlgorithm {
  if (typeof name !== "string" || !ALGORITHMS.has(name)) {
    throw new TypeError(`Cannot create hash: unsupported algorithm "${String(name)}"`);
  }
  return name as HashAlgorithm;
}

/**
 * Creates a synchronous, incremental hash, or an HMAC when the first argument is
 * `"hmac"`. Without arguments the algorithm is SHA-1, as in the seed.
 *
 * The seed's chains work unchanged: `hash("md5")(user)(password)(true, "b64")`, and `()`
 * returns the raw digest bytes.
 *
 * MD5 and SHA-1 are broken for collision resistance; use them only where a protocol
 * demands them (HTTP digest authentication, legacy HMAC).
 *
 * @param algorithm The hash algorithm.
 * @returns A {@linkcode HashFunction}.
 * @throws {TypeError} If the algorithm is unknown.
 *
 * @example Seed-style chain and the conventional form
 * ```ts
 * import { hash } from "@cosocket/crypto";
 * import assert from "node:assert/strict";
 *
 * const b64 = hash("md5")("user")(":")("password")(true, "b64");
 * assert.equal(b64, hash("md5").update("user:password").digest("base64"));
 * assert.equal(hash("sha256")("abc")().length, 32);
 * ```
 */
export function hash(algorithm?: HashAlgorithm): HashFunction;
/**
 * Creates a synchronous, incremental HMAC.
 *
 * @param algorithm Always `"hmac"`.
 * @param hashAlgorithm The underlying hash.
 * @param key The secret key (strings are UTF-8). Any length, including zero, works.
 * @returns A {@linkcode HashFunction}.
 * @throws {TypeError} If the hash algorithm is unknown or the key is missing.
 *
 * @example HMAC as in the seed
 * ```ts
 * import { hash } from "@cosocket/crypto";
 * import assert from "node:assert/strict";
 *
 * const mac = hash("hmac", "sha256", "key")("The quick brown fox jumps over the lazy dog")(true, "hex");
 * assert.equal(mac, "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
 * ```
 */
export function hash(
  algorithm: "hmac",
  hashAlgorithm: HashAlgorithm,
  key: string | Uint8Array,
): HashFunction;
export function hash(
  algorithm: HashAlgorithm | "hmac" = "sha1",
  hashAlgorithm?: HashAlgorithm,
  key?: string | Uint8Array,
): HashFunction {
  if (algorithm === "hmac") {
    const inner = checkAlgorithm(hashAlgorithm);
    if (typeof key !== "string" && !(key instanceof Uint8Array)) {
      throw new TypeError("Cannot create HMAC: key must be a string or Uint8Array");
    }
    return chain(createHmac(inner, key), `hmac-${inner}`);
  }
  const name = checkAlgorithm(algorithm);
  return chain(createHash(name), name);
}

function encodingOf(format: unknown): "hex" | "base64" | "base64url" | undefined {
  switch (format) {
    case "hex":
      return "hex";
    case "b64":
    case "base64":
      return "base64";
    case "b64u":
    case "base64url":
      return "base64url";
    case undefined:
    case "binary":
    case "raw":
      return undefined;
    default:
      throw new TypeError(`Cannot finish hash: unsupported format "${String(format)}"`);
  }
}

/** Properties attached to each chain function (plain assignments keep creation cheap). */
interface Mutable {
  update: unknown;
  digest: unknown;
  algorithm: string;
}

type Callable = (data?: unknown, format?: unknown) => unknown;

// Shared by every chain (called as methods, so `this` is the chain function).
function sharedUpdate(this: Callable, data: unknown): unknown {
  if (data === undefined || typeof data === "boolean") {
    throw new TypeError("Cannot update hash: data must be a string or Uint8Array");
  }
  return this(data);
}

function sharedDigest(this: Callable, format?: unknown): unknown {
  return this(true, format);
}

function chain(state: Hash | Hmac, algorithm: string): HashFunction {
  let finished = false;
  const fn = function (data?: unknown, format?: unknown) {
    if (data === undefined || typeof data === "boolean") {
      if (finished) throw new TypeError("Cannot finish hash: the digest was already computed");
      const encoding = encodingOf(format);
      finished = true;
      if (encoding !== undefined) return state.digest(encoding);
      // Deno's node:crypto builds a binary digest Buffer slowly; hex plus fromHex is ~2x faster
      return Uint8Array.fromHex(state.digest("hex"));
    }
    if (finished) throw new TypeError("Cannot update hash: the digest was already computed");
    if (typeof data === "string") state.update(data, "utf8");
    else if (data instanceof Uint8Array) state.update(data);
    else throw new TypeError("Cannot update hash: data must be a string or Uint8Array");
    return fn;
  } as HashFunction;
  const m = fn as unknown as Mutable;
  m.update = sharedUpdate;
  m.digest = sharedDigest;
  m.algorithm = algorithm;
  return fn;
}
