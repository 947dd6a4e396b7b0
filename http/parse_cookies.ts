/**
 * Parses a `Cookie` request header (RFC 6265 §5.4): `name=value` pairs
 * separated by `;`, quotes around a value removed; the first of several
 * cookies with one name wins.
 *
 * @param header The header's value, or `null` when there is none.
 * @returns The cookies by name.
 *
 * @example
 * ```ts
 * import { parseCookies } from "@cosocket/http";
 *
 * console.log(parseCookies('session=abc; theme="dark"; session=old')); // Map(2) { "session" => "abc", "theme" => "dark" }
 * ```
 */
export function parseCookies(header: string | null): Map<string, string> {
  const cookies = new Map<string, string>();
  if (header === null) return cookies;
  for (const pair of header.split(";")) {
    const eq = pair.indexOf("=");
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).trim();
    let value = pair.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
      value = value.slice(1, -1);
    }
    if (name !== "" && !cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}
