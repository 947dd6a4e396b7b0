// Turns the many accepted key forms into something that signs or verifies for
// one algorithm, and refuses any key whose type does not fit the algorithm
// (the defence against RS256 to HS256 key confusion lives here).

import { createHmac } from "node:crypto";
import { importKey } from "@cosocket/crypto/import-key";
import { timingSafeEqual } from "@cosocket/crypto/timing-safe-equal";
import { type AlgorithmInfo, ALGORITHMS, isAlgorithm } from "./_algorithms.ts";
import { decodeBytes, utf8 } from "./_base64url.ts";
import type { JwtAlgorithm, JwtKey } from "./types.ts";

/** A key ready to use: raw HMAC secret bytes or a WebCrypto key. */
export type PreparedKey =
  | { kind: "secret"; secret: Uint8Array }
  | { kind: "webcrypto"; key: CryptoKey };

/** Thrown when a key does not fit the algorithm it is asked to serve. */
export class KeyMismatchError extends TypeError {}

const PEM = /-----BEGIN [A-Z0-9 ]+-----/;
const NODE_HASH = { "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512" } as const;
const CACHE_LIMIT = 64;

// Imports are slow (PEM and ASN.1 parsing, key validation) next to signing a
// token, so imported keys are cached: PEM text in a small bounded map, JWK
// and {n, e} objects by identity. Keys are treated as immutable.
const textCache = new Map<string, Promise<PreparedKey>>();
const objectCache = new WeakMap<object, Map<string, Promise<PreparedKey>>>();

/** Whether a string is PEM text rather than an HMAC secret. */
export function isPem(key: string): boolean {
  return PEM.test(key);
}

function isCryptoKey(key: unknown): key is CryptoKey {
  return typeof CryptoKey !== "undefined" && key instanceof CryptoKey;
}

function cacheName(alg: JwtAlgorithm, usage: "sign" | "verify"): string {
  return `${alg === "EdDSA" ? "Ed25519" : alg}:${usage}`;
}

function describe(key: JwtKey): string {
  if (typeof key === "string") return isPem(key) ? "a PEM key" : "a string secret";
  if (key instanceof Uint8Array) return "a byte key";
  if (isCryptoKey(key)) return `a ${key.algorithm.name} CryptoKey`;
  const kty = (key as JsonWebKey).kty;
  return kty === undefined ? "an RSA {n, e} key" : `a JWK of type "${kty}"`;
}

function mismatch(key: JwtKey, alg: JwtAlgorithm): KeyMismatchError {
  return new KeyMismatchError(
    `Cannot use key for algorithm "${alg}": ${describe(key)} does not fit`,
  );
}

function secretKey(secret: Uint8Array, alg: JwtAlgorithm): PreparedKey {
  if (secret.length === 0) {
    throw new KeyMismatchError(`Cannot use key for algorithm "${alg}": the HMAC secret is empty`);
  }
  return { kind: "secret", secret };
}

function checkCryptoKey(
  key: CryptoKey,
  alg: JwtAlgorithm,
  info: AlgorithmInfo,
  usage: "sign" | "verify",
): PreparedKey | Promise<PreparedKey> {
  const algorithm = key.algorithm as KeyAlgorithm & {
    hash?: { name: string };
    namedCurve?: string;
  };
  const wanted = info.importAlgorithm;
  const fits = algorithm.name === wanted.name &&
    ("hash" in wanted ? algorithm.hash?.name === wanted.hash : true) &&
    ("namedCurve" in wanted ? algorithm.namedCurve === wanted.namedCurve : true);
  if (!fits) throw mismatch(key, alg);
  if (key.usages.includes(usage)) {
    if (info.family === "EC" && key.type === "public" && key.extractable) return reimported(key);
    return { kind: "webcrypto", key };
  }
  if (info.family === "HMAC") {
    throw new KeyMismatchError(`Cannot use key: the HMAC CryptoKey does not allow "${usage}"`);
  }
  // A private key asked to verify: let importKey derive its public half.
  return importAsymmetric(key, info, usage);
}

// Deno verifies with an EC public key from generateKey() about 1.7 times
// slower than with the same key imported from SPKI (see bench/jwt_bench.ts),
// so extractable public EC keys are imported once more and the copy cached.
const reimports = new WeakMap<CryptoKey, Promise<PreparedKey>>();

function reimported(key: CryptoKey): Promise<PreparedKey> {
  let made = reimports.get(key);
  if (made === undefined) {
    made = crypto.subtle.exportKey("spki", key)
      .then((spki) => crypto.subtle.importKey("spki", spki, key.algorithm, true, ["verify"]))
      .then((copy): PreparedKey => ({ kind: "webcrypto", key: copy }));
    reimports.set(key, made);
  }
  return made;
}

