// Test helpers for the UBJSON tests.

/** Concatenates ASCII strings (one byte per char) and byte arrays into one buffer. */
export function bytes(...parts: (string | number[] | Uint8Array)[]): Uint8Array {
  const out: number[] = [];
  for (const part of parts) {
    if (typeof part === "string") {
      for (let i = 0; i < part.length; i++) out.push(part.charCodeAt(i));
    } else {
      out.push(...part);
    }
  }
  return new Uint8Array(out);
}

export { prng } from "../socket/_helpers.ts";
