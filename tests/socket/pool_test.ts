import { equal, ok, throws } from "node:assert/strict";
import { bind, closePool, connect, event, poolSize, type Socket } from "@cosocket/socket";
import { assertNoSockets, delay, isCode, text } from "./_helpers.ts";

/** A server that answers each line with "<its connection number>:<line>". */
function lineServer(): { server: Socket; connections: () => number; peers: Socket[] } {
  let count = 0;
  const peers: Socket[] = [];
  const server = bind(0, { hostname: "127.0.0.1" }).event(function* (listener: Socket) {
    let client;
    while ((client = yield* listener.accept()) !== null) {
      const id = ++count;
      peers.push(client);
      client.event(function* (sock: Socket) {
        let line;
        while ((line = yield* sock.readLine()) !== null) yield* sock.write(`${id}:${line}\n`);
      });
    }
  });
  return { server, connections: () => count, peers };
}

/** A connection to the line server that has asked and been answered once. */
async function usedOnce(port: number): Promise<Socket> {
  const client = await connect("127.0.0.1", port);
  await client.write("a\n");
  equal(await client.readLine(), "1:a");
  return client;
}

Deno.test("setKeepAlive() parks a connection that the next connect() to the same place reuses", async () => {
  {
    const { server, connections } = lineServer();
    const port = server.sockname().port;
    const first = await connect("127.0.0.1", port);
    await first.write("a\n");
    equal(await first.readLine(), "1:a");
    first.setKeepAlive();
    equal(poolSize(), 1);
    equal(first.state().connected, false);
    const second = await connect("127.0.0.1", port);
    equal(poolSize(), 0);
    equal(second.reusedTimes(), 1);
    await second.write("b\n");
    equal(await second.readLine(), "1:b");
    equal(connections(), 1);
    const fresh = await connect("127.0.0.1", port, { pool: false });
    await fresh.write("c\n");
    equal(await fresh.readLine(), "2:c");
    second.close();
    fresh.close();
    first.close();
    await server[Symbol.asyncDispose]();
  }
  await assertNoSockets();
});

Deno.test("setKeepAlive() is refused while unread data remains", async () => {
  {
    const { server } = lineServer();
    const client = await connect("127.0.0.1", server.sockname().port);
    await client.write("x\ny\n");
    equal(await client.readLine(), "1:x");
    await delay(10);
    // "1:y" may already be buffered or in flight: either way it is unread.
    const refused = (() => {
      try {
        client.setKeepAlive();
        return false;
      } catch (error) {
        return isCode("incorrectuse")(error);
      }
    })();
    ok(refused);
    equal(await client.readLine(), "1:y");
    client.close();
    await server[Symbol.asyncDispose]();
  }
  await assertNoSockets();
});

Deno.test("a pooled connection closed by the server is discarded, not reused", async () => {
  {
    const { server, connections, peers } = lineServer();
    const port = server.sockname().port;
    const client = await usedOnce(port);
    client.setKeepAlive();
    peers[0]!.close();
    await delay(20);
    equal(poolSize(), 0);
    const next = await connect("127.0.0.1", port);
    equal(next.reusedTimes(), 0);
    await next.write("b\n");
    equal(await next.readLine(), "2:b");
    equal(connections(), 2);
    next.close();
    client.close();
    await server[Symbol.asyncDispose]();
  }
  await assertNoSockets();
});

Deno.test("a connection taken back at once is reused as it is; the server's close is its end of stream", async () => {
  {
    const { server, connections, peers } = lineServer();
    const port = server.sockname().port;
    const client = await usedOnce(port);
    // Parked and taken again before the pool watched it (no timer ran between).
    client.setKeepAlive();
    const again = await connect("127.0.0.1", port);
    equal(again.reusedTimes(), 1);
    await again.write("b\n");
    equal(await again.readLine(), "1:b");
    // The server closes it right after it is parked: the next user reads the end.
    again.setKeepAlive();
    peers[0]!.close();
    const stale = await connect("127.0.0.1", port);
    equal(stale.reusedTimes(), 2);
    equal(await stale.readLine(), null);
    equal(connections(), 1);
    stale.close();
    again.close();
    client.close();
    await server[Symbol.asyncDispose]();
  }
  await assertNoSockets();
});

Deno.test("a parked connection's stray bytes make the pool drop it", async () => {
  {
    const { server, peers } = lineServer();
    const port = server.sockname().port;
    const client = await usedOnce(port);
    client.setKeepAlive();
    await delay(20);
    equal(poolSize(), 1);
    await peers[0]!.write("unasked\n");
    await delay(20);
    equal(poolSize(), 0);
    const next = await connect("127.0.0.1", port);
    equal(next.reusedTimes(), 0);
    next.close();
    client.close();
    await server[Symbol.asyncDispose]();
  }
  await assertNoSockets();
});

Deno.test("setKeepAlive() honours the idle timeout and the pool size", async () => {
  {
    const { server } = lineServer();
    const port = server.sockname().port;
    const sockets = await Promise.all(
      [1, 2, 3].map(() => connect("127.0.0.1", port, { pool: "small" })),
    );
    for (const sock of sockets) sock.setKeepAlive({ poolSize: 2, timeout: 30 });
    equal(poolSize(), 2);
    await delay(80);
    equal(poolSize(), 0);
    for (const sock of sockets) sock.close();
    await closePool();
    await server[Symbol.asyncDispose]();
  }
  await assertNoSockets();
});

Deno.test("a cosocket can park its connection and connect its socket again", async () => {
  {
    const { server, connections } = lineServer();
    const port = server.sockname().port;
    const sock = event(function* (own: Socket) {
      yield* connect("127.0.0.1", port);
      yield* own.write("one\n");
      const first = yield* own.readLine();
      own.setKeepAlive();
      yield* connect("127.0.0.1", port);
      yield* own.write("two\n");
      return [first, yield* own.readLine(), own.reusedTimes()];
    });
    const [first, second, reused] = (await sock.task) as [string, string, number];
    equal(first, "1:one");
    equal(second, "1:two");
    equal(reused, 1);
    equal(connections(), 1);
    await server[Symbol.asyncDispose]();
  }
  await assertNoSockets();
});

Deno.test("setKeepAlive() on an accepted or unconnected socket fails with incorrectuse", async () => {
  {
    await using server = bind(0, { hostname: "127.0.0.1" });
    await using client = await connect("127.0.0.1", server.sockname().port, { pool: false });
    await using peer = (await server.accept())!;
    throws(() => peer.setKeepAlive(), isCode("incorrectuse"));
    throws(() => client.setKeepAlive(), isCode("incorrectuse"));
    equal(text(new Uint8Array()), "");
  }
  await assertNoSockets();
});
