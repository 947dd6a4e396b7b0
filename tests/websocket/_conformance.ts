// The conformance harness and the cases both our client and our server must pass.
import { equal, fail, ok } from "node:assert/strict";
import type { PerMessageDeflateOptions } from "@cosocket/websocket";
import { within } from "../_shared.ts";
import {
  type CloseInfo,
  closePayload,
  concat,
  encoder,
  fragments,
  type FrameSpec,
  OP,
  parseClose,
  patternBytes,
  pieces,
  Prng,
  type RawDeflateParams,
  toBytes,
  utf8Text,
} from "./_raw_frames.ts";
import { parseExtensions, type RawPeer, type ReadOptions, type Role } from "./_raw_peer.ts";
import { INVALID_UTF8, VALID_UTF8 } from "./_raw_utf8_cases.ts";

// ---------------------------------------------------------------------------------------------
// Cases both sides share. Each test file supplies a Harness that opens one session: our side
// (server via upgrade() or client via connect()) running an echo loop, and the raw peer on the
// other end. The raw peer masks as its role requires, so one case body serves both sides.

/** Options passed to our side (a subset of WsSocketOptions). */
export interface SideOptions {
  maxFrameSize?: number;
  maxMessageSize?: number;
  maxFragments?: number;
  fragmentSize?: number;
  perMessageDeflate?: boolean | PerMessageDeflateOptions;
  closeTimeout?: number;
}

/**
 * How our side echoes: "message" (readMessage() + send()), "reencode" (readMessage(), then a
 * string re-encoded with TextEncoder and written as text: what the application saw goes back,
 * not the bytes received), "chunks" (read() pieces assembled,
 * then write(bytes, utf8)), or `{ writerChunk }` (each message back through writer() in
 * fragments of that many bytes), or `{ closeWith }` (our side calls close(code, reason) after the
 * first message, then reads to the end).
 */
export type EchoMode =
  | "message"
  | "reencode"
  | "chunks"
  | { writerChunk: number }
  | { closeWith: readonly [number, string] };

/** How one session is opened. */
export interface OpenOptions {
  options?: SideOptions;
  echo?: EchoMode;
  /**
   * Server side: the raw client's Sec-WebSocket-Extensions offer. Client side: the raw server's
   * Sec-WebSocket-Extensions answer (a function gets our client's offer).
   */
  extensions?: string | ((offer: string | undefined) => string | undefined);
}

/** How our side's echo loop ended. */
export interface Outcome {
  /** "closed": read null after a close; "error": an exception. */
  kind: "closed" | "error";
  closeCode: number | null;
  closeReason: string;
  error?: unknown;
}

/** One open session. Disposing closes the raw peer and waits for our side to finish. */
export interface Session extends AsyncDisposable {
  peer: RawPeer;
  /** Our side's outcome, or null when the harness cannot observe it. */
  outcome(): Promise<Outcome | null>;
}

/** One side under test. */
export interface Harness {
  side: "server" | "client";
  open(options?: OpenOptions): Promise<Session>;
  /** Checks our side after a test: no sockets or cosockets left. */
  after(): Promise<void>;
  /** Checks an outcome's error: a WebSocketError with this close code. */
  checkError(error: unknown, closeCode: number): void;
}

export { within };

/** Expects our side to fail the connection with `code` (wire and API). */
export async function expectFailure(
  h: Harness,
  s: Session,
  code: number | readonly number[],
  options: ReadOptions & { skipData?: boolean } = {},
): Promise<CloseInfo> {
  const info = await s.peer.expectClose(code, options);
  const outcome = await within(s.outcome(), "our side's read to end", 5000);
  if (outcome !== null) {
    equal(outcome.kind, "error", `our side's read() throws after failing with ${info.code}`);
    h.checkError(outcome.error, info.code);
  }
  return info;
}

/** Sends a close and expects the echo, TCP closed by our side, and a clean end on our side. */
export async function expectCleanClose(
  s: Session,
  code = 1000,
  reason = "",
): Promise<void> {
  await s.peer.sendClose(code, reason);
  await s.peer.expectClose(code);
  const outcome = await within(s.outcome(), "our side's read to end", 5000);
  if (outcome !== null) {
    equal(outcome.kind, "closed", `our side ends cleanly (${String(outcome.error)})`);
    equal(outcome.closeCode, code, "closeCode on our side");
    equal(outcome.closeReason, reason, "closeReason on our side");
  }
}

