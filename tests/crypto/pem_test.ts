import assert from "node:assert/strict";
import { pemDecode, pemEncode } from "@cosocket/crypto";
import { openssl, prng } from "./_helpers.ts";

Deno.test("pemEncode() and pemDecode() round-trip bytes of every length", () => {
  const rand = prng(3);
  for (let n = 0; n < 200; n += 7) {
    const der = rand(n);
    const [block, ...rest] = pemDecode(pemEncode("TEST DATA", der));
    assert.equal(rest.length, 0);
    assert.equal(block!.label, "TEST DATA");
    assert.deepEqual(block!.der, der);
  }
});

Deno.test("pemEncode() writes 64-character lines", () => {
  const lines = pemEncode("X", new Uint8Array(100)).trimEnd().split("\n");
  assert.equal(lines[0], "-----BEGIN X-----");
  assert.equal(lines[1]!.length, 64);
  assert.equal(lines.at(-1), "-----END X-----");
});

Deno.test("pemDecode() returns all blocks in order and ignores text between them", () => {
  const text = "Bag Attributes\n" + pemEncode("CERTIFICATE", new Uint8Array([1])) +
    "subject=CN = x\r\n" +
    pemEncode("PRIVATE KEY", new Uint8Array([2, 3])).replaceAll("\n", "\r\n");
  const blocks = pemDecode(text);
  assert.deepEqual(blocks.map((b) => b.label), ["CERTIFICATE", "PRIVATE KEY"]);
  assert.deepEqual(blocks[1]!.der, new Uint8Array([2, 3]));
});

Deno.test("pemDecode() reads what openssl writes", async () => {
  const pem = await openssl(["ecparam", "-name", "prime256v1", "-genkey"]);
  const blocks = pemDecode(pem);
  assert.deepEqual(blocks.map((b) => b.label), ["EC PARAMETERS", "EC PRIVATE KEY"]);
  assert.deepEqual(blocks[0]!.der, Uint8Array.fromHex("06082a8648ce3d030107"));
});

Deno.test("pemDecode() throws SyntaxError for malformed input", () => {
  const good = pemEncode("A", new Uint8Array([1, 2, 3]));
  const bad = [
    "",
    "no pem here",
    good.replace("-----END A-----", ""),
    good.replace("END A", "END B"),
    good.replace("AQID", "AQ*D"),
    "-----END A-----\n",
    "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nAQID\n-----END RSA PRIVATE KEY-----\n",
  ];
  for (const text of bad) assert.throws(() => pemDecode(text), SyntaxError, JSON.stringify(text));
  // @ts-expect-error wrong type on purpose
  assert.throws(() => pemDecode(new Uint8Array(1)), TypeError);
  assert.throws(() => pemEncode("", new Uint8Array(1)), TypeError);
  assert.throws(() => pemEncode("-bad", new Uint8Array(1)), TypeError);
});

Deno.test("pemDecode() survives random garbage with typed errors only (bounded fuzz)", () => {
  const rand = prng(99);
  const base = pemEncode("CERTIFICATE", rand(120));
  for (let i = 0; i < 500; i++) {
    const chars = [...base];
    for (let k = 0; k < 3; k++) {
      chars[rand(2)[0]! * 3 % chars.length] = String.fromCharCode(32 + (rand(1)[0]! % 95));
    }
    try {
      pemDecode(chars.join(""));
    } catch (error) {
      assert.ok(error instanceof SyntaxError, String(error));
    }
  }
});
