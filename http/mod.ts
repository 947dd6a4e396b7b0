/**
 * HTTP/1.1 on cosockets: every call that waits is an operation, awaited
 * from async code or delegated to with `yield*` inside a cosocket.
 *
 * - Server: {@linkcode servcon} (the seed's listen object) runs either
 *   handler style over one engine: a cosocket `function* (request,
 *   response)` or a `Deno.serve`-style `(request: Request) => Response`;
 *   {@linkcode serve} has `Deno.serve`'s call shape. {@linkcode req2sock}
 *   takes a connection over, {@linkcode sse} answers with an event stream,
 *   {@linkcode redirector} and {@linkcode crossSiteRedirector} are reverse
 *   proxies.
 * - Client: {@linkcode httpc} (the seed's low-level client: keep-alive,
 *   proxies, tunnels), {@linkcode http} (defaults and redirects),
 *   {@linkcode httpm} (stat, post, upload, download, json) and a WHATWG
 *   {@linkcode fetch}.
 * - The one HTTP/1.1 head parser and writer of the repository
 *   ({@linkcode parseRequestHead}, {@linkcode formatResponseHead}, ...).
 *
 * ```ts
 * import { httpc, servcon, type ServerRequest, type ServerResponse } from "@cosocket/http";
 *
 * // A server whose handler is a cosocket: reads and writes look blocking.
 * await using server = servcon(0, function* (request: ServerRequest, response: ServerResponse) {
 *   const body = yield* request.text();
 *   response.headers.set("content-type", "text/plain");
 *   yield* response.send(`${request.method} ${request.pathname}: ${body.length} bytes`);
 * }, { hostname: "127.0.0.1" });
 *
 * // The seed's low-level client, awaited from async code.
 * await using client = httpc();
 * await client.request({ url: `http://127.0.0.1:${server.port}/upload`, method: "POST", size: 5 });
 * await client.write("hello");
 * console.log(await client.status(), await client.text()); // 200 "POST /upload: 5 bytes"
 * ```
 *
 * @module
 */
export * from "./client.ts";
export * from "./httpc_options.ts";
export * from "./cookie_jar.ts";
export * from "./fetch.ts";
export * from "./head.ts";
export * from "./http2sock.ts";
export * from "./http.ts";
export * from "./http_error.ts";
export * from "./httpm.ts";
export * from "./parse_cookies.ts";
export * from "./parse_set_cookie.ts";
export * from "./proxy_from_env.ts";
export * from "./proxycon.ts";
export * from "./handler.ts";
export * from "./cross_site_redirector.ts";
export * from "./redirector.ts";
export * from "./redirector_options.ts";
export * from "./req2sock.ts";
export * from "./servcon.ts";
export * from "./serve.ts";
export * from "./server_request.ts";
export * from "./server_response.ts";
export * from "./sse.ts";
