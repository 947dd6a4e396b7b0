import { encodeBytes, utf8 } from "./_base64url.ts";
import { thumbprintMembers } from "./_public_jwk.ts";

/**
 * Computes the RFC 7638 SHA-256 thumbprint of a JWK: a stable identifier of
 * the key, handy as a `kid` or to pin a key carried in a {@linkcode jwkh} header.
 *
 * @param jwk The key (only its required members count, so a private JWK and its
 * public half have the same thumbprint).
 * @returns The base64url thumbprint.
 * @throws {TypeError} When the key type is not EC, OKP, RSA or oct.
 *
 * @example The RFC 7638 section 3.1 example key
 * ```ts
 * import { jwkThumbprint } from "@cosocket/jwt";
 * import assert from "node:assert/strict";
 *
 * const thumbprint = await jwkThumbprint({
 *   kty: "RSA",
 *   e: "AQAB",
 *   n: "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
 * });
 * assert.equal(thumbprint, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
 * ```
 */
export async function jwkThumbprint(jwk: JsonWebKey): Promise<string> {
  const json = JSON.stringify(thumbprintMembers(jwk));
  return encodeBytes(new Uint8Array(await crypto.subtle.digest("SHA-256", utf8(json))));
}
