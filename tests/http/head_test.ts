// The HTTP/1.1 head parser and formatter: valid heads, each malformed case, limits, and a bounded fuzz in which only SyntaxError and RangeError may escape.
import { deepEqual, equal, ok, throws } from "node:assert/strict";
import {
  findHeadEnd,
  formatRequestHead,
  formatResponseHead,
  headerTokens,
  parseRequestHead,
  parseResponseHead,
} from "@cosocket/http/head";
import { prng } from "../socket/_helpers.ts";

const encoder = new TextEncoder();
const bytes = (text: string): Uint8Array => encoder.encode(text);
/** Bytes from a string whose characters are all below U+0100. */
const latin1 = (text: string): Uint8Array => Uint8Array.from(text, (char) => char.charCodeAt(0));

const BROWSER_REQUEST = [
  "GET /chat?room=1 HTTP/1.1",
  "Host: 127.0.0.1:8080",
  "Connection: Upgrade",
  "Pragma: no-cache",
  "Upgrade: websocket",
  "Origin: http://127.0.0.1:8080",
  "Sec-WebSocket-Version: 13",
  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
  "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits",
  "Sec-WebSocket-Protocol: chat, superchat",
  "",
  "",
].join("\r\n");

const SWITCHING = [
  "HTTP/1.1 101 Switching Protocols",
  "Upgrade: websocket",
  "Connection: Upgrade",
  "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
  "",
  "",
].join("\r\n");

const isSyntax = (pattern: RegExp) => (error: unknown): boolean =>
  error instanceof SyntaxError && pattern.test(error.message);

Deno.test("parseRequestHead() parses a browser's upgrade request", () => {
  const head = parseRequestHead(bytes(BROWSER_REQUEST));
  equal(head.method, "GET");
  equal(head.path, "/chat?room=1");
  equal(head.version, "HTTP/1.1");
  equal(head.headers.get("sec-websocket-key"), "dGhlIHNhbXBsZSBub25jZQ==");
  equal(head.headers.get("Host"), "127.0.0.1:8080");
  deepEqual(headerTokens(head.headers.get("sec-websocket-protocol")), ["chat", "superchat"]);
  equal([...head.headers].length, 9);
});

