import type { Exchange } from "./_exchange.ts";
import { field } from "./_fields.ts";

/** The URL of a request, from its target and `Host` header. */
export function requestUrl(exchange: Exchange): URL {
  try {
    return new URL(requestHref(exchange));
  } catch {
    return new URL(fallbackHref(exchange));
  }
}

/**
 * The URL of a request as a string, not checked: for `new Request`, which
 * parses it anyway (a `URL` made first would be parsed twice). When it does
 * not parse (a bad `Host`), use {@linkcode fallbackHref}.
 */
export function requestHref(exchange: Exchange): string {
  const head = exchange.head;
  const scheme = exchange.secure ? "https" : "http";
  if (/^https?:\/\//i.test(head.path)) return head.path;
  const host = field(head, "host") ?? exchange.socket.sockname().address;
  if (head.method === "CONNECT") return `${scheme}://${head.path}/`;
  return `${scheme}://${host}${head.path.startsWith("/") ? head.path : "/"}`;
}

/** The URL of a request whose `Host` does not make a valid URL: on `localhost`. */
export function fallbackHref(exchange: Exchange): string {
  const head = exchange.head;
  const scheme = exchange.secure ? "https" : "http";
  return `${scheme}://localhost${head.path.startsWith("/") ? head.path : "/"}`;
}
