// Interop with npm `ws` (8.23.0, without its optional native add-ons), the WebSocket library
// most Node servers use: our client against a `ws` server and a `ws` client against our server,
// with and without permessage-deflate. `ws` runs inside this Deno process through Deno's Node
// compatibility layer; its HTTP server is `node:http`/`node:https` on 127.0.0.1.
import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { connect, WebSocketError, type WsChunk, type WsSocket } from "@cosocket/websocket";
import {
  assertNoSockets,
  certs,
  compressibleText,
  HEARTBEAT,
  nodeWsClient,
  nodeWsServer,
  type NodeWsServerOptions,
  ourServer,
  pseudoRandomBytes,
  sha256,
  within,
} from "./_peers.ts";

const MiB = 1 << 20;
const encoder = new TextEncoder();

function message(ws: WsSocket, what = "a message from the ws peer") {
  return within(ws.readMessage(), what);
}

// ---------------------------------------------------------------------------------------------
// Our client -> ws server

Deno.test("ws server: our client exchanges text, binary and empty messages", async () => {
  {
    await using server = await nodeWsServer({ perMessageDeflate: false });
    await using ws = await connect(server.url());
    const { peer } = await server.next();
    for (const text of ["hello", "", "h\u00e9llo \u2603 \u{1F600}"]) {
      await ws.send(text);
      const got = await peer.next();
      deepEqual([got.binary, got.text], [false, text]);
      await peer.send(text);
      equal(await message(ws), text);
    }
    for (const bytes of [new Uint8Array([0, 1, 254, 255]), new Uint8Array(0)]) {
      await ws.write(bytes);
      const got = await peer.next();
      deepEqual([got.binary, got.data], [true, bytes]);
      await peer.send(bytes);
      deepEqual(await message(ws), bytes);
    }
    await ws.write(encoder.encode("utf8 flag"), true);
    deepEqual(await peer.next().then((m) => [m.binary, m.text]), [false, "utf8 flag"]);
  }
  await assertNoSockets();
});

Deno.test("ws server: 1 MiB and 16 MiB messages both ways", async () => {
  {
    await using server = await nodeWsServer({ perMessageDeflate: false });
    await using ws = await connect(server.url());
    const { peer } = await server.next();
    for (const [length, seed] of [[MiB, 61], [16 * MiB, 62]] as const) {
      const bytes = pseudoRandomBytes(length, seed);
      await ws.send(bytes);
      const got = await peer.next();
      deepEqual([got.data.length, await sha256(got.data)], [length, await sha256(bytes)]);
      // Read while ws sends: its send callback waits until the data is on its way.
      const receiving = message(ws, `a ${length}-byte message`);
      await peer.send(bytes);
      const back = await receiving;
      ok(back instanceof Uint8Array);
      equal(await sha256(back), await sha256(bytes));
    }
  }
  await assertNoSockets();
});

Deno.test("ws server: fragmented messages both ways", async () => {
  {
    await using server = await nodeWsServer({ perMessageDeflate: false });
    await using ws = await connect(server.url());
    const { peer } = await server.next();
    const writer = ws.writer(true);
    await writer.write("frag");
    await writer.write("men");
    await writer.end("ted \u2603");
    deepEqual(await peer.next().then((m) => [m.binary, m.text]), [false, "fragmented \u2603"]);
    const binary = ws.writer(false);
    await binary.write(new Uint8Array([1]));
    await binary.end(new Uint8Array([2, 3]));
    deepEqual(await peer.next().then((m) => m.data), new Uint8Array([1, 2, 3]));

    // ws sends a fragment per send({ fin: false }); read() hands them over as they arrive.
    await peer.send("one ", { fin: false });
    await peer.send("two ", { fin: false });
    const first: WsChunk | null = await within(ws.read(), "the first fragment");
    ok(first !== null && first.utf8 && !first.final);
    await peer.send("three", { fin: true });
    let text = new TextDecoder().decode(first.data);
    for (let chunk; (chunk = await within(ws.read(), "a fragment")) !== null;) {
      ok(chunk.utf8);
      text += new TextDecoder().decode(chunk.data);
      if (chunk.final) break;
    }
    equal(text, "one two three");
    await peer.send(new Uint8Array([7]), { fin: false });
    await peer.send(new Uint8Array([8, 9]), { fin: true });
    deepEqual(await message(ws), new Uint8Array([7, 8, 9]));
  }
  await assertNoSockets();
});

