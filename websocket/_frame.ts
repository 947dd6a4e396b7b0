/**
 * RFC 6455 framing: opcodes, masking, and the builder of outgoing frames.
 *
 * @module
 */
import { Slab } from "./_slab.ts";

export const OP_CONTINUATION = 0x0;
export const OP_TEXT = 0x1;
export const OP_BINARY = 0x2;
export const OP_CLOSE = 0x8;
export const OP_PING = 0x9;
export const OP_PONG = 0xa;

/** Control frames carry at most this many payload bytes (§5.5). */
export const MAX_CONTROL_PAYLOAD = 125;

const MASK_POOL = 4096;
const NO_PAYLOAD = new Uint8Array(0);
const encoder = new TextEncoder();

/**
 * Whether a close code may appear in a close frame on the wire (§7.4):
 * 1000–1003, 1007–1014 and the registered/private ranges 3000–4999.
 */
export function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
    (code >= 3000 && code <= 4999);
}

/**
 * The payload of a close frame: the code and a UTF-8 reason.
 *
 * @throws {RangeError} For a code that may not be sent, or a reason that is
 * longer than 123 bytes or has no code.
 */
export function closePayload(code: number | undefined, reason: string): Uint8Array {
  if (code === undefined) {
    if (reason !== "") throw new RangeError("Cannot close: a reason needs a close code");
    return NO_PAYLOAD;
  }
  if (!isValidCloseCode(code)) throw new RangeError(`Cannot close: invalid close code ${code}`);
  const text = encoder.encode(reason);
  if (text.length > 123) {
    throw new RangeError(`Cannot close: reason of ${text.length} bytes exceeds 123`);
  }
  const payload = new Uint8Array(2 + text.length);
  payload[0] = code >>> 8;
  payload[1] = code & 0xff;
  payload.set(text, 2);
  return payload;
}

/**
 * XORs `data[start, end)` in place with the masking key, starting at key
 * position `phase` (the count of payload bytes already unmasked).
 *
 * Works on 32-bit words over the aligned middle: a payload is masked or
 * unmasked at memory speed rather than a byte at a time.
 */
export function mask(
  data: Uint8Array,
  key: number,
  phase: number,
  start = 0,
  end = data.length,
): void {
  let i = start;
  const length = end - start;
  if (length >= 32) {
    // Bytes up to a 4-byte boundary of the underlying buffer, one at a time.
    const misalignment = (data.byteOffset + i) & 3;
    const head = misalignment === 0 ? 0 : 4 - misalignment;
    for (const stop = i + head; i < stop; i++, phase++) {
      data[i]! ^= key >>> ((phase & 3) << 3);
    }
    // The key rotated so that word lanes line up with the current phase.
    const shift = (phase & 3) << 3;
    const word = shift === 0 ? key : (key >>> shift) | (key << (32 - shift));
    const words = (end - i) >>> 2;
    const view = new Uint32Array(data.buffer, data.byteOffset + i, words);
    for (let w = 0; w < words; w++) view[w]! ^= word;
    i += words << 2;
    phase += words << 2;
  }
  for (; i < end; i++, phase++) data[i]! ^= key >>> ((phase & 3) << 3);
}

/**
 * Copies a masked payload, `source[from, from + length)`, into `target`,
 * unmasked, in one pass (32-bit words when both sides are aligned).
 */
export function maskCopy(
  target: Uint8Array,
  source: Uint8Array,
  from: number,
  length: number,
  key: number,
): void {
  let i = 0;
  const start = source.byteOffset + from;
  if (length >= 32 && ((target.byteOffset | start) & 3) === 0) {
    const words = length >>> 2;
    const to = new Uint32Array(target.buffer, target.byteOffset, words);
    const fromWords = new Uint32Array(source.buffer, start, words);
    for (let w = 0; w < words; w++) to[w] = fromWords[w]! ^ key;
    i = words << 2;
  }
  for (; i < length; i++) target[i] = source[from + i]! ^ (key >>> ((i & 3) << 3));
}

/**
 * Builds outgoing frames into a per-connection {@linkcode Slab}: the socket
 * owns each frame until it is written, so a frame costs a copy but rarely
 * an allocation.
 */
export class FrameBuilder {
  readonly #masked: boolean;
  readonly #slab = new Slab();
  #keys: Uint32Array | null = null;
  #keyIndex = MASK_POOL;

  /** @param masked `true` for a client: every frame gets a fresh masking key. */
  constructor(masked: boolean) {
    this.#masked = masked;
  }

