/**
 * One server connection: read a request head, decide the body's framing,
 * run the handler, finish the response, and go on with the next request
 * while the connection may be kept alive. Requests are answered strictly
 * one after another, so pipelined requests get their responses in order.
 * Whatever goes wrong ends this connection only.
 */
import { type Socket, SocketError, type Suspension } from "@cosocket/socket";
import { concat } from "./_body_reader.ts";
import { Exchange, type ExchangeLimits } from "./_exchange.ts";
import { field } from "./_fields.ts";
import { requestFraming } from "./_request_framing.ts";
import { statusText } from "./_status_text.ts";
import { findHeadEnd, parseRequestHead, type RequestHead } from "./head.ts";
import { HttpError } from "./http_error.ts";

/** The most bytes of an unread request body drained to keep the connection. */
const DRAIN_LIMIT = 256 * 1024;

/** The server's side of a connection, for the timeout sweeper and shutdown. */
export interface ConnectionRecord {
  readonly socket: Socket;
  /** When the wait for a request head ends (ms since the epoch), or 0. */
  deadline: number;
  /** Waiting for a request (no request in progress). */
  idle: boolean;
}

/** What a connection needs from its server. */
export interface ConnectionHost {
  readonly secure: boolean;
  readonly closing: boolean;
  readonly limits: ExchangeLimits & {
    maxHeaderSize: number;
    maxHeaders: number;
    headersTimeout: number;
    keepAliveTimeout: number;
  };
  readonly connections: Set<ConnectionRecord>;
  /** Runs the handler for one exchange; never throws. */
  handle(exchange: Exchange): Generator<Suspension, void>;
}

/**
 * Serves requests on `socket` until the client closes, a response asks
 * for the connection to end, an error, or the server's shutdown.
 */
export function* serveConnection(
  host: ConnectionHost,
  socket: Socket,
): Generator<Suspension, void> {
  const record: ConnectionRecord = { socket, deadline: 0, idle: true };
  host.connections.add(record);
  let handedOver = false;
  try {
    const limits = host.limits;
    let first = true;
    while (!host.closing) {
      record.idle = true;
      record.deadline = Date.now() + (first ? limits.headersTimeout : limits.keepAliveTimeout);
      const bytes = yield* readHead(socket, limits.maxHeaderSize);
      record.deadline = 0;
      record.idle = false;
      first = false;
      if (bytes === null) return;
      // A number is the status to refuse the request with.
      const exchange = typeof bytes === "number" ? bytes : openExchange(host, bytes, socket);
      if (typeof exchange === "number") {
        yield* answerError(socket, exchange);
        return;
      }
      yield* host.handle(exchange);
      if (exchange.taken) {
        handedOver = true;
        return;
      }
      if (!exchange.keepAlive || host.closing) return;
      if (!exchange.body.done && !(yield* drain(exchange))) return;
      // The body reader may hold the start of a pipelined request.
      const rest = exchange.body.takeBuffered();
      if (rest !== null) socket.unread(rest);
    }
  } catch (error) {
    // A SocketError: the client went away or the server closed the
    // connection. Anything else is a bug here, reported without taking the
    // server down.
    if (!(error instanceof SocketError)) console.error("HTTP connection failed:", error);
  } finally {
    host.connections.delete(record);
    if (!handedOver) socket.close();
  }
}

/**
 * Reads a head: its bytes, `null` when the connection ended (or was closed
 * by the timeout sweeper) between requests, or the status to answer with.
 * Bytes after the head (a body, pipelined requests) go back to the socket.
 */
function* readHead(
  socket: Socket,
  maxHeaderSize: number,
): Generator<Suspension, Uint8Array | number | null> {
  let buffer: Uint8Array | null = null;
  while (true) {
    let chunk: Uint8Array | null;
    try {
      chunk = (yield* socket.read()) as Uint8Array | null;
    } catch (error) {
      if (error instanceof SocketError) return null;
      throw error;
    }
    if (chunk === null) return null;
    const from = buffer === null ? 0 : Math.max(0, buffer.length - 3);
    buffer = buffer === null ? chunk : concat([buffer, chunk], buffer.length + chunk.length);
    const end = findHeadEnd(buffer, from);
    if (end >= 0) {
      if (end > maxHeaderSize) return 431;
      if (end < buffer.length) socket.unread(buffer.subarray(end));
      return end < buffer.length ? buffer.subarray(0, end) : buffer;
    }
    if (buffer.length > maxHeaderSize) return 431;
  }
}

/**
 * Parses the head and checks what must hold before a handler sees it.
 *
 * @returns The exchange, or the status to refuse the request with.
 */
function openExchange(host: ConnectionHost, bytes: Uint8Array, socket: Socket): Exchange | number {
  let head: RequestHead;
  try {
    head = parseRequestHead(bytes, host.limits);
  } catch (error) {
    return error instanceof RangeError ? 431 : 400;
  }
  const hosts = field(head, "host");
  if (head.version === "HTTP/1.1" && (hosts === null || hosts.includes(","))) {
    // RFC 9112 §3.2: exactly one Host field in an HTTP/1.1 request.
    return 400;
  }
  try {
    const framing = requestFraming(head, host.limits.maxBodySize);
    const exchange = new Exchange(socket, head, framing, host.secure, host.limits);
    if (host.closing) exchange.keepAlive = false;
    return exchange;
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    return error.status ?? 400;
  }
}

/**
 * Reads what the handler left of the request body, so that the next
 * request can be read; `false` when that is not worth it (too much left,
 * the body was never asked for with `100-continue`, or it is malformed).
 */
function* drain(exchange: Exchange): Generator<Suspension, boolean> {
  if (exchange.bodyWithheld) return false;
  let drained = 0;
  try {
    let piece;
    while ((piece = yield* exchange.body.read(65536)) !== null) {
      drained += piece.length;
      if (drained > DRAIN_LIMIT) return false;
    }
  } catch {
    return false;
  }
  return true;
}

/** Answers a request the server refused before any handler, and ends the connection. */
export function* answerError(socket: Socket, status: number): Generator<Suspension, void> {
  const reason = statusText(status);
  const body = `${status} ${reason}\n`;
  const text = `HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\n` +
    `content-type: text/plain; charset=utf-8\r\ncontent-length: ${body.length}\r\n\r\n${body}`;
  try {
    yield* socket.write(text);
  } catch {
    // The client is gone; nothing to answer.
  }
}
