// Bounded fuzzing of the frame parser (our server and our client) and of the handshake parser
// (our server). Every case comes from a seeded PRNG: a failure names its case and seed, and
// `WS_FUZZ_SEED=<seed>` replays the run. The properties: every connection ends with a close
// frame carrying a code an endpoint may send, or a dropped connection; every frame our side sends
// obeys RFC 6455 (the raw peer's reader checks); our side's read ends with null or a
// WebSocketError/SocketError, never another exception or an unhandled rejection; nothing hangs
// (per-case guard) and nothing leaks (sockstat); floods of tiny fragments are cut off by
// maxFragments instead of growing memory. Handshakes get a 101 with the right accept for the key,
// a 4xx, or a dropped connection.
import { equal, fail, ok } from "node:assert/strict";
import { bind, type Socket, SocketError, type Suspension } from "@cosocket/socket";
import {
  connect,
  upgrade,
  type UpgradeOptions,
  WebSocketError,
  type WsSocket,
} from "@cosocket/websocket";
import { assertNoSockets } from "../socket/_helpers.ts";
import {
  acceptFor,
  ByteQueue,
  closePayload,
  concat,
  encodeFrame,
  type FrameSpec,
  hex,
  INVALID_UTF8,
  isSendableCloseCode,
  OP,
  parseClose,
  parseFrame,
  Prng,
  rawClient,
  rawHandshake,
  type RawPeer,
  RawServer,
  utf8Text,
  within,
} from "./_raw.ts";

const SEED = Number(Deno.env.get("WS_FUZZ_SEED") ?? 0x6455);
const encoder = new TextEncoder();

/** Options of our side in the fuzz runs: small limits so limit paths are reached too. */
const LIMITS = { maxFrameSize: 4096, maxMessageSize: 16384, maxFragments: 64, closeTimeout: 200 };

/** Problems seen on our side (wrong exception types, unhandled rejections). */
const problems: string[] = [];
globalThis.addEventListener("unhandledrejection", (event) => {
  // Recorded and asserted at the end of each test with the case that caused it.
  problems.push(`unhandled rejection: ${String(event.reason?.stack ?? event.reason)}`);
  event.preventDefault();
});

/** Records how our side's read loop ended; anything but null or a socket error is a bug. */
function recordEnd(where: string, error: unknown): void {
  if (error === null) return;
  if (error instanceof WebSocketError || error instanceof SocketError) return;
  problems.push(`${where}: ${String((error as Error)?.stack ?? error)}`);
}

// ------------------------------------------------------------------------------ generators

const OPCODES = [
  OP.text,
  OP.text,
  OP.binary,
  OP.binary,
  OP.continuation,
  OP.continuation,
  OP.ping,
  OP.pong,
  OP.close,
  3,
  11,
];

function randomPayload(prng: Prng, opcode: number): Uint8Array {
  const choice = prng.int(10);
  if (opcode === OP.close && choice < 6) {
    const code = prng.pick([
      1000,
      1001,
      1002,
      1003,
      1005,
      1006,
      1007,
      1015,
      2999,
      3000,
      4999,
      5000,
      0,
      prng.int(65536),
    ]);
    const reason = prng.chance(0.7)
      ? utf8Text(prng.int(40), prng.next())
      : prng.bytes(prng.int(10));
    return closePayload(code, reason);
  }
  const length = prng.chance(0.1)
    ? prng.pick([0, 1, 125, 126, 127, 4095, 4096, 4097])
    : prng.int(prng.chance(0.8) ? 40 : 300);
  if (choice < 5) return encoder.encode(utf8Text(length, prng.next()));
  if (choice < 7) {
    const [, bad] = prng.pick(INVALID_UTF8);
    const text = encoder.encode(utf8Text(length, prng.next()));
    const at = prng.int(text.length + 1);
    return concat([text.subarray(0, at), Uint8Array.from(bad), text.subarray(at)]);
  }
  return prng.bytes(length);
}

