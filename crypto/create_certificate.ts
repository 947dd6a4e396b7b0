/**
 * Certificate issuance (the seed's `ba.create.certificate`).
 *
 * @module
 */
import { signingKeys } from "./_cert_helpers.ts";
import { x509 } from "./_x509.ts";
import type { KeyInput } from "./import_key.ts";
import { parseCertTime } from "./parse_cert_time.ts";
import { pemDecode } from "./pem.ts";
import type { AnyHashName } from "./sign_options.ts";
import { timingSafeEqual } from "./timing_safe_equal.ts";

/** Options for {@linkcode createCertificate}. */
export interface CreateCertificateOptions {
  /**
   * The issuing CA certificate (PEM). Without it the certificate is self-signed and `key`
   * must be the key of the CSR.
   *
   * @default {undefined}
   */
  caCert?: string;
  /**
   * Start of validity: a Date, or certificate time text (`YYMMDDHHMMSSZ`).
   *
   * @default {now}
   */
  validFrom?: Date | string;
  /**
   * End of validity: a Date, or certificate time text.
   *
   * @default {validFrom plus 365 days}
   */
  validTo?: Date | string;
  /**
   * Serial number: a positive integer, bigint or hex string.
   *
   * @default {16 random bytes}
   */
  serial?: number | bigint | string;
  /**
   * Signature hash (ignored for Ed25519).
   *
   * @default {"sha256"}
   */
  hash?: AnyHashName;
  /**
   * Password of an encrypted signing key.
   *
   * @default {undefined}
   */
  password?: string;
}

function toDate(value: Date | string, what: string): Date {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value;
  if (typeof value === "string") return new Date(parseCertTime(value) * 1000);
  throw new TypeError(`Cannot create certificate: ${what} must be a Date or certificate time text`);
}

function serialHex(serial: number | bigint | string | undefined): string {
  if (serial === undefined) {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[0] = (bytes[0]! & 0x7f) | 0x01; // positive and exactly 16 bytes
    return bytes.toHex();
  }
  let value: bigint;
  try {
    value = typeof serial === "string"
      ? BigInt(`0x${serial.replace(/^0x/i, "").replace(/:/g, "")}`)
      : BigInt(serial);
  } catch {
    throw new TypeError(`Cannot create certificate: invalid serial "${String(serial)}"`);
  }
  if (value <= 0n || value >= 1n << 159n) {
    throw new RangeError("Cannot create certificate: serial must be positive and at most 20 bytes");
  }
  let hex = value.toString(16);
  if (hex.length % 2) hex = "0" + hex;
  if (parseInt(hex[0]!, 16) >= 8) hex = "00" + hex;
  return hex;
}

/**
 * Issues a certificate for a CSR, signed by a CA (`options.caCert` plus its `key`) or
 * self-signed when no CA certificate is given. The CSR's signature is checked, its
 * requested extensions (SAN, key usage, extended key usage, basic constraints) are
 * copied, and subject/authority key identifiers are added. `openssl verify` and Deno's
 * TLS (rustls) accept the chains this builds.
 *
 * @param csr The CSR (PEM) from {@linkcode createCsr} or `openssl req`.
 * @param key The signing private key: the CA's key, or the CSR's own key when
 * self-signing.
 * @param options CA certificate, validity, serial, hash, key password.
 * @returns The certificate as PEM.
 * @throws {TypeError} If the CSR signature is invalid, or the key does not belong to the
 * CA certificate (or, self-signed, to the CSR).
 * @throws {SyntaxError} If the CSR, certificate or key does not parse.
 * @throws {RangeError} If the serial is out of range.
 *
 * @example A CA and a server certificate for localhost
 * ```ts
 * import { createCertificate, createCsr, createKey, parseCert } from "@cosocket/crypto";
 * import assert from "node:assert/strict";
 *
 * const caKey = await createKey();
 * const caCsr = await createCsr(caKey, { commonName: "Test CA" }, {
 *   certTypes: ["SSL_CA"],
 *   keyUsage: ["KEY_CERT_SIGN", "CRL_SIGN"],
 * });
 * const caCert = await createCertificate(caCsr, caKey, { serial: 1 });
 * const key = await createKey();
 * const csr = await createCsr(key, { commonName: "localhost" }, {
 *   san: "localhost;127.0.0.1",
 *   certTypes: ["SSL_SERVER"],
 *   keyUsage: ["DIGITAL_SIGNATURE"],
 * });
 * const cert = await createCertificate(csr, caKey, { caCert, serial: 2 });
 * assert.equal(parseCert(cert).issuer.commonName, "Test CA");
 * ```
 */
