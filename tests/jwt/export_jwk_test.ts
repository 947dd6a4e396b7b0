import assert from "node:assert/strict";
import { exportJwk, scomp, verify } from "@cosocket/jwt";
import { pem } from "./_fixtures.ts";

Deno.test("exportJwk() exports the public half by default", async () => {
  const jwk = await exportJwk(pem("rsa_pkcs8"), { kid: "r1", alg: "RS256" });
  assert.deepEqual(Object.keys(jwk).sort(), ["alg", "e", "kid", "kty", "n", "use"]);
  assert.equal(jwk.use, "sig");
  const ec = await exportJwk(pem("ec_p256_sec1"));
  assert.deepEqual(Object.keys(ec).sort(), ["crv", "kty", "use", "x", "y"]);
});

Deno.test("exportJwk() exports private members only when asked", async () => {
  const jwk = await exportJwk(pem("ec_p384_pkcs8"), { private: true });
  assert.equal(typeof jwk.d, "string");
  assert.equal("key_ops" in jwk || "ext" in jwk, false);
  const token = await scomp(jwk, { sub: "1" });
  assert.equal(
    (await verify(token, pem("ec_p384_spki"), { algorithms: ["ES384"] })).payload.sub,
    "1",
  );
  await assert.rejects(exportJwk(pem("ec_p384_spki"), { private: true }), TypeError);
});

Deno.test("exportJwk() exports HMAC secrets only with private: true", async () => {
  await assert.rejects(exportJwk("my-secret"), TypeError);
  const jwk = await exportJwk("my-secret", { private: true, alg: "HS384", kid: "h" });
  assert.deepEqual(jwk, { kty: "oct", k: "bXktc2VjcmV0", use: "sig", alg: "HS384", kid: "h" });
  const token = await scomp("my-secret", { sub: "1" }, { alg: "HS384" });
  assert.equal((await verify(token, jwk, { algorithms: ["HS384"] })).payload.sub, "1");
});
