import assert from "node:assert/strict";
import {
  importKey,
  sign,
  type SignOptions,
  sigParams,
  sigParamsToDer,
  verify,
} from "@cosocket/crypto";
import { openssl, prng, tempDir, utf8 } from "./_helpers.ts";
import { nodePk, type PkCase } from "./_node_pk.ts";

interface KeyCase {
  name: string;
  gen: string[];
  nodeHash: (o: SignOptions) => string | null;
  options: SignOptions[];
  size?: number;
}

const keyCases: KeyCase[] = [
  {
    name: "RSA",
    gen: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
    nodeHash: (o) => (o.hash ?? "sha256").toString().replace("-", "").toLowerCase(),
    options: [{}, { hash: "sha384" }, { hash: "SHA-512" }, { hash: "sha1" }, { padding: "pss" }, {
      padding: "pss",
      hash: "sha512",
      saltLength: 20,
    }],
  },
  {
    name: "P-256",
    gen: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
    nodeHash: (o) => (o.hash ?? "sha256").toString().replace("-", "").toLowerCase(),
    options: [{}, { format: "raw" }, { hash: "sha512" }],
    size: 32,
  },
  {
    name: "P-384",
    gen: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
    nodeHash: (o) => (o.hash ?? "sha384").toString().replace("-", "").toLowerCase(),
    options: [{}, { format: "raw" }],
    size: 48,
  },
  {
    name: "P-521",
    gen: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"],
    nodeHash: (o) => (o.hash ?? "sha512").toString().replace("-", "").toLowerCase(),
    options: [{}, { format: "raw" }],
    size: 66,
  },
  { name: "Ed25519", gen: ["-algorithm", "ED25519"], nodeHash: () => null, options: [{}] },
];

for (const kc of keyCases) {
  Deno.test(`sign() and verify() ${kc.name} interoperate with Node's OpenSSL both ways (bounded random data)`, async () => {
    const pem = await openssl(["genpkey", ...kc.gen]);
    const pub = await openssl(["pkey", "-pubout"], pem);
    const rand = prng(kc.name.length * 1000 + 1);
    const cases: PkCase[] = [];
    const ours: Uint8Array[] = [];
    const datas: Uint8Array[] = [];
    for (let i = 0; i < 12; i++) {
      const o = kc.options[i % kc.options.length]!;
      const data = rand(i * 29);
      datas.push(data);
      const sig = await sign(data, pem, o);
      ours.push(sig);
      const pss = o.padding === "pss";
      const hashLen = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 }[kc.nodeHash(o) ?? "sha256"]!;
      const common = {
        pem: pub,
        data: data.toHex(),
        hash: kc.nodeHash(o),
        pss,
        saltLength: o.saltLength ?? hashLen,
        dsaEncoding: o.format === "raw" ? "ieee-p1363" as const : "der" as const,
      };
      cases.push({ op: "verify", sig: sig.toHex(), ...common });
      cases.push({ op: "sign", ...common, pem });
    }
    const results = await nodePk(cases);
    for (let i = 0; i < 12; i++) {
      const o = kc.options[i % kc.options.length]!;
      assert.equal(results[2 * i], true, `node verifies our signature ${i}`);
      const theirs = Uint8Array.fromHex(results[2 * i + 1] as string);
      assert.ok(await verify(datas[i]!, theirs, pub, o), `we verify node's signature ${i}`);
      // verification with the private key, the certificate-free SPKI and wrong data
      assert.ok(await verify(datas[i]!, ours[i]!, pem, o));
      assert.equal(await verify(utf8("other"), ours[i]!, pub, o), false);
    }
  });
}

Deno.test("verify() accepts DER and raw ECDSA signatures when no format is given", async () => {
  const pem = await openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]);
  for (let i = 0; i < 10; i++) {
    const der = await sign(`m${i}`, pem);
    const raw = await sign(`m${i}`, pem, { format: "raw" });
    assert.equal(raw.length, 64);
    assert.ok(await verify(`m${i}`, der, pem));
    assert.ok(await verify(`m${i}`, raw, pem));
    assert.ok(await verify(`m${i}`, raw, pem, { format: "raw" }));
    assert.equal(await verify(`m${i}`, raw, pem, { format: "der" }), false);
    const { r, s } = sigParams(der, { size: 32 });
    assert.deepEqual(new Uint8Array([...r, ...s]).length, 64);
    assert.ok(await verify(`m${i}`, sigParamsToDer({ r, s }), pem, { format: "der" }));
    assert.ok(await verify(`m${i}`, sigParamsToDer(raw), pem, { format: "der" }));
  }
  assert.equal(await verify("m", new Uint8Array([1, 2, 3]), pem), false);
});

Deno.test("verify() checks RS256 signatures with a bare {n, e} key (the seed's SSO mode)", async () => {
  await using dir = await tempDir();
  const pem = await openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]);
  await Deno.writeTextFile(`${dir.path}/k.pem`, pem);
  await Deno.writeTextFile(`${dir.path}/data`, "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0");
  // openssl signs; we verify with n and e taken from the JWK form
  await openssl([
    "dgst",
    "-sha256",
    "-sign",
    `${dir.path}/k.pem`,
    "-out",
    `${dir.path}/sig`,
    `${dir.path}/data`,
  ]);
  const sig = await Deno.readFile(`${dir.path}/sig`);
  const jwk = await crypto.subtle.exportKey(
    "jwk",
    await importKey(pem, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, "verify"),
  );
  const data = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0";
  assert.ok(await verify(data, sig, { n: jwk.n!, e: jwk.e! }));
  assert.ok(await verify(data, sig, jwk));
  assert.equal(await verify(data + "x", sig, { n: jwk.n!, e: jwk.e! }), false);
  await assert.rejects(sign(data, { n: jwk.n!, e: jwk.e! }), TypeError);
});

Deno.test("sign() and verify() reject unusable keys and options", async () => {
  const ec = await openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]);
  const pub = await openssl(["pkey", "-pubout"], ec);
  await assert.rejects(sign("x", pub), TypeError);
  // @ts-expect-error wrong hash on purpose
  await assert.rejects(sign("x", ec, { hash: "md5" }), TypeError);
  const rsa = await openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]);
  // @ts-expect-error wrong padding on purpose
  await assert.rejects(sign("x", rsa, { padding: "oaep" }), TypeError);
  await assert.rejects(
    sign("x", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"),
    SyntaxError,
  );
  await assert.rejects(sign("x", new Uint8Array([1, 2, 3])), SyntaxError);
  // @ts-expect-error wrong data on purpose
  await assert.rejects(sign(42, ec), TypeError);
});
