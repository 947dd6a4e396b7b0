/**
 * Encrypting a 5 MiB file with AES-GCM as a stream: the file is read in
 * whatever chunks the platform gives (short reads included), sealed in 64 KiB
 * records, written to disk, then decrypted the same way and compared. A
 * truncated copy is refused. Memory stays at a few records whatever the
 * file's size.
 *
 *   deno run --allow-read --allow-write=/tmp examples/crypto_file_encryption.ts
 */
import { DecryptError, gcmDecryptStream, gcmEncryptStream } from "@cosocket/crypto";

const dir = await Deno.makeTempDir({ prefix: "cosocket_gcm_" });
try {
  const plainFile = `${dir}/data.bin`;
  const sealedFile = `${dir}/data.bin.csg1`;
  const data = new Uint8Array(5 * 1024 * 1024);
  for (let i = 0; i < data.length; i += 65536) crypto.getRandomValues(data.subarray(i, i + 65536));
  await Deno.writeFile(plainFile, data);

  const key = crypto.getRandomValues(new Uint8Array(32));
  const input = await Deno.open(plainFile);
  await input.readable
    .pipeThrough(gcmEncryptStream(key))
    .pipeTo((await Deno.open(sealedFile, { write: true, create: true })).writable);
  const sealedSize = (await Deno.stat(sealedFile)).size;
  console.log(`sealed ${data.length} bytes into ${sealedSize} (header + 16-byte tag per record)`);

  const sealed = await Deno.open(sealedFile);
  const plain = new Uint8Array(
    await new Response(sealed.readable.pipeThrough(gcmDecryptStream(key))).arrayBuffer(),
  );
  console.log(
    "decrypted intact:",
    plain.length === data.length && plain.every((b, i) => b === data[i]),
  );

  // Cut the sealed file after its first record: the stream notices.
  await Deno.truncate(sealedFile, 16 + 65536 + 16);
  try {
    const cut = await Deno.open(sealedFile);
    await new Response(cut.readable.pipeThrough(gcmDecryptStream(key))).arrayBuffer();
    console.log("truncation went unnoticed: this must not happen");
    Deno.exitCode = 1;
  } catch (error) {
    console.log("truncated copy refused:", error instanceof DecryptError, (error as Error).message);
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
