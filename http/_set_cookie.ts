/** A `Set-Cookie` value split: name, value, and every attribute in the order sent. */
export interface SplitSetCookie {
  name: string;
  value: string;
  /** `[name, value]`, names in lower case, `""` for flags. */
  attributes: [string, string][];
}

/**
 * Splits a `Set-Cookie` value (RFC 6265 §5.2); `null` when there is no
 * `name=value` pair before the first `;`, or the name or value holds a
 * control character (the RFC says to ignore such a header). The one
 * tokenizer behind `parseSetCookie` and the cookie jar.
 */
export function splitSetCookie(header: string): SplitSetCookie | null {
  const [pair = "", ...parts] = header.split(";");
  const eq = pair.indexOf("=");
  if (eq <= 0) return null;
  const name = pair.slice(0, eq).trim();
  const value = pair.slice(eq + 1).trim();
  // Control characters are exactly what this pattern looks for.
  // deno-lint-ignore no-control-regex
  if (name === "" || /[\x00-\x1f\x7f]/.test(name + value)) return null;
  const attributes: [string, string][] = [];
  for (const part of parts) {
    const at = part.indexOf("=");
    const key = (at === -1 ? part : part.slice(0, at)).trim().toLowerCase();
    if (key !== "") attributes.push([key, at === -1 ? "" : part.slice(at + 1).trim()]);
  }
  return { name, value, attributes };
}
