/**
 * The error thrown when decryption or token verification fails.
 *
 * @module
 */

/** Stable codes of {@linkcode DecryptError}. */
export type DecryptErrorCode = "decrypt" | "expired";

/**
 * Thrown when ciphertext is not authentic: a GCM/CCM tag or a Fernet HMAC does not match,
 * or CBC/PKCS#7 padding is invalid. The message and the `code` are the same for every
 * cause (`"decrypt"`), so an attacker cannot tell a padding failure from a MAC failure.
 * The one exception is `"expired"`: a Fernet token whose HMAC verified but whose age
 * exceeds the allowed TTL.
 *
 * @example Catch a tampered message
 * ```ts
 * import { DecryptError, symmetric } from "@cosocket/crypto";
 * import assert from "node:assert/strict";
 *
 * const key = crypto.getRandomValues(new Uint8Array(16));
 * const iv = crypto.getRandomValues(new Uint8Array(12));
 * const { data, tag } = await symmetric("GCM", key, iv).encrypt("secret");
 * data[0]! ^= 1;
 * await assert.rejects(symmetric("GCM", key, iv).decrypt(data, tag), DecryptError);
 * ```
 */
export class DecryptError extends Error {
  /** `"decrypt"` for any authentication or padding failure, `"expired"` for an old token. */
  readonly code: DecryptErrorCode;

  /**
   * Creates the error.
   *
   * @param code The stable code.
   * @param message The message; the default never names the cause.
   */
  constructor(
    code: DecryptErrorCode = "decrypt",
    message: string = code === "expired"
      ? "Cannot decrypt: token has expired"
      : "Cannot decrypt: data is not authentic or is corrupt",
  ) {
    super(message);
    this.name = "DecryptError";
    this.code = code;
  }
}
