// PKCS#7 padding for 16-byte blocks. Unpadding runs without data-dependent branches.
import { DecryptError } from "./decrypt_error.ts";

export function pad(data: Uint8Array): Uint8Array<ArrayBuffer> {
  const n = 16 - (data.length % 16);
  const out = new Uint8Array(data.length + n);
  out.set(data);
  out.fill(n, data.length);
  return out;
}

export function unpad(data: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const len = data.length;
  if (len === 0 || len % 16 !== 0) throw new DecryptError();
  const n = data[len - 1]!;
  // bad != 0 when n == 0 or n > 16
  let bad = ((n - 1) >>> 8) | ((16 - n) >>> 31);
  for (let i = 0; i < 16; i++) {
    const inPad = (i - n) >>> 31; // 1 when i < n
    const differs = ((data[len - 1 - i]! ^ n) + 255) >>> 8; // 1 when the byte is not n
    bad |= inPad & differs;
  }
  if (bad !== 0) throw new DecryptError();
  return data.subarray(0, len - n);
}
