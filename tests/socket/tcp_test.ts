import { deepEqual, equal, ok, rejects, throws } from "node:assert/strict";
import {
  bind,
  connect,
  IncompleteReadError,
  run,
  SocketError,
  sockstat,
  toip,
} from "@cosocket/socket";
import {
  assertNoSockets,
  connectedPair,
  delay,
  isCode,
  pseudoRandomBytes,
  text,
} from "./_helpers.ts";

Deno.test("connect() and accept() exchange data both ways", async () => {
  {
    await using p = await connectedPair();
    await p.client.write("ping");
    equal(text(await p.peer.readExactly(4)), "ping");
    await p.peer.write(new TextEncoder().encode("pong"));
    equal(text(await p.client.readExactly(4)), "pong");
    deepEqual(p.client.peername(), {
      address: "127.0.0.1",
      port: p.server.sockname().port,
      ipv6: false,
    });
    equal(p.peer.peername().port, p.client.sockname().port);
  }
  await assertNoSockets();
});

Deno.test("read() returns null at end of stream, and again after it", async () => {
  {
    await using p = await connectedPair();
    await p.client.write("last words");
    p.client.close();
    equal(text(await p.peer.readExactly(10)), "last words");
    equal(await p.peer.read(), null);
    equal(await p.peer.read(), null);
    equal(p.peer.state().connected, false);
  }
  await assertNoSockets();
});

Deno.test("read() timeout is not fatal: the next read gets the data", async () => {
  {
    await using p = await connectedPair();
    await rejects(Promise.resolve(p.client.read(20)), isCode("timeout"));
    await p.peer.write("late");
    equal(text(await p.client.readExactly(4)), "late");
  }
  await assertNoSockets();
});

Deno.test("read() on a socket closed locally throws closed; a waiting read resumes with null", async () => {
  {
    await using p = await connectedPair();
    const waiting = p.client.read();
    const result = Promise.resolve(waiting);
    await delay(5);
    p.client.close();
    equal(await result, null);
    await rejects(Promise.resolve(p.client.read()), isCode("closed"));
  }
  await assertNoSockets();
});

Deno.test("read() while another read waits throws busy", async () => {
  {
    await using p = await connectedPair();
    const first = Promise.resolve(p.client.read());
    await rejects(Promise.resolve(p.client.read()), isCode("busy"));
    await p.peer.write("x");
    equal(text(await first), "x");
  }
  await assertNoSockets();
});

Deno.test("read() returns owned bytes and grows its buffer for bulk data", async () => {
  {
    await using p = await connectedPair();
    const payload = pseudoRandomBytes(1 << 20, 7);
    const writing = Promise.resolve(p.peer.write(payload));
    const chunks: Uint8Array[] = [];
    let received = 0;
    while (received < payload.length) {
      const chunk = (await p.client.read())!;
      chunks.push(chunk);
      received += chunk.length;
    }
    await writing;
    ok(Math.max(...chunks.map((chunk) => chunk.length)) > 512, "the read size grew");
    const joined = new Uint8Array(received);
    let offset = 0;
    for (const chunk of chunks) {
      joined.set(chunk, offset);
      offset += chunk.length;
    }
    deepEqual(joined, payload);
  }
  await assertNoSockets();
});

Deno.test("readLine() strips CRLF and LF, and readUntil() keeps the rest buffered", async () => {
  {
    await using p = await connectedPair();
    await p.peer.write("first\r\nsecond\nthird--END--tail");
    equal(await p.client.readLine(), "first");
    equal(await p.client.readLine(), "second");
    equal(text(await p.client.readUntil("--END--")), "third");
    equal(text(await p.client.readExactly(4)), "tail");
    await p.peer.write("a|b|");
    equal(text(await p.client.readUntil("|", { inclusive: true })), "a|");
  }
  await assertNoSockets();
});

Deno.test("readUntil() finds a delimiter split across chunks", async () => {
  {
    await using p = await connectedPair();
    const reading = Promise.resolve(p.client.readUntil("\r\n\r\n"));
    for (const part of ["HTTP/1.1 200 OK\r", "\nA: b\r\n", "\r", "\nbody"]) {
      await p.peer.write(part);
      await delay(2);
    }
    equal(text(await reading), "HTTP/1.1 200 OK\r\nA: b");
    equal(text(await p.client.readExactly(4)), "body");
  }
  await assertNoSockets();
});

