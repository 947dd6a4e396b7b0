/**
 * RSA encryption (the seed's `ba.crypto.encrypt`).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { createPublicKey, publicEncrypt } from "node:crypto";
import { hashName } from "./_asymmetric.ts";
import { checkPadding, checkRsa, dataBytes, nodePadding, oaepParams } from "./_rsa.ts";
import { importKey, type KeyInput } from "./import_key.ts";
import type { RsaEncryptOptions } from "./rsa_encrypt_options.ts";

/**
 * Encrypts data with an RSA public key (a certificate, private key, JWK or `{n, e}`
 * works too). PKCS#1 v1.5 and no-padding run on `node:crypto` (WebCrypto has neither);
 * OAEP runs on WebCrypto.
 *
 * @param data The data (strings are UTF-8): at most key size − 11 bytes for PKCS#1 v1.5,
 * key size − 2·hash − 2 for OAEP, exactly key size for no padding.
 * @param key The public key.
 * @param options Padding, OAEP hash and label.
 * @returns The ciphertext, exactly key size bytes long.
 * @throws {TypeError} If the key is not an RSA key or an option is invalid.
 * @throws {RangeError} If the data is too long for the key and padding.
 *
 * @example OAEP with a label
 * ```ts
 * import { createKey, decrypt, encrypt } from "@cosocket/crypto";
 * import assert from "node:assert/strict";
 *
 * const key = await createKey({ type: "rsa" });
 * const options = { padding: "oaep", hash: "sha256", label: "v1" } as const;
 * const secret = await encrypt("top secret", key, options);
 * assert.equal(secret.length, 256);
 * assert.equal(new TextDecoder().decode(await decrypt(secret, key, options)), "top secret");
 * ```
 */
export async function encrypt(
  data: string | Uint8Array,
  key: KeyInput,
  options: RsaEncryptOptions = {},
): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = dataBytes(data, "encrypt");
  const padding = checkPadding(options.padding ?? "pkcs1", "encrypt");
  const input = checkRsa(key, "encrypt", options.password);
  const hash = hashName(options.hash ?? "sha256", "encrypt");
  const pub = await importKey(input, { name: "RSA-OAEP", hash }, "encrypt");
  if (padding === "oaep") {
    try {
      return new Uint8Array(await crypto.subtle.encrypt(oaepParams(options), pub, bytes));
    } catch (error) {
      if (error instanceof DOMException) throw new RangeError(`Cannot encrypt: ${error.message}`);
      throw error;
    }
  }
  const spki = Buffer.from(await crypto.subtle.exportKey("spki", pub));
  const nodeKey = createPublicKey({ key: spki, format: "der", type: "spki" });
  const size = (pub.algorithm as RsaHashedKeyAlgorithm).modulusLength / 8;
  if (padding === "pkcs1" ? bytes.length > size - 11 : bytes.length !== size) {
    throw new RangeError(
      `Cannot encrypt: ${bytes.length} bytes do not fit a ${size}-byte key with ${padding} padding`,
    );
  }
  try {
    return new Uint8Array(publicEncrypt({ key: nodeKey, padding: nodePadding(padding) }, bytes));
  } catch (error) {
    throw new RangeError(`Cannot encrypt: ${(error as Error).message}`);
  }
}
