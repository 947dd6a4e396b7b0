// Conformance of our WebSocket server (`upgrade` over `bind`), Autobahn-testsuite style: a raw
// client drives it with hand-built frames over a plain Deno.connect socket and checks every
// frame it answers with. The cases both sides share live in _raw.ts; this file adds the
// harness and the server-only cases (extension negotiation, handshake bytes, cancellation).
import { equal, ok } from "node:assert/strict";
import { bind, type Socket, type Suspension } from "@cosocket/socket";
import { upgrade, WebSocketError, type WsSocket } from "@cosocket/websocket";
import { assertNoSockets } from "../socket/_helpers.ts";
import {
  acceptFor,
  closePayload,
  concat,
  DEFLATE_SIZES,
  deflateExchange,
  type EchoMode,
  expectCleanClose,
  type Harness,
  negotiatedDeflate,
  OP,
  type OpenOptions,
  type Outcome,
  rawClient,
  RawDeflate,
  RawPeer,
  readHead,
  type Session,
  sharedConformanceCases,
  within,
} from "./_raw.ts";

const encoder = new TextEncoder();

/** Our side's echo loop, in the requested style. */
function* echo(ws: WsSocket, mode: EchoMode): Generator<Suspension, void, unknown> {
  if (mode === "message") {
    let message;
    while ((message = yield* ws.readMessage()) !== null) yield* ws.send(message);
  } else if (mode === "reencode") {
    let message;
    while ((message = yield* ws.readMessage()) !== null) {
      if (typeof message === "string") yield* ws.write(encoder.encode(message), true);
      else yield* ws.write(message);
    }
  } else if (mode === "chunks") {
    let parts: Uint8Array[] = [];
    let chunk;
    while ((chunk = yield* ws.read()) !== null) {
      parts.push(chunk.data.slice());
      if (chunk.final) {
        yield* ws.write(concat(parts), chunk.utf8);
        parts = [];
      }
    }
  } else if ("writerChunk" in mode) {
    let message;
    while ((message = yield* ws.readMessage()) !== null) {
      const utf8 = typeof message === "string";
      const bytes = typeof message === "string" ? encoder.encode(message) : message;
      const writer = ws.writer(utf8);
      let offset = 0;
      for (; bytes.length - offset > mode.writerChunk; offset += mode.writerChunk) {
        yield* writer.write(bytes.subarray(offset, offset + mode.writerChunk));
      }
      yield* writer.end(bytes.subarray(offset));
    }
  } else {
    // Our side starts the closing handshake after the first message.
    const first = yield* ws.readMessage();
    if (first !== null) {
      yield* ws.close(mode.closeWith[0], mode.closeWith[1]);
      while ((yield* ws.readMessage()) !== null);
    }
  }
}

/** Checks that our side failed with a WebSocketError carrying `closeCode`. */
function checkError(error: unknown, closeCode: number): void {
  ok(error instanceof WebSocketError, `our side throws a WebSocketError, got ${String(error)}`);
  equal(error.closeCode, closeCode, `WebSocketError.closeCode (${error.message})`);
  equal(error.code, "protocol", `WebSocketError.code (${error.message})`);
}

interface ServerSession extends Session {
  /** The accepted socket, whose cosocket runs upgrade() and the echo. */
  accepted: Promise<Socket>;
}

/** Listens for one connection, upgrades it with `options` and echoes; connects a raw client. */
async function openServer(open: OpenOptions = {}): Promise<ServerSession> {
  const outcome = Promise.withResolvers<Outcome>();
  const accepted = Promise.withResolvers<Socket>();
  const listener = bind(0, { hostname: "127.0.0.1" }).event(function* (l: Socket) {
    const sock = yield* l.accept();
    if (sock === null) return;
    accepted.resolve(sock);
    sock.event(function* (own: Socket) {
      let ws: WsSocket | null = null;
      try {
        ws = yield* upgrade(own, { ...open.options });
        yield* echo(ws, open.echo ?? "message");
        outcome.resolve({ kind: "closed", closeCode: ws.closeCode, closeReason: ws.closeReason });
      } catch (error) {
        outcome.resolve({
          kind: "error",
          closeCode: ws?.closeCode ?? null,
          closeReason: ws?.closeReason ?? "",
          error,
        });
      }
    }).detach(); // it outlives the accept-once cosocket above
  });
  const offer = typeof open.extensions === "string" ? open.extensions : undefined;
  let peer: RawPeer;
  try {
    peer = await rawClient(
      listener.sockname().port,
      offer === undefined ? {} : { extensions: offer },
    );
  } catch (error) {
    await listener[Symbol.asyncDispose]();
    throw error;
  }
  try {
    const answer = peer.head.headers.get("sec-websocket-extensions");
    const params = negotiatedDeflate("client", offer, answer);
    if (params !== null) peer.deflate = new RawDeflate(params);
  } catch (error) {
    await peer[Symbol.asyncDispose]();
    await within(outcome.promise, "our server's echo cosocket ends", 5000);
    await listener[Symbol.asyncDispose]();
    throw error;
  }
  return {
    peer,
    accepted: accepted.promise,
    outcome: () => outcome.promise,
    async [Symbol.asyncDispose]() {
      await peer[Symbol.asyncDispose]();
      try {
        await within(
          outcome.promise,
          "our server's echo cosocket ends after the client left",
          5000,
        );
      } finally {
        await listener[Symbol.asyncDispose]();
      }
    },
  };
}

