// The algorithm table: how each JWS "alg" maps onto WebCrypto (and onto
// node:crypto for HMAC, whose synchronous one-shot HMAC is several times
// faster than WebCrypto's for token-sized inputs).

import type { JwtAlgorithm } from "./types.ts";

/** The key family an algorithm needs. */
export type Family = "HMAC" | "RSA" | "RSA-PSS" | "EC" | "OKP";

/** What the package needs to know about one algorithm. */
export interface AlgorithmInfo {
  family: Family;
  /** WebCrypto hash name (unused for Ed25519). */
  hash: "SHA-256" | "SHA-384" | "SHA-512";
  /** The import algorithm for `@cosocket/crypto`'s `importKey`. */
  importAlgorithm:
    | { name: "HMAC"; hash: "SHA-256" | "SHA-384" | "SHA-512" }
    | { name: "RSASSA-PKCS1-v1_5"; hash: "SHA-256" | "SHA-384" | "SHA-512" }
    | { name: "RSA-PSS"; hash: "SHA-256" | "SHA-384" | "SHA-512" }
    | { name: "ECDSA"; namedCurve: "P-256" | "P-384" | "P-521" }
    | { name: "Ed25519" };
  /** The parameters for `crypto.subtle.sign`/`verify`. */
  signParams: AlgorithmIdentifier | RsaPssParams | EcdsaParams;
  /** For ECDSA: the raw r||s signature length in bytes; otherwise 0. */
  signatureLength: number;
  /** For EC and OKP keys: the JWK `crv`. */
  curve?: string;
}

function hmac(hash: AlgorithmInfo["hash"]): AlgorithmInfo {
  return {
    family: "HMAC",
    hash,
    importAlgorithm: { name: "HMAC", hash },
    signParams: "HMAC",
    signatureLength: 0,
  };
}

function rsa(hash: AlgorithmInfo["hash"]): AlgorithmInfo {
  return {
    family: "RSA",
    hash,
    importAlgorithm: { name: "RSASSA-PKCS1-v1_5", hash },
    signParams: "RSASSA-PKCS1-v1_5",
    signatureLength: 0,
  };
}

function pss(hash: AlgorithmInfo["hash"], saltLength: number): AlgorithmInfo {
  return {
    family: "RSA-PSS",
    hash,
    importAlgorithm: { name: "RSA-PSS", hash },
    signParams: { name: "RSA-PSS", saltLength },
    signatureLength: 0,
  };
}

function ecdsa(
  hash: AlgorithmInfo["hash"],
  namedCurve: "P-256" | "P-384" | "P-521",
  signatureLength: number,
): AlgorithmInfo {
  return {
    family: "EC",
    hash,
    importAlgorithm: { name: "ECDSA", namedCurve },
    signParams: { name: "ECDSA", hash },
    signatureLength,
    curve: namedCurve,
  };
}

const ED25519: AlgorithmInfo = {
  family: "OKP",
  hash: "SHA-512",
  importAlgorithm: { name: "Ed25519" },
  signParams: "Ed25519",
  signatureLength: 64,
  curve: "Ed25519",
};

/** Every supported algorithm. */
export const ALGORITHMS: Readonly<Record<JwtAlgorithm, AlgorithmInfo>> = {
  HS256: hmac("SHA-256"),
  HS384: hmac("SHA-384"),
  HS512: hmac("SHA-512"),
  RS256: rsa("SHA-256"),
  RS384: rsa("SHA-384"),
  RS512: rsa("SHA-512"),
  PS256: pss("SHA-256", 32),
  PS384: pss("SHA-384", 48),
  PS512: pss("SHA-512", 64),
  ES256: ecdsa("SHA-256", "P-256", 64),
  ES384: ecdsa("SHA-384", "P-384", 96),
  ES512: ecdsa("SHA-512", "P-521", 132),
  EdDSA: ED25519,
  Ed25519: ED25519,
};

/** Whether `alg` names a supported algorithm. */
export function isAlgorithm(alg: unknown): alg is JwtAlgorithm {
  return typeof alg === "string" && Object.hasOwn(ALGORITHMS, alg);
}
