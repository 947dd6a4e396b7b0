// Interop with Debian's python3-websockets (10.4), an independent RFC 6455 / RFC 7692
// implementation: our client against its server and its client against our server. The Python
// side is tests/testdata/websocket/interop_python_peer.py, driven one JSON command at a time, so
// each step is checked here; it records the frames it reads as they were on the wire.
import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { connect, WebSocketError, type WsChunk, type WsSocket } from "@cosocket/websocket";
import {
  assertNoSockets,
  certPaths,
  certs,
  compressibleText,
  delay,
  HEARTBEAT,
  ourServer,
  type PeerReply,
  pseudoRandomBytes,
  PythonPeer,
  type PythonPeerConfig,
  sha256,
  within,
} from "./_peers.ts";

const MiB = 1 << 20;
const encoder = new TextEncoder();

function pythonServer(config: Omit<PythonPeerConfig, "mode"> = {}): Promise<PythonPeer> {
  return PythonPeer.start({ mode: "server", compression: null, ...config });
}

function pythonClient(): Promise<PythonPeer> {
  return PythonPeer.start({ mode: "client" });
}

/** Reads one whole message from our socket, bounded in time. */
function message(ws: WsSocket, what = "a message from the Python peer") {
  return within(ws.readMessage(), what);
}

function b64(bytes: Uint8Array): string {
  return bytes.toBase64();
}

/** The data frames (not control frames) the Python peer read since the last call. */
async function dataFrames(peer: PythonPeer): Promise<PeerReply[]> {
  const { frames } = await peer.command("frames");
  return frames.filter((frame: PeerReply) => frame.opcode < 8);
}

// ---------------------------------------------------------------------------------------------
// Our client -> python3-websockets server

Deno.test("python server: our client exchanges text, binary and empty messages", async () => {
  {
    await using peer = await pythonServer();
    await using ws = await connect(peer.url());
    await peer.event("open");
    const texts = ["hello", "", "h\u00e9llo w\u00f6rld \u2603 \u{1F600}"];
    for (const text of texts) {
      await ws.send(text);
      deepEqual(await peer.command("recv"), { kind: "reply", ok: true, type: "text", text });
      await peer.command("send", { text });
      equal(await message(ws), text);
    }
    for (const bytes of [new Uint8Array([0, 1, 2, 255]), new Uint8Array(0)]) {
      await ws.write(bytes);
      const got = await peer.command("recv");
      equal(got.type, "binary");
      equal(got.b64, b64(bytes));
      await peer.command("send", { b64: b64(bytes) });
      deepEqual(await message(ws), bytes);
    }
    // write(data, true) sends text, as the seed's utf8 flag.
    await ws.write(encoder.encode("as text"), true);
    equal((await peer.command("recv")).text, "as text");
    // Every frame of ours was masked, unfragmented, and not compressed.
    for (const frame of await dataFrames(peer)) {
      ok(frame.masked && frame.fin && !frame.rsv1, JSON.stringify(frame));
    }
  }
  await assertNoSockets();
});

Deno.test("python server: 1 MiB and 16 MiB messages both ways", async () => {
  {
    await using peer = await pythonServer();
    await using ws = await connect(peer.url());
    await peer.event("open");
    for (const [length, seed] of [[MiB, 11], [16 * MiB, 12]] as const) {
      const bytes = pseudoRandomBytes(length, seed);
      await ws.send(bytes);
      const got = await peer.command("recv");
      deepEqual([got.length, got.sha256], [length, await sha256(bytes)]);

      // Read while Python sends: its send() waits until the data is on its way.
      const receiving = message(ws, `a ${length}-byte message`);
      const sent = await peer.command("send", { random: length, seed });
      const received = await receiving;
      ok(received instanceof Uint8Array);
      deepEqual([received.length, await sha256(received)], [length, sent.sha256]);
    }
    const text = compressibleText(16 * MiB);
    await ws.send(text);
    const got = await peer.command("recv");
    equal(got.type, "text");
    equal(got.text.length, text.length);
    ok(got.text === text);
  }
  await assertNoSockets();
});

