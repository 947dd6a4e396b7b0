// A tour of @cosocket/crypto in the seed's idioms: chained hashes, HMAC, PBKDF2, chunked
// AES-GCM, AES-CCM, Fernet, and ES256 signatures with the key's JWK coordinates.
// Run: deno run examples/crypto_tour.ts   (no permissions needed)
import {
  createFernetKey,
  createKey,
  fernetDecrypt,
  fernetEncrypt,
  hash,
  keyParams,
  pbkdf2,
  sign,
  sigParams,
  symmetric,
  verify,
} from "@cosocket/crypto";

// ba.crypto.hash"md5"(username)(password)(true, "b64")
const user = "admin";
const password = "qwerty";
console.log("md5(user password) b64:", hash("md5")(user)(password)(true, "b64"));
console.log(
  "hmac-sha256 hex:       ",
  hash("hmac", "sha256", "my-secret")(user)(password)(true, "hex"),
);

// ba.crypto.PBKDF2("sha256", password, salt, c, dkLen)
const dk = await pbkdf2("sha256", password, "per-user-salt", 600_000, 32);
console.log("pbkdf2-sha256 (600k):  ", dk.toHex());

// The seed's file loop: 0x500-byte chunks, PKCS7 on the last one, one tag over everything.
const key = crypto.getRandomValues(new Uint8Array(16));
const iv = crypto.getRandomValues(new Uint8Array(12));
const file = new TextEncoder().encode("All work and no play makes Jack a dull boy. ".repeat(100));
const encryptor = symmetric("GCM", key, iv).setAuth(
  'Optional "Additional Authenticated Data" (AAD)',
);
const decryptor = symmetric("GCM", key, iv).setAuth(
  'Optional "Additional Authenticated Data" (AAD)',
);
let restored = "";
let chunks = 0;
for (let pos = 0;; pos += 0x500) {
  const data = file.subarray(pos, pos + 0x500);
  const last = data.length !== 0x500;
  const { data: cipher, tag } = await encryptor.encrypt(data, last ? "PKCS7" : undefined);
  restored += new TextDecoder().decode(
    await decryptor.decrypt(cipher, tag, last ? "PKCS7" : undefined),
  );
  chunks++;
  if (last) break;
}
console.log(
  `GCM: ${file.length} bytes in ${chunks} chunks round-tripped:`,
  restored === new TextDecoder().decode(file),
);

const nonce = crypto.getRandomValues(new Uint8Array(13));
const ccm = await symmetric("CCM", key, nonce).encrypt("one-shot CCM message");
console.log("CCM ciphertext + 16-byte tag:", ccm.data.toHex(), ccm.tag!.toHex());

// Fernet, as in the seed's decodeFernet example
const fernetKey = createFernetKey();
const token = await fernetEncrypt(fernetKey, "hello fernet");
const { data, timestamp } = await fernetDecrypt(fernetKey, token, { ttl: 60 });
console.log("Fernet:", new TextDecoder().decode(data), "made at", timestamp.toISOString());

// ES256: sign (DER, as the seed returns), split into r and s, publish x and y as a JWK.
const ecKey = await createKey();
const signature = await sign("header.payload", ecKey);
const { r, s } = sigParams(signature, { size: 32 });
const { x, y } = await keyParams(ecKey);
const b64u = (b: Uint8Array) => b.toBase64({ alphabet: "base64url", omitPadding: true });
console.log("ES256 JWS signature (r||s):", b64u(new Uint8Array([...r, ...s])));
console.log("public JWK:", JSON.stringify({ kty: "EC", crv: "P-256", x: b64u(x), y: b64u(y) }));
console.log("verifies:", await verify("header.payload", signature, ecKey));
