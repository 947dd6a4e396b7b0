/**
 * permessage-deflate (RFC 7692): extension negotiation and a synchronous per-connection
 * compressor and decompressor. Private to `@cosocket/websocket`; the core calls it.
 *
 * Compression runs on `node:zlib`'s native handle driven synchronously (`writeSync` with
 * `Z_SYNC_FLUSH`), which keeps the LZ77 window between messages (context takeover) without
 * a promise per message. `node:zlib` has no public synchronous streaming API: the one-shot
 * `*Sync` functions close their engine after one call. The handle is reached through the
 * stream's long-standing `_handle`/`_writeState` fields, checked when a context opens.
 *
 * @module
 */

import { constants, createDeflateRaw, createInflateRaw } from "node:zlib";

import type { PerMessageDeflateOptions } from "./per_message_deflate_options.ts";

export type { PerMessageDeflateOptions };

/** Parameters both sides agreed on during the handshake. */
export interface DeflateParams {
  /** The server resets its compressor after every message. */
  serverNoContextTakeover: boolean;
  /** The client resets its compressor after every message. */
  clientNoContextTakeover: boolean;
  /** Largest LZ77 window (bits) the server compresses with. */
  serverMaxWindowBits: number;
  /** Largest LZ77 window (bits) the client compresses with. */
  clientMaxWindowBits: number;
}

/** One extension of a `Sec-WebSocket-Extensions` header: its name and parameters. */
export interface ExtensionElement {
  /** The extension token, lower-cased. */
  name: string;
  /** Parameters in order: name (lower-cased) and unquoted value, or `true` without one. */
  params: [string, string | true][];
}

/** An error with a stable `code` the core maps to a close code. */
export type CodedError = Error & { code: "toobig" | "protocol" };

/** The extension token. */
export const EXTENSION_NAME = "permessage-deflate";

const DEFAULTS: Required<PerMessageDeflateOptions> = {
  serverNoContextTakeover: false,
  clientNoContextTakeover: false,
  serverMaxWindowBits: 15,
  clientMaxWindowBits: 15,
  level: 6,
  threshold: 1024,
};

/**
 * Parses a `Sec-WebSocket-Extensions` value (RFC 6455 section 9.1): comma-separated
 * extensions with `;` parameters whose values are tokens or quoted strings.
 *
 * @param header The header value (several header lines joined with ", ").
 * @returns The extensions in order; empty list elements are skipped.
 * @throws {SyntaxError} The value does not follow the grammar.
 */
export function parseExtensions(header: string): ExtensionElement[] {
  const result: ExtensionElement[] = [];
  let i = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(
      `Cannot parse Sec-WebSocket-Extensions: expected ${what} at offset ${i} of ${
        JSON.stringify(header)
      }`,
    );
  };
  const skipSpace = (): void => {
    while (header[i] === " " || header[i] === "\t") i++;
  };
  const token = (what: string): string => {
    const start = i;
    while (i < header.length && isTokenChar(header.charCodeAt(i))) i++;
    return i === start ? fail(what) : header.slice(start, i);
  };
  const quoted = (): string => {
    let value = "";
    for (i++; header[i] !== '"'; i++) {
      if (i >= header.length) fail("a closing quote");
      if (header[i] === "\\") i++;
      if (i >= header.length) fail("an escaped character");
      value += header[i];
    }
    i++;
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(value)) fail("a token inside the quotes");
    return value;
  };
  while (true) {
    skipSpace();
    if (i >= header.length) return result;
    if (header[i] === ",") {
      i++;
      continue;
    }
    const element: ExtensionElement = {
      name: token("an extension name").toLowerCase(),
      params: [],
    };
    skipSpace();
    while (header[i] === ";") {
      i++;
      skipSpace();
      const key = token("a parameter name").toLowerCase();
      let value: string | true = true;
      skipSpace();
      if (header[i] === "=") {
        i++;
        skipSpace();
        value = header[i] === '"' ? quoted() : token("a parameter value");
        skipSpace();
      }
      element.params.push([key, value]);
    }
    result.push(element);
    if (i < header.length && header[i] !== ",") fail("a comma or semicolon");
  }
}

function isTokenChar(c: number): boolean {
  // RFC 9110 tchar: visible ASCII except separators.
  return c > 32 && c < 127 && !'"(),/:;<=>?@[\\]{}'.includes(String.fromCharCode(c));
}

/**
 * Builds the client's offer from its options.
 *
 * @param options Our preferences; `client_max_window_bits` is always offered.
 * @returns The `Sec-WebSocket-Extensions` request value.
 * @throws {RangeError} An option is out of range.
 */
