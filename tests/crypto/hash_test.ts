import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { hash, type HashAlgorithm } from "@cosocket/crypto";
import { node, prng, unhex, utf8 } from "./_helpers.ts";

const ALGS: HashAlgorithm[] = ["md5", "sha1", "sha256", "sha384", "sha512"];

Deno.test('hash() matches published digests of "abc"', () => {
  const expected: Record<HashAlgorithm, string> = {
    md5: "900150983cd24fb0d6963f7d28e17f72",
    sha1: "a9993e364706816aba3e25717850c26c9cd0d89d",
    sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    sha384:
      "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
    sha512:
      "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
  };
  for (const alg of ALGS) assert.equal(hash(alg)("abc")(true, "hex"), expected[alg]);
  assert.equal(hash()("abc")(true, "hex"), expected.sha1); // seed default is sha1
});

Deno.test("hash() chains like the seed and matches the update()/digest() form", () => {
  const user = "admin";
  const password = "qwerty";
  const seed = hash("md5")(user)(password)(true, "b64");
  assert.equal(seed, createHash("md5").update(user + password).digest("base64"));
  assert.equal(hash("md5").update(user).update(password).digest("b64"), seed);
  const raw = hash("md5")(user)(password)();
  assert.ok(raw instanceof Uint8Array);
  assert.equal(raw.toBase64(), seed);
  assert.deepEqual(hash("md5")(user + password)(true), raw);
  assert.deepEqual(hash("md5")(user + password)(true, "raw"), raw);
  assert.deepEqual(hash("md5")(user + password).digest("binary"), raw);
  const b64u = hash("sha256")("x")(true, "b64u");
  assert.equal(b64u, hash("sha256")("x").digest("base64url"));
  assert.ok(!b64u.includes("=") && !b64u.includes("+") && !b64u.includes("/"));
  assert.equal(
    hash("sha256")("x")(true, "base64"),
    createHash("sha256").update("x").digest("base64"),
  );
});

Deno.test("hash() HMAC matches RFC 4231 test case 2 and the seed's chained form", () => {
  const mac = hash("hmac", "sha256", "Jefe")("what do ya want ")("for nothing?")(true, "hex");
  assert.equal(mac, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  const seed = hash("hmac", "md5", "qwerty")("user")("pass")(true, "b64");
  assert.equal(seed, createHmac("md5", "qwerty").update("userpass").digest("base64"));
  assert.equal(
    hash("hmac", "sha1", new Uint8Array(0))("")(true, "hex"),
    "fbdb1d1b18aa6c08324b7d64b71fb76370690e1d",
  );
});

const NODE_HASH = `
const c = require("crypto");
const cases = JSON.parse(require("fs").readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(cases.map((k) => {
  const h = c.createHash(k.alg);
  const m = c.createHmac(k.alg, Buffer.from(k.key, "hex"));
  for (const chunk of k.chunks) {
    h.update(Buffer.from(chunk, "hex"));
    m.update(Buffer.from(chunk, "hex"));
  }
  return [h.digest("hex"), m.digest("hex")];
})));
`;

Deno.test("hash() matches Node's OpenSSL on random chunked input (bounded)", async () => {
  const rand = prng(1234);
  const cases = Array.from({ length: 150 }, (_, i) => ({
    alg: ALGS[i % ALGS.length]!,
    key: rand(i % 150).toHex(),
    chunks: Array.from({ length: 1 + (i % 5) }, (_, k) => rand((i * 37 + k * 101) % 700).toHex()),
  }));
  const expected = await node<[string, string][]>(NODE_HASH, cases);
  cases.forEach((c, i) => {
    const h = hash(c.alg);
    const m = hash("hmac", c.alg, unhex(c.key));
    for (const chunk of c.chunks) {
      h(unhex(chunk));
      m.update(unhex(chunk));
    }
    assert.equal(h(true, "hex"), expected[i]![0], `hash case ${i}`);
    assert.equal(m.digest().toHex(), expected[i]![1], `hmac case ${i}`);
  });
});

Deno.test("hash() feeds strings as UTF-8", () => {
  assert.equal(
    hash("sha256")("héllo €")(true, "hex"),
    hash("sha256")(utf8("héllo €"))(true, "hex"),
  );
});

Deno.test("hash() throws TypeError for bad algorithms, data, formats and reuse", () => {
  // @ts-expect-error wrong algorithm on purpose
  assert.throws(() => hash("sha3"), TypeError);
  // @ts-expect-error wrong algorithm on purpose
  assert.throws(() => hash("hmac", "md4", "k"), TypeError);
  // @ts-expect-error missing key on purpose
  assert.throws(() => hash("hmac", "sha256"), TypeError);
  // @ts-expect-error wrong data on purpose
  assert.throws(() => hash("sha1")(42), TypeError);
  // @ts-expect-error wrong format on purpose
  assert.throws(() => hash("sha1")("x")(true, "base32"), TypeError);
  const h = hash("sha1");
  h("x")();
  assert.throws(() => h("y"), TypeError);
  assert.throws(() => h(), TypeError);
  assert.equal(hash("hmac", "sha1", "k").algorithm, "hmac-sha1");
});
