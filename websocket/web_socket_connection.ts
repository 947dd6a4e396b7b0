import type { Operation, SocketLike } from "@cosocket/socket";

/**
 * One piece of incoming data, in the seed's `socket:read` return forms:
 * the payload as it trickles in, with the text/binary flag, and where the
 * piece is part of a larger frame, how much of the frame has arrived.
 */
export interface WsChunk {
  /** The payload bytes of this piece, unmasked (and inflated). */
  data: Uint8Array;
  /** `true` for a text message, `false` for binary (the seed's `utf8`). */
  utf8: boolean;
  /**
   * Payload bytes of the current frame delivered so far, this piece
   * included. For a compressed message: inflated bytes of the message so
   * far.
   */
  bytesRead: number;
  /**
   * The current frame's payload length; the frame is complete when
   * `bytesRead === frameLength`. For a compressed message it equals
   * `bytesRead`, since the inflated length is not known in advance.
   */
  frameLength: number;
  /** `true` when this piece ends the message. */
  final: boolean;
}

/**
 * A WebSocket connection, whichever class carries it: {@linkcode WsSocket}
 * (ours, from `connect` and `upgrade` of a cosocket request) and
 * {@linkcode NativeWsSocket} (Deno's own, from `upgrade` of a WHATWG
 * `Request`). Write code against this interface and it runs on both.
 *
 * @example An echo that serves either kind
 * ```ts
 * import { connect, upgrade, type WebSocketConnection } from "@cosocket/websocket";
 * import { servcon, type ServerRequest } from "@cosocket/http";
 *
 * function* echo(ws: WebSocketConnection) {
 *   let message;
 *   while ((message = yield* ws.readMessage()) !== null) yield* ws.send(message);
 * }
 * await using server = servcon(0, function* (request: ServerRequest) {
 *   yield* echo(yield* upgrade(request));
 * }, { hostname: "127.0.0.1" });
 * await using ws = await connect(`ws://127.0.0.1:${server.port}/`);
 * await ws.send("hello");
 * console.log(await ws.readMessage()); // "hello"
 * ```
 */
export interface WebSocketConnection extends SocketLike<WebSocketConnection> {
  /**
   * Reads the next piece of data as it arrives (the seed's `socket:read`).
   *
   * @param timeout The longest wait in milliseconds.
   * @returns The piece, or `null` once the connection closed.
   */
  read(timeout?: number): Operation<WsChunk | null>;
  /**
   * Reads the next whole message.
   *
   * @param timeout The longest wait in milliseconds.
   * @returns A string for text, bytes for binary, or `null` once closed.
   */
  readMessage(timeout?: number): Operation<string | Uint8Array | null>;
  /**
   * Sends a message: text when `utf8` is `true` (a string is always text).
   *
   * @param data The payload.
   * @param utf8 Send bytes as a text message.
   * @returns An operation that finishes when the message is on its way.
   */
  write(data: Uint8Array | string, utf8?: boolean): Operation<void>;
  /**
   * Sends a message: a string as text, bytes as binary.
   *
   * @param data The payload.
   * @returns An operation that finishes when the message is on its way.
   */
  send(data: string | Uint8Array): Operation<void>;
  /**
   * Sends a ping.
   *
   * @param data Its payload.
   * @returns An operation that finishes when the ping is on its way.
   */
  ping(data?: Uint8Array | string): Operation<void>;
  /**
   * Runs the closing handshake.
   *
   * @param code The close code.
   * @param reason The close reason.
   * @returns An operation that finishes once the connection is closed.
   */
  close(code?: number, reason?: string): Operation<void>;
  /** Bytes queued and not yet sent. */
  readonly bufferedAmount: number;
  /**
   * Reads or sets the send queue's limit.
   *
   * @param size The new limit in bytes.
   * @returns The limit.
   */
  queuelen(size?: number): number;
  /** The close code once closed, or `null`. */
  readonly closeCode: number | null;
  /** The close reason once closed. */
  readonly closeReason: string;
  /** The subprotocol agreed on, or `""`. */
  readonly protocol: string;
  /** The extensions agreed on, or `""`. */
  readonly extensions: string;
}
