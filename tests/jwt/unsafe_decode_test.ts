import assert from "node:assert/strict";
import { JwtError, scomp, unsafeDecode } from "@cosocket/jwt";

Deno.test("unsafeDecode() returns header and payload without checking the signature", async () => {
  const token = await scomp("secret", { sub: "1", exp: 1 }, { alg: "HS256", kid: "k" });
  const forged = token.slice(0, token.lastIndexOf(".") + 1) + "AAAA";
  assert.deepEqual(unsafeDecode(forged), {
    header: { alg: "HS256", kid: "k" },
    payload: { sub: "1", exp: 1 },
  });
});

Deno.test("unsafeDecode() throws invalid_token for malformed or oversized input", () => {
  for (const bad of ["", "a.b", "a.b.c.d", "!!.e30.", "e30.W10.", `${"e30".repeat(6000)}.e30.`]) {
    assert.throws(
      () => unsafeDecode(bad),
      (error: unknown) => error instanceof JwtError && error.code === "invalid_token",
    );
  }
  assert.throws(() => unsafeDecode("e30.e30.", { maxTokenSize: 4 }), JwtError);
  assert.deepEqual(unsafeDecode("e30.e30."), { header: {}, payload: {} });
});

Deno.test("unsafeDecode() only ever throws JwtError on random input (bounded fuzz)", () => {
  const alphabet =
    'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/{}"\\ \u0000\u00e9';
  let seed = 12345;
  const random = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const encode = (text: string) =>
    new TextEncoder().encode(text).toBase64({ alphabet: "base64url", omitPadding: true });
  for (let i = 0; i < 2000; i++) {
    const length = random(64);
    let input = "";
    for (let j = 0; j < length; j++) input += alphabet[random(alphabet.length)];
    // Half the cases wrap the noise as base64url parts, so JSON and UTF-8 decoding are reached.
    const token = i % 2 === 0 ? input : `${encode(input)}.${encode(input.slice(1))}.${input}`;
    try {
      unsafeDecode(token);
    } catch (error) {
      assert.ok(error instanceof JwtError, `unexpected ${error} for ${JSON.stringify(token)}`);
      assert.equal(error.code, "invalid_token");
    }
  }
});

Deno.test("unsafeDecode() handles deeply nested JSON within the size limit", () => {
  const nested = `{"a":${"[".repeat(5000)}${"]".repeat(5000)}}`;
  const encode = (text: string) =>
    new TextEncoder().encode(text).toBase64({ alphabet: "base64url", omitPadding: true });
  const decoded = unsafeDecode(`${encode('{"alg":"HS256"}')}.${encode(nested)}.`);
  assert.ok(Array.isArray(decoded.payload.a));
});
