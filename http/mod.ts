/**
 * HTTP/1.1 over `@cosocket/socket`. Today: the message-head parser and
 * writer ({@linkcode parseRequestHead}, {@linkcode parseResponseHead},
 * {@linkcode formatRequestHead}, {@linkcode formatResponseHead}) that the
 * WebSocket handshake uses; the client and server build on the same code.
 *
 * ```ts
 * import { formatRequestHead, parseRequestHead } from "@cosocket/http";
 *
 * const head = formatRequestHead("GET", "/", [["Host", "example.com"]]);
 * const request = parseRequestHead(head);
 * console.log(request.method, request.path, request.headers.get("host")); // GET / example.com
 * ```
 *
 * @module
 */
export * from "./client.ts";
export * from "./cookie_jar.ts";
export * from "./fetch.ts";
export * from "./head.ts";
export * from "./http2sock.ts";
export * from "./http.ts";
export * from "./http_error.ts";
export * from "./httpm.ts";
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
