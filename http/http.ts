import { type Operation, operation, type Suspension } from "@cosocket/socket";
import { HttpClient } from "./client.ts";
import type { HttpcOptions, RequestOptions } from "./httpc_options.ts";
import { HttpError } from "./http_error.ts";
import { responseHead } from "./_client_hooks.ts";
import { fieldPairs } from "./_fields.ts";

/** Options of {@linkcode http}: the client's, request defaults, and redirect rules. */
export interface HttpOptions extends HttpcOptions, Partial<RedirectRequestOptions> {
  /**
   * The most redirects one request follows; 0 follows none (the 3xx
   * response is returned, as `fetch`'s `redirect: "manual"`).
   *
   * @default {10}
   */
  maxRedirects?: number;
  /**
   * Follow a redirect from `https:` to `http:` (refused by default: it would
   * send the rest of the exchange in clear text).
   *
   * @default {false}
   */
  allowDowngrade?: boolean;
}

/** A request of the redirecting client: the low-level options plus a body it can send again. */
export interface RedirectRequestOptions extends RequestOptions {
  /**
   * The request body, sent with `Content-Length`; kept so that a 307 or 308
   * redirect can send it again. (A body streamed with `write()` is not
   * redirected: the 3xx answer is returned as is.)
   *
   * @default {undefined}
   */
  body?: Uint8Array | string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const CREDENTIALS = ["authorization", "cookie", "proxy-authorization"];
/** Methods whose body, when not given whole, the caller streams (no redirect can replay it). */
const STREAMED = new Set(["POST", "PUT", "PATCH"]);

/**
 * The seed's `http` library: an {@linkcode HttpClient} whose creation
 * options are the defaults of every request, and which follows redirects.
 * 301, 302, 303, 307 and 308 are followed up to `maxRedirects`, with the
 * method rules browsers and RFC 9110 use: 303 turns any method but HEAD into
 * GET, 301 and 302 turn POST into GET, 307 and 308 keep the method and send
 * the `body` again. `Authorization`, `Cookie` and `Proxy-Authorization` (and
 * Basic credentials) are dropped when a redirect leaves the origin; an
 * `https:` → `http:` redirect is refused unless `allowDowngrade`; a loop is
 * detected. {@linkcode HttpRedirectClient.prototype.url} gives the final URL.
 *
 * @example Following a redirect
 * ```ts
 * import { http, servcon, type ServerRequest, type ServerResponse } from "@cosocket/http";
 *
 * await using server = servcon(0, function* (request: ServerRequest, response: ServerResponse) {
 *   if (request.pathname === "/old") return yield* response.redirect("/new", 301);
 *   yield* response.send("moved here");
 * }, { hostname: "127.0.0.1" });
 * await using client = http({ url: `http://127.0.0.1:${server.port}/old` });
 * await client.request();
 * console.log(await client.status(), client.url()?.pathname, await client.text()); // 200 "/new" "moved here"
 * ```
 */
export class HttpRedirectClient extends HttpClient {
  readonly #defaults: HttpOptions;
  #url: URL | null = null;

  /**
   * Creates the client; use {@linkcode http}.
   *
   * @param options Client options and request defaults.
   */
  constructor(options?: HttpOptions) {
    super(options);
    this.#defaults = options ?? {};
  }

