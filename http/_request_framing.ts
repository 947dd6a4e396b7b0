/**
 * How a request's body ends (RFC 9112 §6.3), decided strictly: every case
 * where two parsers could disagree on where a request ends (the root of
 * request smuggling) is refused rather than guessed.
 */
import type { Framing } from "./_body_reader.ts";
import { field } from "./_fields.ts";
import type { RequestHead } from "./head.ts";
import { HttpError } from "./http_error.ts";

const DIGITS = /^\d{1,15}$/;

/**
 * The framing of a request body.
 *
 * @param head The parsed request head.
 * @param maxBodySize The largest body the server accepts.
 * @returns The framing (`none` for a request without a body).
 * @throws {HttpError} `protocol` with `status` 400 for an ambiguous or
 * malformed framing, 501 for a transfer coding other than chunked;
 * `toolarge` with 413 for a `Content-Length` over `maxBodySize`.
 */
export function requestFraming(head: RequestHead, maxBodySize: number): Framing {
  const coding = field(head, "transfer-encoding");
  const length = field(head, "content-length");
  if (coding !== null) {
    if (length !== null) {
      throw refuse(400, "both Transfer-Encoding and Content-Length");
    }
    if (head.version === "HTTP/1.0") {
      throw refuse(400, "Transfer-Encoding in an HTTP/1.0 request");
    }
    const codings = coding.toLowerCase().split(",").map((part) => part.trim());
    if (codings.at(-1) !== "chunked" || codings.indexOf("chunked") !== codings.length - 1) {
      // Without "chunked" once and last the body's end is unknown or
      // disputed ("chunked, chunked", "identity"): what smuggling uses.
      throw refuse(400, `transfer coding ${quote(coding)} does not end with one chunked`);
    }
    if (codings.length > 1) {
      throw refuse(501, `transfer coding ${quote(coding)} is not supported`);
    }
    return { kind: "chunked" };
  }
  if (length === null) return { kind: "none" };
  if (!DIGITS.test(length)) {
    // Repeated Content-Length fields arrive joined by commas: refused even
    // when equal, as a proxy in front may have picked another one.
    throw refuse(400, `invalid Content-Length ${quote(length)}`);
  }
  const size = Number(length);
  if (size > maxBodySize) {
    throw new HttpError(
      "toolarge",
      `Cannot read request: body of ${size} bytes is over the limit of ${maxBodySize}`,
      { status: 413 },
    );
  }
  return size === 0 ? { kind: "none" } : { kind: "length", length: size };
}

function refuse(status: number, detail: string): HttpError {
  return new HttpError("protocol", `Cannot read request: ${detail}`, { status });
}

function quote(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
}