Deno.test("python server: fragmented messages both ways, and read() returns the pieces", async () => {
  {
    await using peer = await pythonServer();
    await using ws = await connect(peer.url());
    await peer.event("open");
    // Ours: writer() sends one frame per write; Python assembles them.
    const writer = ws.writer(true);
    await writer.write("frag");
    await writer.write("men");
    await writer.end("ted \u2603");
    deepEqual(await peer.command("recv"), {
      kind: "reply",
      ok: true,
      type: "text",
      text: "fragmented \u2603",
    });
    const frames = (await dataFrames(peer)).map((f) => [f.opcode, f.fin, f.wire_length]);
    deepEqual(frames, [[1, false, 4], [0, false, 3], [0, true, 7]]);

    const binary = ws.writer();
    await binary.write(new Uint8Array([1, 2]));
    await binary.end(new Uint8Array([3]));
    equal((await peer.command("recv")).b64, b64(new Uint8Array([1, 2, 3])));
    deepEqual((await dataFrames(peer)).map((f) => [f.opcode, f.fin]), [[2, false], [0, true]]);

    // Theirs: an iterable is sent as one frame per item; read() returns them as they come.
    await peer.command("send", { fragments: ["one ", "two ", "three"] });
    const chunks: WsChunk[] = [];
    for (let chunk; (chunk = await within(ws.read(), "a fragment")) !== null;) {
      chunks.push(chunk);
      if (chunk.final) break;
    }
    equal(chunks.map((c) => new TextDecoder().decode(c.data)).join(""), "one two three");
    ok(chunks.every((c) => c.utf8));
    deepEqual(chunks.map((c) => c.final), [...chunks.slice(1).map(() => false), true]);
    // Each fragment is a whole frame: its pieces end with bytesRead === frameLength.
    ok(chunks.every((c) => c.bytesRead <= c.frameLength));

    await peer.command("send", {
      fragments_b64: [b64(new Uint8Array([9])), b64(new Uint8Array([8, 7]))],
    });
    deepEqual(await message(ws), new Uint8Array([9, 8, 7]));
  }
  await assertNoSockets();
});

Deno.test("python server: fragmentSize splits our messages into frames", async () => {
  {
    await using peer = await pythonServer();
    await using ws = await connect(peer.url(), { fragmentSize: 1000 });
    await peer.event("open");
    const bytes = pseudoRandomBytes(2500, 7);
    await ws.send(bytes);
    equal((await peer.command("recv")).sha256, await sha256(bytes));
    await ws.send("\u2603".repeat(400)); // 1200 bytes of UTF-8, split inside a character
    equal((await peer.command("recv")).text, "\u2603".repeat(400));
    const frames = (await dataFrames(peer)).map((f) => [f.opcode, f.fin, f.wire_length]);
    deepEqual(frames, [
      [2, false, 1000],
      [0, false, 1000],
      [0, true, 500],
      [1, false, 1000],
      [0, true, 200],
    ]);
  }
  await assertNoSockets();
});

Deno.test("python server: messages over our limit are refused with 1009, inflated size counted", async () => {
  {
    await using peer = await pythonServer({ compression: "default" });
    const cases = [
      // 2 MiB on the wire: refused from the frame header.
      { options: {}, send: { random: 2 * MiB, seed: 8 } },
      // 8 MiB of zeros deflate to about 8 KiB on the wire: refused by the inflated size.
      { options: { perMessageDeflate: true }, send: { zeros: 8 * MiB } },
    ];
    for (const { options, send } of cases) {
      const ws = await connect(peer.url(), { maxMessageSize: MiB, ...options });
      const open = await peer.event("open");
      equal(open.extensions === "", !("perMessageDeflate" in options));
      const reading = Promise.resolve(ws.readMessage()).then(() => null, (error) => error);
      // Python's send may fail half way: we close as soon as we know the message is too big.
      await peer.tryCommand("send", send);
      const error = await within(reading, "our read to fail");
      ok(error instanceof WebSocketError && error.closeCode === 1009, String(error));
      const closed = await peer.command("recv");
      deepEqual([closed.type, closed.code], ["closed", 1009]);
      await ws[Symbol.asyncDispose]();
    }
  }
  await assertNoSockets();
});

