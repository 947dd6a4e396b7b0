// Raw WebSocket peers for conformance tests: frames built bit by bit (any flags, opcode, mask
// and length encoding, also non-minimal and lying lengths), byte streams chopped down to
// 1-octet writes, a raw client that does the opening handshake over Deno.connect, a raw
// server over Deno.listen that answers our client, and a frame reader that checks every
// frame our side sends against RFC 6455 (masking direction, RSV bits, opcodes, control
// frame rules, minimal length encoding, close payloads). Independent of the code under test.
import { equal, fail, ok } from "node:assert/strict";
import { createDeflateRaw, createInflateRaw, deflateRawSync, inflateRawSync } from "node:zlib";
import { constants as zlibConstants } from "node:zlib";
import { hex, within } from "../_shared.ts";

/** RFC 6455 opcodes. */
export const OP = {
  continuation: 0x0,
  text: 0x1,
  binary: 0x2,
  close: 0x8,
  ping: 0x9,
  pong: 0xa,
} as const;

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const encoder = new TextEncoder();
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

export { hex };

/** Whether `data` is well-formed UTF-8 (surrogates, overlongs and > U+10FFFF rejected). */
export function isUtf8(data: Uint8Array): boolean {
  try {
    strictDecoder.decode(data);
    return true;
  } catch {
    return false;
  }
}

/** Deterministic xorshift32 generator (the algorithm of tests/socket/_helpers.ts). */
export class Prng {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0 || 1;
  }
  /** The next 32-bit unsigned value. */
  next(): number {
    let state = this.#state;
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    this.#state = state >>> 0;
    return this.#state;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return this.next() % n;
  }
  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() / 0x1_0000_0000 < p;
  }
  /** `length` pseudo-random bytes. */
  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.next() & 0xff;
    return out;
  }
  /** One element of `items`. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
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

/** Which end of the connection the raw peer plays. */
export type Role = "client" | "server";

/** A whole message our side sent, as the raw peer assembled it. */
export interface RawMessage {
  opcode: number;
  data: Uint8Array;
  frames: number;
  compressed: boolean;
  /** Control frames that arrived between its fragments. */
  controls: Frame[];
}

/** Options for {@linkcode RawPeer.next} and friends. */
export interface ReadOptions {
  /** @default 5000 ms */
  timeout?: number;
}

/**
 * One raw end of a WebSocket connection after the opening handshake. Writes frames as told
 * (masked by default when it is the client); reads and checks the frames our side sends.
 */
export class RawPeer implements AsyncDisposable {
  readonly role: Role;
  readonly conn: Deno.Conn;
  /** Response (client role) or request (server role) head of the opening handshake. */
  readonly head: HttpHead;
  deflate: RawDeflate | null = null;
  #queue = new ByteQueue();
  #pending: Promise<Uint8Array | null> | null = null;
  #eof = false;
  #readError: Error | null = null;
  #closed = false;
  #messageOpen: { opcode: number; compressed: boolean } | null = null;
  /** Set when a write failed because our side closed or reset the connection. */
  writeError: Error | null = null;

  constructor(conn: Deno.Conn, role: Role, head: HttpHead, leftover: Uint8Array) {
    this.conn = conn;
    this.role = role;
    this.head = head;
    this.#queue.push(leftover);
  }

  /** Encodes a frame with this role's default masking. */
  frame(spec: FrameSpec): Uint8Array {
    return encodeFrame(spec, this.role === "client");
  }

  /** Sends frames (specs are encoded with this role's masking) in one write. */
  async send(...frames: (FrameSpec | Uint8Array)[]): Promise<void> {
    await this.sendRaw(concat(frames.map((f) => f instanceof Uint8Array ? f : this.frame(f))));
  }

  /** Writes bytes as they are; a failure (our side closed) is recorded, not thrown. */
  async sendRaw(data: Uint8Array): Promise<void> {
    try {
      let offset = 0;
      while (offset < data.length) offset += await this.conn.write(data.subarray(offset));
    } catch (error) {
      this.writeError ??= error as Error;
    }
  }

