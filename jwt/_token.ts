// Splitting and decoding compact tokens, shared by verify and unsafeDecode.

import { decodeBytes, decodeUtf8 } from "./_base64url.ts";
import { JwtError } from "./jwt_error.ts";
import type { JwsHeader, JwtPayload } from "./types.ts";

/** The three parts of a compact JWS, still encoded. */
export interface TokenParts {
  header: string;
  payload: string;
  signature: string;
  /** The ASCII text the signature covers: `header.payload`. */
  signingInput: string;
}

function invalid(message: string, cause?: unknown): JwtError {
  return new JwtError("invalid_token", `Cannot decode token: ${message}`, { cause });
}

/** Splits a compact JWS after checking its type and size. */
export function splitToken(token: unknown, maxTokenSize: number): TokenParts {
  if (typeof token !== "string") throw invalid(`expected a string, got ${typeof token}`);
  if (token.length > maxTokenSize) {
    throw invalid(`token is ${token.length} characters, the limit is ${maxTokenSize}`);
  }
  const first = token.indexOf(".");
  const second = first === -1 ? -1 : token.indexOf(".", first + 1);
  if (second === -1) throw invalid("expected three dot-separated parts");
  if (token.indexOf(".", second + 1) !== -1) {
    throw invalid("expected three dot-separated parts (encrypted tokens are not supported)");
  }
  return {
    header: token.slice(0, first),
    payload: token.slice(first + 1, second),
    signature: token.slice(second + 1),
    signingInput: token.slice(0, second),
  };
}

/** Decodes a base64url JSON object part. */
export function decodeJsonObject(
  part: string,
  what: "header" | "payload",
): Record<string, unknown> {
  const bytes = decodeBytes(part);
  if (bytes === undefined) throw invalid(`the ${what} is not canonical base64url`);
  const text = decodeUtf8(bytes);
  if (text === undefined) throw invalid(`the ${what} is not valid UTF-8`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw invalid(`the ${what} is not valid JSON`, error);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalid(`the ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** Decodes the protected header. */
export function decodeHeader(part: string): JwsHeader {
  return decodeJsonObject(part, "header") as JwsHeader;
}

/** Decodes the payload as JWT claims. */
export function decodePayload(part: string): JwtPayload {
  return decodeJsonObject(part, "payload") as JwtPayload;
}
