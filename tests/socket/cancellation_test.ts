// Every suspending operation, halted while it waits: the cosocket's finally
// blocks run, its socket closes, and nothing leaks (the sanitizers check
// ops and resources; assertNoSockets checks the socket table).
import { deepEqual, equal, ok } from "node:assert/strict";
import {
  bind,
  connect,
  event,
  mkfifo,
  openFifo,
  run,
  sleep,
  type Socket,
  sockstat,
  udpcon,
} from "@cosocket/socket";
import { assertNoSockets, certs, connectedPair, delay } from "./_helpers.ts";

/** Starts `body` as a cosocket on `sock`, halts it once it waits, and checks cleanup. */
async function haltWhileWaiting(
  sock: Socket,
  state: string,
  body: (sock: Socket) => Generator<unknown, void, unknown>,
): Promise<string[]> {
  const log: string[] = [];
  sock.event(function* (own: Socket) {
    try {
      yield* body(own) as Generator<never, void, unknown>;
      log.push("continued");
    } finally {
      log.push("finally");
    }
  });
  for (let i = 0; i < 100 && sock.state().state !== state; i++) await delay(2);
  equal(sock.state().state, state);
  await sock.task!.halt();
  equal(sock.state().connected, false);
  return log;
}

Deno.test("halting a cosocket waiting in read(), readInto(), readLine() and readExactly() cleans up", async () => {
  const bodies: ((sock: Socket) => Generator<unknown, void, unknown>)[] = [
    function* (sock) {
      yield* sock.read();
    },
    function* (sock) {
      yield* sock.readInto(new Uint8Array(16));
    },
    function* (sock) {
      yield* sock.readLine();
    },
    function* (sock) {
      yield* sock.readExactly(10, 60_000);
    },
  ];
  for (const body of bodies) {
    const { server, client, peer } = await connectedPair();
    deepEqual(await haltWhileWaiting(peer, "read", body), ["finally"]);
    equal(await client.read(), null, "the peer sees the close");
    client.close();
    server.close();
  }
  await assertNoSockets();
});

Deno.test("halting a cosocket waiting in write() cleans up", async () => {
  const { server, client, peer } = await connectedPair();
  const log = await haltWhileWaiting(client, "write", function* (sock) {
    yield* sock.write(new Uint8Array(32 << 20));
  });
  deepEqual(log, ["finally"]);
  peer.close();
  server.close();
  await assertNoSockets();
});

Deno.test("halting a cosocket writing to another socket leaves that socket usable", async () => {
  const { server, client, peer } = await connectedPair();
  const writer = event(function* () {
    yield* client.write(new Uint8Array(32 << 20));
    yield* client.write("never");
  });
  await delay(20);
  equal(writer.state().state, "write");
  await writer.task!.halt();
  // The bytes of the halted write were committed to the FIFO and still go out.
  let received = 0;
  while (received < 32 << 20) received += (await peer.read())!.length;
  await client.write("after");
  equal(new TextDecoder().decode((await peer.readExactly(5))!), "after");
  client.close();
  peer.close();
  server.close();
  await assertNoSockets();
});

Deno.test("halting a cosocket waiting in accept() closes the listener", async () => {
  const listener = bind(0, { hostname: "127.0.0.1" });
  const log = await haltWhileWaiting(listener, "accept", function* (sock) {
    yield* sock.accept();
  });
  deepEqual(log, ["finally"]);
  await listener[Symbol.asyncDispose]();
  await assertNoSockets();
});

Deno.test("halting a cosocket waiting in connect() closes the late connection", async () => {
  // A listener with a full backlog makes connect() wait.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0, tcpBacklog: 1 });
  const port = listener.addr.port;
  const fillers: Deno.Conn[] = [];
  for (let i = 0; i < 8; i++) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 200);
    try {
      fillers.push(await Deno.connect({ hostname: "127.0.0.1", port, signal: controller.signal }));
    } catch {
      break;
    } finally {
      clearTimeout(timer);
    }
  }
  const sock = event(function* () {
    yield* connect("127.0.0.1", port, { timeout: 300 });
  });
  await delay(20);
  equal(sock.state().state, "connect");
  await sock.task!.halt();
  await delay(400); // the abandoned attempt times out by itself
  for (const conn of fillers) conn.close();
  listener.close();
  await assertNoSockets();
});

Deno.test("halting a cosocket waiting in upgrade() closes the socket", async () => {
  const { server, client, peer } = await connectedPair();
  const log = await haltWhileWaiting(client, "upgrade", function* (sock) {
    yield* sock.upgrade({ caCerts: [certs.ca], timeout: 60_000 });
  });
  deepEqual(log, ["finally"]);
  peer.close();
  server.close();
  await assertNoSockets();
});

Deno.test("halting a cosocket waiting in disable() or sleep() cleans up", async () => {
  const disabled = event(function* (own: Socket) {
    yield* own.disable();
  });
  await disabled.task!.halt();
  equal(disabled.enable("late"), false);
  const sleeping = run(function* () {
    yield* sleep(60_000);
  });
  await sleeping.halt();
  await assertNoSockets();
});

Deno.test("halting a cosocket waiting in a UDP read or a pipe read cleans up", async () => {
  const udp = udpcon(undefined, undefined, { hostname: "127.0.0.1" });
  deepEqual(
    await haltWhileWaiting(udp, "read", function* (sock) {
      yield* sock.read(undefined, true);
    }),
    ["finally"],
  );
  await udp[Symbol.asyncDispose]();

  const path = await Deno.makeTempFile();
  await Deno.remove(path);
  mkfifo(path);
  const [reader, writer] = await Promise.all([openFifo(path), openFifo(path, { write: true })]);
  deepEqual(
    await haltWhileWaiting(reader, "read", function* (sock) {
      yield* sock.read();
    }),
    ["finally"],
  );
  await reader[Symbol.asyncDispose]();
  writer.close();
  await Deno.remove(path);
  await assertNoSockets();
});

Deno.test("a read that timed out hands its data to the next read", async () => {
  const { server, client, peer } = await connectedPair();
  const sock = client.event(function* (own: Socket) {
    try {
      yield* own.read(10);
    } catch {
      // timeout: the socket stays usable
    }
    return new TextDecoder().decode((yield* own.readExactly(4))!);
  });
  await delay(30);
  await peer.write("late");
  equal(await sock.task, "late");
  ok(!client.state().connected);
  peer.close();
  server.close();
  await assertNoSockets();
});

Deno.test("halting a cosocket closes the sockets it holds with `using`", async () => {
  {
    await using server = bind(0, { hostname: "127.0.0.1" });
    const task = run(function* () {
      using sock = yield* connect("127.0.0.1", server.sockname().port, { detached: true });
      yield* sock.read(); // the server never writes
    });
    await using peer = await server.accept();
    equal(sockstat().total, 3);
    await task.halt();
    equal(sockstat().total, 2, "the cosocket's connection is closed; the listener and peer remain");
    ok(peer !== null);
  }
  await assertNoSockets();
});
