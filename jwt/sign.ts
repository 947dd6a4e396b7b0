import { isAlgorithm } from "./_algorithms.ts";
import { encodeBytes, encodeText, utf8 } from "./_base64url.ts";
import { inferAlgorithm, prepareKey, signBytes } from "./_keys.ts";
import type { FlattenedJws, JwsHeader, JwtAlgorithm, JwtKey, JwtPayload } from "./types.ts";

/**
 * Signs a payload and returns the three base64url parts of the JWS, like the
 * seed's `jwt.sign`. See {@linkcode scomp} for the compact string.
 *
 * Without a header the header is `{"alg": <inferred>, "typ": "JWT"}`. A header
 * without `alg` gets the inferred `alg` as its first member. The algorithm is
 * inferred from the key: HS256 for a string secret or bytes, ES256, ES384 or
 * ES512 for a P-256, P-384 or P-521 key, EdDSA for Ed25519 and RS256 for RSA
 * (or the `alg` of a JWK or the algorithm of a `CryptoKey`). Header and
 * payload members keep their order, so the output matches other libraries
 * byte for byte. ECDSA signatures are raw `r || s` as JWS requires, never DER.
 *
 * @param key The signing key: an HMAC secret (string or bytes), a PEM private
 * key, a private JWK or a `CryptoKey`.
 * @param payload The claims (serialised with `JSON.stringify`), or a string or
 * bytes to sign as they are.
 * @param header The protected header.
 * @returns The flattened JWS: `{protected, payload, signature}`.
 * @throws {TypeError} When `alg` is `"none"` or unsupported, or the key does
 * not fit the algorithm.
 *
 * @example HS256 as in the seed
 * ```ts
 * import { sign } from "@cosocket/jwt";
 * import assert from "node:assert/strict";
 *
 * const jws = await sign("my-secret", { sub: "1234567890", name: "John Doe", iat: 1516239022 }, {
 *   alg: "HS256",
 *   typ: "JWT",
 * });
 * assert.equal(jws.protected, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9");
 * assert.equal(jws.signature, "EpM5XBzTJZ4J8AfoJEcJrjth8pfH28LWdjLo90sYb9g");
 * ```
 */
export async function sign(
  key: JwtKey,
  payload: JwtPayload | string | Uint8Array,
  header?: JwsHeader,
): Promise<FlattenedJws> {
  const named = header?.alg;
  const alg: JwtAlgorithm = named === undefined ? await inferAlgorithm(key, "sign") : check(named);
  const protectedHeader = header === undefined
    ? { alg, typ: "JWT" }
    : named === undefined
    ? { alg, ...header }
    : header;
  const encodedHeader = encodeText(JSON.stringify(protectedHeader));
  const encodedPayload = typeof payload === "string"
    ? encodeText(payload)
    : payload instanceof Uint8Array
    ? encodeBytes(payload)
    : encodeText(JSON.stringify(payload));
  const prepared = await prepareKey(key, alg, "sign");
  const signature = await signBytes(prepared, alg, utf8(`${encodedHeader}.${encodedPayload}`));
  return { protected: encodedHeader, payload: encodedPayload, signature: encodeBytes(signature) };
}

function check(alg: unknown): JwtAlgorithm {
  if (isAlgorithm(alg)) return alg;
  throw new TypeError(`Cannot sign: algorithm "${String(alg)}" is not supported`);
}
