// Classifies key material (PEM or DER) and normalises it to PKCS#8 or SPKI DER, which is
// what WebCrypto imports. Not exported.
import { Buffer } from "node:buffer";
import { createPrivateKey } from "node:crypto";
import {
  contents,
  decodeOid,
  derChildren,
  encodeOid,
  encodeTlv,
  readRoot,
  type Tlv,
  whole,
} from "./_der.ts";
import { pemDecode } from "./pem.ts";

export const OID_RSA = "1.2.840.113549.1.1.1";
export const OID_RSA_PSS = "1.2.840.113549.1.1.10";
export const OID_EC = "1.2.840.10045.2.1";
export const OID_ED25519 = "1.3.101.112";
export const CURVE_OIDS: Record<string, "P-256" | "P-384" | "P-521"> = {
  "1.2.840.10045.3.1.7": "P-256",
  "1.3.132.0.34": "P-384",
  "1.3.132.0.35": "P-521",
};
const CURVE_TO_OID: Record<string, string> = {
  "P-256": "1.2.840.10045.3.1.7",
  "P-384": "1.3.132.0.34",
  "P-521": "1.3.132.0.35",
};

/** Key material normalised for WebCrypto. */
export interface ParsedKey {
  kind: "private" | "public";
  /** PKCS#8 for private keys, SPKI for public keys. */
  der: Uint8Array<ArrayBuffer>;
  /** Algorithm OID from the AlgorithmIdentifier. */
  oid: string;
  /** Named curve for EC keys. */
  curve?: "P-256" | "P-384" | "P-521";
}

const KEY_LABELS = new Set([
  "PRIVATE KEY",
  "EC PRIVATE KEY",
  "RSA PRIVATE KEY",
  "RSA PUBLIC KEY",
  "PUBLIC KEY",
  "CERTIFICATE",
  "ENCRYPTED PRIVATE KEY",
]);

function shapeError(detail: string): TypeError {
  return new TypeError(`Cannot import key: ${detail}`);
}

/** Parses PEM text or DER bytes holding a key or certificate. */
export function parseKeyMaterial(input: string | Uint8Array, password?: string): ParsedKey {
  if (typeof input === "string") {
    let blocks;
    try {
      blocks = pemDecode(input);
    } catch (error) {
      if (password !== undefined && /Proc-Type:\s*4,ENCRYPTED/.test(input)) {
        return decryptWithNode(input, password);
      }
      throw error;
    }
    const block = blocks.find((b) => KEY_LABELS.has(b.label));
    if (!block) {
      throw shapeError(
        `no key or certificate block in PEM (labels: ${
          blocks.map((b) => `"${b.label}"`).join(", ")
        })`,
      );
    }
    return parseDer(block.der, block.label, password);
  }
  if (input instanceof Uint8Array) return parseDer(input, undefined, password);
  throw shapeError("expected PEM text or DER bytes");
}

function decryptWithNode(key: string | Uint8Array, password: string): ParsedKey {
  let der: Uint8Array;
  try {
    const k = typeof key === "string"
      ? createPrivateKey({ key, passphrase: password })
      : createPrivateKey({
        key: Buffer.from(key),
        format: "der",
        type: "pkcs8",
        passphrase: password,
      });
    der = k.export({ format: "der", type: "pkcs8" });
  } catch {
    throw new TypeError("Cannot import key: wrong password or unsupported key encryption");
  }
  return parseDer(new Uint8Array(der), "PRIVATE KEY");
}

function algorithmOf(
  bytes: Uint8Array,
  alg: Tlv,
): { oid: string; curve?: "P-256" | "P-384" | "P-521" } {
  const parts = derChildren(bytes, alg);
  if (parts.length === 0) throw new SyntaxError("Cannot parse DER: empty AlgorithmIdentifier");
  const oid = decodeOid(bytes, parts[0]!);
  if (oid === OID_EC) {
    const p = parts[1];
    if (!p || p.tag !== 0x06) throw shapeError("EC key without a named curve");
    const curve = CURVE_OIDS[decodeOid(bytes, p)];
    if (!curve) throw shapeError(`unsupported EC curve "${decodeOid(bytes, p)}"`);
    return { oid, curve };
  }
  return { oid };
}