function checkJwk(jwk: JsonWebKey, alg: JwtAlgorithm, info: AlgorithmInfo): JsonWebKey {
  const kty = { HMAC: "oct", RSA: "RSA", "RSA-PSS": "RSA", EC: "EC", OKP: "OKP" }[info.family];
  if (jwk.kty !== kty || (info.curve !== undefined && jwk.crv !== info.curve)) {
    throw mismatch(jwk, alg);
  }
  if (jwk.alg !== undefined && jwk.alg !== alg && !(isEd25519(jwk.alg) && isEd25519(alg))) {
    throw new KeyMismatchError(
      `Cannot use key for algorithm "${alg}": the JWK is bound to "${jwk.alg}"`,
    );
  }
  if (jwk.use !== undefined && jwk.use !== "sig") {
    throw new KeyMismatchError(
      `Cannot use key for algorithm "${alg}": the JWK "use" is "${jwk.use}", not "sig"`,
    );
  }
  // Our own checks above replace WebCrypto's alg/key_ops checks, which would
  // refuse, for instance, a private JWK marked ["sign"] imported to verify.
  const { alg: _alg, key_ops: _ops, ext: _ext, use: _use, ...rest } = jwk;
  return rest;
}

function isEd25519(alg: string): boolean {
  return alg === "EdDSA" || alg === "Ed25519";
}

async function importAsymmetric(
  key: JwtKey,
  info: AlgorithmInfo,
  usage: "sign" | "verify",
): Promise<PreparedKey> {
  const imported = await importKey(key, info.importAlgorithm, usage);
  return { kind: "webcrypto", key: imported };
}

function cached(
  cache: Map<string, Promise<PreparedKey>>,
  name: string,
  make: () => Promise<PreparedKey>,
): Promise<PreparedKey> {
  const hit = cache.get(name);
  if (hit !== undefined) return hit;
  const made = make();
  cache.set(name, made);
  made.catch(() => cache.delete(name));
  return made;
}

/**
 * Prepares `key` to sign or verify with `alg`.
 *
 * @throws {KeyMismatchError} When the key's type does not fit the algorithm.
 */
export function prepareKey(
  key: JwtKey,
  alg: JwtAlgorithm,
  usage: "sign" | "verify",
): PreparedKey | Promise<PreparedKey> {
  const info = ALGORITHMS[alg];
  if (typeof key === "string") {
    const pem = isPem(key);
    if (info.family === "HMAC") {
      if (pem) throw mismatch(key, alg);
      return secretKey(utf8(key), alg);
    }
    if (!pem) throw mismatch(key, alg);
    const name = `${cacheName(alg, usage)}:${key}`;
    const made = cached(textCache, name, () => importAsymmetric(key, info, usage));
    if (textCache.size > CACHE_LIMIT) {
      textCache.delete(textCache.keys().next().value as string);
    }
    return made;
  }
  if (key instanceof Uint8Array) {
    if (info.family === "HMAC") return secretKey(key, alg);
    return importAsymmetric(key, info, usage);
  }
  if (isCryptoKey(key)) return checkCryptoKey(key, alg, info, usage);
  if (typeof key !== "object" || key === null) {
    throw new TypeError(`Cannot use key: expected a string, bytes, JWK or CryptoKey`);
  }
  const jwk = key as JsonWebKey;
  let perObject = objectCache.get(key);
  const name = cacheName(alg, usage);
  const hit = perObject?.get(name);
  if (hit !== undefined) return hit;
  let made: Promise<PreparedKey>;
  if (jwk.kty === undefined && "n" in key && "e" in key) {
    if (info.family !== "RSA" && info.family !== "RSA-PSS") throw mismatch(key, alg);
    made = importAsymmetric(key, info, usage);
  } else {
    const clean = checkJwk(jwk, alg, info);
    if (info.family === "HMAC") {
      const secret = typeof clean.k === "string" ? decodeBytes(clean.k) : undefined;
      if (secret === undefined) {
        throw new KeyMismatchError(`Cannot use key: the "oct" JWK has no valid "k"`);
      }
      return secretKey(secret, alg);
    }
    made = importAsymmetric(clean, info, usage);
  }
  if (perObject === undefined) {
    perObject = new Map();
    objectCache.set(key, perObject);
  }
  perObject.set(name, made);
  made.catch(() => perObject.delete(name));
  return made;
}

const PEM_CANDIDATES: JwtAlgorithm[] = ["ES256", "ES384", "ES512", "EdDSA", "RS256"];
const inferred = new Map<string, Promise<JwtAlgorithm>>();

