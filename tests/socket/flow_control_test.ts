import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { event, sleep, type Socket, SocketError } from "@cosocket/socket";
import { assertNoSockets, connectedPair, delay } from "./_helpers.ts";
import { Prng } from "../_shared.ts";

/** A block of `size` bytes tagged with its writer and sequence number. */
function block(writer: number, sequence: number, size: number): Uint8Array {
  const bytes = new Uint8Array(size).fill(writer * 16 + (sequence % 16));
  bytes[0] = writer;
  bytes[1] = sequence;
  return bytes;
}

/** Reads and drops at least `total` bytes. */
async function drainUntil(peer: Socket, total: number): Promise<void> {
  let got = 0;
  while (got < total) {
    const chunk = await peer.read();
    if (chunk === null) break;
    got += chunk.length;
  }
  ok(got >= total);
}

/** Reads everything slowly: small reads with pauses, as a slow peer does. */
async function readSlowly(peer: Socket, total: number, pauseEvery = 64 << 10): Promise<Uint8Array> {
  const received = new Uint8Array(total);
  let offset = 0;
  let sincePause = 0;
  while (offset < total) {
    const chunk = await peer.read();
    if (chunk === null) break;
    received.set(chunk, offset);
    offset += chunk.length;
    sincePause += chunk.length;
    if (sincePause >= pauseEvery) {
      sincePause = 0;
      await delay(1);
    }
  }
  equal(offset, total);
  return received;
}

Deno.test("write() serves three cosocket writers strictly FIFO while the peer reads slowly", async () => {
  const { server, client, peer } = await connectedPair();
  const size = 64 << 10;
  const rounds = 12;
  const order: Uint8Array[] = [];
  const writers = [1, 2, 3].map((writer) =>
    event(function* () {
      for (let sequence = 0; sequence < rounds; sequence++) {
        const bytes = block(writer, sequence, size);
        order.push(bytes);
        yield* client.write(bytes);
        if (sequence % 3 === writer - 1) yield* sleep(0);
      }
    })
  );
  const received = await readSlowly(peer, 3 * rounds * size);
  for (const writer of writers) await writer.task;
  const expected = new Uint8Array(received.length);
  order.forEach((bytes, index) => expected.set(bytes, index * size));
  ok(
    received.every((byte, index) => byte === expected[index]),
    "bytes arrive in call order, unsplit",
  );
  // The writers really were interleaved, so the order above is not trivial.
  ok(order.slice(0, 6).some((bytes) => bytes[0] !== order[0]![0]));
  client.close();
  peer.close();
  server.close();
  await assertNoSockets();
});

