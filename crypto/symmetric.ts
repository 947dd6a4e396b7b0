/**
 * AES-GCM, AES-CCM and AES-CBC with the seed's `ba.crypto.symmetric` object model.
 *
 * @module
 */
import { Cbc } from "./_cbc.ts";
import { Ccm } from "./_ccm.ts";
import { Gcm } from "./_gcm.ts";
import { bytesOf } from "./_symmetric_base.ts";
import type {
  AeadCipher,
  SymmetricCipher,
  SymmetricCipherName,
  SymmetricOptions,
} from "./symmetric_cipher.ts";

function isCryptoKey(value: unknown): value is CryptoKey {
  return typeof CryptoKey !== "undefined" && value instanceof CryptoKey;
}

function aesKeyLength(key: CryptoKey): number {
  const alg = key.algorithm as AesKeyAlgorithm;
  if (!alg.name.startsWith("AES-") || typeof alg.length !== "number") {
    throw new TypeError(`Cannot create cipher: a ${alg.name} CryptoKey is not an AES key`);
  }
  return alg.length / 8;
}

const MODES: Record<string, SymmetricCipherName> = {
  gcm: "GCM",
  "aes-gcm": "GCM",
  ccm: "CCM",
  "aes-ccm": "CCM",
  cbc: "CBC",
  "aes-cbc": "CBC",
};

/**
 * Creates an AES encryptor/decryptor for one message, like the seed's
 * `ba.crypto.symmetric(algorithm, key, IV)`. See {@linkcode SymmetricCipher} for the exact
 * chunking rules of each mode.
 *
 * Nonce rules: never reuse a key/IV pair for two messages. For GCM use a random 12-byte IV
 * (at most 2^32 messages per key with random IVs) or a counter; GCM IVs of any other
 * length are supported but 12 bytes is the standard. For CCM the nonce is 7..13 bytes
 * (13 is usual) and must be unique per key; a shorter nonce allows longer messages
 * (2^(8·(15−n)) − 1 bytes). CBC needs an unpredictable (random) 16-byte IV per message.
 *
 * All three run on WebCrypto: CCM is built from native AES-CTR and AES-CBC because no
 * platform API here offers it, and GCM streaming uses native AES-CTR and AES-GCM. Tags are compared in constant time, and a failed check throws
 * {@linkcode DecryptError} without releasing plaintext.
 *
 * @param cipher `"GCM"`, `"CCM"` or `"CBC"` (lower case works too).
 * @param key A 16, 24 or 32-byte key (strings are UTF-8, as in the seed's example), or
 * an AES `CryptoKey`. A CryptoKey of the mode's own algorithm (`AES-GCM` for GCM,
 * `AES-CBC` for CBC) skips the per-message key import; GCM streaming after the first
 * chunk and CCM also need AES-CTR/AES-CBC, so there the CryptoKey must be extractable.
 * @param iv The IV or nonce (strings are UTF-8).
 * @param options CCM tag length.
 * @returns A {@linkcode SymmetricCipher}.
 * @throws {TypeError} If the mode is unknown or an argument has the wrong type.
 * @throws {RangeError} If the key, IV or tag length does not fit the mode.
 *
 * @example The seed's chunked GCM file encryption
 * ```ts
 * import { symmetric } from "@cosocket/crypto";
 * import assert from "node:assert/strict";
 *
 * const key = crypto.getRandomValues(new Uint8Array(16));
 * const iv = crypto.getRandomValues(new Uint8Array(12));
 * const file = crypto.getRandomValues(new Uint8Array(3000));
 * const enc = symmetric("GCM", key, iv).setAuth("header");
 * const dec = symmetric("GCM", key, iv).setAuth("header");
 * const out: Uint8Array[] = [];
 * for (let pos = 0; pos < file.length; pos += 0x500) {
 *   const chunk = file.subarray(pos, pos + 0x500);
 *   const last = pos + 0x500 >= file.length;
 *   const { data, tag } = await enc.encrypt(chunk, last ? "PKCS7" : undefined);
 *   out.push(await dec.decrypt(data, tag!, last ? "PKCS7" : undefined));
 * }
 * assert.deepEqual(new Uint8Array(out.flatMap((c) => [...c])), file);
 * ```
 *
 * @example CCM and CBC
 * ```ts
 * import { symmetric } from "@cosocket/crypto";
 * import assert from "node:assert/strict";
 *
 * const key = crypto.getRandomValues(new Uint8Array(32));
 * const nonce = crypto.getRandomValues(new Uint8Array(13));
 * const { data, tag } = await symmetric("CCM", key, nonce).encrypt("hello");
 * const plain = await symmetric("CCM", key, nonce).decrypt(data, tag);
 * assert.equal(new TextDecoder().decode(plain), "hello");
 *
 * const iv = crypto.getRandomValues(new Uint8Array(16));
 * const cbc = await symmetric("CBC", key, iv).encrypt("hello", "PKCS7");
 * assert.equal(cbc.data.length, 16);
 * const back = await symmetric("CBC", key, iv).decrypt(cbc.data, "PKCS7");
 * assert.equal(new TextDecoder().decode(back), "hello");
 * ```
 */
