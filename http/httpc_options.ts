import type { TlsClientOptions } from "@cosocket/socket";
import type { CookieJar } from "./cookie_jar.ts";
import type { ProxyOptions } from "./proxycon.ts";

/** Options of {@linkcode httpc}: the defaults of every request of the client. */
export interface HttpcOptions {
  /**
   * TLS settings for `https:` URLs (the seed's `shark` option): CA
   * certificates to trust besides the platform's roots, a server name.
   *
   * @default {{}} (the platform's trust, as the seed's `sharkClient()`)
   */
  tls?: TlsClientOptions;
  /**
   * Keep connections open between requests and reuse them (HTTP/1.1
   * persistent connections, the seed's `persistent`), pooled per origin on
   * the socket pool.
   *
   * @default {true}
   */
  persistent?: boolean;
  /**
   * The local address to connect from (the seed's `intf`).
   *
   * @default {undefined} (any interface)
   */
  intf?: string;
  /**
   * Resolve host names to IPv6 addresses (the seed's `ipv6`).
   *
   * @default {false}
   */
  ipv6?: boolean;
  /**
   * Milliseconds each connect, read and write may take (the seed's
   * `http:timeout`); 0 waits forever; at most 3,240,000.
   *
   * @default {20000}
   */
  timeout?: number;
  /**
   * Reach servers through this HTTP (CONNECT) or SOCKS5 proxy (the seed's
   * `proxy`, `proxyport`, `socks`, `proxyuser`, `proxypass`). Connections
   * through a proxy are not pooled.
   *
   * `"env"` takes it from `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY` per
   * request (see {@linkcode proxyFromEnv}; needs `--allow-env`).
   *
   * @default {undefined} (direct connections)
   */
  proxy?: ProxyOptions | "env";
  /**
   * With `proxy`: `request()` only opens the tunnel to the URL's host and
   * port, sends nothing, and {@linkcode http2sock} hands over the raw socket
   * for another protocol (the seed's `proxycon` and its `"prxready"`).
   *
   * @default {false}
   */
  proxycon?: boolean;
  /**
   * Keep cookies across requests (and redirects): `Set-Cookie` answers are
   * stored, and matching cookies are sent (unless the request sets its own
   * `Cookie` header).
   *
   * @default {undefined} (no cookies kept)
   */
  cookieJar?: CookieJar;
  /**
   * The largest response head, in bytes.
   *
   * @default {16384}
   */
  maxHeaderSize?: number;
  /**
   * The most response header fields.
   *
   * @default {100}
   */
  maxHeaders?: number;
  /**
   * The largest body that `read("a")` (and `text()`, `readJson()`) collects.
   *
   * @default {67108864}
   */
  maxBodySize?: number;
  /**
   * Connections belong to no cosocket (and may be pooled). With `false`, a
   * connection opened inside a cosocket is opened as the socket package's
   * `connect()` opens it there: the cosocket's own socket when it is not
   * connected yet (the seed's cosocket mode), and it is never pooled.
   *
   * @default {true}
   */
  detached?: boolean;
}

/** A query value: repeated keys are arrays (the seed's `key2={"b1","b2"}`). */
export type QueryValue = string | number | boolean | readonly (string | number | boolean)[];

/** Options of {@linkcode HttpClient.prototype.request}. */
export interface RequestOptions {
  /** The URL: `http:` or `https:`. */
  url: string | URL;
  /**
   * The method.
   *
   * @default {"GET"}
   */
  method?: string;
  /**
   * Extra request headers.
   *
   * @default {undefined}
   */
  header?: HeadersInit;
  /**
   * Query parameters added to the URL; arrays repeat the key.
   *
   * @default {undefined}
   */
  query?: Record<string, QueryValue>;
  /**
   * User name for HTTP Basic authentication.
   *
   * @default {undefined}
   */
  user?: string;
  /**
   * Password for HTTP Basic authentication.
   *
   * @default {""}
   */
  password?: string;
  /**
   * The length of the body the caller will `write`: sent as
   * `Content-Length`. Without it, a body for POST, PUT and PATCH is sent with
   * chunked transfer coding and ends when the response is read.
   *
   * @default {undefined}
   */
  size?: number;
  /**
   * Accept only a TLS server whose certificate was verified for its name
   * (the seed's `trusted`); otherwise the request fails with `nottrusted`.
   *
   * @default {false}
   */
  trusted?: boolean;
  /**
   * Aborts opening the connection (TCP, TLS, a proxy's handshake) and
   * sending the head; the request then throws the signal's reason.
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
}
