/**
 * One request and its response on a server connection: the state both
 * handler styles share. The request side reads the body (sending
 * `100 Continue` first when the client asked for it, and counting bytes
 * against the body limit); the response side buffers small bodies so that
 * they go out with a `Content-Length` in one write with the head, and
 * streams larger ones chunked (or close-delimited to HTTP/1.0 clients).
 */
import type { Socket, Suspension, WriteData } from "@cosocket/socket";
import { BodyReader, concat, type Framing } from "./_body_reader.ts";
import { httpDate } from "./_date.ts";
import { field } from "./_fields.ts";
import { statusText } from "./_status_text.ts";
import type { RequestHead } from "./head.ts";
import { HttpError } from "./http_error.ts";
import { allocBytes } from "@cosocket/socket/alloc-bytes";

/** The limits an exchange enforces. */
export interface ExchangeLimits {
  /** The largest request body. */
  maxBodySize: number;
  /** Milliseconds per body read; `undefined` waits forever. */
  bodyTimeout: number | undefined;
  /** `true` once the server shuts down: responses then end their connection. */
  closing?: () => boolean;
}

/** Bytes buffered before a response without `Content-Length` starts streaming. */
const BUFFER_LIMIT = 16 * 1024;
/** Chunks up to this size are framed in one buffer (see `#send`). */
const FRAME_COPY_LIMIT = 256 * 1024;
const CONTINUE = new TextEncoder().encode("HTTP/1.1 100 Continue\r\n\r\n");
const LAST_CHUNK = new TextEncoder().encode("0\r\n\r\n");
const CRLF = new TextEncoder().encode("\r\n");
/** The `close` and `keep-alive` options of a (lower-cased) `Connection` field. */
const CLOSE_OPTION = /(?:^|,)\s*close\s*(?:,|$)/;
const KEEP_ALIVE_OPTION = /(?:^|,)\s*keep-alive\s*(?:,|$)/;
// Header text is checked for non-ASCII, control characters included.
// deno-lint-ignore no-control-regex
const ASCII = /^[\x00-\x7f]*$/;
const encoder = new TextEncoder();

type BodyMode = "length" | "chunked" | "close" | "none";

const EMPTY = new Uint8Array(0);
/**
 * How much of a response (head and first body bytes) leaves in its first
 * write. Small responses are pieces of a shared slab (`allocBytes`: 8 % more
 * small requests per second than a buffer of their own); with TCP_NODELAY
 * on, a 1 MiB response whose head leaves with its first 64 KiB went 22 %
 * faster than one with a head of its own (16 KiB: 8 % slower than 64).
 */
const HEAD_WITH_BODY = 65536;

/** {@linkcode plainHead}'s heads by body length, for the `Date` of {@linkcode plainHeadsDate}. */
const plainHeads = new Map<number, Uint8Array>();
let plainHeadsDate = "";
const MAX_PLAIN_HEADS = 256;

/**
 * The encoded head of a 200 response with only a body, on a kept HTTP/1.1
 * connection: status line, `Date`, `Content-Length`, the bytes
 * `#headText` writes for it. Made once per body length and second: most
 * answers of a busy server have one of a few such heads, and building and
 * encoding one was a tenth of the JavaScript of a small exchange.
 */
function plainHead(length: number): Uint8Array {
  const date = httpDate();
  if (date !== plainHeadsDate) {
    plainHeads.clear();
    plainHeadsDate = date;
  }
  let head = plainHeads.get(length);
  if (head === undefined) {
    if (plainHeads.size >= MAX_PLAIN_HEADS) plainHeads.clear();
    head = encoder.encode(`HTTP/1.1 200 OK\r\ndate: ${date}\r\ncontent-length: ${length}\r\n\r\n`);
    plainHeads.set(length, head);
  }
  return head;
}

/** The exchange of each WHATWG `Request` handed to a handler. */
export const exchanges: WeakMap<object, Exchange> = new WeakMap();

/** Reads a `ServerRequest`'s own exchange (installed by that class: no map entry per request). */
let ownExchange: (request: object) => Exchange | undefined = () => undefined;

/** Installs the reader of {@linkcode exchangeOf} (called once by `ServerRequest`). */
export function installExchangeReader(read: (request: object) => Exchange | undefined): void {
  ownExchange = read;
}

/** The exchange of a request of either handler style, or `undefined`. */
export function exchangeOf(request: object): Exchange | undefined {
  return ownExchange(request) ?? exchanges.get(request);
}

