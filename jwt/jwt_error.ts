/**
 * The stable reason a token was rejected, in {@linkcode JwtError.code}:
 * - `"invalid_token"`: not a well-formed JWS/JWT (bad base64url, JSON or
 *   structure, too large, unsupported `crit` extension or `b64: false`);
 * - `"invalid_signature"`: the signature does not verify with the key;
 * - `"expired"`: the `exp` time has passed, or the token is older than `maxTokenAge`;
 * - `"not_yet_valid"`: the `nbf` time (or, with `maxTokenAge`, `iat`) lies in the future;
 * - `"claim_mismatch"`: `aud`, `iss`, `sub` or `typ` differs from what was
 *   expected, or a required claim is missing or has the wrong type;
 * - `"alg_not_allowed"`: the header's `alg` is `none`, outside the allow-list,
 *   or does not fit the key (the RS256 to HS256 key-confusion attack lands here);
 * - `"key_not_found"`: no key in the key set matches the token's `kid`.
 *
 * @example Usage
 * ```ts
 * import type { JwtErrorCode } from "@cosocket/jwt";
 *
 * const code: JwtErrorCode = "expired";
 * console.log(code); // expired
 * ```
 */
export type JwtErrorCode =
  | "invalid_token"
  | "invalid_signature"
  | "expired"
  | "not_yet_valid"
  | "claim_mismatch"
  | "alg_not_allowed"
  | "key_not_found";

/** Options for {@linkcode JwtError}. */
export interface JwtErrorOptions extends ErrorOptions {
  /**
   * The claim or header member the error is about, such as `"exp"` or `"aud"`.
   *
   * @default {undefined}
   */
  claim?: string;
}

/**
 * The error {@linkcode verify} and {@linkcode unsafeDecode} throw for a token
 * they reject. Check {@linkcode JwtError.code} rather than the message.
 *
 * @example Telling an expired token from a forged one
 * ```ts
 * import { JwtError, scomp, verify } from "@cosocket/jwt";
 * import assert from "node:assert/strict";
 *
 * const token = await scomp("my-secret", { sub: "1", exp: 1000 });
 * await assert.rejects(verify(token, "my-secret", { algorithms: ["HS256"] }), (error) => {
 *   if (!(error instanceof JwtError)) throw error;
 *   return error.code === "expired" && error.claim === "exp";
 * });
 * ```
 */
export class JwtError extends Error {
  /** The stable reason code. */
  readonly code: JwtErrorCode;
  /** The claim or header member concerned, when there is one. */
  readonly claim: string | undefined;

  /**
   * Creates a JWT error.
   *
   * @param code The stable reason code.
   * @param message A sentence-case description.
   * @param options The claim concerned and the cause.
   */
  constructor(code: JwtErrorCode, message: string, options?: JwtErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    options ??= {};
    this.name = "JwtError";
    this.code = code;
    this.claim = options.claim;
  }
}
