/**
 * Public EC key coordinates (the seed's `ba.crypto.keyparams`).
 *
 * @module
 */
import { resolveKey } from "./_asymmetric.ts";
import { importKey, type KeyInput } from "./import_key.ts";

/** The public point of an EC key. */
export interface KeyParams {
  /** The curve. */
  curve: "P-256" | "P-384" | "P-521";
  /** The x coordinate, big-endian, padded to the field size. */
  x: Uint8Array<ArrayBuffer>;
  /** The y coordinate, big-endian, padded to the field size. */
  y: Uint8Array<ArrayBuffer>;
}

/** Options for {@linkcode keyParams}. */
export interface KeyParamsOptions {
  /**
   * Password of an encrypted private key.
   *
   * @default {undefined}
   */
  password?: string;
}

/**
 * Returns the public `(x, y)` coordinates of an EC key, such as one from
 * {@linkcode createKey}, for building a JWK (`x` and `y` are base64url of these). As in
 * the seed, only EC keys are supported.
 *
 * @param key An EC private or public key in any {@linkcode KeyInput} form.
 * @param options Password of an encrypted private key.
 * @returns The curve and coordinates.
 * @throws {TypeError} If the key is not an EC key.
 * @throws {SyntaxError} If the key does not parse.
 *
 * @example Build a public JWK
 * ```ts
 * import { createKey, keyParams } from "@cosocket/crypto";
 * import assert from "node:assert/strict";
 *
 * const { curve, x, y } = await keyParams(await createKey());
 * const jwk = { kty: "EC", crv: curve, x: x.toBase64({ alphabet: "base64url", omitPadding: true }), y: y.toBase64({ alphabet: "base64url", omitPadding: true }) };
 * assert.equal(jwk.x.length, 43);
 * ```
 */
export async function keyParams(key: KeyInput, options?: KeyParamsOptions): Promise<KeyParams> {
  options ??= {};
  const resolved = resolveKey(key, "get key parameters", options.password);
  if (resolved.family !== "ec" || !resolved.curve) {
    throw new TypeError("Cannot get key parameters: only EC keys have (x, y) parameters");
  }
  const pub = await importKey(
    resolved.input,
    { name: "ECDSA", namedCurve: resolved.curve },
    "verify",
  );
  const jwk = await crypto.subtle.exportKey("jwk", pub);
  return {
    curve: resolved.curve,
    x: Uint8Array.fromBase64(jwk.x!, { alphabet: "base64url" }),
    y: Uint8Array.fromBase64(jwk.y!, { alphabet: "base64url" }),
  };
}