export function formatOffer(options: PerMessageDeflateOptions): string {
  const o = resolveOptions(options);
  let offer = EXTENSION_NAME;
  if (o.serverNoContextTakeover) offer += "; server_no_context_takeover";
  if (o.clientNoContextTakeover) offer += "; client_no_context_takeover";
  if (o.serverMaxWindowBits < 15) offer += `; server_max_window_bits=${o.serverMaxWindowBits}`;
  offer += "; client_max_window_bits";
  if (o.clientMaxWindowBits < 15) offer += `=${o.clientMaxWindowBits}`;
  return offer;
}

/**
 * Server side: picks the first permessage-deflate offer that is valid and acceptable.
 * Offers with unknown, duplicate or invalid parameters are declined as RFC 7692 section
 * 7.1 requires, and the next offer is tried.
 *
 * @param header The client's `Sec-WebSocket-Extensions` value, or `null` when absent.
 * @param options Our preferences: no-context-takeover flags are imposed, window bits are
 *   lowered to ours (`server_max_window_bits` is answered only when offered, as the
 *   smaller window needs no consent; `client_max_window_bits` only when offered).
 * @returns The response value and agreed parameters, or `null` when nothing was accepted.
 * @throws {SyntaxError} The header is malformed (answer HTTP 400).
 * @throws {RangeError} An option is out of range.
 */
export function acceptOffer(
  header: string | null,
  options: PerMessageDeflateOptions,
): { response: string; params: DeflateParams } | null {
  const o = resolveOptions(options);
  if (header === null) return null;
  for (const offer of parseExtensions(header)) {
    if (offer.name !== EXTENSION_NAME) continue;
    const p = readParams(offer.params);
    if (typeof p === "string") continue;
    const clientOffered = p.client_max_window_bits;
    const params: DeflateParams = {
      serverNoContextTakeover: o.serverNoContextTakeover || p.server_no_context_takeover === true,
      clientNoContextTakeover: o.clientNoContextTakeover || p.client_no_context_takeover === true,
      serverMaxWindowBits: Math.min(o.serverMaxWindowBits, bitsOf(p.server_max_window_bits)),
      // A client that cannot be restricted is still accepted: we inflate with its window.
      clientMaxWindowBits: clientOffered === undefined
        ? 15
        : Math.min(o.clientMaxWindowBits, bitsOf(clientOffered)),
    };
    let response = EXTENSION_NAME;
    if (params.serverNoContextTakeover) response += "; server_no_context_takeover";
    if (params.clientNoContextTakeover) response += "; client_no_context_takeover";
    if (p.server_max_window_bits !== undefined) {
      response += `; server_max_window_bits=${params.serverMaxWindowBits}`;
    }
    if (clientOffered !== undefined && params.clientMaxWindowBits < 15) {
      response += `; client_max_window_bits=${params.clientMaxWindowBits}`;
    }
    return { response, params };
  }
  return null;
}

/**
 * Client side: validates the server's answer against the offer {@linkcode formatOffer}
 * made from the same options.
 *
 * @param header The response's `Sec-WebSocket-Extensions` value, or `null` when absent.
 * @param options The options the offer was made from.
 * @returns The agreed parameters, or `null` when the server did not accept the extension.
 * @throws {SyntaxError} The answer is malformed or does not fit the offer.
 * @throws {RangeError} An option is out of range.
 */
export function parseResponse(
  header: string | null,
  options: PerMessageDeflateOptions,
): DeflateParams | null {
  const o = resolveOptions(options);
  const extensions = header === null ? [] : parseExtensions(header);
  if (extensions.length === 0) return null;
  const fail = (why: string): never => {
    throw new SyntaxError(`Invalid Sec-WebSocket-Extensions response: ${why}`);
  };
  const unknown = extensions.find((e) => e.name !== EXTENSION_NAME);
  if (unknown) fail(`extension "${unknown.name}" was not offered`);
  if (extensions.length > 1) fail(`"${EXTENSION_NAME}" is accepted more than once`);
  const p = readParams(extensions[0]!.params);
  if (typeof p === "string") return fail(p);
  if (p.client_max_window_bits === true) fail('"client_max_window_bits" needs a value');
  const serverBits = bitsOf(p.server_max_window_bits);
  const clientBits = bitsOf(p.client_max_window_bits);
  if (o.serverNoContextTakeover && !p.server_no_context_takeover) {
    fail('"server_no_context_takeover" was offered but not accepted');
  }
  if (o.serverMaxWindowBits < 15 && p.server_max_window_bits === undefined) {
    fail('"server_max_window_bits" was offered but not accepted');
  }
  if (p.server_max_window_bits !== undefined && serverBits > o.serverMaxWindowBits) {
    fail(`"server_max_window_bits=${serverBits}" exceeds the offered ${o.serverMaxWindowBits}`);
  }
  if (p.client_max_window_bits !== undefined && clientBits > o.clientMaxWindowBits) {
    fail(`"client_max_window_bits=${clientBits}" exceeds the offered ${o.clientMaxWindowBits}`);
  }
  return {
    serverNoContextTakeover: p.server_no_context_takeover === true,
    clientNoContextTakeover: o.clientNoContextTakeover || p.client_no_context_takeover === true,
    serverMaxWindowBits: serverBits,
    clientMaxWindowBits: Math.min(clientBits, o.clientMaxWindowBits),
  };
}

