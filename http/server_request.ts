import { type Operation, operation, type SocketAddress, type Suspension } from "@cosocket/socket";
import { type Exchange, installExchangeReader } from "./_exchange.ts";
import { requestUrl } from "./_request_url.ts";
import { parseCookies } from "./parse_cookies.ts";

/** A query string as a table: a repeated key gives an array (the seed's `request:data()`). */
export type QueryTable = Record<string, string | string[]>;

/**
 * A request received by {@linkcode servcon}'s cosocket handler: the head,
 * the body as a stream of operations, and where it came from. Pass it to
 * {@linkcode req2sock}, {@linkcode sse} or `@cosocket/websocket`'s
 * `upgrade` to take the connection over.
 *
 * @example Reading a JSON body
 * ```ts
 * import { servcon, type ServerRequest, type ServerResponse } from "@cosocket/http";
 *
 * await using server = servcon(0, function* (request: ServerRequest, response: ServerResponse) {
 *   const { name } = (yield* request.json()) as { name: string };
 *   yield* response.send(`hello ${name} from ${request.pathname}`);
 * }, { hostname: "127.0.0.1" });
 * const answer = await fetch(`http://127.0.0.1:${server.port}/greet`, {
 *   method: "POST",
 *   body: JSON.stringify({ name: "Ada" }),
 * });
 * console.log(await answer.text()); // "hello Ada from /greet"
 * ```
 */
export class ServerRequest {
  readonly #exchange: Exchange;
  #url: URL | null = null;
  #cookies: Map<string, string> | null = null;

  /** @internal Created by the server. */
  constructor(exchange: Exchange) {
    this.#exchange = exchange;
  }

  static {
    installExchangeReader((request) =>
      request instanceof ServerRequest ? request.#exchange : undefined
    );
  }

  /** The method, as sent (methods are case-sensitive). */
  get method(): string {
    return this.#exchange.head.method;
  }

  /** The request-target, as sent: path and query (or `host:port` for CONNECT). */
  get path(): string {
    return this.#exchange.head.path;
  }

  /** `HTTP/1.1` or `HTTP/1.0`. */
  get version(): string {
    return this.#exchange.head.version;
  }

  /** The request headers. */
  get headers(): Headers {
    return this.#exchange.head.headers;
  }

  /** The full URL, built from the `Host` header and whether the connection is TLS. */
  get url(): URL {
    return this.#url ??= requestUrl(this.#exchange);
  }

  /** The path without the query, percent-encoding kept. */
  get pathname(): string {
    const path = this.path;
    if (path.startsWith("/")) {
      const query = path.indexOf("?");
      return query < 0 ? path : path.slice(0, query);
    }
    return this.url.pathname;
  }

  /** The query parameters. */
  get query(): URLSearchParams {
    const path = this.path;
    const at = path.indexOf("?");
    return new URLSearchParams(at < 0 ? "" : path.slice(at + 1));
  }

  /**
   * The query as a table (the seed's `request:data()`): a key given twice
   * maps to an array of its values.
   *
   * @returns A new table.
   */
  data(): QueryTable {
    return queryTable(this.query);
  }

  /** The cookies the client sent, by name (the first of equal names wins, RFC 6265 §5.4). */
  get cookies(): Map<string, string> {
    return this.#cookies ??= parseCookies(this.headers.get("cookie"));
  }

  /** `true` for a request that came over TLS. */
  get secure(): boolean {
    return this.#exchange.secure;
  }

  /** The client's address. */
  get remoteAddr(): SocketAddress {
    return this.#exchange.socket.peername();
  }

  /** The server's address for this connection. */
  get localAddr(): SocketAddress {
    return this.#exchange.socket.sockname();
  }

  /** The trailer fields of a chunked body, once it was read to its end. */
  get trailers(): Headers {
    return this.#exchange.body.trailers;
  }

  /**
   * Reads the next piece of the body. A client that sent
   * `Expect: 100-continue` is told to go on at the first read.
   *
   * @param max The most bytes to return.
   * @returns The bytes, or `null` at the end of the body.
   * @throws {HttpError} `toolarge` (status 413) past the server's body
   * limit, `protocol` for a malformed chunked body or a connection that
   * ended inside the body.
   * @throws {SocketError} `timeout` when the body stalls.
   */
  read(max?: number): Operation<Uint8Array | null> {
    return operation(() => this.#exchange.read(max ?? 65536));
  }

  /**
   * Reads the next piece of the body into `buffer`, for loops that reuse
   * one buffer.
   *
   * @param buffer Where the bytes go.
   * @returns The byte count, or `null` at the end of the body.
   * @throws {HttpError} As {@linkcode ServerRequest.prototype.read}.
   * @throws {SocketError} `timeout` when the body stalls.
   */
  readInto(buffer: Uint8Array): Operation<number | null> {
    return operation(() => this.#exchange.readInto(buffer));
  }

  /**
   * Reads the whole body.
   *
   * @returns The bytes (empty for a request without a body).
   * @throws {HttpError} As {@linkcode ServerRequest.prototype.read}.
   * @throws {SocketError} `timeout` when the body stalls.
   */
  bytes(): Operation<Uint8Array> {
    return operation(() => this.#exchange.bytes());
  }

  /**
   * Reads the whole body as UTF-8 text.
   *
   * @returns The text.
   * @throws {HttpError} As {@linkcode ServerRequest.prototype.read}.
   * @throws {SocketError} `timeout` when the body stalls.
   */
  text(): Operation<string> {
    const exchange = this.#exchange;
    return operation(() => textOf(exchange));
  }

  /**
   * Reads the whole body and parses it as JSON.
   *
   * @returns The parsed value.
   * @throws {SyntaxError} For a body that is not JSON.
   * @throws {HttpError} As {@linkcode ServerRequest.prototype.read}.
   * @throws {SocketError} `timeout` when the body stalls.
   */
  json(): Operation<unknown> {
    const exchange = this.#exchange;
    return operation(() => jsonOf(exchange));
  }
}

function* textOf(exchange: Exchange): Generator<Suspension, string> {
  return new TextDecoder().decode(yield* exchange.bytes());
}

function* jsonOf(exchange: Exchange): Generator<Suspension, unknown> {
  return JSON.parse(yield* textOf(exchange));
}

function queryTable(params: URLSearchParams): QueryTable {
  const table: QueryTable = {};
  for (const [key, value] of params) {
    const seen = table[key];
    if (seen === undefined) table[key] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else table[key] = [seen, value];
  }
  return table;
}
