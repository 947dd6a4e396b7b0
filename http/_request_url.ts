import type { Exchange } from "./_exchange.ts";

/** The URL of a request, from its target and `Host` header. */
export function requestUrl(exchange: Exchange): URL {
  const head = exchange.head;
  const scheme = exchange.secure ? "https" : "http";
  if (/^https?:\/\//i.test(head.path)) return new URL(head.path);
  const host = head.headers.get("host") ?? exchange.socket.sockname().address;
  if (head.method === "CONNECT") return new URL(`${scheme}://${head.path}/`);
  try {
    return new URL(`${scheme}://${host}${head.path.startsWith("/") ? head.path : "/"}`);
  } catch {
    return new URL(`${scheme}://localhost${head.path.startsWith("/") ? head.path : "/"}`);
  }
}
