/**
 * Certificate-and-key pairs for TLS servers (the seed's `ba.create.sharkcert`).
 *
 * @module
 */
import { resolveKey } from "./_asymmetric.ts";
import { parseDer, parseKeyMaterial } from "./_key_der.ts";
import { importKey, type KeyAlgorithm, type KeyInput } from "./import_key.ts";
import { pemDecode, pemEncode } from "./pem.ts";
import { timingSafeEqual } from "./timing_safe_equal.ts";

/**
 * A certificate chain and its private key, in the shape `Deno.listenTls` and the
 * `@cosocket/socket` TLS listener accept.
 */
export interface TlsCertificate {
  /** The certificate chain as PEM, leaf first. */
  cert: string;
  /** The private key as PKCS#8 PEM. */
  key: string;
}

/** Options for {@linkcode createSharkCert}. */
export interface CreateSharkCertOptions {
  /**
   * Password of an encrypted private key (the key in the result is not encrypted).
   *
   * @default {undefined}
   */
  password?: string;
}

/**
 * Pairs a certificate (or chain, leaf first) with its private key for a TLS server, after
 * checking that the key belongs to the leaf certificate. The key is normalised to
 * unencrypted PKCS#8 PEM; PKCS#1, SEC1, DER and encrypted keys are accepted.
 *
 * @param cert The certificate chain as PEM, or one certificate as DER.
 * @param key The private key in any {@linkcode KeyInput} form.
 * @param options Password of an encrypted key.
 * @returns `{ cert, key }` for `Deno.listenTls`.
 * @throws {TypeError} If the key is not a private key or does not match the certificate.
 * @throws {SyntaxError} If the certificate or key does not parse.
 *
 * @example Serve TLS on loopback with a generated certificate
 * ```ts
 * import { createCertificate, createCsr, createKey, createSharkCert } from "@cosocket/crypto";
 * import assert from "node:assert/strict";
 *
 * const key = await createKey();
 * const cert = await createCertificate(await createCsr(key, { commonName: "localhost" }, { san: "localhost" }), key);
 * const tls = await createSharkCert(cert, key);
 * assert.ok(tls.cert.startsWith("-----BEGIN CERTIFICATE-----"));
 * assert.ok(tls.key.startsWith("-----BEGIN PRIVATE KEY-----"));
 * ```
 */
export async function createSharkCert(
  cert: string | Uint8Array,
  key: KeyInput,
  options: CreateSharkCertOptions = {},
): Promise<TlsCertificate> {
  let chain: Uint8Array[];
  if (typeof cert === "string") {
    chain = pemDecode(cert).filter((b) => b.label === "CERTIFICATE").map((b) => b.der);
    if (chain.length === 0) {
      throw new SyntaxError("Cannot create certificate pair: no CERTIFICATE block");
    }
  } else if (cert instanceof Uint8Array) chain = [cert.slice()];
  else throw new TypeError("Cannot create certificate pair: the certificate must be PEM or DER");
  const leafKey = parseDer(chain[0]!, "CERTIFICATE");
  const resolved = resolveKey(key, "create certificate pair", options.password);
  if (typeof resolved.input === "string" || resolved.input instanceof Uint8Array) {
    if (parseKeyMaterial(resolved.input).kind !== "private") {
      throw new TypeError("Cannot create certificate pair: a private key is needed");
    }
  }
  const alg: KeyAlgorithm = resolved.family === "rsa"
    ? { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }
    : resolved.family === "ec"
    ? { name: "ECDSA", namedCurve: resolved.curve! }
    : { name: "Ed25519" };
  const priv = await importKey(resolved.input, alg, "sign");
  const pub = await importKey(priv, alg, "verify");
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", pub));
  if (!timingSafeEqual(spki, leafKey.der)) {
    throw new TypeError("Cannot create certificate pair: the key does not match the certificate");
  }
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", priv));
  return {
    cert: chain.map((der) => pemEncode("CERTIFICATE", der)).join(""),
    key: pemEncode("PRIVATE KEY", pkcs8),
  };
}