Deno.test("readUntil() fails with RangeError past maxLength and keeps the bytes", async () => {
  {
    await using p = await connectedPair();
    await p.peer.write("0123456789abcdef");
    await rejects(Promise.resolve(p.client.readUntil("\n", { maxLength: 8 })), RangeError);
    equal(text(await p.client.readExactly(16)), "0123456789abcdef");
  }
  await assertNoSockets();
});

Deno.test("readExactly() and readLine() report partial data with IncompleteReadError", async () => {
  {
    await using p = await connectedPair();
    await p.peer.write("abc");
    p.peer.close();
    await rejects(Promise.resolve(p.client.readExactly(5)), (error: unknown) => {
      return error instanceof IncompleteReadError && text(error.partial) === "abc" &&
        error.code === "closed";
    });
    equal(await p.client.readLine(), null);
  }
  await assertNoSockets();
});

Deno.test("readExactly() rejects a negative size", async () => {
  await using p = await connectedPair();
  throws(() => p.client.readExactly(-1), RangeError);
});

Deno.test("write() with start and end sends a part, and an empty write is a no-op", async () => {
  {
    await using p = await connectedPair();
    await p.client.write("0123456789", 2, 5);
    await p.client.write("");
    await p.client.write(new TextEncoder().encode("xyz").buffer, 1);
    equal(text(await p.peer.readExactly(5)), "234yz");
  }
  await assertNoSockets();
});

Deno.test("write() to a closed socket fails with closed; to a listener with incorrectuse", async () => {
  {
    await using p = await connectedPair();
    p.client.close();
    const write = p.client.write("x");
    equal(write.accepted, false);
    await rejects(Promise.resolve(write), isCode("closed"));
    await rejects(Promise.resolve(p.server.write("x")), isCode("incorrectuse"));
  }
  await assertNoSockets();
});

Deno.test("a writer waiting on a full socket fails with closed when the socket closes", async () => {
  {
    await using p = await connectedPair();
    const big = new Uint8Array(32 << 20);
    const writing = Promise.resolve(p.client.write(big));
    await delay(20);
    equal(p.client.state().state, "write");
    p.client.close();
    await rejects(writing, isCode("closed"));
  }
  await assertNoSockets();
});

Deno.test("connect() to a closed port fails with refused", async () => {
  const server = bind(0, { hostname: "127.0.0.1" });
  const port = server.sockname().port;
  server.close();
  await rejects(Promise.resolve(connect("127.0.0.1", port)), isCode("refused"));
  await assertNoSockets();
});

Deno.test("connect() times out when the server does not answer, and honours an abort signal", async () => {
  // A listener that never accepts, with a backlog of 1: once its queue is
  // full the kernel drops further SYNs, so the next connect hangs.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0, tcpBacklog: 1 });
  const port = listener.addr.port;
  const fillers: Deno.Conn[] = [];
  let hung = false;
  for (let i = 0; i < 8 && !hung; i++) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 200);
    try {
      fillers.push(await Deno.connect({ hostname: "127.0.0.1", port, signal: controller.signal }));
    } catch {
      hung = true;
    } finally {
      clearTimeout(timer);
    }
  }
  ok(hung, "the backlog filled up");
  await rejects(
    Promise.resolve(connect("127.0.0.1", port, { timeout: 100 })),
    isCode("timeout"),
  );
  const controller = new AbortController();
  const aborted = Promise.resolve(
    connect("127.0.0.1", port, { timeout: 5000, signal: controller.signal }),
  );
  controller.abort();
  await rejects(aborted, SocketError);
  for (const conn of fillers) conn.close();
  listener.close();
  await assertNoSockets();
});

Deno.test("connect() over IPv6 and bind() with ipv6", async () => {
  {
    await using server = bind(0, { ipv6: true, hostname: "::1" });
    const port = server.sockname().port;
    equal(server.sockname().ipv6, true);
    await using client = await connect("[::1]", port);
    await using peer = (await server.accept())!;
    equal(client.peername().ipv6, true);
    await client.write("v6");
    equal(text(await peer.readExactly(2)), "v6");
  }
  await assertNoSockets();
});

Deno.test("connect() from a local address binds that source address", async () => {
  {
    await using server = bind(0, { hostname: "127.0.0.1" });
    await using client = await connect("127.0.0.1", server.sockname().port, {
      localAddress: "127.0.0.2",
    });
    await using peer = (await server.accept())!;
    equal(peer.peername().address, "127.0.0.2");
    equal(client.sockname().address, "127.0.0.2");
    await client.write("from .2");
    equal(text(await peer.readExactly(7)), "from .2");
    await peer.write("back");
    equal(text(await client.readExactly(4)), "back");
    peer.close();
    equal(await client.read(), null);
  }
  await assertNoSockets();
});

