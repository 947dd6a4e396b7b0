/**
 * RSA decryption (the seed's `ba.crypto.decrypt`).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { createPrivateKey, privateDecrypt } from "node:crypto";
import { hashName } from "./_asymmetric.ts";
import { checkPadding, checkRsa, dataBytes, nodePadding, oaepParams } from "./_rsa.ts";
import { DecryptError } from "./decrypt_error.ts";
import type { RsaEncryptOptions } from "./rsa_encrypt_options.ts";
import { importKey, type KeyInput } from "./import_key.ts";

/**
 * Decrypts RSA ciphertext with a private key. Every failure (wrong key, bad padding,
 * wrong label) throws the same {@linkcode DecryptError}. PKCS#1 v1.5 decryption is
 * inherently exposed to padding-oracle attacks (Bleichenbacher); use it only for
 * compatibility, never where an attacker can submit many ciphertexts.
 *
 * @param data The ciphertext (exactly key size bytes).
 * @param key The private key.
 * @param options Padding, OAEP hash and label, key password (must match encryption).
 * @returns The plaintext.
 * @throws {TypeError} If the key is not an RSA private key or an option is invalid.
 * @throws {DecryptError} If decryption fails.
 *
 * @example PKCS#1 v1.5, as the seed defaults to
 * ```ts
 * import { createKey, decrypt, encrypt } from "@cosocket/crypto";
 * import assert from "node:assert/strict";
 *
 * const key = await createKey({ type: "rsa" });
 * const ciphertext = await encrypt("hi", key);
 * assert.equal(new TextDecoder().decode(await decrypt(ciphertext, key)), "hi");
 * ```
 */
export async function decrypt(
  data: Uint8Array,
  key: KeyInput,
  options: RsaEncryptOptions = {},
): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = dataBytes(data, "decrypt");
  const padding = checkPadding(options.padding ?? "pkcs1", "decrypt");
  const input = checkRsa(key, "decrypt", options.password);
  const hash = hashName(options.hash ?? "sha256", "decrypt");
  const priv = await importKey(input, { name: "RSA-OAEP", hash }, "decrypt");
  if (padding === "oaep") {
    try {
      return new Uint8Array(await crypto.subtle.decrypt(oaepParams(options), priv, bytes));
    } catch {
      throw new DecryptError();
    }
  }
  const pkcs8 = Buffer.from(await crypto.subtle.exportKey("pkcs8", priv));
  const nodeKey = createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" });
  try {
    return new Uint8Array(privateDecrypt({ key: nodeKey, padding: nodePadding(padding) }, bytes));
  } catch {
    throw new DecryptError();
  }
}
