import assert from "node:assert/strict";
import { type JwtAlgorithm, type JwtKey, scomp, sign, unsafeDecode, verify } from "@cosocket/jwt";
import { pem } from "./_fixtures.ts";

function decodeSignature(jws: { signature: string }): Uint8Array {
  return Uint8Array.fromBase64(jws.signature, { alphabet: "base64url" });
}

Deno.test("sign() returns base64url protected, payload and signature parts", async () => {
  const jws = await sign("my-secret", { sub: "1234567890", name: "John Doe", iat: 1516239022 }, {
    alg: "HS256",
    typ: "JWT",
  });
  assert.deepEqual(jws, {
    protected: "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",
    payload: "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ",
    signature: "EpM5XBzTJZ4J8AfoJEcJrjth8pfH28LWdjLo90sYb9g",
  });
  // A string secret is its UTF-8 bytes.
  assert.equal(
    await scomp("my-secret", { sub: "1" }),
    await scomp(new TextEncoder().encode("my-secret"), { sub: "1" }),
  );
});

Deno.test("sign() infers the algorithm from the key", async () => {
  const hmac384 = await crypto.subtle.importKey(
    "raw",
    new Uint8Array(48).fill(7),
    {
      name: "HMAC",
      hash: "SHA-384",
    },
    false,
    ["sign"],
  );
  const pss = await crypto.subtle.generateKey(
    {
      name: "RSA-PSS",
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-512",
    },
    true,
    ["sign", "verify"],
  );
  const cases: [JwtKey, JwtAlgorithm][] = [
    ["my-secret", "HS256"],
    [new Uint8Array([1, 2, 3]), "HS256"],
    [hmac384, "HS384"],
    [pss.privateKey, "PS512"],
    [pem("rsa_pkcs8"), "RS256"],
    [pem("rsa_pkcs1"), "RS256"],
    [pem("ec_p256_pkcs8"), "ES256"],
    [pem("ec_p256_sec1"), "ES256"],
    [pem("ec_p384_pkcs8"), "ES384"],
    [pem("ec_p521_pkcs8"), "ES512"],
    [pem("ed25519_pkcs8"), "EdDSA"],
    [{ kty: "oct", k: "c2VjcmV0" }, "HS256"],
    [{ kty: "oct", k: "c2VjcmV0", alg: "HS512" }, "HS512"],
  ];
  for (const [key, alg] of cases) {
    const jws = await sign(key, { sub: "1" });
    assert.deepEqual(unsafeDecode(`${jws.protected}.${jws.payload}.${jws.signature}`).header, {
      alg,
      typ: "JWT",
    });
  }
});

Deno.test("sign() makes raw r||s ECDSA signatures of the curve's size", async () => {
  for (
    const [name, size] of [["ec_p256_pkcs8", 64], ["ec_p384_pkcs8", 96], [
      "ec_p521_pkcs8",
      132,
    ]] as const
  ) {
    for (let i = 0; i < 4; i++) {
      const jws = await sign(pem(name), { i });
      const signature = decodeSignature(jws);
      // DER would be a SEQUENCE of two INTEGERs, 6 to 9 bytes longer than r||s.
      assert.equal(signature.length, size);
    }
  }
});

Deno.test("sign() keeps header member order and puts an inferred alg first", async () => {
  const jws = await sign("s", { b: 1, a: 2 }, { typ: "JWT", kid: "k" });
  assert.equal(atob(jws.protected), '{"alg":"HS256","typ":"JWT","kid":"k"}');
  assert.equal(atob(jws.payload), '{"b":1,"a":2}');
  const explicit = await sign("s", {}, { kid: "k", alg: "HS512" });
  assert.equal(atob(explicit.protected), '{"kid":"k","alg":"HS512"}');
});

Deno.test("sign() signs string and byte payloads as they are", async () => {
  const text = await sign("s", "héllo");
  assert.equal(
    new TextDecoder().decode(Uint8Array.fromBase64(text.payload, { alphabet: "base64url" })),
    "héllo",
  );
  const bytes = await sign("s", new Uint8Array([0, 255, 1]));
  assert.deepEqual(
    Uint8Array.fromBase64(bytes.payload, { alphabet: "base64url" }),
    new Uint8Array([0, 255, 1]),
  );
});

Deno.test("sign() refuses alg none, unknown algorithms and keys that do not fit", async () => {
  await assert.rejects(sign("s", {}, { alg: "none" }), TypeError);
  await assert.rejects(sign("s", {}, { alg: "HS1" }), TypeError);
  await assert.rejects(sign(pem("rsa_pkcs8"), {}, { alg: "HS256" }), TypeError);
  await assert.rejects(sign("not a pem", {}, { alg: "ES256" }), TypeError);
  await assert.rejects(sign(pem("ec_p256_pkcs8"), {}, { alg: "ES384" }), TypeError);
  await assert.rejects(sign(pem("rsa_spki"), {}, { alg: "RS256" }), TypeError);
  await assert.rejects(sign("", {}), TypeError);
  await assert.rejects(sign(new Uint8Array(), {}), TypeError);
  await assert.rejects(
    sign({ kty: "EC", crv: "P-256", x: "AA", y: "AA" }, {}, { alg: "HS256" }),
    TypeError,
  );
});

Deno.test("scomp() tokens verify with the matching public key", async () => {
  const token = await scomp(pem("ed25519_pkcs8"), { sub: "ed" });
  const { payload, header } = await verify(token, pem("ed25519_spki"), { algorithms: ["EdDSA"] });
  assert.equal(payload.sub, "ed");
  assert.equal(header.alg, "EdDSA");
  assert.equal(token.split(".").length, 3);
});