export function symmetric(
  cipher: "GCM" | "gcm" | "CCM" | "ccm",
  key: string | Uint8Array | CryptoKey,
  iv: string | Uint8Array,
  options?: SymmetricOptions,
): AeadCipher;
/**
 * Creates a GCM, CCM or CBC cipher object, the mode chosen at run time (see
 * the first signature for the details and examples).
 *
 * @param cipher `"GCM"`, `"CCM"` or `"CBC"` (any case).
 * @param key The AES key: 16, 24 or 32 bytes, or an AES `CryptoKey`.
 * @param iv The IV or nonce.
 * @param options `tagLength` for CCM.
 * @returns The cipher.
 * @throws {TypeError} For an unknown mode. {RangeError} For a bad key, IV or tag length.
 */
export function symmetric(
  cipher: SymmetricCipherName | Lowercase<SymmetricCipherName>,
  key: string | Uint8Array | CryptoKey,
  iv: string | Uint8Array,
  options?: SymmetricOptions,
): SymmetricCipher;
export function symmetric(
  cipher: SymmetricCipherName | Lowercase<SymmetricCipherName>,
  key: string | Uint8Array | CryptoKey,
  iv: string | Uint8Array,
  options: SymmetricOptions = {},
): SymmetricCipher {
  const mode = typeof cipher === "string" ? MODES[cipher.toLowerCase()] : undefined;
  if (!mode) throw new TypeError(`Cannot create cipher: unsupported mode "${String(cipher)}"`);
  const k = isCryptoKey(key) ? key : bytesOf(key, "key");
  const keyBytes = k instanceof Uint8Array ? k.length : aesKeyLength(k);
  const n = bytesOf(iv, "IV");
  if (keyBytes !== 16 && keyBytes !== 24 && keyBytes !== 32) {
    throw new RangeError(`Cannot create cipher: AES keys are 16, 24 or 32 bytes, got ${keyBytes}`);
  }
  if (mode === "GCM") {
    if (n.length === 0 || n.length > 1024) {
      throw new RangeError(`Cannot create cipher: GCM IV must be 1..1024 bytes, got ${n.length}`);
    }
    if (options.tagLength !== undefined && options.tagLength !== 16) {
      throw new RangeError("Cannot create cipher: GCM tags are 16 bytes");
    }
    return new Gcm(k, n);
  }
  if (mode === "CCM") {
    if (n.length < 7 || n.length > 13) {
      throw new RangeError(`Cannot create cipher: CCM nonce must be 7..13 bytes, got ${n.length}`);
    }
    const t = options.tagLength ?? 16;
    if (![4, 6, 8, 10, 12, 14, 16].includes(t)) {
      throw new RangeError(`Cannot create cipher: CCM tag length must be 4, 6, ..., 16, got ${t}`);
    }
    return new Ccm(k, n, t);
  }
  if (n.length !== 16) {
    throw new RangeError(`Cannot create cipher: CBC IV must be 16 bytes, got ${n.length}`);
  }
  return new Cbc(k, n);
}