/** A frame spec: mostly well-formed, sometimes with broken flags, lengths or masking. */
function randomFrame(prng: Prng, maskedRole: boolean): FrameSpec {
  const opcode = prng.chance(0.03) ? prng.int(16) : prng.pick(OPCODES);
  const spec: FrameSpec = {
    opcode,
    payload: randomPayload(prng, opcode),
    fin: prng.chance(opcode >= 8 ? 0.95 : 0.7),
    mask: prng.chance(0.97) === maskedRole ? prng.bytes(4) : false,
  };
  if (prng.chance(0.04)) spec.rsv1 = true;
  if (prng.chance(0.02)) spec.rsv2 = true;
  if (prng.chance(0.02)) spec.rsv3 = true;
  if (prng.chance(0.05)) spec.lengthBytes = prng.pick([2, 8] as const);
  if (prng.chance(0.03)) {
    const size = (spec.payload as Uint8Array).length;
    spec.declaredLength = prng.pick([size + 1, size + 1000, 2 ** 32, 2 ** 53 - 1]);
    spec.lengthBytes = 8;
  }
  return spec;
}

/** Mutates an encoded stream: bit flips, truncation, inserted and duplicated bytes. */
function mutate(prng: Prng, stream: Uint8Array): Uint8Array {
  let out: Uint8Array = stream.slice();
  const rounds = prng.int(4);
  for (let r = 0; r < rounds && out.length > 0; r++) {
    switch (prng.int(5)) {
      case 0:
        for (let i = 0; i < 1 + prng.int(4); i++) out[prng.int(out.length)]! ^= 1 << prng.int(8);
        break;
      case 1:
        out = out.subarray(0, prng.int(out.length));
        break;
      case 2: {
        const at = prng.int(out.length);
        out = concat([out.subarray(0, at), prng.bytes(1 + prng.int(16)), out.subarray(at)]);
        break;
      }
      case 3: {
        const at = prng.int(out.length);
        const len = prng.int(Math.min(64, out.length - at) + 1);
        out = concat([
          out.subarray(0, at + len),
          out.subarray(at, at + len),
          out.subarray(at + len),
        ]);
        break;
      }
      default:
        out[prng.int(out.length)] = prng.next() & 0xff;
    }
  }
  return out;
}

/** A random frame stream for a peer of `role`, maybe mutated, maybe ending with a close. */
function randomStream(prng: Prng, maskedRole: boolean): Uint8Array {
  const frames: Uint8Array[] = [];
  const count = 1 + prng.int(8);
  for (let i = 0; i < count; i++) {
    frames.push(encodeFrame(randomFrame(prng, maskedRole), maskedRole));
  }
  if (prng.chance(0.3)) {
    frames.push(
      encodeFrame({
        opcode: OP.close,
        payload: closePayload(1000),
        mask: maskedRole ? prng.bytes(4) : false,
      }, maskedRole),
    );
  }
  const stream = concat(frames);
  return prng.chance(0.5) ? mutate(prng, stream) : stream;
}

/** Close codes in the close frames of a (possibly mutated) stream, parsed as our side would. */
function sentCodes(stream: Uint8Array): Set<number> {
  const queue = new ByteQueue();
  queue.push(stream.slice());
  const codes = new Set<number>();
  let frame;
  while ((frame = parseFrame(queue)) !== null) {
    if (frame.opcode === OP.close) codes.add(parseClose(frame.payload).code);
  }
  return codes;
}

/**
 * Sends `stream` in random chops, half-closes, then reads what our side sends until it closes:
 * every frame is checked by RawPeer.next; a close frame must carry a sendable code and be the
 * last thing before end of stream.
 */
async function drive(prng: Prng, peer: RawPeer, stream: Uint8Array): Promise<string> {
  const reading = (async () => {
    let sawClose: number | null = null;
    while (true) {
      const frame = await peer.next({ timeout: 5000 });
      if (frame === null) return sawClose === null ? "dropped" : `close ${sawClose}`;
      if (sawClose !== null) fail(`frame (opcode ${frame.opcode}) after our side's close frame`);
      if (frame.opcode === OP.close) {
        const { code } = parseClose(frame.payload);
        ok(code === 1005 || isSendableCloseCode(code), `close code ${code} may be sent`);
        // Our side echoes a peer's close code; 1011 it must never originate on bad input.
        ok(code !== 1011 || sentCodes(stream).has(1011), "no internal error (1011) on bad input");
        sawClose = code;
      }
    }
  })();
  for (let offset = 0; offset < stream.length && peer.writeError === null;) {
    const size = 1 + prng.int(prng.chance(0.5) ? 8 : 512);
    await peer.sendRaw(stream.subarray(offset, offset + size));
    offset += size;
  }
  await peer.closeWrite();
  return await reading;
}

/** Our server under fuzzing: every connection is upgraded and served, and how it ended is recorded. */
interface FuzzedServer extends AsyncDisposable {
  port: number;
  /** Server cosockets still running. */
  readonly open: number;
}