interface OfferParams {
  server_no_context_takeover?: true;
  client_no_context_takeover?: true;
  server_max_window_bits?: string;
  client_max_window_bits?: string | true;
}

/** Validates permessage-deflate parameters; returns why they are invalid, if they are. */
function readParams(list: [string, string | true][]): OfferParams | string {
  const seen = new Map<string, string | true>();
  for (const [key, value] of list) {
    if (seen.has(key)) return `parameter "${key}" appears twice`;
    seen.set(key, value);
    if (key === "server_no_context_takeover" || key === "client_no_context_takeover") {
      if (value !== true) return `parameter "${key}" takes no value`;
    } else if (key === "server_max_window_bits" || key === "client_max_window_bits") {
      if (value === true && key === "server_max_window_bits") {
        return `parameter "${key}" needs a value`;
      }
      // RFC 7692 section 7.1.2: 8..15 without leading zeros.
      if (value !== true && !/^(?:8|9|1[0-5])$/.test(value)) {
        return `parameter "${key}" must be 8..15, not "${value}"`;
      }
    } else {
      return `unknown parameter "${key}"`;
    }
  }
  return Object.fromEntries(seen) as OfferParams;
}

function bitsOf(value: string | true | undefined): number {
  return typeof value === "string" ? Number(value) : 15;
}

function resolveOptions(options: PerMessageDeflateOptions): Required<PerMessageDeflateOptions> {
  const o = { ...DEFAULTS };
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined && Object.hasOwn(o, key)) (o as Record<string, unknown>)[key] = value;
  }
  const check = (name: keyof typeof o, min: number, max: number): void => {
    const value = o[name] as number;
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new RangeError(
        `Invalid permessage-deflate option "${name}": ${value} is not ${min}..${max}`,
      );
    }
  };
  check("serverMaxWindowBits", 8, 15);
  check("clientMaxWindowBits", 8, 15);
  check("level", 0, 9);
  check("threshold", 0, Number.MAX_SAFE_INTEGER);
  return o;
}

/** The subset of node:zlib's native handle that is used. */
interface ZlibHandle {
  writeSync(
    flush: number,
    input: Uint8Array,
    inOffset: number,
    inLength: number,
    output: Uint8Array,
    outOffset: number,
    outLength: number,
  ): void;
  reset(): void;
  close(): void;
  onerror: (message: string, errno: number) => void;
}

/** One zlib raw deflate or inflate context, driven synchronously. */
class Engine {
  readonly handle: ZlibHandle;
  /** After `writeSync`: [output space left, input bytes left]. */
  readonly state: Uint32Array;
  error: string | null = null;

  constructor(stream: unknown) {
    const { _handle: handle, _writeState: state } = stream as {
      _handle?: ZlibHandle;
      _writeState?: Uint32Array;
    };
    if (typeof handle?.writeSync !== "function" || !(state instanceof Uint32Array)) {
      throw new Error("Cannot use node:zlib: its native handle is not reachable in this runtime");
    }
    this.handle = handle;
    this.state = state;
    // Replaces the stream's handler, which would destroy the stream and emit "error" later.
    handle.onerror = (message) => {
      this.error = message;
    };
  }
}

const TAIL = new Uint8Array([0x00, 0x00, 0xff, 0xff]);
const CHUNK = 64 * 1024;
/** The stream objects' own output buffers go unused: keep them at zlib's minimum. */
const MIN_CHUNK = 64;
/** zlib writes here and results are copied out: every call is synchronous, so all
 * contexts share it instead of holding 64 KiB each. */
let scratch: Uint8Array<ArrayBuffer> | null = null;

