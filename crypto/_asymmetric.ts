// Shared key resolution for the asymmetric functions. Not exported.
import {
  CURVE_OIDS,
  OID_EC,
  OID_ED25519,
  OID_RSA,
  OID_RSA_PSS,
  parseKeyMaterial,
} from "./_key_der.ts";
import { type HashName, importKey, type KeyInput } from "./import_key.ts";
import type { AnyHashName, SignOptions } from "./sign_options.ts";

export type Family = "rsa" | "ec" | "ed25519";

export interface ResolvedKey {
  family: Family;
  curve?: "P-256" | "P-384" | "P-521";
  /** Key input to hand to importKey (decrypted DER when a password was used). */
  input: KeyInput;
}

const HASH_ALIASES: Record<string, HashName> = {
  sha1: "SHA-1",
  "sha-1": "SHA-1",
  sha256: "SHA-256",
  "sha-256": "SHA-256",
  sha384: "SHA-384",
  "sha-384": "SHA-384",
  sha512: "SHA-512",
  "sha-512": "SHA-512",
};

export function hashName(name: AnyHashName | unknown, what: string): HashName {
  const h = typeof name === "string" ? HASH_ALIASES[name.toLowerCase()] : undefined;
  if (!h) throw new TypeError(`Cannot ${what}: unsupported hash "${String(name)}"`);
  return h;
}

export function hashLength(hash: HashName): number {
  return hash === "SHA-1" ? 20 : Number(hash.slice(4)) / 8;
}

export function curveSize(curve: "P-256" | "P-384" | "P-521"): number {
  return curve === "P-256" ? 32 : curve === "P-384" ? 48 : 66;
}

export function defaultEcHash(curve: "P-256" | "P-384" | "P-521"): HashName {
  return curve === "P-256" ? "SHA-256" : curve === "P-384" ? "SHA-384" : "SHA-512";
}

function isCryptoKey(value: unknown): value is CryptoKey {
  return typeof CryptoKey !== "undefined" && value instanceof CryptoKey;
}

/** Works out the key family without importing the key. */
export function resolveKey(key: KeyInput, what: string, password?: string): ResolvedKey {
  if (typeof key === "string" || key instanceof Uint8Array) {
    const parsed = parseKeyMaterial(key, password);
    const input = password === undefined ? key : parsed.der;
    if (parsed.oid === OID_RSA || parsed.oid === OID_RSA_PSS) return { family: "rsa", input };
    if (parsed.oid === OID_EC && parsed.curve) return { family: "ec", curve: parsed.curve, input };
    if (parsed.oid === OID_ED25519) return { family: "ed25519", input };
    throw new TypeError(`Cannot ${what}: unsupported key algorithm "${parsed.oid}"`);
  }
  if (isCryptoKey(key)) {
    const alg = key.algorithm as { name: string; namedCurve?: string };
    if (alg.name.startsWith("RSA")) return { family: "rsa", input: key };
    if ((alg.name === "ECDSA" || alg.name === "ECDH") && alg.namedCurve) {
      const curve = Object.values(CURVE_OIDS).find((c) => c === alg.namedCurve);
      if (curve) return { family: "ec", curve, input: key };
    }
    if (alg.name === "Ed25519") return { family: "ed25519", input: key };
    throw new TypeError(`Cannot ${what}: unsupported CryptoKey algorithm "${alg.name}"`);
  }
  if (typeof key === "object" && key !== null) {
    const jwk = key as JsonWebKey;
    if (jwk.kty === "RSA" || (jwk.kty === undefined && "n" in key && "e" in key)) {
      return { family: "rsa", input: key };
    }
    if (jwk.kty === "EC") {
      const curve = Object.values(CURVE_OIDS).find((c) => c === jwk.crv);
      if (curve) return { family: "ec", curve, input: key };
    }
    if (jwk.kty === "OKP" && jwk.crv === "Ed25519") return { family: "ed25519", input: key };
  }
  throw new TypeError(`Cannot ${what}: unsupported key`);
}

/** The WebCrypto parameters and key for one sign/verify operation. */
export async function prepare(
  key: KeyInput,
  usage: "sign" | "verify",
  options: SignOptions,
): Promise<
  { key: CryptoKey; params: AlgorithmIdentifier | RsaPssParams | EcdsaParams; size?: number }
> {
  const what = usage === "sign" ? "sign" : "verify";
  const resolved = resolveKey(key, what, options.password);
  if (resolved.family === "ed25519") {
    return {
      key: await importKey(resolved.input, { name: "Ed25519" }, usage),
      params: { name: "Ed25519" },
    };
  }
  if (resolved.family === "ec") {
    const curve = resolved.curve!;
    const hash = options.hash === undefined ? defaultEcHash(curve) : hashName(options.hash, what);
    const k = await importKey(resolved.input, { name: "ECDSA", namedCurve: curve }, usage);
    return { key: k, params: { name: "ECDSA", hash }, size: curveSize(curve) };
  }
  const hash = hashName(options.hash ?? "SHA-256", what);
  const padding = options.padding ?? "pkcs1";
  if (padding === "pss") {
    const k = await importKey(resolved.input, { name: "RSA-PSS", hash }, usage);
    const saltLength = options.saltLength ?? hashLength(hash);
    return { key: k, params: { name: "RSA-PSS", saltLength } as RsaPssParams };
  }
  if (padding !== "pkcs1") {
    throw new TypeError(`Cannot ${what}: unsupported RSA padding "${String(padding)}"`);
  }
  const k = await importKey(resolved.input, { name: "RSASSA-PKCS1-v1_5", hash }, usage);
  return { key: k, params: { name: "RSASSA-PKCS1-v1_5" } };
}
