import { type Io, ioReadable } from "@cosocket/io";
import { type Operation, operation, type Suspension, until } from "@cosocket/socket";
import type { RequestOptions } from "./httpc_options.ts";
import { type HttpOptions, HttpRedirectClient, type RedirectRequestOptions } from "./http.ts";
import { HttpError } from "./http_error.ts";

/** What {@linkcode HttpManagedClient.prototype.stat} learns of a resource. */
export interface HttpStat {
  /** `Content-Length`, when the server sent one. */
  size: number | undefined;
  /** `Last-Modified`, when the server sent one. */
  mtime: Date | undefined;
  /** The `Content-Type`, when sent. */
  type: string | undefined;
}

/** Progress of an upload or download: bytes so far, and the total when known. */
export type Progress = (done: number, total: number | undefined) => void;

/** What to upload with {@linkcode HttpManagedClient.prototype.upload}. */
export interface UploadConfig {
  /** Where to. */
  url: string | URL;
  /**
   * The data: bytes, a string (UTF-8), a path of a file to read, a file of
   * an `Io` (the seed's I/O objects: `diskIo`, `memoryIo`, your own), or a
   * stream.
   */
  data:
    | Uint8Array
    | string
    | { path: string }
    | { io: Io; name: string }
    | ReadableStream<Uint8Array>;
  /**
   * The method.
   *
   * @default {"PUT"}
   */
  method?: "PUT" | "POST";
  /**
   * Called after every piece sent.
   *
   * @default {undefined}
   */
  progress?: Progress;
  /**
   * Extra headers.
   *
   * @default {undefined}
   */
  header?: HeadersInit;
}

/**
 * What to download with {@linkcode HttpManagedClient.prototype.download}:
 * into a file given by its path, or by its name in an `Io`.
 */
export type DownloadConfig =
  & DownloadOptions
  & (
    /** The file to write (created or truncated); removed again when the download fails. */
    | { path: string }
    /** A file of an `Io`, written the same way; removed from it when the download fails. */
    | { io: Io; name: string }
  );

/** The options of every download. */
export interface DownloadOptions {
  /** From where. */
  url: string | URL;
  /**
   * Called after every piece written.
   *
   * @default {undefined}
   */
  progress?: Progress;
}

const PIECE = 1 << 20;

/**
 * The seed's `httpm` library: {@linkcode HttpRedirectClient} plus the common
 * tasks: `stat`, form `post`, `upload` and `download` (both streamed, with
 * progress), and `json`. Every method is an operation: awaited from async
 * code or `yield*`ed in a cosocket.
 *
 * @example Posting a form and reading the JSON reply
 * ```ts
 * import { httpm, servcon, type ServerRequest, type ServerResponse } from "@cosocket/http";
 *
 * await using server = servcon(0, function* (request: ServerRequest, response: ServerResponse) {
 *   const form = new URLSearchParams(yield* request.text());
 *   response.headers.set("content-type", "application/json");
 *   yield* response.send(JSON.stringify({ hello: form.get("name") }));
 * }, { hostname: "127.0.0.1" });
 * await using client = httpm();
 * const { status, body } = await client.post(`http://127.0.0.1:${server.port}/`, { name: "Ada" });
 * console.log(status, body); // 200 { hello: "Ada" }
 * ```
 */
