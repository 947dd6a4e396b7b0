import assert from "node:assert/strict";
import { sigParams, sigParamsToDer } from "@cosocket/crypto";
import { prng } from "./_helpers.ts";
import { nodePk } from "./_node_pk.ts";
import { openssl } from "./_helpers.ts";

Deno.test("sigParams() splits OpenSSL DER signatures into the same r, s as Node's IEEE P1363 form", async () => {
  const pem = await openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]);
  const pub = await openssl(["pkey", "-pubout"], pem);
  const rand = prng(8);
  const cases = Array.from(
    { length: 20 },
    (_, i) => ({ op: "sign" as const, pem, data: rand(i).toHex(), hash: "sha256" }),
  );
  const ders = (await nodePk(cases)).map((h) => Uint8Array.fromHex(h as string));
  const verifyRaw = ders.map((der, i) => {
    const { r, s } = sigParams(der, { size: 32 });
    assert.equal(r.length, 32);
    assert.deepEqual(sigParamsToDer({ r, s }), der); // round trip is exact
    return {
      op: "verify" as const,
      pem: pub,
      data: cases[i]!.data,
      hash: "sha256",
      sig: new Uint8Array([...r, ...s]).toHex(),
      dsaEncoding: "ieee-p1363" as const,
    };
  });
  for (const ok of await nodePk(verifyRaw)) assert.equal(ok, true);
});

Deno.test("sigParams() without size returns minimal integers; sigParamsToDer() adds sign bytes", () => {
  const der = sigParamsToDer({ r: new Uint8Array([0, 0, 0x7f]), s: new Uint8Array([0xff, 1]) });
  assert.equal(der.toHex(), "300802017f020300ff01");
  const { r, s } = sigParams(der);
  assert.deepEqual(r, new Uint8Array([0x7f]));
  assert.deepEqual(s, new Uint8Array([0xff, 1]));
  assert.deepEqual(sigParamsToDer(new Uint8Array([1, 2])), Uint8Array.fromHex("3006020101020102"));
});

Deno.test("sigParams() rejects malformed DER with SyntaxError and oversize values with RangeError", () => {
  const bad = [
    "",
    "3000",
    "30030201",
    "300602010102010100",
    "3006020101040101",
    "3006020181020101",
    "31060201010201ff",
  ];
  for (const hex of bad) assert.throws(() => sigParams(Uint8Array.fromHex(hex)), SyntaxError, hex);
  assert.throws(
    () =>
      sigParams(sigParamsToDer({ r: new Uint8Array(33).fill(1), s: new Uint8Array([1]) }), {
        size: 32,
      }),
    RangeError,
  );
  assert.throws(() => sigParamsToDer(new Uint8Array(3)), TypeError);
  // @ts-expect-error wrong shape on purpose
  assert.throws(() => sigParamsToDer({ r: 1, s: 2 }), TypeError);
});

Deno.test("sigParams() survives random bytes with typed errors only (bounded fuzz)", () => {
  const rand = prng(31);
  for (let i = 0; i < 2000; i++) {
    const input = rand(i % 80);
    if (i % 2) input[0] = 0x30;
    try {
      sigParams(input);
    } catch (error) {
      assert.ok(error instanceof SyntaxError || error instanceof RangeError, String(error));
    }
  }
});