  /**
   * Sends a request with the creation options as defaults, following
   * redirects; then read the final response with `status()`, `header()`,
   * `read()`.
   *
   * @param options Overrides of the defaults (`url` is required in one of them).
   * @returns The operation, done once the final response head is read (or,
   * for a body streamed with `write()`, once the head is sent).
   * @throws {HttpError} `redirect` for too many redirects, a loop, or a refused
   * downgrade; otherwise as {@linkcode HttpClient.prototype.request}.
   */
  override request(options?: Partial<RedirectRequestOptions>): Operation<void> {
    return operation(() => this.#follow({ ...this.#defaults, ...options }));
  }

  *#follow(merged: Partial<RedirectRequestOptions> & HttpOptions): Generator<Suspension, void> {
    if (merged.url === undefined) {
      throw new TypeError("Cannot send request: no url, neither in the defaults nor the request");
    }
    const send = (options: RequestOptions) => HttpClient.prototype.request.call(this, options);
    const body = typeof merged.body === "string"
      ? new TextEncoder().encode(merged.body)
      : merged.body;
    let url = new URL(merged.url);
    let method = (merged.method ?? "GET").toUpperCase();
    // The caller's fields as given, copied only when a redirect drops some.
    let headers: HeadersInit | undefined = merged.header;
    const drop = (names: string[]) => {
      headers = fieldPairs(headers).filter(([name]) => !names.includes(name));
    };
    let user = merged.user;
    let password = merged.password;
    let query = merged.query;
    let withBody = body;
    // The requests sent, to detect a loop; started at the first redirect.
    let seen: Set<string> | null = null;
    for (let hops = 0;; hops++) {
      // Built field by field: spreading optional fields cost more than the rest of a hop.
      const hop: RequestOptions = { url, method };
      if (merged.trusted !== undefined) hop.trusted = merged.trusted;
      if (merged.signal !== undefined) hop.signal = merged.signal;
      if (headers !== undefined) hop.header = headers;
      if (query !== undefined) hop.query = query;
      if (user !== undefined) hop.user = user;
      if (password !== undefined) hop.password = password;
      if (withBody !== undefined) hop.size = withBody.length;
      yield* send(hop);
      if (withBody !== undefined) yield* this.write(withBody);
      else if (merged.size !== undefined || STREAMED.has(method)) {
        // The caller streams the body: no redirect can be replayed.
        this.#url = url;
        return;
      }
      const status = yield* this.status();
      const current = method;
      // The field as parsed: building Headers for it cost a tenth of a request.
      const location = responseHead(this)!.fields.get("location");
      if (!REDIRECTS.has(status) || location === null) {
        this.#url = url;
        return;
      }
      if (merged.maxRedirects === 0) {
        // Not following: the 3xx is the answer.
        this.#url = url;
        return;
      }
      if (hops >= (merged.maxRedirects ?? 10)) {
        throw new HttpError("redirect", `Cannot follow redirect: more than ${hops} redirects`);
      }
      let next: URL;
      try {
        next = new URL(location, url);
      } catch (cause) {
        throw new HttpError("redirect", `Cannot follow redirect: invalid Location "${location}"`, {
          cause,
        });
      }
      if (next.protocol !== "http:" && next.protocol !== "https:") {
        throw new HttpError("redirect", `Cannot follow redirect to a ${next.protocol} URL`);
      }
      if (
        url.protocol === "https:" && next.protocol === "http:" && merged.allowDowngrade !== true
      ) {
        throw new HttpError(
          "redirect",
          `Cannot follow redirect from https to http (${next.href}): set allowDowngrade to allow it`,
        );
      }
      if (
        status === 303 && method !== "HEAD" ||
        (status === 301 || status === 302) && method === "POST"
      ) {
        method = "GET";
        withBody = undefined;
        drop(["content-type"]);
      }
      if (next.origin !== url.origin) {
        drop(CREDENTIALS);
        user = undefined;
        password = undefined;
      }
      seen ??= new Set();
      seen.add(`${current} ${url.href}`);
      if (seen.has(`${method} ${next.href}`)) {
        throw new HttpError("redirect", `Cannot follow redirect: a loop back to ${next.href}`);
      }
      yield* this.read();
      url = next;
      // The Location carries its own query.
      query = undefined;
    }
  }

  /**
   * The URL of the last response, after redirects (the seed's `http:url`).
   *
   * @returns The URL with its query, or `null` before a request.
   */
  url(): URL | null {
    return this.#url;
  }
}

/**
 * Creates a client with request defaults that follows redirects (the seed's
 * `require"http".create(op)`).
 *
 * @param options Client options, request defaults (`url`, `method`,
 * `header`, ...), `maxRedirects`, `allowDowngrade`.
 * @returns The client.
 * @throws {RangeError} For a timeout outside 0..3,240,000.
 *
 * @example Defaults at creation, a redirect followed, the final URL
 * ```ts
 * import { http } from "@cosocket/http";
 *
 * await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) =>
 *   new URL(request.url).pathname === "/old"
 *     ? Response.redirect(new URL("/new?moved=1", request.url), 301)
 *     : new Response("new place"));
 * await using client = http({ url: `http://127.0.0.1:${server.addr.port}/old` });
 * await client.request();
 * console.log(await client.text(), client.url()!.search); // "new place" "?moved=1"
 * ```
 */
export function http(options?: HttpOptions): HttpRedirectClient {
  return new HttpRedirectClient(options);
}
