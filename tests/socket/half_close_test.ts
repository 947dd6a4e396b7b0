// closeWrite(): send FIN, keep reading. Through a cosocket proxy, a client
// that half-closes still gets its answer from a server that answers only
// once its client has said everything (as `wc` or an HTTP/1.0 upload does).
import { deepEqual, equal, rejects } from "node:assert/strict";
import { bind, connect, type Socket, SocketError } from "@cosocket/socket";
import { assertNoSockets, connectedPair, pseudoRandomBytes } from "./_helpers.ts";

/** A plain Deno server (not ours) that reads to end of stream, then answers with the byte count. */
function countingServer(): Deno.Listener {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  (async () => {
    for await (const conn of listener) {
      (async () => {
        let total = 0;
        const buffer = new Uint8Array(65536);
        let count;
        while ((count = await conn.read(buffer)) !== null) total += count;
        await conn.write(new TextEncoder().encode(`got ${total} bytes`));
        conn.close();
      })().catch(() => {});
    }
  })().catch(() => {});
  return listener;
}

function* pipe(from: Socket, to: Socket) {
  let chunk;
  while ((chunk = yield* from.read()) !== null) yield* to.write(chunk);
}

Deno.test("closeWrite() passes a client's half-close through a cosocket proxy; the answer still arrives", async () => {
  const upstream = countingServer();
  const upstreamPort = (upstream.addr as Deno.NetAddr).port;
  const proxy = bind(0, { hostname: "127.0.0.1" }).event(function* (listener) {
    let client;
    while ((client = yield* listener.accept()) !== null) {
      client.event(function* (downstream: Socket) {
        const target = yield* connect("127.0.0.1", upstreamPort, { detached: true });
        target.event(function* (up: Socket) {
          yield* pipe(up, downstream);
          downstream.close();
        });
        yield* pipe(downstream, target);
        // The client said everything: tell the server, keep its answer coming.
        yield* target.closeWrite();
        yield* target.task!;
      });
    }
  });
  try {
    const data = pseudoRandomBytes(300_000, 7);
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: proxy.sockname().port });
    await conn.write(data);
    await conn.closeWrite();
    const answer = new Uint8Array(64);
    let got = 0;
    let count;
    while ((count = await conn.read(answer.subarray(got))) !== null) got += count;
    conn.close();
    equal(new TextDecoder().decode(answer.subarray(0, got)), "got 300000 bytes");
  } finally {
    await proxy.close();
    upstream.close();
  }
  await assertNoSockets();
});

Deno.test("closeWrite() flushes queued writes first; later writes fail with closed; twice is fine", async () => {
  const { server, client, peer } = await connectedPair();
  const data = pseudoRandomBytes(1 << 20, 3);
  const writing = Promise.resolve(client.write(data));
  await client.closeWrite();
  await client.closeWrite();
  await writing;
  await rejects(Promise.resolve(client.write("late")), (error: unknown) => {
    return error instanceof SocketError && error.code === "closed" &&
      error.message === "Cannot write to socket: its write side was closed";
  });
  const received: Uint8Array[] = [];
  let chunk;
  while ((chunk = await peer.read()) !== null) received.push(chunk);
  deepEqual(new Uint8Array(received.flatMap((c) => [...c])), data);
  // The other direction is still open.
  await peer.write("answer");
  equal(new TextDecoder().decode((await client.readExactly(6))!), "answer");
  client.close();
  peer.close();
  server.close();
  await assertNoSockets();
});

Deno.test("closeWrite() on a listener is incorrect use", async () => {
  await using server = bind(0, { hostname: "127.0.0.1" });
  await rejects(Promise.resolve(server.closeWrite()), (error: unknown) => {
    return error instanceof SocketError && error.code === "incorrectuse";
  });
});
