import { deepEqual, equal, ok, rejects, throws } from "node:assert/strict";
import { bind, connect, event, run, sleep, type Socket, type SocketState } from "@cosocket/socket";
import { assertNoSockets, delay, isCode, text } from "./_helpers.ts";

Deno.test("connect() inside a cosocket connects the cosocket's own socket (seed Example 10)", async () => {
  {
    await using server = bind(0, { hostname: "127.0.0.1" });
    const port = server.sockname().port;
    const cosocket = event(function* (sock: Socket) {
      equal(sock.state().state, "exec");
      equal(sock.state().connected, false);
      const socket = yield* connect("127.0.0.1", port);
      equal(socket, sock);
      yield* sock.write("hello");
      return text(yield* sock.read());
    });
    await using peer = (await server.accept())!;
    equal(text(await peer.readExactly(5)), "hello");
    await peer.write("world");
    equal(await cosocket.task, "world");
    equal(cosocket.state().connected, false, "the socket closed when the cosocket returned");
  }
  await assertNoSockets();
});

Deno.test("a second connect() in a cosocket fails with incorrectuse; detached makes another socket", async () => {
  {
    await using server = bind(0, { hostname: "127.0.0.1" });
    const port = server.sockname().port;
    const cosocket = event(function* (sock: Socket) {
      yield* connect("127.0.0.1", port);
      let failure: unknown = null;
      try {
        yield* connect("127.0.0.1", port);
      } catch (error) {
        failure = error;
      }
      ok(isCode("incorrectuse")(failure));
      const other = yield* connect("127.0.0.1", port, { detached: true });
      ok(other !== sock);
      other.close();
    });
    await using first = (await server.accept())!;
    await using second = (await server.accept())!;
    await cosocket.task;
    equal(await first.read(), null);
    equal(await second.read(), null);
  }
  await assertNoSockets();
});

Deno.test("bind() inside a cosocket binds its socket, which then accepts", async () => {
  {
    let port = 0;
    const listener = event(function* (sock: Socket) {
      const server = bind(0, { hostname: "127.0.0.1" });
      equal(server, sock);
      port = sock.sockname().port;
      const client = yield* sock.accept();
      yield* client!.write("accepted");
      client!.close();
    });
    await using client = await connect("127.0.0.1", port);
    equal(text(await client.readExactly(8)), "accepted");
    await listener.task;
  }
  await assertNoSockets();
});

Deno.test("reading a cosocket's socket from async code throws incorrectuse", async () => {
  {
    await using server = bind(0, { hostname: "127.0.0.1" });
    await using client = await connect("127.0.0.1", server.sockname().port);
    const peer = (await server.accept())!;
    peer.event(function* (sock: Socket) {
      equal(sock.owner(), true);
      while ((yield* sock.read()) !== null);
    });
    equal(peer.owner(), false);
    await rejects(Promise.resolve(peer.read()), isCode("incorrectuse"));
    await peer.write("written from outside");
    equal(text(await client.readExactly(20)), "written from outside");
    client.close();
    await peer.task;
  }
  await assertNoSockets();
});

Deno.test("a cosocket waiting in read resumes with null when its socket is closed elsewhere", async () => {
  {
    await using server = bind(0, { hostname: "127.0.0.1" });
    await using _client = await connect("127.0.0.1", server.sockname().port);
    const peer = (await server.accept())!;
    peer.event(function* (sock: Socket) {
      return yield* sock.read();
    });
    await delay(5);
    equal(peer.state().state, "read");
    peer.close();
    equal(await peer.task, null);
  }
  await assertNoSockets();
});

Deno.test("halting a cosocket waiting in read closes its socket and runs its finally blocks", async () => {
  {
    await using server = bind(0, { hostname: "127.0.0.1" });
    await using client = await connect("127.0.0.1", server.sockname().port);
    const peer = (await server.accept())!;
    let cleaned = false;
    peer.event(function* (sock: Socket) {
      try {
        yield* sock.read();
      } finally {
        cleaned = true;
      }
    });
    await peer.task!.halt();
    ok(cleaned);
    equal(peer.state().connected, false);
    equal(await client.read(), null);
  }
  await assertNoSockets();
});

Deno.test("disable() returns the values passed to enable()", async () => {
  const sock = event(function* (own: Socket) {
    const values = yield* own.disable();
    return values;
  });
  equal(sock.state().state, "read");
  ok(sock.enable("a", 2));
  deepEqual(await sock.task, ["a", 2]);
  equal(sock.enable(), false);
  await assertNoSockets();
});