Deno.test("parseResponseHead() parses a 101 response", () => {
  const head = parseResponseHead(bytes(SWITCHING));
  equal(head.status, 101);
  equal(head.statusText, "Switching Protocols");
  equal(head.version, "HTTP/1.1");
  equal(head.headers.get("sec-websocket-accept"), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
});

Deno.test("parseRequestHead() trims OWS and combines repeats", () => {
  const head = parseRequestHead(
    latin1(
      "GET * HTTP/1.0\r\nA:  x \t\r\nA:y\r\nEmpty:\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nLatin: caf\xe9\ttab\r\n\r\n",
    ),
  );
  equal(head.path, "*");
  equal(head.version, "HTTP/1.0");
  equal(head.headers.get("a"), "x, y");
  equal(head.headers.get("empty"), "");
  deepEqual(head.headers.getSetCookie(), ["a=1", "b=2"]);
  equal(head.headers.get("latin"), "caf\xe9\ttab");
});

Deno.test("parseRequestHead() and parseResponseHead() refuse a bare LF anywhere (request smuggling)", () => {
  for (
    const text of [
      "GET / HTTP/1.1\nHost: a\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\n\n",
      "GET / HTTP/1.1\n\n",
    ]
  ) {
    throws(() => parseRequestHead(bytes(text)), SyntaxError, JSON.stringify(text));
  }
  throws(() => parseResponseHead(bytes("HTTP/1.1 200 OK\nA: b\r\n\r\n")), SyntaxError);
});

Deno.test("parseResponseHead() accepts a status line without a reason phrase", () => {
  for (const line of ["HTTP/1.1 101", "HTTP/1.1 101 "]) {
    const head = parseResponseHead(bytes(`${line}\r\nUpgrade: websocket\r\n\r\n`));
    equal(head.status, 101);
    equal(head.statusText, "");
  }
  const error = parseResponseHead(bytes("HTTP/1.0 400 Bad  Request \r\n\r\n"));
  equal(error.status, 400);
  equal(error.statusText, "Bad  Request ");
  equal(error.version, "HTTP/1.0");
});

Deno.test("parseRequestHead() rejects each malformed request with a SyntaxError", () => {
  const cases: [string, RegExp][] = [
    ["GET / HTTP/1.1\r\nHost: x\r\n", /does not end with a blank line/],
    ["GET / HTTP/1.1\r\n\r\nextra", /bytes after the blank line/],
    ["", /does not end with a blank line/],
    ["\r\n\r\n", /empty start line/],
    ["\r\nGET / HTTP/1.1\r\n\r\n", /empty start line/],
    ["GET /\r\n\r\n", /malformed request line/],
    ["GET  / HTTP/1.1\r\n\r\n", /malformed request line/],
    ["GET / HTTP/1.1 \r\n\r\n", /malformed request line/],
    ["GET\t/ HTTP/1.1\r\n\r\n", /malformed request line/],
    ["GET /a b HTTP/1.1\r\n\r\n", /malformed request line/],
    ["G(T / HTTP/1.1\r\n\r\n", /method "G\(T" is not a token/],
    ["GET /\x7f HTTP/1.1\r\n\r\n", /invalid request-target/],
    ["GET /\xe9 HTTP/1.1\r\n\r\n", /invalid request-target/],
    ["GET / HTTP/2.0\r\n\r\n", /unsupported HTTP version "HTTP\/2.0"/],
    ["GET / HTTP/1.1x\r\n\r\n", /invalid HTTP version/],
    ["GET / http/1.1\r\n\r\n", /invalid HTTP version/],
    ["GET / HTTP/1.1\r\nHost x\r\n\r\n", /header line without a colon/],
    ["GET / HTTP/1.1\r\nHost : x\r\n\r\n", /whitespace before the colon in "Host "/],
    ["GET / HTTP/1.1\r\nHost\t: x\r\n\r\n", /whitespace before the colon/],
    ["GET / HTTP/1.1\r\n: x\r\n\r\n", /header name "" is not a token/],
    ["GET / HTTP/1.1\r\nHo@st: x\r\n\r\n", /header name "Ho@st" is not a token/],
    ["GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n", /obsolete line folding in line 3/],
    ["GET / HTTP/1.1\r\nA: b\r\n\tc\r\n\r\n", /obsolete line folding/],
    ["GET / HTTP/1.1\r\n Host: x\r\n\r\n", /obsolete line folding in line 2/],
    ["GET / HTTP/1.1\r\nA: b\0c\r\n\r\n", /control character in header "A"/],
    ["GET / HTTP/1.1\r\nA: b\x01c\r\n\r\n", /control character/],
    ["GET / HTTP/1.1\r\nA: b\x7fc\r\n\r\n", /control character/],
    ["GET / HTTP/1.1\r\nA: b\rX: c\r\n\r\n", /CR without LF in line 2/],
    ["GET / HTTP/1.1\rHost: x\r\n\r\n", /CR without LF in line 1/],
    ["GET / HTTP/1.1\r\nA: b\r\r\n\r\n", /CR without LF/],
  ];
  for (const [head, pattern] of cases) {
    throws(() => parseRequestHead(latin1(head)), isSyntax(pattern), JSON.stringify(head));
  }
});

Deno.test("parseResponseHead() rejects each malformed response with a SyntaxError", () => {
  const cases: [string, RegExp][] = [
    ["HTTP/1.1\r\n\r\n", /invalid status code ""/],
    ["HTTP/1.1  101\r\n\r\n", /invalid status code ""/],
    ["HTTP/1.1 1x1 OK\r\n\r\n", /invalid status code "1x1"/],
    ["HTTP/1.1 099 OK\r\n\r\n", /invalid status code "099"/],
    ["HTTP/1.1 1010 OK\r\n\r\n", /invalid status code "1010"/],
    ["HTTP/3.0 101 OK\r\n\r\n", /unsupported HTTP version/],
    ["ICY 200 OK\r\n\r\n", /invalid HTTP version "ICY"/],
    ["HTTP/1.1 101 OK\x01\r\n\r\n", /control character in the reason phrase/],
    ["HTTP/1.1 101 OK\r\nUpgrade : websocket\r\n\r\n", /whitespace before the colon/],
    ["HTTP/1.1 101 OK\r\nA: b\r\n c\r\n\r\n", /obsolete line folding/],
    ["HTTP/1.1 101 OK\r\nA: \0\r\n\r\n", /control character/],
  ];
  for (const [head, pattern] of cases) {
    throws(() => parseResponseHead(latin1(head)), isSyntax(pattern), JSON.stringify(head));
  }
});

Deno.test("parseRequestHead() enforces maxHeaderSize and maxHeaders with a RangeError", () => {
  const head = bytes(BROWSER_REQUEST);
  parseRequestHead(head, { maxHeaderSize: head.length });
  throws(
    () => parseRequestHead(head, { maxHeaderSize: head.length - 1 }),
    (error: unknown) => error instanceof RangeError && /the limit is/.test(error.message),
  );
  parseRequestHead(head, { maxHeaders: 9 });
  throws(() => parseRequestHead(head, { maxHeaders: 8 }), RangeError);
  parseResponseHead(bytes(SWITCHING), { maxHeaders: 3 });
  throws(() => parseResponseHead(bytes(SWITCHING), { maxHeaders: 2 }), RangeError);
  // The defaults: 16 KiB and 100 fields.
  const many = "GET / HTTP/1.1\r\n" + "A: b\r\n".repeat(101) + "\r\n";
  throws(() => parseRequestHead(bytes(many)), RangeError);
  parseRequestHead(bytes("GET / HTTP/1.1\r\n" + "A: b\r\n".repeat(100) + "\r\n"));
  const big = `GET / HTTP/1.1\r\nA: ${"x".repeat(16384)}\r\n\r\n`;
  throws(() => parseRequestHead(bytes(big)), RangeError);
});

Deno.test("each of the 256 byte values is accepted or refused as RFC 9110's grammar says", () => {
  // The parser checks characters with tables, not patterns: compare every
  // byte against the grammar written as patterns here.
  const tchar = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]$/;
  const visible = /^[\x21-\x7e]$/;
  for (let code = 0; code < 256; code++) {
    const char = String.fromCharCode(code);
    const parses = (text: string) => {
      try {
        parseRequestHead(latin1(text));
        return true;
      } catch (error) {
        ok(error instanceof SyntaxError, `${code}: ${error}`);
        return false;
      }
    };
    const lineBreak = code === 0x0a || code === 0x0d;
    const name = `GET / HTTP/1.1\r\nx${char}y: 1\r\n\r\n`;
    const method = `G${char}T / HTTP/1.1\r\nhost: a\r\n\r\n`;
    const target = `GET /${char} HTTP/1.1\r\nhost: a\r\n\r\n`;
    const value = `GET / HTTP/1.1\r\nx: a${char}b\r\n\r\n`;
    if (!lineBreak) {
      // A colon ends the name: "x:y: 1" is the field x.
      if (char !== ":") equal(parses(name), tchar.test(char), `header name with ${code}`);
      equal(parses(method), tchar.test(char), `method with ${code}`);
      equal(parses(value), code === 0x09 || (code >= 0x20 && code !== 0x7f), `value with ${code}`);
    }
    // A space splits the request line into four parts.
    if (!lineBreak && code !== 0x20) {
      equal(parses(target), visible.test(char), `request-target with ${code}`);
    }
    const write = () => formatResponseHead(200, "OK", [["x", `a${char}b`]]);
    if (code === 0 || lineBreak) throws(write, TypeError, `written value with ${code}`);
    else write();
  }
});

