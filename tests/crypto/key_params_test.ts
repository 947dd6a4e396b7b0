import assert from "node:assert/strict";
import { createKey, keyParams, keySize } from "@cosocket/crypto";
import { openssl, run } from "./_helpers.ts";

Deno.test("keyParams() returns the same (x, y) as openssl for every EC curve and key format", async () => {
  for (const curve of ["P-256", "P-384", "P-521"] as const) {
    const pem = await createKey({ curve });
    // openssl prints the uncompressed point 04 || x || y of the public key
    const spkiDer = await run("openssl", ["pkey", "-pubout", "-outform", "DER"], pem);
    const size = { "P-256": 32, "P-384": 48, "P-521": 66 }[curve];
    const point = spkiDer.subarray(spkiDer.length - (2 * size + 1));
    assert.equal(point[0], 4);
    const sec1 = await openssl(["ec"], pem);
    const pub = await openssl(["pkey", "-pubout"], pem);
    for (const key of [pem, sec1, pub, spkiDer]) {
      const p = await keyParams(key);
      assert.equal(p.curve, curve);
      assert.equal(p.x.toHex(), point.subarray(1, 1 + size).toHex());
      assert.equal(p.y.toHex(), point.subarray(1 + size).toHex());
    }
  }
});

Deno.test("keyParams() rejects non-EC keys with TypeError", async () => {
  await assert.rejects(keyParams(await createKey({ type: "ed25519" })), TypeError);
  await assert.rejects(keyParams({ n: "AQAB", e: "AQAB" }), TypeError);
});

Deno.test("keySize() reports RSA modulus bytes and EC field bytes for every input form", async () => {
  for (const bits of [2048, 3072]) {
    const pem = await openssl([
      "genpkey",
      "-algorithm",
      "RSA",
      "-pkeyopt",
      `rsa_keygen_bits:${bits}`,
    ]);
    const forms = [
      pem,
      await openssl(["rsa", "-traditional"], pem),
      await openssl(["pkey", "-pubout"], pem),
      await openssl(["rsa", "-RSAPublicKey_out"], pem),
      await openssl(
        ["req", "-x509", "-new", "-key", "/dev/stdin", "-subj", "/CN=k", "-days", "1"],
        pem,
      ),
    ];
    for (const f of forms) assert.equal(keySize(f), bits / 8);
  }
  assert.equal(keySize(await createKey({ curve: "P-521" })), 66);
  assert.equal(keySize(await createKey({ type: "ed25519" })), 32);
  const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-384" }, true, [
    "sign",
  ]);
  assert.equal(keySize(pair.privateKey), 48);
  const jwk = await crypto.subtle.exportKey("jwk", pair.publicKey);
  assert.equal(keySize(jwk), 48);
  assert.equal(keySize({ n: new Uint8Array([0, 0xff, 1]), e: "AQAB" }), 2);
  assert.throws(() => keySize("nonsense"), SyntaxError);
});
