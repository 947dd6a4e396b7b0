import { DecryptError } from "./decrypt_error.ts";

/**
 * Options of {@linkcode gcmEncryptStream} and {@linkcode gcmDecryptStream}.
 */
export interface GcmStreamOptions {
  /**
   * Plaintext bytes per record (encryption only; the decryptor reads it from
   * the header). Input chunks of any size are gathered into records of this
   * size; only the last record is shorter.
   *
   * @default {65536}
   */
  recordSize?: number;
  /**
   * The largest record size the decryptor accepts from a header, so that a
   * forged header cannot make it buffer without bound.
   *
   * @default {16777216}
   */
  maxRecordSize?: number;
}

const MAGIC = [0x43, 0x53, 0x47, 0x31]; // "CSG1"
/**
 * The length of an encrypted stream's header: magic "CSG1" (4 bytes),
 * record size (4, big-endian), nonce prefix (8).
 *
 * @example
 * ```ts
 * import { GCM_STREAM_HEADER_LENGTH } from "@cosocket/crypto";
 *
 * console.log(GCM_STREAM_HEADER_LENGTH); // 16
 * ```
 */
export const GCM_STREAM_HEADER_LENGTH = 16;
const TAG_LENGTH = 16;
const DEFAULT_RECORD_SIZE = 65536;
const MAX_RECORDS = 2 ** 32 - 1;

async function importGcmKey(key: Uint8Array | CryptoKey): Promise<CryptoKey> {
  if (!(key instanceof Uint8Array)) return key;
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
    throw new RangeError(`Cannot use key: AES keys are 16, 24 or 32 bytes, got ${key.length}`);
  }
  return await crypto.subtle.importKey("raw", key.slice(), "AES-GCM", false, [
    "encrypt",
    "decrypt",
  ]);
}

/** The 12-byte nonce of record `index`: the header's 8-byte prefix and the index. */
function nonce(prefix: Uint8Array, index: number): Uint8Array<ArrayBuffer> {
  const iv = new Uint8Array(12);
  iv.set(prefix);
  new DataView(iv.buffer).setUint32(8, index);
  return iv;
}

/** The additional data of a record: the whole header, then 1 for the last record, 0 before. */
function additionalData(header: Uint8Array, last: boolean): Uint8Array<ArrayBuffer> {
  const aad = new Uint8Array(header.length + 1);
  aad.set(header);
  aad[header.length] = last ? 1 : 0;
  return aad;
}

/** Gathers chunks of any size and hands out exact-size pieces. */
class Gather {
  #chunks: Uint8Array[] = [];
  length = 0;

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.length += chunk.length;
  }

  take(size: number): Uint8Array<ArrayBuffer> {
    const out = new Uint8Array(size);
    let at = 0;
    while (at < size) {
      const chunk = this.#chunks[0]!;
      const n = Math.min(chunk.length, size - at);
      out.set(chunk.subarray(0, n), at);
      at += n;
      if (n === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(n);
    }
    this.length -= size;
    return out;
  }
}

/**
 * Encrypts a stream of any length with AES-GCM, in records, for files and
 * other data too large to hold at once. Input chunks may have any size
 * (short reads included). The output is a 16-byte header followed by
 * records; each record is the AES-GCM encryption of up to `recordSize`
 * plaintext bytes followed by its 16-byte tag:
 *
 * - header: `"CSG1"`, the record size (4 bytes, big-endian), an 8-byte
 *   random nonce prefix;
 * - record `i`: nonce = prefix ‖ `i` (4 bytes, big-endian); additional
 *   data = the header ‖ one byte, `1` for the last record and `0` before it.
 *
 * Every record is authenticated with its position and with whether it is the
 * last one, so reordered, dropped, duplicated or truncated records, and a
 * stream cut after any record, all fail to decrypt. The last record may be
 * empty. A key may encrypt up to 2^32 records per stream and, with random
 * prefixes, about 2^32 streams (the usual GCM nonce budget).
 *
 * @param key An AES key: 16, 24 or 32 raw bytes, or an AES-GCM `CryptoKey`.
 * @param options The record size.
 * @returns A `TransformStream` from plaintext to the framed ciphertext.
 * @throws {RangeError} For a key of the wrong size or a record size outside
 * 1..16 MiB (when the stream starts).
 *
 * @example Encrypt and decrypt a stream made of odd-sized chunks
 * ```ts
 * import { gcmDecryptStream, gcmEncryptStream } from "@cosocket/crypto";
 *
 * const key = crypto.getRandomValues(new Uint8Array(32));
 * const chunks = [new Uint8Array(5).fill(1), new Uint8Array(70_000).fill(2), new Uint8Array(3)];
 * const encrypted = ReadableStream.from(chunks)
 *   .pipeThrough(gcmEncryptStream(key, { recordSize: 4096 }));
 * const decrypted = encrypted.pipeThrough(gcmDecryptStream(key));
 * const plain = new Uint8Array(await new Response(decrypted).arrayBuffer());
 * console.log(plain.length); // 70008
 * ```
 */
