/**
 * HTTP/1.1 message heads (RFC 9112): parsing with size and count limits,
 * and formatting. This is the one head parser and writer of the repository:
 * the HTTP client and server and the WebSocket handshake all use it.
 *
 * Parsing is strict where leniency has been a source of request smuggling
 * and header injection, and tolerant only where RFC 9112 allows it:
 *
 * - Lines end with CRLF. A bare LF is refused although RFC 9112 §2.2 lets a
 *   recipient accept it: parsers that disagree on line ends are how request
 *   smuggling works. A CR that is not followed by LF is an error too.
 * - The start line has single spaces between its parts; methods and header
 *   names are tokens; the request-target is visible ASCII; the version is
 *   `HTTP/1.0` or `HTTP/1.1` (the caller decides what to do with 1.0, for
 *   example answer 426 or 505 rather than a parse error). A response may
 *   omit the space after the status code when the reason phrase is empty.
 * - No whitespace between a header name and the colon; obsolete line
 *   folding (a line starting with space or tab) is refused; control
 *   characters other than tab are refused in values. Optional whitespace
 *   around a value is removed.
 * - Empty lines before the start line are not skipped.
 * - Header bytes are decoded as ISO-8859-1 (one byte, one character), as
 *   `Headers` wants byte strings.
 *
 * Malformed input throws `SyntaxError`, a head over a limit `RangeError`;
 * nothing else escapes (the tests fuzz this).
 *
 * @module
 */
import { Fields, ParsedRequestHead, ParsedResponseHead, trimOws } from "./_fields.ts";
import { allocBytes } from "@cosocket/socket/alloc-bytes";

/** Limits for parsing a head. */
export interface HeadLimits {
  /**
   * The largest head in bytes, start line and final blank line included.
   *
   * @default {16384}
   */
  maxHeaderSize?: number;
  /**
   * The most header fields (repeated names count once each).
   *
   * @default {100}
   */
  maxHeaders?: number;
}

/** A parsed request head. */
export interface RequestHead {
  /** The method, as sent (methods are case-sensitive). */
  method: string;
  /** The request-target, as sent. */
  path: string;
  /** `HTTP/1.0` or `HTTP/1.1`. */
  version: string;
  /** The header fields; repeated names are combined with ", " (except Set-Cookie). */
  headers: Headers;
}

/** A parsed response head. */
export interface ResponseHead {
  /** The status code (100 to 999). */
  status: number;
  /** The reason phrase ("" when absent). */
  statusText: string;
  /** `HTTP/1.0` or `HTTP/1.1`. */
  version: string;
  /** The header fields; repeated names are combined with ", " (except Set-Cookie). */
  headers: Headers;
}

const DEFAULT_MAX_HEADER_SIZE = 16384;
const DEFAULT_MAX_HEADERS = 100;

const ANY_VERSION = /^HTTP\/\d\.\d$/;
const STATUS = /^[1-9]\d\d$/;

const LF = 0x0a;
const CR = 0x0d;

/**
 * Finds the end of a head: the index just after its blank line.
 *
 * @param bytes The bytes received so far.
 * @param start Where the head begins (default 0).
 * @param end The end of the received bytes, exclusive (default `bytes.length`).
 * @returns The index after the blank line, or -1 when it has not arrived.
 * @example Find where a head ends
 * ```ts
 * import { findHeadEnd } from "@cosocket/http/head";
 *
 * const bytes = new TextEncoder().encode("GET / HTTP/1.1\r\nHost: a\r\n\r\nbody");
 * console.log(findHeadEnd(bytes)); // 29
 * ```
 */
export function findHeadEnd(bytes: Uint8Array, start?: number, end?: number): number {
  start ??= 0;
  end ??= bytes.length;
  let index = bytes.indexOf(LF, start);
  while (index >= 0 && index < end) {
    const next = bytes[index + 1];
    if (next === LF && index + 1 < end) return index + 2;
    if (next === CR && index + 2 < end && bytes[index + 2] === LF) return index + 3;
    index = bytes.indexOf(LF, index + 1);
  }
  return -1;
}

/**
 * Parses a request head.
 *
 * @param head The bytes up to and including the blank line, nothing after it.
 * @param limits The limits (default 16 KiB and 100 fields).
 * @returns The request line and headers.
 * @throws {SyntaxError} For a malformed head.
 * @throws {RangeError} When the head exceeds a limit.
 * @example Parse a request head
 * ```ts
 * import { parseRequestHead } from "@cosocket/http/head";
 *
 * const head = parseRequestHead(new TextEncoder().encode("GET /a?b=1 HTTP/1.1\r\nHost: x\r\n\r\n"));
 * console.log(head.method, head.path, head.headers.get("host")); // GET /a?b=1 x
 * ```
 */
