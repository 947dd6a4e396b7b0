/**
 * The receiving half of a WebSocket connection: reads bytes from the socket
 * into one buffer, parses frame headers, checks every frame against RFC 6455
 * and the limits, unmasks, inflates and validates UTF-8, and hands out data
 * as pieces. It only records a violation (`failure`); the connection
 * decides how to close.
 *
 * @module
 */
import { allocBytes, type Socket, SocketError, type Suspension } from "@cosocket/socket";
import {
  headerSize,
  mask,
  maskCopy,
  MAX_CONTROL_PAYLOAD,
  OP_BINARY,
  OP_CLOSE,
  OP_CONTINUATION,
  OP_PONG,
  OP_TEXT,
} from "./_frame.ts";
import type { PerMessageDeflate } from "./_permessage_deflate.ts";
import { Slab } from "./_slab.ts";
import { forgetSpareIn, spare } from "./_spare.ts";
import { isValidUtf8, Utf8Validator } from "./_utf8.ts";
import { WebSocketError } from "./web_socket_error.ts";

const FIRST_RX = 1024;
const MAX_RX = 262144;
const EMPTY = new Uint8Array(0);
/** The largest copy carved from the shared slabs (as `allocBytes` carves). */
const SHARED_PIECE = 16384;

/** A socket that closed under a read: the WebSocket's end of stream. */
export function isClosedError(error: unknown): boolean {
  return error instanceof SocketError && error.code === "closed";
}

/** What a receiver needs from its connection. */
export interface FrameReceiverSetup {
  socket: Socket;
  /** The client side expects unmasked frames, the server side masked ones. */
  client: boolean;
  deflate: PerMessageDeflate | null;
  maxFrame: number;
  maxMessage: number;
  maxFragments: number;
  /** Hand out views of the reused receive buffer instead of copies. */
  reuse: boolean;
}

/** Parses the frames of one connection (see the module docs). */
export class FrameReceiver {
  readonly #socket: Socket;
  readonly #client: boolean;
  readonly #deflate: PerMessageDeflate | null;
  readonly #maxFrame: number;
  readonly #maxFragments: number;
  readonly #reuse: boolean;
  /** The largest message, whole or inflated. */
  readonly maxMessage: number;

  /** The first violation of the protocol or a limit; the connection acts on it. */
  failure: WebSocketError | null = null;

  // Incoming bytes not parsed yet: #pending[#at, #end).
  #pending: Uint8Array | null = null;
  #at = 0;
  #end = 0;
  /** The receive buffer, grown as reads fill it. */
  #rx: Uint8Array | null = null;
  #rxSize = FIRST_RX;
  /** Where copies of pieces for callers come from (without `reuse`). */
  #copies: Slab | null = null;

  // The frame being read.
  /** A data frame's header was parsed and its payload is not all handed out. */
  inFrame = false;
  /** The current frame's opcode. */
  opcode = 0;
  /** The current frame's payload length. */
  frameLength = 0;
  #fin = false;
  #key = 0;
  #masked = false;
  #frameRead = 0;
  #control: Uint8Array | null = null;
  /** Where the current frame's header lay, for `spare`. */
  #headerBuffer: Uint8Array | null = null;
  #headerAt = 0;
  #headerSize = 0;

  // The message being read.
  #message = 0; // OP_TEXT, OP_BINARY, or 0 between messages
  #compressed = false;
  #compressedSize = 0;
  #messageSize = 0;
  #fragments = 0;
  #validator: Utf8Validator | null = null;

  // The piece handed out last.
  /** Its text was validated on the way (a whole message for readMessage is not). */
  validatedPiece = false;
  pieceUtf8 = false;
  pieceFinal = false;
  pieceBytesRead = 0;
  pieceFrameLength = 0;
  /** The piece is already a copy the caller may keep. */
  pieceOwned = false;

  constructor(setup: FrameReceiverSetup) {
    this.#socket = setup.socket;
    this.#client = setup.client;
    this.#deflate = setup.deflate;
    this.#maxFrame = setup.maxFrame;
    this.maxMessage = setup.maxMessage;
    this.#maxFragments = setup.maxFragments;
    this.#reuse = setup.reuse;
  }

  /** Bytes received and not parsed yet. */
  get available(): number {
    return this.#end - this.#at;
  }

