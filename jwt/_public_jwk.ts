// Exporting keys as JWKs with exactly the members that belong in them.

import { encodeBytes } from "./_base64url.ts";
import type { PreparedKey } from "./_keys.ts";

const PUBLIC_MEMBERS: Record<string, readonly string[]> = {
  EC: ["kty", "crv", "x", "y"],
  OKP: ["kty", "crv", "x"],
  RSA: ["kty", "n", "e"],
};

function pick(jwk: JsonWebKey, members: readonly string[]): JsonWebKey {
  const out: Record<string, unknown> = {};
  for (const member of members) {
    const value = (jwk as Record<string, unknown>)[member];
    if (value !== undefined) out[member] = value;
  }
  return out as JsonWebKey;
}

/** The public members of an asymmetric key (a private key yields its public half). */
export async function publicJwk(prepared: PreparedKey): Promise<JsonWebKey> {
  if (prepared.kind === "secret") {
    throw new TypeError("Cannot export a public JWK: an HMAC secret has no public part");
  }
  const jwk = await crypto.subtle.exportKey("jwk", prepared.key);
  const members = PUBLIC_MEMBERS[jwk.kty ?? ""];
  if (members === undefined) {
    throw new TypeError(`Cannot export a public JWK: key type "${jwk.kty}" has no public part`);
  }
  return pick(jwk, members);
}

/** Every member of a key, private parts included, without WebCrypto's `key_ops` and `ext`. */
export async function privateJwk(prepared: PreparedKey): Promise<JsonWebKey> {
  if (prepared.kind === "secret") return { kty: "oct", k: encodeBytes(prepared.secret) };
  const { key_ops: _ops, ext: _ext, alg: _alg, ...jwk } = await crypto.subtle.exportKey(
    "jwk",
    prepared.key,
  );
  return jwk;
}

/** The RFC 7638 thumbprint members of a JWK, in lexicographic order. */
export function thumbprintMembers(jwk: JsonWebKey): JsonWebKey {
  switch (jwk.kty) {
    case "EC":
      return pick(jwk, ["crv", "kty", "x", "y"]);
    case "OKP":
      return pick(jwk, ["crv", "kty", "x"]);
    case "RSA":
      return pick(jwk, ["e", "kty", "n"]);
    case "oct":
      return pick(jwk, ["k", "kty"]);
  }
  throw new TypeError(`Cannot compute thumbprint: key type "${jwk.kty}" is not supported`);
}
