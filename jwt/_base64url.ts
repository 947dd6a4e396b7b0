// Strict base64url for JWS: the URL-safe alphabet, no padding, no whitespace,
// and zero trailing bits, so that every byte string has exactly one encoding
// (a flipped unused bit must not yield a second valid token).

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Encodes bytes as unpadded base64url. */
export function encodeBytes(bytes: Uint8Array): string {
  return bytes.toBase64({ alphabet: "base64url", omitPadding: true });
}

/** Encodes a string's UTF-8 bytes as unpadded base64url. */
export function encodeText(text: string): string {
  return encoder.encode(text).toBase64({ alphabet: "base64url", omitPadding: true });
}

/** Index of a base64url character in the alphabet. */
function sextet(code: number): number {
  if (code >= 65 && code <= 90) return code - 65; // A-Z
  if (code >= 97 && code <= 122) return code - 71; // a-z
  if (code >= 48 && code <= 57) return code + 4; // 0-9
  return code === 45 ? 62 : 63; // "-" or "_"
}

/**
 * Decodes canonical unpadded base64url, or returns `undefined` when the text
 * is not canonical base64url.
 */
export function decodeBytes(text: string): Uint8Array<ArrayBuffer> | undefined {
  const rest = text.length % 4;
  if (rest === 1 || !BASE64URL.test(text)) return undefined;
  if (rest !== 0) {
    const last = sextet(text.charCodeAt(text.length - 1));
    if ((last & (rest === 2 ? 0x0f : 0x03)) !== 0) return undefined;
  }
  return Uint8Array.fromBase64(text, { alphabet: "base64url" });
}

/** Decodes strict UTF-8, or returns `undefined` for malformed UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text);
}
