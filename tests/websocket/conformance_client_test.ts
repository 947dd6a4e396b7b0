// Conformance of our WebSocket client (`connect`), Autobahn-testsuite style: a raw server over
// Deno.listen answers its handshake and drives it with hand-built (unmasked) frames, checking
// that every frame our client sends is masked and well-formed. The cases both sides share live
// in _raw.ts; this file adds the harness and the client-only cases (handshake responses,
// extension answers, who closes TCP, cancellation). Our client runs in async/await mode here
// (the server file uses cosockets), except where a cosocket is the point.
import { equal, ok, rejects } from "node:assert/strict";
import { event, run } from "@cosocket/socket";
import { connect, type ConnectOptions, WebSocketError, type WsSocket } from "@cosocket/websocket";
import { assertNoSockets } from "../socket/_helpers.ts";
import {
  acceptFor,
  concat,
  DEFLATE_SIZES,
  deflateExchange,
  type EchoMode,
  encodeFrame,
  type Harness,
  negotiatedDeflate,
  OP,
  type OpenOptions,
  type Outcome,
  parseExtensions,
  RawDeflate,
  RawPeer,
  RawServer,
  type RawServerAnswer,
  readHead,
  type Session,
  sharedConformanceCases,
  within,
} from "./_raw.ts";

const encoder = new TextEncoder();

/** Our client's echo loop (async mode), in the requested style. */
async function echo(ws: WsSocket, mode: EchoMode): Promise<void> {
  if (mode === "message") {
    let message;
    while ((message = await ws.readMessage()) !== null) await ws.send(message);
  } else if (mode === "reencode") {
    let message;
    while ((message = await ws.readMessage()) !== null) {
      if (typeof message === "string") await ws.write(encoder.encode(message), true);
      else await ws.write(message);
    }
  } else if (mode === "chunks") {
    let parts: Uint8Array[] = [];
    let chunk;
    while ((chunk = await ws.read()) !== null) {
      parts.push(chunk.data.slice());
      if (chunk.final) {
        await ws.write(concat(parts), chunk.utf8);
        parts = [];
      }
    }
  } else if ("writerChunk" in mode) {
    let message;
    while ((message = await ws.readMessage()) !== null) {
      const utf8 = typeof message === "string";
      const bytes = typeof message === "string" ? encoder.encode(message) : message;
      const writer = ws.writer(utf8);
      let offset = 0;
      for (; bytes.length - offset > mode.writerChunk; offset += mode.writerChunk) {
        await writer.write(bytes.subarray(offset, offset + mode.writerChunk));
      }
      await writer.end(bytes.subarray(offset));
    }
  } else {
    const first = await ws.readMessage();
    if (first !== null) {
      await ws.close(mode.closeWith[0], mode.closeWith[1]);
      while ((await ws.readMessage()) !== null);
    }
  }
}

/** Checks that our side failed with a WebSocketError carrying `closeCode`. */
function checkError(error: unknown, closeCode: number): void {
  ok(error instanceof WebSocketError, `our client throws a WebSocketError, got ${String(error)}`);
  equal(error.closeCode, closeCode, `WebSocketError.closeCode (${error.message})`);
  equal(error.code, "protocol", `WebSocketError.code (${error.message})`);
}

interface ClientSession extends Session {
  outcome(): Promise<Outcome>;
  /** Our client's Sec-WebSocket-Extensions offer. */
  offer: string | undefined;
}