const harness: Harness = {
  side: "server",
  open: openServer,
  after: assertNoSockets,
  checkError,
};

sharedConformanceCases(harness);

Deno.test("server: a handshake and the first frames in one write lose nothing", async () => {
  const outcome = Promise.withResolvers<string | Uint8Array | null>();
  await using listener = bind(0, { hostname: "127.0.0.1" }).event(function* (l: Socket) {
    const sock = yield* l.accept();
    sock?.event(function* (own: Socket) {
      const ws = yield* upgrade(own);
      let message;
      while ((message = yield* ws.readMessage()) !== null) yield* ws.send(message);
      outcome.resolve(ws.closeReason);
    }).detach(); // it outlives the accept-once cosocket above
  });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: listener.sockname().port });
  const key = crypto.getRandomValues(new Uint8Array(16)).toBase64();
  const request = encoder.encode(
    `GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  const peerFrames = new RawPeer(
    conn,
    "client",
    { startLine: "", headers: new Map(), raw: "" },
    new Uint8Array(0),
  );
  await peerFrames.sendRaw(concat([
    request,
    peerFrames.frame({ opcode: OP.text, payload: "first" }),
    peerFrames.frame({ opcode: OP.binary, payload: Uint8Array.of(1, 2, 3) }),
  ]));
  const response = await readHead(conn);
  ok(response !== null);
  equal(response.head.startLine.split(" ")[1], "101");
  equal(response.head.headers.get("sec-websocket-accept"), await acceptFor(key));
  await using peer = new RawPeer(conn, "client", response.head, response.leftover);
  await peer.expectMessage(OP.text, "first");
  await peer.expectMessage(OP.binary, Uint8Array.of(1, 2, 3));
  await peer.sendClose(1000, "done");
  await peer.expectClose(1000);
  equal(await within(outcome.promise, "echo ends", 5000), "done");
  await assertNoSockets();
});

// 12.x/13.x: the raw client offers parameter combinations; our server answers and the messages
// of several sizes go both ways compressed (context takeover checked by sending each twice,
// window bits checked against real zlib).
const offers: string[] = [
  "permessage-deflate",
  "permessage-deflate; client_max_window_bits",
  "permessage-deflate; client_no_context_takeover",
  "permessage-deflate; server_no_context_takeover",
  "permessage-deflate; client_no_context_takeover; server_no_context_takeover",
  ...[9, 10, 11, 12, 13, 14, 15].map((bits) =>
    `permessage-deflate; server_max_window_bits=${bits}`
  ),
  ...[9, 10, 11, 12, 13, 14, 15].map((bits) =>
    `permessage-deflate; client_max_window_bits=${bits}`
  ),
  "permessage-deflate; server_max_window_bits=9; client_max_window_bits=9; " +
  "server_no_context_takeover; client_no_context_takeover",
  "permessage-deflate; server_max_window_bits=7, permessage-deflate; server_max_window_bits=10",
];
for (const offer of offers) {
  Deno.test(`server: 13.x permessage-deflate offer "${offer}"`, async () => {
    {
      await using s = await openServer({ options: { perMessageDeflate: true }, extensions: offer });
      ok(s.peer.deflate !== null, `our server accepts "${offer}"`);
      await deflateExchange(s, DEFLATE_SIZES);
      await expectCleanClose(s);
    }
    await assertNoSockets();
  });
}

const serverSettings = [
  { serverNoContextTakeover: true },
  { clientNoContextTakeover: true },
  { serverMaxWindowBits: 9 },
  { serverMaxWindowBits: 12, clientMaxWindowBits: 10 },
  { serverMaxWindowBits: 9, serverNoContextTakeover: true, threshold: 0 },
];
for (const settings of serverSettings) {
  Deno.test(`server: 13.x our server configured ${JSON.stringify(settings)} keeps its word`, async () => {
    {
      await using s = await openServer({
        options: { perMessageDeflate: settings },
        extensions: "permessage-deflate; client_max_window_bits",
      });
      ok(s.peer.deflate !== null, "permessage-deflate negotiated");
      const params = s.peer.deflate.params;
      if (settings.clientNoContextTakeover) {
        equal(params.sendContextTakeover, false, "client_no_context_takeover answered");
      }
      if (settings.clientMaxWindowBits) {
        equal(params.sendWindowBits, settings.clientMaxWindowBits, "client_max_window_bits");
      }
      // What our server set for itself binds its own messages even where the answer need not
      // announce it (RFC 7692 7.1.1.1, 7.1.2.1): check them against the setting.
      if (settings.serverMaxWindowBits) {
        params.receiveWindowBits = Math.min(params.receiveWindowBits, settings.serverMaxWindowBits);
      }
      if (settings.serverNoContextTakeover) params.receiveContextTakeover = false;
      await deflateExchange(s, [1000, 4096, 65536]);
      await expectCleanClose(s);
    }
    await assertNoSockets();
  });
}

Deno.test("server: 13.x offers with invalid parameters are declined, not accepted", async () => {
  for (
    const offer of [
      "permessage-deflate; server_max_window_bits=7",
      "permessage-deflate; server_max_window_bits=16",
      "permessage-deflate; server_max_window_bits=09",
      "permessage-deflate; client_max_window_bits=7",
      "permessage-deflate; server_max_window_bits",
      "permessage-deflate; unknown_parameter",
      "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
      "permessage-deflate; server_no_context_takeover=1",
      "x-webkit-deflate-frame",
    ]
  ) {
    // Declining means answering without the extension (RFC 7692 5); refusing the whole
    // handshake would also be allowed, but then rawClient throws and this test says so.
    await using s = await openServer({ options: { perMessageDeflate: true }, extensions: offer });
    equal(s.peer.deflate, null, `our server declines "${offer}"`);
    equal(s.peer.head.headers.get("sec-websocket-extensions"), undefined, offer);
    await s.peer.text("plain");
    await s.peer.expectMessage(OP.text, "plain");
    await expectCleanClose(s);
  }
  await assertNoSockets();
});

Deno.test("server: permessage-deflate off: an offer is not accepted and RSV1 fails with 1002", async () => {
  {
    await using s = await openServer({ extensions: "permessage-deflate; client_max_window_bits" });
    equal(s.peer.deflate, null);
    await s.peer.send({ opcode: OP.text, payload: Uint8Array.of(0x4a, 0x04, 0x00), rsv1: true });
    await s.peer.expectClose(1002);
    const outcome = await s.outcome();
    checkError(outcome?.error, 1002);
  }
  await assertNoSockets();
});

Deno.test("server: our close() completes the closing handshake and our server drops TCP", async () => {
  {
    await using s = await openServer({ echo: { closeWith: [4001, "server says bye"] } });
    await s.peer.text("trigger");
    const frame = await s.peer.next();
    ok(frame !== null && frame.opcode === OP.close, "our server sends a close frame");
    await s.peer.sendClose(4001);
    await s.peer.expectEnd();
    const outcome = await s.outcome();
    equal(outcome?.kind, "closed");
  }
  {
    // No reply: our server closes TCP anyway after closeTimeout.
    await using s = await openServer({
      options: { closeTimeout: 200 },
      echo: { closeWith: [1000, ""] },
    });
    await s.peer.text("trigger");
    const frame = await s.peer.next();
    ok(frame !== null && frame.opcode === OP.close, "our server sends a close frame");
    await s.peer.expectEnd({ timeout: 3000 });
  }
  await assertNoSockets();
});

Deno.test("server: halting the cosocket waiting in read() sends a close frame (1001)", async () => {
  {
    const waiting = Promise.withResolvers<WsSocket>();
    const log: string[] = [];
    await using listener = bind(0, { hostname: "127.0.0.1" }).event(function* (l: Socket) {
      const sock = yield* l.accept();
      sock?.event(function* (own: Socket) {
        const ws = yield* upgrade(own);
        waiting.resolve(ws);
        try {
          yield* ws.read();
          log.push("read returned");
        } finally {
          log.push("finally");
        }
      }).detach(); // it outlives the accept-once cosocket above
    });
    await using peer = await rawClient(listener.sockname().port);
    const ws = await waiting.promise;
    for (let i = 0; i < 100 && ws.state().state !== "read"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    equal(ws.state().state, "read", "our cosocket waits in read()");
    await ws.task!.halt();
    equal(log.join(","), "finally");
    const info = await peer.expectClose(1001, { reply: false });
    equal(info.code, 1001, "going away");
  }
  await assertNoSockets();
});

Deno.test("server: frames masked with an all-zero key are still masked frames", async () => {
  {
    await using s = await openServer();
    await s.peer.send({ opcode: OP.text, payload: "zero key", mask: new Uint8Array(4) });
    await s.peer.expectMessage(OP.text, "zero key");
    await s.peer.send({ opcode: OP.close, payload: closePayload(1000), mask: new Uint8Array(4) });
    await s.peer.expectClose(1000);
  }
  await assertNoSockets();
});
