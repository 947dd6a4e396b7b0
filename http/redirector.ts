import {
  connect,
  type Socket,
  spawn,
  type Suspension,
  type TlsClientOptions,
} from "@cosocket/socket";
import { httpc } from "./client.ts";
import { formatRequestHead, headerTokens } from "./head.ts";
import { HttpError } from "./http_error.ts";
import { req2sock } from "./req2sock.ts";
import type { ServerRequest } from "./server_request.ts";
import type { ServerResponse } from "./server_response.ts";

/** Options of {@linkcode redirector}. */
export interface RedirectorOptions {
  /**
   * The path prefix this proxy answers on our server; it is replaced by the
   * backend URL's path (the seed's base URI). Requests outside it are left
   * to the caller (the handler returns `false`).
   *
   * @default {"/"}
   */
  prefix?: string;
  /**
   * Send the client's `Host` header to the backend instead of the backend's own.
   *
   * @default {false}
   */
  preserveHost?: boolean;
  /**
   * Add to the `X-Forwarded-For` the client sent (when this proxy sits
   * behind another trusted one) instead of replacing it.
   *
   * @default {false}
   */
  trustForwarded?: boolean;
  /**
   * TLS options for an `https:` backend.
   *
   * @default {undefined}
   */
  tls?: TlsClientOptions;
  /**
   * The longest wait for the backend, per read, in milliseconds.
   *
   * @default {30000}
   */
  timeout?: number;
}

/**
 * A cosocket handler that forwards what it is given: returns `false` for a
 * request outside its prefix (the caller answers it), `true` once the
 * request was proxied.
 */
export type ProxyHandler = (
  request: ServerRequest,
  response: ServerResponse,
) => Generator<Suspension, boolean>;

/** Hop-by-hop fields (RFC 9110 §7.6.1): never forwarded. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "content-length",
]);
const DOT_SEGMENT = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)|\\|%5c|%2f/i;

/**
 * A reverse proxy (the seed's `ba.create.redirector`): requests under
 * `prefix` go to `backend` with the prefix replaced by the backend's path.
 * Bodies stream both ways (never buffered whole, paced by the slower
 * side); hop-by-hop headers are removed; `X-Forwarded-For`, `-Proto` and
 * `-Host` are added; a `Location` pointing into the backend is rewritten
 * to point into the prefix; WebSocket upgrades are tunnelled and event
 * streams passed through as they come. Served over TLS, it terminates TLS
 * in front of a plain backend.
 *
 * A path with dot segments, backslashes or encoded slashes is refused with
 * 400: it could climb out of the backend's base path. Requests with an
 * ambiguous framing never get here (the server refuses them).
 *
 * Call it from a handler to put local routes first and the backend behind
 * them (the seed's priority −1 root proxy); it returns `false` for requests
 * outside its prefix.
 *
 * @param backend The backend's base URL (`http:` or `https:`).
 * @param options The prefix, headers and TLS options.
 * @returns The proxying handler.
 * @throws {TypeError} For a backend URL that is not `http:` or `https:`.
 *
 * @example Local routes first, the backend for the rest
 * ```ts
 * import { redirector, servcon, type ServerRequest, type ServerResponse } from "@cosocket/http";
 *
 * await using backend = servcon(0, function* (request: ServerRequest, response: ServerResponse) {
 *   yield* response.send(`backend saw ${request.path}`);
 * }, { hostname: "127.0.0.1" });
 * const proxy = redirector(`http://127.0.0.1:${backend.port}/base/`, { prefix: "/app/" });
 * await using front = servcon(0, function* (request: ServerRequest, response: ServerResponse) {
 *   if (request.pathname === "/local") return yield* response.send("local");
 *   if (!(yield* proxy(request, response))) response.status = 404;
 * }, { hostname: "127.0.0.1" });
 * const base = `http://127.0.0.1:${front.port}`;
 * console.log(await (await fetch(`${base}/local`)).text()); // "local"
 * console.log(await (await fetch(`${base}/app/x?y=1`)).text()); // "backend saw /base/x?y=1"
 * console.log((await fetch(`${base}/other`)).status); // 404
 * ```
 */
export function redirector(backend: string | URL, options?: RedirectorOptions): ProxyHandler {
  const base = new URL(backend);
  if (base.protocol !== "http:" && base.protocol !== "https:") {
    throw new TypeError(`Cannot create reverse proxy: unsupported backend URL "${base}"`);
  }
  const prefix = options?.prefix ?? "/";
  const basePath = base.pathname.endsWith("/") ? base.pathname : `${base.pathname}/`;
  const mount = prefix.endsWith("/") ? prefix : `${prefix}/`;
  return function* proxy(request, response) {
    const path = request.path;
    if (!path.startsWith(mount) && path !== mount.slice(0, -1)) return false;
    const rest = path.slice(Math.min(mount.length, path.length));
    if (DOT_SEGMENT.test(rest.split("?")[0]!)) {
      response.status = 400;
      yield* response.send("Bad Request: the path leaves the proxied tree\n");
      return true;
    }
    const target = new URL(basePath + rest, base);
    const headers = forwardedHeaders(request, target, options);
    if (isUpgrade(request)) {
      yield* tunnel(request, target, headers, options);
      return true;
    }
    yield* forward(request, response, target, headers, { base, basePath, mount, options });
    return true;
  };
}

