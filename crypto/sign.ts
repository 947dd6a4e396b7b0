/**
 * Digital signatures (the seed's `ba.crypto.sign`).
 *
 * @module
 */
import { prepare } from "./_asymmetric.ts";
import type { HashName, KeyInput } from "./import_key.ts";
import { sigParamsToDer } from "./sig_params.ts";

/** A hash name in the seed's spelling (`"sha256"`) or WebCrypto's (`"SHA-256"`). */
export type AnyHashName = HashName | "sha1" | "sha256" | "sha384" | "sha512";

/** Options for {@linkcode sign} and {@linkcode verify}. */
export interface SignOptions {
  /**
   * Hash applied to the data (ignored for Ed25519, which hashes internally). `"sha256"`
   * and `"SHA-256"` spellings both work.
   *
   * @default {"sha256" for RSA; "sha256", "sha384", "sha512" for P-256, P-384, P-521}
   */
  hash?: AnyHashName;
  /**
   * RSA signature scheme: PKCS#1 v1.5 (as the seed and JWT `RS*`) or PSS (`PS*`).
   *
   * @default {"pkcs1"}
   */
  padding?: "pkcs1" | "pss";
  /**
   * PSS salt length in bytes.
   *
   * @default {the hash length}
   */
  saltLength?: number;
  /**
   * ECDSA signature encoding: DER (as the seed returns, for {@linkcode sigParams}) or
   * raw `r ‖ s` (as JWS and WebCrypto use). {@linkcode verify} tries both when unset.
   *
   * @default {"der"}
   */
  format?: "der" | "raw";
  /**
   * Password of an encrypted private key.
   *
   * @default {undefined}
   */
  password?: string;
}

/**
 * Signs data with a private key: RSA PKCS#1 v1.5 or PSS, ECDSA on P-256/P-384/P-521, or
 * Ed25519. The algorithm follows from the key; the data is hashed as part of signing.
 *
 * @param data The data to sign (strings are UTF-8).
 * @param key A private key in any {@linkcode KeyInput} form.
 * @param options Hash, RSA padding, ECDSA output format, key password.
 * @returns The signature (DER for ECDSA unless `format: "raw"`).
 * @throws {TypeError} If the key is not a private signing key or an option is invalid.
 * @throws {SyntaxError} If the key does not parse.
 *
 * @example Sign with ECDSA and verify
 * ```ts
 * import { createKey, sign, verify } from "@cosocket/crypto";
 * import assert from "node:assert/strict";
 *
 * const key = await createKey();
 * const signature = await sign("message", key);
 * assert.ok(await verify("message", signature, key));
 * assert.ok(!(await verify("tampered", signature, key)));
 * ```
 */
export async function sign(
  data: string | Uint8Array,
  key: KeyInput,
  options: SignOptions = {},
): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError("Cannot sign: data must be a string or Uint8Array");
  }
  const { key: k, params, size } = await prepare(key, "sign", options);
  const signature = new Uint8Array(await crypto.subtle.sign(params, k, bytes.slice()));
  if (size !== undefined && (options.format ?? "der") === "der") return sigParamsToDer(signature);
  return signature;
}
