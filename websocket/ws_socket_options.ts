import type { WriteOperation } from "@cosocket/socket";
import type { PerMessageDeflateOptions } from "./per_message_deflate_options.ts";

/** Limits on what a peer may send; all apply before memory is committed. */
export interface WsLimits {
  /**
   * The largest frame payload accepted; larger frames close the connection
   * with 1009. The seed's limit is 65,535.
   *
   * @default {16777216}
   */
  maxFrameSize?: number;
  /**
   * The largest message accepted, counting inflated bytes of compressed
   * messages; larger ones close the connection with 1009.
   *
   * @default {16777216}
   */
  maxMessageSize?: number;
  /**
   * The most frames one message may arrive in; more close the connection
   * with 1009 (floods of tiny fragments).
   *
   * @default {131072}
   */
  maxFragments?: number;
}

/** Settings of a WebSocket connection, for both ends. */
export interface WsSocketOptions extends WsLimits {
  /**
   * How long `close()` waits for the peer's close frame before it closes
   * the TCP connection anyway, in milliseconds.
   *
   * @default {1000}
   */
  closeTimeout?: number;
  /**
   * Sends a ping every this many milliseconds and drops the connection
   * when the previous ping got no pong by then (`0`: off). Pongs are seen
   * while the connection is read.
   *
   * @default {0}
   */
  heartbeat?: number;
  /**
   * Splits each message sent with `write` into frames of at most this
   * many payload bytes (`0`: one frame per message).
   *
   * @default {0}
   */
  fragmentSize?: number;
  /**
   * Reads into one receive buffer per connection, reused: the data that
   * `read()` and `readMessage()` return (bytes, not strings) is then a view
   * of that buffer, valid only until the next read. Await a write of such
   * data before reading again. Saves an allocation per message, and with
   * it most of the garbage collection of a busy server.
   *
   * @default {false}
   */
  reuseReadBuffer?: boolean;
  /**
   * Offers (client) or accepts (server) permessage-deflate.
   *
   * @default {false}
   */
  perMessageDeflate?: boolean | PerMessageDeflateOptions;
  /**
   * The most bytes of messages that writers who do not wait (`send` in a
   * loop, a callback) may leave queued for a slow peer. Past it a write is
   * refused whole, as the socket's writes are past `queuelen`: its
   * `accepted` is `false`, a caller that awaits it waits instead, and a
   * refusal nobody looked at makes the next write throw `SocketError`
   * code `queuefull` (with a one-time warning naming the call). A peer that
   * never reads can then not grow a server's memory without end.
   *
   * @default {4194304}
   */
  maxBufferedAmount?: number;
}

/** The default of `WsSocketOptions.maxBufferedAmount`: 4 MiB. */
export const DEFAULT_MAX_BUFFERED_AMOUNT = 4 * 1024 * 1024;

/** A message being sent in fragments; from {@linkcode WsSocket.prototype.writer}. */
export interface WsMessageWriter {
  /**
   * Sends one fragment (a frame) of the message.
   *
   * @param chunk The fragment's payload.
   * @returns The write of the frame.
   */
  write(chunk: Uint8Array | string): WriteOperation;
  /**
   * Sends the final fragment and ends the message.
   *
   * @param chunk The last payload bytes (none by default).
   * @returns The write of the frame.
   */
  end(chunk?: Uint8Array | string): WriteOperation;
}
