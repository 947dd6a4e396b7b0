import type { ProxyOptions } from "./proxycon.ts";

/**
 * The proxy the environment asks for a URL: `HTTPS_PROXY` for `https:`,
 * `HTTP_PROXY` for `http:` (lower-case names too, which win, as curl reads
 * them), unless `NO_PROXY` lists the host: `*`, a host name or domain
 * suffix (`example.com` and `.example.com` both cover `www.example.com`), an
 * IP address, each optionally with `:port`. A proxy URL may be `http://` (a
 * CONNECT proxy) or `socks5://`/`socks5h://`, with `user:password@`.
 *
 * @param url The URL about to be fetched.
 * @param env The variables (defaults to `Deno.env`, which needs `--allow-env`).
 * @returns The proxy, or `undefined` for a direct connection.
 * @throws {TypeError} For a proxy variable that is not a URL of a supported scheme.
 *
 * @example
 * ```ts
 * import { proxyFromEnv } from "@cosocket/http";
 *
 * const env = { HTTPS_PROXY: "socks5://ada:pw@127.0.0.1:1080", NO_PROXY: "localhost,.internal" };
 * console.log(proxyFromEnv("https://example.com/", env)?.type); // "socks5"
 * console.log(proxyFromEnv("https://db.internal/", env)); // undefined
 * ```
 */
export function proxyFromEnv(
  url: string | URL,
  env?: Record<string, string | undefined>,
): ProxyOptions | undefined {
  const get = (name: string) =>
    env === undefined
      ? Deno.env.get(name.toLowerCase()) ?? Deno.env.get(name)
      : env[name.toLowerCase()] ?? env[name];
  const target = new URL(url);
  const value = get(target.protocol === "https:" ? "HTTPS_PROXY" : "HTTP_PROXY");
  if (value === undefined || value === "") return undefined;
  if (bypassed(target, get("NO_PROXY") ?? "")) return undefined;
  const proxy = new URL(value.includes("://") ? value : `http://${value}`);
  const type = proxy.protocol === "http:"
    ? "http"
    : proxy.protocol === "socks5:" || proxy.protocol === "socks5h:"
    ? "socks5"
    : null;
  if (type === null) {
    throw new TypeError(
      `Cannot use proxy "${value}": only http:// and socks5:// proxies are supported`,
    );
  }
  const host = proxy.hostname.startsWith("[") ? proxy.hostname.slice(1, -1) : proxy.hostname;
  return {
    host,
    type,
    ...(proxy.port === "" ? {} : { port: Number(proxy.port) }),
    ...(proxy.username === "" ? {} : { user: decodeURIComponent(proxy.username) }),
    ...(proxy.password === "" ? {} : { password: decodeURIComponent(proxy.password) }),
  };
}

function bypassed(target: URL, list: string): boolean {
  const host = target.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const port = target.port || (target.protocol === "https:" ? "443" : "80");
  for (const raw of list.split(/[,\s]+/)) {
    const entry = raw.trim().toLowerCase();
    if (entry === "") continue;
    if (entry === "*") return true;
    const [name, entryPort] = splitEntry(entry);
    if (entryPort !== undefined && entryPort !== port) continue;
    if (host === name || host.endsWith(`.${name}`)) return true;
  }
  return false;
}

/** `[v6]:port`, `v6` (two or more colons), `host:port` or `host`; a leading `.` or `*.` dropped. */
function splitEntry(entry: string): [string, string | undefined] {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed !== null) return [bracketed[1]!, bracketed[2]];
  if (entry.split(":").length > 2) return [entry, undefined];
  const [host = "", port] = entry.split(":");
  return [host.replace(/^\*?\./, ""), port];
}