Deno.test("ws server: pings both ways", async () => {
  {
    await using server = await nodeWsServer({ perMessageDeflate: false });
    await using ws = await connect(server.url());
    const { peer } = await server.next();
    // We answer while a read is pending.
    const reading = Promise.resolve(ws.readMessage());
    peer.ws.ping("are you there");
    equal(await within(peer.pongs.next(), "the pong to the ws server's ping"), "are you there");
    // A ping between fragments is answered before the message completes.
    await peer.send("part 1 ", { fin: false });
    peer.ws.ping("mid-message");
    equal(await within(peer.pongs.next(), "the pong between fragments"), "mid-message");
    await peer.send("part 2", { fin: true });
    equal(await within(reading, "the fragmented message"), "part 1 part 2");

    await ws.ping("ours");
    await ws.ping(new Uint8Array([1, 2, 3]));
    await ws.send("flush");
    equal((await peer.next()).text, "flush");
    deepEqual(peer.pings, ["ours", "\x01\x02\x03"]);
    // ws pongs automatically; the pongs do not disturb our message stream.
    await peer.send("after pongs");
    equal(await message(ws), "after pongs");
  }
  await assertNoSockets();
});

Deno.test("ws server: close started by us carries our code and reason", async () => {
  {
    await using server = await nodeWsServer({ perMessageDeflate: false });
    const ws = await connect(server.url());
    const { peer } = await server.next();
    await within(ws.close(4001, "client says bye \u2603"), "our close()");
    deepEqual(await within(peer.closed, "the ws server's close event"), {
      code: 4001,
      reason: "client says bye \u2603",
    });
    equal(ws.closeCode, 4001);
    equal(await ws.readMessage(), null);
    await ws[Symbol.asyncDispose]();
  }
  await assertNoSockets();
});

Deno.test("ws server: close started by ws reaches us with its code and reason", async () => {
  {
    await using server = await nodeWsServer({ perMessageDeflate: false });
    await using ws = await connect(server.url());
    const { peer } = await server.next();
    const reading = Promise.resolve(ws.readMessage());
    peer.ws.close(4002, "server says bye");
    equal(await within(reading, "end of messages"), null);
    deepEqual([ws.closeCode, ws.closeReason], [4002, "server says bye"]);
    // ws saw our echoed code and the connection ended cleanly.
    equal((await within(peer.closed, "the ws server's close event")).code, 4002);
  }
  await assertNoSockets();
});

Deno.test("ws server: subprotocol negotiation", async () => {
  {
    await using server = await nodeWsServer({
      perMessageDeflate: false,
      handleProtocols: (offered: Set<string>) => offered.has("chat.v1") ? "chat.v1" : false,
    });
    await using ws = await connect(server.url(), { protocols: ["other", "chat.v1"] });
    const { peer, request } = await server.next();
    equal(request.headers["sec-websocket-protocol"], "other, chat.v1");
    equal(peer.ws.protocol, "chat.v1");
    equal(ws.protocol, "chat.v1");
  }
  await assertNoSockets();
});

Deno.test("ws server: extra headers, cookies and Basic credentials arrive and are checked", async () => {
  {
    const require = {
      "x-api-key": "k-9",
      cookie: "session=abc; theme=dark",
      authorization: `Basic ${encoder.encode("alice:s3cr\u00e9t").toBase64()}`,
    };
    await using server = await nodeWsServer({ perMessageDeflate: false, require });
    await rejects(Promise.resolve(connect(server.url())), (error: unknown) => {
      ok(error instanceof WebSocketError, String(error));
      equal(error.status, 401);
      return true;
    });
    equal(server.refused.length, 3);
    await using ws = await connect(server.url("/chat?x=1"), {
      headers: new Headers({ "X-Api-Key": "k-9" }),
      cookies: "session=abc; theme=dark",
      credentials: { username: "alice", password: "s3cr\u00e9t" },
    });
    const { request } = await server.next();
    equal(request.url, "/chat?x=1");
    await ws.send("ok");
  }
  await assertNoSockets();
});