/** The state of one request and its response. */
export class Exchange {
  readonly socket: Socket;
  readonly head: RequestHead;
  readonly body: BodyReader;
  readonly secure: boolean;
  readonly limits: ExchangeLimits;
  /** The connection may carry another request after this one. */
  keepAlive: boolean;
  /** `req2sock` took the connection: the server writes nothing more on it. */
  taken = false;
  /** The response status and headers, until the head is sent. */
  status = 200;
  reason = "";
  #headers: Headers | null = null;
  #headSent = false;
  #ended = false;
  #continued = false;
  readonly #expectContinue: boolean;
  #bodyRead = 0;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #mode: BodyMode = "none";
  /** Bytes still owed by a `Content-Length` response. */
  #left = 0;

  constructor(
    socket: Socket,
    head: RequestHead,
    framing: Framing,
    secure: boolean,
    limits: ExchangeLimits,
  ) {
    this.socket = socket;
    this.head = head;
    this.secure = secure;
    this.limits = limits;
    this.body = new BodyReader(socket, framing, {
      maxLineLength: 4096,
      maxTrailers: 100,
      timeout: limits.bodyTimeout,
      message: "request",
    });
    const connection = field(head, "connection")?.toLowerCase() ?? "";
    // Most requests have no Connection field: no pattern to run then.
    this.keepAlive = head.version === "HTTP/1.1"
      ? connection === "" || !CLOSE_OPTION.test(connection)
      : connection !== "" && KEEP_ALIVE_OPTION.test(connection);
    this.#expectContinue = head.version === "HTTP/1.1" &&
      field(head, "expect")?.toLowerCase() === "100-continue" && !this.body.done;
  }

  /** The response headers (created when first asked for). */
  get headers(): Headers {
    return this.#headers ??= new Headers();
  }

