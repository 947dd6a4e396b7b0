import assert from "node:assert/strict";
import { timingSafeEqual } from "@cosocket/crypto";
import { prng } from "./_helpers.ts";

Deno.test("timingSafeEqual() is true exactly for equal bytes", () => {
  const rand = prng(7);
  for (let i = 0; i < 200; i++) {
    const a = rand(i % 40);
    assert.equal(timingSafeEqual(a, a.slice()), true);
    if (a.length > 0) {
      const b = a.slice();
      b[i % a.length]! ^= 1 << (i % 8);
      assert.equal(timingSafeEqual(a, b), false);
    }
  }
});

Deno.test("timingSafeEqual() is false for different lengths and true for two empty arrays", () => {
  assert.equal(timingSafeEqual(new Uint8Array(0), new Uint8Array(0)), true);
  assert.equal(timingSafeEqual(new Uint8Array(3), new Uint8Array(4)), false);
});

Deno.test("timingSafeEqual() compares views by their own bytes", () => {
  const buf = new Uint8Array([9, 1, 2, 3, 9]);
  assert.equal(timingSafeEqual(buf.subarray(1, 4), new Uint8Array([1, 2, 3])), true);
});

Deno.test("timingSafeEqual() throws TypeError for non-byte input", () => {
  // @ts-expect-error wrong type on purpose
  assert.throws(() => timingSafeEqual("ab", new Uint8Array(2)), TypeError);
});
