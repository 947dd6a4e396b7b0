import type { ProxyOptions } from "./proxycon.ts";
import { HttpRedirectClient } from "./http.ts";
import type { HttpcOptions } from "./client.ts";

/** `fetch`'s `init`, plus what the platform's `fetch` cannot do. */
export interface FetchInit extends RequestInit {
  /**
   * Reach the server through an HTTP (CONNECT) or SOCKS5 proxy, with
   * credentials (Deno's `fetch` has no SOCKS5 and no proxy credentials per
   * request).
   *
   * `"env"` reads `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY`.
   *
   * @default {undefined}
   */
  proxy?: ProxyOptions | "env";
  /**
   * Milliseconds each connect, read and write may take; 0 waits forever.
   *
   * @default {20000}
   */
  timeout?: number;
  /**
   * Client settings (TLS trust, local interface, limits) for this request.
   *
   * @default {{}}
   */
  client?: HttpcOptions;
  /**
   * The most redirects followed with `redirect: "follow"`.
   *
   * @default {20}
   */
  maxRedirects?: number;
}

const DECODED = new Set(["gzip", "x-gzip", "deflate"]);

/**
 * The WHATWG `fetch` over this package's HTTP/1.1 client: same signature,
 * same `Request`, `Response` and `Headers` objects, bodies streamed both ways
 * (`ReadableStream`), `AbortSignal`, redirects (`follow`, `manual`,
 * `error`), and `gzip`/`deflate` responses decoded. On top, `init.proxy`
 * (HTTP CONNECT or SOCKS5 with credentials), `init.timeout` and
 * `init.client` (TLS trust, interface, limits). Connections are kept alive
 * per origin on the socket pool.
 *
 * Differences from the platform's `fetch`: HTTP/1.1 only; no CORS, cache
 * or credentials modes (there is no browser); `file:` and `data:` URLs are
 * not supported.
 *
 * @param input The URL or a `Request`.
 * @param init The request options.
 * @returns The response, its body streamed.
 * @throws {TypeError} For an unsupported URL or a redirect with
 * `redirect: "error"`; the signal's reason when aborted; `HttpError` and
 * `SocketError` from the exchange.
 *
 * @example Through the same interface as the platform's fetch
 * ```ts
 * import { fetch } from "@cosocket/http";
 *
 * await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) =>
 *   Response.json({ got: await request.text() }));
 * const response = await fetch(`http://127.0.0.1:${server.addr.port}/`, { method: "POST", body: "hi" });
 * console.log(response.status, await response.json()); // 200 { got: "hi" }
 * ```
 */
export async function fetch(input: string | URL | Request, init?: FetchInit): Promise<Response> {
  const request = new Request(input, init);
  const signal = request.signal;
  signal.throwIfAborted();
  const url = new URL(request.url);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`Cannot fetch: unsupported URL scheme "${url.protocol}"`);
  }
  const client = new HttpRedirectClient({
    ...init?.client,
    ...(init?.proxy === undefined ? {} : { proxy: init.proxy }),
    ...(init?.timeout === undefined ? {} : { timeout: init.timeout }),
    maxRedirects: request.redirect === "follow" ? init?.maxRedirects ?? 20 : 0,
  });
  const abort = () => void client.close();
  signal.addEventListener("abort", abort, { once: true });
  try {
    const headers = new Headers(request.headers);
    if (!headers.has("accept-encoding")) headers.set("accept-encoding", "gzip, deflate");
    if (!headers.has("accept")) headers.set("accept", "*/*");
    const method = request.method;
    const stream = request.body;
    let body: Uint8Array | undefined;
    if (stream !== null && init?.body instanceof ReadableStream) {
      // A stream is sent as it comes (chunked), and not redirected.
      await client.request({ url, method, header: headers });
      for await (const chunk of stream) await client.write(chunk);
    } else {
      if (stream !== null) body = new Uint8Array(await request.arrayBuffer());
      await client.request({
        url,
        method,
        header: headers,
        ...(body === undefined ? {} : { body }),
      });
    }
    const status = await client.status();
    const responseHeaders = await client.header();
    if (
      request.redirect !== "follow" && status >= 300 && status < 400 &&
      responseHeaders.has("location")
    ) {
      if (request.redirect === "error") {
        throw new TypeError(`Cannot fetch: redirected to ${responseHeaders.get("location")}`);
      }
    }
    const encoding = (responseHeaders.get("content-encoding") ?? "").trim().toLowerCase();
    let bodyStream: ReadableStream<Uint8Array> | null = status === 204 || status === 205 ||
        status === 304 ||
        method === "HEAD"
      ? null
      : bodyOf(client, signal, abort);
    if (bodyStream !== null && DECODED.has(encoding)) {
      const format = encoding === "deflate" ? "deflate" : "gzip";
      bodyStream = bodyStream.pipeThrough(
        new DecompressionStream(format) as unknown as TransformStream<Uint8Array, Uint8Array>,
      );
      // The headers stay as the server sent them, as the platform's fetch keeps them.
    }
    if (bodyStream === null) {
      await client.read();
      signal.removeEventListener("abort", abort);
      await client.close();
    }
    const response = new Response(bodyStream, {
      status,
      statusText: await client.statusText(),
      headers: responseHeaders,
    });
    const final = client.url() ?? url;
    Object.defineProperty(response, "url", { value: final.href });
    Object.defineProperty(response, "redirected", { value: final.href !== url.href });
    return response;
  } catch (error) {
    signal.removeEventListener("abort", abort);
    await client.close();
    if (signal.aborted) throw signal.reason;
    throw error;
  }
}

/** The response body as a stream that reads the client piece by piece (backpressure). */
function bodyOf(
  client: HttpRedirectClient,
  signal: AbortSignal,
  abort: () => void,
): ReadableStream<Uint8Array> {
  const done = async () => {
    signal.removeEventListener("abort", abort);
    await client.close();
  };
  return new ReadableStream<Uint8Array>({
    type: "bytes",
    async pull(controller) {
      try {
        const piece = await client.read(65536);
        if (piece === null) {
          await done();
          controller.close();
          return;
        }
        controller.enqueue(piece.slice());
      } catch (error) {
        await done();
        controller.error(signal.aborted ? signal.reason : error);
      }
    },
    async cancel() {
      await done();
    },
  });
}
