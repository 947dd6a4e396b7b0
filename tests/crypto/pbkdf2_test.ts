import assert from "node:assert/strict";
import { pbkdf2, type Pbkdf2Prf } from "@cosocket/crypto";
import { node, prng, unhex } from "./_helpers.ts";

interface Vector {
  source: string;
  prf: Pbkdf2Prf;
  password: string;
  salt: string;
  c: number;
  dkLen: number;
  dk: string;
}

const vectors = JSON.parse(
  await Deno.readTextFile(new URL("../testdata/crypto/pbkdf2_vectors.json", import.meta.url)),
) as Vector[];

for (const v of vectors) {
  Deno.test(`pbkdf2() matches ${v.source} (${v.prf}, c=${v.c}, dkLen=${v.dkLen})`, async () => {
    const password = unhex(v.password);
    const salt = unhex(v.salt);
    assert.equal((await pbkdf2(v.prf, password, salt, v.c, v.dkLen)).toHex(), v.dk);
  });
}

const NODE_PBKDF2 = `
const c = require("crypto");
const cases = JSON.parse(require("fs").readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(cases.map((k) =>
  c.pbkdf2Sync(Buffer.from(k.password, "hex"), Buffer.from(k.salt, "hex"), k.c, k.dkLen, k.prf).toString("hex")
)));
`;

Deno.test("pbkdf2() matches Node's OpenSSL on random inputs (bounded)", async () => {
  const rand = prng(42);
  const prfs: Pbkdf2Prf[] = ["sha1", "sha256", "sha384", "sha512"];
  const cases = Array.from({ length: 40 }, (_, i) => ({
    prf: prfs[i % 4]!,
    password: rand(i % 3 === 0 ? 0 : (i * 13) % 200).toHex(), // includes empty passwords
    salt: rand((i * 7) % 40).toHex(),
    c: 1 + ((i * 31) % 300),
    dkLen: 1 + ((i * 17) % 100),
  }));
  const expected = await node<string[]>(NODE_PBKDF2, cases);
  for (let i = 0; i < cases.length; i++) {
    const k = cases[i]!;
    const ours = await pbkdf2(k.prf, unhex(k.password), unhex(k.salt), k.c, k.dkLen);
    assert.equal(ours.toHex(), expected[i], `case ${i}`);
  }
});

Deno.test("pbkdf2() accepts strings as UTF-8", async () => {
  const a = await pbkdf2("sha256", "pässwörd", "salt", 2, 32);
  const b = await pbkdf2(
    "sha256",
    new TextEncoder().encode("pässwörd"),
    new TextEncoder().encode("salt"),
    2,
    32,
  );
  assert.deepEqual(a, b);
});

Deno.test("pbkdf2() rejects bad arguments with TypeError and RangeError", async () => {
  // @ts-expect-error wrong PRF on purpose
  await assert.rejects(pbkdf2("md5", "p", "s", 1, 16), TypeError);
  // @ts-expect-error wrong type on purpose
  await assert.rejects(pbkdf2("sha1", 1, "s", 1, 16), TypeError);
  await assert.rejects(pbkdf2("sha1", "p", "s", 0, 16), RangeError);
  await assert.rejects(pbkdf2("sha1", "p", "s", 1.5, 16), RangeError);
  await assert.rejects(pbkdf2("sha1", "p", "s", 1, 0), RangeError);
  await assert.rejects(pbkdf2("sha1", "p", "s", 1, (1 << 20) + 1), RangeError);
});
