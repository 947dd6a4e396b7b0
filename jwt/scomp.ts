import { sign } from "./sign.ts";
import type { JwsHeader, JwtKey, JwtPayload } from "./types.ts";

/**
 * Signs a payload and returns the JWS compact serialisation
 * `header.payload.signature`, like the seed's `jwt.scomp`. Arguments and
 * defaults are those of {@linkcode sign}.
 *
 * @param key The signing key: an HMAC secret (string or bytes), a PEM private
 * key, a private JWK or a `CryptoKey`.
 * @param payload The claims, or a string or bytes to sign as they are.
 * @param header The protected header.
 * @returns The compact token.
 * @throws {TypeError} When `alg` is `"none"` or unsupported, or the key does
 * not fit the algorithm.
 *
 * @example The seed's HS256 example
 * ```ts
 * import { scomp } from "@cosocket/jwt";
 * import assert from "node:assert/strict";
 *
 * const header = { alg: "HS256", typ: "JWT" };
 * const payload = { sub: "1234567890", name: "John Doe", iat: 1516239022 };
 * assert.equal(
 *   await scomp("my-secret", payload, header),
 *   "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.EpM5XBzTJZ4J8AfoJEcJrjth8pfH28LWdjLo90sYb9g",
 * );
 * ```
 */
export async function scomp(
  key: JwtKey,
  payload: JwtPayload | string | Uint8Array,
  header?: JwsHeader,
): Promise<string> {
  const jws = await sign(key, payload, header);
  return `${jws.protected}.${jws.payload}.${jws.signature}`;
}
