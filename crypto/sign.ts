/**
 * Digital signatures (the seed's `ba.crypto.sign`).
 *
 * @module
 */
import { prepare } from "./_asymmetric.ts";
import type { KeyInput } from "./import_key.ts";
import type { SignOptions } from "./sign_options.ts";
import { sigParamsToDer } from "./sig_params.ts";
import { toBytes } from "./_bytes.ts";

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
  const bytes = toBytes(data, "sign", "data");
  const { key: k, params, size } = await prepare(key, "sign", options);
  const signature = new Uint8Array(await crypto.subtle.sign(params, k, bytes.slice()));
  if (size !== undefined && (options.format ?? "der") === "der") return sigParamsToDer(signature);
  return signature;
}