  /** Writes `data` in chunks of `size` bytes with `delayMs` between them. */
  async sendChopped(data: Uint8Array, size: number, delayMs = 0): Promise<void> {
    for (let offset = 0; offset < data.length && this.writeError === null; offset += size) {
      await this.sendRaw(data.subarray(offset, offset + size));
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }

  text(data: string | Uint8Array, extra: Partial<FrameSpec> = {}): Promise<void> {
    return this.send({ opcode: OP.text, payload: data, ...extra });
  }
  binary(data: Uint8Array, extra: Partial<FrameSpec> = {}): Promise<void> {
    return this.send({ opcode: OP.binary, payload: data, ...extra });
  }
  ping(data: string | Uint8Array = "", extra: Partial<FrameSpec> = {}): Promise<void> {
    return this.send({ opcode: OP.ping, payload: data, ...extra });
  }
  sendClose(code?: number, reason: string | Uint8Array = ""): Promise<void> {
    const payload = code === undefined ? new Uint8Array(0) : closePayload(code, reason);
    return this.send({ opcode: OP.close, payload });
  }

  /** Sends one message compressed with the negotiated permessage-deflate, in `fragments`. */
  async sendCompressed(opcode: number, data: Uint8Array, fragments = 1): Promise<void> {
    ok(this.deflate !== null, "permessage-deflate was negotiated");
    const compressed = await this.deflate.compress(data);
    const size = Math.max(1, Math.ceil(compressed.length / fragments));
    const frames: FrameSpec[] = [];
    for (let i = 0; i < fragments; i++) {
      frames.push({
        opcode: i === 0 ? opcode : OP.continuation,
        payload: compressed.subarray(i * size, (i + 1) * size),
        fin: i === fragments - 1,
        rsv1: i === 0,
      });
    }
    await this.send(...frames);
  }

  /** Half-closes: our side reads end of stream. */
  async closeWrite(): Promise<void> {
    try {
      await this.conn.closeWrite();
    } catch {
      // Already closed or reset by our side: nothing left to half-close.
    }
  }

  #readChunk(timeout: number): Promise<Uint8Array | null> {
    if (this.#pending === null) {
      const buffer = new Uint8Array(256 * 1024);
      this.#pending = this.conn.read(buffer).then(
        (n) => n === null ? null : buffer.subarray(0, n),
        (error) => {
          this.#readError = error;
          return null;
        },
      );
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeout);
    });
    return Promise.race([this.#pending, expired]).then((result) => {
      clearTimeout(timer);
      if (result === "timeout") {
        throw new Error(`Timed out after ${timeout} ms waiting for our side (${this.role} peer)`);
      }
      this.#pending = null;
      return result;
    });
  }

  /** The next frame our side sent (checked against RFC 6455), or null at end of stream. */
  async next(options: ReadOptions = {}): Promise<Frame | null> {
    const timeout = options.timeout ?? 5000;
    while (true) {
      const frame = parseFrame(this.#queue);
      if (frame !== null) {
        this.#check(frame);
        return frame;
      }
      if (this.#eof) return null;
      const chunk = await this.#readChunk(timeout);
      if (chunk === null) {
        this.#eof = true;
        if (this.#queue.length > 0) {
          fail(`our side ended the stream inside a frame: ${hex(this.#queue.takeAll())}`);
        }
        return null;
      }
      this.#queue.push(chunk);
    }
  }

  /** Whether the connection ended by a reset rather than a clean end of stream. */
  get reset(): boolean {
    return this.#readError !== null;
  }

  #check(frame: Frame): void {
    const where = `frame from our ${this.role === "client" ? "server" : "client"} [${
      hex(frame.header, 14)
    }]`;
    // RFC 6455 5.1: a client masks every frame, a server never does.
    equal(frame.masked, this.role === "server", `${where}: masking bit wrong for its role`);
    ok(!frame.rsv2 && !frame.rsv3, `${where}: RSV2/RSV3 set`);
    ok([0, 1, 2, 8, 9, 10].includes(frame.opcode), `${where}: reserved opcode`);
    const minimal = frame.payload.length < 126 ? 0 : frame.payload.length < 0x10000 ? 2 : 8;
    equal(frame.lengthBytes, minimal, `${where}: length not minimally encoded (RFC 6455 5.2)`);
    if (frame.opcode >= 8) {
      ok(frame.fin, `${where}: fragmented control frame`);
      ok(frame.payload.length <= 125, `${where}: control frame payload over 125 bytes`);
      ok(!frame.rsv1, `${where}: RSV1 on a control frame`);
      if (frame.opcode === OP.close) this.#checkClose(frame, where);
      return;
    }
    if (frame.opcode === OP.continuation) {
      ok(this.#messageOpen !== null, `${where}: continuation without a message`);
      ok(!frame.rsv1, `${where}: RSV1 on a continuation frame`);
    } else {
      ok(this.#messageOpen === null, `${where}: new message before the previous one ended`);
      ok(!frame.rsv1 || this.deflate !== null, `${where}: RSV1 without permessage-deflate`);
      this.#messageOpen = { opcode: frame.opcode, compressed: frame.rsv1 };
    }
    if (frame.fin) this.#messageOpen = null;
  }

  #checkClose(frame: Frame, where: string): void {
    ok(frame.payload.length !== 1, `${where}: 1-byte close payload`);
    if (frame.payload.length >= 2) {
      const code = (frame.payload[0]! << 8) | frame.payload[1]!;
      ok(isSendableCloseCode(code), `${where}: close code ${code} may not be sent`);
      ok(isUtf8(frame.payload.subarray(2)), `${where}: close reason is not UTF-8`);
    }
  }

  /** Reads the next frame and requires it to be a data message (assembled, inflated). */
  async message(options: ReadOptions = {}): Promise<RawMessage> {
    const parts: Uint8Array[] = [];
    const controls: Frame[] = [];
    let first: Frame | null = null;
    while (true) {
      const frame = await this.next(options);
      if (frame === null) fail("expected a message, got end of stream");
      if (frame.opcode >= 8) {
        if (frame.opcode === OP.close) {
          fail(`expected a message, got close ${describeClose(frame.payload)}`);
        }
        controls.push(frame);
        continue;
      }
      first ??= frame;
      parts.push(frame.payload);
      if (frame.fin) break;
    }
    let data = concat(parts);
    if (first.rsv1) data = await this.deflate!.decompress(data);
    return { opcode: first.opcode, data, frames: parts.length, compressed: first.rsv1, controls };
  }

  /** Expects a message with exactly this type and content. */
  async expectMessage(
    opcode: number,
    data: Uint8Array | string,
    options: ReadOptions = {},
  ): Promise<RawMessage> {
    const message = await this.message(options);
    const expected = toBytes(data);
    equal(message.opcode, opcode, "message type");
    equal(message.data.length, expected.length, "message length");
    ok(equalBytes(message.data, expected), "message bytes echoed exactly");
    return message;
  }

  /** Expects the next frame to be a pong with this payload. */
  async expectPong(data: Uint8Array | string, options: ReadOptions = {}): Promise<void> {
    const frame = await this.next(options);
    ok(frame !== null, "expected a pong, got end of stream");
    equal(frame.opcode, OP.pong, `expected a pong, got opcode ${frame.opcode}`);
    ok(equalBytes(frame.payload, toBytes(data)), "pong payload equals the ping's");
  }

  /**
   * Expects the next frame to be a close with one of `codes` (1005 for an empty payload),
   * then end of stream (our side closes TCP). With `reply`, answers the close first.
   */
  async expectClose(
    codes: number | readonly number[],
    options: ReadOptions & { reply?: boolean; skipData?: boolean } = {},
  ): Promise<CloseInfo> {
    const wanted = typeof codes === "number" ? [codes] : codes;
    let frame = await this.next(options);
    while (frame !== null && options.skipData && frame.opcode < 8) {
      frame = await this.next(options);
    }
    if (frame === null) {
      fail(
        `expected a close frame ${wanted.join("/")}, got ${
          this.reset ? "a connection reset" : "end of stream"
        } without a close frame`,
      );
    }
    equal(frame.opcode, OP.close, `expected a close frame, got opcode ${frame.opcode}`);
    const info = parseClose(frame.payload);
    ok(
      wanted.includes(info.code),
      `expected close ${wanted.join("/")}, got ${info.code} "${info.reason}"`,
    );
    if (options.reply) await this.sendClose(info.code === 1005 ? undefined : info.code);
    await this.expectEnd(options);
    return info;
  }

  /** Expects our side to close TCP with nothing more sent. */
  async expectEnd(options: ReadOptions = {}): Promise<void> {
    const frame = await this.next(options);
    if (frame !== null) {
      fail(
        `expected end of stream, got opcode ${frame.opcode} (${frame.payload.length} bytes)` +
          (frame.opcode === OP.close ? ` close ${describeClose(frame.payload)}` : ""),
      );
    }
  }

  /** Sends a close, expects it echoed and the connection closed by our side. */
  async closeHandshake(code = 1000, reason = ""): Promise<void> {
    await this.sendClose(code, reason);
    const info = await this.expectClose(code);
    equal(info.code, code);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.deflate?.close();
    try {
      this.conn.close();
    } catch {
      // Already closed.
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await this.#pending;
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

function describeClose(payload: Uint8Array): string {
  const { code, reason } = parseClose(payload);
  return `${code} "${reason}"`;
}

/** A parsed HTTP head. */
export interface HttpHead {
  /** Request line or status line. */
  startLine: string;
  /** Lower-cased header names; repeated headers joined with ", ". */
  headers: Map<string, string>;
  raw: string;
}

/** Reads an HTTP head (up to CRLFCRLF); returns it and the bytes after it, or null on EOF. */
export async function readHead(
  conn: Deno.Conn,
  timeout = 5000,
  limit = 64 * 1024,
): Promise<{ head: HttpHead; leftover: Uint8Array } | null> {
  const buffer = new Uint8Array(limit);
  let length = 0;
  const deadline = Date.now() + timeout;
  while (true) {
    const text = new TextDecoder("latin1").decode(buffer.subarray(0, length));
    const end = text.indexOf("\r\n\r\n");
    if (end >= 0) {
      return {
        head: parseHead(text.slice(0, end)),
        leftover: buffer.slice(end + 4, length),
      };
    }
    if (length === limit) throw new Error("HTTP head too large");
    let timer: ReturnType<typeof setTimeout> | undefined;
    const n = await Promise.race([
      conn.read(buffer.subarray(length)).catch(() => null),
      new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), Math.max(1, deadline - Date.now()));
      }),
    ]);
    clearTimeout(timer);
    if (n === "timeout") throw new Error(`Timed out after ${timeout} ms waiting for an HTTP head`);
    if (n === null) return null;
    length += n;
  }
}

function parseHead(text: string): HttpHead {
  const [startLine = "", ...lines] = text.split("\r\n");
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
  }
  return { startLine, headers, raw: text };
}

/** Sec-WebSocket-Accept for a key. */
export async function acceptFor(key: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", encoder.encode(key + GUID));
  return new Uint8Array(digest).toBase64();
}

function hasToken(value: string | undefined, token: string): boolean {
  return (value ?? "").toLowerCase().split(",").some((part) => part.trim() === token);
}

