/**
 * Fernet tokens (https://github.com/fernet/spec), as in the seed's Fernet example:
 * AES-128-CBC with PKCS#7 padding, authenticated with HMAC-SHA256.
 *
 * @module
 */
import { createHmac } from "node:crypto";
import { DecryptError } from "./decrypt_error.ts";
import { symmetric } from "./symmetric.ts";
import { timingSafeEqual } from "./timing_safe_equal.ts";

/** Options for {@linkcode fernetEncrypt}. */
export interface FernetEncryptOptions {
  /**
   * The token's timestamp.
   *
   * @default {new Date()}
   */
  now?: Date;
  /**
   * The 16-byte IV. Only tests should set it: every token needs a fresh random IV.
   *
   * @default {crypto.getRandomValues(new Uint8Array(16))}
   */
  iv?: Uint8Array;
}

/** Options for {@linkcode fernetDecrypt}. */
export interface FernetDecryptOptions {
  /**
   * Maximum token age in seconds; older tokens are rejected with code `"expired"`.
   * `undefined` accepts tokens of any age.
   *
   * @default {undefined}
   */
  ttl?: number;
  /**
   * The current time used for the age and clock-skew checks.
   *
   * @default {new Date()}
   */
  now?: Date;
  /**
   * How far in the future (seconds) a timestamp may be before the token is rejected.
   *
   * @default {60}
   */
  maxClockSkew?: number;
}

/** A decrypted Fernet token. */
export interface FernetResult {
  /** The message. */
  data: Uint8Array<ArrayBuffer>;
  /** When the token was made (whole seconds). */
  timestamp: Date;
}

function parseKey(
  key: string,
): { signing: Uint8Array<ArrayBuffer>; encryption: Uint8Array<ArrayBuffer> } {
  let raw: Uint8Array<ArrayBuffer>;
  try {
    raw = Uint8Array.fromBase64(String(key), { alphabet: "base64url" });
  } catch {
    throw new TypeError("Cannot use Fernet key: it is not base64url");
  }
  if (raw.length !== 32) {
    throw new TypeError(`Cannot use Fernet key: it must hold 32 bytes, got ${raw.length}`);
  }
  return { signing: raw.slice(0, 16), encryption: raw.slice(16) };
}

function hmac(key: Uint8Array, data: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(createHmac("sha256", key).update(data).digest());
}

/**
 * Creates a random Fernet key (32 bytes, base64url with padding, as Python's
 * `Fernet.generate_key()` writes it).
 *
 * @returns The key.
 *
 * @example Make a key
 * ```ts
 * import { createFernetKey } from "@cosocket/crypto";
 * import assert from "node:assert/strict";
 *
 * assert.equal(createFernetKey().length, 44);
 * ```
 */
export function createFernetKey(): string {
  return crypto.getRandomValues(new Uint8Array(32)).toBase64({ alphabet: "base64url" });
}

/**
 * Encrypts a message into a Fernet token.
 *
 * @param key The base64url Fernet key (signing key ‖ encryption key).
 * @param data The message (strings are UTF-8).
 * @param options Timestamp and IV (for tests).
 * @returns The token (base64url with padding).
 * @throws {TypeError} If the key is not 32 bytes of base64url or the IV is not 16 bytes.
 *
 * @example Round trip
 * ```ts
 * import { createFernetKey, fernetDecrypt, fernetEncrypt } from "@cosocket/crypto";
 * import assert from "node:assert/strict";
 *
 * const key = createFernetKey();
 * const token = await fernetEncrypt(key, "hello");
 * const { data } = await fernetDecrypt(key, token, { ttl: 60 });
 * assert.equal(new TextDecoder().decode(data), "hello");
 * ```
 */
export async function fernetEncrypt(
  key: string,
  data: string | Uint8Array,
  options: FernetEncryptOptions = {},
): Promise<string> {
  const { signing, encryption } = parseKey(key);
  const iv = options.iv ?? crypto.getRandomValues(new Uint8Array(16));
  if (!(iv instanceof Uint8Array) || iv.length !== 16) {
    throw new TypeError("Cannot create Fernet token: the IV must be 16 bytes");
  }
  const seconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const { data: ciphertext } = await symmetric("CBC", encryption, iv).encrypt(data, "PKCS7");
  const body = new Uint8Array(25 + ciphertext.length + 32);
  body[0] = 0x80;
  new DataView(body.buffer).setBigUint64(1, BigInt(seconds));
  body.set(iv, 9);
  body.set(ciphertext, 25);
  body.set(hmac(signing, body.subarray(0, 25 + ciphertext.length)), 25 + ciphertext.length);
  return body.toBase64({ alphabet: "base64url" });
}

/**
 * Verifies and decrypts a Fernet token, following the spec's order: version, timestamp
 * (age and clock skew), HMAC (constant-time), then AES-CBC and padding. Every failure
 * other than age throws the same {@linkcode DecryptError} (`code: "decrypt"`), so bad
 * padding cannot be told apart from a bad MAC.
 *
 * @param key The base64url Fernet key.
 * @param token The token.
 * @param options TTL, the current time and the allowed clock skew.
 * @returns The message and its timestamp.
 * @throws {TypeError} If the key is malformed.
 * @throws {DecryptError} With code `"expired"` if the token is older than `ttl`, and
 * `"decrypt"` for anything else wrong with the token.
 *
 * @example Decrypt the seed's example token shape
 * ```ts
 * import { DecryptError, fernetDecrypt } from "@cosocket/crypto";
 * import assert from "node:assert/strict";
 *
 * const key = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";
 * const token =
 *   "gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==";
 * const { data, timestamp } = await fernetDecrypt(key, token);
 * assert.equal(new TextDecoder().decode(data), "hello");
 * assert.equal(timestamp.toISOString(), "1985-10-26T08:20:00.000Z");
 * await assert.rejects(fernetDecrypt(key, token, { ttl: 60 }), DecryptError); // long expired
 * ```
 */
export async function fernetDecrypt(
  key: string,
  token: string,
  options: FernetDecryptOptions = {},
): Promise<FernetResult> {
  const { signing, encryption } = parseKey(key);
  let raw: Uint8Array<ArrayBuffer>;
  try {
    // strict: a token has exactly one encoding (no ignored bits); padding may be omitted
    let text = String(token).trim();
    if (text.length % 4 !== 0) text += "=".repeat(4 - (text.length % 4));
    raw = Uint8Array.fromBase64(text, { alphabet: "base64url", lastChunkHandling: "strict" });
  } catch {
    throw new DecryptError();
  }
  if (raw.length < 25 + 16 + 32 || (raw.length - 57) % 16 !== 0 || raw[0] !== 0x80) {
    throw new DecryptError();
  }
  const seconds = Number(new DataView(raw.buffer).getBigUint64(1));
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (seconds > now + (options.maxClockSkew ?? 60)) throw new DecryptError();
  if (options.ttl !== undefined && now - seconds > options.ttl) throw new DecryptError("expired");
  const macStart = raw.length - 32;
  if (!timingSafeEqual(hmac(signing, raw.subarray(0, macStart)), raw.subarray(macStart))) {
    throw new DecryptError();
  }
  const data = await symmetric("CBC", encryption, raw.subarray(9, 25)).decrypt(
    raw.subarray(25, macStart),
    "PKCS7",
  );
  return { data, timestamp: new Date(seconds * 1000) };
}