function fuzzedServer(
  options: UpgradeOptions,
  label: string,
  serve: (ws: WsSocket) => Generator<Suspension, void>,
): FuzzedServer {
  let open = 0;
  const listener = bind(0, { hostname: "127.0.0.1" }).event(function* (l: Socket) {
    let sock;
    while ((sock = yield* l.accept()) !== null) {
      open++;
      sock.event(function* (own: Socket) {
        let error: unknown = null;
        try {
          yield* serve(yield* upgrade(own, options));
        } catch (caught) {
          error = caught;
        } finally {
          open--;
        }
        recordEnd(label, error);
      });
    }
  });
  return {
    port: listener.sockname().port,
    get open() {
      return open;
    },
    [Symbol.asyncDispose]: () => listener[Symbol.asyncDispose](),
  };
}

// ------------------------------------------------------------------------------ frame fuzz

Deno.test("fuzz: random and mutated frame streams to our server end in a valid close or a drop", async () => {
  const CASES = 1500;
  const ends = new Map<string, number>();
  await using server = fuzzedServer(LIMITS, "our server", function* (ws) {
    let message;
    while ((message = yield* ws.readMessage()) !== null) yield* ws.send(message);
  });
  const port = server.port;
  const runCase = async (index: number) => {
    const seed = SEED + index;
    const prng = new Prng(seed);
    const stream = randomStream(prng, true);
    await using peer = await rawClient(port);
    const end = await within(drive(prng, peer, stream), `case ${index} (seed ${seed})`, 10_000)
      .catch((error) =>
        fail(`case ${index} (seed ${seed}): ${error.message}\nstream: ${hex(stream, 400)}`)
      );
    ends.set(end, (ends.get(end) ?? 0) + 1);
  };
  await inParallel(CASES, 8, runCase);
  for (let i = 0; i < 100 && server.open > 0; i++) await new Promise((r) => setTimeout(r, 10));
  equal(server.open, 0, "every server cosocket ended");
  equal(problems.join("\n"), "", "no unexpected exceptions on our side");
  console.log("server ends:", Object.fromEntries(ends));
  ok(
    (ends.get("close 1002") ?? 0) > 0 && (ends.get("close 1007") ?? 0) > 0,
    "failures were reached",
  );
  await server[Symbol.asyncDispose]();
  await assertNoSockets();
});

Deno.test("fuzz: random and mutated frame streams to our client end in a valid close or a drop", async () => {
  const CASES = 800;
  const ends = new Map<string, number>();
  await using server = new RawServer();
  const runCase = async (index: number) => {
    const seed = SEED + 100_000 + index;
    const prng = new Prng(seed);
    const stream = randomStream(prng, false);
    const client = (async () => {
      let error: unknown = null;
      try {
        const ws: WsSocket = await connect(server.url, LIMITS);
        let message;
        while ((message = await ws.readMessage()) !== null) await ws.send(message);
      } catch (caught) {
        error = caught;
      }
      recordEnd(`our client, case ${index} (seed ${seed})`, error);
    })();
    // One accept at a time: cases run one after another on this listener.
    await using peer = await server.accept();
    const end = await within(drive(prng, peer, stream), `case ${index} (seed ${seed})`, 10_000)
      .catch((error) =>
        fail(`case ${index} (seed ${seed}): ${error.message}\nstream: ${hex(stream, 400)}`)
      );
    peer.close();
    await within(client, `our client ends, case ${index} (seed ${seed})`, 5000);
    ends.set(end, (ends.get(end) ?? 0) + 1);
  };
  for (let index = 0; index < CASES; index++) await runCase(index);
  equal(problems.join("\n"), "", "no unexpected exceptions on our side");
  console.log("client ends:", Object.fromEntries(ends));
  ok(
    (ends.get("close 1002") ?? 0) > 0 && (ends.get("close 1007") ?? 0) > 0,
    "failures were reached",
  );
  await assertNoSockets();
});

// ------------------------------------------------------------------------------ floods

