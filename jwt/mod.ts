/**
 * JSON Web Tokens for Deno: sign, compact serialisation, JWK headers and
 * strict verification, after the seed's `jwt` library (`jwt.sign`,
 * `jwt.scomp`, `jwt.jwkh`) and `ba.crypto.verify`'s RS256 `{n, e}` mode.
 *
 * Algorithms: HS256/384/512, RS256/384/512, PS256/384/512, ES256/384/512
 * and EdDSA (Ed25519). Verification needs an explicit algorithm allow-list,
 * refuses `alg: "none"` and keys that do not fit the algorithm, and checks
 * `exp`, `nbf`, `iat` age, `aud`, `iss`, `sub`, `typ`, required claims and
 * `crit`. Rejections are {@linkcode JwtError}s with a stable `code`.
 *
 * ```ts
 * import { JwtError, scomp, verify } from "@cosocket/jwt";
 * import assert from "node:assert/strict";
 *
 * const now = Math.floor(Date.now() / 1000);
 * const token = await scomp("my-secret", { sub: "alice", iat: now, exp: now + 60 });
 * const { payload } = await verify(token, "my-secret", { algorithms: ["HS256"] });
 * assert.equal(payload.sub, "alice");
 *
 * await assert.rejects(
 *   verify(token, "other-secret", { algorithms: ["HS256"] }),
 *   (error) => error instanceof JwtError && error.code === "invalid_signature",
 * );
 * ```
 *
 * @module
 */

export * from "./create_local_jwk_set.ts";
export * from "./export_jwk.ts";
export * from "./jwk_thumbprint.ts";
export * from "./jwkh.ts";
export * from "./jwt_error.ts";
export * from "./scomp.ts";
export * from "./sign.ts";
export * from "./types.ts";
export * from "./unsafe_decode.ts";
export * from "./verify.ts";