/** Starts a raw server, connects our client to it (echoing), and accepts it. */
async function openClient(open: OpenOptions = {}): Promise<ClientSession> {
  const server = new RawServer();
  const outcome = Promise.withResolvers<Outcome>();
  let offer: string | undefined;
  let answer: string | undefined;
  const accepted = server.accept((request) => {
    offer = request.head.headers.get("sec-websocket-extensions");
    answer = typeof open.extensions === "function" ? open.extensions(offer) : open.extensions;
    return answer === undefined ? {} : { extensions: answer };
  });
  const client = (async () => {
    let ws: WsSocket | null = null;
    try {
      ws = await connect(server.url, { ...open.options });
      await echo(ws, open.echo ?? "message");
      outcome.resolve({ kind: "closed", closeCode: ws.closeCode, closeReason: ws.closeReason });
    } catch (error) {
      outcome.resolve({
        kind: "error",
        closeCode: ws?.closeCode ?? null,
        closeReason: ws?.closeReason ?? "",
        error,
      });
    }
  })();
  let peer: RawPeer;
  try {
    peer = await accepted;
    const params = negotiatedDeflate("server", offer, answer);
    if (params !== null) peer.deflate = new RawDeflate(params);
  } catch (error) {
    server.close();
    await within(client, "our client ends after a failed handshake", 5000);
    throw error;
  }
  return {
    peer,
    offer,
    outcome: () => outcome.promise,
    async [Symbol.asyncDispose]() {
      await peer[Symbol.asyncDispose]();
      server.close();
      await within(client, "our client's echo ends after the server left", 5000);
    },
  };
}

const harness: Harness = {
  side: "client",
  open: openClient,
  after: assertNoSockets,
  checkError,
};

sharedConformanceCases(harness);

/** Runs our client against a raw server answering with `answer`; returns connect's result. */
async function handshakeWith(
  answer: (key: string) => Promise<RawServerAnswer> | RawServerAnswer,
  options: ConnectOptions = {},
): Promise<{ error: unknown; ws: WsSocket | null; peer: RawPeer | null }> {
  await using server = new RawServer();
  const connecting = connect(server.url, { timeout: 3000, ...options }).then(
    (ws) => ({ error: null as unknown, ws }),
    (error) => ({ error, ws: null }),
  );
  const conn = await server.listener.accept();
  const request = await readHead(conn);
  ok(request !== null);
  const key = request.head.headers.get("sec-websocket-key") ?? "";
  const reply = await answer(key);
  const lines = reply.raw ?? encoder.encode("");
  try {
    await conn.write(lines);
  } catch {
    // Our client may have given up already.
  }
  const result = await connecting;
  const peer = result.ws === null
    ? null
    : new RawPeer(conn, "server", request.head, new Uint8Array(0));
  if (peer === null) conn.close();
  return { ...result, peer };
}

function response(lines: string[], extra: Uint8Array = new Uint8Array(0)): Uint8Array {
  return concat([encoder.encode(lines.join("\r\n") + "\r\n\r\n"), extra]);
}

/** The lines of a good 101 answer to `key`. */
async function switching(key: string): Promise<string[]> {
  return [
    "HTTP/1.1 101 Switching Protocols",
    "Upgrade: websocket",
    "Connection: Upgrade",
    `Sec-WebSocket-Accept: ${await acceptFor(key)}`,
  ];
}

Deno.test("client: the 101 and the first frames in one write lose nothing", async () => {
  {
    const { ws, peer, error } = await handshakeWith(async (key) => ({
      raw: response(
        await switching(key),
        concat([
          encodeFrame({ opcode: OP.text, payload: "first" }, false),
          encodeFrame({ opcode: OP.binary, payload: Uint8Array.of(1, 2, 3) }, false),
        ]),
      ),
    }));
    equal(error, null);
    ok(ws !== null && peer !== null);
    equal(await ws.readMessage(), "first");
    equal(String(await ws.readMessage()), "1,2,3");
    await peer.sendClose(1000, "done");
    equal(await ws.readMessage(), null);
    await peer.expectClose(1000, { reply: false, timeout: 3000 }).catch(() => {});
    peer.close();
    equal(ws.closeReason, "done");
  }
  await assertNoSockets();
});

