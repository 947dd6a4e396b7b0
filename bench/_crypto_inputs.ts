// The inputs both crypto benchmarks (bench/crypto_bench.ts, bench/crypto_ab.ts) measure with.

/** 64 bytes of text. */
export const small: Uint8Array<ArrayBuffer> = new TextEncoder().encode(
  "The quick brown fox jumps over the lazy dog, 64 bytes long.....",
);
/** 1 KiB of random bytes. */
export const kib: Uint8Array<ArrayBuffer> = crypto.getRandomValues(new Uint8Array(1024));
/** 1 MiB of random bytes (getRandomValues fills at most 64 KiB at a time). */
export const mib: Uint8Array<ArrayBuffer> = new Uint8Array(1 << 20);
for (let i = 0; i < mib.length; i += 65536) crypto.getRandomValues(mib.subarray(i, i + 65536));
/** An AES-128 key and a GCM nonce. */
export const key16: Uint8Array<ArrayBuffer> = crypto.getRandomValues(new Uint8Array(16));
export const iv12: Uint8Array<ArrayBuffer> = crypto.getRandomValues(new Uint8Array(12));
