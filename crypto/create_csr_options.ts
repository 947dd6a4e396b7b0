import type { AnyHashName } from "./sign_options.ts";

/** A distinguished name. At least one field must be set. */
export interface DistinguishedName {
  /** CN, such as a host name. */
  commonName?: string;
  /** C, a two-letter country code. */
  countryName?: string;
  /** ST. */
  stateOrProvinceName?: string;
  /** L. */
  localityName?: string;
  /** O. */
  organizationName?: string;
  /** OU. */
  organizationalUnitName?: string;
  /** E (PKCS#9 emailAddress). */
  emailAddress?: string;
}

/**
 * The seed's certificate types. `SSL_CLIENT`, `SSL_SERVER`, `EMAIL` and `OBJECT_SIGNING`
 * become extended key usages (clientAuth, serverAuth, emailProtection, codeSigning);
 * the `*_CA` types make a CA (basicConstraints `cA = TRUE`).
 */
export type CertType =
  | "SSL_CLIENT"
  | "SSL_SERVER"
  | "EMAIL"
  | "OBJECT_SIGNING"
  | "SSL_CA"
  | "EMAIL_CA"
  | "OBJECT_SIGNING_CA";

/** The seed's key usage names, one per X.509 KeyUsage bit. */
export type CertKeyUsage =
  | "DIGITAL_SIGNATURE"
  | "NON_REPUDIATION"
  | "KEY_ENCIPHERMENT"
  | "DATA_ENCIPHERMENT"
  | "KEY_AGREEMENT"
  | "KEY_CERT_SIGN"
  | "CRL_SIGN"
  | "ENCIPHER_ONLY"
  | "DECIPHER_ONLY";

/** Options for {@linkcode createCsr}. */
export interface CreateCsrOptions {
  /**
   * Subject alternative names: DNS names, IP addresses (v4 or v6) and e-mail addresses
   * (recognised by their form). A string is split at `;` as in the seed
   * (`"example.com;www.example.com"`).
   *
   * @default {[]}
   */
  san?: string | string[];
  /**
   * Certificate types.
   *
   * @default {[]}
   */
  certTypes?: CertType[];
  /**
   * Key usages (the extension is marked critical when present).
   *
   * @default {[]}
   */
  keyUsage?: CertKeyUsage[];
  /**
   * Signature hash (ignored for Ed25519).
   *
   * @default {"sha256"}
   */
  hash?: AnyHashName;
  /**
   * Password of an encrypted private key.
   *
   * @default {undefined}
   */
  password?: string;
}
