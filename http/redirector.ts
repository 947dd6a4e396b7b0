import type { ProxyHandler, RedirectorOptions } from "./redirector_options.ts";
import { climbsOut, proxyTo } from "./_proxy.ts";

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
    if (climbsOut(rest)) {
      response.status = 400;
      yield* response.send("Bad Request: the path leaves the proxied tree\n");
      return true;
    }
    const target = new URL(basePath + rest, base);
    yield* proxyTo(request, response, target, { base, basePath, mount, options });
    return true;
  };
}
