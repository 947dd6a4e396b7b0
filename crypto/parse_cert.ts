/**
 * Certificate parsing (the seed's `ba.parsecert`).
 *
 * @module
 */
import { createHash } from "node:crypto";
import { CA_CERT_TYPES, CERT_TYPE_EKU, DN_FIELDS, KEY_USAGE_FLAGS, x509 } from "./_x509.ts";
import { parseDer } from "./_key_der.ts";
import { keySize } from "./key_size.ts";
import { pemDecode, pemEncode } from "./pem.ts";
import type { CertKeyUsage, CertType } from "./create_csr_options.ts";

/** The public key of a parsed certificate. */
export interface CertPublicKey {
  /** `"rsa"`, `"ec"`, `"ed25519"`, or the algorithm OID for others. */
  type: string;
  /** Size in bytes, as {@linkcode keySize} reports it (0 if unknown). */
  size: number;
  /** The curve of an EC key. */
  curve?: "P-256" | "P-384" | "P-521";
  /** The SubjectPublicKeyInfo as PEM, usable wherever a public key is accepted. */
  pem: string;
}

/** What {@linkcode parseCert} returns. */
export interface CertInfo {
  /** Subject attributes, such as `{ commonName: "example.com" }` (repeated ones joined by `", "`). */
  subject: Record<string, string>;
  /** Issuer attributes. */
  issuer: Record<string, string>;
  /** The subject as an RFC 4514 string, such as `"CN=example.com, O=Example"`. */
  subjectName: string;
  /** The issuer as an RFC 4514 string. */
  issuerName: string;
  /** Start of validity. */
  validFrom: Date;
  /** End of validity. */
  validTo: Date;
  /** Serial number as lower-case hex. */
  serialNumber: string;
  /** Subject alternative names: DNS names, IP addresses and e-mail addresses as text. */
  subjectAltNames: string[];
  /** Key usages (empty when the extension is absent). */
  keyUsage: CertKeyUsage[];
  /**
   * Certificate types derived from extended key usage (`SSL_SERVER`, `SSL_CLIENT`,
   * `EMAIL`, `OBJECT_SIGNING`) and, for a CA, the matching `*_CA` types (all three when
   * the CA has no extended key usage).
   */
  certTypes: CertType[];
  /** Extended key usage OIDs. */
  extKeyUsage: string[];
  /** Whether basic constraints mark a CA. */
  isCA: boolean;
  /** The public key. */
  publicKey: CertPublicKey;
  /** Signature algorithm, such as `"ECDSA with SHA-256"`. */
  signatureAlgorithm: string;
  /** SHA-1 and SHA-256 fingerprints of the DER encoding, lower-case hex. */
  fingerprints: { sha1: string; sha256: string };
  /** The certificate as PEM. */
  pem: string;
  /** The certificate as DER. */
  der: Uint8Array<ArrayBuffer>;
}

function nameRecord(name: x509.Name): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rdn of name.toJSON()) {
    for (const [type, values] of Object.entries(rdn)) {
      const key = DN_FIELDS[type] ?? type;
      const text = values.join(", ");
      out[key] = out[key] === undefined ? text : `${out[key]}, ${text}`;
    }
  }
  return out;
}

function certificateDer(input: string | Uint8Array): Uint8Array<ArrayBuffer> {
  if (typeof input === "string") {
    const block = pemDecode(input).find((b) =>
      b.label === "CERTIFICATE" || b.label === "X509 CERTIFICATE"
    );
    if (!block) throw new SyntaxError("Cannot parse certificate: no CERTIFICATE block in PEM");
    return block.der;
  }
  if (input instanceof Uint8Array) return input.slice();
  throw new TypeError("Cannot parse certificate: expected PEM text or DER bytes");
}

/**
 * Parses an X.509 certificate: subject, issuer, validity, SAN, key usage, serial number,
 * public key and fingerprints. Synchronous.
 *
 * @param cert The certificate as PEM (the first CERTIFICATE block is used) or DER.
 * @returns The parsed fields.
 * @throws {TypeError} If the input is neither a string nor bytes.
 * @throws {SyntaxError} If it is not a certificate.
 *
 * @example Inspect a self-signed certificate
 * ```ts
 * import { createCertificate, createCsr, createKey, parseCert } from "@cosocket/crypto";
 * import assert from "node:assert/strict";
 *
 * const key = await createKey();
 * const csr = await createCsr(key, { commonName: "localhost" }, { san: ["localhost", "127.0.0.1"] });
 * const info = parseCert(await createCertificate(csr, key));
 * assert.equal(info.subject.commonName, "localhost");
 * assert.deepEqual(info.subjectAltNames, ["localhost", "127.0.0.1"]);
 * assert.equal(info.publicKey.type, "ec");
 * ```
 */
