// Unit tests for the private GF(2^128) helpers behind streaming GCM, against a BigInt
// reference implementation of SP 800-38D algorithm 1.
import assert from "node:assert/strict";
import * as gf from "../../crypto/_gf128.ts";
import { prng } from "./_helpers.ts";

function toBig(b: gf.Block): bigint {
  return b.reduce((acc, w) => (acc << 32n) | BigInt(w >>> 0), 0n);
}

function referenceMul(x: bigint, y: bigint): bigint {
  const R = 0xe1n << 120n;
  let z = 0n;
  let v = y;
  for (let i = 127; i >= 0; i--) {
    if ((x >> BigInt(i)) & 1n) z ^= v;
    v = v & 1n ? (v >> 1n) ^ R : v >> 1n;
  }
  return z;
}

function randomBlock(rand: (n: number) => Uint8Array): gf.Block {
  return gf.toBlock(rand(16));
}

Deno.test("gf.mul() matches the SP 800-38D reference multiplication", () => {
  const rand = prng(128);
  for (let i = 0; i < 200; i++) {
    const a = randomBlock(rand);
    const b = randomBlock(rand);
    assert.equal(toBig(gf.mul(a, b)), referenceMul(toBig(a), toBig(b)));
  }
});

Deno.test("gf.inverse() gives x · x^-1 = 1, and pow() agrees with repeated mul()", () => {
  const rand = prng(129);
  for (let i = 0; i < 200; i++) {
    const a = randomBlock(rand);
    assert.deepEqual(gf.mul(a, gf.inverse(a)), gf.ONE);
  }
  assert.deepEqual(gf.inverse(gf.ONE), gf.ONE);
  assert.deepEqual(gf.inverse(gf.ZERO), gf.ZERO);
  const h = randomBlock(rand);
  let acc = gf.ONE;
  for (let n = 0; n < 40; n++) {
    assert.deepEqual(gf.pow(h, n), acc);
    acc = gf.mul(acc, h);
  }
});
