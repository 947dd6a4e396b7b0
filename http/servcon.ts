import {
  bind,
  type BindOptions,
  type Socket,
  type SocketError,
  spawn,
  type Suspension,
  type Task,
  type TlsServerOptions,
} from "@cosocket/socket";
import { type ConnectionHost, type ConnectionRecord, serveConnection } from "./_connection.ts";
import type { Exchange } from "./_exchange.ts";
import { runCosocketHandler, runWebHandler } from "./_handlers.ts";
import type { CosocketHandler, ErrorHandler, WebHandler } from "./handler.ts";

/** Options of {@linkcode servcon}: the listener, the limits and the timeouts. */
export interface ServconOptions extends Omit<BindOptions, "tls"> {
  /**
   * Serve HTTPS with this certificate and key (PEM).
   *
   * @default {undefined}
   */
  tls?: TlsServerOptions;
  /**
   * The largest request head in bytes; a larger one is answered 431.
   *
   * @default {16384}
   */
  maxHeaderSize?: number;
  /**
   * The most request header fields; more are answered 431.
   *
   * @default {100}
   */
  maxHeaders?: number;
  /**
   * The largest request body in bytes; a larger one is answered 413.
   *
   * @default {16777216}
   */
  maxBodySize?: number;
  /**
   * Milliseconds a new connection has to send a complete request head
   * (holds off slowloris clients).
   *
   * @default {10000}
   */
  headersTimeout?: number;
  /**
   * Milliseconds an idle keep-alive connection waits for its next request
   * head to be complete.
   *
   * @default {5000}
   */
  keepAliveTimeout?: number;
  /**
   * The longest wait for the next piece of a request body, in milliseconds.
   *
   * @default {30000}
   */
  bodyTimeout?: number;
  /**
   * Which style the handler is written in; by default a generator function
   * is the cosocket style and any other function the WHATWG style. Say
   * `"cosocket"` for a plain function that returns a generator.
   *
   * @default {undefined} (decided by the kind of function)
   */
  style?: "cosocket" | "web";
  /**
   * Answers for a handler that threw before its response head was sent.
   *
   * @default {undefined} (500, or an `HttpError`'s status; logged)
   */
  onError?: ErrorHandler;
}

/** Options of {@linkcode HttpServer.prototype.shutdown}. */
export interface ShutdownOptions {
  /**
   * Milliseconds in-flight requests have to finish before their
   * connections are closed.
   *
   * @default {10000}
   */
  timeout?: number;
}

/** Where {@linkcode HttpServer.prototype.setPort} listens next. */
export type SetPortOptions = Pick<
  BindOptions,
  "hostname" | "ipv6" | "reusePort" | "backlog"
>;

/**
 * A listening HTTP/1.1 server (the seed's listen object): created by
 * {@linkcode servcon} or {@linkcode serve}.
 *
 * @example Moving to another port, then a graceful shutdown
 * ```ts
 * import { servcon, type ServerRequest, type ServerResponse } from "@cosocket/http";
 *
 * const server = servcon(0, function* (_request: ServerRequest, response: ServerResponse) {
 *   yield* response.send("hello");
 * }, { hostname: "127.0.0.1" });
 * const first = server.port;
 * server.setPort(0);
 * console.log(server.port !== first); // true
 * console.log(await (await fetch(`http://127.0.0.1:${server.port}/`)).text()); // "hello"
 * await server.shutdown({ timeout: 1000 });
 * ```
 */
export class HttpServer implements AsyncDisposable {
  readonly #host: Host;
  #listener: Socket;
  #bindOptions: BindOptions;
  readonly #finished: Promise<void>;
  #finish!: () => void;
  #closed = false;

  /** @internal Created by {@linkcode servcon}. */
  constructor(host: Host, port: number | Socket, options: BindOptions) {
    this.#host = host;
    this.#bindOptions = options;
    this.#finished = new Promise((resolve) => this.#finish = resolve);
    this.#listener = this.#listen(port, options);
  }

  /** The port the server listens on. */
  get port(): number {
    return this.#listener.sockname().port;
  }

  /** The address the server listens on, shaped as `Deno.serve`'s. */
  get addr(): Deno.NetAddr {
    const { address, port } = this.#listener.sockname();
    return { transport: "tcp", hostname: address, port };
  }

  /** The listening socket. */
  get listener(): Socket {
    return this.#listener;
  }

  /** The number of open connections. */
  get connections(): number {
    return this.#host.connections.size;
  }

