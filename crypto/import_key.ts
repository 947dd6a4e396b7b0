/**
 * Turns PEM, DER, JWK, bare RSA `{n, e}` numbers or raw HMAC secrets into WebCrypto keys.
 *
 * @module
 */
import { OID_EC, OID_ED25519, OID_RSA, OID_RSA_PSS, parseKeyMaterial } from "./_key_der.ts";

import type { HashName } from "./hash_name.ts";

export type { HashName };

/**
 * The public numbers of an RSA key: modulus `n` and public exponent `e`, as in the seed's
 * RS256 single sign-on mode of `ba.crypto.verify`. Strings are base64url without padding,
 * exactly as in a JWK (`{ kty: "RSA", n, e }`); a `Uint8Array` is the unsigned big-endian
 * number.
 */
export interface RsaPublicNumbers {
  /** The modulus: base64url string or big-endian bytes. */
  n: string | Uint8Array;
  /** The public exponent: base64url string (usually `"AQAB"`) or big-endian bytes. */
  e: string | Uint8Array;
}

/**
 * Key material accepted by {@linkcode importKey} and by the signing, verification and
 * encryption functions of this package:
 * - `string`: PEM text — PKCS#8 `PRIVATE KEY`, SEC1 `EC PRIVATE KEY`, PKCS#1
 *   `RSA PRIVATE KEY` / `RSA PUBLIC KEY`, SPKI `PUBLIC KEY`, or `CERTIFICATE` (its public
 *   key is used). For HMAC only, a string is the raw secret, encoded as UTF-8.
 * - `Uint8Array`: the raw secret for HMAC, otherwise DER of any structure listed above.
 * - `JsonWebKey`: a JWK (`kty` is required).
 * - {@linkcode RsaPublicNumbers}: a bare `{n, e}` RSA public key.
 * - `CryptoKey`: used as is when it fits the algorithm and usage.
 */
export type KeyInput = string | Uint8Array | JsonWebKey | RsaPublicNumbers | CryptoKey;

/** The algorithm a key is imported for. */
export type KeyAlgorithm =
  | { name: "HMAC"; hash: HashName }
  | { name: "RSASSA-PKCS1-v1_5"; hash: HashName }
  | { name: "RSA-PSS"; hash: HashName }
  | { name: "RSA-OAEP"; hash: HashName }
  | { name: "ECDSA"; namedCurve: "P-256" | "P-384" | "P-521" }
  | { name: "Ed25519" };

/** What the imported key will be used for. */
export type KeyUsageName = "sign" | "verify" | "encrypt" | "decrypt";

/** Options for {@linkcode importKey}. */
export interface ImportKeyOptions {
  /**
   * Password of an encrypted private key (PKCS#8 `ENCRYPTED PRIVATE KEY`, or legacy
   * OpenSSL `Proc-Type: 4,ENCRYPTED` PEM). Decryption uses `node:crypto`.
   *
   * @default {undefined}
   */
  password?: string;
}

const HASHES = new Set(["SHA-1", "SHA-256", "SHA-384", "SHA-512"]);
const CURVES = new Set(["P-256", "P-384", "P-521"]);
const USAGES = new Set(["sign", "verify", "encrypt", "decrypt"]);
const PRIVATE_JWK_FIELDS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] as const;

function typeError(detail: string): TypeError {
  return new TypeError(`Cannot import key: ${detail}`);
}

function checkAlgorithm(algorithm: KeyAlgorithm): void {
  if (typeof algorithm !== "object" || algorithm === null) {
    throw typeError("algorithm must be an object");
  }
  switch (algorithm.name) {
    case "HMAC":
    case "RSASSA-PKCS1-v1_5":
    case "RSA-PSS":
    case "RSA-OAEP":
      if (!HASHES.has(algorithm.hash)) {
        throw typeError(`unsupported hash "${String(algorithm.hash)}"`);
      }
      return;
    case "ECDSA":
      if (!CURVES.has(algorithm.namedCurve)) {
        throw typeError(`unsupported curve "${String(algorithm.namedCurve)}"`);
      }
      return;
    case "Ed25519":
      return;
    default:
      throw typeError(`unsupported algorithm "${String((algorithm as { name: unknown }).name)}"`);
  }
}

