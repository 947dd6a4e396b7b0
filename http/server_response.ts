import { type Operation, operation, type WriteData } from "@cosocket/socket";
import type { Exchange } from "./_exchange.ts";
import { HttpError } from "./http_error.ts";

/**
 * The response of {@linkcode servcon}'s cosocket handler (the seed's
 * `response` object): set `status` and `headers`, then `write` the body.
 * Small bodies are buffered and sent with a `Content-Length` when the
 * handler returns; a body over 16 KiB, or a `flush()`, starts streaming it
 * (chunked, or exactly `Content-Length` bytes when the handler set that
 * header), paced by the client through the socket's flow control.
 *
 * @example Streaming a response
 * ```ts
 * import { servcon, type ServerRequest, type ServerResponse } from "@cosocket/http";
 * import { sleep } from "@cosocket/socket";
 *
 * await using server = servcon(0, function* (_request: ServerRequest, response: ServerResponse) {
 *   response.headers.set("content-type", "text/plain");
 *   for (const word of ["one ", "two ", "three"]) {
 *     yield* response.write(word);
 *     yield* response.flush(); // sent now, chunked
 *     yield* sleep(1);
 *   }
 * }, { hostname: "127.0.0.1" });
 * const answer = await fetch(`http://127.0.0.1:${server.port}/`);
 * console.log(answer.headers.get("transfer-encoding"), await answer.text()); // chunked one two three
 * ```
 */
export class ServerResponse {
  readonly #exchange: Exchange;

  /** @internal Created by the server. */
  constructor(exchange: Exchange) {
    this.#exchange = exchange;
  }

  /** The status code; settable until the head is sent. @default {200} */
  get status(): number {
    return this.#exchange.status;
  }

  set status(status: number) {
    if (!Number.isInteger(status) || status < 100 || status > 999) {
      throw new RangeError(`Cannot set response status: ${status} is not a status code`);
    }
    this.#checkHead("set the status of");
    this.#exchange.status = status;
  }

  /** The reason phrase; the standard one for the status when empty. @default {""} */
  get statusText(): string {
    return this.#exchange.reason;
  }

  set statusText(text: string) {
    this.#checkHead("set the reason phrase of");
    this.#exchange.reason = text;
  }

  /** The response headers; changes after the head was sent have no effect. */
  get headers(): Headers {
    return this.#exchange.headers;
  }

  /** `true` once the head went out: status and headers are fixed. */
  get headSent(): boolean {
    return this.#exchange.headSent;
  }

  /**
   * Writes body bytes: buffered until 16 KiB or {@linkcode ServerResponse.prototype.flush},
   * then sent, waiting while the client is slow.
   *
   * @param data The bytes; a string is sent as UTF-8.
   * @returns An operation that finishes when the bytes are buffered or sent.
   * @throws {HttpError} `incorrectuse` after the response ended, after
   * `req2sock`, or for more bytes than the `Content-Length` set.
   * @throws {SocketError} `closed` when the client went away.
   */
  write(data: WriteData): Operation<void> {
    const exchange = this.#exchange;
    return operation(() => exchange.write(data));
  }

  /**
   * Sends the head and everything buffered now; the body is streamed from
   * here on (chunked unless the handler set `Content-Length`).
   *
   * @returns An operation that finishes when the bytes are sent.
   * @throws {SocketError} `closed` when the client went away.
   */
  flush(): Operation<void> {
    const exchange = this.#exchange;
    return operation(() => exchange.flush());
  }

  /**
   * Sends a whole response body and ends the response.
   *
   * @param body The body; a string is sent as UTF-8.
   * @returns An operation that finishes when the response is sent.
   * @throws {HttpError} `incorrectuse` when the response ended already.
   * @throws {SocketError} `closed` when the client went away.
   */
  send(body?: WriteData): Operation<void> {
    const exchange = this.#exchange;
    return operation(() => body === undefined ? exchange.end() : exchange.sendLast(body));
  }

  /**
   * Ends the response; the server does this when the handler returns.
   *
   * @returns An operation that finishes when the end is sent.
   * @throws {SocketError} `closed` when the client went away.
   */
  end(): Operation<void> {
    const exchange = this.#exchange;
    return operation(() => exchange.end());
  }

  /**
   * Answers with a redirect.
   *
   * @param location The target URL or path.
   * @param status The status.
   * @returns An operation that finishes when the response is sent.
   * @throws {HttpError} `incorrectuse` when the head was sent already.
   */
  redirect(location: string, status?: 301 | 302 | 303 | 307 | 308): Operation<void> {
    this.#checkHead("redirect");
    this.status = status ?? 302;
    this.headers.set("location", location);
    return this.send();
  }

  #checkHead(action: string): void {
    if (this.#exchange.headSent) {
      throw new HttpError("incorrectuse", `Cannot ${action} response: the head was sent`);
    }
  }
}
