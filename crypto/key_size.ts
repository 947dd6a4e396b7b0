/**
 * Key sizes (the seed's `ba.crypto.keysize`).
 *
 * @module
 */
import { contents, derChildren, readRoot, unsignedIntegerBytes } from "./_der.ts";
import { OID_EC, OID_ED25519, OID_RSA, OID_RSA_PSS, parseKeyMaterial } from "./_key_der.ts";
import { curveSize } from "./_asymmetric.ts";
import type { KeyInput } from "./import_key.ts";

/** Options for {@linkcode keySize}. */
export interface KeySizeOptions {
  /**
   * Password of an encrypted private key.
   *
   * @default {undefined}
   */
  password?: string;
}

const EC_SIZES: Record<string, number> = { "P-256": 32, "P-384": 48, "P-521": 66 };

function rsaModulusFromDer(der: Uint8Array, kind: "private" | "public"): number {
  const root = readRoot(der);
  const kids = derChildren(der, root);
  let inner: Uint8Array;
  if (kind === "public") inner = contents(der, kids[1]!).subarray(1);
  else inner = contents(der, kids[2]!);
  const seq = derChildren(inner, readRoot(inner));
  const n = kind === "public" ? seq[0]! : seq[1]!;
  return unsignedIntegerBytes(inner, n).length;
}

/**
 * Returns the size of a key in bytes: the modulus length for RSA (so PKCS#1 v1.5 data may
 * be up to `keySize − 11` bytes, as the seed documents), the field size for EC (32, 48
 * or 66) and 32 for Ed25519.
 *
 * @param key Any {@linkcode KeyInput}: PEM, DER, certificate, JWK, `{n, e}`, CryptoKey.
 * @param options Password of an encrypted private key.
 * @returns The size in bytes.
 * @throws {TypeError} If the key is of an unsupported kind.
 * @throws {SyntaxError} If the key does not parse.
 *
 * @example Sizes of EC and RSA keys
 * ```ts
 * import { createKey, keySize } from "@cosocket/crypto";
 * import assert from "node:assert/strict";
 *
 * assert.equal(keySize(await createKey()), 32);
 * assert.equal(keySize(await createKey({ type: "rsa", bits: 2048 })), 256);
 * ```
 */
export function keySize(key: KeyInput, options?: KeySizeOptions): number {
  options ??= {};
  if (typeof key === "string" || key instanceof Uint8Array) {
    const parsed = parseKeyMaterial(key, options.password);
    if (parsed.oid === OID_RSA || parsed.oid === OID_RSA_PSS) {
      return rsaModulusFromDer(parsed.der, parsed.kind);
    }
    if (parsed.oid === OID_EC && parsed.curve) return curveSize(parsed.curve);
    if (parsed.oid === OID_ED25519) return 32;
    throw new TypeError(`Cannot get key size: unsupported key algorithm "${parsed.oid}"`);
  }
  if (typeof CryptoKey !== "undefined" && key instanceof CryptoKey) {
    const alg = key.algorithm as {
      name: string;
      modulusLength?: number;
      namedCurve?: string;
      length?: number;
    };
    if (alg.modulusLength) return alg.modulusLength / 8;
    if (alg.namedCurve && EC_SIZES[alg.namedCurve]) return EC_SIZES[alg.namedCurve]!;
    if (alg.name === "Ed25519" || alg.name === "X25519") return 32;
    if (alg.length) return alg.length / 8;
    throw new TypeError(`Cannot get key size: unsupported CryptoKey "${alg.name}"`);
  }
  if (typeof key === "object" && key !== null) {
    const jwk = key as { kty?: string; n?: unknown; crv?: string; k?: string };
    if (jwk.n !== undefined && (jwk.kty === "RSA" || jwk.kty === undefined)) {
      const n = jwk.n instanceof Uint8Array
        ? jwk.n
        : Uint8Array.fromBase64(String(jwk.n), { alphabet: "base64url" });
      let i = 0;
      while (i < n.length - 1 && n[i] === 0) i++;
      return n.length - i;
    }
    if (jwk.kty === "EC" && jwk.crv && EC_SIZES[jwk.crv]) return EC_SIZES[jwk.crv]!;
    if (jwk.kty === "OKP" && jwk.crv === "Ed25519") return 32;
    if (jwk.kty === "oct" && typeof jwk.k === "string") {
      return Uint8Array.fromBase64(jwk.k, { alphabet: "base64url" }).length;
    }
  }
  throw new TypeError("Cannot get key size: unsupported key");
}