  /**
   * Parses the next frame header if it has fully arrived, and checks it
   * against the protocol and the limits (a violation lands in `failure`).
   *
   * @returns `false` when more bytes are needed.
   */
  parseHeader(): boolean {
    const available = this.#end - this.#at;
    if (available < 2) return false;
    const bytes = this.#pending!;
    let at = this.#at;
    const first = bytes[at]!;
    const second = bytes[at + 1]!;
    const masked = (second & 0x80) !== 0;
    const length7 = second & 0x7f;
    const size = 2 + (length7 === 126 ? 2 : length7 === 127 ? 8 : 0) + (masked ? 4 : 0);
    if (available < size) return false;
    at += 2;
    let length = length7;
    if (length7 === 126) {
      length = (bytes[at]! << 8) | bytes[at + 1]!;
      at += 2;
    } else if (length7 === 127) {
      const high = ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) |
        bytes[at + 3]!) >>> 0;
      const low = ((bytes[at + 4]! << 24) | (bytes[at + 5]! << 16) | (bytes[at + 6]! << 8) |
        bytes[at + 7]!) >>> 0;
      length = high >= 0x200000 ? Number.MAX_SAFE_INTEGER : high * 0x100000000 + low;
      if (high >= 0x80000000) {
        this.violation(1002, "Cannot read frame: 64-bit length has its most significant bit set");
      }
      at += 8;
    }
    if (masked) {
      this.#key = (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) |
        (bytes[at + 3]! << 24)) >>> 0;
      at += 4;
    }
    this.#headerBuffer = bytes;
    this.#headerAt = this.#at;
    this.#headerSize = size;
    this.#consume(size);
    this.inFrame = true;
    this.#fin = (first & 0x80) !== 0;
    this.opcode = first & 0x0f;
    this.#masked = masked;
    this.frameLength = length;
    this.#frameRead = 0;
    if (this.failure === null) this.#check(first, masked, length);
    return true;
  }

  /**
   * The next piece of the current data frame from the bytes that have
   * arrived (at least one), or `null` when there is nothing to hand out
   * yet (compressed bytes that inflate to nothing, a violation).
   */
  nextPiece(forMessage: boolean): Uint8Array | null {
    const data = this.#takePayload(this.#end - this.#at);
    return this.#dataPiece(data, this.#frameRead === this.frameLength, forMessage);
  }

  /** The piece of a data frame with an empty payload. */
  emptyPiece(forMessage: boolean): Uint8Array | null {
    this.inFrame = false;
    this.pieceOwned = false;
    return this.#dataPiece(EMPTY, true, forMessage);
  }

  /**
   * Reads the current control frame's payload, unmasked; `null` at end of
   * stream. Its bytes are valid until the next read.
   */
  *readControl(timeout: number | undefined): Generator<Suspension, Uint8Array | null> {
    const length = this.frameLength;
    let payload: Uint8Array;
    const available = this.#end - this.#at;
    if (length === 0) {
      payload = EMPTY;
    } else if (this.#control === null && available >= length) {
      payload = this.#pending!.subarray(this.#at, this.#at + length);
      this.#consume(length);
    } else {
      // Control payloads are at most 125 bytes, so gathering them is cheap.
      const control = this.#control ??= new Uint8Array(length);
      while (this.#frameRead < length) {
        const have = this.#end - this.#at;
        if (have === 0) {
          if (!(yield* this.fill(timeout))) return null;
          continue;
        }
        const take = Math.min(have, length - this.#frameRead);
        control.set(this.#pending!.subarray(this.#at, this.#at + take), this.#frameRead);
        this.#consume(take);
        this.#frameRead += take;
      }
      payload = control;
      this.#control = null;
    }
    if (this.#masked) mask(payload, this.#key, 0);
    this.inFrame = false;
    this.#frameRead = length;
    return payload;
  }

  /**
   * Reads more bytes from the network into the receive buffer; `false` at
   * end of stream. The bytes left (a partial header at most) move to the
   * front and the socket reads in after them; a read that fills the buffer
   * doubles it for the next one. Views of the old contents die here.
   */
  *fill(timeout: number | undefined): Generator<Suspension, boolean> {
    let count: number | null = null;
    try {
      count = yield* this.#socket.readInto(this.fillBuffer(), timeout);
    } catch (error) {
      if (!isClosedError(error)) throw error;
    }
    return this.filled(count);
  }

  /**
   * The first half of `fill`, for a reader that reads itself: moves the
   * bytes left to the front and returns where the socket reads in.
   */
  fillBuffer(): Uint8Array {
    const rest = this.#end - this.#at;
    let rx = this.#rx;
    if (rx === null || rx.length < this.#rxSize) {
      const grown = new Uint8Array(this.#rxSize);
      if (rest > 0) grown.set(this.#pending!.subarray(this.#at, this.#end));
      rx = this.#rx = grown;
    } else if (rest > 0) {
      rx.copyWithin(0, this.#at, this.#end);
    }
    forgetSpareIn(rx.buffer);
    this.#pending = rx;
    this.#at = 0;
    this.#end = rest;
    return rest === 0 ? rx : rx.subarray(rest);
  }

  /**
   * The second half of `fill`: takes in the `count` bytes the socket read
   * (`null`: end of stream, returns `false`).
   */
  filled(count: number | null): boolean {
    if (count === null) return false;
    const rx = this.#pending!;
    const end = this.#end + count;
    if (end === rx.length && this.#rxSize < MAX_RX) this.#rxSize *= 2;
    this.#end = end;
    return true;
  }

  /**
   * A buffer of `size` bytes for a copy the caller will own, with `room`
   * bytes before it for a frame header: a message written on right away
   * needs no second copy. Small ones are pieces of the shared slabs
   * (`allocBytes`, 8-byte aligned), larger ones come from this connection's
   * slab.
   */
  #copyBuffer(room: number, size: number): Uint8Array {
    const total = room + size;
    const buffer = total <= SHARED_PIECE
      ? allocBytes(total)
      : (this.#copies ??= new Slab()).take(total);
    return buffer.subarray(room);
  }

  /** A copy of a piece that the caller owns (the receive buffer is reused). */
  own(data: Uint8Array): Uint8Array {
    const room = headerSize(data.length, false);
    const copy = this.#copyBuffer(room, data.length);
    copy.set(data);
    if (data === spare.bytes) {
      spare.bytes = copy;
      spare.room = room;
    }
    return copy;
  }

  /** Records a violation; the first one wins. */
  violation(closeCode: number, message: string, cause?: unknown): void {
    this.failure ??= new WebSocketError("protocol", message, { closeCode, cause });
  }

  /** The payload bytes of the current frame that have arrived, unmasked. */
  #takePayload(available: number): Uint8Array {
    const take = Math.min(available, this.frameLength - this.#frameRead);
    const pending = this.#pending!;
    const at = this.#at;
    this.pieceOwned = !this.#reuse && take === this.frameLength &&
      this.#message === OP_BINARY && !this.#compressed;
    if (this.pieceOwned) return this.#ownedPayload(pending, at, take);
    const data = pending.subarray(at, at + take);
    const whole = take === this.frameLength && pending === this.#headerBuffer &&
      at === this.#headerAt + this.#headerSize;
    this.#consume(take);
    if (this.#masked) mask(data, this.#key, this.#frameRead);
    this.#frameRead += take;
    if (this.#frameRead === this.frameLength) this.inFrame = false;
    if (whole && this.#fin && this.#fragments === 1 && !this.#compressed) {
      spare.bytes = data;
      spare.room = this.#headerSize;
    }
    return data;
  }

  /**
   * A whole binary frame the caller will own: copied (and unmasked) in one
   * pass, with room for a header in front (see `own`).
   */
  #ownedPayload(pending: Uint8Array, at: number, take: number): Uint8Array {
    const room = (headerSize(take, false) + 3) & ~3;
    const copy = this.#copyBuffer(room, take);
    if (this.#masked) maskCopy(copy, pending, at, take, this.#key);
    else copy.set(pending.subarray(at, at + take));
    this.#consume(take);
    this.#frameRead += take;
    this.inFrame = false;
    if (this.#fin && this.#fragments === 1) {
      spare.bytes = copy;
      spare.room = room;
    }
    return copy;
  }

  /**
   * Turns payload bytes of a data frame into a piece for the reader:
   * inflates, validates UTF-8, and keeps the message's bookkeeping.
   *
   * @returns The piece, or `null` when there is nothing to hand out.
   */
  #dataPiece(data: Uint8Array, frameDone: boolean, forMessage: boolean): Uint8Array | null {
    const final = frameDone && this.#fin;
    const text = this.#message === OP_TEXT;
    let bytesRead = this.#frameRead;
    let frameLength = this.frameLength;
    if (this.#compressed) {
      const inflated = this.#inflate(data, final);
      if (inflated === null) return null;
      data = inflated;
      this.#messageSize += data.length;
      bytesRead = frameLength = this.#messageSize;
      if (data.length === 0 && !final) return null;
    }
    this.validatedPiece = true;
    if (text) {
      const wholeMessage = final && this.#validator === null && bytesRead === data.length;
      if (wholeMessage && forMessage) {
        // readMessage validates while decoding: one pass instead of two.
        this.validatedPiece = false;
      } else if (wholeMessage ? !isValidUtf8(data) : !this.#validateMore(data, final)) {
        this.violation(1007, "Cannot read message: text is not valid UTF-8");
        return null;
      }
    }
    this.pieceUtf8 = text;
    this.pieceFinal = final;
    this.pieceBytesRead = bytesRead;
    this.pieceFrameLength = frameLength;
    if (final) this.#endMessage();
    return data;
  }

  #validateMore(data: Uint8Array, final: boolean): boolean {
    const validator = this.#validator ??= new Utf8Validator();
    return validator.push(data) && (!final || validator.finish());
  }

  #inflate(data: Uint8Array, final: boolean): Uint8Array | null {
    this.#compressedSize += data.length;
    // An empty compressed message is an empty message; zlib would take the
    // bare sync marker as the start of the next one.
    if (final && this.#compressedSize === 0) return EMPTY;
    try {
      return this.#deflate!.decompress(data, final);
    } catch (error) {
      const tooBig = (error as { code?: unknown }).code === "toobig";
      this.violation(
        tooBig ? 1009 : 1007,
        tooBig
          ? `Cannot read message: inflated message exceeds ${this.maxMessage} bytes`
          : "Cannot read message: compressed data is corrupt",
        error,
      );
      return null;
    }
  }

  #endMessage(): void {
    this.#message = 0;
    this.#compressed = false;
    this.#compressedSize = 0;
    this.#messageSize = 0;
    this.#fragments = 0;
    this.#validator?.reset();
    this.#validator = null;
  }

  #consume(count: number): void {
    this.#at += count;
    if (this.#at === this.#end) {
      this.#pending = null;
      this.#at = this.#end = 0;
    }
  }

  #check(first: number, masked: boolean, length: number): void {
    const opcode = first & 0x0f;
    const rsv1 = (first & 0x40) !== 0;
    if ((first & 0x30) !== 0) {
      return this.violation(1002, "Cannot read frame: reserved bits RSV2/RSV3 are set");
    }
    if (masked === this.#client) {
      return this.violation(
        1002,
        this.#client
          ? "Cannot read frame: a server must not mask its frames"
          : "Cannot read frame: a client must mask its frames",
      );
    }
    if (opcode >= OP_CLOSE) {
      if (opcode > OP_PONG) {
        return this.violation(1002, `Cannot read frame: reserved opcode ${opcode}`);
      }
      if (!this.#fin) return this.violation(1002, "Cannot read frame: fragmented control frame");
      if (length > MAX_CONTROL_PAYLOAD) {
        return this.violation(1002, `Cannot read frame: control frame of ${length} bytes`);
      }
      if (rsv1) return this.violation(1002, "Cannot read frame: RSV1 set on a control frame");
      return;
    }
    if (opcode > OP_BINARY) {
      return this.violation(1002, `Cannot read frame: reserved opcode ${opcode}`);
    }
    if (opcode === OP_CONTINUATION) {
      if (this.#message === 0) {
        return this.violation(1002, "Cannot read frame: continuation without a message");
      }
      if (rsv1) return this.violation(1002, "Cannot read frame: RSV1 set on a continuation");
    } else {
      if (this.#message !== 0) {
        return this.violation(1002, "Cannot read frame: new message inside a fragmented one");
      }
      if (rsv1 && this.#deflate === null) {
        return this.violation(1002, "Cannot read frame: RSV1 set without an extension");
      }
      this.#message = opcode;
      this.#compressed = rsv1;
    }
    if (length > this.#maxFrame) {
      return this.violation(1009, `Cannot read frame: ${length} bytes exceed ${this.#maxFrame}`);
    }
    if (++this.#fragments > this.#maxFragments) {
      return this.violation(1009, `Cannot read message: more than ${this.#maxFragments} frames`);
    }
    if (!this.#compressed) {
      this.#messageSize += length;
      if (this.#messageSize > this.maxMessage) {
        return this.violation(
          1009,
          `Cannot read message: ${this.#messageSize} bytes exceed ${this.maxMessage}`,
        );
      }
    }
  }
}