/** Bytes of `size` made of a 600-byte block repeated (matches lie beyond a 512-byte window). */
export function compressible(size: number, seed = 11): Uint8Array {
  const block = patternBytes(600, seed);
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i += 600) out.set(block.subarray(0, Math.min(600, size - i)), i);
  return out;
}

/** Valid UTF-8 bytes of exactly `size`, built from a repeated 64 KiB block. */
export function bigText(size: number): Uint8Array {
  const block = encoder.encode(utf8Text(Math.min(size, 65536)));
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i += block.length) {
    out.set(block.subarray(0, Math.min(block.length, size - i)), i);
  }
  // The block boundary must not split a character: block ends on a character boundary.
  return out;
}

/** Derives the raw side's deflate parameters from an offer and the answer to it. */
export function negotiatedDeflate(
  rawRole: Role,
  offerValue: string | undefined,
  answerValue: string | undefined,
): RawDeflateParams | null {
  const offer = parseExtensions(offerValue).find((e) => e.name === "permessage-deflate");
  const answers = parseExtensions(answerValue);
  ok(answers.length <= 1, `at most one extension accepted: ${answerValue}`);
  const answer = answers[0];
  if (answer === undefined) return null;
  equal(answer.name, "permessage-deflate", "the accepted extension was offered");
  ok(offer !== undefined, "an extension is accepted only when offered");
  const bits = (value: string | true | undefined): number | undefined => {
    if (value === undefined || value === true) return undefined;
    ok(/^(8|9|1[0-5])$/.test(value), `window bits value ${value} is 8..15 (RFC 7692 7.1.2)`);
    return Number(value);
  };
  const known = [
    "server_no_context_takeover",
    "client_no_context_takeover",
    "server_max_window_bits",
    "client_max_window_bits",
  ];
  for (const name of answer.params.keys()) ok(known.includes(name), `unknown parameter ${name}`);
  const answerClientBits = answer.params.get("client_max_window_bits");
  if (answerClientBits !== undefined) {
    ok(
      offer.params.has("client_max_window_bits"),
      "client_max_window_bits answered only if offered",
    );
    ok(answerClientBits !== true, "client_max_window_bits in an answer has a value");
  }
  const offerBits = (value: string | true | undefined): number | undefined =>
    typeof value === "string" && /^(8|9|1[0-5])$/.test(value) ? Number(value) : undefined;
  const offerServerBits = offerBits(offer.params.get("server_max_window_bits"));
  const answerServerBits = bits(answer.params.get("server_max_window_bits"));
  if (offerServerBits !== undefined) {
    ok(answerServerBits !== undefined, "an accepted server_max_window_bits offer is answered");
    ok(answerServerBits <= offerServerBits, "server_max_window_bits answer <= offer");
  }
  if (offer.params.has("server_no_context_takeover")) {
    ok(answer.params.has("server_no_context_takeover"), "server_no_context_takeover accepted");
  }
  const serverBits = answerServerBits ?? 15;
  const clientBits = bits(answerClientBits) ??
    offerBits(offer.params.get("client_max_window_bits")) ??
    15;
  const serverTakeover = !answer.params.has("server_no_context_takeover");
  const clientTakeover = !answer.params.has("client_no_context_takeover") &&
    !offer.params.has("client_no_context_takeover");
  return rawRole === "client"
    ? {
      sendWindowBits: clientBits,
      sendContextTakeover: clientTakeover,
      receiveWindowBits: serverBits,
      receiveContextTakeover: serverTakeover,
    }
    : {
      sendWindowBits: serverBits,
      sendContextTakeover: serverTakeover,
      receiveWindowBits: clientBits,
      receiveContextTakeover: clientTakeover,
    };
}

/** Sizes used by the compression cases (Autobahn 12.x style). */
export const DEFLATE_SIZES: readonly number[] = [0, 16, 64, 125, 256, 1000, 4096, 65536, 262144];

/** Compressed messages of several sizes both ways, fragmented and not; checks the window. */
export async function deflateExchange(s: Session, sizes = DEFLATE_SIZES): Promise<void> {
  const peer = s.peer;
  ok(peer.deflate !== null, "permessage-deflate negotiated");
  for (const size of sizes) {
    const data = compressible(size, size);
    for (let round = 0; round < 2; round++) {
      await peer.sendCompressed(OP.binary, data, round + 1);
      const echo = await peer.expectMessage(OP.binary, data, { timeout: 10_000 });
      // Our side may compress or not; either is allowed.
      void echo;
    }
    const text = utf8Text(size, size);
    await peer.sendCompressed(OP.text, encoder.encode(text), size > 1000 ? 3 : 1);
    await peer.expectMessage(OP.text, text, { timeout: 10_000 });
    // An uncompressed message (RSV1 clear) stays allowed.
    await peer.text(text);
    await peer.expectMessage(OP.text, text, { timeout: 10_000 });
  }
  await peer.deflate.checkWindow();
}

