// Choosing a key from a JWK Set by "kid", key type, curve, "alg" and "use".

import { ALGORITHMS, isAlgorithm } from "./_algorithms.ts";
import { JwtError } from "./jwt_error.ts";
import type { Jwk, JwkSet, JwsHeader } from "./types.ts";

const KTY = { HMAC: "oct", RSA: "RSA", "RSA-PSS": "RSA", EC: "EC", OKP: "OKP" } as const;

function isEd25519(alg: string): boolean {
  return alg === "EdDSA" || alg === "Ed25519";
}

/** Checks that `set` looks like a JWK Set. */
export function checkKeySet(set: unknown): asserts set is JwkSet {
  if (
    typeof set !== "object" || set === null || !Array.isArray((set as JwkSet).keys) ||
    !(set as JwkSet).keys.every((key) => typeof key === "object" && key !== null)
  ) {
    throw new TypeError(`Cannot use key set: expected an object with a "keys" list of JWKs`);
  }
}

/**
 * The one key of `set` that can verify a token with this header.
 *
 * @throws {JwtError} With code "key_not_found" when none or several fit.
 */
export function selectJwk(set: JwkSet, header: JwsHeader): Jwk {
  const alg = header.alg;
  const kid = header.kid;
  if (!isAlgorithm(alg)) {
    throw new JwtError(
      "key_not_found",
      `Cannot select key: algorithm "${String(alg)}" is not supported`,
    );
  }
  const info = ALGORITHMS[alg];
  const candidates = set.keys.filter((jwk) =>
    (kid === undefined || jwk.kid === kid) &&
    jwk.kty === KTY[info.family] &&
    (info.curve === undefined || jwk.crv === info.curve) &&
    (jwk.alg === undefined || jwk.alg === alg || (isEd25519(jwk.alg) && isEd25519(alg))) &&
    (jwk.use === undefined || jwk.use === "sig") &&
    (jwk.key_ops === undefined || jwk.key_ops.includes("verify"))
  );
  const [first] = candidates;
  if (first === undefined) {
    const which = kid === undefined ? "" : ` with "kid" "${String(kid)}"`;
    throw new JwtError(
      "key_not_found",
      `Cannot select key: no key${which} fits algorithm "${alg}"`,
      {
        claim: "kid",
      },
    );
  }
  if (candidates.length > 1) {
    throw new JwtError(
      "key_not_found",
      `Cannot select key: ${candidates.length} keys fit algorithm "${alg}" and the token has no unique "kid"`,
      { claim: "kid" },
    );
  }
  return first;
}
