import assert from "node:assert/strict";
import { createFernetKey, DecryptError, fernetDecrypt, fernetEncrypt } from "@cosocket/crypto";
import { prng, run } from "./_helpers.ts";

async function load<T>(name: string): Promise<T[]> {
  return JSON.parse(
    await Deno.readTextFile(new URL(`../testdata/crypto/${name}`, import.meta.url)),
  ) as T[];
}

interface Generate {
  token: string;
  now: string;
  iv: number[];
  src: string;
  secret: string;
}
interface Verify {
  token: string;
  now: string;
  ttl_sec: number;
  src: string;
  secret: string;
}
interface Invalid {
  desc: string;
  token: string;
  now: string;
  ttl_sec: number;
  secret: string;
}

for (const v of await load<Generate>("fernet_generate.json")) {
  Deno.test(`fernetEncrypt() produces the spec's generate.json token for "${v.src}"`, async () => {
    const token = await fernetEncrypt(v.secret, v.src, {
      now: new Date(v.now),
      iv: new Uint8Array(v.iv),
    });
    assert.equal(token, v.token);
  });
}

for (const v of await load<Verify>("fernet_verify.json")) {
  Deno.test(`fernetDecrypt() accepts the spec's verify.json token for "${v.src}"`, async () => {
    const { data, timestamp } = await fernetDecrypt(v.secret, v.token, {
      ttl: v.ttl_sec,
      now: new Date(v.now),
    });
    assert.equal(new TextDecoder().decode(data), v.src);
    assert.equal(timestamp.getTime(), Date.parse("1985-10-26T01:20:00-07:00"));
  });
}

const invalid = await load<Invalid>("fernet_invalid.json");
Deno.test("fernetDecrypt() rejects every spec invalid.json token with DecryptError", async () => {
  assert.equal(invalid.length, 8);
  for (const v of invalid) {
    await assert.rejects(
      fernetDecrypt(v.secret, v.token, { ttl: v.ttl_sec, now: new Date(v.now) }),
      DecryptError,
      v.desc,
    );
  }
});

Deno.test("fernetDecrypt() uses one code and message except for an expired token", async () => {
  const seen = new Map<string, string>();
  for (const v of invalid) {
    try {
      await fernetDecrypt(v.secret, v.token, { ttl: v.ttl_sec, now: new Date(v.now) });
      assert.fail(`${v.desc} was accepted`);
    } catch (error) {
      assert.ok(error instanceof DecryptError);
      seen.set(v.desc, `${error.code}|${error.message}`);
    }
  }
  const expired = seen.get("expired TTL");
  assert.equal(expired?.split("|")[0], "expired");
  seen.delete("expired TTL");
  assert.equal(new Set(seen.values()).size, 1, JSON.stringify([...seen]));
  assert.equal([...seen.values()][0]!.split("|")[0], "decrypt");
});

Deno.test("fernetDecrypt() rejects a token made with another key", async () => {
  const token = await fernetEncrypt(createFernetKey(), "x");
  await assert.rejects(fernetDecrypt(createFernetKey(), token), DecryptError);
});

Deno.test("fernetEncrypt() round-trips and uses a fresh IV per token", async () => {
  const key = createFernetKey();
  const a = await fernetEncrypt(key, "same message");
  const b = await fernetEncrypt(key, "same message");
  assert.notEqual(a, b);
  for (const t of [a, b]) {
    assert.equal(
      new TextDecoder().decode((await fernetDecrypt(key, t, { ttl: 10 })).data),
      "same message",
    );
  }
  const big = prng(1)(70000);
  assert.deepEqual((await fernetDecrypt(key, await fernetEncrypt(key, big))).data, big);
});

Deno.test("fernetEncrypt() and fernetDecrypt() reject malformed keys with TypeError", async () => {
  await assert.rejects(fernetEncrypt("short", "x"), TypeError);
  await assert.rejects(fernetDecrypt("%%%", "x"), TypeError);
  await assert.rejects(fernetEncrypt(createFernetKey(), "x", { iv: new Uint8Array(8) }), TypeError);
});

Deno.test("fernet tokens interoperate with Python's cryptography.fernet both ways", async () => {
  const key = createFernetKey();
  const ours = await fernetEncrypt(key, "from deno ✓");
  const script = `
import sys
from cryptography.fernet import Fernet
key, token = sys.stdin.read().split()
f = Fernet(key.encode())
sys.stdout.write(f.decrypt(token.encode(), ttl=60).decode() + "\\n" + f.encrypt("from python ✓".encode()).decode())
`;
  const out = new TextDecoder().decode(
    await run("/usr/bin/python3", ["-c", script], `${key} ${ours}`),
  )
    .split("\n");
  assert.equal(out[0], "from deno ✓");
  const { data } = await fernetDecrypt(key, out[1]!, { ttl: 60 });
  assert.equal(new TextDecoder().decode(data), "from python ✓");
});

Deno.test("fernetDecrypt() rejects mutated tokens with DecryptError only (bounded fuzz)", async () => {
  const key = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";
  const token = await fernetEncrypt(key, "fuzz me", { iv: prng(1)(16), now: new Date(2e12) });
  const rand = prng(5150);
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=%";
  for (let i = 0; i < 300; i++) {
    const chars = [...token];
    for (let k = 0; k < 1 + (i % 3); k++) {
      chars[(rand(1)[0]! * 7 + i) % chars.length] = alphabet[rand(1)[0]! % alphabet.length]!;
    }
    const mutated = i % 10 === 0 ? chars.slice(0, chars.length - i / 10).join("") : chars.join("");
    if (mutated === token) continue;
    await assert.rejects(
      fernetDecrypt(key, mutated, { now: new Date(2e12) }),
      DecryptError,
      mutated,
    );
  }
});

Deno.test("fernetDecrypt() accepts a token without padding but not one with altered padding bits", async () => {
  const key = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";
  const token =
    "gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==";
  const { data } = await fernetDecrypt(key, token.replace(/=+$/, ""));
  assert.equal(new TextDecoder().decode(data), "hello");
  // "DA==" and "DB==" decode to the same byte when unused bits are ignored
  await assert.rejects(fernetDecrypt(key, token.replace(/DA==$/, "DB==")), DecryptError);
});
