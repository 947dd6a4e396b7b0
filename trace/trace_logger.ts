import type { ServerRequest, ServerResponse } from "@cosocket/http";
import { spawn, type Suspension, until } from "@cosocket/socket";
import { upgrade, type WsSocket } from "@cosocket/websocket";
import { VIEWER_PAGE } from "./_viewer_page.ts";
import { traceBuffer } from "./trace.ts";
import type { TraceBuffer, TraceEntry, TraceSettings } from "./trace_buffer.ts";

/** A log file the traced lines are appended to, rotated by size. */
export interface TraceLogFile {
  /** The file's path. */
  path: string;
  /**
   * Rotate once the file reaches this many bytes.
   *
   * @default {1048576}
   */
  maxSize?: number;
  /**
   * How many rotated files to keep (`path.1` is the newest).
   *
   * @default {3}
   */
  keep?: number;
}

/** Options of {@linkcode traceLogger}. */
export interface TraceLoggerOptions {
  /**
   * The buffer to show.
   *
   * @default {traceBuffer}
   */
  buffer?: TraceBuffer;
  /**
   * Where the viewer lives on the server (the seed's default URI).
   *
   * @default {"/rtl/tracelogger/"}
   */
  prefix?: string;
  /**
   * Also append every line to this file, rotated by size.
   *
   * @default {undefined}
   */
  logFile?: TraceLogFile;
}

/**
 * The seed's TraceLogger: a live viewer of the trace buffer in the
 * browser, served by `@cosocket/http`'s server. `handler` serves the page
 * at `prefix` and streams the buffer over a WebSocket at
 * `prefix + "tracelogger.service/"`: first what the buffer holds, then each
 * line as it is traced. One client at a time, as in the seed: a new client
 * replaces the one before (which is closed with code 4000). The page may
 * change the settings (`{ "configure": { ... } }`); anything else it sends
 * closes its connection with 1008.
 *
 * @example Knowing when a viewer is connected
 * ```ts
 * import { servcon } from "@cosocket/http";
 * import { connect } from "@cosocket/websocket";
 * import { traceLogger } from "@cosocket/trace";
 *
 * await using logger = traceLogger({ prefix: "/trace/" });
 * const seen: number[] = [];
 * logger.onclient((connected) => seen.push(connected));
 * await using server = servcon(0, logger.handler, { hostname: "127.0.0.1" });
 * const viewer = await connect(`ws://127.0.0.1:${server.port}/trace/tracelogger.service/`);
 * await viewer.readMessage();
 * console.log(logger.connected); // true
 * await viewer.close();
 * ```
 */
export class TraceLogger implements AsyncDisposable {
  readonly #buffer: TraceBuffer;
  readonly #prefix: string;
  #client: WsSocket | null = null;
  #onClient: ((connected: 0 | 1) => void) | null = null;
  #unsubscribeFile: (() => void) | null = null;
  #writing: Promise<void> = Promise.resolve();
  #closed = false;

  /** @internal Made by {@linkcode traceLogger}. */
  constructor(options: TraceLoggerOptions) {
    this.#buffer = options.buffer ?? traceBuffer;
    const prefix = options.prefix ?? "/rtl/tracelogger/";
    this.#prefix = prefix.endsWith("/") ? prefix : `${prefix}/`;
    if (options.logFile !== undefined) this.#logTo(options.logFile);
    // A generator function, so that servcon runs it in the cosocket style.
    // deno-lint-ignore no-this-alias
    const logger = this;
    this.handler = function* (request: ServerRequest, response: ServerResponse) {
      return yield* logger.#handle(request, response);
    };
  }

  /**
   * The cosocket handler to give `servcon` (or call from one): `false` for
   * requests outside the prefix.
   */
  readonly handler: (
    request: ServerRequest,
    response: ServerResponse,
  ) => Generator<Suspension, boolean>;

  /**
   * Sets and returns the buffer's settings (the seed's `configure`).
   *
   * @param changes The settings to change.
   * @returns The settings now.
   */
  configure(changes?: Partial<TraceSettings>): TraceSettings {
    return this.#buffer.configure(changes);
  }

  /**
   * Installs the callback called with 1 when a viewer connects and 0 when
   * none is connected any more (the seed's `onclient`).
   *
   * @param callback The callback, or `null` to remove it.
   */
  onclient(callback: ((connected: 0 | 1) => void) | null): void {
    this.#onClient = callback;
  }

  /** `true` while a viewer is connected. */
  get connected(): boolean {
    return this.#client !== null;
  }

  /**
   * Disconnects the viewer and stops the log file.
   *
   * @returns Resolves once the log file is written.
   */
  async close(): Promise<void> {
    this.#closed = true;
    this.#unsubscribeFile?.();
    const client = this.#client;
    if (client !== null) {
      await Promise.resolve(client.close(1001, "TraceLogger closed")).catch(() => {});
    }
    await this.#writing;
  }