/** Options of {@linkcode rawClient}. */
export interface RawClientOptions {
  path?: string;
  /** Sec-WebSocket-Extensions offer, e.g. "permessage-deflate; client_max_window_bits". */
  extensions?: string;
  /** Extra header lines. */
  headers?: Record<string, string>;
}

/** Connects to our server and performs the opening handshake; the raw peer plays the client. */
export async function rawClient(port: number, options: RawClientOptions = {}): Promise<RawPeer> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    conn.setNoDelay(true);
    const key = crypto.getRandomValues(new Uint8Array(16)).toBase64();
    const lines = [
      `GET ${options.path ?? "/"} HTTP/1.1`,
      `Host: 127.0.0.1:${port}`,
      "Upgrade: websocket",
      "Connection: Upgrade",
      `Sec-WebSocket-Key: ${key}`,
      "Sec-WebSocket-Version: 13",
    ];
    if (options.extensions !== undefined) {
      lines.push(`Sec-WebSocket-Extensions: ${options.extensions}`);
    }
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      lines.push(`${name}: ${value}`);
    }
    const request = encoder.encode(lines.join("\r\n") + "\r\n\r\n");
    let offset = 0;
    while (offset < request.length) offset += await conn.write(request.subarray(offset));
    const response = await readHead(conn);
    if (response === null) throw new Error("Our server closed the connection during the handshake");
    const { head, leftover } = response;
    const status = Number(head.startLine.split(" ")[1]);
    if (status !== 101) throw new Error(`Handshake refused: ${head.startLine}`);
    ok(hasToken(head.headers.get("upgrade"), "websocket"), "Upgrade: websocket in the 101");
    ok(hasToken(head.headers.get("connection"), "upgrade"), "Connection: upgrade in the 101");
    equal(head.headers.get("sec-websocket-accept"), await acceptFor(key), "Sec-WebSocket-Accept");
    return new RawPeer(conn, "client", head, leftover);
  } catch (error) {
    conn.close();
    throw error;
  }
}

/**
 * Sends raw handshake bytes to our server, half-closes, and returns the HTTP status it answered
 * (null when it dropped the connection without a response) and the response head.
 */
export async function rawHandshake(
  port: number,
  request: Uint8Array,
  timeout = 5000,
): Promise<{ status: number | null; head: HttpHead | null }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    try {
      let offset = 0;
      while (offset < request.length) offset += await conn.write(request.subarray(offset));
      await conn.closeWrite();
    } catch {
      // Our server may close before reading everything: its answer (if any) is still readable.
    }
    let response;
    try {
      response = await readHead(conn, timeout);
    } catch (error) {
      if ((error as Error).message.startsWith("Timed out")) throw error;
      response = null;
    }
    if (response === null) return { status: null, head: null };
    const status = Number(response.head.startLine.split(" ")[1]);
    return { status: Number.isInteger(status) ? status : NaN, head: response.head };
  } finally {
    conn.close();
  }
}

/** A validated opening handshake request from our client. */
export interface RawRequest {
  head: HttpHead;
  method: string;
  path: string;
  key: string;
}

/** How the raw server answers the opening handshake. */
export interface RawServerAnswer {
  /** Sec-WebSocket-Extensions of the 101. */
  extensions?: string;
  /** Sec-WebSocket-Protocol of the 101. */
  protocol?: string;
  /** Replace the whole response (bytes are written as they are). */
  raw?: Uint8Array;
}

/** A listener on 127.0.0.1 that answers our client's handshakes. */
export class RawServer implements AsyncDisposable {
  readonly listener: Deno.Listener<Deno.TcpConn, Deno.NetAddr>;
  constructor() {
    this.listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  }
  get port(): number {
    return this.listener.addr.port;
  }
  get url(): string {
    return `ws://127.0.0.1:${this.port}/`;
  }
  /** Accepts one connection, checks the request (RFC 6455 4.1) and answers 101. */
  async accept(
    answer: (request: RawRequest) => RawServerAnswer = () => ({}),
  ): Promise<RawPeer> {
    const conn = await this.listener.accept();
    try {
      conn.setNoDelay(true);
      const read = await readHead(conn);
      if (read === null) throw new Error("Our client closed before sending a request");
      const { head, leftover } = read;
      const [method = "", path = "", version = ""] = head.startLine.split(" ");
      equal(method, "GET", "request method");
      equal(version, "HTTP/1.1", "request version");
      ok(head.headers.has("host"), "Host header");
      ok(hasToken(head.headers.get("upgrade"), "websocket"), "Upgrade: websocket");
      ok(hasToken(head.headers.get("connection"), "upgrade"), "Connection: Upgrade");
      equal(head.headers.get("sec-websocket-version"), "13", "Sec-WebSocket-Version");
      const key = head.headers.get("sec-websocket-key") ?? "";
      equal(Uint8Array.fromBase64(key).length, 16, "Sec-WebSocket-Key is 16 bytes");
      const request = { head, method, path, key };
      const reply = answer(request);
      let response = reply.raw;
      if (response === undefined) {
        const lines = [
          "HTTP/1.1 101 Switching Protocols",
          "Upgrade: websocket",
          "Connection: Upgrade",
          `Sec-WebSocket-Accept: ${await acceptFor(key)}`,
        ];
        if (reply.extensions !== undefined) {
          lines.push(`Sec-WebSocket-Extensions: ${reply.extensions}`);
        }
        if (reply.protocol !== undefined) lines.push(`Sec-WebSocket-Protocol: ${reply.protocol}`);
        response = encoder.encode(lines.join("\r\n") + "\r\n\r\n");
      }
      let offset = 0;
      while (offset < response.length) offset += await conn.write(response.subarray(offset));
      return new RawPeer(conn, "server", head, leftover);
    } catch (error) {
      conn.close();
      throw error;
    }
  }
  close(): void {
    try {
      this.listener.close();
    } catch {
      // Already closed.
    }
  }
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }
}

/** Parses a Sec-WebSocket-Extensions value into offers: name and parameters. */
export function parseExtensions(
  value: string | undefined,
): { name: string; params: Map<string, string | true> }[] {
  if (value === undefined || value.trim() === "") return [];
  return value.split(",").map((offer) => {
    const [name = "", ...params] = offer.split(";").map((part) => part.trim());
    const map = new Map<string, string | true>();
    for (const param of params) {
      const eq = param.indexOf("=");
      if (eq < 0) map.set(param.toLowerCase(), true);
      else {map.set(
          param.slice(0, eq).trim().toLowerCase(),
          param.slice(eq + 1).trim().replace(/^"|"$/g, ""),
        );}
    }
    return { name: name.toLowerCase(), params: map };
  });
}

/**
 * Invalid UTF-8 sequences (Autobahn 6.x style): each must fail a text message with 1007.
 * Named by what is wrong.
 */