  /**
   * One frame: header, then `payload[start, end)` (masked for a client).
   *
   * @param first The first header byte: FIN, RSV bits and opcode.
   */
  frame(first: number, payload: Uint8Array, start = 0, end = payload.length): Uint8Array {
    const length = end - start;
    const size = headerSize(length, this.#masked) + length;
    const out = this.#slab.take(size);
    this.#write(out, 0, first, payload, start, end);
    return out;
  }

  /**
   * A whole message as consecutive frames of at most `fragmentSize` payload
   * bytes, in one buffer so one socket write sends them all.
   *
   * @param opcode `OP_TEXT` or `OP_BINARY`.
   * @param rsv1 Sets RSV1 on the first frame (a compressed message).
   */
  fragments(opcode: number, rsv1: boolean, payload: Uint8Array, fragmentSize: number): Uint8Array {
    const length = payload.length;
    const count = Math.max(1, Math.ceil(length / fragmentSize));
    let size = length;
    for (let i = 0; i < count; i++) {
      size += headerSize(Math.min(fragmentSize, length - i * fragmentSize), this.#masked);
    }
    const out = this.#slab.take(size);
    let at = 0;
    for (let i = 0; i < count; i++) {
      const start = i * fragmentSize;
      const end = Math.min(length, start + fragmentSize);
      const fin = i === count - 1 ? 0x80 : 0;
      const first = fin | (i === 0 ? opcode | (rsv1 ? 0x40 : 0) : OP_CONTINUATION);
      at = this.#write(out, at, first, payload, start, end);
    }
    return out;
  }

  /**
   * A frame around a payload that has room for the header right before it
   * in its buffer (a message just read, written back or on to others):
   * the header is written into that room and nothing is copied. Only for
   * unmasked frames, whose payload bytes stay as they are.
   *
   * @param room How many bytes before the payload are free for the header.
   * @returns The frame, or `null` when the room is too small.
   */
  frameInPlace(first: number, payload: Uint8Array, room: number): Uint8Array | null {
    const length = payload.length;
    const size = headerSize(length, false);
    if (this.#masked || size > room) return null;
    const out = new Uint8Array(payload.buffer, payload.byteOffset - size, size + length);
    this.#writeHeader(out, 0, first, length);
    return out;
  }

  /** Writes a frame header at `at`; returns the offset after it (the key goes there). */
  #writeHeader(out: Uint8Array, at: number, first: number, length: number): number {
    out[at++] = first;
    const maskBit = this.#masked ? 0x80 : 0;
    if (length < 126) {
      out[at++] = maskBit | length;
    } else if (length < 65536) {
      out[at++] = maskBit | 126;
      out[at++] = length >>> 8;
      out[at++] = length & 0xff;
    } else {
      out[at++] = maskBit | 127;
      const high = Math.floor(length / 0x100000000);
      out[at++] = 0;
      out[at++] = 0;
      out[at++] = (high >>> 8) & 0xff;
      out[at++] = high & 0xff;
      out[at++] = length >>> 24;
      out[at++] = (length >>> 16) & 0xff;
      out[at++] = (length >>> 8) & 0xff;
      out[at++] = length & 0xff;
    }
    return at;
  }

  #write(
    out: Uint8Array,
    at: number,
    first: number,
    payload: Uint8Array,
    start: number,
    end: number,
  ): number {
    const length = end - start;
    at = this.#writeHeader(out, at, first, length);
    if (!this.#masked) {
      if (length < 16) {
        for (let i = start; i < end; i++) out[at++] = payload[i]!;
        return at;
      }
      out.set(start === 0 && end === payload.length ? payload : payload.subarray(start, end), at);
      return at + length;
    }
    const key = this.#nextKey();
    out[at] = key & 0xff;
    out[at + 1] = (key >>> 8) & 0xff;
    out[at + 2] = (key >>> 16) & 0xff;
    out[at + 3] = key >>> 24;
    at += 4;
    if (length < 16) {
      for (let i = 0; i < length; i++) out[at + i] = payload[start + i]! ^ (key >>> ((i & 3) << 3));
    } else {
      out.set(payload.subarray(start, end), at);
      mask(out, key, 0, at, at + length);
    }
    return at + length;
  }

  /** Reuses the frame memory: every frame built so far has been written. */
  recycle(): void {
    this.#slab.reset();
  }

  /** A masking key from a pool of strong random words, refilled in bulk. */
  #nextKey(): number {
    if (this.#keyIndex === MASK_POOL) {
      this.#keys ??= new Uint32Array(MASK_POOL);
      crypto.getRandomValues(this.#keys);
      this.#keyIndex = 0;
    }
    return this.#keys![this.#keyIndex++]!;
  }
}

/** The size of a frame header for a payload of `length` bytes. */
export function headerSize(length: number, masked: boolean): number {
  const base = length < 126 ? 2 : length < 65536 ? 4 : 10;
  return masked ? base + 4 : base;
}