interface Mapping {
  base: URL;
  basePath: string;
  mount: string;
  options: RedirectorOptions | undefined;
}

/** The request headers for the backend. */
function forwardedHeaders(
  request: ServerRequest,
  target: URL,
  options: RedirectorOptions | undefined,
): Headers {
  const headers = new Headers();
  const named = new Set(
    headerTokens(request.headers.get("connection")).map((t) => t.toLowerCase()),
  );
  for (const [name, value] of request.headers) {
    if (!HOP_BY_HOP.has(name) && !named.has(name)) headers.append(name, value);
  }
  const client = request.remoteAddr.address;
  const earlier = request.headers.get("x-forwarded-for");
  headers.set(
    "x-forwarded-for",
    options?.trustForwarded === true && earlier !== null ? `${earlier}, ${client}` : client,
  );
  headers.set("x-forwarded-proto", request.secure ? "https" : "http");
  const host = request.headers.get("host");
  if (host !== null) headers.set("x-forwarded-host", host);
  if (options?.preserveHost !== true || host === null) headers.set("host", target.host);
  return headers;
}

function isUpgrade(request: ServerRequest): boolean {
  return request.headers.get("upgrade") !== null &&
    headerTokens(request.headers.get("connection")).some((t) => t.toLowerCase() === "upgrade");
}

/** Forwards one request and streams the answer back. */
function* forward(
  request: ServerRequest,
  response: ServerResponse,
  target: URL,
  headers: Headers,
  mapping: Mapping,
): Generator<Suspension, void> {
  const length = request.headers.get("content-length");
  const client = httpc({
    timeout: mapping.options?.timeout ?? 30000,
    ...(mapping.options?.tls !== undefined && { tls: mapping.options.tls }),
  });
  try {
    try {
      yield* client.request({
        url: target,
        method: request.method,
        header: headers,
        ...(length !== null && { size: Number(length) }),
      });
      yield* pipeRequestBody(request, client);
      response.status = yield* client.status();
      response.statusText = yield* client.statusText();
    } catch (error) {
      if (error instanceof HttpError && error.code === "incorrectuse") throw error;
      response.status = 502;
      yield* response.send(`Bad Gateway: ${(error as Error).message}\n`);
      return;
    }
    const pairs = yield* client.headerPairs();
    const named = new Set(
      pairs.filter(([name]) => name.toLowerCase() === "connection")
        .flatMap(([, value]) => headerTokens(value).map((token) => token.toLowerCase())),
    );
    for (const [name, value] of pairs) {
      const lower = name.toLowerCase();
      if ((HOP_BY_HOP.has(lower) && lower !== "content-length") || named.has(lower)) continue;
      response.headers.append(name, lower === "location" ? relocate(value, mapping) : value);
    }
    if (request.method === "HEAD") return;
    yield* response.flush();
    const buffer = new Uint8Array(65536);
    let count;
    while ((count = yield* client.readInto(buffer)) !== null) {
      yield* response.write(buffer.subarray(0, count));
      yield* response.flush();
    }
  } finally {
    // A connection whose response was read whole goes back to the pool.
    client.close();
  }
}

/** Streams the request body to the backend. */
function* pipeRequestBody(
  request: ServerRequest,
  client: ReturnType<typeof httpc>,
): Generator<Suspension, void> {
  const buffer = new Uint8Array(65536);
  let count;
  while ((count = yield* request.readInto(buffer)) !== null) {
    yield* client.write(buffer.subarray(0, count));
  }
}

/** Maps a backend `Location` into the prefix; other locations pass unchanged. */
function relocate(location: string, { base, basePath, mount }: Mapping): string {
  let url: URL;
  try {
    url = new URL(location, base);
  } catch {
    return location;
  }
  if (url.origin !== base.origin || !url.pathname.startsWith(basePath)) return location;
  const mapped = mount + url.pathname.slice(basePath.length) + url.search + url.hash;
  return location.startsWith("/") || url.origin === base.origin ? mapped : location;
}

/** A WebSocket (or other) upgrade: the raw bytes both ways once the backend answers. */
function* tunnel(
  request: ServerRequest,
  target: URL,
  headers: Headers,
  options: RedirectorOptions | undefined,
): Generator<Suspension, void> {
  headers.set("connection", "Upgrade");
  headers.set("upgrade", request.headers.get("upgrade")!);
  const secure = target.protocol === "https:";
  const port = Number(target.port || (secure ? 443 : 80));
  const upstream = yield* connect(target.hostname.replace(/^\[|\]$/g, ""), port, {
    ...(secure && { tls: options?.tls ?? true }),
  });
  const downstream = req2sock(request);
  try {
    yield* upstream.write(
      formatRequestHead(request.method, target.pathname + target.search, headers),
    );
    // Both directions at once; the first side to close ends the tunnel.
    spawn(() => pipe(upstream, downstream));
    yield* pipe(downstream, upstream);
  } finally {
    upstream.close();
    downstream.close();
  }
}

function* pipe(from: Socket, to: Socket): Generator<Suspension, void> {
  const buffer = new Uint8Array(65536);
  let count;
  try {
    while ((count = yield* from.readInto(buffer)) !== null) {
      yield* to.write(buffer.subarray(0, count));
    }
  } finally {
    to.close();
  }
}
