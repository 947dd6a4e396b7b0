/**
 * Reads one HTTP/1.1 message body from a socket, whatever its framing
 * (RFC 9112 §6): a `Content-Length`, chunked transfer coding (with its
 * trailers), or the rest of the connection. It keeps its own small buffer
 * for bytes past a chunk boundary; bytes past the end of the body mean the
 * connection cannot be reused.
 */
import { type Socket, SocketError, type Suspension } from "@cosocket/socket";
import { HttpError } from "./http_error.ts";

/** How the body's end is known. */
export type Framing =
  | { kind: "none" }
  | { kind: "length"; length: number }
  | { kind: "chunked" }
  | { kind: "close" };

/** The limits a body reader enforces. */
export interface BodyLimits {
  /** The longest chunk-size line or trailer line. */
  maxLineLength: number;
  /** The most trailer fields. */
  maxTrailers: number;
  /** Milliseconds per socket read; `undefined` waits forever. */
  timeout: number | undefined;
  /** The message whose body this is, for errors. @default {"response"} */
  message?: "request" | "response";
}

const CHUNK_SIZE =
  /^([0-9A-Fa-f]{1,15})(?:[ \t]*;[ \t]*[!#$%&'*+\-.^_`|~0-9A-Za-z]+(?:=(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]+|"(?:[^"\\\r\n]|\\.)*"))?[ \t]*)*$/;

/** The largest buffer one body read allocates (see `#readLength`). */
const FRESH_PIECE = 256 * 1024;

/** One message body being read. */
export class BodyReader {
  readonly #socket: Socket;
  readonly #framing: Framing;
  readonly #limits: BodyLimits;
  /** Bytes read from the socket and not handed out yet. */
  #buffer: Uint8Array | null = null;
  /** Bytes left in the current chunk (chunked) or in the body (length). */
  #left: number;
  #done: boolean;
  /** Chunked: waiting for the CRLF after a chunk's data. */
  #chunkEnd = false;
  /** Made when first asked for: a `Headers` for every request showed in a server's profile. */
  #trailers: Headers | null = null;
  readonly #what: string;

  constructor(socket: Socket, framing: Framing, limits: BodyLimits) {
    this.#socket = socket;
    this.#framing = framing;
    this.#limits = limits;
    this.#what = limits.message ?? "response";
    this.#left = framing.kind === "length" ? framing.length : 0;
    this.#done = framing.kind === "none" || (framing.kind === "length" && framing.length === 0);
  }

  /** The trailer fields of a chunked body, once read. */
  get trailers(): Headers {
    return this.#trailers ??= new Headers();
  }

  /** `true` once the whole body was read. */
  get done(): boolean {
    return this.#done;
  }

  /**
   * `true` when the connection may carry another message: the body ended by
   * its framing and no byte beyond it was received.
   */
  get reusable(): boolean {
    return this.#done && this.#framing.kind !== "close" &&
      (this.#buffer === null || this.#buffer.length === 0);
  }

  /** Takes the bytes read from the socket and not handed out (for a hand-over). */
  takeBuffered(): Uint8Array | null {
    const buffer = this.#buffer;
    this.#buffer = null;
    return buffer !== null && buffer.length > 0 ? buffer : null;
  }

  /**
   * Reads the next piece of the body, at most `max` bytes.
   *
   * @returns The bytes, or `null` at the end of the body.
   */
  *read(max: number): Generator<Suspension, Uint8Array | null> {
    while (!this.#done) {
      switch (this.#framing.kind) {
        case "length":
          return yield* this.#readLength(max);
        case "close":
          return yield* this.#readToClose(max);
        case "chunked": {
          const piece = yield* this.#readChunked(max);
          if (piece !== null) return piece;
          break;
        }
        default:
          this.#done = true;
      }
    }
    return null;
  }

  /**
   * The whole rest of a `Content-Length` body straight into one buffer of its
   * size (large reads, no copy), or `null` for other framings.
   */
  *readRestInto(): Generator<Suspension, Uint8Array | null> {
    if (this.#framing.kind !== "length") return null;
    const out = new Uint8Array(this.#left);
    let at = 0;
    const buffered = this.#buffer;
    if (buffered !== null && buffered.length > 0) {
      const n = Math.min(buffered.length, out.length);
      out.set(buffered.subarray(0, n));
      at = n;
      this.#buffer = n < buffered.length ? buffered.subarray(n) : null;
    }
    while (at < out.length) {
      const count = yield* this.#readInto(out.subarray(at));
      if (count === null) break;
      at += count;
    }
    if (at < out.length) {
      throw new HttpError("protocol", `Cannot read ${this.#what} body: connection ended inside it`);
    }
    this.#left = 0;
    this.#done = true;
    return out;
  }

  /**
   * The whole rest of a `Content-Length` body when every byte of it has
   * arrived already (with the head, typically), taken without waiting;
   * `null` when some bytes are still to come or for other framings.
   */
  takeWhole(): Uint8Array | null {
    if (this.#framing.kind !== "length") return null;
    const left = this.#left;
    const buffered = this.#buffer?.length ?? 0;
    if (buffered + this.#socket.readableLength < left) return null;
    let whole: Uint8Array;
    if (buffered >= left) {
      whole = this.#buffer!.subarray(0, left);
      this.#buffer = buffered > left ? this.#buffer!.subarray(left) : null;
    } else {
      const arrived = this.#socket.readBuffered()!;
      const need = left - buffered;
      whole = buffered === 0 && arrived.length === need ? arrived : new Uint8Array(left);
      if (whole !== arrived) {
        if (buffered > 0) whole.set(this.#buffer!);
        whole.set(arrived.subarray(0, need), buffered);
      }
      // Bytes past the body: the connection is then not reused (see `reusable`).
      this.#buffer = arrived.length > need ? arrived.subarray(need) : null;
    }
    this.#left = 0;
    this.#done = true;
    return whole;
  }

  /**
   * Reads straight into `buffer`. `readInto` with a timeout would go through
   * the socket's own small buffer; without one it reads into ours. The
   * timeout is ours instead: it closes the connection, which ends the read
   * (a body that stalls is fatal to the exchange anyway). Bytes the socket
   * holds already are taken without a timer: a small body arrives with its
   * head, and a timer set and cleared costs more than the rest of its read.
   */
  *#readInto(buffer: Uint8Array): Generator<Suspension, number | null> {
    const socket = this.#socket;
    const ms = this.#limits.timeout;
    if (ms === undefined || socket.readableLength > 0) return yield* socket.readInto(buffer);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      socket.close();
    }, ms);
    let count: number | null = null;
    try {
      count = yield* socket.readInto(buffer);
    } catch (error) {
      if (!timedOut) throw error;
    } finally {
      clearTimeout(timer);
    }
    if (timedOut) {
      throw new SocketError("timeout", `Cannot read ${this.#what} body: no data for ${ms} ms`);
    }
    return count;
  }

  /**
   * Reads the next piece of the body into `buffer` (straight from the socket
   * for `Content-Length` and close-delimited bodies, copied for chunked ones).
   *
   * @returns The byte count, or `null` at the end of the body.
   */
  *readInto(buffer: Uint8Array): Generator<Suspension, number | null> {
    const leftover = this.#buffer !== null && this.#buffer.length > 0;
    if (!leftover && !this.#done && buffer.length > 0) {
      const kind = this.#framing.kind;
      if (kind === "length" || kind === "close") {
        const view = kind === "length"
          ? buffer.subarray(0, Math.min(buffer.length, this.#left))
          : buffer;
        const count = yield* this.#readInto(view);
        if (count === null) {
          if (kind === "length") {
            throw new HttpError(
              "protocol",
              `Cannot read ${this.#what} body: connection ended inside it`,
            );
          }
          this.#done = true;
          return null;
        }
        if (kind === "length") {
          this.#left -= count;
          if (this.#left === 0) this.#done = true;
        }
        return count;
      }
    }
    const piece = yield* this.read(buffer.length);
    if (piece === null) return null;
    buffer.set(piece);
    return piece.length;
  }

  *#take(max: number, required: boolean): Generator<Suspension, Uint8Array | null> {
    let buffer = this.#buffer;
    if (buffer === null || buffer.length === 0) {
      buffer = yield* this.#socket.read(this.#limits.timeout);
      if (buffer === null) {
        if (required) {
          throw new HttpError(
            "protocol",
            `Cannot read ${this.#what} body: connection ended inside it`,
          );
        }
        return null;
      }
    }
    if (buffer.length <= max) {
      this.#buffer = null;
      return buffer;
    }
    this.#buffer = buffer.subarray(max);
    return buffer.subarray(0, max);
  }

  *#readLength(max: number): Generator<Suspension, Uint8Array | null> {
    const want = Math.min(max, this.#left);
    if ((this.#buffer === null || this.#buffer.length === 0) && want >= 65536) {
      // Large pieces: one read straight into a buffer of our own (no copy,
      // and as much as the kernel has, not the socket's 16 KiB windows).
      // No larger than what one read usually brings: a fresh buffer is
      // zero-filled, and a 1 MiB one per 64 KiB read costs more than it saves.
      const fresh = new Uint8Array(Math.min(want, FRESH_PIECE));
      const count = yield* this.#readInto(fresh);
      if (count === null) {
        throw new HttpError(
          "protocol",
          `Cannot read ${this.#what} body: connection ended inside it`,
        );
      }
      this.#left -= count;
      if (this.#left === 0) this.#done = true;
      return fresh.subarray(0, count);
    }
    const piece = (yield* this.#take(want, true))!;
    this.#left -= piece.length;
    if (this.#left === 0) this.#done = true;
    return piece;
  }

  *#readToClose(max: number): Generator<Suspension, Uint8Array | null> {
    const piece = yield* this.#take(max, false);
    if (piece === null) this.#done = true;
    return piece;
  }

  /** A piece of chunk data, or `null` after a chunk-size line or at the end. */
  *#readChunked(max: number): Generator<Suspension, Uint8Array | null> {
    if (this.#left > 0) {
      const piece = (yield* this.#take(Math.min(max, this.#left), true))!;
      this.#left -= piece.length;
      if (this.#left === 0) this.#chunkEnd = true;
      return piece;
    }
    if (this.#chunkEnd) {
      const line = yield* this.#line();
      if (line !== "") {
        throw new HttpError(
          "protocol",
          `Cannot read ${this.#what} body: chunk data is longer than its size`,
        );
      }
      this.#chunkEnd = false;
    }
    const sizeLine = yield* this.#line();
    const match = CHUNK_SIZE.exec(sizeLine);
    if (match === null) {
      throw new HttpError(
        "protocol",
        `Cannot read ${this.#what} body: invalid chunk size line ${
          JSON.stringify(sizeLine.slice(0, 40))
        }`,
      );
    }
    const size = parseInt(match[1]!, 16);
    if (size === 0) {
      yield* this.#readTrailers();
      this.#done = true;
      return null;
    }
    this.#left = size;
    return null;
  }

  *#readTrailers(): Generator<Suspension, void> {
    for (let count = 0;; count++) {
      const line = yield* this.#line();
      if (line === "") return;
      if (count >= this.#limits.maxTrailers) {
        throw new HttpError("toolarge", `Cannot read ${this.#what} body: too many trailer fields`);
      }
      const colon = line.indexOf(":");
      if (colon <= 0 || /[\s]/.test(line.slice(0, colon))) {
        throw new HttpError("protocol", `Cannot read ${this.#what} body: malformed trailer field`);
      }
      try {
        this.trailers.append(line.slice(0, colon), line.slice(colon + 1).trim());
      } catch (cause) {
        throw new HttpError("protocol", `Cannot read ${this.#what} body: malformed trailer field`, {
          cause,
        });
      }
    }
  }

  /** One CRLF-terminated line (without it); a bare LF is refused. */
  *#line(): Generator<Suspension, string> {
    const parts: Uint8Array[] = [];
    let length = 0;
    while (true) {
      const buffer = (yield* this.#take(Infinity, true))!;
      const lf = buffer.indexOf(0x0a);
      const end = lf === -1 ? buffer.length : lf + 1;
      if (length + end > this.#limits.maxLineLength + 2) {
        throw new HttpError("toolarge", `Cannot read ${this.#what} body: chunk line too long`);
      }
      parts.push(buffer.subarray(0, end));
      length += end;
      if (lf !== -1) {
        if (end < buffer.length) this.#buffer = buffer.subarray(end);
        break;
      }
    }
    const bytes = parts.length === 1 ? parts[0]! : concat(parts, length);
    if (bytes.length < 2 || bytes[bytes.length - 2] !== 0x0d) {
      throw new HttpError("protocol", `Cannot read ${this.#what} body: a line ends in a bare LF`);
    }
    return latin1(bytes.subarray(0, bytes.length - 2), this.#what);
  }
}

/** Joins byte arrays whose total length is known. */
export function concat(parts: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function latin1(bytes: Uint8Array, what: string): string {
  let text = "";
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x0d || b === 0x00) {
      throw new HttpError(
        "protocol",
        `Cannot read ${what} body: control character in a line`,
      );
    }
    text += String.fromCharCode(b);
  }
  return text;
}
