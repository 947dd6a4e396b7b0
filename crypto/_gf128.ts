// GF(2^128) arithmetic in GCM's bit order (NIST SP 800-38D), on four big-endian 32-bit words.
// Only used a handful of times per GCM call (the bulk GHASH runs natively in WebCrypto).

/** A field element as four 32-bit words, word 0 holding bytes 0..3. */
export type Block = [number, number, number, number];

export const ZERO: Block = [0, 0, 0, 0];
/** The multiplicative identity (the polynomial 1 is the most significant bit in GCM order). */
export const ONE: Block = [0x80000000, 0, 0, 0];

export function toBlock(bytes: Uint8Array, offset = 0): Block {
  const v = new DataView(bytes.buffer, bytes.byteOffset + offset, 16);
  return [v.getUint32(0), v.getUint32(4), v.getUint32(8), v.getUint32(12)];
}

export function toBytes(b: Block): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(16);
  const v = new DataView(out.buffer);
  for (let i = 0; i < 4; i++) v.setUint32(i * 4, b[i]! >>> 0);
  return out;
}

export function xor(a: Block, b: Block): Block {
  return [(a[0] ^ b[0]) >>> 0, (a[1] ^ b[1]) >>> 0, (a[2] ^ b[2]) >>> 0, (a[3] ^ b[3]) >>> 0];
}

/** X·Y (SP 800-38D algorithm 1). */
export function mul(x: Block, y: Block): Block {
  let z0 = 0, z1 = 0, z2 = 0, z3 = 0;
  let v0 = y[0], v1 = y[1], v2 = y[2], v3 = y[3];
  for (let i = 0; i < 128; i++) {
    if ((x[i >>> 5]! >>> (31 - (i & 31))) & 1) {
      z0 ^= v0;
      z1 ^= v1;
      z2 ^= v2;
      z3 ^= v3;
    }
    const lsb = v3 & 1;
    v3 = (v3 >>> 1) | (v2 << 31);
    v2 = (v2 >>> 1) | (v1 << 31);
    v1 = (v1 >>> 1) | (v0 << 31);
    v0 = v0 >>> 1;
    if (lsb) v0 ^= 0xe1000000;
  }
  return [z0 >>> 0, z1 >>> 0, z2 >>> 0, z3 >>> 0];
}

/** x^n by square-and-multiply; n is a non-negative integer below 2^53. */
export function pow(x: Block, n: number): Block {
  let result = ONE;
  let base = x;
  while (n > 0) {
    if (n % 2 === 1) result = mul(result, base);
    n = Math.floor(n / 2);
    if (n > 0) base = mul(base, base);
  }
  return result;
}

function reverse32(v: number): number {
  v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >>> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4);
  v = ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8);
  return ((v >>> 16) | (v << 16)) >>> 0;
}

/** Degree of a polynomial held in little-endian 32-bit words (-1 for zero). */
function degree(a: Uint32Array): number {
  for (let w = a.length - 1; w >= 0; w--) {
    if (a[w] !== 0) return w * 32 + 31 - Math.clz32(a[w]!);
  }
  return -1;
}

/** dst ^= src · x^shift, on little-endian word polynomials of equal length. */
function xorShifted(dst: Uint32Array, src: Uint32Array, shift: number): void {
  const words = shift >>> 5;
  const bits = shift & 31;
  for (let i = dst.length - 1; i >= words; i--) {
    let v = src[i - words]! << bits;
    if (bits !== 0 && i - words - 1 >= 0) v |= src[i - words - 1]! >>> (32 - bits);
    dst[i]! ^= v;
  }
}

/**
 * x^-1 by the extended Euclidean algorithm on GF(2)[x] modulo x^128 + x^7 + x^2 + x + 1
 * (about a hundred times faster than exponentiation to 2^128 - 2). Zero maps to zero.
 */
export function inverse(x: Block): Block {
  // GCM's bit order: bit i of the block (from the top of word 0) is the coefficient of x^i
  let u = new Uint32Array([reverse32(x[0]), reverse32(x[1]), reverse32(x[2]), reverse32(x[3]), 0]);
  if (degree(u) < 0) return ZERO;
  let v = new Uint32Array([0x87, 0, 0, 0, 1]);
  let g1 = new Uint32Array([1, 0, 0, 0, 0]);
  let g2 = new Uint32Array(5);
  for (let du = degree(u); du > 0; du = degree(u)) {
    let j = du - degree(v);
    if (j < 0) {
      const t = u;
      u = v;
      v = t;
      const g = g1;
      g1 = g2;
      g2 = g;
      j = -j;
    }
    xorShifted(u, v, j);
    xorShifted(g1, g2, j);
  }
  return [reverse32(g1[0]!), reverse32(g1[1]!), reverse32(g1[2]!), reverse32(g1[3]!)];
}

/** The GCM length block [len(A)]64 || [len(C)]64, from byte lengths. */
export function lengthBlock(aadBytes: number, textBytes: number): Block {
  const a = aadBytes * 8;
  const c = textBytes * 8;
  return [Math.floor(a / 2 ** 32) >>> 0, a >>> 0, Math.floor(c / 2 ** 32) >>> 0, c >>> 0];
}

/** GHASH in plain JavaScript, for short inputs only (the J0 of IVs that are not 96 bits). */
export function ghash(h: Block, data: Uint8Array): Block {
  let x = ZERO;
  for (let i = 0; i < data.length; i += 16) {
    const block = new Uint8Array(16);
    block.set(data.subarray(i, i + 16));
    x = mul(xor(x, toBlock(block)), h);
  }
  return x;
}