Deno.test("write() from code that does not wait queues up to queuelen() bytes, then drops whole writes", async () => {
  const { server, client, peer } = await connectedPair();
  equal(client.queuelen(), 16384);
  // A waiting writer fills the kernel buffers first, so later writes queue.
  const head = new Uint8Array(32 << 20).fill(0xee);
  const waiting = Promise.resolve(client.write(head));
  await delay(10);
  const accepted: Uint8Array[] = [];
  let refused = 0;
  let lastQueueLength = 0;
  await new Promise<void>((resolve) => {
    let sequence = 0;
    const timer = setInterval(() => {
      // Timer callbacks cannot wait: they write and look at the result.
      for (let i = 0; i < 8; i++, sequence++) {
        const bytes = block(4, sequence & 0xff, 1000);
        const write = client.write(bytes);
        if (write.accepted) accepted.push(bytes);
        else {
          refused++;
          lastQueueLength = write.queueLength;
        }
      }
      if (sequence >= 40) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  equal(accepted.length, 16, "16 writes of 1000 bytes fit in 16 KiB");
  equal(refused, 40 - 16);
  equal(lastQueueLength, 16000);
  equal(client.bufferedAmount >= 16000, true);
  const received = await readSlowly(peer, head.length + accepted.length * 1000, 1 << 20);
  await waiting;
  ok(received.subarray(0, head.length).every((byte) => byte === 0xee));
  accepted.forEach((bytes, index) => {
    const start = head.length + index * 1000;
    deepEqual(received.subarray(start, start + 1000), bytes);
  });
  client.close();
  peer.close();
  server.close();
  await assertNoSockets();
});

Deno.test("write() from async code that awaits waits instead of failing when the queue is full", async () => {
  const { server, client, peer } = await connectedPair();
  client.queuelen(1024);
  const head = new Uint8Array(32 << 20).fill(0xee);
  const waiting = Promise.resolve(client.write(head));
  await delay(10);
  const blocks = Array.from({ length: 40 }, (_, index) => block(5, index, 1000));
  const writes = blocks.map((bytes) => client.write(bytes));
  ok(writes.some((write) => !write.accepted), "the queue was full for some");
  const all = Promise.all(writes.map((write) => Promise.resolve(write)));
  const received = await readSlowly(peer, head.length + 40 * 1000, 1 << 20);
  await Promise.all([waiting, all]);
  blocks.forEach((bytes, index) => {
    const start = head.length + index * 1000;
    deepEqual(received.subarray(start, start + 1000), bytes);
  });
  client.close();
  peer.close();
  server.close();
  await assertNoSockets();
});

Deno.test("queuelen() sets the queue length and rejects bad values", async () => {
  const { server, client, peer } = await connectedPair();
  equal(client.queuelen(100), 100);
  equal(client.queuelen(), 100);
  throws(() => client.queuelen(-1), RangeError);
  throws(() => client.queuelen(1.5), RangeError);
  client.close();
  peer.close();
  server.close();
  await assertNoSockets();
});

Deno.test("a cosocket writing to another socket waits (flow control, seed Example 12)", async () => {
  const { server, client, peer } = await connectedPair();
  const total = 16 << 20;
  const sender = event(function* () {
    const chunk = new Uint8Array(256 << 10).fill(7);
    for (let sent = 0; sent < total; sent += chunk.length) yield* client.write(chunk);
  });
  await delay(20);
  equal(sender.state().state, "write", "the sender waits while the peer does not read");
  ok(client.bufferedAmount <= 256 << 10, "no more than one chunk is held in the queue");
  const received = await readSlowly(peer, total, 4 << 20);
  ok(received.every((byte) => byte === 7));
  await sender.task;
  client.close();
  peer.close();
  server.close();
  await assertNoSockets();
});

Deno.test("a cosocket may write without waiting; its writes still go out in order", async () => {
  const { server, client, peer } = await connectedPair();
  const sock = client.event(function* (own: Socket) {
    own.write("one,");
    own.write("two,");
    yield* sleep(5);
    own.write("three");
    return yield* own.read();
  });
  equal(new TextDecoder().decode((await peer.readExactly(13))!), "one,two,three");
  await peer.write("bye");
  equal(new TextDecoder().decode((await sock.task) as Uint8Array), "bye");
  peer.close();
  server.close();
  await assertNoSockets();
});

Deno.test("a refused write nobody looked at surfaces on the socket's next operation, with one warning", async () => {
  const { server, client, peer } = await connectedPair();
  client.queuelen(1024);
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => void warnings.push(args.join(" "));
  try {
    // The classic mistake: writes from a loop that forgot its yield*/await.
    const head = new Uint8Array(32 << 20).fill(0xee);
    const waiting = Promise.resolve(client.write(head));
    await delay(10);
    for (let i = 0; i < 40; i++) client.write(block(6, i, 1000));
    await delay(10);
    let failure: unknown = null;
    try {
      await client.write("next");
    } catch (error) {
      failure = error;
    }
    ok(failure instanceof SocketError, String(failure));
    equal(failure.code, "queuefull");
    ok(failure.message.includes("use yield* (or await) with write()"), failure.message);
    equal(warnings.length, 1);
    const firstFrame = warnings[0]!.split("called at:\n")[1]?.split("\n")[0] ?? "";
    ok(firstFrame.includes("flow_control_test.ts"), `the warning names the call: ${firstFrame}`);
    // Reported once: the socket goes on working.
    await drainUntil(peer, head.length);
    await waiting;
  } finally {
    console.warn = warn;
  }
  client.close();
  peer.close();
  server.close();
  await assertNoSockets();
});

Deno.test("a refused write whose caller looked at accepted is the caller's to handle", async () => {
  const { server, client, peer } = await connectedPair();
  client.queuelen(1024);
  const head = new Uint8Array(32 << 20).fill(0xee);
  const waiting = Promise.resolve(client.write(head));
  await delay(10);
  const refused = Array.from({ length: 40 }, (_, i) => client.write(block(7, i, 1000)))
    .filter((write) => !write.accepted);
  ok(refused.length > 0);
  await delay(10);
  // No error pending: the next read of the peer's data works.
  const next = Promise.resolve(client.write("next"));
  await drainUntil(peer, head.length + 4);
  await Promise.all([waiting, next]);
  client.close();
  peer.close();
  server.close();
  await assertNoSockets();
});

Deno.test("small writes queued behind one in flight leave together, in order, and each settles", async () => {
  const { server, client, peer } = await connectedPair();
  // Sizes vary so that a batch boundary falls anywhere; all fit queuelen.
  const writes = Array.from({ length: 300 }, (_, index) => block(1, index, 8 + (index * 7) % 40));
  const total = writes.reduce((sum, bytes) => sum + bytes.length, 0);
  const pending = writes.map((bytes) => client.write(bytes));
  ok(pending.every((write) => write.accepted));
  const received = await peer.readExactly(total);
  await Promise.all(pending);
  let at = 0;
  for (const bytes of writes) {
    deepEqual(received!.subarray(at, at + bytes.length), bytes);
    at += bytes.length;
  }
  client.close();
  peer.close();
  server.close();
  await assertNoSockets();
});

Deno.test("batched writes the kernel takes in parts are finished, in order, while the peer reads slowly", async () => {
  const { server, client, peer } = await connectedPair();
  // 4 MiB of 1 KiB writes, all awaited: far more than the kernel buffers,
  // so batches are written in parts.
  const writes = Array.from({ length: 4096 }, (_, index) => block(2, index, 1024));
  const pending = writes.map((bytes) => client.write(bytes).then(() => bytes));
  const received = await readSlowly(peer, 4096 * 1024, 256 << 10);
  await Promise.all(pending);
  for (let index = 0; index < writes.length; index++) {
    deepEqual(received.subarray(index * 1024, (index + 1) * 1024), writes[index]);
  }
  client.close();
  peer.close();
  server.close();
  await assertNoSockets();
});

Deno.test("closing a socket fails the batched writes still queued, none hangs", async () => {
  const { server, client, peer } = await connectedPair();
  // The peer does not read: the kernel fills, and batches wait their turn.
  const pending = Array.from(
    { length: 2048 },
    (_, index) => client.write(block(3, index, 4096)).then(() => "written", (error) => error),
  );
  await delay(50);
  client.close();
  const outcomes = await Promise.all(pending);
  const failed = outcomes.filter((outcome) => outcome instanceof SocketError);
  ok(failed.length > 0, "some writes were still queued when the socket closed");
  ok(failed.every((error) => (error as SocketError).code === "closed"));
  // Writes settle in order: every failure comes after every success.
  const firstFailure = outcomes.findIndex((outcome) => outcome !== "written");
  ok(outcomes.slice(firstFailure).every((outcome) => outcome instanceof SocketError));
  peer.close();
  server.close();
  await assertNoSockets();
});

Deno.test("random writes from a cosocket and async code, waited for or not, arrive whole and in call order (seeded)", async () => {
  for (const seed of [1, 2, 3]) {
    const { server, client, peer } = await connectedPair();
    const prng = new Prng(seed);
    // Mostly small writes (they batch), some up to 40 KB (they do not).
    const plan = () =>
      Array.from({ length: 300 }, () => ({
        bytes: prng.bytes(prng.chance(0.8) ? 1 + prng.int(300) : 1 + prng.int(40000)),
        wait: prng.chance(0.5),
        pause: prng.chance(0.05),
      }));
    const [first, second] = [plan(), plan()];
    const total = [...first, ...second].reduce((sum, step) => sum + step.bytes.length, 0);
    // The stream must carry the writes in the order they were called.
    const called: Uint8Array[] = [];
    const cosocket = event(function* () {
      for (const step of first) {
        called.push(step.bytes);
        const write = client.write(step.bytes);
        // A write past the queue length is sent only if its caller waits.
        if (step.wait || !write.accepted) yield* write;
        if (step.pause) yield* sleep(0);
      }
    });
    const asyncWriter = (async () => {
      for (const step of second) {
        called.push(step.bytes);
        const write = client.write(step.bytes);
        if (step.wait || !write.accepted) await write;
        if (step.pause) await delay(0);
      }
    })();
    const received = await readSlowly(peer, total, 32 << 10);
    await Promise.all([cosocket.task, asyncWriter]);
    let at = 0;
    for (const bytes of called) {
      deepEqual(received.subarray(at, at + bytes.length), bytes, `seed ${seed}, at byte ${at}`);
      at += bytes.length;
    }
    client.close();
    peer.close();
    server.close();
  }
  await assertNoSockets();
});