export function parseRequestHead(head: Uint8Array, limits?: HeadLimits): RequestHead {
  const lines = splitHead(head, limits, "request");
  const line = lines[0]!;
  const first = line.indexOf(" ");
  const second = first < 0 ? -1 : line.indexOf(" ", first + 1);
  if (second < 0 || line.indexOf(" ", second + 1) >= 0) {
    throw new SyntaxError(`Cannot parse HTTP request: malformed request line ${quote(line)}`);
  }
  const method = line.slice(0, first);
  const path = line.slice(first + 1, second);
  const version = line.slice(second + 1);
  if (!isToken(method)) {
    throw new SyntaxError(`Cannot parse HTTP request: method ${quote(method)} is not a token`);
  }
  if (!isVisibleAscii(path)) {
    throw new SyntaxError(`Cannot parse HTTP request: invalid request-target ${quote(path)}`);
  }
  checkVersion(version, "request");
  return new ParsedRequestHead(method, path, version, parseFields(lines, limits, "request"));
}

/**
 * Parses a response head.
 *
 * @param head The bytes up to and including the blank line, nothing after it.
 * @param limits The limits (default 16 KiB and 100 fields).
 * @returns The status line and headers.
 * @throws {SyntaxError} For a malformed head.
 * @throws {RangeError} When the head exceeds a limit.
 * @example Parse a response head
 * ```ts
 * import { parseResponseHead } from "@cosocket/http/head";
 *
 * const head = parseResponseHead(new TextEncoder().encode("HTTP/1.1 404 Not Found\r\n\r\n"));
 * console.log(head.status, head.statusText); // 404 Not Found
 * ```
 */
export function parseResponseHead(head: Uint8Array, limits?: HeadLimits): ResponseHead {
  const lines = splitHead(head, limits, "response");
  const line = lines[0]!;
  const first = line.indexOf(" ");
  const second = first < 0 ? -1 : line.indexOf(" ", first + 1);
  const version = first < 0 ? line : line.slice(0, first);
  const code = first < 0 ? "" : second < 0 ? line.slice(first + 1) : line.slice(first + 1, second);
  const statusText = second < 0 ? "" : line.slice(second + 1);
  checkVersion(version, "response");
  if (!STATUS.test(code)) {
    throw new SyntaxError(`Cannot parse HTTP response: invalid status code ${quote(code)}`);
  }
  if (hasControl(statusText)) {
    throw new SyntaxError("Cannot parse HTTP response: control character in the reason phrase");
  }
  return new ParsedResponseHead(
    Number(code),
    statusText,
    version,
    parseFields(lines, limits, "response"),
  );
}

/**
 * Serialises a response head: status line, headers, blank line.
 *
 * @param status The status code (100 to 999).
 * @param statusText The reason phrase (may be empty).
 * @param headers The header fields.
 * @returns The bytes (a small head may be a view of a larger buffer that
 * nothing else uses).
 * @throws {TypeError} For a header name that is not a token, or a value or
 * reason phrase with CR, LF or NUL, or a character above U+00FF.
 * @throws {RangeError} For a status code out of range.
 * @example Write a response head
 * ```ts
 * import { formatResponseHead } from "@cosocket/http/head";
 *
 * const bytes = formatResponseHead(204, "No Content", [["Date", "Thu, 03 Dec 2026 09:00:00 GMT"]]);
 * console.log(new TextDecoder().decode(bytes).split("\r\n")[0]); // HTTP/1.1 204 No Content
 * ```
 */
export function formatResponseHead(
  status: number,
  statusText: string,
  headers: Headers | [string, string][],
): Uint8Array {
  if (!Number.isInteger(status) || status < 100 || status > 999) {
    throw new RangeError(`Cannot format HTTP response: invalid status code ${status}`);
  }
  if (breaksLine(statusText)) {
    throw new TypeError("Cannot format HTTP head: CR, LF or NUL in reason phrase");
  }
  return encodeHead(`HTTP/1.1 ${status} ${statusText}\r\n`, headers);
}