Deno.test("client: interim 1xx answers before the 101 are skipped (the HTTP client reads the handshake)", async () => {
  {
    const { ws, peer, error } = await handshakeWith(async (key) => ({
      raw: response(
        [
          "HTTP/1.1 103 Early Hints",
          "Link: </style.css>; rel=preload",
          "",
          ...await switching(key),
        ],
        encodeFrame({ opcode: OP.text, payload: "after hints" }, false),
      ),
    }));
    equal(error, null);
    ok(ws !== null && peer !== null);
    equal(await ws.readMessage(), "after hints");
    await peer.sendClose(1000, "done");
    equal(await ws.readMessage(), null);
    await peer.expectClose(1000, { reply: false, timeout: 3000 }).catch(() => {});
    peer.close();
  }
  await assertNoSockets();
});

Deno.test("client: bad handshake responses fail connect() with a WebSocketError", async () => {
  const good = switching;
  const cases: [string, (key: string) => Promise<string[]> | string[], ConnectOptions?][] = [
    [
      "wrong Sec-WebSocket-Accept",
      async (
        key,
      ) => [
        ...(await good(key)).slice(0, 3),
        `Sec-WebSocket-Accept: ${await acceptFor(key + "x")}`,
      ],
    ],
    ["missing Sec-WebSocket-Accept", async (key) => (await good(key)).slice(0, 3)],
    ["missing Upgrade", async (key) => (await good(key)).filter((l) => !l.startsWith("Upgrade"))],
    [
      "Upgrade: h2c",
      async (key) => (await good(key)).map((l) => l.startsWith("Upgrade") ? "Upgrade: h2c" : l),
    ],
    [
      "missing Connection",
      async (key) => (await good(key)).filter((l) => !l.startsWith("Connection")),
    ],
    ["status 200", () => ["HTTP/1.1 200 OK", "Content-Length: 0"]],
    ["status 403", () => ["HTTP/1.1 403 Forbidden", "Content-Length: 0"]],
    [
      "status 426",
      () => [
        "HTTP/1.1 426 Upgrade Required",
        "Sec-WebSocket-Version: 13",
        "Content-Length: 0",
      ],
    ],
    [
      "an extension that was not offered",
      async (key) => [...(await good(key)), "Sec-WebSocket-Extensions: x-unknown"],
    ],
    [
      "permessage-deflate without an offer",
      async (key) => [...(await good(key)), "Sec-WebSocket-Extensions: permessage-deflate"],
    ],
    [
      "a subprotocol that was not offered",
      async (key) => [...(await good(key)), "Sec-WebSocket-Protocol: chat"],
    ],
    [
      "a subprotocol when another was offered",
      async (key) => [...(await good(key)), "Sec-WebSocket-Protocol: superchat"],
      { protocols: ["chat"] },
    ],
    [
      "permessage-deflate with an unknown parameter",
      async (key) => [...(await good(key)), "Sec-WebSocket-Extensions: permessage-deflate; x=1"],
      { perMessageDeflate: true },
    ],
    [
      "permessage-deflate twice",
      async (
        key,
      ) => [
        ...(await good(key)),
        "Sec-WebSocket-Extensions: permessage-deflate, permessage-deflate",
      ],
      { perMessageDeflate: true },
    ],
    [
      "server_max_window_bits=7",
      async (
        key,
      ) => [
        ...(await good(key)),
        "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=7",
      ],
      { perMessageDeflate: true },
    ],
    [
      "client_max_window_bits=16",
      async (
        key,
      ) => [
        ...(await good(key)),
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=16",
      ],
      { perMessageDeflate: true },
    ],
    [
      "client_max_window_bits without a value",
      async (
        key,
      ) => [
        ...(await good(key)),
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits",
      ],
      { perMessageDeflate: true },
    ],
    ["a garbage status line", () => ["SSH-2.0-OpenSSH_9.2"]],
  ];
  for (const [name, lines, options] of cases) {
    const { error, ws, peer } = await handshakeWith(
      async (key) => ({ raw: response(await lines(key)) }),
      options,
    );
    if (ws !== null) {
      peer?.close();
      await ws.close().then(() => {}, () => {});
    }
    ok(
      error instanceof WebSocketError,
      `${name}: connect() rejects with a WebSocketError, got ${String(error)}`,
    );
    if (name.startsWith("status")) equal(error.status, Number(name.slice(7)), `${name}: status`);
  }
  {
    // A server that answers nothing: the handshake timeout fires.
    await using server = new RawServer();
    const accepted = server.listener.accept();
    await rejects(
      Promise.resolve(connect(server.url, { timeout: 300 })),
      (error: unknown) =>
        error instanceof WebSocketError || (error as { code?: string }).code === "timeout",
    );
    (await accepted).close();
  }
  await assertNoSockets();
});

