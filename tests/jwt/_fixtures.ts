// Test keys from tests/testdata/jwt (made by generate.sh there) and helpers.

import type { JwtAlgorithm } from "@cosocket/jwt";

/** Reads a PEM fixture. */
export function pem(name: string): string {
  return Deno.readTextFileSync(new URL(`../testdata/jwt/${name}.pem`, import.meta.url));
}

/** A private and a public key (PEM) or one secret, for one algorithm. */
export interface AlgorithmKeys {
  alg: JwtAlgorithm;
  privateKey: string | Uint8Array;
  publicKey: string | Uint8Array;
}

const SECRET = new TextEncoder().encode(
  "a-64-byte-secret-for-hs512-tests-0123456789abcdef0123456789abcd",
);

/** Keys for every supported algorithm. */
export const ALGORITHM_KEYS: readonly AlgorithmKeys[] = [
  { alg: "HS256", privateKey: SECRET, publicKey: SECRET },
  { alg: "HS384", privateKey: SECRET, publicKey: SECRET },
  { alg: "HS512", privateKey: SECRET, publicKey: SECRET },
  { alg: "RS256", privateKey: pem("rsa_pkcs8"), publicKey: pem("rsa_spki") },
  { alg: "RS384", privateKey: pem("rsa_pkcs8"), publicKey: pem("rsa_spki") },
  { alg: "RS512", privateKey: pem("rsa_pkcs8"), publicKey: pem("rsa_spki") },
  { alg: "PS256", privateKey: pem("rsa_pkcs8"), publicKey: pem("rsa_spki") },
  { alg: "PS384", privateKey: pem("rsa_pkcs8"), publicKey: pem("rsa_spki") },
  { alg: "PS512", privateKey: pem("rsa_pkcs8"), publicKey: pem("rsa_spki") },
  { alg: "ES256", privateKey: pem("ec_p256_pkcs8"), publicKey: pem("ec_p256_spki") },
  { alg: "ES384", privateKey: pem("ec_p384_pkcs8"), publicKey: pem("ec_p384_spki") },
  { alg: "ES512", privateKey: pem("ec_p521_pkcs8"), publicKey: pem("ec_p521_spki") },
  { alg: "EdDSA", privateKey: pem("ed25519_pkcs8"), publicKey: pem("ed25519_spki") },
  { alg: "Ed25519", privateKey: pem("ed25519_pkcs8"), publicKey: pem("ed25519_spki") },
];

/** The current time in seconds. */
export function now(): number {
  return Math.floor(Date.now() / 1000);
}
