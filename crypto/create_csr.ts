/**
 * Certificate signing requests (the seed's `ba.create.csr`).
 *
 * @module
 */
import { csrExtensions, dnToJson, signingKeys } from "./_cert_helpers.ts";
import type { CreateCsrOptions, DistinguishedName } from "./create_csr_options.ts";
import { x509 } from "./_x509.ts";
import type { KeyInput } from "./import_key.ts";

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