  /** Resolves once the server is closed and every connection has ended. */
  get finished(): Promise<void> {
    return this.#finished;
  }

  /**
   * Moves the server to another port (the seed's `setport`): the new
   * listener opens first, then the old one closes; accepted connections
   * keep running.
   *
   * @param port The new port (0 for any free one).
   * @param options The interface, IPv6, `reusePort`, backlog.
   * @throws {SocketError} When the port cannot be bound; the server keeps
   * its old port then.
   */
  setPort(port: number, options?: SetPortOptions): void {
    const next = { ...this.#bindOptions, ...options };
    const listener = this.#listen(port, next);
    const old = this.#listener;
    this.#listener = listener;
    this.#bindOptions = next;
    old.close();
  }

  /**
   * Gives the server a new TLS certificate and key: new connections get it,
   * open ones keep theirs. The pair is checked first; then the listener is
   * reopened on the same port (with `reusePort` the new one opens before
   * the old one closes; without it the port is closed for the moment the
   * platform takes to release it, and connection attempts in that moment
   * are refused).
   *
   * @param tls The new certificate and key (PEM).
   * @returns Resolves when the new listener accepts.
   * @throws {SocketError} When the certificate or key is invalid (the old
   * pair stays in use) or the port could not be bound again.
   */
  async setCertificate(tls: TlsServerOptions): Promise<void> {
    const next = { ...this.#bindOptions, tls, hostname: this.#listener.sockname().address };
    const port = this.port;
    // A bad pair must change nothing: try it on a free port first.
    bind(0, { hostname: "127.0.0.1", tls }).close();
    const old = this.#listener;
    if (next.reusePort === true) {
      this.#listener = this.#listen(port, next);
      await old.close();
    } else {
      await old.close();
      this.#listener = await this.#relisten(port, next);
    }
    this.#bindOptions = next;
    this.#host.secure = true;
  }

  /** Binds `port` again once the platform has released it (a few ms at most). */
  async #relisten(port: number, options: BindOptions): Promise<Socket> {
    for (let attempt = 0;; attempt++) {
      try {
        return this.#listen(port, options);
      } catch (error) {
        if (attempt >= 50 || (error as SocketError).code !== "incorrectuse") throw error;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    }
  }

  /**
   * Closes the listener and every connection now; handlers are halted.
   *
   * @returns Resolves when everything has ended.
   */
  async close(): Promise<void> {
    this.#host.closing = true;
    this.#listener.close();
    for (const record of this.#host.connections) record.socket.close();
    await this.#host.settle();
    this.#end();
  }

  /**
   * Graceful shutdown: stops accepting, closes idle keep-alive connections,
   * lets in-flight requests finish (their responses say `Connection:
   * close`), and closes what is left after `timeout`.
   *
   * @param options The deadline.
   * @returns Resolves when everything has ended.
   */
  async shutdown(options?: ShutdownOptions): Promise<void> {
    const host = this.#host;
    host.closing = true;
    this.#listener.close();
    for (const record of host.connections) if (record.idle) record.socket.close();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, options?.timeout ?? 10000);
    });
    await Promise.race([host.settle(), deadline]);
    clearTimeout(timer);
    await this.close();
  }

  /** Shuts the server down gracefully (`await using`). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }

  #end(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#host.stopSweeper();
    this.#finish();
  }

  #listen(port: number | Socket, options: BindOptions): Socket {
    const listener = typeof port === "number" ? bind(port, options) : port;
    const host = this.#host;
    return listener.event(function* (server: Socket) {
      let client;
      while ((client = yield* server.accept()) !== null) host.start(client);
    });
  }
}

/** The server's state that its connections share. */
class Host implements ConnectionHost {
  secure: boolean;
  closing = false;
  readonly limits: ConnectionHost["limits"];
  readonly connections: Set<ConnectionRecord> = new Set();
  readonly #tasks: Set<Task<void>> = new Set();
  readonly #run: (exchange: Exchange) => Generator<Suspension, void>;
  #sweeper: ReturnType<typeof setInterval> | undefined;

