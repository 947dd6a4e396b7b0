import type { AnyHashName } from "./sign_options.ts";

/** Options for {@linkcode encrypt} and {@linkcode decrypt}. */
export interface RsaEncryptOptions {
  /**
   * Padding: PKCS#1 v1.5 (the seed's default), OAEP (the seed's `algorithm = "OAEP"`),
   * or none (the seed's `nopadding = true`: the data must be exactly the key size and
   * numerically below the modulus). Prefer OAEP for new designs.
   *
   * @default {"pkcs1"}
   */
  padding?: "pkcs1" | "oaep" | "none";
  /**
   * OAEP hash (for both the label hash and MGF1).
   *
   * @default {"sha256"}
   */
  hash?: AnyHashName;
  /**
   * OAEP label (strings are UTF-8).
   *
   * @default {undefined}
   */
  label?: string | Uint8Array;
  /**
   * Password of an encrypted private key.
   *
   * @default {undefined}
   */
  password?: string;
}
