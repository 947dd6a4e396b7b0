// Benchmarks for @cosocket/crypto against the platform's own APIs, side by side.
// Run: deno bench bench/crypto_bench.ts   (no permissions needed)
import { createHash, createHmac } from "node:crypto";
import { hash, pbkdf2, symmetric } from "@cosocket/crypto";
import { iv12, key16, kib, mib, small } from "./_crypto_inputs.ts";

const rawGcmKey = await crypto.subtle.importKey("raw", key16, "AES-GCM", false, [
  "encrypt",
  "decrypt",
]);
const gcmSealed = new Uint8Array(
  await crypto.subtle.encrypt({ name: "AES-GCM", iv: iv12 }, rawGcmKey, mib),
);
const gcmCiphertext = gcmSealed.slice(0, mib.length);
const gcmTag = gcmSealed.slice(mib.length);

// --- hash: seed-style chain vs node:crypto used directly --------------------------------
// Fixed counts with a warm-up: these runs take about a microsecond each.
const HASH_RUNS = { n: 100_000, warmup: 10_000 };

Deno.bench("node:crypto createHash sha256 64 B", {
  group: "hash-64B",
  baseline: true,
  ...HASH_RUNS,
}, () => {
  createHash("sha256").update(small).digest("hex");
});
Deno.bench('hash("sha256")(data)(true, "hex") 64 B', { group: "hash-64B", ...HASH_RUNS }, () => {
  hash("sha256")(small)(true, "hex");
});
Deno.bench(
  "node:crypto createHash sha256 1 KiB x4 chunks",
  { group: "hash-4KiB", baseline: true, ...HASH_RUNS },
  () => {
    createHash("sha256").update(kib).update(kib).update(kib).update(kib).digest();
  },
);
Deno.bench('hash("sha256") chain 1 KiB x4 chunks', { group: "hash-4KiB", ...HASH_RUNS }, () => {
  hash("sha256")(kib)(kib)(kib)(kib)();
});
Deno.bench("node:crypto createHmac sha256 64 B", {
  group: "hmac-64B",
  baseline: true,
  ...HASH_RUNS,
}, () => {
  createHmac("sha256", "secret").update(small).digest("base64");
});
Deno.bench('hash("hmac", "sha256", key) 64 B', { group: "hmac-64B", ...HASH_RUNS }, () => {
  hash("hmac", "sha256", "secret")(small)(true, "b64");
});

// Fixed counts with a warm-up keep the 1 MiB runs comparable on a shared machine.
const AES_RUNS = { n: 300, warmup: 50 };

// --- AES-GCM / AES-CCM, 1 MiB, vs raw WebCrypto AES-GCM with a pre-imported key ------------
Deno.bench("WebCrypto AES-GCM encrypt 1 MiB (key imported once)", {
  group: "aes-1MiB",
  baseline: true,
}, async () => {
  await crypto.subtle.encrypt({ name: "AES-GCM", iv: iv12 }, rawGcmKey, mib);
});
Deno.bench(
  'symmetric("GCM").encrypt 1 MiB (one call)',
  { group: "aes-1MiB", ...AES_RUNS },
  async () => {
    await symmetric("GCM", key16, iv12).encrypt(mib);
  },
);
Deno.bench(
  'symmetric("GCM", cryptoKey).encrypt 1 MiB (key imported once)',
  { group: "aes-1MiB", ...AES_RUNS },
  async () => {
    await symmetric("GCM", rawGcmKey, iv12).encrypt(mib);
  },
);
Deno.bench(
  'symmetric("GCM").encrypt 1 MiB (16 streamed 64 KiB chunks)',
  { group: "aes-1MiB", ...AES_RUNS },
  async () => {
    const s = symmetric("GCM", key16, iv12);
    for (let i = 0; i < mib.length; i += 65536) await s.encrypt(mib.subarray(i, i + 65536));
  },
);
Deno.bench('symmetric("CCM").encrypt 1 MiB', { group: "aes-1MiB", ...AES_RUNS }, async () => {
  await symmetric("CCM", key16, iv12).encrypt(mib);
});

Deno.bench("WebCrypto AES-GCM decrypt 1 MiB (key imported once)", {
  group: "aes-decrypt-1MiB",
  baseline: true,
}, async () => {
  await crypto.subtle.decrypt({ name: "AES-GCM", iv: iv12 }, rawGcmKey, gcmSealed);
});
Deno.bench(
  'symmetric("GCM").decrypt 1 MiB (one call)',
  { group: "aes-decrypt-1MiB", ...AES_RUNS },
  async () => {
    await symmetric("GCM", key16, iv12).decrypt(gcmCiphertext, gcmTag);
  },
);

// --- PBKDF2 vs raw WebCrypto ---------------------------------------------------------------
const salt = crypto.getRandomValues(new Uint8Array(16));
const password = new TextEncoder().encode("correct horse battery staple");
Deno.bench(
  "WebCrypto PBKDF2-SHA256 10k iterations",
  { group: "pbkdf2", baseline: true },
  async () => {
    const k = await crypto.subtle.importKey("raw", password, "PBKDF2", false, ["deriveBits"]);
    await crypto.subtle.deriveBits(
      { name: "PBKDF2", hash: "SHA-256", salt, iterations: 10_000 },
      k,
      256,
    );
  },
);
Deno.bench('pbkdf2("sha256") 10k iterations', { group: "pbkdf2" }, async () => {
  await pbkdf2("sha256", password, salt, 10_000, 32);
});
