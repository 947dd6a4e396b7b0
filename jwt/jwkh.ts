import { inferAlgorithm, prepareKey } from "./_keys.ts";
import { publicJwk } from "./_public_jwk.ts";
import { ALGORITHMS } from "./_algorithms.ts";
import type { JwsHeader, JwtAlgorithm, JwtKey } from "./types.ts";

/** Options for {@linkcode jwkh}. */
export interface JwkhOptions {
  /**
   * The header's `alg`. Needed only to choose between RS256, PS256 and their
   * relatives for an RSA key.
   *
   * @default {"ES256", "ES384" or "ES512" by curve, "EdDSA" or "RS256"}
   */
  alg?: JwtAlgorithm;
  /**
   * The header's `typ`.
   *
   * @default {"JWT"}
   */
  typ?: string;
}

/**
 * Returns a JOSE header that carries the key's public part as a JWK (for an
 * EC key the `x`, `y` coordinates), like the seed's `jwt.jwkh`. Pass it as the
 * header to {@linkcode sign} or {@linkcode scomp} for servers that read the
 * verification key from the token. Private members never appear in it.
 *
 * A verifier must not trust a key just because the token carries it: pin the
 * key, or compare {@linkcode jwkThumbprint} with a known value.
 *
 * @param key A private (or public) EC, Ed25519 or RSA key: PEM, JWK or `CryptoKey`.
 * @param options The `alg` and `typ` to put in the header.
 * @returns The header `{alg, typ, jwk}`.
 * @throws {TypeError} When the key is an HMAC secret or does not fit `alg`.
 *
 * @example An ES256 token carrying its public key, as in the seed
 * ```ts
 * import { jwkh, scomp, verify } from "@cosocket/jwt";
 * import assert from "node:assert/strict";
 *
 * const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
 *   "sign",
 *   "verify",
 * ]);
 * const header = await jwkh(pair.privateKey);
 * assert.equal(header.alg, "ES256");
 * assert.deepEqual(Object.keys(header.jwk ?? {}), ["kty", "crv", "x", "y"]);
 * const token = await scomp(pair.privateKey, { sub: "1234567890", admin: true }, header);
 * const { payload } = await verify(token, pair.publicKey, { algorithms: ["ES256"] });
 * assert.equal(payload.admin, true);
 * ```
 */
export async function jwkh(key: JwtKey, options?: JwkhOptions): Promise<JwsHeader> {
  options ??= {};
  const alg = options.alg ?? await inferAlgorithm(key, "verify");
  if (ALGORITHMS[alg].family === "HMAC") {
    throw new TypeError("Cannot make a JWK header: an HMAC secret must not be published");
  }
  const jwk = await publicJwk(await prepareKey(key, alg, "verify"));
  return { alg, typ: options.typ ?? "JWT", jwk };
}