  get headSent(): boolean {
    return this.#headSent;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** `true` when the client waits for `100 Continue` that was never sent. */
  get bodyWithheld(): boolean {
    return this.#expectContinue && !this.#continued;
  }

  // ------------------------------------------------------------- request body

  /** The next piece of the request body, at most `max` bytes; `null` at its end. */
  *read(max: number): Generator<Suspension, Uint8Array | null> {
    yield* this.#continue();
    const piece = yield* this.body.read(max);
    if (piece !== null) this.#count(piece.length);
    return piece;
  }

  /** Reads the next piece of the request body into `buffer`. */
  *readInto(buffer: Uint8Array): Generator<Suspension, number | null> {
    yield* this.#continue();
    const count = yield* this.body.readInto(buffer);
    if (count !== null) this.#count(count);
    return count;
  }

  /** The whole request body (at most the body limit). */
  *bytes(): Generator<Suspension, Uint8Array> {
    yield* this.#continue();
    const whole = yield* this.body.readRestInto();
    if (whole !== null) {
      this.#count(whole.length);
      return whole;
    }
    const parts: Uint8Array[] = [];
    let length = 0;
    let piece;
    while ((piece = yield* this.read(65536)) !== null) {
      parts.push(piece);
      length += piece.length;
    }
    return concat(parts, length);
  }

  *#continue(): Generator<Suspension, void> {
    if (!this.#expectContinue || this.#continued) return;
    this.#continued = true;
    if (!this.#headSent) yield* this.socket.write(CONTINUE);
  }

  #count(bytes: number): void {
    this.#bodyRead += bytes;
    if (this.#bodyRead > this.limits.maxBodySize) {
      this.keepAlive = false;
      throw new HttpError(
        "toolarge",
        `Cannot read request body: more than the limit of ${this.limits.maxBodySize} bytes`,
        { status: 413 },
      );
    }
  }

  // ------------------------------------------------------------ response body

  /** Queues or sends response body bytes. */
  *write(data: WriteData): Generator<Suspension, void> {
    this.#checkOpen("write to");
    const bytes = toBytes(data);
    if (bytes.length === 0) return;
    if (!this.#headSent) {
      const declared = this.#headers?.get("content-length") ?? null;
      if (declared !== null && this.#pendingBytes + bytes.length > Number(declared)) {
        throw new HttpError(
          "incorrectuse",
          `Cannot write to response: ${bytes.length} bytes more than its Content-Length allows (${
            Number(declared) - this.#pendingBytes
          } left)`,
        );
      }
      this.#pending.push(bytes);
      this.#pendingBytes += bytes.length;
      if (this.#pendingBytes >= BUFFER_LIMIT) yield* this.flush();
      return;
    }
    yield* this.#send(bytes);
  }

  /** Sends the head (choosing the framing) and whatever is buffered. */
  *flush(): Generator<Suspension, void> {
    if (this.#ended || this.taken) return;
    if (!this.#headSent) {
      const declared = this.#headers?.get("content-length") ?? null;
      const mode: BodyMode = this.#bodyless()
        ? "none"
        : declared !== null
        ? "length"
        : this.head.version === "HTTP/1.1"
        ? "chunked"
        : "close";
      yield* this.#sendHead(mode, this.#takePending());
      return;
    }
  }

  /**
   * Ends the response with `data` as the rest of its body: with nothing
   * sent yet, the whole body goes out after a `Content-Length` head, with
   * no copy and no chunking however large it is.
   */
  *sendLast(data: WriteData): Generator<Suspension, void> {
    this.#checkOpen("write to");
    const bytes = toBytes(data);
    if (this.#headSent || this.#pendingBytes > 0 || this.#headers?.has("content-length")) {
      yield* this.write(bytes);
      yield* this.end();
      return;
    }
    if (this.#plain()) {
      // A 200 with nothing but its body: a head made once per length and second.
      this.#headSent = true;
      this.#mode = "length";
      this.#ended = true;
      yield* this.#writeSmall(plainHead(bytes.length), bytes);
      return;
    }
    // The head and the whole body in one step (the common response).
    const mode = this.#bodyless() ? "none" : "length";
    const text = this.#headText(mode, bytes.length);
    if (mode === "length") this.#checkLength(bytes.length);
    this.#ended = true;
    yield* this.#writeSmall(text, mode === "none" ? EMPTY : bytes);
  }

  /** Ends the response: sends what is left, with a `Content-Length` when nothing was sent yet. */
  *end(): Generator<Suspension, void> {
    if (this.#ended || this.taken) return;
    if (!this.#headSent) {
      const body = this.#takePending();
      const bodyless = this.#bodyless();
      yield* this.#sendHead(bodyless ? "none" : "length", body, body.length);
    } else if (this.#mode === "chunked") {
      yield* this.socket.write(LAST_CHUNK);
    }
    if (this.#mode === "length" && this.#left > 0) {
      // The response is shorter than it said: the client would wait for the
      // rest, so the connection ends here.
      this.keepAlive = false;
    }
    this.#ended = true;
  }

  /** Forgets a response that has not been sent (to answer with an error instead). */
  reset(): boolean {
    if (this.#headSent) return false;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#headers = null;
    this.reason = "";
    return true;
  }

  /** Whether the head is the plain one of {@linkcode plainHead}, as `#headText` would write it. */
  #plain(): boolean {
    return this.#headers === null && this.status === 200 && this.reason === "" &&
      this.keepAlive && this.head.version === "HTTP/1.1" && this.head.method !== "HEAD" &&
      !(this.limits.closing?.() ?? false);
  }

  #bodyless(): boolean {
    const status = this.status;
    return this.head.method === "HEAD" || status === 204 || status === 304 || status < 200;
  }

  #takePending(): Uint8Array {
    const pending = this.#pending;
    const bytes = pending.length === 1 ? pending[0]! : concat(pending, this.#pendingBytes);
    this.#pending = [];
    this.#pendingBytes = 0;
    return bytes;
  }

  #checkOpen(action: string): void {
    if (this.taken) {
      throw new HttpError(
        "incorrectuse",
        `Cannot ${action} response: req2sock took the connection`,
      );
    }
    if (this.#ended) {
      throw new HttpError("incorrectuse", `Cannot ${action} response: it has ended`);
    }
  }

  /**
   * Sends the head, and `body` after it. `length` is the whole body's
   * length when it is known now (the response ends with `body`): it becomes
   * the `Content-Length` unless the handler set one.
   */
  *#sendHead(mode: BodyMode, body: Uint8Array, length?: number): Generator<Suspension, void> {
    const text = this.#headText(mode, length);
    if (mode === "none" || body.length === 0) {
      yield* this.#writeSmall(text, EMPTY);
      return;
    }
    if (mode === "chunked") {
      yield* this.#writeSmall(text, EMPTY);
      yield* this.#send(body);
      return;
    }
    if (mode === "length") this.#checkLength(body.length);
    yield* this.#writeSmall(text, body);
  }

  /**
   * Marks the head sent and writes its text: status line, `Date`, the
   * framing fields, `Connection`, the handler's fields. `length` is the
   * whole body's length when it is known now.
   */
  #headText(mode: BodyMode, length?: number): string {
    this.#headSent = true;
    this.#mode = mode;
    const headers = this.#headers;
    const declared = headers?.get("content-length") ?? null;
    const reason = this.reason || statusText(this.status);
    if (/[\0\r\n]/.test(reason)) {
      throw new HttpError(
        "incorrectuse",
        "Cannot send response: CR, LF or NUL in the reason phrase",
      );
    }
    let text = `HTTP/1.1 ${this.status} ${reason}\r\n`;
    if (headers === null || !headers.has("date")) text += `date: ${httpDate()}\r\n`;
    if (mode === "length") {
      const size = declared ?? String(length);
      this.#left = /^\d{1,15}$/.test(size) ? Number(size) : -1;
      if (this.#left < 0) {
        throw new HttpError(
          "incorrectuse",
          `Cannot send response: invalid Content-Length ${JSON.stringify(size)}`,
        );
      }
      if (declared === null) text += `content-length: ${size}\r\n`;
    } else if (mode === "chunked") {
      text += "transfer-encoding: chunked\r\n";
    } else if (mode === "close") {
      this.keepAlive = false;
    } else if (
      length !== undefined && length > 0 && declared === null && this.head.method === "HEAD"
    ) {
      text += `content-length: ${length}\r\n`;
    }
    if (this.limits.closing?.()) this.keepAlive = false;
    if (!this.keepAlive) text += "connection: close\r\n";
    else if (this.head.version === "HTTP/1.0") text += "connection: keep-alive\r\n";
    if (headers !== null) {
      for (const [name, value] of headers) {
        if (name === "connection" || name === "transfer-encoding") continue;
        text += `${name}: ${value}\r\n`;
      }
    }
    text += "\r\n";
    return text;
  }