function checkUsage(algorithm: KeyAlgorithm, usage: KeyUsageName): "private" | "public" {
  if (!USAGES.has(usage)) throw typeError(`unsupported usage "${String(usage)}"`);
  const encrypting = usage === "encrypt" || usage === "decrypt";
  if (algorithm.name === "RSA-OAEP" ? !encrypting : encrypting) {
    throw typeError(`usage "${usage}" does not fit algorithm "${algorithm.name}"`);
  }
  return usage === "sign" || usage === "decrypt" ? "private" : "public";
}

/** HMAC pads keys shorter than the hash block with zeros, so an empty key equals a block of zeros. */
function hmacBlockSize(hash: HashName): number {
  return hash === "SHA-384" || hash === "SHA-512" ? 128 : 64;
}

function toBase64Url(value: string | Uint8Array, field: string): string {
  if (value instanceof Uint8Array) {
    return value.toBase64({ alphabet: "base64url", omitPadding: true });
  }
  if (typeof value === "string" && /^[A-Za-z0-9_-]+$/.test(value)) return value;
  throw typeError(`RSA public number "${field}" must be base64url text or bytes`);
}

function isCryptoKey(value: unknown): value is CryptoKey {
  return typeof CryptoKey !== "undefined" && value instanceof CryptoKey;
}

async function importHmac(
  key: KeyInput,
  algorithm: { name: "HMAC"; hash: HashName },
  usage: KeyUsageName,
): Promise<CryptoKey> {
  const params = { name: "HMAC", hash: algorithm.hash };
  let raw: Uint8Array<ArrayBuffer>;
  if (typeof key === "string") raw = new TextEncoder().encode(key);
  else if (key instanceof Uint8Array) raw = key.slice();
  else if (isCryptoKey(key)) {
    if (key.algorithm.name !== "HMAC") throw typeError("CryptoKey is not an HMAC key");
    const hash = (key.algorithm as HmacKeyAlgorithm).hash.name;
    if (hash === algorithm.hash && key.usages.includes(usage)) return key;
    if (!key.extractable) {
      throw typeError("the HMAC CryptoKey does not fit the hash or usage and is not extractable");
    }
    raw = new Uint8Array(await crypto.subtle.exportKey("raw", key));
  } else if (typeof key === "object" && key !== null && (key as JsonWebKey).kty === "oct") {
    const k = (key as JsonWebKey).k;
    if (typeof k !== "string") throw typeError('HMAC JWK has no "k"');
    try {
      raw = Uint8Array.fromBase64(k, { alphabet: "base64url" });
    } catch {
      throw new SyntaxError('Cannot import key: HMAC JWK "k" is not base64url');
    }
  } else throw typeError("an HMAC key must be a string, bytes, an oct JWK or a CryptoKey");
  if (raw.length === 0) raw = new Uint8Array(hmacBlockSize(algorithm.hash));
  return await crypto.subtle.importKey("raw", raw, params, true, [usage]);
}

function webParams(
  algorithm: KeyAlgorithm,
): AlgorithmIdentifier | RsaHashedImportParams | EcKeyImportParams {
  switch (algorithm.name) {
    case "ECDSA":
      return { name: "ECDSA", namedCurve: algorithm.namedCurve };
    case "Ed25519":
      return { name: "Ed25519" };
    case "HMAC":
      return { name: "HMAC", hash: algorithm.hash };
    default:
      return { name: algorithm.name, hash: algorithm.hash };
  }
}

function checkOid(algorithm: KeyAlgorithm, oid: string, curve: string | undefined): void {
  const rsa = algorithm.name.startsWith("RSA");
  const ok = rsa
    ? oid === OID_RSA || (oid === OID_RSA_PSS && algorithm.name === "RSA-PSS")
    : algorithm.name === "ECDSA"
    ? oid === OID_EC && curve === algorithm.namedCurve
    : oid === OID_ED25519;
  if (!ok) {
    const what = oid === OID_EC
      ? `EC ${curve}`
      : oid === OID_ED25519
      ? "Ed25519"
      : oid === OID_RSA || oid === OID_RSA_PSS
      ? "RSA"
      : `OID ${oid}`;
    const want = algorithm.name === "ECDSA" ? `ECDSA ${algorithm.namedCurve}` : algorithm.name;
    throw typeError(`a ${what} key cannot be used for ${want}`);
  }
}