/**
 * Serialises a request head: request line, headers, blank line.
 *
 * @param method The method (a token).
 * @param path The request-target (visible ASCII).
 * @param headers The header fields.
 * @returns The bytes (a small head may be a view of a larger buffer that
 * nothing else uses).
 * @throws {TypeError} For a method or header name that is not a token, a
 * request-target with other characters than visible ASCII, or a value with
 * CR, LF or NUL, or a character above U+00FF.
 * @example Write a request head
 * ```ts
 * import { formatRequestHead } from "@cosocket/http/head";
 *
 * const bytes = formatRequestHead("GET", "/", new Headers({ host: "example.com" }));
 * console.log(new TextDecoder().decode(bytes)); // "GET / HTTP/1.1\r\nhost: example.com\r\n\r\n"
 * ```
 */
export function formatRequestHead(
  method: string,
  path: string,
  headers: Headers | [string, string][],
): Uint8Array {
  if (!isToken(method)) {
    throw new TypeError(`Cannot format HTTP request: method ${quote(method)} is not a token`);
  }
  if (!isVisibleAscii(path)) {
    throw new TypeError(`Cannot format HTTP request: invalid request-target ${quote(path)}`);
  }
  return encodeHead(`${method} ${path} HTTP/1.1\r\n`, headers);
}

/**
 * Splits a comma-separated header value into its elements (RFC 9110 §5.6.1):
 * for `Connection`, `Upgrade`, `Sec-WebSocket-Protocol` and
 * `Sec-WebSocket-Version`. Elements keep their case; compare them
 * case-insensitively where the header is case-insensitive.
 *
 * @param value The header value, or `null` for an absent header.
 * @returns The trimmed, non-empty elements.
 * @example Split a Connection header
 * ```ts
 * import { headerTokens } from "@cosocket/http/head";
 *
 * console.log(headerTokens("keep-alive, Upgrade")); // ["keep-alive", "Upgrade"]
 * ```
 */
export function headerTokens(value: string | null): string[] {
  if (value === null) return [];
  const tokens: string[] = [];
  for (const part of value.split(",")) {
    const token = trimOws(part, 0);
    if (token !== "") tokens.push(token);
  }
  return tokens;
}

// ------------------------------------------------------------------ helpers

/** Checks the limits and the blank line, decodes and splits into lines (blank line dropped). */
function splitHead(head: Uint8Array, limits: HeadLimits = {}, kind: string): string[] {
  const maxSize = limits.maxHeaderSize ?? DEFAULT_MAX_HEADER_SIZE;
  if (head.length > maxSize) {
    throw new RangeError(
      `Cannot parse HTTP ${kind}: head is ${head.length} bytes, the limit is ${maxSize}`,
    );
  }
  const end = findHeadEnd(head);
  if (end < 0) {
    throw new SyntaxError(`Cannot parse HTTP ${kind}: head does not end with a blank line`);
  }
  if (end !== head.length) {
    throw new SyntaxError(`Cannot parse HTTP ${kind}: bytes after the blank line`);
  }
  // Lines found with indexOf rather than split and sliced once each: a
  // request head is parsed per request.
  const text = latin1(head);
  const lines: string[] = [];
  let start = 0;
  for (let lf = text.indexOf("\n"); lf >= 0; lf = text.indexOf("\n", start)) {
    // A bare LF is a line end to some parsers and not to others: the gap
    // that request smuggling goes through, so it is refused.
    if (lf === start || text.charCodeAt(lf - 1) !== 13) {
      throw new SyntaxError(
        `Cannot parse HTTP ${kind}: bare LF at the end of line ${lines.length + 1}`,
      );
    }
    // The first blank line is the last line: `findHeadEnd` found it at the end.
    if (lf === start + 1) break;
    const line = text.slice(start, lf - 1);
    if (line.indexOf("\r") >= 0) {
      throw new SyntaxError(`Cannot parse HTTP ${kind}: CR without LF in line ${lines.length + 1}`);
    }
    lines.push(line);
    start = lf + 1;
  }
  if (lines.length === 0) {
    throw new SyntaxError(`Cannot parse HTTP ${kind}: empty start line`);
  }
  return lines;
}

function checkVersion(version: string, kind: string): void {
  if (version === "HTTP/1.1" || version === "HTTP/1.0") return;
  const detail = ANY_VERSION.test(version) ? "unsupported HTTP version" : "invalid HTTP version";
  throw new SyntaxError(`Cannot parse HTTP ${kind}: ${detail} ${quote(version)}`);
}