Deno.test("python server: a stalled handshake ends by our timeout or by our abort", async () => {
  {
    await using peer = await pythonServer({ stall_handshake: 20 });
    await rejects(Promise.resolve(connect(peer.url(), { timeout: 300 })), (error: unknown) => {
      ok(error instanceof WebSocketError && error.code === "timeout", String(error));
      return true;
    });
    await peer.event("stalled");
    const controller = new AbortController();
    const connecting = Promise.resolve(connect(peer.url(), { signal: controller.signal }));
    await peer.event("stalled");
    controller.abort(new Error("no longer needed"));
    await rejects(within(connecting, "the aborted connect"), /no longer needed/);
  }
  await assertNoSockets();
});

Deno.test("python server: its pings are answered while we read, ours reach it", async () => {
  {
    await using peer = await pythonServer();
    await using ws = await connect(peer.url());
    await peer.event("open");
    // The pong is sent by our reader: keep a read pending while Python pings.
    const reading = Promise.resolve(ws.readMessage());
    await peer.command("ping", { b64: b64(encoder.encode("are you there")) });
    await peer.command("send", { text: "after the ping" });
    equal(await within(reading, "the message after the ping"), "after the ping");
    const pongs = (await peer.command("frames")).frames.filter((f: PeerReply) => f.opcode === 10);
    deepEqual(pongs.map((f: PeerReply) => f.payload_hex), [
      encoder.encode("are you there").toHex(),
    ]);

    // A ping between the fragments of a message is answered before the message completes:
    // Python waits for the pong before it sends the last fragment.
    const fragmented = Promise.resolve(ws.readMessage());
    await peer.command("send", {
      fragments: ["first ", "second ", "last"],
      ping_before_last: b64(encoder.encode("mid-message")),
    });
    equal(await within(fragmented, "the fragmented message"), "first second last");

    await ws.ping("ours");
    await ws.ping(new Uint8Array([1, 2, 3]));
    await ws.send("flush");
    equal((await peer.command("recv")).text, "flush");
    const pings = (await peer.command("frames")).frames.filter((f: PeerReply) => f.opcode === 9);
    deepEqual(pings.map((f: PeerReply) => f.payload_hex), [
      encoder.encode("ours").toHex(),
      "010203",
    ]);
    // Their automatic pongs come back to us without disturbing the message stream.
    await peer.command("send", { text: "still in order" });
    equal(await message(ws), "still in order");
  }
  await assertNoSockets();
});

Deno.test("python server: its pongs to our heartbeat pings keep our client connected", async () => {
  {
    await using peer = await pythonServer();
    await using ws = await connect(peer.url(), { heartbeat: HEARTBEAT });
    await peer.event("open");
    // Our reader sees the pongs; idle for 6 beats, the connection lives only if they arrive.
    const reading = Promise.resolve(ws.readMessage());
    await delay(6 * HEARTBEAT);
    await peer.command("send", { text: "still here" });
    equal(await within(reading, "the message after the idle time"), "still here");
    const pings = (await peer.command("frames")).frames.filter((f: PeerReply) => f.opcode === 9);
    ok(pings.length >= 3, `${pings.length} heartbeat pings`);
  }
  await assertNoSockets();
});

Deno.test("python server: close handshake started by us carries our code and reason", async () => {
  {
    await using peer = await pythonServer();
    const ws = await connect(peer.url());
    await peer.event("open");
    const receiving = peer.command("recv");
    await within(ws.close(4001, "client says bye \u2603"), "our close()");
    deepEqual(await receiving, {
      kind: "reply",
      ok: true,
      type: "closed",
      code: 4001,
      reason: "client says bye \u2603",
    });
    // RFC 6455 §5.5.1: the peer echoes the status code; the reason is its own.
    equal(ws.closeCode, 4001);
    equal(ws.state().connected, false);
    equal(await ws.readMessage(), null);
    await ws[Symbol.asyncDispose]();
  }
  await assertNoSockets();
});

Deno.test("python server: close handshake started by Python reaches us with its code and reason", async () => {
  {
    await using peer = await pythonServer();
    await using ws = await connect(peer.url());
    await peer.event("open");
    const reading = Promise.resolve(ws.readMessage());
    const closing = peer.command("close", { code: 4002, reason: "server says bye" });
    equal(await within(reading, "end of messages"), null);
    equal(ws.closeCode, 4002);
    equal(ws.closeReason, "server says bye");
    // Python saw our answer: the same code, and its close() returned (TCP closed too).
    equal((await closing).code, 4002);
  }
  await assertNoSockets();
});