Deno.test("bind() on a port in use fails with incorrectuse", async () => {
  {
    await using server = bind(0, { hostname: "127.0.0.1" });
    throws(() => bind(server.sockname().port, { hostname: "127.0.0.1" }), isCode("incorrectuse"));
  }
  await assertNoSockets();
});

Deno.test("bind() with reusePort lets two listeners share a port", async () => {
  {
    await using first = bind(0, { hostname: "127.0.0.1", reusePort: true });
    await using second = bind(first.sockname().port, { hostname: "127.0.0.1", reusePort: true });
    equal(second.sockname().port, first.sockname().port);
  }
  await assertNoSockets();
});

Deno.test("accept() returns null once the listener closes, and times out without a client", async () => {
  {
    const server = bind(0, { hostname: "127.0.0.1" });
    await rejects(Promise.resolve(server.accept(10)), isCode("timeout"));
    const waiting = Promise.resolve(server.accept());
    server.close();
    equal(await waiting, null);
    equal(await server.accept(), null);
    await server[Symbol.asyncDispose]();
  }
  await assertNoSockets();
});

Deno.test("a second accept while one waits is busy; the next one after it is served", async () => {
  {
    await using server = bind(0, { hostname: "127.0.0.1" });
    const first = Promise.resolve(server.accept());
    await rejects(Promise.resolve(server.accept()), isCode("busy"));
    await using a = await connect("127.0.0.1", server.sockname().port);
    await using accepted = (await first)!;
    await using b = await connect("127.0.0.1", server.sockname().port);
    await using next = (await server.accept(2000))!;
    await a.write("a");
    await b.write("b");
    equal(text((await accepted.read())!), "a");
    equal(text((await next.read())!), "b");
  }
  await assertNoSockets();
});

Deno.test("an accept that timed out or was halted leaves its connection to the next accept", async () => {
  {
    await using server = bind(0, { hostname: "127.0.0.1" });
    await rejects(Promise.resolve(server.accept(10)), isCode("timeout"));
    const halted = run(function* () {
      return yield* server.accept();
    });
    await delay(10);
    await halted.halt();
    equal(server.state().state, "exec");
    await using client = await connect("127.0.0.1", server.sockname().port);
    // The accept started by the first call is still in flight: it brings this client.
    const accepted = await server.accept(1000);
    ok(accepted !== null);
    await using _ = accepted;
    await client.write("x");
    equal(text((await accepted.read())!), "x");
    // And one more, accepted by a cosocket without a timeout.
    await using second = await connect("127.0.0.1", server.sockname().port);
    const next = await run(function* () {
      return yield* server.accept();
    });
    ok(next !== null);
    await using __ = next;
    await next.write("y");
    equal(text((await second.read())!), "y");
  }
  await assertNoSockets();
});

Deno.test("setoption() sets keepalive and nodelay, and rejects unknown options", async () => {
  {
    await using p = await connectedPair();
    p.client.setoption("keepalive", true);
    p.client.setoption("nodelay", false);
    throws(() => p.client.setoption("bogus" as "nodelay"), TypeError);
    throws(() => p.server.setoption("nodelay"), isCode("incorrectuse"));
  }
  await assertNoSockets();
});

Deno.test("connect() and bind() take noDelay: false, and such connections carry data alike", async () => {
  {
    await using server = bind(0, { hostname: "127.0.0.1", noDelay: false });
    const port = server.sockname().port;
    const [client, peer] = await Promise.all([
      connect("127.0.0.1", port, { noDelay: false }),
      server.accept(),
    ]);
    await using _client = client;
    await using _peer = peer!;
    // Two writes while the first may be unacknowledged: Nagle's algorithm
    // may hold the second, but nothing is lost or reordered.
    await Promise.all([client.write("first,"), client.write("second")]);
    equal(new TextDecoder().decode((await peer!.readExactly(12))!), "first,second");
    client.setoption("nodelay", true);
  }
  await assertNoSockets();
});

Deno.test("sockstat() counts open sockets and returns to zero", async () => {
  const before = sockstat().total;
  {
    await using p = await connectedPair();
    equal(sockstat().total, before + 3);
    equal(p.client.state().connected, true);
  }
  await assertNoSockets();
});

