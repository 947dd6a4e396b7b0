import { checkKeySet, selectJwk } from "./_jwk_set.ts";
import type { JwkSet, KeyResolver } from "./types.ts";

/**
 * Makes a {@linkcode KeyResolver} that picks the key for a token from a local
 * JWK Set: by the header's `kid`, then by key type and curve for the token's
 * `alg`, skipping keys whose `alg`, `use` or `key_ops` forbid verifying with
 * it. Passing the set itself to {@linkcode verify} does the same.
 *
 * A remote JWKS fetcher (with timeout and cache) will be another
 * `KeyResolver` once the HTTP client exists; `verify` needs no change.
 *
 * @param set The JWK Set, for example the parsed body of a `jwks.json`.
 * @returns The resolver. It throws {@linkcode JwtError} with code
 * `"key_not_found"` when no key, or more than one key, fits.
 * @throws {TypeError} When `set` is not a JWK Set.
 *
 * @example Verify against a set of keys chosen by kid
 * ```ts
 * import { createLocalJwkSet, exportJwk, scomp, verify } from "@cosocket/jwt";
 * import assert from "node:assert/strict";
 *
 * const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
 *   "sign",
 *   "verify",
 * ]);
 * const jwks = { keys: [await exportJwk(pair.publicKey, { kid: "k1", alg: "ES256" })] };
 * const token = await scomp(pair.privateKey, { sub: "7" }, { alg: "ES256", kid: "k1" });
 * const { payload } = await verify(token, createLocalJwkSet(jwks), { algorithms: ["ES256"] });
 * assert.equal(payload.sub, "7");
 * ```
 */
export function createLocalJwkSet(set: JwkSet): KeyResolver {
  checkKeySet(set);
  const keys: JwkSet = { keys: [...set.keys] };
  return (header) => selectJwk(keys, header);
}