  constructor(handler: CosocketHandler | WebHandler, options: ServconOptions) {
    this.secure = options.tls !== undefined;
    this.limits = {
      maxHeaderSize: options.maxHeaderSize ?? 16384,
      maxHeaders: options.maxHeaders ?? 100,
      maxBodySize: options.maxBodySize ?? 16 * 1024 * 1024,
      headersTimeout: options.headersTimeout ?? 10000,
      keepAliveTimeout: options.keepAliveTimeout ?? 5000,
      bodyTimeout: options.bodyTimeout ?? 30000,
      closing: () => this.closing,
    };
    const onError = options.onError;
    const cosocket = options.style === undefined
      ? isGeneratorFunction(handler)
      : options.style === "cosocket";
    this.#run = cosocket
      ? (exchange) => runCosocketHandler(handler as CosocketHandler, exchange, onError)
      : (exchange) => runWebHandler(handler as WebHandler, exchange, onError);
    const shortest = Math.min(this.limits.headersTimeout, this.limits.keepAliveTimeout);
    this.#sweeper = setInterval(() => this.#sweep(), Math.max(25, Math.min(1000, shortest / 4)));
  }

  handle(exchange: Exchange): Generator<Suspension, void> {
    return this.#run(exchange);
  }

  /** Serves an accepted connection in its own cosocket, owned by the server. */
  start(client: Socket): void {
    const task = spawn(() => serveConnection(this, client));
    // The server, not the accept loop, owns it: `setPort` closes a listener
    // while its connections keep running.
    task.detach();
    this.#tasks.add(task);
    task.then(() => this.#tasks.delete(task), () => this.#tasks.delete(task));
  }

  /** Resolves when every connection's cosocket has ended. */
  async settle(): Promise<void> {
    while (this.#tasks.size > 0) {
      await Promise.allSettled([...this.#tasks]);
    }
  }

  stopSweeper(): void {
    clearInterval(this.#sweeper);
  }

  /** Closes connections whose request head did not arrive in time. */
  #sweep(): void {
    const now = Date.now();
    for (const record of this.connections) {
      if (record.deadline !== 0 && now > record.deadline) record.socket.close();
    }
  }
}

function isGeneratorFunction(fn: unknown): boolean {
  return typeof fn === "function" && fn.constructor?.name === "GeneratorFunction";
}

/**
 * Starts an HTTP/1.1 server (the seed's `ba.create.servcon`) with one of
 * two handler styles over one engine:
 *
 * - a generator function `function* (request, response)`: the seed's
 *   style, run as a cosocket (reads and writes with `yield*`);
 * - any other function `(request: Request, info) => Response`: the WHATWG
 *   style of `Deno.serve`, so apps written for it run unchanged.
 *
 * Keep-alive, pipelining (answered in order), chunked bodies both ways,
 * `Expect: 100-continue`, HEAD and `Date` are handled; limits answer 413
 * and 431, and timeouts end slow or idle connections. Requests whose
 * framing is ambiguous (request smuggling) are refused with 400.
 * {@linkcode req2sock}, {@linkcode sse} and `@cosocket/websocket`'s
 * `upgrade` take a connection over from a request.
 *
 * @param port The port (0 for any free one), or a listening socket from `bind`.
 * @param handler The request handler, in either style.
 * @param options The interface, TLS, limits and timeouts.
 * @returns The running server.
 * @throws {SocketError} When the port cannot be bound.
 *
 * @example A cosocket handler and the seed's request/response style
 * ```ts
 * import { servcon, type ServerRequest, type ServerResponse } from "@cosocket/http";
 *
 * await using server = servcon(0, function* (request: ServerRequest, response: ServerResponse) {
 *   response.headers.set("content-type", "text/plain");
 *   yield* response.write(`${request.method} ${request.pathname} ${request.query.get("q")}`);
 * }, { hostname: "127.0.0.1" });
 * const answer = await fetch(`http://127.0.0.1:${server.port}/search?q=cosocket`);
 * console.log(await answer.text()); // "GET /search cosocket"
 * ```
 *
 * @example The WHATWG style of Deno.serve
 * ```ts
 * import { servcon } from "@cosocket/http";
 *
 * await using server = servcon(0, (request: Request) => {
 *   return Response.json({ path: new URL(request.url).pathname });
 * }, { hostname: "127.0.0.1" });
 * const answer = await fetch(`http://127.0.0.1:${server.port}/hello`);
 * console.log(await answer.json()); // { path: "/hello" }
 * ```
 */
export function servcon(
  port: number | Socket,
  handler: CosocketHandler | WebHandler,
  options?: ServconOptions,
): HttpServer {
  options ??= {};
  const host = new Host(handler, options);
  if (typeof port !== "number" && port.secure) host.secure = true;
  try {
    return new HttpServer(host, port, options as BindOptions);
  } catch (error) {
    host.stopSweeper();
    throw error;
  }
}
