/**
 * Key generation (the seed's `ba.create.key`).
 *
 * @module
 */
import { pemEncode } from "./pem.ts";

/** Named elliptic curves supported for EC keys. */
export type CurveName = "P-256" | "P-384" | "P-521";

/** Options for {@linkcode createKey}. */
export interface CreateKeyOptions {
  /**
   * Key type: an elliptic-curve key, an RSA key or an Ed25519 key.
   *
   * @default {"ec"}
   */
  type?: "ec" | "rsa" | "ed25519";
  /**
   * Curve of an EC key. The SEC names `"secp256r1"`, `"secp384r1"` and `"secp521r1"`
   * (any case) are accepted too.
   *
   * @default {"P-256"}
   */
  curve?: CurveName | string;
  /**
   * Modulus size of an RSA key in bits (2048 to 8192, a multiple of 8). Generating large
   * RSA keys is slow: 4096 bits takes seconds.
   *
   * @default {2048}
   */
  bits?: number;
}

const CURVE_ALIASES: Record<string, CurveName> = {
  "p-256": "P-256",
  "p-384": "P-384",
  "p-521": "P-521",
  secp256r1: "P-256",
  secp384r1: "P-384",
  secp521r1: "P-521",
  prime256v1: "P-256",
};

/** Normalises a curve name; throws TypeError for unknown curves. */
function curveName(name: string): CurveName {
  const curve = CURVE_ALIASES[String(name).toLowerCase()];
  if (!curve) throw new TypeError(`Cannot use curve: unsupported curve "${String(name)}"`);
  return curve;
}

/**
 * Generates a private key and returns it as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`),
 * which `openssl`, Node, Deno's TLS and every function of this package read. An EC P-256
 * key is made when no options are given, as in the seed.
 *
 * @param options Key type, curve and RSA size.
 * @returns The private key as PKCS#8 PEM.
 * @throws {TypeError} If the type or curve is unknown.
 * @throws {RangeError} If the RSA size is outside 2048..8192 or not a multiple of 8.
 *
 * @example Create an EC key and an RSA key
 * ```ts
 * import { createKey } from "@cosocket/crypto";
 * import assert from "node:assert/strict";
 *
 * const ec = await createKey();
 * assert.ok(ec.startsWith("-----BEGIN PRIVATE KEY-----"));
 * const rsa = await createKey({ type: "rsa", bits: 2048 });
 * assert.ok(rsa.length > ec.length);
 * ```
 */
export async function createKey(options?: CreateKeyOptions): Promise<string> {
  options ??= {};
  const type = options.type ?? "ec";
  let key: CryptoKeyPair;
  if (type === "ec") {
    const namedCurve = curveName(options.curve ?? "P-256");
    key = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve }, true, ["sign"]);
  } else if (type === "rsa") {
    const bits = options.bits ?? 2048;
    if (!Number.isInteger(bits) || bits < 2048 || bits > 8192 || bits % 8 !== 0) {
      throw new RangeError(`Cannot create RSA key: unsupported size ${String(bits)} bits`);
    }
    key = await crypto.subtle.generateKey(
      {
        name: "RSASSA-PKCS1-v1_5",
        modulusLength: bits,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: "SHA-256",
      },
      true,
      ["sign"],
    );
  } else if (type === "ed25519") {
    key = await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign"]) as CryptoKeyPair;
  } else {
    throw new TypeError(`Cannot create key: unsupported type "${String(type)}"`);
  }
  const der = new Uint8Array(await crypto.subtle.exportKey("pkcs8", key.privateKey));
  return pemEncode("PRIVATE KEY", der);
}