function tags(list: Tlv[]): string {
  return list.map((t) => t.tag.toString(16)).join(",");
}

/** Classifies DER; `label` (from PEM) narrows the choice. */
export function parseDer(der: Uint8Array, label?: string, password?: string): ParsedKey {
  const root = readRoot(der);
  if (root.tag !== 0x30) throw new SyntaxError("Cannot parse DER: expected a SEQUENCE");
  const kids = derChildren(der, root);
  const sig = tags(kids);
  const copy = der.slice();
  // PKCS#8 PrivateKeyInfo / OneAsymmetricKey
  if ((!label || label === "PRIVATE KEY") && /^2,30,4(,|$)/.test(sig)) {
    return { kind: "private", der: copy, ...algorithmOf(der, kids[1]!) };
  }
  // EncryptedPrivateKeyInfo
  if ((!label || label === "ENCRYPTED PRIVATE KEY") && sig === "30,4") {
    if (password === undefined) {
      throw shapeError("the private key is encrypted: a password is needed");
    }
    return decryptWithNode(copy, password);
  }
  // SubjectPublicKeyInfo
  if ((!label || label === "PUBLIC KEY") && sig === "30,3") {
    return { kind: "public", der: copy, ...algorithmOf(der, kids[0]!) };
  }
  // Certificate: take its SubjectPublicKeyInfo
  if ((!label || label === "CERTIFICATE") && sig === "30,30,3") {
    const tbs = derChildren(der, kids[0]!);
    const offset = tbs[0]?.tag === 0xa0 ? 1 : 0;
    const spki = tbs[offset + 5];
    if (!spki || spki.tag !== 0x30) throw new SyntaxError("Cannot parse DER: bad certificate");
    const spkiDer = whole(der, spki);
    return { kind: "public", der: spkiDer, ...algorithmOf(der, derChildren(der, spki)[0]!) };
  }
  const rsaAlg = encodeTlv(0x30, encodeOid(OID_RSA), new Uint8Array([5, 0]));
  // PKCS#1 RSAPrivateKey
  if ((!label || label === "RSA PRIVATE KEY") && /^2(,2){8}$/.test(sig)) {
    const pkcs8 = encodeTlv(0x30, new Uint8Array([2, 1, 0]), rsaAlg, encodeTlv(0x04, copy));
    return { kind: "private", der: pkcs8, oid: OID_RSA };
  }
  // PKCS#1 RSAPublicKey
  if ((!label || label === "RSA PUBLIC KEY") && sig === "2,2") {
    const spki = encodeTlv(0x30, rsaAlg, encodeTlv(0x03, new Uint8Array([0]), copy));
    return { kind: "public", der: spki, oid: OID_RSA };
  }
  // SEC1 ECPrivateKey
  if ((!label || label === "EC PRIVATE KEY") && /^2,4(,a0)?(,a1)?$/.test(sig)) {
    const params = kids.find((k) => k.tag === 0xa0);
    if (!params) throw shapeError("EC private key without curve parameters");
    const curveTlv = derChildren(der, params)[0];
    if (!curveTlv || curveTlv.tag !== 0x06) throw shapeError("EC key without a named curve");
    const curveOid = decodeOid(der, curveTlv);
    const curve = CURVE_OIDS[curveOid];
    if (!curve) throw shapeError(`unsupported EC curve "${curveOid}"`);
    const alg = encodeTlv(0x30, encodeOid(OID_EC), encodeOid(CURVE_TO_OID[curve]!));
    const pkcs8 = encodeTlv(0x30, new Uint8Array([2, 1, 0]), alg, encodeTlv(0x04, copy));
    return { kind: "private", der: pkcs8, oid: OID_EC, curve };
  }
  if (label) throw new SyntaxError(`Cannot parse DER: "${label}" block has an unexpected shape`);
  throw shapeError("DER is not a known key or certificate structure");
}

/** Returns the contents of the BIT STRING of an SPKI (the raw public key). */
export function spkiPublicBits(spki: Uint8Array): Uint8Array<ArrayBuffer> {
  const kids = derChildren(spki, readRoot(spki));
  const bits = contents(spki, kids[1]!);
  return bits.slice(1);
}