Deno.test("ws server: wss:// with the test CA", async () => {
  {
    await using server = await nodeWsServer({ perMessageDeflate: false, tls: true });
    await using ws = await connect(server.url("/", "localhost"), { caCerts: [certs.ca] });
    const { peer } = await server.next();
    ok(ws.secure);
    ok(ws.trusted());
    const bytes = pseudoRandomBytes(3 * MiB, 71);
    await ws.send(bytes);
    equal(await sha256((await peer.next()).data), await sha256(bytes));
    await peer.send("secure");
    equal(await message(ws), "secure");
  }
  await assertNoSockets();
});

/** ws's perMessageDeflate settings and the options our client offers. */
const WS_SERVER_DEFLATE: {
  name: string;
  ws: NodeWsServerOptions["perMessageDeflate"];
  ours: Record<string, number | boolean> | true;
}[] = [
  { name: "defaults", ws: true, ours: true },
  {
    name: "no context takeover both ways",
    ws: { serverNoContextTakeover: true, clientNoContextTakeover: true },
    ours: true,
  },
  {
    name: "window bits 9 both ways",
    ws: { serverMaxWindowBits: 9, clientMaxWindowBits: 9 },
    ours: true,
  },
  {
    name: "we ask for server window bits 10 and no server context takeover",
    ws: true,
    ours: { serverMaxWindowBits: 10, serverNoContextTakeover: true },
  },
];

for (const { name, ws: wsDeflate, ours } of WS_SERVER_DEFLATE) {
  Deno.test(`ws server: permessage-deflate, ${name}`, async () => {
    {
      await using server = await nodeWsServer({ perMessageDeflate: wsDeflate });
      await using ws = await connect(server.url(), { perMessageDeflate: ours });
      const { peer, request } = await server.next();
      ok(ws.extensions.startsWith("permessage-deflate"), ws.extensions);
      ok(request.headers["sec-websocket-extensions"]?.startsWith("permessage-deflate"));
      const socket = request.socket;
      const before = socket.bytesRead;
      let plain = 0;
      for (let round = 0; round < 4; round++) {
        const text = compressibleText(100_000 + round);
        const bytes = encoder.encode(compressibleText(40_000 + round));
        plain += text.length + bytes.length;
        await ws.send(text);
        await ws.send(bytes);
        ok((await peer.next()).text === text);
        deepEqual((await peer.next()).data, bytes);
        await peer.send(text);
        await peer.send(bytes);
        ok(await message(ws) === text);
        deepEqual(await message(ws), bytes);
      }
      const wire = socket.bytesRead - before;
      ok(wire < plain / 5, `${wire} bytes on the wire for ${plain} bytes of messages`);
      const random = pseudoRandomBytes(2 * MiB, 72);
      await ws.send(random);
      equal(await sha256((await peer.next()).data), await sha256(random));
      const receiving = message(ws);
      await peer.send(random);
      equal(await sha256((await receiving) as Uint8Array), await sha256(random));
      // A compressed message sent in fragments by ws.
      await peer.send(compressibleText(5000), { fin: false });
      await peer.send(compressibleText(3000), { fin: true });
      equal(await message(ws), compressibleText(5000) + compressibleText(3000));
      const writer = ws.writer(true);
      await writer.write(compressibleText(4000));
      await writer.end(compressibleText(2000));
      equal((await peer.next()).text, compressibleText(4000) + compressibleText(2000));
    }
    await assertNoSockets();
  });
}

// ---------------------------------------------------------------------------------------------
// ws client -> our server

Deno.test("ws client: text, binary and empty messages through our server", async () => {
  {
    await using server = ourServer();
    const peer = await nodeWsClient(server.url(), [], { perMessageDeflate: false });
    const conn = await server.next();
    for (const text of ["hello", "", "h\u00e9llo \u{1F600}"]) {
      await peer.send(text);
      deepEqual(await peer.next().then((m) => [m.binary, m.text]), [false, text]);
    }
    for (const bytes of [new Uint8Array([0, 255]), new Uint8Array(0)]) {
      await peer.send(bytes);
      deepEqual(await peer.next().then((m) => [m.binary, m.data]), [true, bytes]);
    }
    peer.ws.close(1000);
    equal((await within(peer.closed, "the ws client's close event")).code, 1000);
    equal((await within(conn.ended, "our connection's end")).closeCode, 1000);
  }
  await assertNoSockets();
});

