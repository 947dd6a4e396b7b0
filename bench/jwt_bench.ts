// JWT sign and verify throughput: @cosocket/jwt against npm `jose` in one run.
//
//   deno bench --allow-read bench/jwt_bench.ts
//
// Each group's baseline is jose on its fastest path (a key imported once as a
// CryptoKey); our rows use the key forms callers actually pass (raw secret
// bytes, CryptoKey, PEM text). Deno prints each row's ratio to the baseline.
// The machine may be shared: compare rows of one run, and expect noise.

import * as jose from "npm:jose@6.2.17";
import { scomp, verify } from "@cosocket/jwt";

const PAYLOAD = { sub: "1234567890", name: "John Doe", admin: true, iat: 1516239022 };
const SECRET = new TextEncoder().encode("a-32-byte-secret-for-hs256-bench");
const HS_HEADER = { alg: "HS256", typ: "JWT" };
const ES_HEADER = { alg: "ES256", typ: "JWT" };

const hmacKey = await crypto.subtle.importKey(
  "raw",
  SECRET,
  { name: "HMAC", hash: "SHA-256" },
  false,
  ["sign", "verify"],
);
const generated = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
  "sign",
  "verify",
]);
const pkcs8 = await jose.exportPKCS8(generated.privateKey);
const spki = await jose.exportSPKI(generated.publicKey);
// jose's documented path: keys imported once from PEM.
const pair = {
  privateKey: await jose.importPKCS8(pkcs8, "ES256"),
  publicKey: await jose.importSPKI(spki, "ES256"),
};

const hsToken = await scomp(SECRET, PAYLOAD, HS_HEADER);
const esToken = await scomp(pair.privateKey, PAYLOAD, ES_HEADER);

function joseSign(key: CryptoKey | Uint8Array, alg: string): Promise<string> {
  return new jose.SignJWT(PAYLOAD).setProtectedHeader({ alg, typ: "JWT" }).sign(key);
}

Deno.bench("jose HS256 sign (CryptoKey)", { group: "HS256 sign", baseline: true }, async () => {
  await joseSign(hmacKey, "HS256");
});
Deno.bench("jose HS256 sign (secret bytes)", { group: "HS256 sign" }, async () => {
  await joseSign(SECRET, "HS256");
});
Deno.bench("cosocket HS256 scomp (secret bytes)", { group: "HS256 sign" }, async () => {
  await scomp(SECRET, PAYLOAD, HS_HEADER);
});
Deno.bench("cosocket HS256 scomp (CryptoKey)", { group: "HS256 sign" }, async () => {
  await scomp(hmacKey, PAYLOAD, HS_HEADER);
});

Deno.bench("jose HS256 verify (CryptoKey)", { group: "HS256 verify", baseline: true }, async () => {
  await jose.jwtVerify(hsToken, hmacKey, { algorithms: ["HS256"] });
});
Deno.bench("jose HS256 verify (secret bytes)", { group: "HS256 verify" }, async () => {
  await jose.jwtVerify(hsToken, SECRET, { algorithms: ["HS256"] });
});
Deno.bench("cosocket HS256 verify (secret bytes)", { group: "HS256 verify" }, async () => {
  await verify(hsToken, SECRET, { algorithms: ["HS256"] });
});
Deno.bench("cosocket HS256 verify (CryptoKey)", { group: "HS256 verify" }, async () => {
  await verify(hsToken, hmacKey, { algorithms: ["HS256"] });
});

Deno.bench("jose ES256 sign (CryptoKey)", { group: "ES256 sign", baseline: true }, async () => {
  await joseSign(pair.privateKey, "ES256");
});
Deno.bench("cosocket ES256 scomp (CryptoKey)", { group: "ES256 sign" }, async () => {
  await scomp(pair.privateKey, PAYLOAD, ES_HEADER);
});
Deno.bench("cosocket ES256 scomp (PEM)", { group: "ES256 sign" }, async () => {
  await scomp(pkcs8, PAYLOAD, ES_HEADER);
});

// The floor: the bare WebCrypto call both libraries make, without any JWT work.
const esInput = new TextEncoder().encode(esToken.slice(0, esToken.lastIndexOf(".")));
const esSignature = Uint8Array.fromBase64(esToken.slice(esToken.lastIndexOf(".") + 1), {
  alphabet: "base64url",
});
Deno.bench("WebCrypto ECDSA P-256 sign alone (floor)", { group: "ES256 sign" }, async () => {
  await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, pair.privateKey, esInput);
});
Deno.bench("WebCrypto ECDSA P-256 verify alone (floor)", { group: "ES256 verify" }, async () => {
  await crypto.subtle.verify(
    { name: "ECDSA", hash: "SHA-256" },
    pair.publicKey,
    esSignature,
    esInput,
  );
});

Deno.bench("jose ES256 verify (CryptoKey)", { group: "ES256 verify", baseline: true }, async () => {
  await jose.jwtVerify(esToken, pair.publicKey, { algorithms: ["ES256"] });
});
Deno.bench("cosocket ES256 verify (CryptoKey)", { group: "ES256 verify" }, async () => {
  await verify(esToken, pair.publicKey, { algorithms: ["ES256"] });
});
Deno.bench("cosocket ES256 verify (PEM)", { group: "ES256 verify" }, async () => {
  await verify(esToken, spki, { algorithms: ["ES256"] });
});
Deno.bench("jose ES256 verify (generateKey CryptoKey)", { group: "ES256 verify" }, async () => {
  await jose.jwtVerify(esToken, generated.publicKey, { algorithms: ["ES256"] });
});
Deno.bench("cosocket ES256 verify (generateKey CryptoKey)", { group: "ES256 verify" }, async () => {
  await verify(esToken, generated.publicKey, { algorithms: ["ES256"] });
});
