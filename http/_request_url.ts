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
  if (/^https?:\/\//i.test(head.path)) return head.path;
  if (head.method === "CONNECT") return `${scheme(exchange)}://${head.path}/`;
  return hrefOn(exchange, field(head, "host") ?? exchange.socket.sockname().address);
}

/** The URL of a request whose `Host` does not make a valid URL: on `localhost`. */
export function fallbackHref(exchange: Exchange): string {
  return hrefOn(exchange, "localhost");
}

function hrefOn(exchange: Exchange, host: string): string {
  const path = exchange.head.path;
  return `${scheme(exchange)}://${host}${path.startsWith("/") ? path : "/"}`;
}

function scheme(exchange: Exchange): string {
  return exchange.secure ? "https" : "http";
}