Deno.test("a peer close resumes a disabled connected cosocket with no values", async () => {
  {
    await using server = bind(0, { hostname: "127.0.0.1" });
    const port = server.sockname().port;
    const sock = event(function* (own: Socket) {
      yield* connect("127.0.0.1", port);
      const values = yield* own.disable();
      return { values, connected: (yield* own.read()) !== null };
    });
    const peer = (await server.accept())!;
    await delay(5);
    peer.close();
    deepEqual(await sock.task, { values: [], connected: false });
  }
  await assertNoSockets();
});

Deno.test("disable() from outside holds back data until enable()", async () => {
  {
    await using server = bind(0, { hostname: "127.0.0.1" });
    await using client = await connect("127.0.0.1", server.sockname().port);
    const peer = (await server.accept())!;
    const received: string[] = [];
    peer.event(function* (sock: Socket) {
      let data;
      while ((data = yield* sock.read()) !== null) received.push(text(data)!);
    });
    await peer.disable();
    await client.write("held");
    await delay(20);
    deepEqual(received, []);
    ok(peer.enable());
    await delay(20);
    deepEqual(received, ["held"]);
    client.close();
    await peer.task;
  }
  await assertNoSockets();
});

Deno.test("disable() from outside is refused while the cosocket waits in a write", async () => {
  {
    await using server = bind(0, { hostname: "127.0.0.1" });
    await using _client = await connect("127.0.0.1", server.sockname().port);
    const peer = (await server.accept())!;
    peer.event(function* (sock: Socket) {
      yield* sock.write(new Uint8Array(32 << 20));
    });
    await delay(20);
    equal(peer.state().state, "write");
    throws(() => peer.disable(), isCode("incorrectuse"));
    peer.close();
    await rejects(Promise.resolve(peer.task!), isCode("closed"));
  }
  await assertNoSockets();
});

Deno.test("read(ms) on its own unconnected socket sleeps and then fails with timeout", async () => {
  const sock = event(function* (own: Socket) {
    const started = Date.now();
    try {
      yield* own.read(20);
    } catch (error) {
      ok(isCode("timeout")(error));
      return Date.now() - started >= 15;
    }
    return false;
  });
  ok(await sock.task);
  await rejects(
    Promise.resolve(
      event(function* (own: Socket) {
        yield* own.read();
      }).task!,
    ),
    isCode("incorrectuse"),
  );
  await assertNoSockets();
});

Deno.test("state() walks through notcon, connect, read, write, accept and exec", async () => {
  /** Waits (at most 5 s) until `socket` reports `state`, then records it. */
  const reach = async (socket: Socket, state: SocketState, states: SocketState[]) => {
    for (let i = 0; i < 500 && socket.state().state !== state; i++) await delay(10);
    states.push(socket.state().state);
  };
  {
    await using server = bind(0, { hostname: "127.0.0.1" });
    const port = server.sockname().port;
    const states: SocketState[] = [];
    const sock = event(function* (own: Socket) {
      states.push(own.state().state); // exec (running, not connected)
      yield* sleep(0);
      // Seen after connect() started and before it can finish (that takes an
      // event loop turn): the state while connecting, without a race.
      queueMicrotask(() => states.push(own.state().state)); // connect
      yield* connect("127.0.0.1", port);
      states.push(own.state().state); // exec
      yield* own.read();
      yield* own.write(new Uint8Array(16 << 20));
    });
    const peer = (await server.accept())!;
    await reach(sock, "read", states);
    await peer.write("go");
    await reach(sock, "write", states);
    equal(server.state().state, "exec");
    const accepting = Promise.resolve(server.accept());
    await reach(server, "accept", states); // async code waiting
    peer.close();
    await rejects(Promise.resolve(sock.task!), isCode("closed"));
    states.push(sock.state().state); // notcon
    deepEqual(states, ["exec", "connect", "exec", "read", "write", "accept", "notcon"]);
    server.close();
    equal(await accepting, null);
  }
  await assertNoSockets();
});

Deno.test("the seed's proxy pattern: disable() waits for enable() from another cosocket", async () => {
  {
    await using server = bind(0, { hostname: "127.0.0.1" });
    const port = server.sockname().port;
    const main = event(function* (own: Socket) {
      event(function* (helper: Socket) {
        yield* connect("127.0.0.1", port);
        own.enable(helper);
        yield* sleep(20);
      });
      const [helper] = yield* own.disable();
      return (helper as Socket).state().connected;
    });
    const peer = (await server.accept())!;
    ok(await main.task);
    peer.close();
  }
  await assertNoSockets();
});

Deno.test("run() tasks have no socket and cannot read one of a cosocket", async () => {
  const sock = event(function* (own: Socket) {
    yield* own.disable();
  });
  await rejects(
    Promise.resolve(run(function* () {
      yield* sock.read(10);
    })),
    isCode("incorrectuse"),
  );
  sock.enable();
  await sock.task;
  await assertNoSockets();
});