Deno.test("python server: subprotocol negotiation", async () => {
  {
    await using peer = await pythonServer({ subprotocols: ["chat.v2", "chat.v1"] });
    {
      await using ws = await connect(peer.url(), { protocols: ["chat.v1", "other"] });
      const open = await peer.event("open");
      equal(open.subprotocol, "chat.v1");
      equal(open.headers["sec-websocket-protocol"], "chat.v1, other");
      equal(ws.protocol, "chat.v1");
      await ws.send("x");
      equal((await peer.command("recv")).text, "x");
    }
  }
  await assertNoSockets();
});

Deno.test("python server: extra headers, cookies and Basic credentials arrive and are checked", async () => {
  {
    const require = {
      "x-api-key": "k-123",
      cookie: "session=abc; theme=dark",
      authorization: `Basic ${b64(encoder.encode("alice:s3cr\u00e9t pass"))}`,
    };
    await using peer = await pythonServer({ require });
    // Without them the server refuses the handshake with HTTP 401.
    await rejects(Promise.resolve(connect(peer.url())), (error: unknown) => {
      ok(error instanceof WebSocketError, String(error));
      equal(error.status, 401);
      return true;
    });
    const rejected = await peer.event("rejected");
    equal(rejected.mismatches.length, 3);

    await using ws = await connect(peer.url("/path?q=1"), {
      headers: { "X-Api-Key": "k-123" },
      cookies: { session: "abc", theme: "dark" },
      credentials: { username: "alice", password: "s3cr\u00e9t pass" },
    });
    const open = await peer.event("open");
    equal(open.path, "/path?q=1");
    await ws.send("in");
    equal((await peer.command("recv")).text, "in");
  }
  await assertNoSockets();
});

Deno.test("python server: credentials and a cookie string from the URL and options", async () => {
  {
    const require = {
      cookie: "a=1",
      authorization: `Basic ${b64(encoder.encode("bob:pw"))}`,
    };
    await using peer = await pythonServer({ require });
    await using ws = await connect(`ws://bob:pw@127.0.0.1:${peer.port}/`, { cookies: "a=1" });
    await peer.event("open");
    await ws.send("ok");
    equal((await peer.command("recv")).text, "ok");
  }
  await assertNoSockets();
});

Deno.test("python server: wss:// with the test CA", async () => {
  {
    await using peer = await pythonServer({ tls: { cert: certPaths.cert, key: certPaths.key } });
    await using ws = await connect(peer.url("/", "wss", "localhost"), { caCerts: [certs.ca] });
    await peer.event("open");
    ok(ws.secure);
    ok(ws.trusted());
    const bytes = pseudoRandomBytes(3 * MiB, 21);
    await ws.send(bytes);
    equal((await peer.command("recv")).sha256, await sha256(bytes));
    await peer.command("send", { text: "secure \u2603" });
    equal(await message(ws), "secure \u2603");
    // Without the CA the TLS handshake is refused.
    await rejects(Promise.resolve(connect(peer.url("/", "wss", "localhost"))));
  }
  await assertNoSockets();
});

/** permessage-deflate parameter sets: Python's server factory and what we then see. */
const DEFLATE_CASES: {
  name: string;
  python: Record<string, number | boolean> | "default";
  ours: Record<string, number | boolean> | true;
}[] = [
  // websockets' defaults: window bits 12 both ways, context takeover on.
  { name: "defaults (window bits 12)", python: "default", ours: true },
  {
    name: "no context takeover both ways",
    python: { server_no_context_takeover: true, client_no_context_takeover: true },
    ours: true,
  },
  {
    name: "window bits 9 both ways",
    python: { server_max_window_bits: 9, client_max_window_bits: 9 },
    ours: { clientMaxWindowBits: 9, serverMaxWindowBits: 9 },
  },
  {
    name: "window bits 15, client asks for no context takeover",
    python: { server_max_window_bits: 15 },
    ours: { clientNoContextTakeover: true },
  },
];