Deno.test("ws client: 1 MiB and 16 MiB messages both ways through our server", async () => {
  {
    await using server = ourServer();
    const peer = await nodeWsClient(server.url(), [], { perMessageDeflate: false });
    await server.next();
    for (const [length, seed] of [[MiB, 81], [16 * MiB, 82]] as const) {
      const bytes = pseudoRandomBytes(length, seed);
      await peer.send(bytes);
      equal(await sha256((await peer.next()).data), await sha256(bytes));
      await peer.send(`cmd:random:${length}:${seed + 100}`);
      const got = await peer.next();
      equal(await sha256(got.data), await sha256(pseudoRandomBytes(length, seed + 100)));
    }
    peer.ws.close();
    await within(peer.closed, "the ws client's close event");
  }
  await assertNoSockets();
});

Deno.test("ws client: fragmented messages and pings both ways through our server", async () => {
  {
    await using server = ourServer();
    const peer = await nodeWsClient(server.url(), [], { perMessageDeflate: false });
    await server.next();
    await peer.send("a", { fin: false });
    peer.ws.ping("between");
    equal(await within(peer.pongs.next(), "the pong between fragments"), "between");
    await peer.send("\u00e9", { fin: false });
    await peer.send("\u{1F600}", { fin: true });
    equal((await peer.next()).text, "a\u00e9\u{1F600}");
    await peer.send("cmd:fragments:binary:ab|cd|e");
    deepEqual((await peer.next()).data, encoder.encode("abcde"));
    await peer.send("cmd:ping:from our server");
    await peer.send("after");
    equal((await peer.next()).text, "after");
    deepEqual(peer.pings, ["from our server"]);
    peer.ws.close();
    await within(peer.closed, "the ws client's close event");
  }
  await assertNoSockets();
});

Deno.test("ws client: close handshakes with our server, both directions", async () => {
  {
    await using server = ourServer();
    const peer = await nodeWsClient(server.url(), [], { perMessageDeflate: false });
    const conn = await server.next();
    peer.ws.close(4011, "ws leaves");
    // Our answer echoes the code (RFC 6455 §5.5.1); its reason is ours to choose.
    equal((await within(peer.closed, "the ws client's close event")).code, 4011);
    const ended = await within(conn.ended, "our connection's end");
    deepEqual([ended.closeCode, ended.closeReason, ended.error], [4011, "ws leaves", null]);
  }
  {
    await using server = ourServer();
    const peer = await nodeWsClient(server.url(), [], { perMessageDeflate: false });
    const conn = await server.next();
    await peer.send("cmd:close:4012:server leaves \u2603");
    deepEqual(await within(peer.closed, "the ws client's close event"), {
      code: 4012,
      reason: "server leaves \u2603",
    });
    equal((await within(conn.ended, "our connection's end")).closeCode, 4012);
  }
  await assertNoSockets();
});

Deno.test("ws client: subprotocol, headers and credentials at our server", async () => {
  {
    await using server = ourServer({ upgrade: { protocols: ["chat.v2", "chat.v1"] } });
    const peer = await nodeWsClient(
      `ws://dave:pw@127.0.0.1:${server.port}/room`,
      ["chat.v1", "chat.v2"],
      { perMessageDeflate: false, headers: { "X-Trace": "t-2", Cookie: "k=v" } },
    );
    const conn = await server.next();
    equal(peer.ws.protocol, conn.ws.protocol);
    ok(["chat.v1", "chat.v2"].includes(conn.ws.protocol));
    const headers = conn.request!.headers;
    equal(headers.get("x-trace"), "t-2");
    equal(headers.get("cookie"), "k=v");
    equal(headers.get("authorization"), `Basic ${encoder.encode("dave:pw").toBase64()}`);
    equal(conn.request!.path, "/room");
    peer.ws.close();
    await within(peer.closed, "the ws client's close event");
  }
  await assertNoSockets();
});

Deno.test("ws client: wss:// to our TLS server with the test CA", async () => {
  {
    await using server = ourServer({ tls: true });
    const peer = await nodeWsClient(server.url("/", "localhost"), [], {
      perMessageDeflate: false,
      ca: certs.ca,
    });
    const conn = await server.next();
    ok(conn.ws.secure);
    const bytes = pseudoRandomBytes(2 * MiB, 91);
    await peer.send(bytes);
    equal(await sha256((await peer.next()).data), await sha256(bytes));
    peer.ws.close(1000);
    await within(peer.closed, "the ws client's close event");
    await within(conn.ended, "our connection's end");
  }
  await assertNoSockets();
});

