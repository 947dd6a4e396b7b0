// Helpers shared by RSA encryption and decryption. Not exported.
import { constants } from "node:crypto";
import { resolveKey } from "./_asymmetric.ts";
import type { RsaEncryptOptions } from "./rsa_encrypt_options.ts";
import type { KeyInput } from "./import_key.ts";
import { toBytes } from "./_bytes.ts";

export function dataBytes(data: string | Uint8Array, what: string): Uint8Array<ArrayBuffer> {
  return toBytes(data, what, "data", { copy: true });
}

export function checkRsa(key: KeyInput, what: string, password: string | undefined): KeyInput {
  const resolved = resolveKey(key, what, password);
  if (resolved.family !== "rsa") {
    throw new TypeError(`Cannot ${what}: RSA encryption needs an RSA key`);
  }
  return resolved.input;
}

export function oaepParams(options: RsaEncryptOptions): RsaOaepParams {
  const params: RsaOaepParams = { name: "RSA-OAEP" };
  if (options.label !== undefined) {
    params.label = toBytes(options.label, "use OAEP label", "the label", { copy: true });
  }
  return params;
}

export function nodePadding(padding: "pkcs1" | "none"): number {
  return padding === "pkcs1" ? constants.RSA_PKCS1_PADDING : constants.RSA_NO_PADDING;
}

export function checkPadding(padding: unknown, what: string): "pkcs1" | "oaep" | "none" {
  if (padding === "pkcs1" || padding === "oaep" || padding === "none") return padding;
  throw new TypeError(`Cannot ${what}: unsupported padding "${String(padding)}"`);
}