for (const { name, python, ours } of DEFLATE_CASES) {
  Deno.test(`python server: permessage-deflate, ${name}`, async () => {
    {
      await using peer = await pythonServer({ compression: python });
      await using ws = await connect(peer.url(), { perMessageDeflate: ours });
      const open = await peer.event("open");
      ok(ws.extensions.startsWith("permessage-deflate"), ws.extensions);
      equal(ws.extensions, open.extensions);
      await exchangeCompressed(ws, peer);
    }
    await assertNoSockets();
  });
}

/** Several compressible messages each way (context takeover spans messages). */
async function exchangeCompressed(ws: WsSocket, peer: PythonPeer): Promise<void> {
  const before = (await peer.command("stats")).bytes_in;
  let plain = 0;
  for (let round = 0; round < 4; round++) {
    const text = compressibleText(100_000 + round * 1000);
    const bytes = encoder.encode(compressibleText(50_000 + round));
    plain += text.length + bytes.length;
    await ws.send(text);
    await ws.send(bytes);
    ok((await peer.command("recv")).text === text);
    equal((await peer.command("recv")).sha256, await sha256(bytes));
    await peer.command("send", { text });
    await peer.command("send", { b64: b64(bytes) });
    ok(await message(ws) === text);
    deepEqual(await message(ws), bytes);
  }
  // Ours were compressed on the wire (RSV1 set) and far smaller than the payload.
  const frames = await dataFrames(peer);
  ok(frames.length === 8 && frames.every((f) => f.rsv1), JSON.stringify(frames.slice(0, 3)));
  const wire = (await peer.command("stats")).bytes_in - before;
  ok(wire < plain / 5, `${wire} bytes on the wire for ${plain} bytes of messages`);
  // A large incompressible message and an empty one, compressed both ways.
  const random = pseudoRandomBytes(2 * MiB, 5);
  await ws.send(random);
  equal((await peer.command("recv")).sha256, await sha256(random));
  await ws.send("");
  equal((await peer.command("recv")).text, "");
  const receiving = message(ws);
  const sent = await peer.command("send", { random: 2 * MiB, seed: 6 });
  equal(await sha256((await receiving) as Uint8Array), sent.sha256);
  await peer.command("send", { fragments: ["compressed ", "and ", "fragmented"] });
  equal(await message(ws), "compressed and fragmented");
  // Ours, fragmented with compression negotiated. RFC 7692 §6.1: RSV1 may only be set on
  // the first frame (compressed message) or on none (sent uncompressed, as writer() documents
  // it does today); never on a continuation frame.
  await dataFrames(peer);
  const writer = ws.writer(true);
  await writer.write(compressibleText(5000));
  await writer.end(compressibleText(3000));
  equal((await peer.command("recv")).text, compressibleText(5000) + compressibleText(3000));
  const fragments = (await dataFrames(peer)).map((f) => [f.opcode, f.fin, f.rsv1]);
  deepEqual(fragments.map(([opcode, fin]) => [opcode, fin]), [[1, false], [0, true]]);
  equal(fragments[1]![2], false);
}

Deno.test("python server: no permessage-deflate unless both sides want it", async () => {
  {
    await using peer = await pythonServer({ compression: "default" });
    await using ws = await connect(peer.url());
    const open = await peer.event("open");
    equal(ws.extensions, "");
    equal(open.extensions, "");
    equal(open.headers["sec-websocket-extensions"], undefined);
    await ws.send(compressibleText(10_000));
    await peer.command("recv");
    ok((await dataFrames(peer)).every((f) => !f.rsv1));
  }
  await assertNoSockets();
});

// ---------------------------------------------------------------------------------------------
// python3-websockets client -> our server

async function connectPython(
  peer: PythonPeer,
  url: string,
  fields: PeerReply = {},
): Promise<PeerReply> {
  return await peer.command("connect", { url, compression: null, ...fields });
}