async function inferPem(pem: string, usage: "sign" | "verify"): Promise<JwtAlgorithm> {
  for (const alg of PEM_CANDIDATES) {
    try {
      await prepareKey(pem, alg, usage);
      return alg;
    } catch {
      // Not this key type: try the next one.
    }
  }
  throw new TypeError("Cannot use key: the PEM text holds no supported signing key");
}

/**
 * The algorithm a key signs with when the header names none: HS256 for
 * secrets, the curve's ES* or EdDSA for EC and OKP keys, RS256 for RSA keys.
 */
export function inferAlgorithm(
  key: JwtKey,
  usage: "sign" | "verify",
): JwtAlgorithm | Promise<JwtAlgorithm> {
  if (typeof key === "string") {
    if (!isPem(key)) return "HS256";
    const name = `${usage}:${key}`;
    let alg = inferred.get(name);
    if (alg === undefined) {
      alg = inferPem(key, usage);
      inferred.set(name, alg);
      alg.catch(() => inferred.delete(name));
      if (inferred.size > CACHE_LIMIT) inferred.delete(inferred.keys().next().value as string);
    }
    return alg;
  }
  if (key instanceof Uint8Array) return "HS256";
  if (isCryptoKey(key)) return cryptoKeyAlgorithm(key);
  const jwk = key as JsonWebKey;
  if (jwk.alg !== undefined) {
    if (isAlgorithm(jwk.alg)) return jwk.alg;
    throw new TypeError(`Cannot use key: the JWK algorithm "${jwk.alg}" is not supported`);
  }
  switch (jwk.kty) {
    case "oct":
      return "HS256";
    case "RSA":
    case undefined:
      return "RS256";
    case "EC":
      if (jwk.crv === "P-256") return "ES256";
      if (jwk.crv === "P-384") return "ES384";
      if (jwk.crv === "P-521") return "ES512";
      break;
    case "OKP":
      if (jwk.crv === "Ed25519") return "EdDSA";
      break;
  }
  throw new TypeError(`Cannot use key: the JWK key type "${jwk.kty}" is not supported`);
}

function cryptoKeyAlgorithm(key: CryptoKey): JwtAlgorithm {
  const algorithm = key.algorithm as KeyAlgorithm & {
    hash?: { name: string };
    namedCurve?: string;
  };
  const bits = algorithm.hash?.name.slice(4);
  switch (algorithm.name) {
    case "HMAC":
      if (isAlgorithm(`HS${bits}`)) return `HS${bits}` as JwtAlgorithm;
      break;
    case "RSASSA-PKCS1-v1_5":
      if (isAlgorithm(`RS${bits}`)) return `RS${bits}` as JwtAlgorithm;
      break;
    case "RSA-PSS":
      if (isAlgorithm(`PS${bits}`)) return `PS${bits}` as JwtAlgorithm;
      break;
    case "ECDSA":
      if (algorithm.namedCurve === "P-256") return "ES256";
      if (algorithm.namedCurve === "P-384") return "ES384";
      if (algorithm.namedCurve === "P-521") return "ES512";
      break;
    case "Ed25519":
      return "EdDSA";
  }
  throw new TypeError(`Cannot use key: a ${algorithm.name} CryptoKey cannot sign a JWS`);
}

/** Signs `data`; ECDSA signatures come out as raw r||s, as JWS requires. */
export async function signBytes(
  prepared: PreparedKey,
  alg: JwtAlgorithm,
  data: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array> {
  const info = ALGORITHMS[alg];
  if (prepared.kind === "secret") {
    return createHmac(NODE_HASH[info.hash], prepared.secret).update(data).digest();
  }
  return new Uint8Array(await crypto.subtle.sign(info.signParams, prepared.key, data));
}

/** Verifies `signature` over `data`. */
export async function verifyBytes(
  prepared: PreparedKey,
  alg: JwtAlgorithm,
  data: Uint8Array<ArrayBuffer>,
  signature: Uint8Array<ArrayBuffer>,
): Promise<boolean> {
  const info = ALGORITHMS[alg];
  // WebCrypto would reject a DER-encoded ECDSA signature too, but only
  // because its length is wrong: say so explicitly.
  if (info.signatureLength !== 0 && signature.length !== info.signatureLength) return false;
  if (prepared.kind === "secret") {
    const expected = createHmac(NODE_HASH[info.hash], prepared.secret).update(data).digest();
    return timingSafeEqual(expected, signature);
  }
  return await crypto.subtle.verify(info.signParams, prepared.key, signature, data);
}