export const INVALID_UTF8: readonly (readonly [string, readonly number[]])[] = [
  ["lone continuation byte", [0x80]],
  ["continuation bytes only", [0x80, 0xbf, 0x80]],
  ["lone start byte then space", [0xc0, 0x20]],
  ["truncated 2-byte sequence at end", [0x61, 0xc3]],
  ["truncated 3-byte sequence at end", [0x61, 0xe2, 0x82]],
  ["truncated 4-byte sequence at end", [0x61, 0xf0, 0x9f, 0x98]],
  ["overlong '/' in 2 bytes", [0xc0, 0xaf]],
  ["overlong '/' in 3 bytes", [0xe0, 0x80, 0xaf]],
  ["overlong '/' in 4 bytes", [0xf0, 0x80, 0x80, 0xaf]],
  ["overlong U+007F in 2 bytes", [0xc1, 0xbf]],
  ["overlong U+07FF in 3 bytes", [0xe0, 0x9f, 0xbf]],
  ["overlong U+FFFF in 4 bytes", [0xf0, 0x8f, 0xbf, 0xbf]],
  ["overlong NUL in 2 bytes", [0xc0, 0x80]],
  ["surrogate U+D800", [0xed, 0xa0, 0x80]],
  ["surrogate U+DBFF", [0xed, 0xaf, 0xbf]],
  ["surrogate U+DC00", [0xed, 0xb0, 0x80]],
  ["surrogate U+DFFF", [0xed, 0xbf, 0xbf]],
  ["surrogate pair U+D800 U+DC00 (CESU-8)", [0xed, 0xa0, 0x80, 0xed, 0xb0, 0x80]],
  ["U+110000", [0xf4, 0x90, 0x80, 0x80]],
  ["U+13FFFF", [0xf4, 0xbf, 0xbf, 0xbf]],
  ["5-byte sequence", [0xf8, 0x88, 0x80, 0x80, 0x80]],
  ["6-byte sequence", [0xfc, 0x84, 0x80, 0x80, 0x80, 0x80]],
  ["byte 0xFE", [0xfe]],
  ["byte 0xFF", [0xff]],
  ["byte 0xF5", [0xf5, 0x80, 0x80, 0x80]],
  ["start byte followed by ASCII", [0xe2, 0x41, 0x42]],
  ["valid text then invalid", [
    ...encoder.encode("κόσμε"),
    0xed,
    0xa0,
    0x80,
    0x65,
    0x64,
    0x69,
    0x74,
    0x65,
    0x64,
  ]],
];

/** Valid UTF-8 edge cases (noncharacters and boundaries included) that must be accepted. */
export const VALID_UTF8: readonly (readonly [string, string])[] = [
  ["empty", ""],
  ["Greek kosme", "κόσμε"],
  ["U+0000", "\u0000"],
  ["U+007F / U+0080", "\u007f\u0080"],
  ["U+07FF / U+0800", "\u07ff\u0800"],
  ["U+D7FF and U+E000 (around the surrogates)", "\ud7ff\ue000"],
  ["U+FFFD", "\ufffd"],
  ["noncharacters U+FFFE U+FFFF", "\ufffe\uffff"],
  [
    "noncharacters U+FDD0..U+FDEF",
    String.fromCharCode(...Array.from({ length: 32 }, (_, i) => 0xfdd0 + i)),
  ],
  ["noncharacters U+1FFFE U+10FFFF", "\u{1fffe}\u{1ffff}\u{10fffe}\u{10ffff}"],
  ["U+10000 and U+10FFFF", "\u{10000}\u{10ffff}"],
  ["emoji", "Hello-µ@ßöäüàá-UTF-8!! 😀🎉"],
  ["BOM first", "\ufeffbom"],
];

// ---------------------------------------------------------------------------------------------
// Cases both sides share. Each test file supplies a Harness that opens one session: our side
// (server via upgrade() or client via connect()) running an echo loop, and the raw peer on the
// other end. The raw peer masks as its role requires, so one case body serves both sides.

/** Options passed to our side (a subset of WsSocketOptions). */
export interface SideOptions {
  maxFrameSize?: number;
  maxMessageSize?: number;
  maxFragments?: number;
  fragmentSize?: number;
  perMessageDeflate?: boolean | {
    serverNoContextTakeover?: boolean;
    clientNoContextTakeover?: boolean;
    serverMaxWindowBits?: number;
    clientMaxWindowBits?: number;
    level?: number;
    threshold?: number;
  };
  closeTimeout?: number;
}

/**
 * How our side echoes: "message" (readMessage() + send()), "reencode" (readMessage(), then a
 * string re-encoded with TextEncoder and written as text: what the application saw goes back,
 * not the bytes received), "chunks" (read() pieces assembled,
 * then write(bytes, utf8)), or `{ writerChunk }` (each message back through writer() in
 * fragments of that many bytes), or `{ closeWith }` (our side calls close(code, reason) after the
 * first message, then reads to the end).
 */
export type EchoMode =
  | "message"
  | "reencode"
  | "chunks"
  | { writerChunk: number }
  | { closeWith: readonly [number, string] };

/** How one session is opened. */
export interface OpenOptions {
  options?: SideOptions;
  echo?: EchoMode;
  /**
   * Server side: the raw client's Sec-WebSocket-Extensions offer. Client side: the raw server's
   * Sec-WebSocket-Extensions answer (a function gets our client's offer).
   */
  extensions?: string | ((offer: string | undefined) => string | undefined);
}

/** How our side's echo loop ended. */
export interface Outcome {
  /** "closed": read null after a close; "error": an exception. */
  kind: "closed" | "error";
  closeCode: number | null;
  closeReason: string;
  error?: unknown;
}

/** One open session. Disposing closes the raw peer and waits for our side to finish. */
export interface Session extends AsyncDisposable {
  peer: RawPeer;
  /** Our side's outcome, or null when the harness cannot observe it. */
  outcome(): Promise<Outcome | null>;
}

/** One side under test. */
export interface Harness {
  side: "server" | "client";
  open(options?: OpenOptions): Promise<Session>;
  /** Checks our side after a test: no sockets or cosockets left. */
  after(): Promise<void>;
  /** Checks an outcome's error: a WebSocketError with this close code. */
  checkError(error: unknown, closeCode: number): void;
}

export { within };

/** Expects our side to fail the connection with `code` (wire and API). */
export async function expectFailure(
  h: Harness,
  s: Session,
  code: number | readonly number[],
  options: ReadOptions & { skipData?: boolean } = {},
): Promise<CloseInfo> {
  const info = await s.peer.expectClose(code, options);
  const outcome = await within(s.outcome(), "our side's read to end", 5000);
  if (outcome !== null) {
    equal(outcome.kind, "error", `our side's read() throws after failing with ${info.code}`);
    h.checkError(outcome.error, info.code);
  }
  return info;
}

/** Sends a close and expects the echo, TCP closed by our side, and a clean end on our side. */
export async function expectCleanClose(
  s: Session,
  code = 1000,
  reason = "",
): Promise<void> {
  await s.peer.sendClose(code, reason);
  await s.peer.expectClose(code);
  const outcome = await within(s.outcome(), "our side's read to end", 5000);
  if (outcome !== null) {
    equal(outcome.kind, "closed", `our side ends cleanly (${String(outcome.error)})`);
    equal(outcome.closeCode, code, "closeCode on our side");
    equal(outcome.closeReason, reason, "closeReason on our side");
  }
}

/** Bytes of `size` made of a 600-byte block repeated (matches lie beyond a 512-byte window). */
export function compressible(size: number, seed = 11): Uint8Array {
  const block = patternBytes(600, seed);
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i += 600) out.set(block.subarray(0, Math.min(600, size - i)), i);
  return out;
}

/** Valid UTF-8 bytes of exactly `size`, built from a repeated 64 KiB block. */
export function bigText(size: number): Uint8Array {
  const block = encoder.encode(utf8Text(Math.min(size, 65536)));
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i += block.length) {
    out.set(block.subarray(0, Math.min(block.length, size - i)), i);
  }
  // The block boundary must not split a character: block ends on a character boundary.
  return out;
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

