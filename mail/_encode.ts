/** Encodings for message heads and bodies (RFC 2045, 2047, 5322). */
const encoder = new TextEncoder();

/** `true` when every character is printable ASCII (or tab). */
export function isAscii(text: string): boolean {
  return /^[\x20-\x7e\t]*$/.test(text);
}

/** Base64 in lines of 76 characters, each ending in CRLF. */
export function base64Lines(bytes: Uint8Array): string {
  const text = bytes.toBase64();
  let out = "";
  for (let i = 0; i < text.length; i += 76) {
    out += text.slice(i, i + 76) + "\r\n";
  }
  return out;
}

/** Quoted-printable (RFC 2045 §6.7) with soft line breaks at 76 characters; line ends become CRLF. */
export function quotedPrintable(text: string): string {
  const lines = text.replace(/\r\n|\r|\n/g, "\n").split("\n");
  return lines.map((line) => {
    const bytes = encoder.encode(line);
    let out = "";
    let width = 0;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      const last = i === bytes.length - 1;
      let piece: string;
      if ((b === 0x20 || b === 0x09) && !last) piece = String.fromCharCode(b);
      else if (b >= 33 && b <= 126 && b !== 61) piece = String.fromCharCode(b);
      else piece = "=" + b.toString(16).toUpperCase().padStart(2, "0");
      // A dot at the start of a line is left to dot-stuffing; a soft break keeps lines <= 76.
      if (width + piece.length > 75) {
        out += "=\r\n";
        width = 0;
      }
      out += piece;
      width += piece.length;
    }
    return out;
  }).join("\r\n") + "\r\n";
}

/**
 * A header value as RFC 2047 encoded words when it is not plain ASCII
 * (UTF-8, base64, each word at most 75 characters, whole characters per
 * word), else the value as it is.
 */
export function encodeWords(value: string): string {
  if (isAscii(value)) return value;
  const words: string[] = [];
  let chunk = "";
  for (const char of value) {
    // 45 bytes of UTF-8 make 60 base64 characters: with "=?UTF-8?B?" and "?=", 72.
    if (encoder.encode(chunk + char).length > 45) {
      words.push(chunk);
      chunk = "";
    }
    chunk += char;
  }
  if (chunk !== "") words.push(chunk);
  return words.map((word) => `=?UTF-8?B?${encoder.encode(word).toBase64()}?=`)
    .join("\r\n ");
}

/** A display name for a header: encoded words, or quoted when it has specials. */
export function encodeName(name: string): string {
  if (!isAscii(name)) return encodeWords(name);
  return /[()<>\[\]:;@\\,."]/.test(name) ? `"${name.replace(/(["\\])/g, "\\$1")}"` : name;
}

/** Folds a header line at spaces so that lines stay within 78 characters where possible. */
export function foldHeader(name: string, value: string): string {
  const line = `${name}: ${value}`;
  if (line.length <= 78 || value.includes("\r\n")) return line + "\r\n";
  let out = "";
  let current = `${name}:`;
  for (const word of value.split(" ")) {
    if (
      current.length + 1 + word.length > 78 && current.length > name.length + 1
    ) {
      out += current + "\r\n";
      current = ` ${word}`;
    } else {
      current += ` ${word}`;
    }
  }
  return out + current + "\r\n";
}

/** Normalises every line end (bare CR, bare LF) to CRLF: SMTP smuggling needs a bare one. */
export function crlf(text: string): string {
  return text.replace(/\r\n|\r|\n/g, "\r\n");
}