export function gcmEncryptStream(
  key: Uint8Array | CryptoKey,
  options?: GcmStreamOptions,
): TransformStream<Uint8Array, Uint8Array> {
  const recordSize = options?.recordSize ?? DEFAULT_RECORD_SIZE;
  if (!Number.isInteger(recordSize) || recordSize < 1 || recordSize > 16 * 1024 * 1024) {
    throw new RangeError(
      `Cannot encrypt stream: recordSize must be 1..16777216, got ${recordSize}`,
    );
  }
  const header = new Uint8Array(GCM_STREAM_HEADER_LENGTH);
  header.set(MAGIC);
  new DataView(header.buffer).setUint32(4, recordSize);
  crypto.getRandomValues(header.subarray(8));
  const prefix = header.slice(8);
  const pending = new Gather();
  let cryptoKey: CryptoKey;
  let index = 0;
  const seal = async (plain: Uint8Array<ArrayBuffer>, last: boolean) => {
    if (index > MAX_RECORDS) throw new RangeError("Cannot encrypt stream: too many records");
    const sealed = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv: nonce(prefix, index++), additionalData: additionalData(header, last) },
      cryptoKey,
      plain,
    );
    return new Uint8Array(sealed);
  };
  return new TransformStream({
    async start(controller) {
      cryptoKey = await importGcmKey(key);
      controller.enqueue(header.slice());
    },
    async transform(chunk, controller) {
      pending.push(chunk);
      // Keep at least one byte back: the last record must be sealed as last.
      while (pending.length > recordSize) {
        controller.enqueue(await seal(pending.take(recordSize), false));
      }
    },
    async flush(controller) {
      controller.enqueue(await seal(pending.take(pending.length), true));
    },
  });
}

/**
 * Decrypts what {@linkcode gcmEncryptStream} produced, in chunks of any
 * size. Each record's plaintext is released only after its tag checked out;
 * the last record is recognised by its authenticated "last" flag, so a
 * stream that was cut short, reordered or tampered with fails with a
 * `DecryptError` (after the records before the damage were released, as with
 * any streaming decryption: a consumer that must not act on partial data
 * waits for the stream to end without error).
 *
 * @param key The key the stream was encrypted with.
 * @param options The largest record size to accept.
 * @returns A `TransformStream` from the framed ciphertext to plaintext.
 * @throws {DecryptError} (through the stream) For a bad header, a record that
 * does not authenticate, or a stream that ends before its last record.
 *
 * @example Decrypting a file written by gcmEncryptStream
 * ```ts
 * import { gcmDecryptStream, gcmEncryptStream } from "@cosocket/crypto";
 *
 * const key = crypto.getRandomValues(new Uint8Array(16));
 * const file = await Deno.makeTempFile();
 * const text = "secret ".repeat(10_000);
 * await ReadableStream.from([new TextEncoder().encode(text)])
 *   .pipeThrough(gcmEncryptStream(key))
 *   .pipeTo((await Deno.open(file, { write: true })).writable);
 * const input = await Deno.open(file);
 * const plain = input.readable.pipeThrough(gcmDecryptStream(key));
 * console.log((await new Response(plain).text()) === text); // true
 * await Deno.remove(file);
 * ```
 */
export function gcmDecryptStream(
  key: Uint8Array | CryptoKey,
  options?: GcmStreamOptions,
): TransformStream<Uint8Array, Uint8Array> {
  const maxRecordSize = options?.maxRecordSize ?? 16 * 1024 * 1024;
  const pending = new Gather();
  let cryptoKey: CryptoKey;
  let header: Uint8Array | null = null;
  let prefix: Uint8Array = new Uint8Array(0);
  let recordLength = 0;
  let index = 0;
  const open = async (record: Uint8Array<ArrayBuffer>, last: boolean) => {
    try {
      const plain = await crypto.subtle.decrypt(
        {
          name: "AES-GCM",
          iv: nonce(prefix, index++),
          additionalData: additionalData(header!, last),
        },
        cryptoKey,
        record,
      );
      return new Uint8Array(plain);
    } catch {
      throw new DecryptError(
        "decrypt",
        last
          ? "Cannot decrypt stream: the last record is not authentic (truncated or tampered with)"
          : `Cannot decrypt stream: record ${index - 1} is not authentic`,
      );
    }
  };
  const readHeader = () => {
    const bytes = pending.take(GCM_STREAM_HEADER_LENGTH);
    if (!MAGIC.every((b, i) => bytes[i] === b)) {
      throw new DecryptError("decrypt", "Cannot decrypt stream: not a CSG1 stream");
    }
    const recordSize = new DataView(bytes.buffer).getUint32(4);
    if (recordSize < 1 || recordSize > maxRecordSize) {
      throw new DecryptError(
        "decrypt",
        `Cannot decrypt stream: record size ${recordSize} exceeds maxRecordSize ${maxRecordSize}`,
      );
    }
    header = bytes;
    prefix = bytes.slice(8);
    recordLength = recordSize + TAG_LENGTH;
  };
  return new TransformStream({
    async start() {
      cryptoKey = await importGcmKey(key);
    },
    async transform(chunk, controller) {
      pending.push(chunk);
      if (header === null) {
        if (pending.length < GCM_STREAM_HEADER_LENGTH) return;
        readHeader();
      }
      // A full record is known not to be the last only once a byte follows it.
      while (pending.length > recordLength) {
        controller.enqueue(await open(pending.take(recordLength), false));
      }
    },
    async flush(controller) {
      if (header === null) {
        throw new DecryptError("decrypt", "Cannot decrypt stream: it ends inside the header");
      }
      if (pending.length < TAG_LENGTH) {
        throw new DecryptError("decrypt", "Cannot decrypt stream: it ends before its last record");
      }
      controller.enqueue(await open(pending.take(pending.length), true));
    },
  });
}
