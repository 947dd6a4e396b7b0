// Raw WebSocket frames for the conformance tests: built bit by bit (any flags, opcode, mask
// and length encoding, also non-minimal and lying lengths), parsed and checked, and the raw
// side's permessage-deflate codec. Independent of the code under test.
import { equal, ok } from "node:assert/strict";
import { createDeflateRaw, createInflateRaw, deflateRawSync, inflateRawSync } from "node:zlib";
import { constants as zlibConstants } from "node:zlib";
import { hex, Prng } from "../_shared.ts";

/** RFC 6455 opcodes. */
export const OP = {
  continuation: 0x0,
  text: 0x1,
  binary: 0x2,
  close: 0x8,
  ping: 0x9,
  pong: 0xa,
} as const;

/** The GUID of RFC 6455 §1.3, for Sec-WebSocket-Accept. */
export const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
export const encoder = new TextEncoder();
const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** UTF-8 bytes of a string, or the bytes themselves. */
export function toBytes(data: string | Uint8Array | readonly number[]): Uint8Array {
  if (typeof data === "string") return encoder.encode(data);
  if (data instanceof Uint8Array) return data;
  return Uint8Array.from(data);
}

/** Concatenates byte arrays. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export { hex, Prng };

/** Whether `data` is well-formed UTF-8 (surrogates, overlongs and > U+10FFFF rejected). */
export function isUtf8(data: Uint8Array): boolean {
  try {
    strictDecoder.decode(data);
    return true;
  } catch {
    return false;
  }
}

/** `length` deterministic bytes (shared seed family with the fuzz tests). */
export function patternBytes(length: number, seed = 7): Uint8Array {
  return new Prng(seed).bytes(length);
}

/** Valid UTF-8 text of exactly `length` bytes mixing 1-, 2-, 3- and 4-byte characters. */
export function utf8Text(length: number, seed = 3): string {
  const prng = new Prng(seed);
  const pieces = ["a", "Z", " ", "é", "ß", "€", "中", "😀", "\u{10FFFD}", "\uFFFF"];
  let text = "";
  let size = 0;
  while (size < length) {
    const piece = prng.pick(pieces);
    const width = encoder.encode(piece).length;
    if (size + width > length) {
      text += "x".repeat(length - size);
      break;
    }
    text += piece;
    size += width;
  }
  return text;
}

/** Masks (or unmasks) `data` in place with `key`, starting at key position `offset`. */
export function applyMask(data: Uint8Array, key: Uint8Array, offset = 0): Uint8Array {
  for (let i = 0; i < data.length; i++) data[i]! ^= key[(i + offset) & 3]!;
  return data;
}

/** A frame to build. Every field may break a rule on purpose. */
export interface FrameSpec {
  /** 4-bit opcode, any value 0–15. */
  opcode: number;
  /** Payload (before masking). @default empty */
  payload?: Uint8Array | string;
  /** @default true */
  fin?: boolean;
  rsv1?: boolean;
  rsv2?: boolean;
  rsv3?: boolean;
  /** true: a random key, a key: that key, false: unmasked. @default the sender role's rule */
  mask?: boolean | Uint8Array;
  /** Width of the extended length: 0 (7-bit), 2 (16-bit) or 8 (64-bit). @default minimal */
  lengthBytes?: 0 | 2 | 8;
  /** The length to write in the header when it should lie. @default payload length */
  declaredLength?: number | bigint;
}

/** Encodes one frame; `defaultMask` applies when the spec does not say. */
export function encodeFrame(spec: FrameSpec, defaultMask: boolean): Uint8Array {
  const payload = toBytes(spec.payload ?? new Uint8Array(0));
  const length = spec.declaredLength ?? payload.length;
  const width = spec.lengthBytes ??
    (payload.length < 126 ? 0 : payload.length < 0x10000 ? 2 : 8);
  const maskSpec = spec.mask ?? defaultMask;
  const key = maskSpec === true
    ? crypto.getRandomValues(new Uint8Array(4))
    : maskSpec === false
    ? null
    : maskSpec;
  const headerLength = 2 + width + (key === null ? 0 : 4);
  const frame = new Uint8Array(headerLength + payload.length);
  frame[0] = (spec.fin ?? true ? 0x80 : 0) | (spec.rsv1 ? 0x40 : 0) | (spec.rsv2 ? 0x20 : 0) |
    (spec.rsv3 ? 0x10 : 0) | (spec.opcode & 0x0f);
  const view = new DataView(frame.buffer);
  if (width === 0) {
    if (Number(length) > 125) throw new RangeError("Cannot encode length: more than 125 in 7 bits");
    frame[1] = Number(length);
  } else if (width === 2) {
    frame[1] = 126;
    view.setUint16(2, Number(length));
  } else {
    frame[1] = 127;
    view.setBigUint64(2, BigInt(length));
  }
  if (key !== null) {
    frame[1]! |= 0x80;
    frame.set(key, 2 + width);
  }
  frame.set(payload, headerLength);
  if (key !== null) applyMask(frame.subarray(headerLength), key);
  return frame;
}

