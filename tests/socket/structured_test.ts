// Structured concurrency: a cosocket started inside another is its child and
// ends with it; closing a listener ends every connection it accepted.
import { deepEqual, equal, throws } from "node:assert/strict";
import {
  bind,
  ensure,
  run,
  sleep,
  type Socket,
  SocketError,
  sockstat,
  spawn,
  type Task,
} from "@cosocket/socket";
import { assertNoSockets, connectedPair } from "./_helpers.ts";

function* echo(sock: Socket) {
  let data;
  while ((data = yield* sock.read()) !== null) yield* sock.write(data);
}

/** 100 clients that keep sending and reading until their connection ends. */
async function busyClients(port: number, count: number) {
  const conns = await Promise.all(
    Array.from({ length: count }, () => Deno.connect({ hostname: "127.0.0.1", port })),
  );
  const loops = conns.map(async (conn) => {
    const buffer = new Uint8Array(4096);
    try {
      while (true) {
        await conn.write(buffer);
        if (await conn.read(buffer) === null) return;
      }
    } catch {
      // The server went away mid-traffic: that is the point.
    } finally {
      conn.close();
    }
  });
  // Let the traffic flow before the server goes.
  await new Promise((resolve) => setTimeout(resolve, 100));
  return Promise.all(loops);
}

Deno.test("disposing a server with 100 busy connections ends them all before dispose resolves", async () => {
  let clients: Promise<unknown> | null = null;
  {
    await using server = bind(0, { hostname: "127.0.0.1" }).event(function* (listener) {
      let client;
      while ((client = yield* listener.accept()) !== null) client.event(echo);
    });
    clients = busyClients(server.sockname().port, 100);
    await new Promise((resolve) => setTimeout(resolve, 150));
    equal(sockstat().active, 101);
  }
  const { total, active } = sockstat();
  deepEqual({ total, active }, { total: 0, active: 0 });
  await clients;
});

Deno.test("await server.close() returns once every connection cosocket has finished", async () => {
  const ended: string[] = [];
  const server = bind(0, { hostname: "127.0.0.1" }).event(function* (listener) {
    let client;
    while ((client = yield* listener.accept()) !== null) {
      client.event(function* (sock: Socket) {
        yield* ensure(() => void ended.push("connection"));
        yield* echo(sock);
      });
    }
    ended.push("accept loop");
  });
  const clients = busyClients(server.sockname().port, 20);
  await new Promise((resolve) => setTimeout(resolve, 150));
  await server.close();
  const { total, active } = sockstat();
  deepEqual({ total, active }, { total: 0, active: 0 });
  equal(ended.filter((e) => e === "connection").length, 20);
  equal(ended[0], "accept loop");
  await clients;
});

Deno.test("a parent halted while its child waits in a write halts the child first", async () => {
  const { server, client, peer } = await connectedPair();
  const order: string[] = [];
  let childTask: { done: boolean } | null = null;
  const parent = run(function* () {
    yield* ensure(() => void order.push("parent teardown"));
    childTask = spawn(function* () {
      try {
        // The peer never reads: the write waits for the kernel.
        yield* client.write(new Uint8Array(64 << 20));
      } finally {
        order.push("child finally");
      }
    });
    yield* sleep(60_000);
  });
  await new Promise((resolve) => setTimeout(resolve, 50));
  equal(client.state().state, "write");
  await parent.halt();
  deepEqual(order, ["child finally", "parent teardown"]);
  equal(childTask!.done, true);
  client.close();
  peer.close();
  await server.close();
  await assertNoSockets();
});

Deno.test("nested three deep: halting the top ends the innermost first", async () => {
  const order: string[] = [];
  const top = run(function* () {
    yield* ensure(() => void order.push("1"));
    spawn(function* () {
      yield* ensure(() => void order.push("2"));
      spawn(function* () {
        yield* ensure(() => void order.push("3"));
        yield* sleep(60_000);
      });
      yield* sleep(60_000);
    });
    yield* sleep(60_000);
  });
  await new Promise((resolve) => setTimeout(resolve, 10));
  equal(sockstat().active, 3);
  await top.halt();
  deepEqual(order, ["3", "2", "1"]);
  equal(sockstat().active, 0);
});

Deno.test("children end when their parent returns, in reverse start order; a detached one lives on", async () => {
  const order: string[] = [];
  let detached: Task<void> | null = null;
  // deno-lint-ignore require-yield
  await run(function* () {
    for (const name of ["a", "b", "c"]) {
      spawn(function* () {
        yield* ensure(() => void order.push(name));
        yield* sleep(60_000);
      });
    }
    detached = spawn(function* () {
      yield* sleep(60_000);
    });
    detached.detach();
    return "done";
  });
  deepEqual(order, ["c", "b", "a"]);
  equal(detached!.done, false);
  await detached!.halt();
  equal(sockstat().active, 0);
});

Deno.test("spawn() outside a cosocket is incorrect use", () => {
  throws(() => spawn(function* () {}), (error: unknown) => {
    return error instanceof SocketError && error.code === "incorrectuse" &&
      error.message.includes("use run() outside one");
  });
});
