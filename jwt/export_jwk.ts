import { inferAlgorithm, prepareKey } from "./_keys.ts";
import { privateJwk, publicJwk } from "./_public_jwk.ts";
import { ALGORITHMS } from "./_algorithms.ts";
import type { Jwk, JwtAlgorithm, JwtKey } from "./types.ts";

/** Options for {@linkcode exportJwk}. */
export interface ExportJwkOptions {
  /**
   * The algorithm the key is for; written as the JWK `alg` when set. Needed
   * to export an RSA key for PS256 and relatives.
   *
   * @default {inferred from the key, and not written}
   */
  alg?: JwtAlgorithm;
  /**
   * The key identifier to write as `kid`.
   *
   * @default {undefined}
   */
  kid?: string;
  /**
   * Export private members (`d`, ..., or an HMAC secret's `k`) too. Without
   * it the public half of the key is exported, and an HMAC secret is refused.
   *
   * @default {false}
   */
  private?: boolean;
}

/**
 * Exports a key as a JWK (RFC 7517): by default the public half, ready for a
 * JWK Set that other parties (for example npm `jose`) verify with.
 *
 * @param key A key in any accepted form: PEM, DER, JWK, RSA `{n, e}`, `CryptoKey`,
 * or with `private: true` an HMAC secret.
 * @param options The `alg`, `kid` and whether to include private members.
 * @returns The JWK, with `use: "sig"` and the `alg` and `kid` given.
 * @throws {TypeError} When the key cannot be exported this way.
 *
 * @example Publish a public key with a kid
 * ```ts
 * import { exportJwk } from "@cosocket/jwt";
 * import assert from "node:assert/strict";
 *
 * const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, true, [
 *   "sign",
 *   "verify",
 * ]) as CryptoKeyPair;
 * const jwk = await exportJwk(pair.privateKey, { kid: "ed1" });
 * assert.deepEqual(Object.keys(jwk), ["kty", "crv", "x", "use", "kid"]);
 * ```
 */
export async function exportJwk(key: JwtKey, options?: ExportJwkOptions): Promise<Jwk> {
  options ??= {};
  const usage = options.private === true ? "sign" : "verify";
  const alg = options.alg ?? await inferAlgorithm(key, usage);
  const secret = ALGORITHMS[alg].family === "HMAC";
  if (secret && options.private !== true) {
    throw new TypeError(`Cannot export JWK: an HMAC secret is exported only with "private: true"`);
  }
  const prepared = await prepareKey(key, alg, usage);
  const jwk = options.private === true ? await privateJwk(prepared) : await publicJwk(prepared);
  const out: Jwk = { ...jwk, use: "sig" };
  if (options.alg !== undefined) out.alg = options.alg;
  if (options.kid !== undefined) out.kid = options.kid;
  return out;
}