Deno.test("python client: text, binary and empty messages through our server", async () => {
  {
    await using server = ourServer();
    await using peer = await pythonClient();
    await connectPython(peer, server.url());
    const conn = await server.next();
    equal(conn.request?.path, "/");
    for (const text of ["hello", "", "h\u00e9llo \u{1F600}"]) {
      await peer.command("send", { text });
      deepEqual(await peer.command("recv"), { kind: "reply", ok: true, type: "text", text });
    }
    for (const bytes of [new Uint8Array([0, 255, 1]), new Uint8Array(0)]) {
      await peer.command("send", { b64: b64(bytes) });
      const got = await peer.command("recv");
      deepEqual([got.type, got.b64], ["binary", b64(bytes)]);
    }
    // Our frames to a client are never masked.
    ok((await dataFrames(peer)).every((f) => !f.masked && f.fin && !f.rsv1));
    await peer.command("close", { code: 1000 });
    equal((await within(conn.ended, "our connection's end")).closeCode, 1000);
  }
  await assertNoSockets();
});

Deno.test("python client: 1 MiB and 16 MiB messages both ways through our server", async () => {
  {
    await using server = ourServer();
    await using peer = await pythonClient();
    await connectPython(peer, server.url());
    await server.next();
    for (const [length, seed] of [[MiB, 31], [16 * MiB, 32]] as const) {
      const sent = await peer.command("send", { random: length, seed });
      const echoed = await peer.command("recv");
      deepEqual([echoed.length, echoed.sha256], [length, sent.sha256]);
      await peer.command("send", { text: `cmd:random:${length}:${seed}` });
      const ours = await peer.command("recv");
      equal(ours.sha256, await sha256(pseudoRandomBytes(length, seed)));
    }
  }
  await assertNoSockets();
});

Deno.test("python client: fragmented messages both ways through our server", async () => {
  {
    await using server = ourServer();
    await using peer = await pythonClient();
    await connectPython(peer, server.url());
    await server.next();
    await peer.command("send", { fragments: ["a", "\u00e9", "\u{1F600}"] });
    equal((await peer.command("recv")).text, "a\u00e9\u{1F600}");
    await peer.command("send", { text: "cmd:fragments:text:x|y|z" });
    equal((await peer.command("recv")).text, "xyz");
    await peer.command("send", { text: "cmd:fragments:binary:ab|c" });
    equal((await peer.command("recv")).b64, b64(encoder.encode("abc")));
    const frames = (await dataFrames(peer)).map((f) => [f.opcode, f.fin]);
    deepEqual(frames, [
      [1, true], // the echo of the first message (readMessage assembled it)
      [1, false],
      [0, false],
      [0, true],
      [2, false],
      [0, true],
    ]);
  }
  await assertNoSockets();
});

Deno.test("python client: pings both ways with our server", async () => {
  {
    await using server = ourServer();
    await using peer = await pythonClient();
    await connectPython(peer, server.url());
    await server.next();
    // Our server's cosocket is reading: it answers at once.
    await peer.command("ping", { b64: b64(encoder.encode("hi")) });
    await peer.command("send", { text: "cmd:ping:from the server" });
    await peer.command("send", { text: "after" });
    equal((await peer.command("recv")).text, "after");
    await peer.command("send", {
      fragments: ["a", "b"],
      ping_before_last: b64(encoder.encode("between fragments")),
    });
    equal((await peer.command("recv")).text, "ab");
    const control = (await peer.command("frames")).frames.filter((f: PeerReply) => f.opcode >= 8);
    deepEqual(control.map((f: PeerReply) => [f.opcode, f.payload_hex]), [
      [10, encoder.encode("hi").toHex()],
      [9, encoder.encode("from the server").toHex()],
      [10, encoder.encode("between fragments").toHex()],
    ]);
  }
  await assertNoSockets();
});

Deno.test("python client: close handshakes with our server, both directions", async () => {
  {
    await using server = ourServer();
    await using peer = await pythonClient();
    await connectPython(peer, server.url());
    const conn = await server.next();
    const reply = await peer.command("close", { code: 4011, reason: "python leaves" });
    equal(reply.code, 4011);
    const ended = await within(conn.ended, "our connection's end");
    deepEqual([ended.closeCode, ended.closeReason, ended.error], [4011, "python leaves", null]);
  }
  {
    await using server = ourServer();
    await using peer = await pythonClient();
    await connectPython(peer, server.url());
    const conn = await server.next();
    await peer.command("send", { text: "cmd:close:4012:server leaves \u2603" });
    deepEqual(await peer.command("recv"), {
      kind: "reply",
      ok: true,
      type: "closed",
      code: 4012,
      reason: "server leaves \u2603",
    });
    const ended = await within(conn.ended, "our connection's end");
    equal(ended.closeCode, 4012);
    equal(ended.error, null);
  }
  await assertNoSockets();
});