function checkJwk(algorithm: KeyAlgorithm, jwk: JsonWebKey): void {
  const ok = algorithm.name.startsWith("RSA")
    ? jwk.kty === "RSA"
    : algorithm.name === "ECDSA"
    ? jwk.kty === "EC" && jwk.crv === algorithm.namedCurve
    : jwk.kty === "OKP" && jwk.crv === "Ed25519";
  if (!ok) {
    throw typeError(
      `a JWK with kty "${String(jwk.kty)}"${
        jwk.crv ? ` and crv "${jwk.crv}"` : ""
      } cannot be used for ${algorithm.name}`,
    );
  }
}

async function fromWebCrypto<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (
      error instanceof DOMException &&
      (error.name === "DataError" || error.name === "OperationError")
    ) {
      throw new SyntaxError(`Cannot import key: ${error.message}`);
    }
    if (error instanceof DOMException) throw typeError(error.message);
    throw error;
  }
}

/** Removes private and policy members so the public half can be imported on its own. */
function publicJwk(jwk: JsonWebKey): JsonWebKey {
  const out: Record<string, unknown> = { ...jwk };
  for (const f of PRIVATE_JWK_FIELDS) delete out[f];
  delete out.key_ops;
  delete out.ext;
  delete out.alg;
  delete out.use;
  return out as JsonWebKey;
}

async function importJwk(
  jwk: JsonWebKey,
  algorithm: KeyAlgorithm,
  usage: KeyUsageName,
  need: "private" | "public",
): Promise<CryptoKey> {
  checkJwk(algorithm, jwk);
  const isPrivate = typeof jwk.d === "string";
  if (need === "private" && !isPrivate) throw typeError(`usage "${usage}" needs a private key`);
  // `alg`, `key_ops`, `use` and `ext` are policy hints; the caller's algorithm decides.
  const clean = need === "public" ? publicJwk(jwk) : { ...jwk };
  delete clean.key_ops;
  delete clean.ext;
  delete clean.alg;
  delete clean.use;
  return await fromWebCrypto(() =>
    crypto.subtle.importKey("jwk", clean, webParams(algorithm), true, [usage])
  );
}

async function adaptCryptoKey(
  key: CryptoKey,
  algorithm: KeyAlgorithm,
  usage: KeyUsageName,
  need: "private" | "public",
): Promise<CryptoKey> {
  const alg = key.algorithm as { name: string; namedCurve?: string; hash?: { name: string } };
  const sameFamily = alg.name === algorithm.name ||
    (alg.name.startsWith("RSA") && algorithm.name.startsWith("RSA"));
  if (!sameFamily || (algorithm.name === "ECDSA" && alg.namedCurve !== algorithm.namedCurve)) {
    throw typeError(`a ${alg.name} CryptoKey cannot be used for ${algorithm.name}`);
  }
  const hashOk = !("hash" in algorithm) || alg.hash === undefined ||
    alg.hash.name === algorithm.hash;
  if (alg.name === algorithm.name && hashOk && key.usages.includes(usage)) {
    if (key.type === need || (need === "public" && key.type === "public")) return key;
  }
  if (need === "private" && key.type !== "private") {
    throw typeError(`usage "${usage}" needs a private key`);
  }
  if (!key.extractable) {
    throw typeError("the CryptoKey does not fit the algorithm or usage and is not extractable");
  }
  const jwk = await fromWebCrypto(() => crypto.subtle.exportKey("jwk", key));
  return await importJwk(jwk, algorithm, usage, need);
}