Deno.test("findHeadEnd() finds the blank line as bytes arrive", () => {
  const head = bytes(BROWSER_REQUEST + "frame");
  const end = BROWSER_REQUEST.length;
  for (let received = 0; received < end; received++) equal(findHeadEnd(head, 0, received), -1);
  equal(findHeadEnd(head, 0, end), end);
  equal(findHeadEnd(head), end);
  equal(findHeadEnd(bytes("GET / HTTP/1.1\nA: b\n\n")), 21);
  equal(findHeadEnd(bytes("x\r\n\r\ny\r\n\r\n"), 5), 10);
  equal(findHeadEnd(bytes("GET / HTTP/1.1\r\n\r")), -1);
});

Deno.test("formatResponseHead() and formatRequestHead() round-trip through the parsers", () => {
  const headers = new Headers({ Upgrade: "websocket", Connection: "Upgrade" });
  headers.append("Set-Cookie", "a=1");
  headers.append("Set-Cookie", "b=2");
  const response = parseResponseHead(formatResponseHead(101, "Switching Protocols", headers));
  equal(response.status, 101);
  equal(response.statusText, "Switching Protocols");
  deepEqual([...response.headers], [...headers]);
  deepEqual(response.headers.getSetCookie(), ["a=1", "b=2"]);
  equal(
    new TextDecoder().decode(formatRequestHead("GET", "/x?y=1", [["Host", "h"], ["X-A", ""]])),
    "GET /x?y=1 HTTP/1.1\r\nHost: h\r\nX-A: \r\n\r\n",
  );
  const request = parseRequestHead(formatRequestHead("GET", "/", [["Latin", "caf\xe9"]]));
  equal(request.headers.get("latin"), "caf\xe9");
});

