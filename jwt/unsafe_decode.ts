import { decodeHeader, decodePayload, splitToken } from "./_token.ts";
import type { JwsHeader, JwtPayload } from "./types.ts";

/** Options for {@linkcode unsafeDecode}. */
export interface UnsafeDecodeOptions {
  /**
   * The longest accepted token, in characters.
   *
   * @default {16384}
   */
  maxTokenSize?: number;
}

/** What {@linkcode unsafeDecode} returns: claims and header, not verified. */
export interface UnverifiedJwt {
  /** The claims, NOT verified. */
  payload: JwtPayload;
  /** The protected header, NOT verified. */
  header: JwsHeader;
}

/**
 * Decodes a compact JWT WITHOUT verifying its signature or claims. Anyone can
 * forge what this returns: use it only to route or log a token (for example
 * to read `iss` before choosing keys), never to make a trust decision. Use
 * {@linkcode verify} for that.
 *
 * @param token The compact token.
 * @param options The size limit.
 * @returns The unverified payload and header.
 * @throws {JwtError} With code `"invalid_token"` when the token does not parse.
 *
 * @example Peek at the issuer
 * ```ts
 * import { scomp, unsafeDecode } from "@cosocket/jwt";
 * import assert from "node:assert/strict";
 *
 * const token = await scomp("my-secret", { iss: "https://issuer.example" });
 * assert.equal(unsafeDecode(token).payload.iss, "https://issuer.example");
 * ```
 */
export function unsafeDecode(token: string, options?: UnsafeDecodeOptions): UnverifiedJwt {
  options ??= {};
  const parts = splitToken(token, options.maxTokenSize ?? 16384);
  return { header: decodeHeader(parts.header), payload: decodePayload(parts.payload) };
}
