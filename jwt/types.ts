/**
 * Types shared by the JWT functions: algorithms, headers, payloads and keys.
 *
 * @module
 */

/**
 * A JWS signature algorithm this package signs and verifies (RFC 7518, RFC 8037).
 *
 * `"EdDSA"` and `"Ed25519"` both mean Ed25519 signatures. `"none"` is never
 * accepted.
 *
 * @example Usage
 * ```ts
 * import type { JwtAlgorithm } from "@cosocket/jwt";
 *
 * const allowed: JwtAlgorithm[] = ["HS256", "ES256"];
 * console.log(allowed.length); // 2
 * ```
 */
export type JwtAlgorithm =
  | "HS256"
  | "HS384"
  | "HS512"
  | "RS256"
  | "RS384"
  | "RS512"
  | "PS256"
  | "PS384"
  | "PS512"
  | "ES256"
  | "ES384"
  | "ES512"
  | "EdDSA"
  | "Ed25519";

/**
 * A JOSE protected header (RFC 7515 section 4). Unknown members are kept.
 *
 * @example Usage
 * ```ts
 * import type { JwsHeader } from "@cosocket/jwt";
 *
 * const header: JwsHeader = { alg: "HS256", typ: "JWT", kid: "2026-11" };
 * console.log(header.kid); // 2026-11
 * ```
 */
export interface JwsHeader {
  /** The signature algorithm. */
  alg?: string;
  /** The media type of the whole token, usually `"JWT"`. */
  typ?: string;
  /** The media type of the payload. */
  cty?: string;
  /** The identifier of the key that signed the token. */
  kid?: string;
  /** The public key that signed the token, as a JWK (see {@linkcode jwkh}). */
  jwk?: Jwk;
  /** Names of header extensions a verifier must understand (RFC 7515 section 4.1.11). */
  crit?: string[];
  /** Other header members. */
  [name: string]: unknown;
}

/**
 * JWT claims (RFC 7519 section 4). Times are NumericDate: seconds since the
 * Unix epoch. Unknown claims are kept.
 *
 * @example Usage
 * ```ts
 * import type { JwtPayload } from "@cosocket/jwt";
 *
 * const claims: JwtPayload = { sub: "1234567890", name: "John Doe", iat: 1516239022 };
 * console.log(claims.sub); // 1234567890
 * ```
 */
export interface JwtPayload {
  /** Issuer. */
  iss?: string;
  /** Subject. */
  sub?: string;
  /** Audience: one recipient or a list. */
  aud?: string | string[];
  /** Expiration time, seconds since the epoch. */
  exp?: number;
  /** Not-before time, seconds since the epoch. */
  nbf?: number;
  /** Issued-at time, seconds since the epoch. */
  iat?: number;
  /** Token identifier. */
  jti?: string;
  /** Other claims. */
  [claim: string]: unknown;
}

/**
 * A JWS in flattened form: the three base64url parts of a compact token, as
 * returned by the seed's `jwt.sign`.
 *
 * @example Usage
 * ```ts
 * import { sign, type FlattenedJws } from "@cosocket/jwt";
 *
 * const jws: FlattenedJws = await sign("my-secret", { sub: "1" });
 * console.log(`${jws.protected}.${jws.payload}.${jws.signature}`.split(".").length); // 3
 * ```
 */
export interface FlattenedJws {
  /** The base64url-encoded protected header. */
  protected: string;
  /** The base64url-encoded payload. */
  payload: string;
  /** The base64url-encoded signature. */
  signature: string;
}

/**
 * The public components of an RSA key, as in the seed's `ba.crypto.verify`
 * `{n, e}` mode: base64url strings (as in a JWK) or big-endian bytes.
 *
 * @example Usage
 * ```ts
 * import type { RsaPublicComponents } from "@cosocket/jwt";
 *
 * const key: RsaPublicComponents = { n: "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1Wl", e: "AQAB" };
 * console.log(key.e); // AQAB
 * ```
 */
export interface RsaPublicComponents {
  /** The modulus. */
  n: string | Uint8Array;
  /** The public exponent. */
  e: string | Uint8Array;
}

/**
 * A key for signing or verifying:
 * - a `string`: PEM text (PKCS#8, SEC1 EC, PKCS#1 RSA, SPKI or a certificate), or
 *   otherwise an HMAC secret used as its UTF-8 bytes;
 * - a `Uint8Array`: an HMAC secret for `HS*` algorithms, DER for the others;
 * - a `JsonWebKey`, an RSA `{n, e}` pair or a WebCrypto `CryptoKey`.
 *
 * @example Usage
 * ```ts
 * import type { JwtKey } from "@cosocket/jwt";
 *
 * const secret: JwtKey = "my-secret";
 * console.log(typeof secret); // string
 * ```
 */
export type JwtKey =
  | string
  | Uint8Array
  | Jwk
  | RsaPublicComponents
  | CryptoKey;

/**
 * A JSON Web Key (RFC 7517): WebCrypto's `JsonWebKey` plus the `kid` member.
 *
 * @example Usage
 * ```ts
 * import type { Jwk } from "@cosocket/jwt";
 *
 * const jwk: Jwk = { kty: "oct", kid: "a", k: "bXktc2VjcmV0" };
 * console.log(jwk.kid); // a
 * ```
 */
export interface Jwk extends JsonWebKey {
  /** The key identifier, matched against a token's `kid` header. */
  kid?: string;
}

/**
 * A JWK Set (RFC 7517 section 5).
 *
 * @example Usage
 * ```ts
 * import type { JwkSet } from "@cosocket/jwt";
 *
 * const set: JwkSet = { keys: [{ kty: "oct", kid: "a", k: "bXktc2VjcmV0" }] };
 * console.log(set.keys.length); // 1
 * ```
 */
export interface JwkSet {
  /** The keys. */
  keys: Jwk[];
}

/**
 * Chooses the key that verifies a token, given its protected header (for
 * example by `kid`). This is the hook key sources plug into: a local JWK Set
 * ({@linkcode createLocalJwkSet}) today, a remote JWKS fetcher later. Throw a
 * {@linkcode JwtError} with code `"key_not_found"` when no key fits. A
 * resolver may also return a whole {@linkcode JwkSet}: `verify` then picks
 * the key by `kid` itself, so a fetcher only has to fetch and cache the set.
 *
 * @param header The token's protected header (not yet verified).
 * @returns The key or key set, or a promise of it.
 *
 * @example Usage
 * ```ts
 * import { JwtError, type KeyResolver, scomp, verify } from "@cosocket/jwt";
 * import assert from "node:assert/strict";
 *
 * const keys: Record<string, string> = { a: "secret-a", b: "secret-b" };
 * const resolver: KeyResolver = (header) => {
 *   const key = keys[header.kid ?? ""];
 *   if (key === undefined) throw new JwtError("key_not_found", "Cannot select key: unknown kid");
 *   return key;
 * };
 * const token = await scomp("secret-b", { sub: "1" }, { alg: "HS256", kid: "b" });
 * const { payload } = await verify(token, resolver, { algorithms: ["HS256"] });
 * assert.equal(payload.sub, "1");
 * ```
 */
export type KeyResolver = (header: JwsHeader) => JwtKey | JwkSet | Promise<JwtKey | JwkSet>;
