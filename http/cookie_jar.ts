import { splitSetCookie } from "./_set_cookie.ts";

/** One stored cookie (RFC 6265 §5.3). */
export interface StoredCookie {
  /** The name. */
  name: string;
  /** The value. */
  value: string;
  /** The domain it belongs to (lower case, no leading dot). */
  domain: string;
  /** `true` when set without `Domain`: sent to that exact host only. */
  hostOnly: boolean;
  /** The path it is sent under. */
  path: string;
  /** Sent over `https:` only. */
  secure: boolean;
  /** Set with `HttpOnly` (kept; a non-browser client sends it anyway). */
  httpOnly: boolean;
  /** The `SameSite` attribute as sent (`"Strict"`, `"Lax"`, `"None"`), or `undefined`. */
  sameSite: string | undefined;
  /** When it expires (ms since the epoch), or `undefined` for a session cookie. */
  expires: number | undefined;
}

/**
 * A cookie jar (RFC 6265) for the HTTP client and `fetch`: it stores what
 * `Set-Cookie` headers say and gives back the `Cookie` header for a URL,
 * across requests and redirects (undici and Deno's `fetch` keep none).
 * Domain matching with host-only cookies, default and explicit paths,
 * `Secure`, `Expires` and `Max-Age` (which wins) are applied; `HttpOnly` and
 * `SameSite` are kept. The public-suffix rule is reduced to one check: a
 * `Domain` of a single label (`com`) or an IP address other than the host is
 * refused (there is no public suffix list here).
 *
 * @example Cookies kept between two requests
 * ```ts
 * import { CookieJar, httpc } from "@cosocket/http";
 *
 * await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) =>
 *   new Response(request.headers.get("cookie") ?? "none", {
 *     headers: { "set-cookie": "session=abc; Path=/; HttpOnly" },
 *   }));
 * const jar = new CookieJar();
 * await using client = httpc({ cookieJar: jar });
 * const url = `http://127.0.0.1:${server.addr.port}/`;
 * await client.request({ url });
 * console.log(await client.text()); // "none"
 * await client.request({ url });
 * console.log(await client.text()); // "session=abc"
 * ```
 */
export class CookieJar {
  #cookies: StoredCookie[] = [];

  /**
   * Stores the cookies of a response.
   *
   * @param url The URL the response came from.
   * @param setCookies The `Set-Cookie` header values.
   * @param now The current time in ms (for tests).
   */
  setCookies(url: string | URL, setCookies: Iterable<string>, now: number = Date.now()): void {
    const target = new URL(url);
    for (const header of setCookies) {
      const cookie = parse(header, target, now);
      if (cookie === null) continue;
      this.#cookies = this.#cookies.filter((c) =>
        !(c.name === cookie.name && c.domain === cookie.domain && c.path === cookie.path)
      );
      if (cookie.expires === undefined || cookie.expires > now) this.#cookies.push(cookie);
    }
  }

  /**
   * The `Cookie` header for a request to `url`: matching cookies, longer
   * paths first.
   *
   * @param url The request's URL.
   * @param now The current time in ms (for tests).
   * @returns The header value, or `null` when no cookie applies.
   */
  cookieHeader(url: string | URL, now: number = Date.now()): string | null {
    const target = new URL(url);
    const host = target.hostname.toLowerCase();
    this.#cookies = this.#cookies.filter((c) => c.expires === undefined || c.expires > now);
    const matching = this.#cookies.filter((c) =>
      (c.hostOnly ? host === c.domain : domainMatch(host, c.domain)) &&
      pathMatch(target.pathname || "/", c.path) &&
      (!c.secure || target.protocol === "https:")
    ).sort((a, b) => b.path.length - a.path.length);
    return matching.length === 0 ? null : matching.map((c) => `${c.name}=${c.value}`).join("; ");
  }

  /**
   * Every stored cookie that has not expired.
   *
   * @returns Copies of the cookies.
   */
  cookies(): StoredCookie[] {
    return this.#cookies.map((c) => ({ ...c }));
  }
}

function isIp(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(":");
}

function domainMatch(host: string, domain: string): boolean {
  return host === domain || (!isIp(host) && host.endsWith(`.${domain}`));
}

function pathMatch(path: string, cookiePath: string): boolean {
  return path === cookiePath ||
    (path.startsWith(cookiePath) && (cookiePath.endsWith("/") || path[cookiePath.length] === "/"));
}

function defaultPath(url: URL): string {
  const path = url.pathname;
  if (!path.startsWith("/") || path.lastIndexOf("/") === 0) return "/";
  return path.slice(0, path.lastIndexOf("/"));
}

function parse(header: string, url: URL, now: number): StoredCookie | null {
  const parsed = splitSetCookie(header);
  if (parsed === null) return null;
  const { name, value } = parsed;
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const cookie: StoredCookie = {
    name,
    value,
    domain: host,
    hostOnly: true,
    path: defaultPath(url),
    secure: false,
    httpOnly: false,
    sameSite: undefined,
    expires: undefined,
  };
  let maxAge: number | undefined;
  // Every occurrence in order: an empty or invalid one must not undo a valid one before it.
  for (const [key, val] of parsed.attributes) {
    if (key === "domain" && val !== "") {
      const domain = val.replace(/^\./, "").toLowerCase();
      // No public suffix list here: refuse single labels and foreign IPs.
      if (!domain.includes(".") && domain !== host) return null;
      if (isIp(domain) && domain !== host) return null;
      if (!domainMatch(host, domain)) return null;
      cookie.domain = domain;
      cookie.hostOnly = false;
    } else if (key === "path" && val.startsWith("/")) {
      cookie.path = val;
    } else if (key === "secure") {
      cookie.secure = true;
    } else if (key === "httponly") {
      cookie.httpOnly = true;
    } else if (key === "samesite") {
      cookie.sameSite = val;
    } else if (key === "max-age" && /^-?\d+$/.test(val)) {
      maxAge = Number(val);
    } else if (key === "expires") {
      const time = Date.parse(val);
      if (!Number.isNaN(time)) cookie.expires = time;
    }
  }
  if (maxAge !== undefined) cookie.expires = maxAge <= 0 ? now - 1 : now + maxAge * 1000;
  if (cookie.secure && url.protocol !== "https:") return null;
  return cookie;
}