Deno.test("ws client: messages over our server's limit are refused with 1009, inflated size counted", async () => {
  {
    await using server = ourServer({
      upgrade: { maxMessageSize: MiB, perMessageDeflate: true },
      expectFailures: true,
    });
    for (const deflate of [false, true]) {
      const peer = await nodeWsClient(server.url(), [], { perMessageDeflate: deflate });
      const conn = await server.next();
      equal(conn.ws.extensions !== "", deflate);
      // Without compression 2 MiB on the wire; with it, 8 MiB of zeros take about 8 KiB.
      peer.ws.send(new Uint8Array(deflate ? 8 * MiB : 2 * MiB), () => {});
      equal((await within(peer.closed, "the ws client's close event")).code, 1009);
      const ended = await within(conn.ended, "our connection's end");
      ok(ended.error instanceof WebSocketError && ended.error.closeCode === 1009);
    }
  }
  await assertNoSockets();
});

Deno.test("ws client: our heartbeat is kept up by ws's pongs, and drops a peer that stops answering", async () => {
  {
    await using server = ourServer({ upgrade: { heartbeat: HEARTBEAT }, expectFailures: true });
    const answering = await nodeWsClient(server.url(), [], { perMessageDeflate: false });
    const kept = await server.next();
    const silent = await nodeWsClient(server.url(), [], {
      perMessageDeflate: false,
      autoPong: false,
    });
    const dropped = await server.next();
    // The silent peer is dropped at the first beat that finds its ping unanswered.
    const ended = await within(dropped.ended, "the silent peer's connection to end");
    ok(
      ended.error instanceof WebSocketError && ended.error.code === "timeout",
      String(ended.error),
    );
    equal((await within(silent.closed, "the silent ws client's close event")).code, 1006);
    ok(silent.pings.length >= 1);
    // Meanwhile the answering peer, idle just as long, is still connected.
    await answering.send("still here");
    equal((await answering.next()).text, "still here");
    ok(answering.pings.length >= 2, `${answering.pings.length} pings`);
    answering.ws.close(1000);
    await within(answering.closed, "the ws client's close event");
    equal((await within(kept.ended, "our connection's end")).error, null);
  }
  await assertNoSockets();
});

const WS_CLIENT_DEFLATE: { name: string; ws: Record<string, number | boolean> }[] = [
  { name: "defaults", ws: {} },
  {
    name: "no context takeover both ways",
    ws: { clientNoContextTakeover: true, serverNoContextTakeover: true },
  },
  { name: "window bits 9 both ways", ws: { clientMaxWindowBits: 9, serverMaxWindowBits: 9 } },
  { name: "server window bits 11", ws: { serverMaxWindowBits: 11 } },
];

for (const { name, ws: wsDeflate } of WS_CLIENT_DEFLATE) {
  Deno.test(`ws client: permessage-deflate with our server, ${name}`, async () => {
    {
      await using server = ourServer({ upgrade: { perMessageDeflate: true } });
      const peer = await nodeWsClient(server.url(), [], { perMessageDeflate: wsDeflate });
      const conn = await server.next();
      ok(conn.ws.extensions.startsWith("permessage-deflate"), conn.ws.extensions);
      // deno-lint-ignore no-explicit-any
      const socket = (peer.ws as any)._socket as { bytesRead: number };
      let plain = 0;
      const before = socket.bytesRead;
      for (let round = 0; round < 4; round++) {
        await peer.send(`cmd:text:${90_000 + round}`);
        ok((await peer.next()).text === compressibleText(90_000 + round));
        plain += 90_000 + round;
        const text = compressibleText(70_000 + round);
        await peer.send(text);
        ok((await peer.next()).text === text);
        plain += text.length;
      }
      const wire = socket.bytesRead - before;
      ok(wire < plain / 5, `${wire} bytes on the wire for ${plain} bytes of messages`);
      const bytes = pseudoRandomBytes(MiB, 92);
      await peer.send(bytes);
      equal(await sha256((await peer.next()).data), await sha256(bytes));
      await peer.send("x".repeat(3000), { fin: false });
      await peer.send("y".repeat(3000), { fin: true });
      equal((await peer.next()).text, "x".repeat(3000) + "y".repeat(3000));
      peer.ws.close(1000);
      await within(peer.closed, "the ws client's close event");
      await within(conn.ended, "our connection's end");
    }
    await assertNoSockets();
  });
}
