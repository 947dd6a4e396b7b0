// A peer that never reads cannot grow a WebSocket server's memory without
// end: writes that do not wait are refused past maxBufferedAmount, and a
// refusal nobody looked at surfaces on the next write.
import { equal, ok, rejects } from "node:assert/strict";
import { bind, SocketError, sockstat } from "@cosocket/socket";
import {
  connect,
  type NativeWsSocket,
  upgrade,
  upgradeWebSocket,
  type WsSocket,
} from "@cosocket/websocket";

async function pair(maxBufferedAmount?: number) {
  const server = bind(0, { hostname: "127.0.0.1" });
  const accepted = server.accept().then((sock) =>
    upgrade(sock!, maxBufferedAmount === undefined ? {} : { maxBufferedAmount })
  );
  // The client never reads: the kernel's buffers fill, then ours would.
  const client = await connect(`ws://127.0.0.1:${server.sockname().port}/`);
  const ws: WsSocket = await accepted;
  return {
    ws,
    client,
    async [Symbol.asyncDispose]() {
      // The close frames wait behind the unread data: closeTimeout ends them.
      await Promise.all([ws[Symbol.asyncDispose](), client[Symbol.asyncDispose]()]);
      await server.close();
    },
  };
}

const KiB = new Uint8Array(1024).fill(0x61);

Deno.test("20,000 × 1 KiB sent without waiting to a peer that never reads stay within maxBufferedAmount", async () => {
  await using p = await pair(1 << 20);
  let refused = 0;
  for (let i = 0; i < 20_000; i++) {
    if (!p.ws.send(KiB).accepted) refused++;
    if (i % 1000 === 999) await new Promise((resolve) => setTimeout(resolve, 0));
  }
  await new Promise((resolve) => setTimeout(resolve, 10));
  ok(refused > 0, "some sends were refused");
  ok(
    p.ws.bufferedAmount <= 3 * (1 << 20),
    `bufferedAmount ${p.ws.bufferedAmount}`,
  );
  // Refusals the caller looked at are the caller's: no error is pending.
  p.ws.send("ok");
});

Deno.test("a refused send nobody looked at makes the next write throw queuefull", async () => {
  await using p = await pair(256 * 1024);
  const warn = console.warn;
  const warnings: string[] = [];
  console.warn = (...args: unknown[]) => void warnings.push(args.join(" "));
  try {
    let failure: unknown = null;
    let sent = 0;
    for (; sent < 20_000 && failure === null; sent++) {
      try {
        p.ws.send(KiB);
      } catch (error) {
        failure = error;
      }
      if (sent % 1000 === 999) await new Promise((resolve) => setTimeout(resolve, 0));
    }
    ok(failure instanceof SocketError, String(failure));
    equal(failure.code, "queuefull");
    ok(failure.message.includes("use yield* (or await) with write()/send()"), failure.message);
    equal(warnings.length, 1);
    ok(warnings[0]!.includes("buffer_limit_test.ts"), warnings[0]);
  } finally {
    console.warn = warn;
  }
});

Deno.test("a writer that awaits past the limit waits instead of being refused", async () => {
  await using p = await pair(64 * 1024);
  // Fill the kernel's buffers with awaited sends until one has to wait.
  const MiB = new Uint8Array(1 << 20);
  const later = (ms: number) => new Promise((resolve) => setTimeout(() => resolve("waiting"), ms));
  let pending: Promise<unknown> | null = null;
  for (let i = 0; i < 64 && pending === null; i++) {
    const write = Promise.resolve(p.ws.send(MiB));
    if (await Promise.race([write.then(() => "written"), later(100)]) === "waiting") {
      pending = write;
    }
  }
  ok(pending !== null, "the peer's buffers never filled");
  pending.catch(() => {});
  // Then past the limit without waiting (refused), and one awaited send:
  // it must not be dropped; it waits until the peer reads or the socket closes.
  for (let i = 0; i < 500; i++) p.ws.send(KiB).accepted;
  const awaited = Promise.resolve(p.ws.send(KiB));
  const outcome = await Promise.race([
    awaited.then(() => "written", (e) => `failed: ${e}`),
    later(50),
  ]);
  equal(outcome, "waiting");
  // The connection closes under it: the awaited send fails instead of vanishing.
  await Promise.all([p.ws.close(1000), p.client.close(1000)]);
  await rejects(awaited, SocketError);
});

Deno.test("sockets are released", () => {
  const { total, active } = sockstat();
  equal(total + active, 0);
});

Deno.test("upgradeWebSocket(): writes nobody waits for past maxBufferedAmount are dropped and reported", async () => {
  const accepted = Promise.withResolvers<NativeWsSocket>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const { socket, response } = upgradeWebSocket(request, { maxBufferedAmount: 256 * 1024 });
    accepted.resolve(socket);
    return response;
  });
  const client = await connect(`ws://127.0.0.1:${server.addr.port}/`);
  const ws = await accepted.promise;
  await new Promise((resolve) => setTimeout(resolve, 20));
  let failure: unknown = null;
  let sent = 0;
  for (; sent < 20_000 && failure === null; sent++) {
    try {
      ws.send(KiB);
    } catch (error) {
      failure = error;
    }
    if (sent % 500 === 499) await new Promise((resolve) => setTimeout(resolve, 0));
  }
  ok(failure instanceof SocketError, `no refusal after ${sent} sends: ${String(failure)}`);
  equal(failure.code, "queuefull");
  ok(ws.bufferedAmount <= 256 * 1024 + 1024, `bufferedAmount ${ws.bufferedAmount}`);
  await Promise.all([ws.close(1000), client.close(1000)]);
  await server.shutdown();
});