Deno.test("formatResponseHead() and formatRequestHead() refuse injection with a TypeError", () => {
  throws(() => formatResponseHead(101, "OK\r\nX: y", []), TypeError);
  throws(() => formatResponseHead(101, "OK", [["X", "a\r\nInjected: 1"]]), TypeError);
  throws(() => formatResponseHead(101, "OK", [["X", "a\nb"]]), TypeError);
  throws(() => formatResponseHead(101, "OK", [["X", "a\0b"]]), TypeError);
  throws(() => formatResponseHead(101, "OK", [["X Y", "a"]]), TypeError);
  throws(() => formatResponseHead(101, "OK", [["X", "\u0100"]]), TypeError);
  throws(() => formatResponseHead(99, "OK", []), RangeError);
  throws(() => formatResponseHead(101.5, "OK", []), RangeError);
  throws(() => formatRequestHead("GET /", "/", []), TypeError);
  throws(() => formatRequestHead("GET", "/a b", []), TypeError);
  throws(() => formatRequestHead("GET", "", []), TypeError);
  throws(() => formatRequestHead("GET", "/", [["Host", "a\r\n"]]), TypeError);
});

Deno.test("headerTokens() splits comma-separated values", () => {
  deepEqual(headerTokens(null), []);
  deepEqual(headerTokens(""), []);
  deepEqual(headerTokens("Upgrade"), ["Upgrade"]);
  deepEqual(headerTokens("keep-alive, Upgrade"), ["keep-alive", "Upgrade"]);
  deepEqual(headerTokens(" , chat ,,\tsuper chat\t, "), ["chat", "super chat"]);
});

// ------------------------------------------------------------------- fuzz

const SPECIAL = [0x00, 0x09, 0x0a, 0x0d, 0x20, 0x3a, 0x2c, 0x7f, 0x80, 0xff, 0x22, 0x28];

function mutate(source: Uint8Array, random: () => number): Uint8Array {
  const bytes = [...source];
  const count = 1 + Math.floor(random() * 4);
  for (let step = 0; step < count; step++) {
    const at = Math.floor(random() * (bytes.length + 1));
    const byte = random() < 0.6
      ? SPECIAL[Math.floor(random() * SPECIAL.length)]!
      : Math.floor(random() * 256);
    const choice = random();
    if (choice < 0.4) bytes[at] = byte;
    else if (choice < 0.7) bytes.splice(at, 0, byte);
    else if (choice < 0.9) bytes.splice(at, 1 + Math.floor(random() * 4));
    else bytes.splice(at, 0, ...bytes.slice(0, Math.floor(random() * 40)));
  }
  return Uint8Array.from(bytes.filter((byte) => byte !== undefined));
}

/** Runs a parser; returns true when it parsed, checks the error type otherwise. */
function survives(parse: () => unknown, input: Uint8Array): boolean {
  try {
    parse();
    return true;
  } catch (error) {
    ok(
      error instanceof SyntaxError || error instanceof RangeError,
      `${error} for ${JSON.stringify(String.fromCharCode(...input))}`,
    );
    return false;
  }
}

Deno.test("parseRequestHead() and parseResponseHead() survive 20,000 fuzzed heads", () => {
  const random = prng(9112);
  const seeds = [
    bytes(BROWSER_REQUEST),
    bytes(SWITCHING),
    latin1("GET * HTTP/1.0\nA:  x \t\nSet-Cookie: a=1\r\nLatin: caf\xe9\n\n"),
  ];
  let parsed = 0;
  for (let round = 0; round < 20_000; round++) {
    let input: Uint8Array;
    if (round % 10 === 0) {
      input = Uint8Array.from(
        { length: Math.floor(random() * 200) },
        () => SPECIAL[Math.floor(random() * SPECIAL.length)]!,
      );
    } else {
      input = mutate(seeds[round % seeds.length]!, random);
      // Make most inputs complete heads so that the later checks run too.
      const end = findHeadEnd(input);
      if (end > 0 && random() < 0.8) input = input.subarray(0, end);
    }
    const limits = random() < 0.2
      ? { maxHeaderSize: Math.floor(random() * 400), maxHeaders: Math.floor(random() * 10) }
      : {};
    const request = survives(() => parseRequestHead(input, limits), input);
    const response = survives(() => parseResponseHead(input, limits), input);
    if (request) {
      parsed++;
      // Whatever parses also formats and parses to the same thing.
      const head = parseRequestHead(input, limits);
      const again = parseRequestHead(formatRequestHead(head.method, head.path, head.headers));
      // (A repeated empty value makes Headers combine to "x, ", which trims to "x,".)
      const trimmed = (headers: Headers) =>
        [...headers].map(([name, value]) => [name, value.replace(/[ \t]+$/, "")]);
      deepEqual(trimmed(again.headers), trimmed(head.headers));
    }
    if (response) parsed++;
  }
  ok(parsed > 1000, `parsed ${parsed}`);
});
