import {
  connect,
  type Operation,
  operation,
  type Socket,
  type SocketAddress,
  SocketError,
  type Suspension,
  until,
} from "@cosocket/socket";
import { BodyReader, concat, type Framing } from "./_body_reader.ts";
import { formatRequestHead, parseResponseHead } from "./head.ts";
import { HttpError } from "./http_error.ts";
import { installClientHooks } from "./_client_hooks.ts";
import { fieldPairs, hasField, type ParsedResponseHead } from "./_fields.ts";
import { proxycon } from "./proxycon.ts";
import type { HttpcOptions, RequestOptions } from "./httpc_options.ts";
import { proxyFromEnv } from "./proxy_from_env.ts";
import { parseSetCookie, type SetCookie } from "./parse_set_cookie.ts";

const DEFAULT_TIMEOUT = 20_000;
const MAX_TIMEOUT = 3_240_000;
const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);
const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"]);
const CRLF = new Uint8Array([13, 10]);
/**
 * Chunked body pieces up to this size are copied into one buffer with their
 * framing (one write); larger ones are written between it (three writes, no
 * copy: a 1 MiB piece copied cost more than two more small writes).
 */
const JOIN_LIMIT = 16 * 1024;
const LAST_CHUNK = new TextEncoder().encode("0\r\n\r\n");
const HEAD_END = new Uint8Array([13, 10, 13, 10]);
const encoder = new TextEncoder();

type Phase = "idle" | "sending" | "receiving" | "body" | "tunnel" | "done";

/**
 * An HTTP/1.1 client (the seed's low-level `httpc` library): one request at a
 * time over a persistent connection, every waiting call an operation that
 * async code awaits and a cosocket delegates to with `yield*` without
 * blocking anything else.
 *
 * The seed's sequence: `request(options)` sends the request head; `write`
 * sends a body; `status()`, `header()` and `read()` read the response.
 * Responses framed by `Content-Length`, chunked transfer coding or the end of
 * the connection are read; conflicting framing (both headers, differing
 * lengths), an invalid chunk size, obs-fold and bare LF are refused (response
 * smuggling). Heads are limited to 16 KiB and 100 fields by default.
 *
 * @example A GET and a POST over one kept-alive connection
 * ```ts
 * import { httpc } from "@cosocket/http";
 *
 * await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) =>
 *   new Response(request.method === "POST" ? await request.text() : "hello"));
 * await using client = httpc();
 * const base = `http://127.0.0.1:${server.addr.port}`;
 * await client.request({ url: `${base}/` });
 * console.log(await client.status(), await client.text()); // 200 "hello"
 * await client.request({ url: `${base}/echo`, method: "POST", size: 4 });
 * await client.write("ping");
 * console.log(await client.text()); // "ping"
 * ```
 */
export class HttpClient implements AsyncDisposable {
  readonly #options: HttpcOptions;
  #timeout: number;
  #socket: Socket | null = null;
  /** The connection kept from the last response, for the next request to the same origin. */
  #idle: { socket: Socket; origin: string } | null = null;
  /** The current request went over a connection that carried one before. */
  #reusedConn = false;
  /** The response head read while the body is still being sent (an early answer). */
  #early: { promise: Promise<ParsedResponseHead>; head: ParsedResponseHead | null } | null = null;
  #phase: Phase = "idle";
  #method = "GET";
  #url: URL | null = null;
  /** The request head, kept to resend it on a fresh connection. */
  #head: Uint8Array | null = null;
  #chunked = false;
  #size: number | null = null;
  #written = 0;
  #response: ParsedResponseHead | null = null;
  #body: BodyReader | null = null;
  #closeAfter = false;

  /**
   * Creates a client; use {@linkcode httpc}.
   *
   * @param options The defaults of every request.
   */
  constructor(options?: HttpcOptions) {
    this.#options = options ?? {};
    this.#timeout = checkTimeout(this.#options.timeout ?? DEFAULT_TIMEOUT);
  }

  /**
   * Sets the milliseconds each connect, read and write may take (the seed's
   * `http:timeout`).
   *
   * @param ms 0 waits forever; at most 3,240,000.
   * @throws {RangeError} Outside 0..3,240,000.
   */
  timeout(ms: number): void {
    this.#timeout = checkTimeout(ms);
  }