export class HttpManagedClient extends HttpRedirectClient {
  /**
   * Size, modification time and type of a resource (the seed's
   * `http:stat`), from a HEAD request by default.
   *
   * @param url The resource.
   * @param options Request overrides (`method: "GET"` for servers that do not answer HEAD).
   * @returns The attributes, or `null` when the server answers with an error status (404).
   * @throws {HttpError} As `request`.
   */
  stat(url: string | URL, options?: Partial<RedirectRequestOptions>): Operation<HttpStat | null> {
    return operation(() => this.#stat(url, options));
  }

  *#stat(
    url: string | URL,
    options: Partial<RedirectRequestOptions> | undefined,
  ): Generator<Suspension, HttpStat | null> {
    yield* this.request({ method: "HEAD", ...options, url });
    const status = yield* this.status();
    const headers = yield* this.header();
    yield* this.read();
    if (status >= 400) return null;
    const length = headers.get("content-length");
    const modified = headers.get("last-modified");
    const mtime = modified === null ? undefined : new Date(modified);
    return {
      size: length === null ? undefined : Number(length),
      mtime: mtime === undefined || Number.isNaN(mtime.getTime()) ? undefined : mtime,
      type: headers.get("content-type") ?? undefined,
    };
  }

  /**
   * Sends a form as a browser does (the seed's `http:post`):
   * `application/x-www-form-urlencoded`, repeated keys for arrays.
   *
   * @param url Where to.
   * @param form The fields.
   * @returns The status and the reply: decoded JSON when the server says
   * `application/json`, text otherwise.
   * @throws {HttpError} As `request`; `SyntaxError` for a JSON reply that does not parse.
   */
  post(
    url: string | URL,
    form: Record<string, string | number | boolean | readonly (string | number | boolean)[]>,
  ): Operation<{ status: number; body: unknown }> {
    return operation(() => {
      const body = new URLSearchParams();
      for (const [key, value] of Object.entries(form)) {
        for (const item of Array.isArray(value) ? value : [value]) body.append(key, String(item));
      }
      return this.#exchange(url, "POST", "application/x-www-form-urlencoded", body.toString());
    });
  }

  /**
   * Sends `data` as JSON and decodes the JSON reply.
   *
   * @param url Where to.
   * @param data Any JSON-serialisable value.
   * @returns The status and the reply (decoded when it is JSON).
   * @throws {HttpError} As `request`; `SyntaxError` for a JSON reply that does not parse.
   */
  json(url: string | URL, data: unknown): Operation<{ status: number; body: unknown }> {
    return operation(() =>
      this.#exchange(url, "POST", "application/json; charset=utf-8", JSON.stringify(data))
    );
  }