/** A close frame payload: 2-byte code and a reason. */
export function closePayload(code: number, reason: string | Uint8Array = ""): Uint8Array {
  const reasonBytes = toBytes(reason);
  const payload = new Uint8Array(2 + reasonBytes.length);
  new DataView(payload.buffer).setUint16(0, code);
  payload.set(reasonBytes, 2);
  return payload;
}

/** A parsed frame (payload unmasked). */
export interface Frame {
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  opcode: number;
  masked: boolean;
  /** Width of the extended length field: 0, 2 or 8. */
  lengthBytes: 0 | 2 | 8;
  payload: Uint8Array;
  /** The first header bytes, for failure messages. */
  header: Uint8Array;
}

/** A FIFO of byte chunks that copies only when a caller takes bytes. */
export class ByteQueue {
  #chunks: Uint8Array[] = [];
  #length = 0;
  get length(): number {
    return this.#length;
  }
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#length += chunk.length;
  }
  /** The first `n` bytes (copied only when they span chunks), without removing them. */
  peek(n: number): Uint8Array {
    const first = this.#chunks[0];
    if (first !== undefined && first.length >= n) return first.subarray(0, n);
    const out = new Uint8Array(n);
    let offset = 0;
    for (const chunk of this.#chunks) {
      if (offset >= n) break;
      const part = chunk.subarray(0, n - offset);
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }
  /** Removes and returns the first `n` bytes. */
  take(n: number): Uint8Array {
    const out = n === 0 ? new Uint8Array(0) : this.peek(n).slice();
    let left = n;
    while (left > 0) {
      const chunk = this.#chunks[0]!;
      if (chunk.length <= left) {
        this.#chunks.shift();
        left -= chunk.length;
      } else {
        this.#chunks[0] = chunk.subarray(left);
        left = 0;
      }
    }
    this.#length -= n;
    return out;
  }
  /** Removes and returns everything. */
  takeAll(): Uint8Array {
    return this.take(this.#length);
  }
}

/** Parses one frame from the front of `queue`, or returns null when it is not complete. */
export function parseFrame(queue: ByteQueue): Frame | null {
  if (queue.length < 2) return null;
  const start = queue.peek(2);
  const masked = (start[1]! & 0x80) !== 0;
  const code = start[1]! & 0x7f;
  const lengthBytes = code === 126 ? 2 : code === 127 ? 8 : 0;
  const headerLength = 2 + lengthBytes + (masked ? 4 : 0);
  if (queue.length < headerLength) return null;
  const header = queue.peek(headerLength);
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const length = lengthBytes === 0
    ? code
    : lengthBytes === 2
    ? view.getUint16(2)
    : Number(view.getBigUint64(2));
  if (queue.length < headerLength + length) return null;
  const head = queue.take(headerLength);
  const payload = queue.take(length);
  if (masked) applyMask(payload, head.subarray(2 + lengthBytes, 6 + lengthBytes));
  return {
    fin: (head[0]! & 0x80) !== 0,
    rsv1: (head[0]! & 0x40) !== 0,
    rsv2: (head[0]! & 0x20) !== 0,
    rsv3: (head[0]! & 0x10) !== 0,
    opcode: head[0]! & 0x0f,
    masked,
    lengthBytes,
    payload,
    header: head,
  };
}

/** Close codes an endpoint may send (RFC 6455 7.4.1/7.4.2 and the IANA registry). */
export function isSendableCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
    (code >= 3000 && code <= 4999);
}

/** A close frame as received: code (1005 when absent) and reason. */
export interface CloseInfo {
  code: number;
  reason: string;
}

/** Parameters of a negotiated permessage-deflate on the raw side. */
export interface RawDeflateParams {
  /** Window bits the raw side compresses with (8–15; 8 means Huffman coding only). */
  sendWindowBits: number;
  /** Whether the raw side keeps its compression context between messages. */
  sendContextTakeover: boolean;
  /** Window bits our side promised to compress with (checked with Python's zlib). */
  receiveWindowBits: number;
  /** Whether our side may keep its compression context between messages. */
  receiveContextTakeover: boolean;
}

const TAIL = new Uint8Array([0x00, 0x00, 0xff, 0xff]);

type ZlibStream = ReturnType<typeof createDeflateRaw> | ReturnType<typeof createInflateRaw>;

