import assert from "node:assert/strict";
import { decrypt, DecryptError, encrypt, keySize } from "@cosocket/crypto";
import { openssl, prng, run, tempDir } from "./_helpers.ts";
import { nodePk } from "./_node_pk.ts";

const pem = await openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]);
const pub = await openssl(["pkey", "-pubout"], pem);
const cert = await openssl([
  "req",
  "-x509",
  "-new",
  "-key",
  "/dev/stdin",
  "-subj",
  "/CN=rsa",
  "-days",
  "1",
], pem);

Deno.test("encrypt() and decrypt() with OAEP interoperate with Node's OpenSSL (hashes, labels)", async () => {
  const rand = prng(11);
  const hashes = ["sha1", "sha256", "sha384", "sha512"] as const;
  const cases = [];
  const ours: Uint8Array[] = [];
  const datas: Uint8Array[] = [];
  for (let i = 0; i < 12; i++) {
    const hash = hashes[i % 4]!;
    const label = i % 3 === 0 ? undefined : rand(i);
    const data = rand(1 + ((i * 13) % 60));
    datas.push(data);
    const opts = label === undefined
      ? { padding: "oaep" as const, hash }
      : { padding: "oaep" as const, hash, label };
    ours.push(await encrypt(data, i % 2 ? cert : pub, opts));
    const common = { padding: "oaep" as const, hash, ...(label ? { label: label.toHex() } : {}) };
    cases.push({ op: "decrypt" as const, pem, data: ours[i]!.toHex(), ...common });
    cases.push({ op: "encrypt" as const, pem: pub, data: data.toHex(), ...common });
  }
  const results = await nodePk(cases);
  for (let i = 0; i < 12; i++) {
    const hash = hashes[i % 4]!;
    assert.equal(results[2 * i], datas[i]!.toHex(), `node decrypts ours ${i}`);
    const back = await decrypt(Uint8Array.fromHex(results[2 * i + 1] as string), pem, {
      padding: "oaep",
      hash,
      ...(cases[2 * i]!.label ? { label: Uint8Array.fromHex(cases[2 * i]!.label!) } : {}),
    });
    assert.equal(back.toHex(), datas[i]!.toHex(), `we decrypt node's ${i}`);
  }
});

Deno.test("encrypt() PKCS#1 v1.5 output is decrypted by openssl pkeyutl, and ours decrypts Node's", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(`${dir.path}/k.pem`, pem);
  const rand = prng(12);
  for (let i = 0; i < 4; i++) {
    const data = rand(1 + i * 60); // up to 181 bytes < 256 - 11
    const ct = await encrypt(data, pub);
    assert.equal(ct.length, 256);
    await Deno.writeFile(`${dir.path}/ct`, ct);
    const plain = await run("openssl", [
      "pkeyutl",
      "-decrypt",
      "-inkey",
      `${dir.path}/k.pem`,
      "-in",
      `${dir.path}/ct`,
    ]);
    assert.equal(plain.toHex(), data.toHex());
  }
  const [theirs] = await nodePk([{
    op: "encrypt",
    pem: pub,
    data: "68656c6c6f",
    padding: "pkcs1",
  }]);
  assert.equal(
    new TextDecoder().decode(await decrypt(Uint8Array.fromHex(theirs as string), pem)),
    "hello",
  );
  await assert.rejects(encrypt(new Uint8Array(246), pub), RangeError);
});

Deno.test("encrypt() without padding is raw RSA, matching Node", async () => {
  const data = new Uint8Array(keySize(pub));
  data.set(prng(13)(255), 1); // leading zero keeps it below the modulus
  const ct = await encrypt(data, pub, { padding: "none" });
  const [nodeCt, nodePlain] = await nodePk([
    { op: "encrypt", pem: pub, data: data.toHex(), padding: "none" },
    { op: "decrypt", pem, data: ct.toHex(), padding: "none" },
  ]);
  assert.equal(ct.toHex(), nodeCt); // deterministic without padding
  assert.equal(nodePlain, data.toHex());
  assert.deepEqual(await decrypt(ct, pem, { padding: "none" }), data);
  await assert.rejects(encrypt(new Uint8Array(10), pub, { padding: "none" }), RangeError);
});

Deno.test("decrypt() failures are one DecryptError whatever the cause", async () => {
  const other = await openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]);
  const oaep = await encrypt("x", pub, { padding: "oaep", label: "a" });
  const pkcs1 = await encrypt("x", pub);
  const attempts = [
    () => decrypt(oaep, other, { padding: "oaep", label: "a" }),
    () => decrypt(oaep, pem, { padding: "oaep", label: "b" }),
    () => decrypt(oaep, pem, { padding: "oaep", hash: "sha1", label: "a" }),
    () => decrypt(pkcs1, other),
    () => decrypt(new Uint8Array(256).fill(0xff), pem),
  ];
  const messages = new Set<string>();
  for (const attempt of attempts) {
    try {
      await attempt();
      assert.fail("decryption succeeded");
    } catch (error) {
      assert.ok(error instanceof DecryptError, String(error));
      messages.add(error.message);
    }
  }
  assert.equal(messages.size, 1);
});

Deno.test("encrypt() and decrypt() reject non-RSA keys and bad options with TypeError", async () => {
  const ec = await openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]);
  await assert.rejects(encrypt("x", ec), TypeError);
  await assert.rejects(decrypt(new Uint8Array(32), ec), TypeError);
  await assert.rejects(decrypt(new Uint8Array(256), pub), TypeError);
  // @ts-expect-error wrong padding on purpose
  await assert.rejects(encrypt("x", pub, { padding: "pss" }), TypeError);
});