// 12.x/13.x: our client offers permessage-deflate; the raw server answers with parameter
// combinations and both sides exchange compressed messages of several sizes.
Deno.test("client: the permessage-deflate offer is well-formed", async () => {
  {
    await using s = await openClient({ options: { perMessageDeflate: true } });
    const offers = parseExtensions(s.offer);
    equal(offers.length, 1, `one offer: ${s.offer}`);
    equal(offers[0]!.name, "permessage-deflate");
    ok(offers[0]!.params.has("client_max_window_bits"), "client_max_window_bits offered");
    await s.peer.closeHandshake(1000);
  }
  {
    await using s = await openClient();
    equal(s.offer, undefined, "no extension offered unless asked");
    await s.peer.closeHandshake(1000);
  }
  await assertNoSockets();
});

const answers: string[] = [
  "permessage-deflate",
  "permessage-deflate; server_no_context_takeover",
  "permessage-deflate; client_no_context_takeover",
  "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
  ...[8, 9, 10, 11, 12, 13, 14, 15].map((bits) =>
    `permessage-deflate; server_max_window_bits=${bits}`
  ),
  ...[8, 9, 10, 11, 12, 13, 14, 15].map((bits) =>
    `permessage-deflate; client_max_window_bits=${bits}`
  ),
  "permessage-deflate; server_max_window_bits=9; client_max_window_bits=9; " +
  "server_no_context_takeover; client_no_context_takeover",
];
for (const answer of answers) {
  Deno.test(`client: 13.x permessage-deflate answer "${answer}"`, async () => {
    {
      await using s = await openClient({
        options: { perMessageDeflate: { threshold: 0 } },
        extensions: () => answer,
      });
      ok(s.peer.deflate !== null, "permessage-deflate negotiated");
      await deflateExchange(s, DEFLATE_SIZES);
      await s.peer.closeHandshake(1000);
    }
    await assertNoSockets();
  });
}

const clientSettings = [
  { clientNoContextTakeover: true },
  { clientMaxWindowBits: 9 },
  { serverMaxWindowBits: 10 },
  { serverNoContextTakeover: true },
  { clientMaxWindowBits: 8, clientNoContextTakeover: true, threshold: 0 },
];
for (const settings of clientSettings) {
  Deno.test(`client: 13.x our client configured ${JSON.stringify(settings)} offers and keeps it`, async () => {
    {
      await using s = await openClient({
        options: { perMessageDeflate: settings },
        // The raw server accepts the offer as made, echoing its parameters back.
        extensions: (offer) => {
          const pmd = parseExtensions(offer).find((e) => e.name === "permessage-deflate");
          ok(pmd !== undefined, "permessage-deflate offered");
          const params = [...pmd.params].map(([name, value]) =>
            value === true ? (name === "client_max_window_bits" ? "" : name) : `${name}=${value}`
          ).filter((p) => p !== "");
          return ["permessage-deflate", ...params].join("; ");
        },
      });
      const offer = parseExtensions(s.offer)[0]!;
      if (settings.clientNoContextTakeover) ok(offer.params.has("client_no_context_takeover"));
      if (settings.serverNoContextTakeover) ok(offer.params.has("server_no_context_takeover"));
      if (settings.clientMaxWindowBits) {
        equal(offer.params.get("client_max_window_bits"), String(settings.clientMaxWindowBits));
      }
      if (settings.serverMaxWindowBits) {
        equal(offer.params.get("server_max_window_bits"), String(settings.serverMaxWindowBits));
      }
      ok(s.peer.deflate !== null, "permessage-deflate negotiated");
      await deflateExchange(s, [16, 1000, 4096, 65536]);
      await s.peer.closeHandshake(1000);
    }
    await assertNoSockets();
  });
}