/** Derives the raw side's deflate parameters from an offer and the answer to it. */
export function negotiatedDeflate(
  rawRole: Role,
  offerValue: string | undefined,
  answerValue: string | undefined,
): RawDeflateParams | null {
  const offer = parseExtensions(offerValue).find((e) => e.name === "permessage-deflate");
  const answers = parseExtensions(answerValue);
  ok(answers.length <= 1, `at most one extension accepted: ${answerValue}`);
  const answer = answers[0];
  if (answer === undefined) return null;
  equal(answer.name, "permessage-deflate", "the accepted extension was offered");
  ok(offer !== undefined, "an extension is accepted only when offered");
  const bits = (value: string | true | undefined): number | undefined => {
    if (value === undefined || value === true) return undefined;
    ok(/^(8|9|1[0-5])$/.test(value), `window bits value ${value} is 8..15 (RFC 7692 7.1.2)`);
    return Number(value);
  };
  const known = [
    "server_no_context_takeover",
    "client_no_context_takeover",
    "server_max_window_bits",
    "client_max_window_bits",
  ];
  for (const name of answer.params.keys()) ok(known.includes(name), `unknown parameter ${name}`);
  const answerClientBits = answer.params.get("client_max_window_bits");
  if (answerClientBits !== undefined) {
    ok(
      offer.params.has("client_max_window_bits"),
      "client_max_window_bits answered only if offered",
    );
    ok(answerClientBits !== true, "client_max_window_bits in an answer has a value");
  }
  const offerBits = (value: string | true | undefined): number | undefined =>
    typeof value === "string" && /^(8|9|1[0-5])$/.test(value) ? Number(value) : undefined;
  const offerServerBits = offerBits(offer.params.get("server_max_window_bits"));
  const answerServerBits = bits(answer.params.get("server_max_window_bits"));
  if (offerServerBits !== undefined) {
    ok(answerServerBits !== undefined, "an accepted server_max_window_bits offer is answered");
    ok(answerServerBits <= offerServerBits, "server_max_window_bits answer <= offer");
  }
  if (offer.params.has("server_no_context_takeover")) {
    ok(answer.params.has("server_no_context_takeover"), "server_no_context_takeover accepted");
  }
  const serverBits = answerServerBits ?? 15;
  const clientBits = bits(answerClientBits) ??
    offerBits(offer.params.get("client_max_window_bits")) ??
    15;
  const serverTakeover = !answer.params.has("server_no_context_takeover");
  const clientTakeover = !answer.params.has("client_no_context_takeover") &&
    !offer.params.has("client_no_context_takeover");
  return rawRole === "client"
    ? {
      sendWindowBits: clientBits,
      sendContextTakeover: clientTakeover,
      receiveWindowBits: serverBits,
      receiveContextTakeover: serverTakeover,
    }
    : {
      sendWindowBits: serverBits,
      sendContextTakeover: serverTakeover,
      receiveWindowBits: clientBits,
      receiveContextTakeover: clientTakeover,
    };
}

/** Sizes used by the compression cases (Autobahn 12.x style). */
export const DEFLATE_SIZES: readonly number[] = [0, 16, 64, 125, 256, 1000, 4096, 65536, 262144];

/** Compressed messages of several sizes both ways, fragmented and not; checks the window. */
export async function deflateExchange(s: Session, sizes = DEFLATE_SIZES): Promise<void> {
  const peer = s.peer;
  ok(peer.deflate !== null, "permessage-deflate negotiated");
  for (const size of sizes) {
    const data = compressible(size, size);
    for (let round = 0; round < 2; round++) {
      await peer.sendCompressed(OP.binary, data, round + 1);
      const echo = await peer.expectMessage(OP.binary, data, { timeout: 10_000 });
      // Our side may compress or not; either is allowed.
      void echo;
    }
    const text = utf8Text(size, size);
    await peer.sendCompressed(OP.text, encoder.encode(text), size > 1000 ? 3 : 1);
    await peer.expectMessage(OP.text, text, { timeout: 10_000 });
    // An uncompressed message (RSV1 clear) stays allowed.
    await peer.text(text);
    await peer.expectMessage(OP.text, text, { timeout: 10_000 });
  }
  await peer.deflate.checkWindow();
}

