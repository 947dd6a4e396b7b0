// Interop with a real peer: npm `jose` signs what we verify and verifies what
// we sign, for every algorithm, and JWKs travel both ways.

import assert from "node:assert/strict";
import * as jose from "npm:jose@6.2.17";
import { exportJwk, jwkh, type JwtPayload, scomp, sign, verify } from "@cosocket/jwt";
import { ALGORITHM_KEYS, type AlgorithmKeys, now, pem } from "./_fixtures.ts";

type JoseKey = CryptoKey | Uint8Array;

async function joseKeys(keys: AlgorithmKeys): Promise<{ priv: JoseKey; pub: JoseKey }> {
  if (typeof keys.privateKey !== "string" || typeof keys.publicKey !== "string") {
    return { priv: keys.privateKey as Uint8Array, pub: keys.publicKey as Uint8Array };
  }
  return {
    priv: await jose.importPKCS8(keys.privateKey, keys.alg, { extractable: true }),
    pub: await jose.importSPKI(keys.publicKey, keys.alg, { extractable: true }),
  };
}

function claims(): JwtPayload {
  const t = now();
  return { sub: "interop", aud: "peer", iss: "cosocket", iat: t, exp: t + 300, n: 42 };
}

const SEED_PAYLOAD = { sub: "1234567890", name: "John Doe", iat: 1516239022 };
const SEED_TOKEN =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.EpM5XBzTJZ4J8AfoJEcJrjth8pfH28LWdjLo90sYb9g";

Deno.test("scomp() reproduces jose's token for the seed's HS256 example byte for byte", async () => {
  const header = { alg: "HS256", typ: "JWT" };
  const ours = await scomp("my-secret", SEED_PAYLOAD, header);
  const theirs = await new jose.SignJWT(SEED_PAYLOAD)
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .sign(new TextEncoder().encode("my-secret"));
  assert.equal(ours, theirs);
  assert.equal(ours, SEED_TOKEN);
  // Without a header the default is the same {"alg":"HS256","typ":"JWT"}.
  assert.equal(await scomp("my-secret", SEED_PAYLOAD), SEED_TOKEN);
});

for (const keys of ALGORITHM_KEYS) {
  Deno.test(`verify() accepts ${keys.alg} tokens signed by jose`, async () => {
    const { priv } = await joseKeys(keys);
    const payload = claims();
    const token = await new jose.SignJWT(payload).setProtectedHeader({ alg: keys.alg, typ: "JWT" })
      .sign(priv);
    const result = await verify(token, keys.publicKey, {
      algorithms: [keys.alg],
      audience: "peer",
      issuer: "cosocket",
      typ: "JWT",
    });
    assert.deepEqual(result.payload, payload);
    assert.equal(result.header.alg, keys.alg);
  });

  Deno.test(`scomp() makes ${keys.alg} tokens that jose verifies`, async () => {
    const { pub } = await joseKeys(keys);
    const payload = claims();
    const token = await scomp(keys.privateKey, payload, { alg: keys.alg, typ: "JWT" });
    const result = await jose.jwtVerify(token, pub, {
      algorithms: [keys.alg],
      audience: "peer",
      issuer: "cosocket",
    });
    assert.deepEqual(result.payload, payload);
    assert.deepEqual(result.protectedHeader, { alg: keys.alg, typ: "JWT" });
  });

  Deno.test(`exportJwk() ${keys.alg} keys import into jose and jose's JWKs import into ours`, async () => {
    const { priv, pub } = await joseKeys(keys);
    const secret = typeof keys.privateKey !== "string";
    // Ours to jose: jose verifies our token with the JWK we exported.
    const ourJwk = await exportJwk(keys.privateKey, {
      alg: keys.alg,
      kid: "ours",
      private: secret,
    });
    assert.equal("d" in ourJwk, false);
    const joseVerifyKey = await jose.importJWK(ourJwk, keys.alg);
    const ourToken = await scomp(keys.privateKey, { sub: "a" }, { alg: keys.alg });
    assert.equal((await jose.jwtVerify(ourToken, joseVerifyKey)).payload.sub, "a");

    // Ours to jose, private: jose signs with our private JWK, we verify.
    const ourPrivateJwk = await exportJwk(keys.privateKey, { alg: keys.alg, private: true });
    const joseSignKey = await jose.importJWK(ourPrivateJwk, keys.alg);
    const joseToken = await new jose.SignJWT({ sub: "b" }).setProtectedHeader({ alg: keys.alg })
      .sign(joseSignKey);
    assert.equal(
      (await verify(joseToken, keys.publicKey, { algorithms: [keys.alg] })).payload.sub,
      "b",
    );

    // Jose to ours: we verify with jose's public JWK and sign with its private JWK.
    const theirPublic = await jose.exportJWK(pub);
    assert.equal(
      (await verify(joseToken, theirPublic, { algorithms: [keys.alg] })).payload.sub,
      "b",
    );
    const theirPrivate = await jose.exportJWK(priv);
    const signedWithTheirs = await scomp(theirPrivate, { sub: "c" }, { alg: keys.alg });
    assert.equal((await jose.jwtVerify(signedWithTheirs, pub)).payload.sub, "c");
  });
}

Deno.test("sign() output is a flattened JWS that jose.flattenedVerify accepts", async () => {
  const key = pem("ec_p256_pkcs8");
  const jws = await sign(key, { sub: "flat" });
  const pub = await jose.importSPKI(pem("ec_p256_spki"), "ES256");
  const result = await jose.flattenedVerify(jws, pub);
  assert.equal(new TextDecoder().decode(result.payload), '{"sub":"flat"}');
  assert.deepEqual(result.protectedHeader, { alg: "ES256", typ: "JWT" });
});

Deno.test("jwkh() headers let jose verify through the embedded JWK, as in the seed's ES256 example", async () => {
  const key = pem("ec_p256_sec1");
  const payload = { sub: "1234567890", name: "John Doe", admin: true, iat: 1516239022 };
  const token = await scomp(key, payload, await jwkh(key));
  const result = await jose.jwtVerify(token, jose.EmbeddedJWK);
  assert.deepEqual(result.payload, payload);
  assert.equal(result.protectedHeader.alg, "ES256");
  assert.deepEqual(Object.keys(result.protectedHeader.jwk ?? {}).sort(), ["crv", "kty", "x", "y"]);
});

Deno.test("jwkThumbprint() equals jose's calculateJwkThumbprint", async () => {
  const { jwkThumbprint } = await import("@cosocket/jwt");
  for (const name of ["rsa_spki", "ec_p256_spki", "ec_p521_spki", "ed25519_spki"]) {
    const jwk = await exportJwk(pem(name), { kid: "ignored" });
    assert.equal(await jwkThumbprint(jwk), await jose.calculateJwkThumbprint(jwk));
  }
});