/** A persistent zlib stream driven per message with Z_SYNC_FLUSH. */
class FlushingStream {
  #stream: ZlibStream;
  #chunks: Uint8Array[] = [];
  #error: Error | null = null;
  constructor(stream: ZlibStream) {
    this.#stream = stream;
    stream.on("data", (chunk: Uint8Array) => this.#chunks.push(chunk));
    stream.on("error", (error: Error) => this.#error = error);
  }
  async process(data: Uint8Array): Promise<Uint8Array> {
    if (data.length > 0) this.#stream.write(data);
    await new Promise<void>((resolve) =>
      this.#stream.flush(zlibConstants.Z_SYNC_FLUSH, () => resolve())
    );
    if (this.#error !== null) throw this.#error;
    const out = concat(this.#chunks);
    this.#chunks = [];
    return out;
  }
  close(): void {
    this.#stream.close();
  }
}

/** The raw side's permessage-deflate codec. */
export class RawDeflate {
  readonly params: RawDeflateParams;
  #deflater: FlushingStream | null = null;
  #inflater: FlushingStream | null = null;
  /** Compressed payloads our side sent, for the window check. */
  readonly received: Uint8Array[] = [];
  constructor(params: RawDeflateParams) {
    this.params = params;
  }
  // zlib has no 256-byte window: 8 bits is honoured with Huffman coding only (no matches).
  #zlibOptions(): { windowBits: number; strategy: number } {
    const bits = this.params.sendWindowBits;
    return {
      windowBits: Math.max(9, bits),
      strategy: bits === 8 ? zlibConstants.Z_HUFFMAN_ONLY : zlibConstants.Z_DEFAULT_STRATEGY,
    };
  }
  /** Compresses one message (the trailing 00 00 ff ff removed). */
  async compress(data: Uint8Array): Promise<Uint8Array> {
    let out: Uint8Array;
    if (this.params.sendContextTakeover) {
      this.#deflater ??= new FlushingStream(createDeflateRaw(this.#zlibOptions()));
      out = await this.#deflater.process(data);
    } else {
      out = deflateRawSync(data, {
        ...this.#zlibOptions(),
        finishFlush: zlibConstants.Z_SYNC_FLUSH,
      });
    }
    // zlib emits nothing when flushing again with no input; RFC 7692 7.2.1 wants an empty
    // stored block there, which is 0x00 once its 00 00 ff ff tail is removed.
    if (out.length === 0) return Uint8Array.of(0);
    ok(equalBytes(out.subarray(out.length - 4), TAIL), "deflate output ends with 00 00 ff ff");
    return out.slice(0, out.length - 4);
  }
  /** Inflates one message our side sent. */
  async decompress(data: Uint8Array): Promise<Uint8Array> {
    this.received.push(data);
    const input = concat([data, TAIL]);
    if (this.params.receiveContextTakeover) {
      this.#inflater ??= new FlushingStream(createInflateRaw({ windowBits: 15 }));
      return await this.#inflater.process(input);
    }
    return inflateRawSync(input, { windowBits: 15, finishFlush: zlibConstants.Z_SYNC_FLUSH });
  }
  /**
   * Checks with real zlib (Python's; Deno's inflate ignores windowBits) that every message our
   * side sent inflates with the promised window size and context rule. zlib inflates 8 as 9,
   * so a promised 256-byte window is only checked against 512 bytes.
   */
  async checkWindow(): Promise<void> {
    if (this.received.length === 0) return;
    const script = [
      "import sys, zlib, base64",
      "bits, takeover = int(sys.argv[1]), sys.argv[2] == '1'",
      "d = zlib.decompressobj(-bits)",
      "for i, line in enumerate(sys.stdin):",
      "    if not takeover: d = zlib.decompressobj(-bits)",
      "    try: d.decompress(base64.b64decode(line) + b'\\x00\\x00\\xff\\xff')",
      "    except zlib.error as e: print(f'message {i}: {e}'); sys.exit(1)",
    ].join("\n");
    const child = new Deno.Command("/usr/bin/python3", {
      args: [
        "-c",
        script,
        String(Math.max(9, this.params.receiveWindowBits)),
        this.params.receiveContextTakeover ? "1" : "0",
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(encoder.encode(this.received.map((m) => m.toBase64()).join("\n") + "\n"));
    await writer.close();
    const { code, stdout, stderr } = await child.output();
    const text = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
    equal(
      code,
      0,
      `our side's compressed messages exceed window bits ${this.params.receiveWindowBits}` +
        ` (context takeover ${this.params.receiveContextTakeover}): ${text}`,
    );
  }
  close(): void {
    this.#deflater?.close();
    this.#inflater?.close();
  }
}

/** Byte equality. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Code and reason of a close payload (1005 when empty). */
export function parseClose(payload: Uint8Array): CloseInfo {
  if (payload.length < 2) return { code: 1005, reason: "" };
  return {
    code: (payload[0]! << 8) | payload[1]!,
    reason: new TextDecoder().decode(payload.subarray(2)),
  };
}

/** A close payload for failure messages. */
export function describeClose(payload: Uint8Array): string {
  const { code, reason } = parseClose(payload);
  return `${code} "${reason}"`;
}

/** Splits `data` into `n`-byte pieces. */
export function pieces(data: Uint8Array, n: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < data.length; i += n) out.push(data.subarray(i, i + n));
  if (out.length === 0) out.push(data);
  return out;
}

/** Frames of one fragmented message. */
export function fragments(opcode: number, parts: readonly Uint8Array[]): FrameSpec[] {
  return parts.map((payload, i) => ({
    opcode: i === 0 ? opcode : OP.continuation,
    payload,
    fin: i === parts.length - 1,
  }));
}