export function parseCert(cert: string | Uint8Array): CertInfo {
  const der = certificateDer(cert);
  try {
    return parse(der);
  } catch (error) {
    if (error instanceof SyntaxError) throw error;
    throw new SyntaxError(`Cannot parse certificate: ${(error as Error).message}`);
  }
}

function parse(der: Uint8Array<ArrayBuffer>): CertInfo {
  let c: x509.X509Certificate;
  try {
    c = new x509.X509Certificate(der);
  } catch (error) {
    throw new SyntaxError(`Cannot parse certificate: ${(error as Error).message}`);
  }
  const sanExt = c.getExtension(x509.SubjectAlternativeNameExtension);
  const subjectAltNames = sanExt ? sanExt.names.items.map((n) => n.value) : [];
  const kuExt = c.getExtension(x509.KeyUsagesExtension);
  const keyUsage = Object.entries(KEY_USAGE_FLAGS)
    .filter(([, bit]) => kuExt && (kuExt.usages & bit) !== 0)
    .map(([name]) => name as CertKeyUsage);
  const ekuExt = c.getExtension(x509.ExtendedKeyUsageExtension);
  const extKeyUsage = ekuExt ? ekuExt.usages.map(String) : [];
  const bc = c.getExtension(x509.BasicConstraintsExtension);
  const isCA = bc?.ca === true;
  const certTypes = Object.entries(CERT_TYPE_EKU)
    .filter(([, oid]) => extKeyUsage.includes(oid))
    .map(([name]) => name as CertType);
  if (isCA) {
    // a CA's types follow its extended key usages; without any it may issue for all
    const caTypes: CertType[] = [];
    if (certTypes.includes("SSL_SERVER") || certTypes.includes("SSL_CLIENT")) {
      caTypes.push("SSL_CA");
    }
    if (certTypes.includes("EMAIL")) caTypes.push("EMAIL_CA");
    if (certTypes.includes("OBJECT_SIGNING")) caTypes.push("OBJECT_SIGNING_CA");
    certTypes.push(...(extKeyUsage.length === 0 ? [...CA_CERT_TYPES] as CertType[] : caTypes));
  }
  const spki = new Uint8Array(c.publicKey.rawData);
  const parsed = parseDer(spki, "PUBLIC KEY");
  const type = parsed.oid === "1.2.840.113549.1.1.1"
    ? "rsa"
    : parsed.oid === "1.2.840.10045.2.1"
    ? "ec"
    : parsed.oid === "1.3.101.112"
    ? "ed25519"
    : parsed.oid;
  let size = 0;
  try {
    size = keySize(spki);
  } catch {
    // unsupported key algorithm: size stays 0
  }
  const pemKey = pemEncode("PUBLIC KEY", spki);
  const publicKey: CertPublicKey = parsed.curve
    ? { type, size, curve: parsed.curve, pem: pemKey }
    : { type, size, pem: pemKey };
  const sig = c.signatureAlgorithm;
  const sigHash = (sig as { hash?: { name?: string } }).hash?.name;
  return {
    subject: nameRecord(c.subjectName),
    issuer: nameRecord(c.issuerName),
    subjectName: c.subject,
    issuerName: c.issuer,
    validFrom: c.notBefore,
    validTo: c.notAfter,
    serialNumber: c.serialNumber.toLowerCase(),
    subjectAltNames,
    keyUsage,
    certTypes,
    extKeyUsage,
    isCA,
    publicKey,
    signatureAlgorithm: sigHash ? `${sig.name} with ${sigHash}` : sig.name,
    fingerprints: {
      sha1: createHash("sha1").update(der).digest("hex"),
      sha256: createHash("sha256").update(der).digest("hex"),
    },
    pem: pemEncode("CERTIFICATE", der),
    der,
  };
}