export async function createCertificate(
  csr: string,
  key: KeyInput,
  options: CreateCertificateOptions = {},
): Promise<string> {
  if (typeof csr !== "string") {
    throw new TypeError("Cannot create certificate: the CSR must be PEM text");
  }
  const csrBlock = pemDecode(csr).find((b) =>
    b.label === "CERTIFICATE REQUEST" || b.label === "NEW CERTIFICATE REQUEST"
  );
  if (!csrBlock) throw new SyntaxError("Cannot create certificate: no CERTIFICATE REQUEST block");
  let request: x509.Pkcs10CertificateRequest;
  try {
    request = new x509.Pkcs10CertificateRequest(csrBlock.der);
  } catch (error) {
    throw new SyntaxError(`Cannot parse CSR: ${(error as Error).message}`);
  }
  if (!(await request.verify())) {
    throw new TypeError("Cannot create certificate: the CSR signature is invalid");
  }
  const { algorithm, keys } = await signingKeys(
    key,
    options.hash,
    options.password,
    "create certificate",
  );
  const signerSpki = new Uint8Array(await crypto.subtle.exportKey("spki", keys.publicKey));
  let issuer: x509.Name;
  let issuerKey: x509.PublicKey;
  let issuerKeyId: string | undefined;
  if (options.caCert !== undefined) {
    const block = pemDecode(options.caCert).find((b) => b.label === "CERTIFICATE");
    if (!block) throw new SyntaxError("Cannot create certificate: no CERTIFICATE block in caCert");
    const ca = new x509.X509Certificate(block.der);
    if (!timingSafeEqual(new Uint8Array(ca.publicKey.rawData), signerSpki)) {
      throw new TypeError(
        "Cannot create certificate: the key does not belong to the CA certificate",
      );
    }
    issuer = ca.subjectName;
    issuerKey = ca.publicKey;
    // reuse the CA's own key identifier so chains built by other tools link up
    issuerKeyId = ca.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  } else {
    if (!timingSafeEqual(new Uint8Array(request.publicKey.rawData), signerSpki)) {
      throw new TypeError(
        "Cannot create certificate: a self-signed certificate needs the CSR's own key",
      );
    }
    issuer = request.subjectName;
    issuerKey = request.publicKey;
  }
  const notBefore = toDate(options.validFrom ?? new Date(), "validFrom");
  const notAfter = options.validTo === undefined
    ? new Date(notBefore.getTime() + 365 * 86400_000)
    : toDate(options.validTo, "validTo");
  if (notAfter.getTime() <= notBefore.getTime()) {
    throw new RangeError("Cannot create certificate: validTo must be after validFrom");
  }
  const extensions: x509.Extension[] = request.extensions.filter((e) =>
    e.type !== "2.5.29.14" && e.type !== "2.5.29.35"
  );
  extensions.push(await x509.SubjectKeyIdentifierExtension.create(request.publicKey));
  extensions.push(
    issuerKeyId
      ? new x509.AuthorityKeyIdentifierExtension(issuerKeyId)
      : await x509.AuthorityKeyIdentifierExtension.create(issuerKey),
  );
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialHex(options.serial),
    subject: request.subjectName,
    issuer,
    notBefore,
    notAfter,
    signingAlgorithm: algorithm,
    publicKey: request.publicKey,
    signingKey: keys.privateKey,
    extensions,
  });
  return cert.toString("pem") + "\n";
}
