import assert from "node:assert/strict";
import { createHmac, sign as nodeSign, verify as nodeVerify } from "node:crypto";
import {
  exportJwk,
  type JwsHeader,
  JwtError,
  type JwtErrorCode,
  type JwtPayload,
  scomp,
  verify,
  type VerifyOptions,
} from "@cosocket/jwt";
import { now, pem } from "./_fixtures.ts";

const SECRET = "a-test-secret-of-thirty-two-bytes";
const HS256: VerifyOptions = { algorithms: ["HS256"] };

function b64(text: string): string {
  return new TextEncoder().encode(text).toBase64({ alphabet: "base64url", omitPadding: true });
}

/** A token HMAC-signed with arbitrary header and payload JSON, as an attacker would. */
function forgeHmac(header: unknown, payload: unknown, secret: string | Uint8Array): string {
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(payload))}`;
  const mac = createHmac("sha256", secret).update(input).digest();
  return `${input}.${mac.toBase64({ alphabet: "base64url", omitPadding: true })}`;
}

async function rejects(
  promise: Promise<unknown>,
  code: JwtErrorCode,
  claim?: string,
): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof JwtError, `expected JwtError, got ${error}`);
    assert.equal(error.code, code, error.message);
    if (claim !== undefined) assert.equal(error.claim, claim);
    assert.equal(error.name, "JwtError");
    return true;
  });
}

function replacePart(token: string, index: number, part: string): string {
  const parts = token.split(".");
  parts[index] = part;
  return parts.join(".");
}

Deno.test("verify() returns the payload and header of a valid token", async () => {
  const token = await scomp(SECRET, { sub: "1", n: [1, 2] }, { alg: "HS256", kid: "k" });
  const { payload, header } = await verify(token, SECRET, HS256);
  assert.deepEqual(payload, { sub: "1", n: [1, 2] });
  assert.deepEqual(header, { alg: "HS256", kid: "k" });
});

// --- alg "none" and the allow-list ---------------------------------------------------

Deno.test("verify() rejects alg none in any spelling", async () => {
  for (const alg of ["none", "None", "NONE", "nOnE"]) {
    const token = `${b64(JSON.stringify({ alg, typ: "JWT" }))}.${b64('{"sub":"admin"}')}.`;
    await rejects(verify(token, SECRET, HS256), "alg_not_allowed", "alg");
    await rejects(
      verify(token, SECRET, { algorithms: ["HS256", "RS256", "ES256"] }),
      "alg_not_allowed",
    );
  }
});

Deno.test("verify() refuses options that allow none or no algorithm", async () => {
  const token = await scomp(SECRET, { sub: "1" });
  const bad = [
    { algorithms: ["none"] },
    { algorithms: [] },
    {},
    { algorithms: "HS256" },
  ] as unknown as VerifyOptions[];
  for (const options of bad) {
    await assert.rejects(verify(token, SECRET, options), TypeError);
  }
});

Deno.test("verify() rejects an algorithm outside the allow-list", async () => {
  const token = await scomp(SECRET, { sub: "1" }, { alg: "HS384" });
  await rejects(verify(token, SECRET, HS256), "alg_not_allowed", "alg");
  const unknown = forgeHmac({ alg: "HS1" }, { sub: "1" }, SECRET);
  await rejects(verify(unknown, SECRET, HS256), "alg_not_allowed");
  const missing = forgeHmac({ typ: "JWT" }, { sub: "1" }, SECRET);
  await rejects(verify(missing, SECRET, HS256), "alg_not_allowed");
});

// --- key confusion ------------------------------------------------------------------

Deno.test("verify() rejects RS256 to HS256 key confusion with a PEM public key", async () => {
  const publicPem = pem("rsa_spki");
  const forged = forgeHmac({ alg: "HS256", typ: "JWT" }, { sub: "admin" }, publicPem);
  // Even a verifier that wrongly allows both families must not use the PEM as a secret.
  await rejects(
    verify(forged, publicPem, { algorithms: ["RS256", "HS256"] }),
    "alg_not_allowed",
    "alg",
  );
  await rejects(verify(forged, publicPem, { algorithms: ["RS256"] }), "alg_not_allowed", "alg");
  const cert = pem("ec_p256_cert");
  const forgedCert = forgeHmac({ alg: "HS256" }, { sub: "admin" }, cert);
  await rejects(verify(forgedCert, cert, { algorithms: ["ES256", "HS256"] }), "alg_not_allowed");
});

Deno.test("verify() rejects HS256 tokens against RSA JWKs, {n, e} and CryptoKeys", async () => {
  const jwk = await exportJwk(pem("rsa_spki"));
  const nAndE = { n: jwk.n!, e: jwk.e! };
  const forged = forgeHmac({ alg: "HS256" }, { sub: "admin" }, JSON.stringify(jwk));
  const both: VerifyOptions = { algorithms: ["RS256", "HS256"] };
  await rejects(verify(forged, jwk, both), "alg_not_allowed");
  await rejects(verify(forged, nAndE, both), "alg_not_allowed");
  const pair = await crypto.subtle.generateKey(
    { name: "ECDSA", namedCurve: "P-256" },
    true,
    ["sign", "verify"],
  );
  await rejects(
    verify(forged, pair.publicKey, { algorithms: ["ES256", "HS256"] }),
    "alg_not_allowed",
  );
});

Deno.test("verify() refuses a byte key when the allow-list mixes HMAC and public-key algorithms", async () => {
  const der = Uint8Array.fromBase64(
    pem("rsa_spki").replace(/-----[A-Z ]+-----|\s/g, ""),
  );
  const forged = forgeHmac({ alg: "HS256" }, { sub: "admin" }, der);
  await assert.rejects(verify(forged, der, { algorithms: ["RS256", "HS256"] }), TypeError);
  // DER alone, for RS256 only, is fine.
  const token = await scomp(pem("rsa_pkcs8"), { sub: "1" });
  assert.equal((await verify(token, der, { algorithms: ["RS256"] })).payload.sub, "1");
  await rejects(verify(forged, der, { algorithms: ["RS256"] }), "alg_not_allowed");
});

Deno.test("verify() rejects a key of the right family but the wrong curve or hash", async () => {
  const p384 = await scomp(pem("ec_p384_pkcs8"), { sub: "1" });
  await rejects(
    verify(p384, pem("ec_p256_spki"), { algorithms: ["ES256", "ES384"] }),
    "alg_not_allowed",
  );
  const hmac384 = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(SECRET),
    {
      name: "HMAC",
      hash: "SHA-384",
    },
    false,
    ["verify"],
  );
  const token = await scomp(SECRET, { sub: "1" });
  await rejects(verify(token, hmac384, HS256), "alg_not_allowed");
});

// --- signatures ---------------------------------------------------------------------

Deno.test("verify() rejects a DER-encoded ECDSA signature (JWS needs raw r||s)", async () => {
  const key = pem("ec_p256_pkcs8");
  const token = await scomp(key, { sub: "1" });
  const input = token.slice(0, token.lastIndexOf("."));
  const der = nodeSign("sha256", new TextEncoder().encode(input), { key, dsaEncoding: "der" });
  // The DER signature is cryptographically valid: only its encoding is wrong for JWS.
  assert.ok(nodeVerify("sha256", new TextEncoder().encode(input), pem("ec_p256_spki"), der));
  const derToken = `${input}.${der.toBase64({ alphabet: "base64url", omitPadding: true })}`;
  await rejects(
    verify(derToken, pem("ec_p256_spki"), { algorithms: ["ES256"] }),
    "invalid_signature",
  );
  assert.equal(
    (await verify(token, pem("ec_p256_spki"), { algorithms: ["ES256"] })).payload.sub,
    "1",
  );
});

const TAMPER_KEYS = [
  { alg: "HS256", priv: SECRET, pub: SECRET },
  { alg: "RS256", priv: pem("rsa_pkcs1"), pub: pem("rsa_spki") },
  { alg: "PS256", priv: pem("rsa_pkcs8"), pub: pem("rsa_spki") },
  { alg: "ES256", priv: pem("ec_p256_sec1"), pub: pem("ec_p256_cert") },
  { alg: "EdDSA", priv: pem("ed25519_pkcs8"), pub: pem("ed25519_spki") },
] as const;

for (const { alg, priv, pub } of TAMPER_KEYS) {
  Deno.test(`verify() rejects ${alg} tokens with a tampered header, payload or signature`, async () => {
    const options: VerifyOptions = { algorithms: [alg] };
    const token = await scomp(priv, { sub: "user", admin: false }, { alg, typ: "JWT" });
    assert.equal((await verify(token, pub, options)).payload.sub, "user");
    const [header, payload, signature] = token.split(".") as [string, string, string];

    const otherHeader = b64(JSON.stringify({ alg, typ: "JWT", kid: "x" }));
    await rejects(verify(replacePart(token, 0, otherHeader), pub, options), "invalid_signature");
    const otherPayload = b64(JSON.stringify({ sub: "user", admin: true }));
    await rejects(verify(replacePart(token, 1, otherPayload), pub, options), "invalid_signature");
    const middle = signature.length >> 1;
    const flipped = signature.slice(0, middle) + (signature[middle] === "A" ? "B" : "A") +
      signature.slice(middle + 1);
    await rejects(verify(`${header}.${payload}.${flipped}`, pub, options), "invalid_signature");
    await rejects(verify(`${header}.${payload}.`, pub, options), "invalid_signature");
    const short = Uint8Array.fromBase64(signature, { alphabet: "base64url" }).subarray(0, -3)
      .toBase64({ alphabet: "base64url", omitPadding: true });
    await rejects(verify(`${header}.${payload}.${short}`, pub, options), "invalid_signature");
  });
}

Deno.test("verify() rejects a signature with non-zero unused bits (a second encoding)", async () => {
  const token = await scomp(SECRET, { sub: "1" });
  // 32 bytes encode to 43 characters: the last one carries 2 unused bits.
  const last = token.at(-1)!;
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const twin = alphabet[alphabet.indexOf(last) ^ 1]!;
  await rejects(verify(token.slice(0, -1) + twin, SECRET, HS256), "invalid_token");
});

Deno.test("verify() rejects a token signed with another key", async () => {
  const token = await scomp(SECRET, { sub: "1" });
  await rejects(verify(token, "another-secret", HS256), "invalid_signature");
  const es = await scomp(pem("ec_p256_pkcs8"), { sub: "1" });
  const other = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ]);
  await rejects(verify(es, other.publicKey, { algorithms: ["ES256"] }), "invalid_signature");
});

// --- structure and size -------------------------------------------------------------

Deno.test("verify() rejects malformed tokens with invalid_token", async () => {
  const good = await scomp(SECRET, { sub: "1" });
  const [h, p, s] = good.split(".") as [string, string, string];
  const bad = [
    "",
    "abc",
    `${h}.${p}`,
    `${h}.${p}.${s}.x`,
    `${h}.${p}.${s}.x.y`,
    `${h}=.${p}.${s}`,
    ` ${h}.${p}.${s}`,
    `${h}.${p}.${s}\n`,
    `${h.slice(0, 4)} ${h.slice(4)}.${p}.${s}`,
    `${b64("[1]")}.${p}.${s}`,
    `${b64("null")}.${p}.${s}`,
    `${b64("{")}.${p}.${s}`,
    `${
      new Uint8Array([0x7b, 0xff, 0x7d]).toBase64({ alphabet: "base64url", omitPadding: true })
    }.${p}.${s}`,
    `${h}.${p}.${s}+`,
  ];
  for (const token of bad) await rejects(verify(token, SECRET, HS256), "invalid_token");
  await rejects(verify(42 as unknown as string, SECRET, HS256), "invalid_token");
});

Deno.test("verify() rejects a payload that is not a JSON object after a valid signature", async () => {
  for (const payload of ["[1,2]", "42", "not json", '"text"']) {
    const token = await scomp(SECRET, payload);
    await rejects(verify(token, SECRET, HS256), "invalid_token");
  }
});

Deno.test("verify() rejects an oversized token before decoding it", async () => {
  const big = await scomp(SECRET, { sub: "1", pad: "x".repeat(20000) });
  await rejects(verify(big, SECRET, HS256), "invalid_token");
  const small = await scomp(SECRET, { sub: "1" });
  await rejects(verify(small, SECRET, { ...HS256, maxTokenSize: 20 }), "invalid_token");
  assert.equal(
    (await verify(big, SECRET, { ...HS256, maxTokenSize: 40000 })).payload.sub,
    "1",
  );
  // A huge input is refused by length alone, without splitting or decoding it.
  await rejects(verify("a".repeat(10_000_000), SECRET, HS256), "invalid_token");
});

// --- claims -------------------------------------------------------------------------

Deno.test("verify() checks exp with clock tolerance", async () => {
  const t = now();
  const expired = await scomp(SECRET, { exp: t - 10 });
  await rejects(verify(expired, SECRET, HS256), "expired", "exp");
  await rejects(verify(expired, SECRET, { ...HS256, clockTolerance: 10 }), "expired");
  await verify(expired, SECRET, { ...HS256, clockTolerance: 11 });
  const edge = await scomp(SECRET, { exp: t });
  await rejects(verify(edge, SECRET, { ...HS256, currentDate: new Date(t * 1000) }), "expired");
  await verify(edge, SECRET, { ...HS256, currentDate: new Date(t * 1000 - 1000) });
  await verify(await scomp(SECRET, { exp: t + 60 }), SECRET, HS256);
});

Deno.test("verify() checks nbf with clock tolerance", async () => {
  const t = now();
  const early = await scomp(SECRET, { nbf: t + 30 });
  await rejects(verify(early, SECRET, HS256), "not_yet_valid", "nbf");
  await rejects(verify(early, SECRET, { ...HS256, clockTolerance: 29 }), "not_yet_valid");
  await verify(early, SECRET, { ...HS256, clockTolerance: 30 });
  await verify(early, SECRET, { ...HS256, currentDate: new Date((t + 30) * 1000) });
});

Deno.test("verify() checks iat against maxTokenAge", async () => {
  const t = now();
  const old = await scomp(SECRET, { iat: t - 120 });
  await rejects(verify(old, SECRET, { ...HS256, maxTokenAge: 60 }), "expired", "iat");
  await verify(old, SECRET, { ...HS256, maxTokenAge: 60, clockTolerance: 60 });
  await verify(old, SECRET, { ...HS256, maxTokenAge: 180 });
  const future = await scomp(SECRET, { iat: t + 120 });
  await rejects(verify(future, SECRET, { ...HS256, maxTokenAge: 600 }), "not_yet_valid", "iat");
  await verify(future, SECRET, HS256); // Without maxTokenAge, iat is only type-checked.
  const none = await scomp(SECRET, { sub: "1" });
  await rejects(verify(none, SECRET, { ...HS256, maxTokenAge: 60 }), "claim_mismatch", "iat");
});

Deno.test("verify() rejects time claims that are not numbers", async () => {
  for (const claim of ["exp", "nbf", "iat"]) {
    const token = await scomp(SECRET, { [claim]: "tomorrow" });
    await rejects(verify(token, SECRET, HS256), "claim_mismatch", claim);
  }
  await rejects(
    verify(await scomp(SECRET, { iss: 7 } as unknown as JwtPayload), SECRET, HS256),
    "claim_mismatch",
    "iss",
  );
  await rejects(
    verify(await scomp(SECRET, { aud: [1] } as unknown as JwtPayload), SECRET, HS256),
    "claim_mismatch",
    "aud",
  );
});

Deno.test("verify() checks audience, issuer and subject", async () => {
  const token = await scomp(SECRET, { iss: "https://a.example", sub: "u1", aud: ["api", "web"] });
  await verify(token, SECRET, {
    ...HS256,
    audience: "web",
    issuer: "https://a.example",
    subject: "u1",
  });
  await verify(token, SECRET, {
    ...HS256,
    audience: ["x", "api"],
    issuer: ["b", "https://a.example"],
  });
  await rejects(verify(token, SECRET, { ...HS256, audience: "admin" }), "claim_mismatch", "aud");
  await rejects(
    verify(token, SECRET, { ...HS256, issuer: "https://b.example" }),
    "claim_mismatch",
    "iss",
  );
  await rejects(verify(token, SECRET, { ...HS256, subject: "u2" }), "claim_mismatch", "sub");
  const bare = await scomp(SECRET, { n: 1 });
  await rejects(verify(bare, SECRET, { ...HS256, audience: "api" }), "claim_mismatch", "aud");
  await rejects(verify(bare, SECRET, { ...HS256, issuer: "x" }), "claim_mismatch", "iss");
  await rejects(verify(bare, SECRET, { ...HS256, subject: "x" }), "claim_mismatch", "sub");
  const single = await scomp(SECRET, { aud: "api" });
  await verify(single, SECRET, { ...HS256, audience: ["api"] });
});

Deno.test("verify() checks required claims", async () => {
  const token = await scomp(SECRET, { sub: "1", jti: "j" });
  await verify(token, SECRET, { ...HS256, requiredClaims: ["sub", "jti"] });
  await rejects(
    verify(token, SECRET, { ...HS256, requiredClaims: ["sub", "exp"] }),
    "claim_mismatch",
    "exp",
  );
});

Deno.test("verify() checks the header typ", async () => {
  const jwt = await scomp(SECRET, { sub: "1" }, { alg: "HS256", typ: "JWT" });
  await verify(jwt, SECRET, { ...HS256, typ: "JWT" });
  await verify(jwt, SECRET, { ...HS256, typ: "application/jwt" });
  const at = await scomp(SECRET, { sub: "1" }, { alg: "HS256", typ: "application/at+jwt" });
  await verify(at, SECRET, { ...HS256, typ: "at+JWT" });
  await rejects(verify(jwt, SECRET, { ...HS256, typ: "at+jwt" }), "claim_mismatch", "typ");
  const untyped = await scomp(SECRET, { sub: "1" }, { alg: "HS256" });
  await rejects(verify(untyped, SECRET, { ...HS256, typ: "JWT" }), "claim_mismatch", "typ");
});

// --- crit and b64 -------------------------------------------------------------------

Deno.test("verify() rejects unknown crit extensions and accepts understood ones", async () => {
  const token = await scomp(SECRET, { sub: "1" }, { alg: "HS256", crit: ["exp"], exp: 1 });
  await rejects(verify(token, SECRET, HS256), "invalid_token", "crit");
  await verify(token, SECRET, { ...HS256, crit: ["exp"] });
  const invalid = [
    { alg: "HS256", crit: [] },
    { alg: "HS256", crit: "exp", exp: 1 },
    { alg: "HS256", crit: ["alg"] },
    { alg: "HS256", crit: ["kid"], kid: "k" },
    { alg: "HS256", crit: ["absent"] },
    { alg: "HS256", crit: [7] },
  ];
  for (const header of invalid) {
    const bad = await scomp(SECRET, { sub: "1" }, header as JwsHeader);
    await rejects(
      verify(bad, SECRET, { ...HS256, crit: ["absent", "kid", "alg"] }),
      "invalid_token",
      "crit",
    );
  }
});

Deno.test("verify() rejects unencoded payloads (b64 false)", async () => {
  const token = await scomp(SECRET, { sub: "1" }, { alg: "HS256", b64: false, crit: ["b64"] });
  await rejects(verify(token, SECRET, { ...HS256, crit: ["b64"] }), "invalid_token", "b64");
});

// --- keys ---------------------------------------------------------------------------

Deno.test("verify() selects a key from a JWK Set by kid and rejects unknown kids", async () => {
  const a = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ]);
  const b = await crypto.subtle.generateKey({ name: "Ed25519" }, true, [
    "sign",
    "verify",
  ]) as CryptoKeyPair;
  const set = {
    keys: [
      await exportJwk(a.publicKey, { kid: "a" }),
      await exportJwk(b.publicKey, { kid: "b" }),
      { kty: "oct", kid: "c", k: b64(SECRET) },
    ],
  };
  const ta = await scomp(a.privateKey, { sub: "a" }, { alg: "ES256", kid: "a" });
  const tb = await scomp(b.privateKey, { sub: "b" }, { alg: "EdDSA", kid: "b" });
  const tc = await scomp(SECRET, { sub: "c" }, { alg: "HS256", kid: "c" });
  const all: VerifyOptions = { algorithms: ["ES256", "EdDSA", "HS256"] };
  assert.equal((await verify(ta, set, all)).payload.sub, "a");
  assert.equal((await verify(tb, set, all)).payload.sub, "b");
  assert.equal((await verify(tc, set, all)).payload.sub, "c");

  const unknown = await scomp(a.privateKey, { sub: "a" }, { alg: "ES256", kid: "zzz" });
  await rejects(verify(unknown, set, all), "key_not_found", "kid");
  // kid "b" names an Ed25519 key: an ES256 token claiming it finds no fitting key.
  const wrongType = await scomp(a.privateKey, { sub: "a" }, { alg: "ES256", kid: "b" });
  await rejects(verify(wrongType, set, all), "key_not_found");
  // Without kid the one fitting key is used; with several fitting keys nothing is guessed.
  const noKid = await scomp(a.privateKey, { sub: "a" }, { alg: "ES256" });
  assert.equal((await verify(noKid, set, all)).payload.sub, "a");
  const twoEc = { keys: [...set.keys, await exportJwk(pem("ec_p256_spki"), { kid: "d" })] };
  await rejects(verify(noKid, twoEc, all), "key_not_found");
  await rejects(verify(ta, { keys: [] }, all), "key_not_found");
});

Deno.test("verify() skips JWKs whose alg, use or key_ops forbid the token", async () => {
  const jwk = await exportJwk(pem("rsa_spki"), { kid: "r" });
  const token = await scomp(pem("rsa_pkcs8"), { sub: "1" }, { alg: "PS256", kid: "r" });
  const options: VerifyOptions = { algorithms: ["PS256"] };
  await verify(token, { keys: [jwk] }, options);
  await rejects(verify(token, { keys: [{ ...jwk, alg: "RS256" }] }, options), "key_not_found");
  await rejects(verify(token, { keys: [{ ...jwk, use: "enc" }] }, options), "key_not_found");
  await rejects(
    verify(token, { keys: [{ ...jwk, key_ops: ["encrypt"] }] }, options),
    "key_not_found",
  );
  // A single JWK bound to another algorithm is refused too.
  await rejects(verify(token, { ...jwk, alg: "RS256" }, options), "alg_not_allowed");
});

Deno.test("verify() calls a key resolver with the header", async () => {
  const seen: unknown[] = [];
  const token = await scomp(SECRET, { sub: "1" }, { alg: "HS256", kid: "k1" });
  const result = await verify(token, (header) => {
    seen.push(header);
    return Promise.resolve(SECRET);
  }, HS256);
  assert.equal(result.payload.sub, "1");
  assert.deepEqual(seen, [{ alg: "HS256", kid: "k1" }]);
  const missing = () => {
    throw new JwtError("key_not_found", "Cannot select key: none");
  };
  await rejects(verify(token, missing, HS256), "key_not_found");
  // A resolver may hand back a whole set (what a caching JWKS fetcher would do).
  const set = { keys: [{ kty: "oct", kid: "k1", k: b64(SECRET) }] };
  assert.equal((await verify(token, () => Promise.resolve(set), HS256)).payload.sub, "1");
  const other = await scomp(SECRET, { sub: "1" }, { alg: "HS256", kid: "k2" });
  await rejects(verify(other, () => set, HS256), "key_not_found");
});

Deno.test("verify() accepts every key form: PEM, certificate, JWK, {n, e}, CryptoKey, private keys", async () => {
  const es = await scomp(pem("ec_p256_pkcs8"), { sub: "es" });
  const esOptions: VerifyOptions = { algorithms: ["ES256"] };
  for (
    const key of [
      pem("ec_p256_spki"),
      pem("ec_p256_cert"),
      pem("ec_p256_pkcs8"),
      pem("ec_p256_sec1"),
    ]
  ) {
    assert.equal((await verify(es, key, esOptions)).payload.sub, "es");
  }
  const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ]);
  const own = await scomp(pair.privateKey, { sub: "ck" });
  assert.equal((await verify(own, pair.privateKey, esOptions)).payload.sub, "ck");
  assert.equal((await verify(own, pair.publicKey, esOptions)).payload.sub, "ck");

  const rs = await scomp(pem("rsa_pkcs1"), { sub: "rs" });
  const jwk = await exportJwk(pem("rsa_pkcs1"));
  const rsOptions: VerifyOptions = { algorithms: ["RS256"] };
  assert.equal((await verify(rs, jwk, rsOptions)).payload.sub, "rs");
  assert.equal((await verify(rs, { n: jwk.n!, e: jwk.e! }, rsOptions)).payload.sub, "rs");
  const nBytes = Uint8Array.fromBase64(jwk.n!, { alphabet: "base64url" });
  const eBytes = new Uint8Array([1, 0, 1]);
  assert.equal((await verify(rs, { n: nBytes, e: eBytes }, rsOptions)).payload.sub, "rs");
});

// --- fuzz ---------------------------------------------------------------------------

Deno.test("verify() rejects every mutation of a valid token with a JwtError (bounded fuzz)", async () => {
  const keys = [
    { alg: "HS256", priv: SECRET, pub: SECRET },
    { alg: "ES256", priv: pem("ec_p256_pkcs8"), pub: pem("ec_p256_spki") },
  ] as const;
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \u00e9";
  let seed = 0x9e3779b9;
  const random = (n: number) => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  for (const { alg, priv, pub } of keys) {
    const token = await scomp(priv, { sub: "fuzz", exp: now() + 600 } satisfies JwtPayload, {
      alg,
    });
    for (let i = 0; i < 400; i++) {
      let mutated = token;
      const edits = 1 + random(3);
      for (let e = 0; e < edits; e++) {
        const at = random(mutated.length + 1);
        const kind = random(3);
        const char = alphabet[random(alphabet.length)]!;
        mutated = kind === 0
          ? mutated.slice(0, at) + char + mutated.slice(at + 1)
          : kind === 1
          ? mutated.slice(0, at) + char + mutated.slice(at)
          : mutated.slice(0, at) + mutated.slice(at + 1);
      }
      if (mutated === token) continue;
      await assert.rejects(
        verify(mutated, pub, { algorithms: [alg] }),
        (error: unknown) => error instanceof JwtError,
        `mutation accepted or wrong error: ${mutated}`,
      );
    }
  }
});
