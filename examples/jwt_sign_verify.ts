// JWT tour: the seed's HS256 and ES256 examples, verification with an
// allow-list and claims, a JWK Set chosen by kid, and what rejection looks like.
//
//   deno run examples/jwt_sign_verify.ts

import {
  createLocalJwkSet,
  exportJwk,
  jwkh,
  JwtError,
  scomp,
  unsafeDecode,
  verify,
} from "@cosocket/jwt";

// 1. The seed's HS256 example (check it at https://jwt.io with secret "my-secret").
const header = { alg: "HS256", typ: "JWT" };
const payload = { sub: "1234567890", name: "John Doe", iat: 1516239022 };
console.log("HS256:", await scomp("my-secret", payload, header));

// 2. The seed's ES256 example: a header carrying the public key as a JWK.
const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
  "sign",
  "verify",
]);
const es256 = await scomp(
  pair.privateKey,
  { ...payload, admin: true },
  await jwkh(pair.privateKey),
);
console.log("ES256 header:", unsafeDecode(es256).header);

// 3. Verify with an allow-list and claim checks.
const now = Math.floor(Date.now() / 1000);
const access = await scomp("my-secret", { sub: "alice", aud: "api", iat: now, exp: now + 300 });
const { payload: claims } = await verify(access, "my-secret", {
  algorithms: ["HS256"],
  audience: "api",
  maxTokenAge: 600,
});
console.log("verified:", claims);

// 4. A local JWK Set: the key is chosen by the token's kid.
const jwks = { keys: [await exportJwk(pair.publicKey, { kid: "2026-11", alg: "ES256" })] };
const keyed = await scomp(pair.privateKey, { sub: "bob" }, { alg: "ES256", kid: "2026-11" });
const result = await verify(keyed, createLocalJwkSet(jwks), { algorithms: ["ES256"] });
console.log("verified by kid:", result.header.kid, result.payload.sub);

// 5. Rejections carry a stable code.
const b64 = (text: string) =>
  new TextEncoder().encode(text).toBase64({ alphabet: "base64url", omitPadding: true });
const expired = await scomp("my-secret", { exp: now - 60 });
const oldKid = await scomp(pair.privateKey, {}, { alg: "ES256", kid: "old" });
const unsecured = `${b64('{"alg":"none"}')}.${b64('{"sub":"admin"}')}.`;
const attempts: [string, () => Promise<unknown>][] = [
  ["wrong secret", () => verify(access, "guess", { algorithms: ["HS256"] })],
  ["wrong audience", () => verify(access, "my-secret", { algorithms: ["HS256"], audience: "x" })],
  ["alg none", () => verify(unsecured, "my-secret", { algorithms: ["HS256"] })],
  ["expired", () => verify(expired, "my-secret", { algorithms: ["HS256"] })],
  ["unknown kid", () => verify(oldKid, jwks, { algorithms: ["ES256"] })],
];
for (const [what, attempt] of attempts) {
  try {
    await attempt();
    console.log(`${what}: accepted (unexpected)`);
  } catch (error) {
    if (!(error instanceof JwtError)) throw error;
    console.log(`${what}: rejected with code "${error.code}"`);
  }
}