Deno.test("client: our close(): the server closes TCP first, or our client after closeTimeout", async () => {
  {
    // The raw server answers the close and closes TCP, as RFC 6455 7.1.1 says a server should.
    await using s = await openClient({ echo: { closeWith: [4002, "client says bye"] } });
    await s.peer.text("trigger");
    const info = await s.peer.expectClose(4002, { reply: true }).catch(() => null);
    // expectClose waits for our client's TCP close too; the server closing first is also fine.
    void info;
    s.peer.close();
    const outcome = await within(s.outcome(), "our client ends", 5000);
    equal(outcome.kind, "closed", String(outcome.error));
  }
  {
    // The raw server answers the close but keeps TCP open: our client closes it after closeTimeout.
    await using s = await openClient({
      options: { closeTimeout: 300 },
      echo: { closeWith: [1000, ""] },
    });
    await s.peer.text("trigger");
    const frame = await s.peer.next();
    ok(frame !== null && frame.opcode === OP.close);
    await s.peer.sendClose(1000);
    await s.peer.expectEnd({ timeout: 5000 });
  }
  {
    // The raw server never answers: our client still closes TCP after closeTimeout.
    await using s = await openClient({
      options: { closeTimeout: 300 },
      echo: { closeWith: [1000, ""] },
    });
    await s.peer.text("trigger");
    const frame = await s.peer.next();
    ok(frame !== null && frame.opcode === OP.close);
    await s.peer.expectEnd({ timeout: 5000 });
  }
  await assertNoSockets();
});

Deno.test("client: after echoing the server's close, our client closes TCP if the server does not", async () => {
  {
    await using s = await openClient({ options: { closeTimeout: 300 } });
    await s.peer.sendClose(1000, "server first");
    // expectClose also requires end of stream: our client gives up waiting for the server.
    await s.peer.expectClose(1000, { timeout: 5000 });
    const outcome = await within(s.outcome(), "our client ends", 5000);
    equal(outcome.kind, "closed");
    equal(outcome.closeReason, "server first");
  }
  await assertNoSockets();
});

