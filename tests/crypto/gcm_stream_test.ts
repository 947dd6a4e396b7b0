// Streaming AES-GCM for files: chunks of any size in, a documented record
// framing out; truncation, reordering and tampering are detected; each record
// is plain AES-GCM that node:crypto (OpenSSL) decrypts on its own.
import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import { createDecipheriv } from "node:crypto";
import {
  DecryptError,
  GCM_STREAM_HEADER_LENGTH,
  gcmDecryptStream,
  gcmEncryptStream,
} from "@cosocket/crypto";

function pseudoRandom(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Splits `data` into chunks of random sizes 1..max (short reads, odd sizes). */
function chop(data: Uint8Array, max: number, seed: number): Uint8Array[] {
  const sizes = pseudoRandom(Math.ceil(data.length / 1) + 1, seed);
  const chunks: Uint8Array[] = [];
  let at = 0;
  let i = 0;
  while (at < data.length) {
    const n = 1 + ((sizes[i++ % sizes.length]! * 7919) % max);
    chunks.push(data.subarray(at, at + n));
    at += n;
  }
  return chunks;
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function encrypt(key: Uint8Array, data: Uint8Array, recordSize?: number) {
  return await collect(
    ReadableStream.from(chop(data, 10_000, 3)).pipeThrough(
      gcmEncryptStream(key, recordSize === undefined ? {} : { recordSize }),
    ),
  );
}

async function decrypt(key: Uint8Array, data: Uint8Array) {
  return await collect(
    ReadableStream.from(chop(data, 7_000, 5)).pipeThrough(gcmDecryptStream(key)),
  );
}

const key = pseudoRandom(32, 9);

Deno.test("gcm stream: 5 MiB in chunks of any size round-trips; sizes around record boundaries too", async () => {
  const big = pseudoRandom(5 * 1024 * 1024 + 13, 1);
  deepStrictEqual(await decrypt(key, await encrypt(key, big)), big);
  for (const size of [0, 1, 4095, 4096, 4097, 8192, 12_289]) {
    const data = pseudoRandom(size, size + 2);
    const sealed = await encrypt(key, data, 4096);
    const records = Math.max(1, Math.ceil(size / 4096));
    strictEqual(sealed.length, GCM_STREAM_HEADER_LENGTH + size + 16 * records, `size ${size}`);
    deepStrictEqual(await decrypt(key, sealed), data, `size ${size}`);
  }
});

Deno.test("gcm stream: every record is standard AES-GCM that node:crypto decrypts (nonce and AAD as documented)", async () => {
  const data = pseudoRandom(10_000, 4);
  const sealed = await encrypt(key, data, 4096);
  const header = sealed.subarray(0, GCM_STREAM_HEADER_LENGTH);
  deepStrictEqual([...header.subarray(0, 4)], [0x43, 0x53, 0x47, 0x31]);
  strictEqual(new DataView(header.buffer, header.byteOffset).getUint32(4), 4096);
  const parts: Uint8Array[] = [];
  let at = GCM_STREAM_HEADER_LENGTH;
  for (let i = 0; at < sealed.length; i++) {
    const end = Math.min(at + 4096 + 16, sealed.length);
    const last = end === sealed.length;
    const iv = new Uint8Array(12);
    iv.set(header.subarray(8));
    new DataView(iv.buffer).setUint32(8, i);
    const decipher = createDecipheriv("aes-256-gcm", key, iv);
    decipher.setAAD(new Uint8Array([...header, last ? 1 : 0]));
    decipher.setAuthTag(sealed.subarray(end - 16, end));
    parts.push(decipher.update(sealed.subarray(at, end - 16)), decipher.final());
    at = end;
  }
  deepStrictEqual(new Uint8Array(Buffer.concat(parts)), data);
});

Deno.test("gcm stream: truncation, reordering, duplication and tampering fail with DecryptError", async () => {
  const data = pseudoRandom(3 * 4096 + 100, 6);
  const sealed = await encrypt(key, data, 4096);
  const record = 4096 + 16;
  const h = GCM_STREAM_HEADER_LENGTH;
  const r = (i: number) => sealed.subarray(h + i * record, h + (i + 1) * record);
  const join = (...parts: Uint8Array[]) => new Uint8Array(parts.flatMap((p) => [...p]));
  const cases: Record<string, Uint8Array> = {
    "cut after a whole record": sealed.subarray(0, h + 2 * record),
    "cut inside a record": sealed.subarray(0, sealed.length - 5),
    "cut inside the header": sealed.subarray(0, 7),
    "two records swapped": join(sealed.subarray(0, h), r(1), r(0), sealed.subarray(h + 2 * record)),
    "a record repeated": join(
      sealed.subarray(0, h + 2 * record),
      r(1),
      sealed.subarray(h + 2 * record),
    ),
    "one bit flipped": (() => {
      const copy = sealed.slice();
      copy[h + 5000] = copy[h + 5000]! ^ 1;
      return copy;
    })(),
    "header changed": (() => {
      const copy = sealed.slice();
      copy[10] = copy[10]! ^ 1;
      return copy;
    })(),
    "not a stream": new TextEncoder().encode("hello, this is not CSG1 at all"),
  };
  for (const [name, bytes] of Object.entries(cases)) {
    await rejects(decrypt(key, bytes), DecryptError, name);
  }
  await rejects(decrypt(pseudoRandom(32, 99), sealed), DecryptError, "wrong key");
});

Deno.test("gcm stream: a forged huge record size is refused before buffering", async () => {
  const forged = new Uint8Array([
    0x43,
    0x53,
    0x47,
    0x31,
    0xff,
    0xff,
    0xff,
    0xff,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    0,
  ]);
  await rejects(decrypt(key, forged), (error: unknown) => {
    ok(error instanceof DecryptError);
    ok(error.message.includes("exceeds maxRecordSize"), error.message);
    return true;
  });
});

Deno.test("gcm stream: bad keys and record sizes are RangeErrors", async () => {
  let caught: unknown = null;
  try {
    gcmEncryptStream(key, { recordSize: 0 });
  } catch (error) {
    caught = error;
  }
  ok(caught instanceof RangeError);
  await rejects(encrypt(new Uint8Array(7), new Uint8Array(10)), RangeError);
});