/** Registers the conformance cases both sides share. */
export function sharedConformanceCases(h: Harness): void {
  const prefix = `${h.side}:`;
  const test = (name: string, body: () => Promise<void>): void => {
    Deno.test(`${prefix} ${name}`, async () => {
      await body();
      await h.after();
    });
  };
  const session = (options: OpenOptions = {}) => h.open(options);
  const LENGTHS = [0, 125, 126, 127, 128, 65535, 65536];

  // 1.x framing
  for (const mode of ["message", "chunks"] as const) {
    test(`1.1/1.2 text and binary of ${LENGTHS.join("/")} bytes echoed exactly (${mode})`, async () => {
      await using s = await session({ echo: mode });
      for (const n of LENGTHS) {
        await s.peer.text(utf8Text(n));
        await s.peer.expectMessage(OP.text, utf8Text(n));
        await s.peer.binary(patternBytes(n, n));
        await s.peer.expectMessage(OP.binary, patternBytes(n, n));
      }
      await expectCleanClose(s);
    });
  }
  test("1.1.8 a 65536-byte text frame chopped into 997-byte writes is echoed", async () => {
    await using s = await session();
    await s.peer.sendChopped(s.peer.frame({ opcode: OP.text, payload: utf8Text(65536) }), 997);
    await s.peer.expectMessage(OP.text, utf8Text(65536));
    await expectCleanClose(s);
  });
  for (const mode of ["message", "reencode", "chunks"] as const) {
    test(`1.x a text message starting with a BOM reaches the application intact (${mode})`, async () => {
      await using s = await session({ echo: mode });
      await s.peer.text("\ufeffBOM");
      await s.peer.expectMessage(OP.text, "\ufeffBOM");
      await expectCleanClose(s);
    });
  }
  test("1.x a non-minimal length encoding is echoed or failed with 1002", async () => {
    for (const lengthBytes of [2, 8] as const) {
      await using s = await session();
      await s.peer.send({ opcode: OP.text, payload: "short", lengthBytes });
      const frame = await s.peer.next();
      ok(frame !== null, "a reply to a non-minimal length");
      if (frame.opcode === OP.close) {
        equal(parseClose(frame.payload).code, 1002, "non-minimal length refused with 1002");
      } else {
        equal(frame.opcode, OP.text);
        equal(new TextDecoder().decode(frame.payload), "short");
        await expectCleanClose(s);
      }
    }
  });
  test("1.x a 64-bit length with the most significant bit set fails with 1002/1009", async () => {
    await using s = await session();
    await s.peer.send({
      opcode: OP.binary,
      payload: "abc",
      lengthBytes: 8,
      declaredLength: (1n << 63n) + 3n,
    });
    await expectFailure(h, s, [1002, 1009]);
  });
  test("5.1/RFC 5.1 a frame masked the wrong way for its direction fails with 1002", async () => {
    for (const opcode of [OP.text, OP.ping, OP.close]) {
      await using s = await session();
      await s.peer.send({
        opcode,
        payload: opcode === OP.close ? closePayload(1000) : "wrong mask",
        mask: s.peer.role === "server",
      });
      await expectFailure(h, s, 1002);
    }
  });

  // 2.x pings and pongs
  test("2.1-2.4 empty, text, binary and 125-byte pings get identical pongs", async () => {
    await using s = await session();
    for (
      const payload of [
        new Uint8Array(0),
        toBytes("Hello, world!"),
        patternBytes(8),
        patternBytes(125),
      ]
    ) {
      await s.peer.ping(payload);
      await s.peer.expectPong(payload);
    }
    await expectCleanClose(s);
  });
  test("2.5 a 126-byte ping fails with 1002", async () => {
    await using s = await session();
    await s.peer.ping(patternBytes(126));
    await expectFailure(h, s, 1002);
  });
  test("2.6 a 125-byte ping in 1-octet chops gets its pong", async () => {
    await using s = await session();
    const payload = patternBytes(125, 26);
    await s.peer.sendChopped(s.peer.frame({ opcode: OP.ping, payload }), 1, 1);
    await s.peer.expectPong(payload);
    await expectCleanClose(s);
  });
  test("2.7-2.9 unsolicited pongs are ignored", async () => {
    await using s = await session();
    await s.peer.send({ opcode: OP.pong });
    await s.peer.send({ opcode: OP.pong, payload: "unsolicited" });
    await s.peer.ping("after");
    await s.peer.expectPong("after");
    await s.peer.text("still here");
    await s.peer.expectMessage(OP.text, "still here");
    await expectCleanClose(s);
  });
  test("2.10/2.11 ten pings in a row (whole and 1-octet chopped) all get pongs", async () => {
    await using s = await session();
    const pings = Array.from({ length: 10 }, (_, i) => ({ opcode: OP.ping, payload: `ping ${i}` }));
    await s.peer.send(...pings);
    for (let i = 0; i < 10; i++) await s.peer.expectPong(`ping ${i}`);
    await s.peer.sendChopped(concat(pings.map((p) => s.peer.frame(p))), 1);
    for (let i = 0; i < 10; i++) await s.peer.expectPong(`ping ${i}`);
    await expectCleanClose(s);
  });
  test("5.1/5.2 a fragmented ping or pong fails with 1002", async () => {
    for (const opcode of [OP.ping, OP.pong]) {
      await using s = await session();
      await s.peer.send(
        { opcode, payload: "frag", fin: false },
        { opcode: OP.continuation, payload: "ment", fin: true },
      );
      await expectFailure(h, s, 1002);
    }
  });

  // 3.x reserved bits
  const rsvCases: [string, Partial<FrameSpec> & { opcode: number }][] = [
    ["3.1 RSV1 on text (no extension)", { opcode: OP.text, rsv1: true }],
    ["3.2 RSV2 on text", { opcode: OP.text, rsv2: true }],
    ["3.3 RSV3 on text", { opcode: OP.text, rsv3: true }],
    ["3.4 RSV1+RSV3 on text", { opcode: OP.text, rsv1: true, rsv3: true }],
    ["3.5 RSV1+RSV2 on binary", { opcode: OP.binary, rsv1: true, rsv2: true }],
    ["3.6 RSV1+RSV3 on ping", { opcode: OP.ping, rsv1: true, rsv3: true }],
    ["3.7 all RSV bits on close", { opcode: OP.close, rsv1: true, rsv2: true, rsv3: true }],
  ];
  for (const [name, spec] of rsvCases) {
    test(`${name} fails with 1002 (after a valid echo)`, async () => {
      await using s = await session();
      await s.peer.text("valid first");
      await s.peer.expectMessage(OP.text, "valid first");
      await s.peer.send({
        payload: spec.opcode === OP.close ? closePayload(1000) : "reserved",
        ...spec,
      });
      await expectFailure(h, s, 1002);
    });
  }

  // 4.x reserved opcodes
  for (const opcode of [3, 4, 5, 6, 7, 11, 12, 13, 14, 15]) {
    test(`4.x reserved opcode ${opcode} fails with 1002`, async () => {
      await using s = await session();
      await s.peer.text("valid first");
      await s.peer.expectMessage(OP.text, "valid first");
      await s.peer.send({ opcode, payload: opcode % 2 ? "" : "reserved opcode payload" });
      await expectFailure(h, s, 1002);
    });
  }

  // 5.x fragmentation
  test("5.3/5.4 text in two fragments, also chopped to 1 octet", async () => {
    await using s = await session();
    const frames = fragments(OP.text, [toBytes("fragment1"), toBytes("fragment2")]);
    await s.peer.send(...frames);
    await s.peer.expectMessage(OP.text, "fragment1fragment2");
    await s.peer.sendChopped(concat(frames.map((f) => s.peer.frame(f))), 1, 1);
    await s.peer.expectMessage(OP.text, "fragment1fragment2");
    await expectCleanClose(s);
  });
  test("5.9/5.13 a continuation without a message fails with 1002", async () => {
    for (const fin of [true, false]) {
      await using s = await session();
      await s.peer.send({ opcode: OP.continuation, payload: "orphan", fin });
      await expectFailure(h, s, 1002);
    }
  });
  test("5.16-5.18 a new data frame while a message is open fails with 1002", async () => {
    for (const second of [OP.text, OP.binary]) {
      await using s = await session();
      await s.peer.send(
        { opcode: OP.text, payload: "open", fin: false },
        { opcode: second, payload: "new", fin: true },
      );
      await expectFailure(h, s, 1002);
    }
  });
  test("5.6/5.19 pings between fragments are answered before the message completes", async () => {
    await using s = await session();
    await s.peer.send({ opcode: OP.text, payload: "frag1", fin: false });
    await s.peer.send({ opcode: OP.continuation, payload: "frag2", fin: false });
    await s.peer.ping("pongme 1");
    await s.peer.expectPong("pongme 1"); // before fragments 3-5 are even sent
    await s.peer.send({ opcode: OP.continuation, payload: "frag3", fin: false });
    await s.peer.send({ opcode: OP.continuation, payload: "frag4", fin: false });
    await s.peer.ping("pongme 2");
    await s.peer.expectPong("pongme 2");
    await s.peer.send({ opcode: OP.continuation, payload: "frag5", fin: true });
    await s.peer.expectMessage(OP.text, "frag1frag2frag3frag4frag5");
    await expectCleanClose(s);
  });
  test("5.x a text message in 1-byte fragments is echoed", async () => {
    await using s = await session();
    const text = "Hello, κόσμε 😀 \u{10FFFF}!";
    await s.peer.send(...fragments(OP.text, pieces(toBytes(text), 1)));
    await s.peer.expectMessage(OP.text, text);
    await expectCleanClose(s);
  });
  test("5.x a whole session chopped into 1-octet and odd-sized writes works", async () => {
    const build = (peer: RawPeer) =>
      concat([
        peer.frame({ opcode: OP.text, payload: "Hello" }),
        peer.frame({ opcode: OP.binary, payload: patternBytes(300) }),
        peer.frame({ opcode: OP.ping, payload: "p1" }),
        peer.frame({ opcode: OP.text, payload: "ab😀", fin: false }),
        peer.frame({ opcode: OP.ping, payload: "p2" }),
        peer.frame({ opcode: OP.continuation, payload: "cd", fin: true }),
        peer.frame({ opcode: OP.close, payload: closePayload(1000, "chopped") }),
      ]);
    const prng = new Prng(55);
    for (const size of [1, 2, 3, 7, 13, 0]) {
      await using s = await session();
      const stream = build(s.peer);
      if (size === 0) {
        // Random chop sizes 1..9 with delays.
        for (let i = 0; i < stream.length;) {
          const n = 1 + prng.int(9);
          await s.peer.sendRaw(stream.subarray(i, i + n));
          await new Promise((resolve) => setTimeout(resolve, 1));
          i += n;
        }
      } else {
        await s.peer.sendChopped(stream, size, size === 1 ? 1 : 0);
      }
      await s.peer.expectMessage(OP.text, "Hello");
      await s.peer.expectMessage(OP.binary, patternBytes(300));
      await s.peer.expectPong("p1");
      await s.peer.expectPong("p2");
      await s.peer.expectMessage(OP.text, "ab😀cd");
      await s.peer.expectClose(1000);
      const outcome = await within(s.outcome(), "our side's read to end", 5000);
      if (outcome !== null) equal(outcome.closeReason, "chopped");
    }
  });

  // 6.x UTF-8
  test("6.1 empty text frames and empty fragments", async () => {
    await using s = await session();
    await s.peer.text("");
    await s.peer.expectMessage(OP.text, "");
    await s.peer.send(
      ...fragments(OP.text, [new Uint8Array(0), new Uint8Array(0), new Uint8Array(0)]),
    );
    await s.peer.expectMessage(OP.text, "");
    await s.peer.send(
      ...fragments(OP.text, [new Uint8Array(0), toBytes("middle"), new Uint8Array(0)]),
    );
    await s.peer.expectMessage(OP.text, "middle");
    await expectCleanClose(s);
  });
  test("6.2/6.x valid UTF-8 (noncharacters included) whole, in 1-byte fragments and 1-octet chops", async () => {
    // Re-encoded by our side: the strings readMessage() returned must hold exactly the text.
    await using s = await session({ echo: "reencode" });
    for (const [name, text] of VALID_UTF8) {
      const data = toBytes(text);
      await s.peer.text(data);
      await s.peer.expectMessage(OP.text, data).catch((e) => fail(`${name}: ${e.message}`));
      await s.peer.send(...fragments(OP.text, pieces(data, 1)));
      await s.peer.expectMessage(OP.text, data).catch((e) =>
        fail(`${name} (fragments): ${e.message}`)
      );
      await s.peer.sendChopped(s.peer.frame({ opcode: OP.text, payload: data }), 1, 1);
      await s.peer.expectMessage(OP.text, data).catch((e) => fail(`${name} (chops): ${e.message}`));
    }
    await expectCleanClose(s);
  });
  for (const [name, sequence] of INVALID_UTF8) {
    test(`6.x invalid UTF-8 (${name}) fails with 1007: whole, fragmented per byte`, async () => {
      const data = Uint8Array.from(sequence);
      {
        await using s = await session();
        await s.peer.text(data);
        await expectFailure(h, s, 1007);
      }
      {
        await using s = await session();
        await s.peer.send(...fragments(OP.text, pieces(data, 1)));
        await expectFailure(h, s, 1007);
      }
    });
  }
  const fastFail = INVALID_UTF8.filter(([name]) => !name.startsWith("truncated"));
  test("6.4.1/6.4.2 invalid UTF-8 in the first fragment fails fast, before the final fragment", async () => {
    for (const [name, sequence] of fastFail) {
      await using s = await session();
      const first = concat([toBytes("κόσμε"), Uint8Array.from(sequence)]);
      await s.peer.send({ opcode: OP.text, payload: first, fin: false });
      await expectFailure(h, s, 1007).catch((e) => fail(`${name}: ${e.message}`));
      // Only now would the rest arrive; our side must not have waited for it.
      await s.peer.send({ opcode: OP.continuation, payload: "edited", fin: true });
    }
  });
  test("6.4.3/6.4.4 invalid UTF-8 fails fast inside a partially received frame", async () => {
    for (const [name, sequence] of fastFail.slice(0, 12)) {
      await using s = await session();
      const prefix = toBytes("κόσμε");
      const payload = concat([prefix, Uint8Array.from(sequence), toBytes("x".repeat(2000))]);
      const frame = s.peer.frame({ opcode: OP.text, payload });
      const headerLength = frame.length - payload.length;
      const cut = headerLength + prefix.length + sequence.length;
      await s.peer.sendRaw(frame.subarray(0, cut));
      await expectFailure(h, s, 1007).catch((e) => fail(`${name}: ${e.message}`));
      await s.peer.sendRaw(frame.subarray(cut));
    }
  });
  test("6.x a character split across fragments and across TCP chops is valid", async () => {
    await using s = await session();
    const text = "€😀\u{10FFFF}";
    const data = toBytes(text);
    for (const split of [1, 2, 3, 5, 8]) {
      await s.peer.send(...fragments(OP.text, [data.subarray(0, split), data.subarray(split)]));
      await s.peer.expectMessage(OP.text, text);
    }
    await s.peer.sendChopped(
      concat(fragments(OP.text, pieces(data, 3)).map((f) => s.peer.frame(f))),
      1,
      1,
    );
    await s.peer.expectMessage(OP.text, text);
    await expectCleanClose(s);
  });
  test("6.x a sequence truncated at the end of the final fragment fails with 1007", async () => {
    await using s = await session();
    await s.peer.send(
      { opcode: OP.text, payload: Uint8Array.of(0x61, 0xf0, 0x9f), fin: false },
      { opcode: OP.continuation, payload: Uint8Array.of(0x98), fin: true },
    );
    await expectFailure(h, s, 1007);
  });
  test("6.x binary messages are not UTF-8 checked", async () => {
    await using s = await session();
    await s.peer.binary(Uint8Array.of(0xed, 0xa0, 0x80, 0xff, 0xc0));
    await s.peer.expectMessage(OP.binary, Uint8Array.of(0xed, 0xa0, 0x80, 0xff, 0xc0));
    await expectCleanClose(s);
  });

  // 7.x closing
  test("7.1.1/7.3.3 echo then close 1000: echoed, TCP closed by our side", async () => {
    await using s = await session();
    await s.peer.text("Hello");
    await s.peer.expectMessage(OP.text, "Hello");
    await expectCleanClose(s);
  });
  test("7.1.2-7.1.4 frames after a close are ignored (close, ping, text)", async () => {
    for (const after of [OP.close, OP.ping, OP.text]) {
      await using s = await session();
      await s.peer.send(
        { opcode: OP.close, payload: closePayload(1000) },
        { opcode: after, payload: after === OP.close ? closePayload(1001) : "after close" },
      );
      await s.peer.expectClose(1000);
    }
  });
  test("7.1.5 a close during a fragmented message is answered with 1000", async () => {
    await using s = await session();
    await s.peer.send(
      { opcode: OP.text, payload: "fragment1", fin: false },
      { opcode: OP.close, payload: closePayload(1000) },
      { opcode: OP.continuation, payload: "fragment2", fin: true },
    );
    await s.peer.expectClose(1000);
  });
  test("7.1.6 a large message, a ping and a close in quick succession", async () => {
    await using s = await session();
    const big = patternBytes(256 * 1024, 716);
    await s.peer.send(
      { opcode: OP.binary, payload: big },
      { opcode: OP.ping, payload: "after" },
      { opcode: OP.close, payload: closePayload(1000) },
    );
    await s.peer.expectMessage(OP.binary, big);
    await s.peer.expectPong("after");
    await s.peer.expectClose(1000);
  });
  test("7.3.1 an empty close payload is answered (empty or 1000)", async () => {
    await using s = await session();
    await s.peer.sendClose();
    await s.peer.expectClose([1005, 1000]);
    const outcome = await within(s.outcome(), "our side's read to end", 5000);
    if (outcome !== null) {
      equal(outcome.kind, "closed");
      equal(outcome.closeCode, 1005, "no status code received reads as 1005");
    }
  });
  test("7.3.2 a 1-byte close payload fails with 1002", async () => {
    await using s = await session();
    await s.peer.send({ opcode: OP.close, payload: Uint8Array.of(0x03) });
    await expectFailure(h, s, 1002);
  });
  test("7.3.4/7.3.5 close reasons up to 123 bytes are accepted", async () => {
    for (const reason of ["Hello World!", "r".repeat(123), "κόσμε😀".padEnd(60, "x")]) {
      await using s = await session();
      await expectCleanClose(s, 1000, reason);
    }
  });
  test("7.3.6 a 124-byte reason (payload 126 > 125) fails with 1002", async () => {
    await using s = await session();
    await s.peer.send({ opcode: OP.close, payload: closePayload(1000, "r".repeat(124)) });
    await expectFailure(h, s, 1002);
  });
  test("7.5.1 invalid UTF-8 in a close reason fails with 1007", async () => {
    for (const [, sequence] of INVALID_UTF8.slice(0, 8)) {
      await using s = await session();
      await s.peer.send({
        opcode: OP.close,
        payload: closePayload(1000, concat([toBytes("reason "), Uint8Array.from(sequence)])),
      });
      await expectFailure(h, s, 1007);
    }
  });
  for (
    const code of [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999]
  ) {
    test(`7.7 valid close code ${code} is echoed`, async () => {
      await using s = await session();
      await expectCleanClose(s, code, `code ${code}`);
    });
  }
  for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535]) {
    test(`7.9 invalid close code ${code} fails with 1002`, async () => {
      await using s = await session();
      await s.peer.send({ opcode: OP.close, payload: closePayload(code) });
      await expectFailure(h, s, 1002);
    });
  }

  // 9.x sizes and fragment counts
  test("9.1.6/9.2.6 a 16 MiB text and a 16 MiB binary message are received and echoed", async () => {
    await using s = await session();
    const size = 16 * 1024 * 1024;
    const text = bigText(size);
    await s.peer.text(text);
    await s.peer.expectMessage(OP.text, text, { timeout: 30_000 });
    const binary = patternBytes(size, 92);
    await s.peer.binary(binary);
    await s.peer.expectMessage(OP.binary, binary, { timeout: 30_000 });
    await expectCleanClose(s);
  });
  test("9.3/9.4 4 MiB sent to us as 65,536 fragments of 64 bytes (text and binary)", async () => {
    await using s = await session();
    const size = 4 * 1024 * 1024;
    for (
      const [opcode, data] of [[OP.text, bigText(size)], [
        OP.binary,
        patternBytes(size, 93),
      ]] as const
    ) {
      const frames = fragments(opcode, pieces(data, 64));
      equal(frames.length, 65536);
      await s.peer.sendRaw(concat(frames.map((f) => s.peer.frame(f))));
      await s.peer.expectMessage(opcode, data, { timeout: 30_000 });
    }
    await expectCleanClose(s);
  });
  test("9.x our side sends 4 MiB as 65,536 fragments through writer()", async () => {
    await using s = await session({ echo: { writerChunk: 64 } });
    const size = 4 * 1024 * 1024;
    for (
      const [opcode, data] of [[OP.binary, patternBytes(size, 94)], [
        OP.text,
        bigText(size),
      ]] as const
    ) {
      await s.peer.send({ opcode, payload: data });
      const message = await s.peer.expectMessage(opcode, data, { timeout: 30_000 });
      equal(message.frames, 65536, "one frame per writer.write()/end()");
    }
    await expectCleanClose(s);
  });
  test("9.x our side sends 4 MiB as 65,536 frames with the fragmentSize option", async () => {
    await using s = await session({ options: { fragmentSize: 64 } });
    const size = 4 * 1024 * 1024;
    const data = patternBytes(size, 95);
    await s.peer.binary(data);
    const message = await s.peer.expectMessage(OP.binary, data, { timeout: 30_000 });
    equal(message.frames, 65536, "fragmentSize 64 splits 4 MiB into 65,536 frames");
    await expectCleanClose(s);
  });

  // Limits
  test("limits: a frame header above maxFrameSize (default 16 MiB) fails with 1009 at once", async () => {
    await using s = await session();
    // Only the header and 1 KiB are sent: our side must not wait for the payload.
    const frame = s.peer.frame({
      opcode: OP.binary,
      payload: patternBytes(1024),
      lengthBytes: 8,
      declaredLength: 16 * 1024 * 1024 + 1,
    });
    await s.peer.sendRaw(frame);
    await expectFailure(h, s, 1009);
  });
  test("limits: maxFrameSize 65535 (the seed's limit) accepts 65535 and fails 65536 with 1009", async () => {
    await using s = await session({ options: { maxFrameSize: 65535 } });
    await s.peer.binary(patternBytes(65535));
    await s.peer.expectMessage(OP.binary, patternBytes(65535));
    await s.peer.binary(patternBytes(65536));
    await expectFailure(h, s, 1009);
  });
  test("limits: a message above maxMessageSize fails with 1009 (option and 16 MiB default)", async () => {
    {
      await using s = await session({ options: { maxMessageSize: 100_000 } });
      await s.peer.binary(patternBytes(100_000));
      await s.peer.expectMessage(OP.binary, patternBytes(100_000));
      await s.peer.send(...fragments(OP.binary, [patternBytes(60_000), patternBytes(40_001)]));
      await expectFailure(h, s, 1009);
    }
    {
      await using s = await session();
      const half = 8 * 1024 * 1024;
      await s.peer.send({ opcode: OP.binary, payload: patternBytes(half), fin: false });
      await s.peer.send({ opcode: OP.continuation, payload: patternBytes(half), fin: false });
      await s.peer.send({ opcode: OP.continuation, payload: "x", fin: true });
      await expectFailure(h, s, 1009, { timeout: 30_000 });
    }
  });
  test("limits: more than maxFragments fragments fails with 1009/1008", async () => {
    await using s = await session({ options: { maxFragments: 100 } });
    const ok100 = fragments(OP.binary, pieces(patternBytes(100), 1));
    await s.peer.send(...ok100);
    await s.peer.expectMessage(OP.binary, patternBytes(100));
    await s.peer.send(...fragments(OP.binary, pieces(patternBytes(101), 1)));
    await expectFailure(h, s, [1009, 1008]);
  });
  test("limits: a compressed message inflating above maxMessageSize fails with 1009", async () => {
    const offer = "permessage-deflate";
    await using s = await session({
      options: { perMessageDeflate: true, maxMessageSize: 100_000 },
      extensions: h.side === "server" ? offer : () => offer,
    });
    ok(s.peer.deflate !== null, "permessage-deflate negotiated");
    await s.peer.sendCompressed(OP.binary, new Uint8Array(1024 * 1024));
    await expectFailure(h, s, 1009);
  });

  // 12.x/13.x compression protocol errors (negotiated)
  test("13.x RSV1 on a control frame or a continuation fails with 1002 (deflate on)", async () => {
    const offer = "permessage-deflate";
    for (const bad of ["ping", "close", "continuation"]) {
      await using s = await session({
        options: { perMessageDeflate: true },
        extensions: h.side === "server" ? offer : () => offer,
      });
      ok(s.peer.deflate !== null, "permessage-deflate negotiated");
      if (bad === "continuation") {
        const data = await s.peer.deflate.compress(toBytes("compressed fragments"));
        await s.peer.send(
          { opcode: OP.text, payload: data.subarray(0, 3), fin: false, rsv1: true },
          { opcode: OP.continuation, payload: data.subarray(3), fin: true, rsv1: true },
        );
      } else {
        await s.peer.send({
          opcode: bad === "ping" ? OP.ping : OP.close,
          payload: bad === "ping" ? Uint8Array.of(0x00) : closePayload(1000),
          rsv1: true,
        });
      }
      await expectFailure(h, s, 1002);
    }
  });
  test("12.x a corrupt compressed payload fails with 1007 (or 1002)", async () => {
    const offer = "permessage-deflate";
    await using s = await session({
      options: { perMessageDeflate: true },
      extensions: h.side === "server" ? offer : () => offer,
    });
    await s.peer.send({ opcode: OP.binary, payload: Uint8Array.of(0xff, 0xff, 0xff), rsv1: true });
    await expectFailure(h, s, [1007, 1002]);
  });
}
