// Interleaved A/B ratios for the crypto targets. `deno bench` runs each case in a block,
// so on a shared, busy machine its ratios swing by ±20%; this script alternates the
// platform baseline (A) and ours (B) in short rounds and prints the median of the
// per-round speed ratios (B speed / A speed, so > 1 means ours is faster).
// Run: deno run bench/crypto_ab.ts   (no permissions needed; about 30 seconds)
import { createHash, createHmac } from "node:crypto";
import { hash, pbkdf2, symmetric } from "@cosocket/crypto";
import { iv12, key16, kib, mib, small } from "./_crypto_inputs.ts";

const gcmKey = await crypto.subtle.importKey("raw", key16, "AES-GCM", false, ["encrypt"]);
const salt = crypto.getRandomValues(new Uint8Array(16));
const password = new TextEncoder().encode("correct horse battery staple");

type Op = () => unknown;

async function timeIt(op: Op, n: number): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < n; i++) await op();
  return performance.now() - t;
}

async function ratio(
  name: string,
  a: Op,
  b: Op,
  n: number,
  rounds = 31,
  target?: number,
): Promise<void> {
  await timeIt(a, n);
  await timeIt(b, n); // warm-up
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const ta = await timeIt(a, n);
    const tb = await timeIt(b, n);
    ratios.push(ta / tb);
  }
  ratios.sort((x, y) => x - y);
  const median = ratios[Math.floor(rounds / 2)]!;
  const goal = target === undefined ? "" : ` (target >= ${target})`;
  console.log(`${name.padEnd(66)} ${median.toFixed(2)}x${goal}`);
}

console.log("median speed of ours relative to the platform baseline (1.00 = equal)\n");
await ratio(
  'hash("sha256")(64 B)(true, "hex") vs createHash',
  () => createHash("sha256").update(small).digest("hex"),
  () => hash("sha256")(small)(true, "hex"),
  2000,
  31,
  0.9,
);
await ratio(
  'hash("sha256") 4 x 1 KiB chain, raw digest vs createHash',
  () => createHash("sha256").update(kib).update(kib).update(kib).update(kib).digest(),
  () => hash("sha256")(kib)(kib)(kib)(kib)(),
  2000,
  31,
  0.9,
);
await ratio(
  'hash("hmac", "sha256", key)(64 B) vs createHmac',
  () => createHmac("sha256", "secret").update(small).digest("base64"),
  () => hash("hmac", "sha256", "secret")(small)(true, "b64"),
  2000,
  31,
  0.9,
);
const gcm = () => crypto.subtle.encrypt({ name: "AES-GCM", iv: iv12 }, gcmKey, mib);
await ratio(
  'symmetric("GCM", cryptoKey).encrypt 1 MiB vs WebCrypto AES-GCM',
  gcm,
  () => symmetric("GCM", gcmKey, iv12).encrypt(mib),
  10,
  61,
  0.95,
);
await ratio(
  'symmetric("GCM", key bytes).encrypt 1 MiB vs WebCrypto AES-GCM',
  gcm,
  () => symmetric("GCM", key16, iv12).encrypt(mib),
  10,
  61,
);
await ratio(
  "WebCrypto importKey + AES-GCM 1 MiB vs WebCrypto AES-GCM",
  gcm,
  async () => {
    const k = await crypto.subtle.importKey("raw", key16, "AES-GCM", false, ["encrypt"]);
    await crypto.subtle.encrypt({ name: "AES-GCM", iv: iv12 }, k, mib);
  },
  10,
  61,
);
await ratio(
  'symmetric("CCM").encrypt 1 MiB vs WebCrypto AES-GCM',
  gcm,
  () => symmetric("CCM", key16, iv12).encrypt(mib),
  10,
);
await ratio(
  "WebCrypto AES-GCM as 16 separate 64 KiB messages (per-call floor)",
  gcm,
  async () => {
    for (let i = 0; i < mib.length; i += 65536) {
      await crypto.subtle.encrypt(
        { name: "AES-GCM", iv: iv12 },
        gcmKey,
        mib.subarray(i, i + 65536),
      );
    }
  },
  10,
);
await ratio(
  'symmetric("GCM") 16 x 64 KiB streamed vs WebCrypto AES-GCM',
  gcm,
  async () => {
    const s = symmetric("GCM", key16, iv12);
    for (let i = 0; i < mib.length; i += 65536) await s.encrypt(mib.subarray(i, i + 65536));
  },
  10,
);
await ratio(
  'pbkdf2("sha256", 10k iterations) vs WebCrypto PBKDF2',
  async () => {
    const k = await crypto.subtle.importKey("raw", password, "PBKDF2", false, ["deriveBits"]);
    await crypto.subtle.deriveBits(
      { name: "PBKDF2", hash: "SHA-256", salt, iterations: 10_000 },
      k,
      256,
    );
  },
  () => pbkdf2("sha256", password, salt, 10_000, 32),
  5,
  31,
  0.95,
);
