import { deepEqual, equal, ok, rejects, throws } from "node:assert/strict";
import {
  ensure,
  event,
  getsock,
  operation,
  run,
  sleep,
  type Socket,
  SocketError,
  type Suspension,
  type Task,
  until,
} from "@cosocket/socket";
import { assertNoSockets, connectedPair, delay } from "./_helpers.ts";

Deno.test("run() returns the generator's result to await", async () => {
  equal(
    await run(function* () {
      yield* sleep(1);
      return 7;
    }),
    7,
  );
});

Deno.test("run() rejects with the generator's error", async () => {
  await rejects(
    Promise.resolve(run(function* () {
      yield* sleep(1);
      throw new RangeError("boom");
    })),
    RangeError,
  );
});

Deno.test("run() starts the cosocket synchronously up to its first suspension", () => {
  const steps: string[] = [];
  const task = run(function* () {
    steps.push("started");
    yield* sleep(0);
    steps.push("resumed");
  });
  deepEqual(steps, ["started"]);
  return Promise.resolve(task).then(() => deepEqual(steps, ["started", "resumed"]));
});

Deno.test("Task.halt() runs finally blocks and clears the pending timer", async () => {
  let cleaned = false;
  const task = run(function* () {
    try {
      yield* sleep(60_000);
    } finally {
      cleaned = true;
    }
  });
  await task.halt();
  ok(cleaned);
  ok(task.done);
  await rejects(Promise.resolve(task), (error: unknown) => {
    return error instanceof SocketError && error.code === "halted";
  });
});

Deno.test("Task.halt() runs nothing after the halted operation, even through yield*", async () => {
  const log: string[] = [];
  function* inner() {
    try {
      yield* sleep(60_000);
    } finally {
      log.push("inner finally");
      // Suspending cleanup in finally is skipped on halt (use ensure()).
      yield* sleep(1);
      log.push("inner after suspend in finally");
    }
  }
  const task = run(function* () {
    try {
      yield* inner();
      log.push("outer continued");
    } finally {
      log.push("outer finally");
    }
  });
  await task.halt();
  await delay(20);
  deepEqual(log, ["inner finally", "outer finally"]);
});

Deno.test("ensure() teardowns run in reverse order, may do I/O, and finish before halt() resolves", async () => {
  const log: string[] = [];
  const task = run(function* () {
    yield* ensure(async () => {
      await delay(5);
      log.push("first registered");
    });
    yield* ensure(() => {
      log.push("second registered");
    });
    yield* sleep(60_000);
  });
  await task.halt();
  deepEqual(log, ["second registered", "first registered"]);
});

Deno.test("ensure() outside a cosocket throws incorrectuse", async () => {
  await rejects(Promise.resolve(ensure(() => {})), (error: unknown) => {
    return error instanceof SocketError && error.code === "incorrectuse";
  });
});

Deno.test("Task.halt() from the cosocket itself throws incorrectuse", async () => {
  const holder: { task?: Task<void> } = {};
  holder.task = run(function* () {
    yield* sleep(0);
    throws(() => void holder.task!.halt(), (error: unknown) => {
      return error instanceof SocketError && error.code === "incorrectuse";
    });
  });
  await holder.task;
});

Deno.test("a task is an operation another cosocket can yield* to", async () => {
  const child = run(function* () {
    yield* sleep(1);
    return "child";
  });
  equal(
    await run(function* () {
      return (yield* child) + " joined";
    }),
    "child joined",
  );
});

Deno.test("deep yield* chains and long synchronous runs keep the stack flat", async () => {
  function* depth(n: number): Generator<Suspension, number, unknown> {
    if (n === 0) {
      yield* sleep(0);
      return 0;
    }
    return 1 + (yield* depth(n - 1));
  }
  // Native yield* descends one frame per level (V8 allows a few thousand);
  // the runner itself adds no frames per operation or per resumption.
  equal(await run(() => depth(2_000)), 2_000);
  // 100,000 operations that finish synchronously in one cosocket.
  equal(
    await run(function* () {
      let total = 0;
      for (let i = 0; i < 100_000; i++) total += yield* until(Promise.resolve(1));
      return total;
    }),
    100_000,
  );
});

Deno.test("yielding a non-operation value fails the cosocket with a TypeError", async () => {
  await rejects(
    Promise.resolve(run(function* () {
      yield 42 as never;
    })),
    TypeError,
  );
});

Deno.test("getsock() returns the cosocket's socket and null elsewhere", async () => {
  equal(getsock(), null);
  let seen: Socket | null = null;
  const sock = event(function* (own: Socket) {
    seen = getsock();
    yield* sleep(0);
    equal(getsock(), own);
  });
  equal(seen, sock);
  await sock.task;
  await assertNoSockets();
});

