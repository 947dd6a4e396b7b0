/**
 * Cryptography for cosocket: synchronous chainable hashes and HMAC, PBKDF2, AES-GCM/CCM/CBC,
 * Fernet, RSA/ECDSA/Ed25519 signatures and encryption, key, CSR and certificate creation,
 * certificate parsing, CA stores and TLS options for `Deno.connectTls`/`Deno.listenTls`.
 *
 * ```ts
 * import { hash, importKey, timingSafeEqual } from "@cosocket/crypto";
 * import assert from "node:assert/strict";
 *
 * const hex = hash("sha256")("abc")(true, "hex");
 * assert.equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
 * const key = await importKey("secret", { name: "HMAC", hash: "SHA-256" }, "sign");
 * assert.equal(key.type, "secret");
 * assert.ok(timingSafeEqual(new Uint8Array([1]), new Uint8Array([1])));
 * ```
 *
 * @module
 */
export * from "./timing_safe_equal.ts";
export * from "./pem.ts";
export * from "./import_key.ts";
export * from "./create_key.ts";
export * from "./hash.ts";
export * from "./hash_name.ts";
export * from "./pbkdf2.ts";
export * from "./decrypt_error.ts";
export * from "./symmetric.ts";
export * from "./symmetric_cipher.ts";
export * from "./fernet.ts";
export * from "./gcm_stream.ts";
export * from "./sig_params.ts";
export * from "./sign.ts";
export * from "./sign_options.ts";
export * from "./verify.ts";
export * from "./encrypt.ts";
export * from "./rsa_encrypt_options.ts";
export * from "./decrypt.ts";
export * from "./key_size.ts";
export * from "./key_params.ts";
export * from "./create_csr.ts";
export * from "./create_csr_options.ts";
export * from "./create_certificate.ts";
export * from "./parse_cert.ts";
export * from "./parse_cert_time.ts";
export * from "./cert_store.ts";
export * from "./create_shark_cert.ts";
export * from "./shark_client.ts";
