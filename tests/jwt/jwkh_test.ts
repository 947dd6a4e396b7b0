import assert from "node:assert/strict";
import { jwkh, jwkThumbprint, scomp, verify } from "@cosocket/jwt";
import { pem } from "./_fixtures.ts";

Deno.test("jwkh() returns an ES256 header with the public x and y only", async () => {
  for (const name of ["ec_p256_pkcs8", "ec_p256_sec1", "ec_p256_spki", "ec_p256_cert"]) {
    const header = await jwkh(pem(name));
    assert.equal(header.alg, "ES256");
    assert.equal(header.typ, "JWT");
    assert.deepEqual(Object.keys(header.jwk ?? {}), ["kty", "crv", "x", "y"]);
    assert.equal(header.jwk?.kty, "EC");
    assert.equal(header.jwk?.crv, "P-256");
    assert.equal(header.jwk?.x?.length, 43);
  }
  // The private and public forms give the same public key.
  assert.deepEqual(await jwkh(pem("ec_p256_sec1")), await jwkh(pem("ec_p256_spki")));
});

Deno.test("jwkh() covers P-384, P-521, Ed25519 and RSA keys", async () => {
  assert.equal((await jwkh(pem("ec_p384_pkcs8"))).alg, "ES384");
  assert.equal((await jwkh(pem("ec_p521_pkcs8"))).alg, "ES512");
  const ed = await jwkh(pem("ed25519_pkcs8"));
  assert.deepEqual(Object.keys(ed.jwk ?? {}), ["kty", "crv", "x"]);
  assert.equal(ed.alg, "EdDSA");
  const rsa = await jwkh(pem("rsa_pkcs1"), { alg: "PS384", typ: "at+jwt" });
  assert.equal(rsa.alg, "PS384");
  assert.equal(rsa.typ, "at+jwt");
  assert.deepEqual(Object.keys(rsa.jwk ?? {}), ["kty", "n", "e"]);
});

Deno.test("jwkh() never publishes an HMAC secret", async () => {
  await assert.rejects(jwkh("my-secret"), TypeError);
  await assert.rejects(jwkh(new Uint8Array(32)), TypeError);
  await assert.rejects(jwkh({ kty: "oct", k: "c2VjcmV0" }), TypeError);
});

Deno.test("jwkh() tokens verify with the key pinned by thumbprint", async () => {
  const key = pem("ec_p256_pkcs8");
  const header = await jwkh(key);
  const token = await scomp(key, { sub: "1234567890", admin: true }, header);
  const pinned = await jwkThumbprint(header.jwk!);
  // A verifier that reads the embedded key must compare it with a pinned thumbprint.
  const { payload } = await verify(token, async (h) => {
    if (h.jwk === undefined || await jwkThumbprint(h.jwk) !== pinned) {
      throw new Error("unknown key");
    }
    return h.jwk;
  }, { algorithms: ["ES256"] });
  assert.equal(payload.admin, true);
});