/** Parses the header lines (all lines after the start line). */
function parseFields(lines: string[], limits: HeadLimits = {}, kind: string): Fields {
  const maxHeaders = limits.maxHeaders ?? DEFAULT_MAX_HEADERS;
  if (lines.length - 1 > maxHeaders) {
    throw new RangeError(
      `Cannot parse HTTP ${kind}: ${lines.length - 1} header fields, the limit is ${maxHeaders}`,
    );
  }
  const list: string[] = [];
  for (let index = 1; index < lines.length; index++) {
    const line = lines[index]!;
    const first = line.charCodeAt(0);
    if (first === 0x20 || first === 0x09) {
      throw new SyntaxError(
        `Cannot parse HTTP ${kind}: obsolete line folding in line ${index + 1}`,
      );
    }
    const colon = line.indexOf(":");
    if (colon < 0) {
      throw new SyntaxError(
        `Cannot parse HTTP ${kind}: header line without a colon ${quote(line)}`,
      );
    }
    const name = line.slice(0, colon);
    if (!isToken(name)) {
      const detail = /[ \t]$/.test(name)
        ? `whitespace before the colon in ${quote(name)}`
        : `header name ${quote(name)} is not a token`;
      throw new SyntaxError(`Cannot parse HTTP ${kind}: ${detail}`);
    }
    const value = trimOws(line, colon + 1);
    if (hasControl(value)) {
      throw new SyntaxError(
        `Cannot parse HTTP ${kind}: control character in header ${quote(name)}`,
      );
    }
    list.push(name.toLowerCase(), value);
  }
  return new Fields(list);
}

function encodeHead(startLine: string, headers: Headers | [string, string][]): Uint8Array {
  let text = startLine;
  for (const [name, value] of headers) {
    if (!isToken(name)) {
      throw new TypeError(`Cannot format HTTP head: header name ${quote(name)} is not a token`);
    }
    if (breaksLine(value)) {
      throw new TypeError(`Cannot format HTTP head: CR, LF or NUL in header ${quote(name)}`);
    }
    text += `${name}: ${value}\r\n`;
  }
  text += "\r\n";
  // ASCII, the usual case, comes out of the encoder at the same length.
  const encoded = allocBytes(text.length);
  const { read, written } = asciiEncoder.encodeInto(text, encoded);
  if (read === text.length && written === text.length) return encoded;
  const bytes = new Uint8Array(text.length);
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code > 0xff) {
      throw new TypeError("Cannot format HTTP head: character above U+00FF");
    }
    bytes[index] = code;
  }
  return bytes;
}

// Character loops rather than regular expressions: these run on every line
// of every head, and a RegExp call costs more than looking at the dozen
// characters of a method or a header name.

/** tchar (RFC 9110 §5.6.2) by character code: 1 for the characters of a token. */
const TCHAR = new Uint8Array(128);
for (const char of "!#$%&'*+-.^_`|~") TCHAR[char.charCodeAt(0)] = 1;
for (let code = 0x30; code < 0x7b; code++) {
  if (code <= 0x39 || (code >= 0x41 && code <= 0x5a) || code >= 0x61) TCHAR[code] = 1;
}

/** A token: one or more tchar. */
function isToken(text: string): boolean {
  if (text.length === 0) return false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code > 0x7f || TCHAR[code] === 0) return false;
  }
  return true;
}

/** One or more visible ASCII characters (a request-target). */
function isVisibleAscii(text: string): boolean {
  if (text.length === 0) return false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x21 || code > 0x7e) return false;
  }
  return true;
}

/** A control character other than tab (CR and LF never reach a parsed line). */
function hasControl(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) return true;
  }
  return false;
}

/** NUL, CR or LF: what would end or break a line of a head being written. */
function breaksLine(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 0x0d || code === 0x0a || code === 0) return true;
  }
  return false;
}

/** Decodes bytes one to one into characters U+0000..U+00FF. */
function latin1(bytes: Uint8Array): string {
  if (isAscii(bytes)) return asciiDecoder.decode(bytes);
  let text = "";
  for (let start = 0; start < bytes.length; start += 8192) {
    text += String.fromCharCode(...bytes.subarray(start, start + 8192));
  }
  return text;
}

const asciiEncoder = new TextEncoder();
const asciiDecoder = new TextDecoder();

function isAscii(bytes: Uint8Array): boolean {
  for (let index = 0; index < bytes.length; index++) {
    if (bytes[index]! > 0x7f) return false;
  }
  return true;
}

/** Quotes a value for an error message, shortened. */
function quote(value: string): string {
  const short = value.length > 40 ? `${value.slice(0, 40)}...` : value;
  return JSON.stringify(short);
}