for (const size of [1, 0]) {
  Deno.test(`fuzz: a flood of ${size}-byte continuation frames is cut off by maxFragments (1009)`, async () => {
    {
      const done = Promise.withResolvers<unknown>();
      await using listener = bind(0, { hostname: "127.0.0.1" }).event(function* (l: Socket) {
        const sock = yield* l.accept();
        sock?.event(function* (own: Socket) {
          try {
            const ws = yield* upgrade(own); // default maxFragments
            while ((yield* ws.readMessage()) !== null);
            done.resolve(null);
          } catch (error) {
            done.resolve(error);
          }
        }).detach(); // it outlives the accept-once cosocket above
      });
      await using peer = await rawClient(listener.sockname().port);
      const batch = 8192;
      const key = Uint8Array.of(1, 2, 3, 4);
      const one = encodeFrame({
        opcode: OP.continuation,
        payload: new Uint8Array(size),
        fin: false,
        mask: key,
      }, true);
      const chunk = new Uint8Array(one.length * batch);
      for (let i = 0; i < batch; i++) chunk.set(one, i * one.length);
      let closed = false;
      const reading = peer.expectClose([1009, 1008], { timeout: 60_000 }).finally(() =>
        closed = true
      );
      await peer.send({ opcode: OP.text, payload: "a", fin: false });
      let sent = 0;
      const limit = 4_000_000; // frames: well past any sane maxFragments
      while (!closed && peer.writeError === null && sent < limit) {
        await peer.sendRaw(chunk);
        sent += batch;
      }
      const info = await reading;
      ok(sent < limit, `our side cut the flood off before ${limit} frames (sent ${sent})`);
      console.log(`${size}-byte flood: close ${info.code} after ${sent} frames were written`);
      ok(info.code === 1009 || info.code === 1008);
      const error = await within(done.promise, "our side's read ends", 5000);
      ok(
        error instanceof WebSocketError,
        `our side's read throws a WebSocketError: ${String(error)}`,
      );
    }
    await assertNoSockets();
  });
}

Deno.test("fuzz: 20,000 pings while the peer reads no pongs for a while are all answered", async () => {
  {
    const done = Promise.withResolvers<unknown>();
    await using listener = bind(0, { hostname: "127.0.0.1" }).event(function* (l: Socket) {
      const sock = yield* l.accept();
      sock?.event(function* (own: Socket) {
        try {
          const ws = yield* upgrade(own);
          while ((yield* ws.readMessage()) !== null);
          done.resolve(null);
        } catch (error) {
          done.resolve(error);
        }
      }).detach(); // it outlives the accept-once cosocket above
    });
    await using peer = await rawClient(listener.sockname().port);
    // 2.5 MB of pongs owed while nobody reads them: our side must hold back through flow
    // control (and so stop reading pings), then catch up, losing and reordering nothing.
    const count = 20_000;
    const frames = Array.from(
      { length: count },
      (_, i) => peer.frame({ opcode: OP.ping, payload: encoder.encode(`${i}`.padEnd(125, ".")) }),
    );
    const writing = (async () => {
      for (let i = 0; i < count && peer.writeError === null; i += 1000) {
        await peer.sendRaw(concat(frames.slice(i, i + 1000)));
      }
      await peer.sendClose(1000);
    })();
    await Promise.race([writing, new Promise((resolve) => setTimeout(resolve, 1000))]);
    for (let i = 0; i < count; i++) {
      await peer.expectPong(`${i}`.padEnd(125, "."), { timeout: 10_000 });
    }
    await peer.expectClose(1000, { timeout: 10_000 });
    await writing;
    equal(await within(done.promise, "our side's read ends", 5000), null);
  }
  await assertNoSockets();
});

// ------------------------------------------------------------------------------ handshake fuzz

function validRequest(prng: Prng): { lines: string[]; key: string } {
  const key = prng.bytes(16).toBase64();
  return {
    key,
    lines: [
      "GET /chat?room=1 HTTP/1.1",
      "Host: 127.0.0.1",
      "Upgrade: websocket",
      "Connection: keep-alive, Upgrade",
      `Sec-WebSocket-Key: ${key}`,
      "Sec-WebSocket-Version: 13",
      "Origin: http://127.0.0.1",
      "User-Agent: fuzz/1.0",
    ],
  };
}