/** Registers the conformance cases both sides share. */
export function sharedConformanceCases(h: Harness): void {
  const prefix = `${h.side}:`;
  const test = (name: string, body: () => Promise<void>): void => {
    Deno.test(`${prefix} ${name}`, async () => {
      await body();
      await h.after();
    });
  };
  const session = (options: OpenOptions = {}) => h.open(options);
  const LENGTHS = [0, 125, 126, 127, 128, 65535, 65536];

  // 1.x framing
  for (const mode of ["message", "chunks"] as const) {
    test(`1.1/1.2 text and binary of ${LENGTHS.join("/")} bytes echoed exactly (${mode})`, async () => {
      await using s = await session({ echo: mode });
      for (const n of LENGTHS) {
        await s.peer.text(utf8Text(n));
        await s.peer.expectMessage(OP.text, utf8Text(n));
        await s.peer.binary(patternBytes(n, n));
        await s.peer.expectMessage(OP.binary, patternBytes(n, n));
      }
      await expectCleanClose(s);
    });
  }
  test("1.1.8 a 65536-byte text frame chopped into 997-byte writes is echoed", async () => {
    await using s = await session();
    await s.peer.sendChopped(s.peer.frame({ opcode: OP.text, payload: utf8Text(65536) }), 997);
    await s.peer.expectMessage(OP.text, utf8Text(65536));
    await expectCleanClose(s);
  });
  for (const mode of ["message", "reencode", "chunks"] as const) {
    test(`1.x a text message starting with a BOM reaches the application intact (${mode})`, async () => {
      await using s = await session({ echo: mode });
      await s.peer.text("\ufeffBOM");
      await s.peer.expectMessage(OP.text, "\ufeffBOM");
      await expectCleanClose(s);
    });
  }
  test("1.x a non-minimal length encoding is echoed or failed with 1002", async () => {
    for (const lengthBytes of [2, 8] as const) {
      await using s = await session();
      await s.peer.send({ opcode: OP.text, payload: "short", lengthBytes });
      const frame = await s.peer.next();
      ok(frame !== null, "a reply to a non-minimal length");
      if (frame.opcode === OP.close) {
        equal(parseClose(frame.payload).code, 1002, "non-minimal length refused with 1002");
      } else {
        equal(frame.opcode, OP.text);
        equal(new TextDecoder().decode(frame.payload), "short");
        await expectCleanClose(s);
      }
    }
  });
  test("1.x a 64-bit length with the most significant bit set fails with 1002/1009", async () => {
    await using s = await session();
    await s.peer.send({
      opcode: OP.binary,
      payload: "abc",
      lengthBytes: 8,
      declaredLength: (1n << 63n) + 3n,
    });
    await expectFailure(h, s, [1002, 1009]);
  });
  test("5.1/RFC 5.1 a frame masked the wrong way for its direction fails with 1002", async () => {
    for (const opcode of [OP.text, OP.ping, OP.close]) {
      await using s = await session();
      await s.peer.send({
        opcode,
        payload: opcode === OP.close ? closePayload(1000) : "wrong mask",
        mask: s.peer.role === "server",
      });
      await expectFailure(h, s, 1002);
    }
  });

  // 2.x pings and pongs
  test("2.1-2.4 empty, text, binary and 125-byte pings get identical pongs", async () => {
    await using s = await session();
    for (
      const payload of [
        new Uint8Array(0),
        toBytes("Hello, world!"),
        patternBytes(8),
        patternBytes(125),
      ]
    ) {
      await s.peer.ping(payload);
      await s.peer.expectPong(payload);
    }
    await expectCleanClose(s);
  });
  test("2.5 a 126-byte ping fails with 1002", async () => {
    await using s = await session();
    await s.peer.ping(patternBytes(126));
    await expectFailure(h, s, 1002);
  });
  test("2.6 a 125-byte ping in 1-octet chops gets its pong", async () => {
    await using s = await session();
    const payload = patternBytes(125, 26);
    await s.peer.sendChopped(s.peer.frame({ opcode: OP.ping, payload }), 1, 1);
    await s.peer.expectPong(payload);
    await expectCleanClose(s);
  });
  test("2.7-2.9 unsolicited pongs are ignored", async () => {
    await using s = await session();
    await s.peer.send({ opcode: OP.pong });
    await s.peer.send({ opcode: OP.pong, payload: "unsolicited" });
    await s.peer.ping("after");
    await s.peer.expectPong("after");
    await s.peer.text("still here");
    await s.peer.expectMessage(OP.text, "still here");
    await expectCleanClose(s);
  });
  test("2.10/2.11 ten pings in a row (whole and 1-octet chopped) all get pongs", async () => {
    await using s = await session();
    const pings = Array.from({ length: 10 }, (_, i) => ({ opcode: OP.ping, payload: `ping ${i}` }));
    await s.peer.send(...pings);
    for (let i = 0; i < 10; i++) await s.peer.expectPong(`ping ${i}`);
    await s.peer.sendChopped(concat(pings.map((p) => s.peer.frame(p))), 1);
    for (let i = 0; i < 10; i++) await s.peer.expectPong(`ping ${i}`);
    await expectCleanClose(s);
  });
  test("5.1/5.2 a fragmented ping or pong fails with 1002", async () => {
    for (const opcode of [OP.ping, OP.pong]) {
      await using s = await session();
      await s.peer.send(
        { opcode, payload: "frag", fin: false },
        { opcode: OP.continuation, payload: "ment", fin: true },
      );
      await expectFailure(h, s, 1002);
    }
  });

  // 3.x reserved bits
  const rsvCases: [string, Partial<FrameSpec> & { opcode: number }][] = [
    ["3.1 RSV1 on text (no extension)", { opcode: OP.text, rsv1: true }],
    ["3.2 RSV2 on text", { opcode: OP.text, rsv2: true }],
    ["3.3 RSV3 on text", { opcode: OP.text, rsv3: true }],
    ["3.4 RSV1+RSV3 on text", { opcode: OP.text, rsv1: true, rsv3: true }],
    ["3.5 RSV1+RSV2 on binary", { opcode: OP.binary, rsv1: true, rsv2: true }],
    ["3.6 RSV1+RSV3 on ping", { opcode: OP.ping, rsv1: true, rsv3: true }],
    ["3.7 all RSV bits on close", { opcode: OP.close, rsv1: true, rsv2: true, rsv3: true }],
  ];
  for (const [name, spec] of rsvCases) {
    test(`${name} fails with 1002 (after a valid echo)`, async () => {
      await using s = await session();
      await s.peer.text("valid first");
      await s.peer.expectMessage(OP.text, "valid first");
      await s.peer.send({
        payload: spec.opcode === OP.close ? closePayload(1000) : "reserved",
        ...spec,
      });
      await expectFailure(h, s, 1002);
    });
  }

  // 4.x reserved opcodes
  for (const opcode of [3, 4, 5, 6, 7, 11, 12, 13, 14, 15]) {
    test(`4.x reserved opcode ${opcode} fails with 1002`, async () => {
      await using s = await session();
      await s.peer.text("valid first");
      await s.peer.expectMessage(OP.text, "valid first");
      await s.peer.send({ opcode, payload: opcode % 2 ? "" : "reserved opcode payload" });
      await expectFailure(h, s, 1002);
    });
  }

  // 5.x fragmentation
  test("5.3/5.4 text in two fragments, also chopped to 1 octet", async () => {
    await using s = await session();
    const frames = fragments(OP.text, [toBytes("fragment1"), toBytes("fragment2")]);
    await s.peer.send(...frames);
    await s.peer.expectMessage(OP.text, "fragment1fragment2");
    await s.peer.sendChopped(concat(frames.map((f) => s.peer.frame(f))), 1, 1);
    await s.peer.expectMessage(OP.text, "fragment1fragment2");
    await expectCleanClose(s);
  });
  test("5.9/5.13 a continuation without a message fails with 1002", async () => {
    for (const fin of [true, false]) {
      await using s = await session();
      await s.peer.send({ opcode: OP.continuation, payload: "orphan", fin });
      await expectFailure(h, s, 1002);
    }
  });
  test("5.16-5.18 a new data frame while a message is open fails with 1002", async () => {
    for (const second of [OP.text, OP.binary]) {
      await using s = await session();
      await s.peer.send(
        { opcode: OP.text, payload: "open", fin: false },
        { opcode: second, payload: "new", fin: true },
      );
      await expectFailure(h, s, 1002);
    }
  });
  test("5.6/5.19 pings between fragments are answered before the message completes", async () => {
    await using s = await session();
    await s.peer.send({ opcode: OP.text, payload: "frag1", fin: false });
    await s.peer.send({ opcode: OP.continuation, payload: "frag2", fin: false });
    await s.peer.ping("pongme 1");
    await s.peer.expectPong("pongme 1"); // before fragments 3-5 are even sent
    await s.peer.send({ opcode: OP.continuation, payload: "frag3", fin: false });
    await s.peer.send({ opcode: OP.continuation, payload: "frag4", fin: false });
    await s.peer.ping("pongme 2");
    await s.peer.expectPong("pongme 2");
    await s.peer.send({ opcode: OP.continuation, payload: "frag5", fin: true });
    await s.peer.expectMessage(OP.text, "frag1frag2frag3frag4frag5");
    await expectCleanClose(s);
  });
  test("5.x a text message in 1-byte fragments is echoed", async () => {
    await using s = await session();
    const text = "Hello, κόσμε 😀 \u{10FFFF}!";
    await s.peer.send(...fragments(OP.text, pieces(toBytes(text), 1)));
    await s.peer.expectMessage(OP.text, text);
    await expectCleanClose(s);
  });
  test("5.x a whole session chopped into 1-octet and odd-sized writes works", async () => {
    const build = (peer: RawPeer) =>
      concat([
        peer.frame({ opcode: OP.text, payload: "Hello" }),
        peer.frame({ opcode: OP.binary, payload: patternBytes(300) }),
        peer.frame({ opcode: OP.ping, payload: "p1" }),
        peer.frame({ opcode: OP.text, payload: "ab😀", fin: false }),
        peer.frame({ opcode: OP.ping, payload: "p2" }),
        peer.frame({ opcode: OP.continuation, payload: "cd", fin: true }),
        peer.frame({ opcode: OP.close, payload: closePayload(1000, "chopped") }),
      ]);
    const prng = new Prng(55);
    for (const size of [1, 2, 3, 7, 13, 0]) {
      await using s = await session();
      const stream = build(s.peer);
      if (size === 0) {
        // Random chop sizes 1..9 with delays.
        for (let i = 0; i < stream.length;) {
          const n = 1 + prng.int(9);
          await s.peer.sendRaw(stream.subarray(i, i + n));
          await new Promise((resolve) => setTimeout(resolve, 1));
          i += n;
        }
      } else {
        await s.peer.sendChopped(stream, size, size === 1 ? 1 : 0);
      }
      await s.peer.expectMessage(OP.text, "Hello");
      await s.peer.expectMessage(OP.binary, patternBytes(300));
      await s.peer.expectPong("p1");
      await s.peer.expectPong("p2");
      await s.peer.expectMessage(OP.text, "ab😀cd");
      await s.peer.expectClose(1000);
      const outcome = await within(s.outcome(), "our side's read to end", 5000);
      if (outcome !== null) equal(outcome.closeReason, "chopped");
    }
  });

  // 6.x UTF-8
  test("6.1 empty text frames and empty fragments", async () => {
    await using s = await session();
    await s.peer.text("");
    await s.peer.expectMessage(OP.text, "");
    await s.peer.send(
      ...fragments(OP.text, [new Uint8Array(0), new Uint8Array(0), new Uint8Array(0)]),
    );
    await s.peer.expectMessage(OP.text, "");
    await s.peer.send(
      ...fragments(OP.text, [new Uint8Array(0), toBytes("middle"), new Uint8Array(0)]),
    );
    await s.peer.expectMessage(OP.text, "middle");
    await expectCleanClose(s);
  });
  test("6.2/6.x valid UTF-8 (noncharacters included) whole, in 1-byte fragments and 1-octet chops", async () => {
    // Re-encoded by our side: the strings readMessage() returned must hold exactly the text.
    await using s = await session({ echo: "reencode" });
    for (const [name, text] of VALID_UTF8) {
      const data = toBytes(text);
      await s.peer.text(data);
      await s.peer.expectMessage(OP.text, data).catch((e) => fail(`${name}: ${e.message}`));
      await s.peer.send(...fragments(OP.text, pieces(data, 1)));
      await s.peer.expectMessage(OP.text, data).catch((e) =>
        fail(`${name} (fragments): ${e.message}`)
      );
      await s.peer.sendChopped(s.peer.frame({ opcode: OP.text, payload: data }), 1, 1);
      await s.peer.expectMessage(OP.text, data).catch((e) => fail(`${name} (chops): ${e.message}`));
    }
    await expectCleanClose(s);
  });
  for (const [name, sequence] of INVALID_UTF8) {
    test(`6.x invalid UTF-8 (${name}) fails with 1007: whole, fragmented per byte`, async () => {
      const data = Uint8Array.from(sequence);
      {
        await using s = await session();
        await s.peer.text(data);
        await expectFailure(h, s, 1007);
      }
      {
        await using s = await session();
        await s.peer.send(...fragments(OP.text, pieces(data, 1)));
        await expectFailure(h, s, 1007);
      }
    });
  }
  const fastFail = INVALID_UTF8.filter(([name]) => !name.startsWith("truncated"));
  test("6.4.1/6.4.2 invalid UTF-8 in the first fragment fails fast, before the final fragment", async () => {
    for (const [name, sequence] of fastFail) {
      await using s = await session();
      const first = concat([toBytes("κόσμε"), Uint8Array.from(sequence)]);
      await s.peer.send({ opcode: OP.text, payload: first, fin: false });
      await expectFailure(h, s, 1007).catch((e) => fail(`${name}: ${e.message}`));
      // Only now would the rest arrive; our side must not have waited for it.
      await s.peer.send({ opcode: OP.continuation, payload: "edited", fin: true });
    }
  });
  test("6.4.3/6.4.4 invalid UTF-8 fails fast inside a partially received frame", async () => {
    for (const [name, sequence] of fastFail.slice(0, 12)) {
      await using s = await session();
      const prefix = toBytes("κόσμε");
      const payload = concat([prefix, Uint8Array.from(sequence), toBytes("x".repeat(2000))]);
      const frame = s.peer.frame({ opcode: OP.text, payload });
      const headerLength = frame.length - payload.length;
      const cut = headerLength + prefix.length + sequence.length;
      await s.peer.sendRaw(frame.subarray(0, cut));
      await expectFailure(h, s, 1007).catch((e) => fail(`${name}: ${e.message}`));
      await s.peer.sendRaw(frame.subarray(cut));
    }
  });
  test("6.x a character split across fragments and across TCP chops is valid", async () => {
    await using s = await session();
    const text = "€😀\u{10FFFF}";
    const data = toBytes(text);
    for (const split of [1, 2, 3, 5, 8]) {
      await s.peer.send(...fragments(OP.text, [data.subarray(0, split), data.subarray(split)]));
      await s.peer.expectMessage(OP.text, text);
    }
    await s.peer.sendChopped(
      concat(fragments(OP.text, pieces(data, 3)).map((f) => s.peer.frame(f))),
      1,
      1,
    );
    await s.peer.expectMessage(OP.text, text);
    await expectCleanClose(s);
  });
  test("6.x a sequence truncated at the end of the final fragment fails with 1007", async () => {
    await using s = await session();
    await s.peer.send(
      { opcode: OP.text, payload: Uint8Array.of(0x61, 0xf0, 0x9f), fin: false },
      { opcode: OP.continuation, payload: Uint8Array.of(0x98), fin: true },
    );
    await expectFailure(h, s, 1007);
  });
  test("6.x binary messages are not UTF-8 checked", async () => {
    await using s = await session();
    await s.peer.binary(Uint8Array.of(0xed, 0xa0, 0x80, 0xff, 0xc0));
    await s.peer.expectMessage(OP.binary, Uint8Array.of(0xed, 0xa0, 0x80, 0xff, 0xc0));
    await expectCleanClose(s);
  });

  // 7.x closing
  test("7.1.1/7.3.3 echo then close 1000: echoed, TCP closed by our side", async () => {
    await using s = await session();
    await s.peer.text("Hello");
    await s.peer.expectMessage(OP.text, "Hello");
    await expectCleanClose(s);
  });
  test("7.1.2-7.1.4 frames after a close are ignored (close, ping, text)", async () => {
    for (const after of [OP.close, OP.ping, OP.text]) {
      await using s = await session();
      await s.peer.send(
        { opcode: OP.close, payload: closePayload(1000) },
        { opcode: after, payload: after === OP.close ? closePayload(1001) : "after close" },
      );
      await s.peer.expectClose(1000);
    }
  });
  test("7.1.5 a close during a fragmented message is answered with 1000", async () => {
    await using s = await session();
    await s.peer.send(
      { opcode: OP.text, payload: "fragment1", fin: false },
      { opcode: OP.close, payload: closePayload(1000) },
      { opcode: OP.continuation, payload: "fragment2", fin: true },
    );
    await s.peer.expectClose(1000);
  });
  test("7.1.6 a large message, a ping and a close in quick succession", async () => {
    await using s = await session();
    const big = patternBytes(256 * 1024, 716);
    await s.peer.send(
      { opcode: OP.binary, payload: big },
      { opcode: OP.ping, payload: "after" },
      { opcode: OP.close, payload: closePayload(1000) },
    );
    await s.peer.expectMessage(OP.binary, big);
    await s.peer.expectPong("after");
    await s.peer.expectClose(1000);
  });
  test("7.3.1 an empty close payload is answered (empty or 1000)", async () => {
    await using s = await session();
    await s.peer.sendClose();
    await s.peer.expectClose([1005, 1000]);
    const outcome = await within(s.outcome(), "our side's read to end", 5000);
    if (outcome !== null) {
      equal(outcome.kind, "closed");
      equal(outcome.closeCode, 1005, "no status code received reads as 1005");
    }
  });
  test("7.3.2 a 1-byte close payload fails with 1002", async () => {
    await using s = await session();
    await s.peer.send({ opcode: OP.close, payload: Uint8Array.of(0x03) });
    await expectFailure(h, s, 1002);
  });
  test("7.3.4/7.3.5 close reasons up to 123 bytes are accepted", async () => {
    for (const reason of ["Hello World!", "r".repeat(123), "κόσμε😀".padEnd(60, "x")]) {
      await using s = await session();
      await expectCleanClose(s, 1000, reason);
    }
  });
  test("7.3.6 a 124-byte reason (payload 126 > 125) fails with 1002", async () => {
    await using s = await session();
    await s.peer.send({ opcode: OP.close, payload: closePayload(1000, "r".repeat(124)) });
    await expectFailure(h, s, 1002);
  });
  test("7.5.1 invalid UTF-8 in a close reason fails with 1007", async () => {
    for (const [, sequence] of INVALID_UTF8.slice(0, 8)) {
      await using s = await session();
      await s.peer.send({
        opcode: OP.close,
        payload: closePayload(1000, concat([toBytes("reason "), Uint8Array.from(sequence)])),
      });
      await expectFailure(h, s, 1007);
    }
  });
  for (
    const code of [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999]
  ) {
    test(`7.7 valid close code ${code} is echoed`, async () => {
      await using s = await session();
      await expectCleanClose(s, code, `code ${code}`);
    });
  }
  for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535]) {
    test(`7.9 invalid close code ${code} fails with 1002`, async () => {
      await using s = await session();
      await s.peer.send({ opcode: OP.close, payload: closePayload(code) });
      await expectFailure(h, s, 1002);
    });
  }

  // 9.x sizes and fragment counts
  test("9.1.6/9.2.6 a 16 MiB text and a 16 MiB binary message are received and echoed", async () => {
    await using s = await session();
    const size = 16 * 1024 * 1024;
    const text = bigText(size);
    await s.peer.text(text);
    await s.peer.expectMessage(OP.text, text, { timeout: 30_000 });
    const binary = patternBytes(size, 92);
    await s.peer.binary(binary);
    await s.peer.expectMessage(OP.binary, binary, { timeout: 30_000 });
    await expectCleanClose(s);
  });
  test("9.3/9.4 4 MiB sent to us as 65,536 fragments of 64 bytes (text and binary)", async () => {
    await using s = await session();
    const size = 4 * 1024 * 1024;
    for (
      const [opcode, data] of [[OP.text, bigText(size)], [
        OP.binary,
        patternBytes(size, 93),
      ]] as const
    ) {
      const frames = fragments(opcode, pieces(data, 64));
      equal(frames.length, 65536);
      await s.peer.sendRaw(concat(frames.map((f) => s.peer.frame(f))));
      await s.peer.expectMessage(opcode, data, { timeout: 30_000 });
    }
    await expectCleanClose(s);
  });
  test("9.x our side sends 4 MiB as 65,536 fragments through writer()", async () => {
    await using s = await session({ echo: { writerChunk: 64 } });
    const size = 4 * 1024 * 1024;
    for (
      const [opcode, data] of [[OP.binary, patternBytes(size, 94)], [
        OP.text,
        bigText(size),
      ]] as const
    ) {
      await s.peer.send({ opcode, payload: data });
      const message = await s.peer.expectMessage(opcode, data, { timeout: 30_000 });
      equal(message.frames, 65536, "one frame per writer.write()/end()");
    }
    await expectCleanClose(s);
  });
  test("9.x our side sends 4 MiB as 65,536 frames with the fragmentSize option", async () => {
    await using s = await session({ options: { fragmentSize: 64 } });
    const size = 4 * 1024 * 1024;
    const data = patternBytes(size, 95);
    await s.peer.binary(data);
    const message = await s.peer.expectMessage(OP.binary, data, { timeout: 30_000 });
    equal(message.frames, 65536, "fragmentSize 64 splits 4 MiB into 65,536 frames");
    await expectCleanClose(s);
  });

  // Limits
  test("limits: a frame header above maxFrameSize (default 16 MiB) fails with 1009 at once", async () => {
    await using s = await session();
    // Only the header and 1 KiB are sent: our side must not wait for the payload.
    const frame = s.peer.frame({
      opcode: OP.binary,
      payload: patternBytes(1024),
      lengthBytes: 8,
      declaredLength: 16 * 1024 * 1024 + 1,
    });
    await s.peer.sendRaw(frame);
    await expectFailure(h, s, 1009);
  });
  test("limits: maxFrameSize 65535 (the seed's limit) accepts 65535 and fails 65536 with 1009", async () => {
    await using s = await session({ options: { maxFrameSize: 65535 } });
    await s.peer.binary(patternBytes(65535));
    await s.peer.expectMessage(OP.binary, patternBytes(65535));
    await s.peer.binary(patternBytes(65536));
    await expectFailure(h, s, 1009);
  });
  test("limits: a message above maxMessageSize fails with 1009 (option and 16 MiB default)", async () => {
    {
      await using s = await session({ options: { maxMessageSize: 100_000 } });
      await s.peer.binary(patternBytes(100_000));
      await s.peer.expectMessage(OP.binary, patternBytes(100_000));
      await s.peer.send(...fragments(OP.binary, [patternBytes(60_000), patternBytes(40_001)]));
      await expectFailure(h, s, 1009);
    }
    {
      await using s = await session();
      const half = 8 * 1024 * 1024;
      await s.peer.send({ opcode: OP.binary, payload: patternBytes(half), fin: false });
      await s.peer.send({ opcode: OP.continuation, payload: patternBytes(half), fin: false });
      await s.peer.send({ opcode: OP.continuation, payload: "x", fin: true });
      await expectFailure(h, s, 1009, { timeout: 30_000 });
    }
  });
  test("limits: more than maxFragments fragments fails with 1009/1008", async () => {
    await using s = await session({ options: { maxFragments: 100 } });
    const ok100 = fragments(OP.binary, pieces(patternBytes(100), 1));
    await s.peer.send(...ok100);
    await s.peer.expectMessage(OP.binary, patternBytes(100));
    await s.peer.send(...fragments(OP.binary, pieces(patternBytes(101), 1)));
    await expectFailure(h, s, [1009, 1008]);
  });
  test("limits: a compressed message inflating above maxMessageSize fails with 1009", async () => {
    const offer = "permessage-deflate";
    await using s = await session({
      options: { perMessageDeflate: true, maxMessageSize: 100_000 },
      extensions: h.side === "server" ? offer : () => offer,
    });
    ok(s.peer.deflate !== null, "permessage-deflate negotiated");
    await s.peer.sendCompressed(OP.binary, new Uint8Array(1024 * 1024));
    await expectFailure(h, s, 1009);
  });

  // 12.x/13.x compression protocol errors (negotiated)
  test("13.x RSV1 on a control frame or a continuation fails with 1002 (deflate on)", async () => {
    const offer = "permessage-deflate";
    for (const bad of ["ping", "close", "continuation"]) {
      await using s = await session({
        options: { perMessageDeflate: true },
        extensions: h.side === "server" ? offer : () => offer,
      });
      ok(s.peer.deflate !== null, "permessage-deflate negotiated");
      if (bad === "continuation") {
        const data = await s.peer.deflate.compress(toBytes("compressed fragments"));
        await s.peer.send(
          { opcode: OP.text, payload: data.subarray(0, 3), fin: false, rsv1: true },
          { opcode: OP.continuation, payload: data.subarray(3), fin: true, rsv1: true },
        );
      } else {
        await s.peer.send({
          opcode: bad === "ping" ? OP.ping : OP.close,
          payload: bad === "ping" ? Uint8Array.of(0x00) : closePayload(1000),
          rsv1: true,
        });
      }
      await expectFailure(h, s, 1002);
    }
  });
  test("12.x a corrupt compressed payload fails with 1007 (or 1002)", async () => {
    const offer = "permessage-deflate";
    await using s = await session({
      options: { perMessageDeflate: true },
      extensions: h.side === "server" ? offer : () => offer,
    });
    await s.peer.send({ opcode: OP.binary, payload: Uint8Array.of(0xff, 0xff, 0xff), rsv1: true });
    await expectFailure(h, s, [1007, 1002]);
  });
}
