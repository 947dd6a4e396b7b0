import type { AnyHashName } from "./hash_name.ts";

export type { AnyHashName };

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