  /**
   * Writes head text and a body: the head with as much of the body as fits
   * one write of 64 KiB (a small response whole, from a piece of a shared
   * slab), and the rest of the body after it.
   */
  *#writeSmall(text: string | Uint8Array, body: Uint8Array): Generator<Suspension, void> {
    const first = Math.max(0, Math.min(body.length, HEAD_WITH_BODY - text.length));
    const out = allocBytes(text.length + first);
    if (typeof text !== "string") out.set(text);
    else {
      const { read, written } = encoder.encodeInto(text, out);
      // ASCII, the usual head, encodes to as many bytes as it has characters.
      if (read !== text.length || written !== text.length) out.set(encodeLatin1(text));
    }
    // Views only when the body is split: a small response is the hot path.
    const whole = first === body.length;
    out.set(whole ? body : body.subarray(0, first), text.length);
    const rest = whole ? EMPTY : body.subarray(first);
    const write = this.socket.write(out);
    // Not waited for on a connection that goes on: the socket sends it in
    // order before anything later, and the next read suspends anyway, so the
    // handler's frames are not resumed once more for this write (4 % more
    // small requests per second), and the responses to pipelined requests
    // leave together. Waited for when the socket's queue length is reached
    // (a client that does not read) or when the connection ends after it.
    if (!write.accepted || (rest.length === 0 && !this.keepAlive)) yield* write;
    if (rest.length > 0) yield* this.socket.write(rest);
  }

  *#send(bytes: Uint8Array): Generator<Suspension, void> {
    switch (this.#mode) {
      case "none":
        return;
      case "length":
        this.#checkLength(bytes.length);
        yield* this.socket.write(bytes);
        return;
      case "close":
        yield* this.socket.write(bytes);
        return;
      case "chunked": {
        const size = encoder.encode(bytes.length.toString(16) + "\r\n");
        // One write per chunk: copying up to 256 KiB costs less than two
        // more writes (and their wake-ups) for the size line and the CRLF.
        if (bytes.length <= FRAME_COPY_LIMIT) {
          const frame = new Uint8Array(size.length + bytes.length + 2);
          frame.set(size);
          frame.set(bytes, size.length);
          frame.set(CRLF, size.length + bytes.length);
          yield* this.socket.write(frame);
        } else {
          yield* this.socket.write(size);
          yield* this.socket.write(bytes);
          yield* this.socket.write(CRLF);
        }
      }
    }
  }

  #checkLength(bytes: number): void {
    if (bytes > this.#left) {
      this.keepAlive = false;
      throw new HttpError(
        "incorrectuse",
        `Cannot write to response: ${bytes} bytes more than its Content-Length allows (${this.#left} left)`,
      );
    }
    this.#left -= bytes;
  }
}

/** Bytes of a write: strings as UTF-8. */
export function toBytes(data: WriteData): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (typeof data === "string") return encoder.encode(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data.view();
}

/** Header text is ISO-8859-1: `Headers` holds byte strings, so each character is one byte. */
function encodeLatin1(text: string): Uint8Array {
  if (ASCII.test(text)) return encoder.encode(text);
  const bytes = new Uint8Array(text.length);
  for (let index = 0; index < text.length; index++) bytes[index] = text.charCodeAt(index);
  return bytes;
}