Deno.test("python client: subprotocol selection and request headers at our server", async () => {
  {
    await using server = ourServer({
      upgrade: {
        protocols: (offered) => offered.includes("chat.v1") ? "chat.v1" : null,
      },
    });
    await using peer = await pythonClient();
    const opened = await connectPython(peer, `ws://carol:pw@127.0.0.1:${server.port}/room?id=7`, {
      subprotocols: ["x-unknown", "chat.v1"],
      headers: { "X-Trace": "t-1", Cookie: "k=v" },
    });
    equal(opened.subprotocol, "chat.v1");
    const conn = await server.next();
    equal(conn.ws.protocol, "chat.v1");
    equal(conn.request?.path, "/room?id=7");
    const headers = conn.request!.headers;
    equal(headers.get("x-trace"), "t-1");
    equal(headers.get("cookie"), "k=v");
    equal(headers.get("authorization"), `Basic ${b64(encoder.encode("carol:pw"))}`);
    await peer.command("send", { text: "cmd:info" });
    equal(JSON.parse((await peer.command("recv")).text).protocol, "chat.v1");
  }
  await assertNoSockets();
});

Deno.test("python client: wss:// to our TLS server with the test CA", async () => {
  {
    await using server = ourServer({ tls: true });
    await using peer = await pythonClient();
    await connectPython(peer, server.url("/", "localhost"), { ca: certPaths.ca });
    const conn = await server.next();
    ok(conn.ws.secure);
    const sent = await peer.command("send", { random: 2 * MiB, seed: 41 });
    equal((await peer.command("recv")).sha256, sent.sha256);
    await peer.command("close", { code: 1000 });
    await within(conn.ended, "our connection's end");
  }
  await assertNoSockets();
});

const PYTHON_CLIENT_DEFLATE: {
  name: string;
  python: Record<string, number | boolean> | "default";
}[] = [
  { name: "defaults", python: "default" },
  {
    name: "no context takeover both ways",
    python: { server_no_context_takeover: true, client_no_context_takeover: true },
  },
  {
    name: "window bits 9 both ways",
    python: { server_max_window_bits: 9, client_max_window_bits: 9 },
  },
  {
    name: "client window bits 10, server 15",
    python: { client_max_window_bits: 10, server_max_window_bits: 15 },
  },
];

for (const { name, python } of PYTHON_CLIENT_DEFLATE) {
  Deno.test(`python client: permessage-deflate with our server, ${name}`, async () => {
    {
      await using server = ourServer({ upgrade: { perMessageDeflate: true } });
      await using peer = await pythonClient();
      const opened = await connectPython(peer, server.url(), { compression: python });
      const conn = await server.next();
      ok(opened.extensions.startsWith("permessage-deflate"), opened.extensions);
      equal(conn.ws.extensions, opened.extensions);
      let plain = 0;
      for (let round = 0; round < 4; round++) {
        const text = compressibleText(80_000 + round);
        plain += text.length;
        await peer.command("send", { text });
        ok((await peer.command("recv")).text === text);
        await peer.command("send", { text: `cmd:text:${60_000 + round}` });
        ok((await peer.command("recv")).text === compressibleText(60_000 + round));
      }
      const before = (await peer.command("stats")).bytes_in;
      await peer.command("send", { text: "cmd:text:1000000" });
      ok((await peer.command("recv")).text === compressibleText(1_000_000));
      const wire = (await peer.command("stats")).bytes_in - before;
      ok(wire < 200_000, `${wire} bytes on the wire for a 1 MB compressible message`);
      ok((await dataFrames(peer)).every((f) => f.rsv1 || f.opcode === 0));
      const sent = await peer.command("send", { random: MiB, seed: 51 });
      equal((await peer.command("recv")).sha256, sent.sha256);
      await peer.command("send", { fragments: ["deflated ", "fragments"] });
      equal((await peer.command("recv")).text, "deflated fragments");
    }
    await assertNoSockets();
  });
}
