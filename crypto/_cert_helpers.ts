// Helpers shared by CSR and certificate creation. Not exported.
import { hashName, resolveKey } from "./_asymmetric.ts";
import { CA_CERT_TYPES, CERT_TYPE_EKU, DN_ORDER, KEY_USAGE_FLAGS, x509 } from "./_x509.ts";
import type { CreateCsrOptions, DistinguishedName } from "./create_csr_options.ts";
import { importKey, type KeyAlgorithm, type KeyInput } from "./import_key.ts";
import type { AnyHashName } from "./sign_options.ts";

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const DNS =
  /^(\*\.)?([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.)*[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.?$/;

/** Builds GeneralNames from SAN strings. */
export function sanNames(san: string | string[] | undefined): x509.JsonGeneralName[] {
  const list = typeof san === "string" ? san.split(";") : san ?? [];
  if (!Array.isArray(list)) {
    throw new TypeError("Cannot use SAN: expected a string or an array of strings");
  }
  const names: x509.JsonGeneralName[] = [];
  for (const raw of list) {
    const value = String(raw).trim();
    if (value === "") continue;
    if (IPV4.test(value) || (value.includes(":") && /^[0-9a-fA-F:.]+$/.test(value))) {
      names.push({ type: "ip", value });
    } else if (value.includes("@")) names.push({ type: "email", value });
    else if (DNS.test(value) && value.length <= 253) names.push({ type: "dns", value });
    else throw new TypeError(`Cannot use SAN: "${value}" is not a DNS name, IP address or e-mail`);
  }
  return names;
}

/** Builds a JSON name for @peculiar/x509 from our DN object. */
export function dnToJson(dn: DistinguishedName): x509.JsonName {
  if (typeof dn !== "object" || dn === null) {
    throw new TypeError("Cannot use DN: expected an object");
  }
  const out: x509.JsonName = [];
  const known = new Set(DN_ORDER.map(([k]) => k));
  for (const key of Object.keys(dn)) {
    if (!known.has(key)) throw new TypeError(`Cannot use DN: unknown field "${key}"`);
  }
  for (const [field, type] of DN_ORDER) {
    const value = (dn as Record<string, unknown>)[field];
    if (value === undefined) continue;
    if (typeof value !== "string" || value === "") {
      throw new TypeError(`Cannot use DN: "${field}" must be a non-empty string`);
    }
    if (field === "countryName" && !/^[A-Za-z]{2}$/.test(value)) {
      throw new TypeError(`Cannot use DN: countryName must be a two-letter code, got "${value}"`);
    }
    out.push({ [type]: [value] });
  }
  if (out.length === 0) throw new TypeError("Cannot use DN: at least one field is needed");
  return out;
}

/** The signing algorithm and keys for a private key, for CSRs and certificates. */
export async function signingKeys(
  key: KeyInput,
  hash: AnyHashName | undefined,
  password: string | undefined,
  what: string,
): Promise<{ algorithm: Algorithm | EcdsaParams | RsaHashedImportParams; keys: CryptoKeyPair }> {
  const resolved = resolveKey(key, what, password);
  let alg: KeyAlgorithm;
  let signing: Algorithm | EcdsaParams | RsaHashedImportParams;
  const h = hashName(hash ?? "sha256", what);
  if (resolved.family === "ec") {
    alg = { name: "ECDSA", namedCurve: resolved.curve! };
    signing = { name: "ECDSA", hash: h } as EcdsaParams;
  } else if (resolved.family === "rsa") {
    alg = { name: "RSASSA-PKCS1-v1_5", hash: h };
    signing = { name: "RSASSA-PKCS1-v1_5", hash: h } as RsaHashedImportParams;
  } else {
    alg = { name: "Ed25519" };
    signing = { name: "Ed25519" };
  }
  const privateKey = await importKey(resolved.input, alg, "sign");
  const publicKey = await importKey(resolved.input, alg, "verify");
  return { algorithm: signing, keys: { privateKey, publicKey } };
}

/** Builds the requested extensions. */
export function csrExtensions(options: CreateCsrOptions): x509.Extension[] {
  const extensions: x509.Extension[] = [];
  const names = sanNames(options.san);
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names));
  const types = options.certTypes ?? [];
  const ekus: string[] = [];
  let ca = false;
  for (const t of types) {
    if (CA_CERT_TYPES.has(t)) ca = true;
    else if (CERT_TYPE_EKU[t]) ekus.push(CERT_TYPE_EKU[t]!);
    else throw new TypeError(`Cannot use certificate type: unknown type "${String(t)}"`);
  }
  if (ca) extensions.push(new x509.BasicConstraintsExtension(true, undefined, true));
  if (ekus.length > 0) extensions.push(new x509.ExtendedKeyUsageExtension(ekus));
  let flags = 0;
  for (const u of options.keyUsage ?? []) {
    const bit = KEY_USAGE_FLAGS[u];
    if (!bit) throw new TypeError(`Cannot use key usage: unknown usage "${String(u)}"`);
    flags |= bit;
  }
  if (flags) extensions.push(new x509.KeyUsagesExtension(flags, true));
  return extensions;
}
