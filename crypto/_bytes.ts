/**
 * The one check for the inputs this package takes as "a string or bytes":
 * a string becomes its UTF-8 bytes; bytes are used as they are (a view of
 * the caller's memory) or copied, as the caller asks.
 */

/** How an input that may be text or bytes is taken. */
export interface BytesOptions {
  /** Copy bytes (the caller may change them while we work). */
  copy?: boolean;
}

/**
 * An input as bytes.
 *
 * @param value The input.
 * @param action What fails, for the error: "sign", "derive key", ...
 * @param what The input's name, for the error: "data", "key", ...
 * @param options Whether to copy bytes.
 * @returns The bytes.
 * @throws {TypeError} For anything but a string or a Uint8Array.
 */
export function toBytes(
  value: unknown,
  action: string,
  what: string,
  options?: BytesOptions,
): Uint8Array<ArrayBuffer> {
  if (typeof value === "string") return new TextEncoder().encode(value);
  if (value instanceof Uint8Array) {
    if (options?.copy !== true && value.buffer instanceof ArrayBuffer) {
      return value as Uint8Array<ArrayBuffer>;
    }
    return value.slice();
  }
  throw new TypeError(`Cannot ${action}: ${what} must be a string or Uint8Array`);
}