  *#exchange(
    url: string | URL,
    method: string,
    type: string,
    body: string,
  ): Generator<Suspension, { status: number; body: unknown }> {
    yield* this.request({ url, method, header: { "content-type": type }, body });
    const status = yield* this.status();
    const replyType = (yield* this.header()).get("content-type") ?? "";
    const bytes = (yield* this.read("a")) ?? new Uint8Array(0);
    const text = new TextDecoder().decode(bytes);
    return { status, body: /\bjson\b/i.test(replyType) ? JSON.parse(text) : text };
  }

  /**
   * Uploads data (the seed's `http:upload`), PUT by default: bytes and
   * strings with `Content-Length`, a file with its size, a stream with
   * chunked coding; piece by piece, never read whole.
   *
   * @param config URL, data, method, progress callback.
   * @returns The status (2xx).
   * @throws {HttpError} `status` when the server answers with a status of 300
   * or more (`status` has it).
   */
  upload(config: UploadConfig): Operation<number> {
    return operation(() => this.#upload(config));
  }

  *#upload(config: UploadConfig): Generator<Suspension, number> {
    const method = config.method ?? "PUT";
    const data = config.data;
    let total: number | undefined;
    let source: ReadableStream<Uint8Array>;
    let file: Deno.FsFile | null = null;
    if (data instanceof Uint8Array || typeof data === "string") {
      const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
      total = bytes.length;
      source = ReadableStream.from([bytes]);
    } else if (data instanceof ReadableStream) {
      source = data;
    } else if ("io" in data) {
      const stat = yield* until(data.io.stat(data.name));
      if (stat !== null) total = stat.size;
      source = ioReadable(yield* until(data.io.open(data.name, "r")), { pieceSize: PIECE });
    } else {
      file = yield* until(Deno.open(data.path));
      total = (yield* until(file.stat())).size;
      source = file.readable;
    }
    const reader = source.getReader();
    try {
      const request: RequestOptions = {
        url: config.url,
        method,
        ...(config.header === undefined ? {} : { header: config.header }),
        ...(total === undefined ? {} : { size: total }),
      };
      yield* HttpRedirectClient.prototype.request.call(this, request);
      let sent = 0;
      while (true) {
        const { value, done } = yield* until(reader.read());
        if (done) break;
        for (let at = 0; at < value.length; at += PIECE) {
          const piece = value.subarray(at, at + PIECE);
          yield* this.write(piece);
          sent += piece.length;
          config.progress?.(sent, total);
        }
      }
      const status = yield* this.status();
      yield* this.read();
      if (status >= 300) {
        throw new HttpError("status", `Cannot upload: the server answered ${status}`, { status });
      }
      return status;
    } finally {
      reader.releaseLock();
      yield* until(source.cancel().catch(() => {}));
    }
  }

  /**
   * Downloads a resource into a file (the seed's `http:download`),
   * streamed piece by piece; a file left incomplete by a failure is removed.
   *
   * @param config URL, the file (a path, or a name in an `Io`), progress callback.
   * @returns The number of bytes written.
   * @throws {HttpError} `status` for a status of 300 or more (after
   * redirects); otherwise as `read`.
   */
  download(config: DownloadConfig): Operation<number> {
    return operation(() => this.#download(config));
  }

  *#download(config: DownloadConfig): Generator<Suspension, number> {
    yield* this.request({ url: config.url });
    const status = yield* this.status();
    if (status >= 300) {
      yield* this.read();
      throw new HttpError("status", `Cannot download: the server answered ${status}`, { status });
    }
    const length = (yield* this.header()).get("content-length");
    const total = length === null ? undefined : Number(length);
    const target = "io" in config
      ? yield* until(ioTarget(config.io, config.name))
      : yield* until(diskTarget(config.path));
    let written = 0;
    let complete = false;
    try {
      let piece;
      while ((piece = yield* this.read(PIECE)) !== null) {
        yield* until(target.write(piece));
        written += piece.length;
        config.progress?.(written, total);
      }
      complete = true;
      return written;
    } finally {
      // A partial file must not look like a download.
      yield* until(target.close(complete));
    }
  }
}

/**
 * Creates a managed client (the seed's `require"httpm".create(op)`).
 *
 * @param options Client options and request defaults, as {@linkcode http}.
 * @returns The client.
 * @throws {RangeError} For a timeout outside 0..3,240,000.
 *
 * @example Post a form and get JSON back
 * ```ts
 * import { httpm } from "@cosocket/http";
 *
 * await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) =>
 *   Response.json(Object.fromEntries(await request.formData())));
 * await using client = httpm();
 * const { status, body } = await client.post(`http://127.0.0.1:${server.addr.port}/`, { a: "1", b: "two" });
 * console.log(status, body); // 200 { a: "1", b: "two" }
 * ```
 */
export function httpm(options?: HttpOptions): HttpManagedClient {
  return new HttpManagedClient(options);
}

/** Where a download writes: all of a piece, then closed, and removed unless complete. */
interface Target {
  write(piece: Uint8Array): Promise<void>;
  close(complete: boolean): Promise<void>;
}

async function diskTarget(path: string): Promise<Target> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  return {
    async write(piece) {
      for (let at = 0; at < piece.length;) at += await file.write(piece.subarray(at));
    },
    async close(complete) {
      file.close();
      if (!complete) await Deno.remove(path).catch(() => {});
    },
  };
}

async function ioTarget(io: Io, name: string): Promise<Target> {
  const file = await io.open(name, "w");
  return {
    write: (piece) => file.write(piece),
    async close(complete) {
      await file.close().catch(() => {});
      if (!complete) await io.remove(name).catch(() => {});
    },
  };
}
