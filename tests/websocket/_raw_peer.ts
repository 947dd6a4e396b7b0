// The raw WebSocket peer: a client that does the opening handshake over Deno.connect, a server
// over Deno.listen that answers our client, and a frame reader that checks every frame our side
// sends against RFC 6455. Independent of the code under test.
import { equal, fail, ok } from "node:assert/strict";
import { hex } from "../_shared.ts";
import {
  ByteQueue,
  type CloseInfo,
  closePayload,
  concat,
  describeClose,
  encodeFrame,
  encoder,
  equalBytes,
  type Frame,
  type FrameSpec,
  GUID,
  isSendableCloseCode,
  isUtf8,
  OP,
  parseClose,
  parseFrame,
  type RawDeflate,
  toBytes,
} from "./_raw_frames.ts";

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
