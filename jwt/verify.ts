import { ALGORITHMS, isAlgorithm } from "./_algorithms.ts";
import { decodeBytes, utf8 } from "./_base64url.ts";
import { checkClaims } from "./_claims.ts";
import { type PreparedKey, prepareKey, verifyBytes } from "./_keys.ts";
import { decodeHeader, decodePayload, splitToken } from "./_token.ts";
import { JwtError } from "./jwt_error.ts";
import { selectJwk } from "./_jwk_set.ts";
import type { JwkSet, JwsHeader, JwtAlgorithm, JwtKey, JwtPayload, KeyResolver } from "./types.ts";

/** Options for {@linkcode verify}. */
export interface VerifyOptions {
  /**
   * The algorithms a token may use. Required: a verifier must decide which
   * algorithms it trusts. `"none"` cannot be listed. A token whose `alg` is
   * not listed fails with code `"alg_not_allowed"`.
   */
  algorithms: readonly JwtAlgorithm[];
  /**
   * Accepted audiences: the token's `aud` (a string or a list) must contain
   * at least one of them. When set, `aud` is required.
   *
   * @default {undefined}
   */
  audience?: string | readonly string[];
  /**
   * Accepted issuers: the token's `iss` must equal one of them. When set,
   * `iss` is required.
   *
   * @default {undefined}
   */
  issuer?: string | readonly string[];
  /**
   * The expected `sub`. When set, `sub` is required.
   *
   * @default {undefined}
   */
  subject?: string;
  /**
   * The expected header `typ`, compared without case and with an optional
   * `application/` prefix (`"JWT"` matches `"application/jwt"`).
   *
   * @default {undefined}
   */
  typ?: string;
  /**
   * Claims that must be present.
   *
   * @default {[]}
   */
  requiredClaims?: readonly string[];
  /**
   * Allowed clock skew, in seconds, for `exp`, `nbf` and `iat` checks.
   *
   * @default {0}
   */
  clockTolerance?: number;
  /**
   * The largest accepted age, in seconds, measured from `iat` (then required).
   *
   * @default {undefined}
   */
  maxTokenAge?: number;
  /**
   * The time to check `exp`, `nbf` and `iat` against.
   *
   * @default {new Date()}
   */
  currentDate?: Date;
  /**
   * Header extensions the caller understands and checks itself: a token
   * whose `crit` lists anything else is rejected (RFC 7515 section 4.1.11).
   *
   * @default {[]}
   */
  crit?: readonly string[];
  /**
   * The longest accepted token, in characters; longer input is rejected
   * before any decoding.
   *
   * @default {16384}
   */
  maxTokenSize?: number;
}

/** What {@linkcode verify} returns for a valid token. */
export interface VerifyResult<P extends JwtPayload = JwtPayload> {
  /** The verified claims. */
  payload: P;
  /** The verified protected header. */
  header: JwsHeader;
}

// Header members RFC 7515 and RFC 7518 define: they may not appear in "crit".
const REGISTERED = new Set([
  "alg",
  "jku",
  "jwk",
  "kid",
  "x5u",
  "x5c",
  "x5t",
  "x5t#S256",
  "typ",
  "cty",
  "crit",
  "enc",
  "zip",
  "epk",
  "apu",
  "apv",
  "iv",
  "tag",
  "p2s",
  "p2c",
]);

/**
 * Verifies a compact JWS/JWT and returns its claims and header.
 *
 * Checks, in order: size, structure and encoding; `alg` against the required
 * allow-list (`"none"` never passes); `crit`; that the key's type fits `alg`
 * (so an RSA public key can never serve as an HMAC secret); the signature
 * (ECDSA must be raw `r || s`); then `typ` and the claims: `exp`, `nbf`,
 * `maxTokenAge` with `clockTolerance`, `aud`, `iss`, `sub` and required claims.
 *
 * The key may be a single key (secret, PEM, JWK, RSA `{n, e}`, `CryptoKey`), a
 * JWK Set whose key is chosen by the token's `kid`, or a {@linkcode KeyResolver}
 * function, the hook remote key sources plug into.
 *
 * @typeParam P The expected claims type (not checked at run time).
 * @param token The compact token.
 * @param key The verification key, key set or resolver.
 * @param options The allow-list and claim expectations.
 * @returns The payload and protected header.
 * @throws {JwtError} When the token is rejected; `code` says why.
 * @throws {TypeError} When the options are invalid (no algorithms, `"none"`).
 *
 * @example Verify an HS256 token
 * ```ts
 * import { scomp, verify } from "@cosocket/jwt";
 * import assert from "node:assert/strict";
 *
 * const token = await scomp("my-secret", { sub: "42", aud: "api" });
 * const { payload } = await verify(token, "my-secret", {
 *   algorithms: ["HS256"],
 *   audience: "api",
 * });
 * assert.equal(payload.sub, "42");
 * ```
 *
 * @example Verify RS256 with the seed's `{n, e}` public key components
 * ```ts
 * import { exportJwk, scomp, verify } from "@cosocket/jwt";
 * import assert from "node:assert/strict";
 *
 * const pair = await crypto.subtle.generateKey(
 *   { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
 *   true,
 *   ["sign", "verify"],
 * );
 * const token = await scomp(pair.privateKey, { sub: "42" });
 * const { n, e } = await exportJwk(pair.publicKey);
 * const { header } = await verify(token, { n: n!, e: e! }, { algorithms: ["RS256"] });
 * assert.equal(header.alg, "RS256");
 * ```
 */
