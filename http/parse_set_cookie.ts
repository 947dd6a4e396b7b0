import { splitSetCookie } from "./_set_cookie.ts";

/** A cookie the server set, from a `Set-Cookie` header. */
export interface SetCookie {
  /** The cookie's name. */
  name: string;
  /** The cookie's value. */
  value: string;
  /**
   * The attributes (lower-case names: `expires`, `path`, `domain`, `secure`,
   * ...); `""` for flags; for a repeated attribute, the last one.
   */
  attributes: Record<string, string>;
}

/**
 * Parses a `Set-Cookie` header value (RFC 6265 §5.2): the name and value
 * before the first `;`, then the attributes. What they mean (domain and
 * path matching, expiry) is a cookie jar's business (`CookieJar` applies
 * them); this only splits.
 *
 * @param header One `Set-Cookie` value (`Headers#getSetCookie()` gives
 * them one by one).
 * @returns The cookie, or `null` when there is no `name=value` pair before
 * the first `;` or the name or value holds a control character (the RFC
 * says to ignore such a header).
 *
 * @example
 * ```ts
 * import { parseSetCookie } from "@cosocket/http";
 *
 * const cookie = parseSetCookie("session=abc; Path=/; HttpOnly; Max-Age=60");
 * console.log(cookie?.name, cookie?.value, cookie?.attributes); // session abc { path: "/", httponly: "", "max-age": "60" }
 * ```
 */
export function parseSetCookie(header: string): SetCookie | null {
  const split = splitSetCookie(header);
  if (split === null) return null;
  return {
    name: split.name,
    value: split.value,
    attributes: Object.fromEntries(split.attributes),
  };
}