// Cancellation: the teardown that sends the close frame needs I/O and must survive the halt.
// `connect` and `WsSocket#event` register it "inside a cosocket" (ws_socket.ts #teardown).
const haltForms: [
  string,
  (url: string, ready: (ws: WsSocket) => void) => () => Promise<unknown>,
][] = [
  ["event() + connect() (seed Example 10)", (url, ready) => {
    const sock = event(function* () {
      const ws = yield* connect(url);
      ready(ws);
      yield* ws.read();
    });
    return () => sock.task!.halt();
  }],
  ["WsSocket#event()", (url, ready) => {
    let ws: WsSocket | null = null;
    void connect(url).then((connected) => {
      ws = connected.event(function* (own: WsSocket) {
        yield* own.read();
      });
      ready(connected);
    });
    return () => ws!.task!.halt();
  }],
  ["run() + connect()", (url, ready) => {
    const task = run(function* () {
      const ws = yield* connect(url);
      ready(ws);
      yield* ws.read();
    });
    return () => task.halt();
  }],
];
for (const [form, start] of haltForms) {
  Deno.test(`client: halting a cosocket waiting in read() sends a close frame (1001): ${form}`, async () => {
    {
      await using server = new RawServer();
      const connected = Promise.withResolvers<WsSocket>();
      const halt = start(server.url, connected.resolve);
      await using peer = await server.accept();
      const ws = await connected.promise;
      for (let i = 0; i < 100 && ws.state().state !== "read"; i++) {
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      await halt();
      try {
        const frame = await peer.next({ timeout: 3000 });
        ok(frame !== null, "a close frame, not just a dropped connection");
        equal(frame.opcode, OP.close);
        equal((frame.payload[0]! << 8) | frame.payload[1]!, 1001, "going away");
        // Answer like a server: close frame, then TCP.
        await peer.sendClose(1001);
      } catch (error) {
        // Release what the failure left open so that later tests do not inherit it.
        peer.close();
        await Promise.resolve(ws.close()).catch(() => {});
        throw error;
      }
      peer.close();
    }
    await assertNoSockets();
  });
}

Deno.test("client: aborting connect() while it waits for the 101 rejects at once and leaves nothing", async () => {
  {
    await using server = new RawServer();
    const controller = new AbortController();
    const accepted = server.listener.accept();
    // A long handshake timeout: only the abort can end this connect() within the guard.
    const connecting = Promise.resolve(
      connect(server.url, { signal: controller.signal, timeout: 30_000 }),
    );
    const conn = await accepted;
    const request = await readHead(conn);
    ok(request !== null, "our client sent its request");
    controller.abort();
    await within(
      rejects(connecting, (error: unknown) => (error as Error).name === "AbortError"),
      "connect() rejects once its signal aborts (it waits for the handshake timeout instead)",
      5000,
    );
    const buffer = new Uint8Array(16);
    equal(await conn.read(buffer).catch(() => null), null, "our client closed the connection");
    conn.close();
  }
  await assertNoSockets();
});

Deno.test("client: aborting connect() just as TCP connects rejects at once and leaves nothing", async () => {
  {
    await using server = new RawServer();
    const controller = new AbortController();
    const accepted = server.listener.accept();
    // Bounded so a failing run ends: the guard below fires first.
    const connecting = Promise.resolve(
      connect(server.url, { signal: controller.signal, timeout: 8000 }),
    );
    const conn = await accepted;
    controller.abort();
    await within(
      rejects(connecting, (error: unknown) => (error as Error).name === "AbortError"),
      "connect() rejects once its signal aborts (it waits for the handshake timeout instead)",
      5000,
    );
    conn.close();
  }
  await assertNoSockets();
});

Deno.test("client: aborting connect() during a TLS handshake or a proxy's handshake rejects at once", async () => {
  {
    // A peer that accepts and says nothing: no TLS answer, no proxy answer.
    using silent = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = silent.addr.port;
    const held: Deno.Conn[] = [];
    const cases: [string, ConnectOptions][] = [
      [`wss://127.0.0.1:${port}/`, {}],
      ["ws://example.test/", { proxy: { host: "127.0.0.1", port } }],
      ["ws://example.test/", { proxy: { host: "127.0.0.1", port, type: "socks5" } }],
    ];
    for (const [url, options] of cases) {
      const controller = new AbortController();
      const connecting = Promise.resolve(
        connect(url, { ...options, timeout: 60_000, signal: controller.signal }),
      );
      held.push(await silent.accept());
      controller.abort();
      await within(
        rejects(connecting, (error: unknown) => (error as Error).name === "AbortError"),
        `connect(${url}) rejects once its signal aborts`,
        5000,
      );
    }
    for (const conn of held) conn.close();
  }
  await assertNoSockets();
});

Deno.test("client: halting a cosocket while its connect() waits for the 101 leaves nothing", async () => {
  {
    await using server = new RawServer();
    for (const detached of [false, true]) {
      const task = run(function* () {
        yield* connect(server.url, { detached, timeout: 60_000 });
      });
      const conn = await server.listener.accept();
      // The request arrives; the answer never does.
      ok((await readHead(conn)) !== null);
      await task.halt();
      conn.close();
    }
  }
  await assertNoSockets();
});