/**
 * Imports key material as a WebCrypto `CryptoKey` for one algorithm and usage.
 *
 * A private key imported for `"verify"` or `"encrypt"` yields its public key, so one PEM
 * can both sign and verify. Keys are imported extractable so that the public part can be
 * exported (for example as a JWK). JWK members `alg`, `key_ops`, `use` and `ext` are
 * ignored: the `algorithm` argument decides.
 *
 * HMAC accepts a zero-length secret, which WebCrypto refuses: HMAC pads every key shorter
 * than the hash block with zero bytes, so an empty key is imported as one block of zeros
 * (64 bytes for SHA-1/SHA-256, 128 for SHA-384/SHA-512). The MACs are identical; only an
 * exported JWK shows the zeros.
 *
 * @param key The key material; see {@linkcode KeyInput}.
 * @param algorithm The algorithm the key is for.
 * @param usage What the key will do.
 * @param options Password for encrypted private keys.
 * @returns The imported key.
 * @throws {TypeError} If the key is of the wrong kind or shape for the algorithm or usage
 * (for example a public key for `"sign"`, an RSA key for ECDSA, a P-384 key for P-256).
 * @throws {SyntaxError} If PEM or DER does not parse.
 *
 * @example Sign and verify with one PEM private key
 * ```ts
 * import { createKey, importKey } from "@cosocket/crypto";
 * import assert from "node:assert/strict";
 *
 * const pem = await createKey(); // EC P-256, PKCS#8 PEM
 * const alg = { name: "ECDSA", namedCurve: "P-256" } as const;
 * const priv = await importKey(pem, alg, "sign");
 * const pub = await importKey(pem, alg, "verify");
 * assert.equal(pub.type, "public");
 * const data = new TextEncoder().encode("hello");
 * const sig = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, priv, data);
 * assert.ok(await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, pub, sig, data));
 * ```
 *
 * @example HMAC from a secret string and an RSA key from bare `{n, e}`
 * ```ts
 * import { importKey } from "@cosocket/crypto";
 * import assert from "node:assert/strict";
 *
 * const mac = await importKey("my-secret", { name: "HMAC", hash: "SHA-256" }, "sign");
 * assert.equal(mac.algorithm.name, "HMAC");
 *
 * const pair = await crypto.subtle.generateKey(
 *   { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
 *   true,
 *   ["sign", "verify"],
 * );
 * const { n, e } = await crypto.subtle.exportKey("jwk", pair.publicKey);
 * const pub = await importKey({ n: n!, e: e! }, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, "verify");
 * assert.equal(pub.type, "public");
 * ```
 */
export async function importKey(
  key: KeyInput,
  algorithm: KeyAlgorithm,
  usage: KeyUsageName,
  options: ImportKeyOptions = {},
): Promise<CryptoKey> {
  checkAlgorithm(algorithm);
  const need = checkUsage(algorithm, usage);
  if (algorithm.name === "HMAC") return await importHmac(key, algorithm, usage);
  if (isCryptoKey(key)) return await adaptCryptoKey(key, algorithm, usage, need);
  if (typeof key === "string" || key instanceof Uint8Array) {
    const parsed = parseKeyMaterial(key, options.password);
    checkOid(algorithm, parsed.oid, parsed.curve);
    if (need === "private" && parsed.kind !== "private") {
      throw typeError(`usage "${usage}" needs a private key`);
    }
    if (parsed.kind === "private" && need === "private") {
      return await fromWebCrypto(() =>
        crypto.subtle.importKey("pkcs8", parsed.der, webParams(algorithm), true, [usage])
      );
    }
    if (parsed.kind === "public") {
      return await fromWebCrypto(() =>
        crypto.subtle.importKey("spki", parsed.der, webParams(algorithm), true, [usage])
      );
    }
    const privateUsage = usage === "encrypt" ? "decrypt" : "sign";
    const priv = await fromWebCrypto(() =>
      crypto.subtle.importKey("pkcs8", parsed.der, webParams(algorithm), true, [privateUsage])
    );
    const jwk = await fromWebCrypto(() => crypto.subtle.exportKey("jwk", priv));
    return await importJwk(jwk, algorithm, usage, "public");
  }
  if (typeof key === "object" && key !== null) {
    if (typeof (key as JsonWebKey).kty === "string") {
      return await importJwk(key as JsonWebKey, algorithm, usage, need);
    }
    if ("n" in key && "e" in key) {
      if (!algorithm.name.startsWith("RSA")) {
        throw typeError(`RSA public numbers cannot be used for ${algorithm.name}`);
      }
      const jwk: JsonWebKey = {
        kty: "RSA",
        n: toBase64Url(key.n, "n"),
        e: toBase64Url(key.e, "e"),
      };
      return await importJwk(jwk, algorithm, usage, need);
    }
  }
  throw typeError("expected PEM, DER, a JWK, RSA public numbers or a CryptoKey");
}
