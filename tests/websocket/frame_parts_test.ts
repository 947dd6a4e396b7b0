// The private parts of the frame path that the message hot path relies on:
// unmasking copies at every alignment and length, and a buffered write as its
// own iterator (done at once, waiting, failing, halted, iterated twice).
import { deepEqual, equal, rejects } from "node:assert/strict";
import { run, SocketError } from "@cosocket/socket";
import { mask, maskCopy } from "../../websocket/_frame.ts";
import { BufferedWrite } from "../../websocket/_buffered_write.ts";
import { prng } from "../socket/_helpers.ts";

function unmaskedReference(source: Uint8Array, key: number): Uint8Array {
  return source.map((byte, i) => byte ^ ((key >>> ((i & 3) << 3)) & 0xff));
}

Deno.test("maskCopy unmasks every length and alignment like the byte-wise reference", () => {
  const random = prng(7);
  for (let length = 0; length <= 80; length++) {
    for (let from = 0; from < 4; from++) {
      for (let to = 0; to < 4; to++) {
        const key = Math.floor(random() * 2 ** 32) >>> 0;
        const source = new Uint8Array(from + length + 3).map(() => Math.floor(random() * 256));
        const target = new Uint8Array(to + length + 3).fill(0xee);
        maskCopy(target.subarray(to, to + length), source, from, length, key);
        const expected = unmaskedReference(source.subarray(from, from + length), key);
        deepEqual(
          target.subarray(to, to + length),
          expected,
          `length ${length} from ${from} to ${to}`,
        );
        // Nothing around the copy is touched.
        equal(target.subarray(0, to).every((byte) => byte === 0xee), true);
        equal(target.subarray(to + length).every((byte) => byte === 0xee), true);
        // mask() in place agrees.
        const inPlace = source.slice(from, from + length);
        mask(inPlace, key, 0);
        deepEqual(inPlace, expected);
      }
    }
  }
});

Deno.test("a buffered write taken at once is done without suspending", async () => {
  const write = new BufferedWrite(null, 10);
  const iterator = write[Symbol.iterator]();
  deepEqual(iterator.next(), { done: true, value: undefined });
  equal(write.waited, true);
  await run(function* () {
    yield* write; // iterated again, in a cosocket
  });
  await write; // awaitable as well
});

Deno.test("a buffered write that waits resumes when its buffer drains, even iterated twice", async () => {
  const drained = Promise.withResolvers<void>();
  const write = new BufferedWrite(drained.promise, 70000);
  const order: string[] = [];
  const task = run(function* () {
    yield* write;
    order.push("first");
    yield* write; // a second iteration waits for the same drain
    order.push("second");
  });
  await Promise.resolve();
  deepEqual(order, []);
  drained.resolve();
  await task;
  deepEqual(order, ["first", "second"]);
});

Deno.test("a buffered write whose buffer fails throws into the cosocket that waits", async () => {
  const failing = Promise.withResolvers<void>();
  const write = new BufferedWrite(failing.promise, 70000);
  const task = run(function* () {
    try {
      yield* write;
    } catch (error) {
      return (error as SocketError).code;
    }
    return "no error";
  });
  failing.reject(new SocketError("closed", "Cannot write to WebSocket: connection is closed"));
  equal(await task, "closed");
});

Deno.test("a cosocket halted while it waits in a buffered write ends, and its finally runs", async () => {
  const never = new Promise<void>(() => {});
  const write = new BufferedWrite(never, 70000);
  let cleaned = false;
  const task = run(function* () {
    try {
      yield* write;
    } finally {
      cleaned = true;
    }
  });
  await Promise.resolve();
  await task.halt();
  equal(cleaned, true);
  await rejects(Promise.resolve(task), (error: unknown) => {
    return error instanceof SocketError && error.code === "halted";
  });
});