function mutateRequest(prng: Prng, lines: string[]): Uint8Array {
  const out = [...lines];
  const rounds = 1 + prng.int(3);
  for (let r = 0; r < rounds; r++) {
    const i = prng.int(out.length);
    switch (prng.int(10)) {
      case 0:
        out.splice(i, 1);
        break;
      case 1:
        out.splice(i, 0, out[i]!);
        break;
      case 2:
        out[i] = out[i]!.replace(
          /:.*/,
          `: ${new TextDecoder("latin1").decode(prng.bytes(prng.int(30)))}`,
        );
        break;
      case 3:
        out[i] = out[i]!.toUpperCase();
        break;
      case 4:
        out.splice(i, 0, `X-Long: ${"a".repeat(prng.pick([100, 5000, 20_000, 70_000]))}`);
        break;
      case 5:
        for (let k = 0; k < prng.pick([10, 200, 2000]); k++) out.push(`X-H${k}: ${k}`);
        break;
      case 6:
        out[i] = out[i]!.replace(":", prng.pick(["", " :", "::", ":\r", "\n:"]));
        break;
      case 7:
        out[0] = prng.pick([
          "POST /chat HTTP/1.1",
          "GET /chat HTTP/1.0",
          "GET /chat HTTP/2.0",
          "GET  HTTP/1.1",
          "GET /chat",
          "get /chat HTTP/1.1",
          "GET /chat HTTP/1.1 extra",
          "\u0000GET / HTTP/1.1",
        ]);
        break;
      case 8:
        out[i] = out[i]!.replace(
          /Sec-WebSocket-Key: .*/,
          `Sec-WebSocket-Key: ${prng.bytes(prng.pick([0, 8, 15, 17, 32])).toBase64()}`,
        )
          .replace(
            /Sec-WebSocket-Version: .*/,
            `Sec-WebSocket-Version: ${prng.pick(["8", "12", "14", "", "13, 8", "013"])}`,
          );
        break;
      default: {
        const line = encoder.encode(out[i]!);
        if (line.length > 0) line[prng.int(line.length)]! ^= 1 << prng.int(8);
        out[i] = new TextDecoder("latin1").decode(line);
      }
    }
  }
  const text = out.join("\r\n") + (prng.chance(0.9) ? "\r\n\r\n" : prng.pick(["\r\n", "\n\n", ""]));
  return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
}

Deno.test("fuzz: random and mutated handshake requests get a 101, a 4xx or a dropped connection", async () => {
  const CASES = 1500;
  const statuses = new Map<string, number>();
  await using server = fuzzedServer({ timeout: 2000 }, "our server's upgrade", function* (ws) {
    while ((yield* ws.readMessage()) !== null);
  });
  const port = server.port;
  const runCase = async (index: number) => {
    const seed = SEED + 200_000 + index;
    const prng = new Prng(seed);
    const { lines } = validRequest(prng);
    const request = prng.chance(0.1) ? prng.bytes(prng.int(600)) : mutateRequest(prng, lines);
    const where = `case ${index} (seed ${seed})`;
    const { status, head } = await within(rawHandshake(port, request, 8000), where, 10_000)
      .catch((error) => fail(`${where}: ${error.message}`));
    const label = status === null ? "dropped" : String(status);
    statuses.set(label, (statuses.get(label) ?? 0) + 1);
    if (status === null) return;
    ok(status === 101 || (status >= 400 && status < 500), `${where}: status ${status}`);
    if (status === 101) {
      const text = new TextDecoder("latin1").decode(request);
      const key = /\r\nsec-websocket-key:[ \t]*([^\r\n]*?)[ \t]*\r\n/i.exec(text)?.[1] ?? "";
      equal(head!.headers.get("sec-websocket-accept"), await acceptFor(key), `${where}: accept`);
    }
    if (status === 426) {
      // RFC 7231 6.5.15: a 426 names the protocol to upgrade to.
      ok(/websocket/i.test(head!.headers.get("upgrade") ?? ""), `${where}: 426 names websocket`);
    }
  };
  // Failures are grouped by kind so that one deviation does not hide the others.
  const failures = new Map<string, string[]>();
  await inParallel(CASES, 8, async (index) => {
    try {
      await runCase(index);
    } catch (error) {
      const message = (error as Error).message;
      const kind = message.replace(/^case \d+ \(seed \d+\): /, "");
      failures.set(kind, [...(failures.get(kind) ?? []), message.split(":")[0]!]);
    }
  });
  const report = [...failures].map(([kind, where]) =>
    `${kind} (${where.length} cases, first: ${where[0]})`
  );
  if (report.length > 0) fail(`handshake fuzz failures:\n${report.join("\n")}`);
  for (let i = 0; i < 300 && server.open > 0; i++) await new Promise((r) => setTimeout(r, 10));
  equal(server.open, 0, "every server cosocket ended");
  equal(problems.join("\n"), "", "no unexpected exceptions on our side");
  console.log("handshake statuses:", Object.fromEntries(statuses));
  ok((statuses.get("101") ?? 0) > 0 && (statuses.get("400") ?? 0) > 0, "both outcomes reached");
  await server[Symbol.asyncDispose]();
  await assertNoSockets();
});

