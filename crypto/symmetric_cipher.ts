/**
 * The types of {@linkcode symmetric}'s cipher objects (AES-GCM, AES-CCM and
 * AES-CBC with the seed's `ba.crypto.symmetric` object model).
 *
 * @module
 */
/** The cipher modes of `symmetric` (AES with a 128, 192 or 256-bit key). */
export type SymmetricCipherName = "GCM" | "CCM" | "CBC";

/** Options for `symmetric`. */
export interface SymmetricOptions {
  /**
   * Tag length in bytes for CCM: 4, 6, 8, 10, 12, 14 or 16. GCM tags are always 16 bytes;
   * CBC has no tag.
   *
   * @default {16}
   */
  tagLength?: number;
}

/** What {@linkcode SymmetricCipher.encrypt} returns. */
export interface SymmetricResult {
  /** The ciphertext. */
  data: Uint8Array<ArrayBuffer>;
  /** The authentication tag (GCM and CCM only). */
  tag?: Uint8Array<ArrayBuffer>;
}

/**
 * An AES encryptor or decryptor. One object handles one message in one direction: the
 * first call to `encrypt` or `decrypt` fixes the direction. Calls may be issued without
 * awaiting the previous one; they run in order. Large inputs are not copied: do not
 * modify a chunk until the promise of the call that took it has settled.
 *
 * Chunking:
 * - **GCM** streams over any number of chunks under one key/IV. Every chunk except the
 *   last must be a multiple of 16 bytes (the seed's example uses 0x500). Each call
 *   returns the tag of the whole message so far, which is exactly the standard GCM tag of
 *   the concatenated chunks, so the final tag authenticates everything and a receiver may
 *   decrypt the concatenation in one call. `decrypt` needs the tag that the matching
 *   `encrypt` call returned and verifies it before releasing any plaintext. A chunk that
 *   is not a multiple of 16 bytes, or one passed with `"PKCS7"`, ends the message.
 * - **CCM** is one-shot by design (the message length is part of its first block): one
 *   `encrypt` or `decrypt` call per object.
 * - **CBC** chains across chunks that are multiples of 16 bytes; the last chunk is passed
 *   with `"PKCS7"` to pad (encrypt) or unpad (decrypt) and ends the message. CBC is not
 *   authenticated: combine it with a MAC (as Fernet does) before trusting the plaintext.
 */
export interface SymmetricCipher {
  /** The cipher mode. */
  readonly cipher: SymmetricCipherName;
  /**
   * Sets the additional authenticated data (GCM and CCM) before the first chunk.
   *
   * @param aad The data to authenticate but not encrypt (strings are UTF-8).
   * @returns This object.
   */
  setAuth(aad: string | Uint8Array): SymmetricCipher;
  /**
   * Encrypts the next chunk (strings are UTF-8).
   *
   * @param data The plaintext chunk.
   * @param padding `"PKCS7"` to pad the last chunk.
   * @returns The ciphertext and, for GCM and CCM, the 16-byte (CCM: `tagLength`) tag.
   */
  encrypt(data: string | Uint8Array, padding?: "PKCS7"): Promise<SymmetricResult>;
  /**
   * Decrypts the next chunk.
   *
   * @param data The ciphertext chunk.
   * @param tag The tag (required for GCM and CCM); for CBC pass `undefined`, or
   * `"PKCS7"` directly in this position.
   * @param padding `"PKCS7"` to remove padding from the last chunk.
   * @returns The plaintext.
   */
  decrypt(
    data: Uint8Array,
    tag?: Uint8Array | "PKCS7" | null,
    padding?: "PKCS7",
  ): Promise<Uint8Array<ArrayBuffer>>;
}

/** The result of an authenticated mode (GCM, CCM): the tag is always there. */
export interface AeadResult extends SymmetricResult {
  /** The authentication tag: 16 bytes for GCM, `tagLength` for CCM. */
  tag: Uint8Array<ArrayBuffer>;
}

/** A GCM or CCM cipher: as {@linkcode SymmetricCipher}, with the tag typed as present. */
export interface AeadCipher extends SymmetricCipher {
  /**
   * Sets the additional authenticated data.
   *
   * @param aad The additional data.
   * @returns The cipher, for chaining.
   */
  setAuth(aad: string | Uint8Array): AeadCipher;
  /**
   * Encrypts a message (or the next chunk of one, for GCM).
   *
   * @param data The plaintext.
   * @param padding Not used by GCM and CCM.
   * @returns The ciphertext and the tag.
   */
  encrypt(data: string | Uint8Array, padding?: "PKCS7"): Promise<AeadResult>;
}