/**
 * The per-connection compressor and decompressor. Contexts open lazily on first use.
 *
 * @example Round trip between a server and a client context
 * ```ts
 * import { PerMessageDeflate } from "./_permessage_deflate.ts";
 * import assert from "node:assert/strict";
 * const params = { serverNoContextTakeover: false, clientNoContextTakeover: false,
 *   serverMaxWindowBits: 15, clientMaxWindowBits: 15 };
 * using server = new PerMessageDeflate(params, "server", { maxMessageSize: 1 << 20 });
 * using client = new PerMessageDeflate(params, "client", { maxMessageSize: 1 << 20 });
 * const text = new TextEncoder().encode("hello ".repeat(500));
 * assert.deepEqual(client.decompress(server.compress(text), true), text);
 * ```
 */
export class PerMessageDeflate {
  /** Messages shorter than this are best sent uncompressed. */
  readonly threshold: number;
  #deflater: Engine | null = null;
  #inflater: Engine | null = null;
  #ownWindow: number;
  #ownReset: boolean;
  #peerWindow: number;
  #peerReset: boolean;
  #level: number;
  #maxMessageSize: number;
  #inflated = 0;
  #ended = false;
  #disposed = false;

  /**
   * Creates the contexts for one connection; zlib memory is taken on first use.
   *
   * @param params The negotiated parameters.
   * @param role Our side: it decides which parameters bind our compressor.
   * @param options Compression level, threshold and the inflated message size limit.
   * @throws {RangeError} An option or parameter is out of range.
   */
  constructor(
    params: DeflateParams,
    role: "server" | "client",
    options: PerMessageDeflateOptions & { maxMessageSize: number },
  ) {
    const o = resolveOptions({
      ...options,
      serverMaxWindowBits: params.serverMaxWindowBits,
      clientMaxWindowBits: params.clientMaxWindowBits,
    });
    if (!(options.maxMessageSize >= 0)) {
      throw new RangeError(`Invalid maxMessageSize: ${options.maxMessageSize} is negative`);
    }
    const server = role === "server";
    this.#ownWindow = server ? o.serverMaxWindowBits : o.clientMaxWindowBits;
    this.#peerWindow = server ? o.clientMaxWindowBits : o.serverMaxWindowBits;
    this.#ownReset = server ? params.serverNoContextTakeover : params.clientNoContextTakeover;
    this.#peerReset = server ? params.clientNoContextTakeover : params.serverNoContextTakeover;
    this.#level = o.level;
    this.threshold = o.threshold;
    this.#maxMessageSize = options.maxMessageSize;
  }

  /**
   * Tells whether a message of this size should be compressed.
   *
   * @param byteLength The message's payload size.
   * @returns `true` when it is at least {@linkcode PerMessageDeflate.threshold}.
   */
  shouldCompress(byteLength: number): boolean {
    return byteLength >= this.threshold;
  }