Deno.test("fuzz: specific bad handshakes get the documented status", async () => {
  const key = "dGhlIHNhbXBsZSBub25jZQ==";
  const base = [
    "GET / HTTP/1.1",
    "Host: 127.0.0.1",
    "Upgrade: websocket",
    "Connection: Upgrade",
    `Sec-WebSocket-Key: ${key}`,
    "Sec-WebSocket-Version: 13",
  ];
  const without = (name: string) => base.filter((l) => !l.startsWith(name));
  const replace = (name: string, line: string) => base.map((l) => l.startsWith(name) ? line : l);
  const cases: [string, string[], number[]][] = [
    ["POST", replace("GET", "POST / HTTP/1.1"), [400, 405]],
    ["HTTP/1.0", replace("GET", "GET / HTTP/1.0"), [400, 505]],
    ["no Host", without("Host"), [400]],
    ["no Upgrade", without("Upgrade"), [400, 426]],
    ["Upgrade: h2c", replace("Upgrade", "Upgrade: h2c"), [400, 426]],
    ["no Connection", without("Connection"), [400, 426]],
    ["Connection: close", replace("Connection", "Connection: close"), [400, 426]],
    ["no key", without("Sec-WebSocket-Key"), [400]],
    [
      "15-byte key",
      replace("Sec-WebSocket-Key", `Sec-WebSocket-Key: ${new Uint8Array(15).toBase64()}`),
      [400],
    ],
    [
      "key not base64",
      replace("Sec-WebSocket-Key", "Sec-WebSocket-Key: !!!!!!!!!!!!!!!!!!!!!!!!"),
      [400],
    ],
    ["no version", without("Sec-WebSocket-Version"), [400, 426]],
    ["version 8", replace("Sec-WebSocket-Version", "Sec-WebSocket-Version: 8"), [426]],
    ["header too large", [...base, `X-Big: ${"b".repeat(20_000)}`], [431]],
    ["too many headers", [...base, ...Array.from({ length: 500 }, (_, i) => `X-${i}: ${i}`)], [
      431,
      400,
    ]],
    ["header without colon", [...base, "NoColonHere"], [400]],
    ["space before colon", [...base, "X-Bad : 1"], [400]],
    ["obs-fold", [...base, "X-Fold: a", " continued"], [400]],
    ["NUL in a header value", [...base, "X-Nul: a\u0000b"], [400]],
  ];
  await using listener = bind(0, { hostname: "127.0.0.1" }).event(function* (l: Socket) {
    let sock;
    while ((sock = yield* l.accept()) !== null) {
      sock.event(function* (own: Socket) {
        try {
          const ws = yield* upgrade(own, { timeout: 2000 });
          while ((yield* ws.readMessage()) !== null);
        } catch (error) {
          recordEnd("our server's upgrade", error);
        }
      });
    }
  });
  const mismatches: string[] = [];
  for (const [name, lines, expected] of cases) {
    const request = Uint8Array.from(lines.join("\r\n") + "\r\n\r\n", (c) => c.charCodeAt(0) & 0xff);
    const { status, head } = await rawHandshake(listener.sockname().port, request);
    if (status === null || !expected.includes(status)) {
      mismatches.push(`${name}: status ${status}, expected ${expected.join("/")}`);
    }
    // RFC 7231 6.5.15: a 426 names the protocol to upgrade to.
    if (status === 426 && !/websocket/i.test(head!.headers.get("upgrade") ?? "")) {
      mismatches.push(`${name}: 426 without "Upgrade: websocket"`);
    }
    // RFC 6455 4.4: a version refusal names the versions the server speaks.
    if (name === "version 8" && head?.headers.get("sec-websocket-version") !== "13") {
      mismatches.push(`${name}: no "Sec-WebSocket-Version: 13"`);
    }
  }
  if (mismatches.length > 0) fail(mismatches.join("\n"));
  equal(problems.join("\n"), "", "no unexpected exceptions on our side");
  await listener[Symbol.asyncDispose]();
  await assertNoSockets();
});

/** Runs `count` cases with at most `width` in flight. */
async function inParallel(
  count: number,
  width: number,
  runCase: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: width }, async () => {
    while (next < count) await runCase(next++);
  });
  await Promise.all(workers);
}