Deno.test("readInto() fills the caller's buffer and returns null at end of stream", async () => {
  {
    await using p = await connectedPair();
    const buffer = new Uint8Array(4);
    await p.peer.write("abcdef");
    let collected = "";
    while (collected.length < 6) {
      const count = (await p.client.readInto(buffer))!;
      collected += text(buffer.subarray(0, count));
    }
    equal(collected, "abcdef");
    p.peer.close();
    equal(await p.client.readInto(buffer), null);
    throws(() => p.client.readInto(new Uint8Array(0)), RangeError);
  }
  await assertNoSockets();
});

Deno.test("readInto() takes buffered bytes first and keeps what does not fit", async () => {
  {
    await using p = await connectedPair();
    await p.peer.write("line one\nrest of it");
    equal(await p.client.readLine(), "line one");
    const small = new Uint8Array(4);
    equal(await p.client.readInto(small), 4);
    equal(text(small), "rest");
    equal(text(await p.client.readExactly(6)), " of it");
  }
  await assertNoSockets();
});

Deno.test("readInto() with a timeout: not fatal, and the late bytes wait for the next read", async () => {
  {
    await using p = await connectedPair();
    const buffer = new Uint8Array(16).fill(0xee);
    await rejects(Promise.resolve(p.client.readInto(buffer, 30)), isCode("timeout"));
    await p.peer.write("late");
    await delay(20);
    deepEqual(
      [...buffer],
      Array(16).fill(0xee),
      "the timed-out read wrote nothing into the buffer",
    );
    equal(await p.client.readInto(buffer, 1000), 4);
    equal(text(buffer.subarray(0, 4)), "late");
  }
  await assertNoSockets();
});

Deno.test("read() chunks stay intact after later reads (they are never reused)", async () => {
  {
    await using p = await connectedPair();
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < 50; i++) {
      await p.peer.write(`message ${i};`);
      chunks.push((await p.client.readUntil(";"))!);
    }
    chunks.forEach((chunk, i) => equal(text(chunk), `message ${i}`));
  }
  await assertNoSockets();
});

Deno.test("toip() resolves names with the system resolver and fails with unreachable", async () => {
  equal(await toip("localhost"), "127.0.0.1");
  equal(await toip("::1", { ipv6: true }), "::1");
  equal(await toip("127.0.0.1"), "127.0.0.1");
  await rejects(Promise.resolve(toip("no-such-host.invalid")), isCode("unreachable"));
});

Deno.test("connect() with timeout 0 sets no timer of its own and connects", async () => {
  await using server = bind(0, { hostname: "127.0.0.1" });
  await using client = await connect("127.0.0.1", server.sockname().port, { timeout: 0 });
  await using peer = (await server.accept())!;
  await client.write("zero");
  equal(text((await peer.readExactly(4))!), "zero");
});

Deno.test("a readLine that timed out part way keeps its bytes, in order, for the next read", async () => {
  {
    // The late bytes land after the timeout, while nobody reads.
    await using p = await connectedPair();
    await p.peer.write("abc");
    await rejects(Promise.resolve(p.client.readLine({ timeout: 50 })), isCode("timeout"));
    await p.peer.write("def\n");
    await delay(20);
    equal(await p.client.readLine(), "abcdef");
  }
  {
    // A plain read() next gets the kept bytes first, then the late ones.
    await using p = await connectedPair();
    await p.peer.write("abc");
    await rejects(Promise.resolve(p.client.readLine({ timeout: 50 })), isCode("timeout"));
    equal(text(await p.client.read()), "abc");
    await p.peer.write("def");
    equal(text(await p.client.read()), "def");
  }
  await assertNoSockets();
});

Deno.test("readBuffered() takes what arrived without waiting; refused while a read waits", async () => {
  {
    await using p = await connectedPair();
    equal(p.client.readBuffered(), null);
    equal(p.client.readableLength, 0);
    await p.peer.write("head\nbody");
    equal(await p.client.readLine(), "head");
    equal(p.client.readableLength, 4);
    equal(text(p.client.readBuffered()), "body");
    equal(p.client.readableLength, 0);
    const waiting = Promise.resolve(p.client.read());
    await delay(5);
    throws(() => p.client.readBuffered(), isCode("busy"));
    await p.peer.write("next");
    equal(text(await waiting), "next");
  }
  await assertNoSockets();
});
