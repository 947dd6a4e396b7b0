import assert from "node:assert/strict";
import {
  createLocalJwkSet,
  exportJwk,
  type JwkSet,
  JwtError,
  scomp,
  verify,
  type VerifyOptions,
} from "@cosocket/jwt";
import { pem } from "./_fixtures.ts";

Deno.test("createLocalJwkSet() resolves keys by kid", async () => {
  const jwks: JwkSet = {
    keys: [
      await exportJwk(pem("ec_p256_spki"), { kid: "ec" }),
      await exportJwk(pem("rsa_spki"), { kid: "rsa" }),
    ],
  };
  const resolver = createLocalJwkSet(jwks);
  const options: VerifyOptions = { algorithms: ["ES256", "RS256"] };
  const ec = await scomp(pem("ec_p256_pkcs8"), { sub: "ec" }, { alg: "ES256", kid: "ec" });
  const rsa = await scomp(pem("rsa_pkcs8"), { sub: "rsa" }, { alg: "RS256", kid: "rsa" });
  assert.equal(
    (await verify(ec, resolver, options)).payload.sub,
    "ec",
  );
  assert.equal(
    (await verify(rsa, resolver, options)).payload.sub,
    "rsa",
  );
  // The resolver keeps its own copy of the key list.
  jwks.keys.length = 0;
  assert.equal((await verify(ec, resolver, { algorithms: ["ES256"] })).payload.sub, "ec");
  assert.throws(
    () => resolver({ alg: "ES256", kid: "nope" }),
    (error: unknown) => error instanceof JwtError && error.code === "key_not_found",
  );
});

Deno.test("createLocalJwkSet() refuses what is not a JWK Set", () => {
  for (const bad of [null, {}, { keys: "x" }, { keys: [1] }]) {
    assert.throws(() => createLocalJwkSet(bad as unknown as JwkSet), TypeError);
  }
});