  /**
   * Compresses one whole message, or one piece of a streamed message.
   *
   * @param data The message payload, or the next piece of it.
   * @param fin `false` for a piece that more will follow: its output is flushed (so it can
   *   be sent as a frame now) and keeps the `00 00 ff ff` marker. Pieces of one message,
   *   sent in order with the first frame's RSV1 set, form one compressed message.
   * @returns The payload to send; on `fin` without the trailing `00 00 ff ff`.
   * @throws {Error} The context is disposed.
   */
  compress(data: Uint8Array, fin = true): Uint8Array<ArrayBuffer> {
    const engine = this.#deflater ??= this.#open("deflate");
    const out = this.#run(engine, data, Infinity);
    if (!fin) return out;
    if (this.#ownReset) engine.handle.reset();
    // zlib emits nothing when nothing came since the last flush; RFC 7692 section 7.2.3.6
    // sends one empty stored block instead (0x00, completed by the receiver's 00 00 ff ff).
    if (out.length === 0) return new Uint8Array(1);
    // Z_SYNC_FLUSH output ends with an empty stored block: 00 00 ff ff.
    return out.subarray(0, out.length - 4);
  }

  /**
   * Inflates one frame of a compressed message, in order.
   *
   * @param fragment The frame's payload.
   * @param fin Whether this frame ends the message.
   * @returns The bytes this frame inflated to (possibly empty).
   * @throws {RangeError} With `code` "toobig": the message would exceed `maxMessageSize`;
   *   inflating stops within 64 KiB of the limit.
   * @throws {SyntaxError} With `code` "protocol": the data is not valid deflate.
   * @throws {Error} The context is disposed.
   */
  decompress(fragment: Uint8Array, fin: boolean): Uint8Array<ArrayBuffer> {
    const engine = this.#inflater ??= this.#open("inflate");
    try {
      let out = this.#inflate(engine, fragment);
      if (fin) {
        const tail = this.#inflate(engine, TAIL);
        if (tail.length > 0) out = out.length === 0 ? tail : concat([out, tail]);
        this.#finishMessage(engine, this.#peerReset);
      }
      return out;
    } catch (error) {
      this.#finishMessage(engine, true);
      throw error;
    }
  }

  /** Frees the zlib contexts; later calls to compress or decompress throw. Idempotent. */
  dispose(): void {
    this.#disposed = true;
    this.#deflater?.handle.close();
    this.#inflater?.handle.close();
    this.#deflater = this.#inflater = null;
  }

  /** Same as {@linkcode PerMessageDeflate.dispose}, for `using`. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  #open(kind: "deflate" | "inflate"): Engine {
    if (this.#disposed) {
      throw new Error(`Cannot ${kind}: the permessage-deflate context is disposed`);
    }
    if (kind === "inflate") {
      // zlib peers told to use 8 bits use 9; a larger window still inflates smaller ones.
      return new Engine(createInflateRaw({
        windowBits: Math.max(9, this.#peerWindow),
        chunkSize: MIN_CHUNK,
      }));
    }
    // zlib cannot compress with a 256-byte window; Huffman-only output has no distances.
    const huffmanOnly = this.#ownWindow === 8;
    return new Engine(createDeflateRaw({
      windowBits: huffmanOnly ? 9 : this.#ownWindow,
      level: this.#level,
      strategy: huffmanOnly ? constants.Z_HUFFMAN_ONLY : constants.Z_DEFAULT_STRATEGY,
      chunkSize: MIN_CHUNK,
    }));
  }

  /** Inflates `input` into the message, enforcing the size limit as output appears. */
  #inflate(engine: Engine, input: Uint8Array): Uint8Array<ArrayBuffer> {
    const out = this.#run(engine, input, this.#maxMessageSize - this.#inflated);
    this.#inflated += out.length;
    return out;
  }

  #finishMessage(engine: Engine, reset: boolean): void {
    if (reset || this.#ended) engine.handle.reset();
    engine.error = null;
    this.#inflated = 0;
    this.#ended = false;
  }

  /**
   * Runs `input` through `engine` with Z_SYNC_FLUSH, in chunks of at most 64 KiB.
   * `room` bounds the output: exceeding it throws "toobig" before more is produced.
   */
  #run(engine: Engine, input: Uint8Array, room: number): Uint8Array<ArrayBuffer> {
    const out = scratch ??= new Uint8Array(CHUNK);
    const chunks: Uint8Array<ArrayBuffer>[] = [];
    let total = 0;
    let offset = 0;
    let restarted = false;
    while (true) {
      // One byte beyond the room is enough to detect an overflow.
      const space = Math.min(CHUNK, room - total + 1);
      const pending = input.length - offset;
      engine.handle.writeSync(constants.Z_SYNC_FLUSH, input, offset, pending, out, 0, space);
      if (engine.error !== null) throw protocolError(engine.error);
      const spaceLeft = engine.state[0]!;
      const inputLeft = engine.state[1]!;
      const produced = space - spaceLeft;
      total += produced;
      if (total > room) throw tooBigError(this.#maxMessageSize);
      if (produced > 0) chunks.push(out.slice(0, produced));
      offset += pending - inputLeft;
      if (spaceLeft === 0) continue;
      // zlib stopped with room to spare: the input is used up, or the deflate stream
      // ended (a block with BFINAL set) before it.
      if (inputLeft === 0) return chunks.length === 1 ? chunks[0]! : concat(chunks);
      // RFC 7692 section 7.2.3.4: what follows a final block starts a new stream (at least
      // the 0x00 that our appended 00 00 ff ff completes). The message end drops it all.
      if (restarted && inputLeft === pending && produced === 0) {
        throw protocolError("the deflate stream makes no progress");
      }
      engine.handle.reset();
      this.#ended = restarted = true;
    }
  }
}

function protocolError(detail: string): CodedError {
  return Object.assign(new SyntaxError(`Cannot inflate message: ${detail}`), {
    code: "protocol" as const,
  });
}

function tooBigError(limit: number): CodedError {
  return Object.assign(
    new RangeError(`Cannot inflate message: it exceeds maxMessageSize of ${limit} bytes`),
    { code: "toobig" as const },
  );
}

function concat(chunks: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(chunks.reduce((sum, c) => sum + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
