/**
 * Certificate signing requests (the seed's `ba.create.csr`).
 *
 * @module
 */
import { csrExtensions, dnToJson, signingKeys } from "./_cert_helpers.ts";
import { x509 } from "./_x509.ts";
import type { KeyInput } from "./import_key.ts";
import type { AnyHashName } from "./sign.ts";

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

/**
 * Creates a PKCS#10 certificate signing request signed with `key`. The SAN, certificate
 * types and key usages become requested extensions, which {@linkcode createCertificate}
 * copies into the certificate. `openssl req -verify` accepts the result.
 *
 * @param key The private key (EC, RSA or Ed25519) in any {@linkcode KeyInput} form.
 * @param dn The subject's distinguished name.
 * @param options SAN, certificate types, key usages, hash, key password.
 * @returns The CSR as PEM (`-----BEGIN CERTIFICATE REQUEST-----`).
 * @throws {TypeError} If the key is not a private key or the DN/SAN/usages are invalid.
 * @throws {SyntaxError} If the key does not parse.
 *
 * @example The seed's CSR example
 * ```ts
 * import { createCsr, createKey } from "@cosocket/crypto";
 * import assert from "node:assert/strict";
 *
 * const privkey = await createKey();
 * const d = "example.com";
 * const csr = await createCsr(privkey, { commonName: d }, {
 *   san: `${d};www.${d}`,
 *   certTypes: ["SSL_CLIENT", "SSL_SERVER"],
 *   keyUsage: ["DIGITAL_SIGNATURE", "KEY_ENCIPHERMENT"],
 * });
 * assert.ok(csr.startsWith("-----BEGIN CERTIFICATE REQUEST-----"));
 * ```
 */
export async function createCsr(
  key: KeyInput,
  dn: DistinguishedName,
  options: CreateCsrOptions = {},
): Promise<string> {
  const name = dnToJson(dn);
  const extensions = csrExtensions(options);
  const { algorithm, keys } = await signingKeys(key, options.hash, options.password, "create CSR");
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name,
    keys,
    signingAlgorithm: algorithm,
    extensions,
  });
  return csr.toString("pem") + "\n";
}