  /**
   * Sends a request head (the seed's `http:request`), over a kept-alive
   * connection to the same origin when there is one. A request with a body
   * continues with {@linkcode write}; the response is read with
   * {@linkcode status}, {@linkcode header} and {@linkcode read}. A previous
   * response not read to its end is discarded first.
   *
   * @param options URL, method, headers, query, Basic credentials, body size.
   * @returns The operation, done once the head is sent.
   * @throws {TypeError} For a URL that is not `http:`/`https:`, or a method,
   * header name or value that is malformed or contains CR or LF (request
   * splitting).
   * @throws {HttpError} `nottrusted` with `trusted: true` and an unverified
   * server.
   * @throws {SocketError} `refused`, `unreachable`, `timeout`, `tls` from the
   * connection.
   */
  request(options: RequestOptions): Operation<void> {
    return operation(() => this.#request(options));
  }

  *#request(options: RequestOptions): Generator<Suspension, void> {
    yield* this.#finishPrevious();
    const url = new URL(options.url);
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new TypeError(`Cannot send request: unsupported URL scheme "${url.protocol}"`);
    }
    for (const [key, value] of Object.entries(options.query ?? {})) {
      for (const item of Array.isArray(value) ? value : [value]) {
        url.searchParams.append(key, String(item));
      }
    }
    const method = (options.method ?? "GET").toUpperCase();
    // The caller's headers are read, never copied: the head is written from
    // them and the fields this client adds or replaces.
    const given = fieldPairs(options.header);
    const added: [string, string][] = [];
    if (!hasField(given, "host")) added.push(["host", url.host]);
    const jar = this.#options.cookieJar;
    if (jar !== undefined && !hasField(given, "cookie")) {
      const cookie = jar.cookieHeader(url);
      if (cookie !== null) added.push(["cookie", cookie]);
    }
    const user = options.user ?? decodeURIComponent(url.username);
    if (user !== "" && !hasField(given, "authorization")) {
      const password = options.password ?? decodeURIComponent(url.password);
      added.push(["authorization", `Basic ${basic(user, password)}`]);
    }
    if (this.#options.persistent === false) added.push(["connection", "close"]);
    this.#size = options.size ?? null;
    this.#chunked = this.#size === null && BODY_METHODS.has(method);
    if (this.#size !== null) {
      if (!Number.isSafeInteger(this.#size) || this.#size < 0) {
        throw new RangeError(`Cannot send request: size must be a non-negative integer`);
      }
      added.push(["content-length", String(this.#size)]);
    } else if (this.#chunked) added.push(["transfer-encoding", "chunked"]);
    const fields: [string, string][] = [];
    for (const entry of given) {
      if (!hasField(added, entry[0])) fields.push(entry);
    }
    for (const entry of added) fields.push(entry);
    const path = `${url.pathname}${url.search}`;
    // Throws TypeError for CR, LF or NUL anywhere: a request is never split.
    this.#head = formatRequestHead(method, path, fields);
    this.#method = method;
    this.#url = url;
    this.#written = 0;
    this.#early = null;
    this.#response = null;
    this.#body = null;
    this.#closeAfter = this.#options.persistent === false;
    const signal = options.signal;
    signal?.throwIfAborted();
    if (this.#options.proxycon === true) {
      if (this.#options.proxy === undefined) {
        throw new HttpError("incorrectuse", "Cannot open tunnel: proxycon needs the proxy option");
      }
      yield* this.#connect(url, { pooled: false, raw: true, signal });
      this.#phase = "tunnel";
      return;
    }
    // An upgrade (WebSocket, ...) takes its connection away from HTTP: it
    // gets one of its own, never a pooled one.
    const socket = hasField(given, "upgrade")
      ? yield* this.#connect(url, { pooled: false, signal })
      : yield* this.#connection(url, signal);
    if (options.trusted === true && !socket.trusted()) {
      this.#drop();
      throw new HttpError(
        "nottrusted",
        `Cannot send request: the server ${url.hostname} is not trusted`,
      );
    }
    yield* this.#writeHead(socket, signal);
    this.#phase = this.#size === 0 || (!this.#chunked && this.#size === null)
      ? "receiving"
      : "sending";
  }

  /** The kept connection when it goes to the same origin, else one from the pool or a new one. */
  *#connection(url: URL, signal: AbortSignal | undefined): Generator<Suspension, Socket> {
    const idle = this.#idle;
    this.#idle = null;
    if (idle !== null && idle.origin === url.origin && idle.socket.state().connected) {
      this.#socket = idle.socket;
      this.#reusedConn = true;
      return idle.socket;
    }
    if (idle !== null) park(idle.socket);
    const pooled = this.#options.persistent !== false && this.#options.detached !== false;
    const socket = yield* this.#connect(url, { pooled, signal });
    this.#reusedConn = socket.reusedTimes() > 0;
    return socket;
  }

  /** Writes the request head; an abort closes the connection under the write. */
  *#writeHead(socket: Socket, signal: AbortSignal | undefined): Generator<Suspension, void> {
    if (signal === undefined) return yield* socket.write(this.#head!);
    const abort = () => void this.#drop();
    signal.addEventListener("abort", abort, { once: true });
    try {
      // An abort while connecting, after the connection was made, fired no event.
      signal.throwIfAborted();
      yield* socket.write(this.#head!);
    } catch (error) {
      this.#drop();
      if (signal.aborted) throw signal.reason;
      throw error;
    } finally {
      signal.removeEventListener("abort", abort);
    }
  }

  *#connect(url: URL, how: ConnectHow): Generator<Suspension, Socket> {
    const { pooled, raw = false, signal } = how;
    const https = url.protocol === "https:";
    const port = url.port === "" ? (https ? 443 : 80) : Number(url.port);
    const hostname = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
    const proxy = this.#options.proxy === "env" ? proxyFromEnv(url) : this.#options.proxy;
    if (proxy !== undefined) {
      const tls = https && !raw ? { tls: { serverName: hostname, ...this.#options.tls } } : {};
      const socket = yield* proxycon(proxy, `${url.hostname}:${port}`, {
        timeout: this.#timeout,
        ...tls,
        ...(signal === undefined ? {} : { signal }),
      });
      this.#socket = socket;
      this.#closeAfter = true;
      return socket;
    }
    const socket = yield* connect(hostname, port, {
      timeout: this.#timeout,
      detached: this.#options.detached !== false,
      pool: pooled,
      ...(signal === undefined ? {} : { signal }),
      ...(https ? { tls: { serverName: hostname, ...this.#options.tls } } : {}),
      ...(this.#options.intf === undefined ? {} : { localAddress: this.#options.intf }),
      ...(this.#options.ipv6 === true ? { ipv6: true } : {}),
    });
    this.#socket = socket;
    return socket;
  }

  /**
   * Sends part of the request body (the seed's `http:write`). With `size`
   * given, the bytes count against it; without, each call is one chunk of
   * chunked transfer coding, and reading the response ends the body.
   *
   * @param data The bytes; a string is sent as UTF-8.
   * @returns The operation, done once the kernel took the bytes.
   * @throws {HttpError} `incorrectuse` when no request body is open, or when
   * the bytes go past `size`.
   * @throws {SocketError} From the connection.
   */
  write(data: Uint8Array | string): Operation<void> {
    return operation(() => this.#write(data));
  }

  *#write(data: Uint8Array | string): Generator<Suspension, void> {
    if (this.#phase !== "sending") {
      throw new HttpError("incorrectuse", "Cannot write request body: no request body is open");
    }
    const bytes = typeof data === "string" ? encoder.encode(data) : data;
    if (bytes.length === 0) return;
    const socket = this.#socket!;
    this.#watchEarlyAnswer(socket);
    const early = this.#early!.head;
    if (early !== null && early.status >= 300) {
      // The server refused the upload while it ran (413, 401, ...): stop at
      // once; the answer is there for status(), header() and read().
      this.#closeAfter = true;
      this.#phase = "receiving";
      throw new HttpError(
        "status",
        `Cannot write request body: the server answered ${early.status} during the upload`,
        { status: early.status },
      );
    }
    if (this.#chunked) {
      if (bytes.length <= JOIN_LIMIT) return yield* this.#send(socket, joinChunk(bytes));
      // A large piece goes out as it is, between its framing, not copied.
      yield* this.#send(socket, chunkSizeLine(bytes.length));
      yield* this.#send(socket, bytes);
      return yield* this.#send(socket, CRLF);
    }
    if (this.#written + bytes.length > this.#size!) {
      throw new HttpError(
        "incorrectuse",
        `Cannot write request body: ${
          this.#written + bytes.length
        } bytes exceed size ${this.#size}`,
      );
    }
    yield* this.#send(socket, bytes);
    this.#written += bytes.length;
    if (this.#written === this.#size) this.#phase = "receiving";
  }

  /** Writes body bytes; a connection the server closed after an early answer reports that answer. */
  *#send(socket: Socket, bytes: Uint8Array): Generator<Suspension, void> {
    try {
      yield* socket.write(bytes);
    } catch (error) {
      const early = this.#early;
      if (!(error instanceof SocketError) || early === null) throw error;
      let head: ParsedResponseHead | null = null;
      try {
        head = yield* until(early.promise);
      } catch {
        throw error;
      }
      if (head.status < 300) throw error;
      this.#closeAfter = true;
      this.#phase = "receiving";
      throw new HttpError(
        "status",
        `Cannot write request body: the server answered ${head.status} during the upload`,
        { status: head.status, cause: error },
      );
    }
  }

  /**
   * Reads the response head while the body is being sent, so that an error
   * status the server sends early stops the upload (the seed's `http:write`
   * behaviour); a `100 Continue` is consumed on the way.
   */
  #watchEarlyAnswer(socket: Socket): void {
    if (this.#early !== null) return;
    const early: { promise: Promise<ParsedResponseHead>; head: ParsedResponseHead | null } = {
      promise: Promise.resolve(operation(() => this.#readHead(socket))),
      head: null,
    };
    early.promise.then((head) => void (early.head = head), () => {});
    this.#early = early;
  }

  /** Ends the request body (if open) and reads the response head (if not read yet). */
  *#awaitResponse(): Generator<Suspension, ParsedResponseHead> {
    if (this.#response !== null) return this.#response;
    if (this.#phase === "idle" || this.#phase === "done") {
      throw new HttpError("incorrectuse", "Cannot read response: no request was sent");
    }
    const socket = this.#socket!;
    if (this.#phase === "sending") {
      if (this.#chunked) yield* socket.write(LAST_CHUNK);
      else if (this.#written !== this.#size) {
        this.#drop();
        throw new HttpError(
          "incorrectuse",
          `Cannot read response: only ${this.#written} of ${this.#size} body bytes were written`,
        );
      }
      this.#phase = "receiving";
    }
    let head: ParsedResponseHead;
    const early = this.#early;
    this.#early = null;
    try {
      head = early !== null ? yield* until(early.promise) : yield* this.#readHead(socket);
    } catch (error) {
      // A kept-alive connection the server closed meanwhile: try once more
      // on a fresh one, when sending the request again cannot do harm.
      if (!this.#retryable(socket, error)) {
        this.#drop();
        throw error;
      }
      this.#drop();
      const fresh = yield* this.#connect(this.#url!, { pooled: false });
      yield* fresh.write(this.#head!);
      try {
        head = yield* this.#readHead(fresh);
      } catch (again) {
        this.#drop();
        throw again;
      }
    }
    this.#response = head;
    this.#options.cookieJar?.setCookies(this.#url!, head.headers.getSetCookie());
    this.#body = new BodyReader(this.#socket!, this.#framing(head), {
      maxLineLength: 4096,
      maxTrailers: this.#options.maxHeaders ?? 100,
      timeout: this.#readTimeout(),
    });
    const connection = (head.fields.get("connection") ?? "").toLowerCase();
    if (head.version === "HTTP/1.0" && !connection.includes("keep-alive")) this.#closeAfter = true;
    if (connection.split(",").some((token) => token.trim() === "close")) this.#closeAfter = true;
    this.#phase = "body";
    if (this.#body.done) this.#finishBody();
    return head;
  }

  #retryable(socket: Socket, error: unknown): boolean {
    const stale = error instanceof StaleConnection ||
      (error instanceof SocketError && error.code === "closed");
    void socket;
    return stale && this.#reusedConn && IDEMPOTENT.has(this.#method) &&
      this.#written === 0 && !this.#chunked;
  }

  *#readHead(socket: Socket): Generator<Suspension, ParsedResponseHead> {
    const maxHeaderSize = this.#options.maxHeaderSize ?? 16384;
    const limits = { maxHeaderSize, maxHeaders: this.#options.maxHeaders ?? 100 };
    let first = true;
    while (true) {
      let bytes: Uint8Array | null;
      try {
        const timeout = this.#readTimeout();
        bytes = yield* socket.readUntil(HEAD_END, {
          maxLength: maxHeaderSize,
          inclusive: true,
          ...(timeout === undefined ? {} : { timeout }),
        });
      } catch (error) {
        if (error instanceof RangeError) {
          throw new HttpError(
            "toolarge",
            `Cannot read response: head exceeds ${maxHeaderSize} bytes`,
            {
              cause: error,
            },
          );
        }
        if (error instanceof Error && error.name === "IncompleteReadError") {
          throw new HttpError(
            "protocol",
            "Cannot read response: connection ended inside the head",
            {
              cause: error,
            },
          );
        }
        throw error;
      }
      if (bytes === null) {
        if (first) throw new StaleConnection();
        throw new HttpError("protocol", "Cannot read response: connection ended before the head");
      }
      first = false;
      let head: ParsedResponseHead;
      try {
        head = parseResponseHead(bytes, limits) as ParsedResponseHead;
      } catch (error) {
        const code = error instanceof RangeError ? "toolarge" : "protocol";
        throw new HttpError(code, `Cannot read response: ${(error as Error).message}`, {
          cause: error,
        });
      }
      // Interim answers (100 Continue, 103 Early Hints) are consumed.
      if (head.status >= 200 || head.status === 101) return head;
    }
  }

  /** How the response body ends (RFC 9112 §6.3), refusing ambiguous framing. */
  #framing(head: ParsedResponseHead): Framing {
    if (
      this.#method === "HEAD" || head.status === 204 || head.status === 304 ||
      head.status === 101 || (head.status >= 100 && head.status < 200)
    ) {
      return { kind: "none" };
    }
    const te = head.fields.get("transfer-encoding");
    const cl = head.fields.get("content-length");
    if (te !== null) {
      if (cl !== null) {
        throw this.#protocol("both Transfer-Encoding and Content-Length (response smuggling)");
      }
      const codings = te.split(",").map((c) => c.trim().toLowerCase());
      if (codings.length !== 1 || codings[0] !== "chunked") {
        throw this.#protocol(`unsupported Transfer-Encoding "${te}"`);
      }
      return { kind: "chunked" };
    }
    if (cl !== null) {
      const values = cl.split(",").map((v) => v.trim());
      if (!values.every((v) => /^\d{1,15}$/.test(v) && v === values[0])) {
        throw this.#protocol(`invalid or conflicting Content-Length "${cl}"`);
      }
      return { kind: "length", length: Number(values[0]) };
    }
    this.#closeAfter = true;
    return { kind: "close" };
  }

  #protocol(why: string): HttpError {
    this.#drop();
    return new HttpError("protocol", `Cannot read response: ${why}`);
  }

  #readTimeout(): number | undefined {
    return this.#timeout === 0 ? undefined : this.#timeout;
  }

  /**
   * The response status (the seed's `http:status`), reading the response
   * head first if needed (and ending a chunked request body).
   *
   * @returns The status code.
   * @throws {HttpError} `protocol` or `toolarge` for a bad head,
   * `incorrectuse` before a request.
   * @throws {SocketError} From the connection (`timeout`, `closed`).
   */
  status(): Operation<number> {
    return operation(() => this.#status());
  }

  *#status(): Generator<Suspension, number> {
    return (yield* this.#awaitResponse()).status;
  }

  /**
   * The response's reason phrase ("OK", "Not Found"; may be empty).
   *
   * @returns The reason phrase.
   * @throws {HttpError} As {@linkcode status}.
   */
  statusText(): Operation<string> {
    return operation(() => this.#statusText());
  }

  *#statusText(): Generator<Suspension, string> {
    return (yield* this.#awaitResponse()).statusText;
  }

  /**
   * The response headers (the seed's `http:header`).
   *
   * @returns The headers; repeated fields are combined, except `Set-Cookie`.
   * @throws {HttpError} As {@linkcode status}.
   */
  header(): Operation<Headers> {
    return operation(() => this.#header());
  }

  *#header(): Generator<Suspension, Headers> {
    return (yield* this.#awaitResponse()).headers;
  }

  /**
   * The response header fields as `[name, value]` pairs (the seed's
   * `http:headerpairs` iterator), names in lower case.
   *
   * @returns The pairs, each `Set-Cookie` on its own.
   * @throws {HttpError} As {@linkcode status}.
   */
  headerPairs(): Operation<[string, string][]> {
    return operation(() => this.#headerPairs());
  }

  *#headerPairs(): Generator<Suspension, [string, string][]> {
    const headers = (yield* this.#awaitResponse()).headers;
    const pairs: [string, string][] = [];
    for (const [name, value] of headers) {
      if (name === "set-cookie") continue;
      pairs.push([name, value]);
    }
    for (const cookie of headers.getSetCookie()) pairs.push(["set-cookie", cookie]);
    return pairs;
  }

  /**
   * The cookies the response sets (the seed's `http:cookie` iterator): name,
   * value and attributes of each `Set-Cookie` header.
   *
   * @returns The cookies, in the order sent.
   * @throws {HttpError} As {@linkcode status}.
   */
  cookies(): Operation<SetCookie[]> {
    return operation(() => this.#cookies());
  }

  *#cookies(): Generator<Suspension, SetCookie[]> {
    const headers = (yield* this.#awaitResponse()).headers;
    return headers.getSetCookie().map(parseSetCookie).filter((c) => c !== null);
  }

  /**
   * Reads the response body (the seed's `http:read`): `"a"` for all of it,
   * a number for at most that many bytes, nothing to discard the rest.
   *
   * @param size `"a"`, a byte count, or nothing.
   * @returns The bytes; `null` at the end of the body (and after discarding).
   * @throws {HttpError} `toolarge` when `"a"` meets more than `maxBodySize`
   * bytes; `protocol` for a malformed body (bad chunk size, connection cut
   * inside it).
   * @throws {SocketError} From the connection.
   */
  read(size?: "a" | number): Operation<Uint8Array | null> {
    return operation(() => this.#read(size));
  }

  *#read(size: "a" | number | undefined): Generator<Suspension, Uint8Array | null> {
    yield* this.#awaitResponse();
    const body = this.#body!;
    try {
      if (size === undefined) {
        while ((yield* body.read(65536)) !== null);
        this.#finishBody();
        return null;
      }
      if (size === "a") return yield* this.#readAll(body);
      if (!Number.isSafeInteger(size) || size < 1) {
        throw new RangeError(`Cannot read response body: size must be "a" or a positive integer`);
      }
      const piece = yield* body.read(size);
      if (piece === null || body.done) this.#finishBody();
      return piece;
    } catch (error) {
      this.#drop();
      throw error;
    }
  }

  /**
   * Reads the next piece of the response body into `buffer` (the
   * zero-allocation form of {@linkcode read} for loops that reuse one
   * buffer: proxies, downloads to disk).
   *
   * @param buffer Where the bytes go.
   * @returns The number of bytes read, or `null` at the end of the body.
   * @throws {HttpError} As {@linkcode read}.
   * @throws {SocketError} From the connection.
   */
  readInto(buffer: Uint8Array): Operation<number | null> {
    return operation(() => this.#readInto(buffer));
  }

  *#readInto(buffer: Uint8Array): Generator<Suspension, number | null> {
    yield* this.#awaitResponse();
    const body = this.#body!;
    try {
      const count = yield* body.readInto(buffer);
      if (count === null || body.done) this.#finishBody();
      return count;
    } catch (error) {
      this.#drop();
      throw error;
    }
  }

  *#readAll(body: BodyReader): Generator<Suspension, Uint8Array> {
    const max = this.#options.maxBodySize ?? 64 * 1024 * 1024;
    const length = this.#response?.fields.get("content-length") ?? null;
    if (!body.done && length !== null && Number(length) <= max) {
      const whole = yield* body.readRestInto();
      if (whole !== null) {
        this.#finishBody();
        return whole;
      }
    }
    const parts: Uint8Array[] = [];
    let total = 0;
    let piece;
    while ((piece = yield* body.read(1 << 20)) !== null) {
      total += piece.length;
      if (total > max) {
        throw new HttpError("toolarge", `Cannot read response body: it exceeds ${max} bytes`);
      }
      parts.push(piece);
    }
    this.#finishBody();
    return parts.length === 1 ? parts[0]! : concat(parts, total);
  }

  /**
   * Reads the whole body as UTF-8 text.
   *
   * @returns The text.
   * @throws {HttpError} As {@linkcode read}.
   */
  text(): Operation<string> {
    return operation(() => this.#text());
  }

  *#text(): Generator<Suspension, string> {
    return new TextDecoder().decode((yield* this.#read("a")) ?? new Uint8Array(0));
  }

  /**
   * Reads the whole body as JSON (named apart from the seed's `httpm`
   * `json(url, data)`, which posts).
   *
   * @returns The parsed value.
   * @throws {SyntaxError} When the body is not JSON.
   * @throws {HttpError} As {@linkcode read}.
   */
  readJson(): Operation<unknown> {
    return operation(() => this.#readJson());
  }

  *#readJson(): Generator<Suspension, unknown> {
    return JSON.parse(yield* this.#text());
  }

  /** The body ended: park the connection for reuse, or close it. */
  #finishBody(): void {
    if (this.#phase === "done") return;
    this.#phase = "done";
    // After 101 Switching Protocols the connection belongs to http2sock().
    if (this.#response?.status === 101) return;
    const socket = this.#socket;
    this.#socket = null;
    if (socket === null) return;
    if (!this.#closeAfter && this.#body?.reusable === true) {
      // Kept for this client's next request; parked in the pool on close().
      this.#idle = { socket, origin: this.#url!.origin };
      return;
    }
    socket.close();
  }

  *#finishPrevious(): Generator<Suspension, void> {
    if (this.#phase === "idle" || this.#phase === "done") return;
    if (this.#phase === "body" && this.#body !== null) {
      yield* this.#read(undefined);
      return;
    }
    this.#drop();
  }

  #drop(): void {
    this.#socket?.close();
    this.#socket = null;
    this.#phase = "done";
  }

  /**
   * Reports whether the connection is TLS with a certificate verified for
   * the server's name (the seed's `http:trusted`).
   *
   * @returns `false` for plain HTTP and before a request.
   */
  trusted(): boolean {
    return this.#socket?.trusted() ?? false;
  }

  /**
   * The server's address (the seed's `http:peername`).
   *
   * @returns The address.
   * @throws {SocketError} `incorrectuse` when no connection is open.
   */
  peername(): SocketAddress {
    return this.#open().peername();
  }

  /**
   * The local address of the connection (the seed's `http:sockname`).
   *
   * @returns The address.
   * @throws {SocketError} `incorrectuse` when no connection is open.
   */
  sockname(): SocketAddress {
    return this.#open().sockname();
  }

  #open(): Socket {
    if (this.#socket === null) {
      throw new SocketError("incorrectuse", "Cannot get address: no connection is open");
    }
    return this.#socket;
  }

  /**
   * Closes the connection (the seed's `http:close`); an idle kept-alive one
   * stays in the pool for the next client.
   *
   * @returns A promise settled once the connection is closed.
   */
  close(): Promise<void> {
    const idle = this.#idle;
    this.#idle = null;
    if (idle !== null) park(idle.socket);
    const socket = this.#socket;
    this.#socket = null;
    this.#phase = "idle";
    return socket === null ? Promise.resolve() : socket.close();
  }

  /** Closes the client (`await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Closes the client without waiting (`using`, for cosockets: a generator
   * cannot `await using`, and a halted cosocket's `using` still runs).
   *
   * @example A cosocket's client is closed however the cosocket ends
   * ```ts
   * import { run } from "@cosocket/socket";
   * import { httpc } from "@cosocket/http";
   *
   * await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () =>
   *   new Response("hi"));
   * const status = await run(function* () {
   *   using client = httpc();
   *   yield* client.request({ url: `http://127.0.0.1:${server.addr.port}/` });
   *   yield* client.read();
   *   return yield* client.status();
   * });
   * console.log(status); // 200
   * ```
   */
  [Symbol.dispose](): void {
    void this.close();
  }

  static {
    installClientHooks({
      takeSocket: (client) => (client as HttpClient).#takeSocket(),
      takeWholeBody: (client) => (client as HttpClient).#takeWholeBody(),
      responseHead: (client) => (client as HttpClient).#response,
    });
  }

  /** The whole body when it has arrived (see `takeWholeBody`). */
  #takeWholeBody(): Uint8Array | null {
    const body = this.#body;
    if (this.#phase !== "body" || body === null) return null;
    const whole = body.done ? new Uint8Array(0) : body.takeWhole();
    if (whole !== null) this.#finishBody();
    return whole;
  }

  /** Hands the connection over (a tunnel, or after 101 Switching Protocols). */
  #takeSocket(): Socket {
    const socket = this.#socket;
    if (socket === null || !(this.#phase === "tunnel" || this.#response?.status === 101)) {
      throw new HttpError(
        "incorrectuse",
        "Cannot take the socket: it is handed over only after a proxycon tunnel or a 101 response",
      );
    }
    this.#socket = null;
    this.#phase = "idle";
    return socket;
  }
}

/** How {@linkcode HttpClient} opens a connection. */
interface ConnectHow {
  /** Take it from the socket pool and give it back after the response. */
  pooled: boolean;
  /** A proxycon tunnel: no TLS over it even for `https:`. */
  raw?: boolean;
  signal?: AbortSignal | undefined;
}

/** The first read on a kept-alive connection found it closed by the server. */
class StaleConnection extends SocketError {
  constructor() {
    super("closed", "Cannot read response: the connection was closed before the response");
  }
}

/**
 * Creates an HTTP/1.1 client (the seed's `require"httpc".create(op)`).
 *
 * @param options TLS, persistence, interface, IPv6, timeout and limits.
 * @returns The client.
 * @throws {RangeError} For a timeout outside 0..3,240,000.
 *
 * @example Query tables with repeated keys and Basic authentication
 * ```ts
 * import { httpc } from "@cosocket/http";
 *
 * await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) =>
 *   new Response(`${new URL(request.url).search} ${request.headers.get("authorization")}`));
 * await using client = httpc({ timeout: 5000 });
 * await client.request({
 *   url: `http://127.0.0.1:${server.addr.port}/`,
 *   query: { key1: "a", key2: ["b1", "b2"] },
 *   user: "ada",
 *   password: "secret",
 * });
 * console.log(await client.text()); // "?key1=a&key2=b1&key2=b2 Basic YWRhOnNlY3JldA=="
 * ```
 */
export function httpc(options?: HttpcOptions): HttpClient {
  return new HttpClient(options);
}

/** Hands an idle connection to the socket pool for other clients (or closes it). */
function park(socket: Socket): void {
  try {
    socket.setKeepAlive();
  } catch {
    // Not a pooled connection (a proxy tunnel) or not clean: just close it.
  }
  socket.close();
}

function checkTimeout(ms: number): number {
  if (!Number.isFinite(ms) || ms < 0 || ms > MAX_TIMEOUT) {
    throw new RangeError(`Cannot set timeout: ${ms} is outside 0..${MAX_TIMEOUT} ms`);
  }
  return ms;
}

function basic(user: string, password: string): string {
  return encoder.encode(`${user}:${password}`).toBase64();
}

/** A chunk's size line: hexadecimal size and CRLF. */
function chunkSizeLine(length: number): Uint8Array {
  return encoder.encode(`${length.toString(16)}\r\n`);
}

/** A small chunk whole: size line, bytes and CRLF in one buffer. */
function joinChunk(bytes: Uint8Array): Uint8Array {
  const sizeLine = chunkSizeLine(bytes.length);
  const out = new Uint8Array(sizeLine.length + bytes.length + 2);
  out.set(sizeLine);
  out.set(bytes, sizeLine.length);
  out.set(CRLF, sizeLine.length + bytes.length);
  return out;
}