export async function verify<P extends JwtPayload = JwtPayload>(
  token: string,
  key: JwtKey | JwkSet | KeyResolver,
  options: VerifyOptions,
): Promise<VerifyResult<P>> {
  const algorithms = checkAlgorithms(options.algorithms);
  const parts = splitToken(token, options.maxTokenSize ?? 16384);
  const header = decodeHeader(parts.header);
  const alg = header.alg;
  if (alg === "none" || (typeof alg === "string" && alg.toLowerCase() === "none")) {
    throw new JwtError(
      "alg_not_allowed",
      `Cannot verify token: unsecured "none" tokens are refused`,
      {
        claim: "alg",
      },
    );
  }
  if (!isAlgorithm(alg) || !algorithms.includes(alg)) {
    throw new JwtError(
      "alg_not_allowed",
      `Cannot verify token: algorithm "${String(alg)}" is not in the allow-list`,
      { claim: "alg" },
    );
  }
  checkCrit(header, options.crit ?? []);
  const signature = decodeBytes(parts.signature);
  if (signature === undefined) {
    throw new JwtError(
      "invalid_token",
      "Cannot decode token: the signature is not canonical base64url",
    );
  }
  const prepared = await keyFor(key, header, alg, algorithms);
  let valid: boolean;
  try {
    valid = await verifyBytes(prepared, alg, utf8(parts.signingInput), signature);
  } catch (error) {
    throw new JwtError("invalid_signature", "Cannot verify token: signature check failed", {
      cause: error,
    });
  }
  if (!valid) throw new JwtError("invalid_signature", "Cannot verify token: signature is invalid");
  const payload = decodePayload(parts.payload);
  if (options.typ !== undefined) checkTyp(header, options.typ);
  checkClaims(payload, options);
  return { payload: payload as P, header };
}

function checkAlgorithms(algorithms: readonly JwtAlgorithm[] | undefined): readonly string[] {
  if (!Array.isArray(algorithms) || algorithms.length === 0) {
    throw new TypeError(`Cannot verify token: "algorithms" must list at least one algorithm`);
  }
  for (const alg of algorithms) {
    if (!isAlgorithm(alg)) {
      throw new TypeError(`Cannot verify token: algorithm "${String(alg)}" is not supported`);
    }
  }
  return algorithms;
}

function checkCrit(header: JwsHeader, understood: readonly string[]): void {
  if (header.b64 !== undefined && header.b64 !== true) {
    throw new JwtError(
      "invalid_token",
      `Cannot verify token: unencoded payloads ("b64") are not supported`,
      {
        claim: "b64",
      },
    );
  }
  const crit: unknown = header.crit;
  if (crit === undefined) return;
  if (!Array.isArray(crit) || crit.length === 0) {
    throw new JwtError("invalid_token", `Cannot verify token: "crit" must be a non-empty list`, {
      claim: "crit",
    });
  }
  for (const name of crit) {
    if (typeof name !== "string" || REGISTERED.has(name) || !(name in header)) {
      throw new JwtError(
        "invalid_token",
        `Cannot verify token: "crit" entry "${String(name)}" is invalid`,
        {
          claim: "crit",
        },
      );
    }
    if (!understood.includes(name)) {
      throw new JwtError(
        "invalid_token",
        `Cannot verify token: critical extension "${name}" is not understood`,
        { claim: "crit" },
      );
    }
  }
}

function normaliseTyp(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.startsWith("application/") ? lower.slice(12) : lower;
}

function checkTyp(header: JwsHeader, expected: string): void {
  if (typeof header.typ !== "string" || normaliseTyp(header.typ) !== normaliseTyp(expected)) {
    throw new JwtError(
      "claim_mismatch",
      `Cannot verify token: header "typ" is "${String(header.typ)}", expected "${expected}"`,
      { claim: "typ" },
    );
  }
}

function isKeySet(key: JwtKey | JwkSet): key is JwkSet {
  return typeof key === "object" && !(key instanceof Uint8Array) &&
    Array.isArray((key as JwkSet).keys) && (key as JsonWebKey).kty === undefined;
}

async function keyFor(
  key: JwtKey | JwkSet | KeyResolver,
  header: JwsHeader,
  alg: JwtAlgorithm,
  algorithms: readonly string[],
): Promise<PreparedKey> {
  const resolved = typeof key === "function" ? await key(header) : key;
  const chosen = isKeySet(resolved) ? selectJwk(resolved, header) : resolved;
  if (chosen instanceof Uint8Array && mixesFamilies(algorithms)) {
    // The same bytes could be read as DER or as an HMAC secret: refuse to guess.
    throw new TypeError(
      "Cannot verify token: a byte key is ambiguous when the allow-list mixes HMAC and public-key algorithms",
    );
  }
  try {
    return await prepareKey(chosen, alg, "verify");
  } catch (error) {
    throw new JwtError(
      "alg_not_allowed",
      `Cannot verify token: algorithm "${alg}" does not fit the key`,
      { claim: "alg", cause: error },
    );
  }
}

function mixesFamilies(algorithms: readonly string[]): boolean {
  let hmac = false;
  let other = false;
  for (const alg of algorithms) {
    if (ALGORITHMS[alg as JwtAlgorithm].family === "HMAC") hmac = true;
    else other = true;
  }
  return hmac && other;
}
