/**
 * PEM (RFC 7468) encoding and decoding of DER data.
 *
 * @module
 */

/** One block of a PEM document: its label and the DER bytes it carries. */
export interface PemBlock {
  /** The label between `-----BEGIN ` and `-----`, such as `"CERTIFICATE"`. */
  label: string;
  /** The decoded contents. */
  der: Uint8Array<ArrayBuffer>;
}

const BEGIN = /^-----BEGIN ([\x21-\x2c\x2e-\x7e](?:[- ]?[\x21-\x2c\x2e-\x7e])*)?-----\s*$/;
const END = /^-----END ([\x21-\x2c\x2e-\x7e](?:[- ]?[\x21-\x2c\x2e-\x7e])*)?-----\s*$/;

/**
 * Decodes every PEM block of a document, in order. Text between blocks (such as the
 * explanatory lines `openssl` writes) is ignored, as RFC 7468 allows.
 *
 * @param pem The PEM text.
 * @returns The blocks, in document order (at least one).
 * @throws {TypeError} If `pem` is not a string.
 * @throws {SyntaxError} If there is no block, a block is not terminated, its END label
 * differs from its BEGIN label, it carries RFC 1421 headers (legacy encrypted PEM) or its
 * body is not valid base64.
 *
 * @example Decode a certificate bundle
 * ```ts
 * import { pemDecode, pemEncode } from "@cosocket/crypto";
 * import assert from "node:assert/strict";
 *
 * const bundle = pemEncode("CERTIFICATE", new Uint8Array([1, 2, 3])) +
 *   pemEncode("CERTIFICATE", new Uint8Array([4, 5]));
 * const blocks = pemDecode(bundle);
 * assert.equal(blocks.length, 2);
 * assert.deepEqual(blocks[1]!.der, new Uint8Array([4, 5]));
 * ```
 */
export function pemDecode(pem: string): PemBlock[] {
  if (typeof pem !== "string") throw new TypeError("Cannot decode PEM: input must be a string");
  const lines = pem.split(/\r\n|\r|\n/);
  const blocks: PemBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const begin = BEGIN.exec(lines[i]!.trim());
    if (!begin) {
      if (END.test(lines[i]!.trim())) {
        throw new SyntaxError(`Cannot decode PEM: END line without BEGIN on line ${i + 1}`);
      }
      continue;
    }
    const label = begin[1] ?? "";
    const body: string[] = [];
    let closed = false;
    for (i++; i < lines.length; i++) {
      const line = lines[i]!.trim();
      const end = END.exec(line);
      if (end) {
        if ((end[1] ?? "") !== label) {
          throw new SyntaxError(
            `Cannot decode PEM: "END ${end[1] ?? ""}" does not match "BEGIN ${label}"`,
          );
        }
        closed = true;
        break;
      }
      if (line.includes(":")) {
        throw new SyntaxError(
          `Cannot decode PEM: headers are not supported (legacy encrypted PEM): "${label}"`,
        );
      }
      if (line.startsWith("-----")) {
        throw new SyntaxError(`Cannot decode PEM: unexpected line in "${label}" block`);
      }
      body.push(line);
    }
    if (!closed) throw new SyntaxError(`Cannot decode PEM: "${label}" block is not terminated`);
    let der: Uint8Array<ArrayBuffer>;
    try {
      der = Uint8Array.fromBase64(body.join(""));
    } catch {
      throw new SyntaxError(`Cannot decode PEM: "${label}" block is not valid base64`);
    }
    blocks.push({ label, der });
  }
  if (blocks.length === 0) throw new SyntaxError("Cannot decode PEM: no PEM block found");
  return blocks;
}

/**
 * Encodes DER bytes as one PEM block with 64-character lines and a final newline.
 *
 * @param label The label, such as `"CERTIFICATE"` or `"PRIVATE KEY"`.
 * @param der The bytes to encode.
 * @returns The PEM text.
 * @throws {TypeError} If the label is not a valid RFC 7468 label or `der` is not a Uint8Array.
 *
 * @example Encode a public key
 * ```ts
 * import { pemEncode } from "@cosocket/crypto";
 * import assert from "node:assert/strict";
 *
 * const pem = pemEncode("PUBLIC KEY", new Uint8Array(48));
 * assert.ok(pem.startsWith("-----BEGIN PUBLIC KEY-----\nAAAA"));
 * assert.ok(pem.endsWith("-----END PUBLIC KEY-----\n"));
 * ```
 */
export function pemEncode(label: string, der: Uint8Array): string {
  if (typeof label !== "string" || !BEGIN.test(`-----BEGIN ${label}-----`) || label === "") {
    throw new TypeError(`Cannot encode PEM: invalid label "${String(label)}"`);
  }
  if (!(der instanceof Uint8Array)) {
    throw new TypeError("Cannot encode PEM: data must be a Uint8Array");
  }
  const b64 = der.toBase64();
  const lines: string[] = [`-----BEGIN ${label}-----`];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  lines.push(`-----END ${label}-----`, "");
  return lines.join("\n");
}
