import { climbsOut, proxyTo } from "./_proxy.ts";
import type { ProxyHandler, RedirectorOptions } from "./redirector_options.ts";

/** Options of {@linkcode crossSiteRedirector}. */
export interface CrossSiteOptions extends RedirectorOptions {
  /**
   * The hosts (`name` or `name:port`) the gateway may reach, or a function
   * deciding. Required: a gateway to any host is an open proxy.
   */
  allow: readonly string[] | ((host: string) => boolean);
  /**
   * The scheme used towards the hosts.
   *
   * @default {"https"}
   */
  scheme?: "http" | "https";
}

const HOST =
  /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/**
 * The seed's cross-site redirector: `prefix + host/path` is fetched from
 * `scheme://host/path`, so pages can use services of other sites through
 * their own origin (`http://localserver/gateway/domain-name/path`). Only the
 * hosts `allow` names are reached; anything else is answered 403. Bodies,
 * headers, upgrades and `Location` are handled as by {@linkcode redirector}
 * (a redirect within the host stays inside the gateway).
 *
 * @param options The allowed hosts, the prefix (default "/"), the scheme.
 * @returns The proxying handler (`false` for requests outside the prefix).
 *
 * @example A gateway to one allowed backend
 * ```ts
 * import { crossSiteRedirector, servcon, type ServerRequest, type ServerResponse } from "@cosocket/http";
 *
 * await using backend = servcon(0, function* (request: ServerRequest, response: ServerResponse) {
 *   yield* response.send(`site saw ${request.path}`);
 * }, { hostname: "127.0.0.1" });
 * const site = `127.0.0.1:${backend.port}`;
 * const gateway = crossSiteRedirector({ prefix: "/gateway/", allow: [site], scheme: "http" });
 * await using front = servcon(0, gateway, { hostname: "127.0.0.1" });
 * const base = `http://127.0.0.1:${front.port}/gateway`;
 * console.log(await (await fetch(`${base}/${site}/api?x=1`)).text()); // "site saw /api?x=1"
 * console.log((await fetch(`${base}/example.com/`)).status); // 403
 * ```
 */
export function crossSiteRedirector(options: CrossSiteOptions): ProxyHandler {
  const prefix = options.prefix ?? "/";
  const mount = prefix.endsWith("/") ? prefix : `${prefix}/`;
  const scheme = options.scheme ?? "https";
  const allow = options.allow;
  const allowed = typeof allow === "function"
    ? allow
    : (host: string) => allow.some((name) => name.toLowerCase() === host);
  return function* gateway(request, response) {
    const path = request.path;
    if (!path.startsWith(mount)) return false;
    const rest = path.slice(mount.length);
    const slash = rest.search(/[/?]/);
    const host = (slash < 0 ? rest : rest.slice(0, slash)).toLowerCase();
    const tail = slash < 0
      ? "/"
      : rest[slash] === "?"
      ? `/${rest.slice(slash)}`
      : rest.slice(slash);
    if (!HOST.test(host) || climbsOut(tail)) {
      response.status = 400;
      yield* response.send("Bad Request: not a host and path\n");
      return true;
    }
    if (!allowed(host)) {
      response.status = 403;
      yield* response.send(`Forbidden: ${host} is not reachable through this gateway\n`);
      return true;
    }
    const base = new URL(`${scheme}://${host}/`);
    const target = new URL(tail, base);
    yield* proxyTo(request, response, target, {
      base,
      basePath: "/",
      mount: `${mount}${host}/`,
      options,
    });
    return true;
  };
}
