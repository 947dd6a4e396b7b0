import {
  type Operation,
  operation,
  type Socket,
  SocketError,
  type Suspension,
} from "@cosocket/socket";
import { httpDate } from "./_date.ts";
import { formatResponseHead } from "./head.ts";
import { req2sock } from "./req2sock.ts";
import type { ServerRequest } from "./server_request.ts";

/** One server-sent event. */
export interface SseEvent {
  /** The payload; each line becomes a `data:` line. */
  data: string;
  /**
   * The event type (`addEventListener(type)` in the browser).
   *
   * @default {undefined} ("message")
   */
  event?: string;
  /**
   * The event id; the browser sends it back as `Last-Event-ID` when it reconnects.
   *
   * @default {undefined}
   */
  id?: string;
  /**
   * The reconnection delay the browser should use, in milliseconds.
   *
   * @default {undefined}
   */
  retry?: number;
}

/** Options of {@linkcode sse}. */
export interface SseOptions {
  /**
   * Milliseconds between comment lines sent while no event is, so that
   * proxies and browsers keep the stream open (0: none).
   *
   * @default {15000}
   */
  heartbeat?: number;
  /**
   * Extra response headers (CORS, cookies).
   *
   * @default {undefined}
   */
  headers?: HeadersInit;
}

const encoder = new TextEncoder();
const NEWLINE = /\r\n|\r|\n/;

/**
 * An event stream to one client, from {@linkcode sse}.
 *
 * @example Named events with ids, and a comment
 * ```ts
 * import { servcon, type ServerRequest, sse } from "@cosocket/http";
 *
 * await using server = servcon(0, function* (request: ServerRequest) {
 *   using events = yield* sse(request, { heartbeat: 0 });
 *   yield* events.comment("a comment the browser ignores");
 *   yield* events.send({ event: "price", data: "42", id: "1" });
 * }, { hostname: "127.0.0.1" });
 * const text = await (await fetch(`http://127.0.0.1:${server.port}/`)).text();
 * console.log(text.includes("event: price\nid: 1\ndata: 42")); // true
 * ```
 */
export class SseWriter implements Disposable {
  readonly #socket: Socket;
  readonly #lastEventId: string | null;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  /** @internal Created by {@linkcode sse}. */
  constructor(socket: Socket, lastEventId: string | null, heartbeat: number) {
    this.#socket = socket;
    this.#lastEventId = lastEventId;
    if (heartbeat > 0) {
      this.#heartbeat = setInterval(() => {
        if (socket.bufferedAmount === 0) socket.write(":\n\n");
      }, heartbeat);
    }
    this.#watch();
  }

  /** The `Last-Event-ID` the browser sent when it reconnected, or `null`. */
  get lastEventId(): string | null {
    return this.#lastEventId;
  }

  /** `true` once the client went away or the stream was closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Sends an event.
   *
   * @param event The event, or a string for a plain `message` event.
   * @returns An operation that finishes when the event is sent.
   * @throws {TypeError} For an `event` or `id` with a line break.
   * @throws {SocketError} `closed` when the client went away.
   */
  send(event: SseEvent | string): Operation<void> {
    const text = formatEvent(typeof event === "string" ? { data: event } : event);
    const socket = this.#socket;
    return operation(() => writeText(socket, text));
  }

  /**
   * Sends a comment line (ignored by the browser; keeps proxies from
   * timing the stream out).
   *
   * @param text The comment.
   * @returns An operation that finishes when it is sent.
   * @throws {SocketError} `closed` when the client went away.
   */
  comment(text?: string): Operation<void> {
    const lines = (text ?? "").split(NEWLINE).map((line) => `:${line}\n`).join("");
    const socket = this.#socket;
    return operation(() => writeText(socket, lines + "\n"));
  }

  /** Ends the stream and closes the connection (the browser reconnects unless told with 204). */
  close(): void {
    this.#closed = true;
    clearInterval(this.#heartbeat);
    this.#socket.close();
  }

  /** Closes the stream. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Notices the client going away: an event stream's client never sends. */
  async #watch(): Promise<void> {
    try {
      while ((await this.#socket.read()) !== null) {
        // A client has nothing to say on an event stream.
      }
    } catch (error) {
      if (!(error instanceof SocketError)) throw error;
    }
    this.close();
  }
}

function* writeText(socket: Socket, text: string): Generator<Suspension, void> {
  yield* socket.write(encoder.encode(text));
}

function formatEvent(event: SseEvent): string {
  let text = "";
  if (event.event !== undefined) text += `event: ${singleLine(event.event, "event")}\n`;
  if (event.id !== undefined) text += `id: ${singleLine(event.id, "id")}\n`;
  if (event.retry !== undefined) {
    if (!Number.isSafeInteger(event.retry) || event.retry < 0) {
      throw new TypeError(`Cannot send event: retry ${event.retry} is not a whole number of ms`);
    }
    text += `retry: ${event.retry}\n`;
  }
  for (const line of event.data.split(NEWLINE)) text += `data: ${line}\n`;
  return text + "\n";
}

function singleLine(value: string, field: string): string {
  if (NEWLINE.test(value) || value.includes("\0")) {
    throw new TypeError(`Cannot send event: the ${field} has a line break or NUL`);
  }
  return value;
}

/**
 * Answers a request with an event stream (server-sent events, the seed's
 * SSE example over `req2sock`): the response head goes out at once and
 * events follow as they are sent. The browser's `EventSource` reconnects
 * when the stream ends, sending the last id it saw as `Last-Event-ID`.
 *
 * @param request The request (either handler style), before any response.
 * @param options Heartbeat and extra headers.
 * @returns The event writer.
 * @throws {HttpError} `incorrectuse` as {@linkcode req2sock}.
 * @throws {SocketError} `closed` when the client went away.
 *
 * @example A clock stream
 * ```ts
 * import { servcon, type ServerRequest, sse } from "@cosocket/http";
 *
 * await using server = servcon(0, function* (request: ServerRequest) {
 *   const events = yield* sse(request);
 *   for (let tick = 1; tick <= 3; tick++) yield* events.send({ event: "tick", data: String(tick) });
 *   events.close();
 * }, { hostname: "127.0.0.1" });
 * const answer = await fetch(`http://127.0.0.1:${server.port}/clock`);
 * console.log(answer.headers.get("content-type")); // "text/event-stream"
 * console.log((await answer.text()).split("\n\n").length); // 4
 * ```
 */
export function sse(request: ServerRequest | Request, options?: SseOptions): Operation<SseWriter> {
  return operation(() => startStream(request, options));
}

/** The steps of {@linkcode sse}. */
function* startStream(
  request: ServerRequest | Request,
  options: SseOptions | undefined,
): Generator<Suspension, SseWriter> {
  const lastEventId = request.headers.get("last-event-id");
  const socket = req2sock(request);
  const headers = new Headers(options?.headers);
  headers.set("content-type", "text/event-stream");
  if (!headers.has("cache-control")) headers.set("cache-control", "no-cache");
  headers.set("connection", "close");
  // nginx buffers proxied responses unless told not to.
  headers.set("x-accel-buffering", "no");
  headers.set("date", httpDate());
  yield* socket.write(formatResponseHead(200, "OK", headers));
  return new SseWriter(socket, lastEventId, options?.heartbeat ?? 15000);
}
