/**
 * The `Date` header value, formatted at most once per second: every
 * response carries one (RFC 9110 §6.6.1) and formatting costs more than
 * the rest of a small response head.
 */
let cachedSecond = -1;
let cachedValue = "";

/** Today's `Date` header value (IMF-fixdate). */
export function httpDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedValue = new Date(second * 1000).toUTCString();
  }
  return cachedValue;
}