  /** Closes the logger (`await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  *#handle(request: ServerRequest, response: ServerResponse): Generator<Suspension, boolean> {
    const path = request.pathname;
    if (path === this.#prefix || path === `${this.#prefix}index.html`) {
      response.headers.set("content-type", "text/html; charset=utf-8");
      response.headers.set("cache-control", "no-store");
      yield* response.send(VIEWER_PAGE);
      return true;
    }
    if (path !== `${this.#prefix}tracelogger.service/`) return false;
    if (this.#closed) {
      response.status = 503;
      return true;
    }
    const ws = yield* upgrade(request);
    yield* this.#serve(ws);
    return true;
  }

  /** Streams the buffer to one viewer until it leaves or is replaced. */
  *#serve(ws: WsSocket): Generator<Suspension, void> {
    const previous = this.#client;
    this.#client = ws;
    if (previous !== null) {
      Promise.resolve(previous.close(4000, "Replaced by a newer TraceLogger client")).catch(
        () => {},
      );
    } else this.#onClient?.(1);
    let pending: TraceEntry[] = this.#buffer.entries();
    let wake: (() => void) | null = null;
    const unsubscribe = this.#buffer.subscribe((entry) => {
      pending.push(entry);
      wake?.();
    });
    let open = true;
    const reader = spawn(function* (logger: TraceLogger) {
      let message;
      while ((message = yield* ws.readMessage()) !== null) {
        if (!logger.#command(message)) {
          yield* ws.close(1008, 'Cannot understand message: send {"configure": {...}}');
          break;
        }
      }
    }.bind(null, this));
    reader.then(() => {
      open = false;
      wake?.();
    }, () => {
      open = false;
      wake?.();
    });
    try {
      // What the buffer holds first (possibly nothing), then lines as they come.
      const backlog = pending;
      pending = [];
      yield* ws.write(JSON.stringify(backlog), true);
      while (open && this.#client === ws) {
        if (pending.length === 0) {
          yield* until(new Promise<void>((resolve) => wake = resolve));
          wake = null;
          continue;
        }
        const batch = pending;
        pending = [];
        yield* ws.write(JSON.stringify(batch), true);
      }
    } finally {
      unsubscribe();
      if (this.#client === ws) {
        this.#client = null;
        this.#onClient?.(0);
      }
    }
  }

  /** Applies a viewer's message; `false` for one that is not a command. */
  #command(message: string | Uint8Array): boolean {
    if (typeof message !== "string" || message.length > 4096) return false;
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      return false;
    }
    const settings = (parsed as { configure?: unknown })?.configure;
    if (typeof settings !== "object" || settings === null) return false;
    const allowed: Partial<TraceSettings> = {};
    for (const key of ["request", "requestHeaders", "responseHeaders", "responseBody"] as const) {
      const value = (settings as Record<string, unknown>)[key];
      if (typeof value === "boolean") allowed[key] = value;
    }
    const priority = (settings as Record<string, unknown>).priority;
    if (typeof priority === "number" && Number.isInteger(priority)) allowed.priority = priority;
    this.#buffer.configure(allowed);
    return true;
  }

  #logTo(file: TraceLogFile): void {
    const maxSize = file.maxSize ?? 1024 * 1024;
    const keep = file.keep ?? 3;
    let size = (() => {
      try {
        return Deno.statSync(file.path).size;
      } catch {
        return 0;
      }
    })();
    const encoder = new TextEncoder();
    this.#unsubscribeFile = this.#buffer.subscribe((entry) => {
      const line = encoder.encode(
        `${new Date(entry.time).toISOString()} [${entry.priority}] ${entry.text}\n`,
      );
      // Writes go one after another; a rotation happens between two of them.
      this.#writing = this.#writing.then(async () => {
        if (size > 0 && size + line.length > maxSize) {
          for (let index = keep - 1; index >= 1; index--) {
            await Deno.rename(`${file.path}.${index}`, `${file.path}.${index + 1}`).catch(() => {});
          }
          await Deno.rename(file.path, `${file.path}.1`).catch(() => {});
          await Deno.remove(`${file.path}.${keep + 1}`).catch(() => {});
          size = 0;
        }
        await Deno.writeFile(file.path, line, { append: true });
        size += line.length;
      }).catch((error) => console.error("TraceLogger cannot write its log file:", error));
    });
  }
}

/**
 * Creates the TraceLogger (the seed's `ba.create.tracelogger()`).
 *
 * @param options The buffer, the URI prefix and an optional log file.
 * @returns The logger; give `logger.handler` to `servcon`.
 *
 * @example Trace lines reach a viewer over a WebSocket
 * ```ts
 * import { servcon } from "@cosocket/http";
 * import { connect } from "@cosocket/websocket";
 * import { trace, traceLogger } from "@cosocket/trace";
 *
 * await using logger = traceLogger();
 * await using server = servcon(0, logger.handler, { hostname: "127.0.0.1" });
 * await using viewer = await connect(`ws://127.0.0.1:${server.port}/rtl/tracelogger/tracelogger.service/`);
 * await viewer.readMessage(); // what the buffer held
 * trace("hello from the server");
 * const lines = JSON.parse((await viewer.readMessage()) as string);
 * console.log(lines.at(-1).text); // "hello from the server"
 * ```
 */
export function traceLogger(options?: TraceLoggerOptions): TraceLogger {
  return new TraceLogger(options ?? {});
}
