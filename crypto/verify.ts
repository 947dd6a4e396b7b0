/**
 * Signature verification (the seed's `ba.crypto.verify`, including its RS256 `{n, e}`
 * mode).
 *
 * @module
 */
import type { KeyInput } from "./import_key.ts";
import { prepare } from "./_asymmetric.ts";
import type { SignOptions } from "./sign_options.ts";
import { sigParams } from "./sig_params.ts";
import { toBytes } from "./_bytes.ts";

/**
 * Verifies a signature with a public key (a private key, certificate, JWK or bare RSA
 * `{n, e}` works too). Returns `false` for a signature that does not verify, including a
 * malformed one; throws only for unusable keys or options.
 *
 * Takes three positional arguments, unlike the style's limit of two, to keep the
 * data/signature/key order of the seed and of WebCrypto.
 *
 * @param data The signed data (strings are UTF-8).
 * @param signature The signature. For ECDSA, DER or raw `r ‖ s` (see
 * {@linkcode SignOptions.format}).
 * @param key The public key in any {@linkcode KeyInput} form.
 * @param options Hash, RSA padding, ECDSA format, key password (same as {@linkcode sign}).
 * @returns `true` when the signature is valid.
 * @throws {TypeError} If the key cannot verify or an option is invalid.
 * @throws {SyntaxError} If the key does not parse.
 *
 * @example Verify an RS256 signature with the bare `{n, e}` of a JWKS entry
 * ```ts
 * import { createKey, sign, verify } from "@cosocket/crypto";
 * import assert from "node:assert/strict";
 *
 * const pem = await createKey({ type: "rsa" });
 * const signature = await sign("header.payload", pem); // RSASSA-PKCS1-v1_5 SHA-256
 * const pub = await crypto.subtle.importKey(
 *   "pkcs8",
 *   Uint8Array.fromBase64(pem.replace(/-----[^-]+-----|\s/g, "")),
 *   { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
 *   true,
 *   ["sign"],
 * ).then((k) => crypto.subtle.exportKey("jwk", k));
 * assert.ok(await verify("header.payload", signature, { n: pub.n!, e: pub.e! }));
 * ```
 */
export async function verify(
  data: string | Uint8Array,
  signature: Uint8Array,
  key: KeyInput,
  options: SignOptions = {},
): Promise<boolean> {
  const bytes = toBytes(data, "verify", "data");
  if (!(signature instanceof Uint8Array)) {
    throw new TypeError("Cannot verify: signature must be a Uint8Array");
  }
  const { key: k, params, size } = await prepare(key, "verify", options);
  const message = bytes.slice();
  if (size === undefined) return await crypto.subtle.verify(params, k, signature.slice(), message);
  const candidates: Uint8Array<ArrayBuffer>[] = [];
  if (options.format !== "raw") {
    try {
      const { r, s } = sigParams(signature, { size });
      const raw = new Uint8Array(2 * size);
      raw.set(r);
      raw.set(s, size);
      candidates.push(raw);
    } catch {
      // not DER (or values too long for the curve): maybe raw
    }
  }
  if (options.format !== "der" && signature.length === 2 * size) candidates.push(signature.slice());
  for (const candidate of candidates) {
    if (await crypto.subtle.verify(params, k, candidate, message)) return true;
  }
  return false;
}