Deno.test("a cosocket that throws closes its socket and rejects its task", async () => {
  const sock = event(function* () {
    yield* sleep(0);
    throw new Error("handler failed");
  });
  await rejects(Promise.resolve(sock.task!), /handler failed/);
  equal(sock.state().connected, false);
  await assertNoSockets();
});

Deno.test("a cosocket nobody awaits that ends because its connection closed is not an error", async () => {
  const sock = event(function* () {
    yield* sleep(0);
    throw new SocketError("closed", "Cannot write to socket: connection is closed");
  });
  await delay(20);
  equal(sock.task!.done, true);
  await assertNoSockets();
});

Deno.test("a cosocket nobody awaits that fails with another socket error is logged", async () => {
  const logged: unknown[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void logged.push(args);
  try {
    event(function* () {
      yield* sleep(0);
      throw new SocketError("refused", "Cannot connect to 127.0.0.1:1: Connection refused");
    });
    await delay(30);
  } finally {
    console.error = original;
  }
  equal(logged.length, 1);
  await assertNoSockets();
});

Deno.test("operation() composes reads and writes, awaited or delegated to", async () => {
  {
    await using pair = await connectedPair();
    const exchange = (sock: Socket, line: string) =>
      operation(function* () {
        yield* sock.write(`${line}\n`);
        return yield* sock.readLine();
      });
    // Awaited: the write's step is driven by a promise chain, not the runner.
    const answered = Promise.resolve(exchange(pair.client, "ping"));
    equal(await pair.peer.readLine(), "ping");
    await pair.peer.write("pong\n");
    equal(await answered, "pong");
    // Delegated to inside a cosocket.
    const task = run(function* () {
      return yield* exchange(pair.peer, "again");
    });
    equal(await pair.client.readLine(), "again");
    await pair.client.write("done\n");
    equal(await task, "done");
  }
  await assertNoSockets();
});

Deno.test("teardowns learn how the cosocket ended", async () => {
  const ends: string[] = [];
  await run(function* () {
    yield* ensure((end) => {
      ends.push(end);
    });
  });
  await rejects(
    Promise.resolve(run(function* () {
      yield* ensure((end) => {
        ends.push(end);
      });
      throw new Error("failed");
    })),
    /failed/,
  );
  const halted = run(function* () {
    yield* ensure((end) => {
      ends.push(end);
    });
    yield* sleep(60_000);
  });
  await halted.halt();
  deepEqual(ends, ["returned", "threw", "halted"]);
});

Deno.test("an operation yielded with a bare yield fails with a hint to use yield*", async () => {
  const { server, client, peer } = await connectedPair();
  await peer.write("x");
  const read = client.event(function* (sock: Socket) {
    // deno-lint-ignore no-explicit-any
    yield sock.read() as any;
  });
  await rejects(Promise.resolve(read.task), (error: Error) => {
    ok(error instanceof TypeError);
    ok(error.message.includes("use yield* with an operation"), error.message);
    return true;
  });
  const write = run(function* () {
    // deno-lint-ignore no-explicit-any
    yield peer.write("y") as any;
  });
  await rejects(Promise.resolve(write), /use yield\* with an operation/);
  const slept = run(function* () {
    // deno-lint-ignore no-explicit-any
    yield sleep(1) as any;
  });
  await rejects(Promise.resolve(slept), /use yield\* with an operation/);
  peer.close();
  server.close();
  await assertNoSockets();
});

Deno.test("a cosocket suspends on any thenable and refuses other values", async () => {
  // The runner answers promises and its own steps by class: other
  // thenables (an object, a function with a then) must still suspend.
  // Minimal thenables, typed as the suspensions they stand in for.
  const objectThenable = {
    then: (resolve: (value: number) => void) => void setTimeout(resolve, 1, 7),
  } as unknown as PromiseLike<number>;
  const functionThenable = Object.assign(() => {}, {
    then: (resolve: (value: string) => void) => void setTimeout(resolve, 1, "f"),
  }) as unknown as PromiseLike<string>;
  const results = await run(function* () {
    const a = yield objectThenable;
    const b = yield functionThenable;
    const c = yield* until(() => objectThenable);
    return [a, b, c];
  });
  deepEqual(results, [7, "f", 7]);
  for (const value of [new Uint8Array(1), 1, null, { then: 1 }]) {
    const task = run(function* () {
      // deno-lint-ignore no-explicit-any
      yield value as any;
    });
    await rejects(Promise.resolve(task), /use yield\* with an operation/);
  }
});

Deno.test("yield* on a promise fails with a hint to use until()", async () => {
  const task = run(function* () {
    // deno-lint-ignore no-explicit-any
    yield* Promise.resolve(1) as any;
  });
  await rejects(Promise.resolve(task), (error: Error) => {
    ok(error instanceof TypeError);
    ok(error.message.includes("use yield* until(promise)"), error.message);
    return true;
  });
});
