import { deepStrictEqual, equal, ok, throws } from "node:assert/strict";
import { create, JobError, ThreadPool } from "@cosocket/thread";
import { bind, connect, run, type Socket, sockstat } from "@cosocket/socket";

const JOBS = new URL("./_jobs.ts", import.meta.url).href;

async function code(promise: PromiseLike<unknown>, expected: string): Promise<JobError> {
  let caught: unknown = null;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  ok(caught instanceof JobError, String(caught));
  equal(caught.code, expected, caught.message);
  return caught;
}

Deno.test("thread pool: results, transfers both ways, awaited and delegated to", async () => {
  await using pool = new ThreadPool();
  equal(await pool.run({ module: JOBS, export: "add", args: [2, 3] }), 5);
  equal(await pool.run({ module: JOBS, export: "later", args: ["done", 5] }), "done");
  const bytes = new Uint8Array(1 << 20).fill(1);
  equal(
    await pool.run({ module: JOBS, export: "sum", args: [bytes], transfer: [bytes.buffer] }),
    1 << 20,
  );
  equal(bytes.length, 0, "the buffer moved to the worker");
  const back = await pool.run<Uint8Array>({ module: JOBS, export: "filled", args: [1000, 9] });
  deepStrictEqual([back.length, back[999]], [1000, 9]);
  const inCosocket = await run(function* () {
    return yield* pool.run<number>({ module: JOBS, export: "add", args: [40, 2] });
  });
  equal(inCosocket, 42);
  equal(pool.workers, 1);
});

Deno.test("thread pool: a job's error keeps its name, message and stack; module and clone errors", async () => {
  await using pool = new ThreadPool();
  const failed = await code(pool.run({ module: JOBS, export: "fails" }), "failed");
  equal(failed.name, "RangeError");
  equal(failed.message, "deliberate failure in a job");
  ok(failed.stack?.includes("_jobs.ts"), failed.stack);
  await code(pool.run({ module: JOBS, export: "missing" }), "module");
  await code(pool.run({ module: new URL("./nowhere.ts", import.meta.url), export: "x" }), "module");
  await code(pool.run({ module: JOBS, export: "add", args: [() => 1] }), "clone");
  await code(pool.run({ module: JOBS, export: "unclonable" }), "clone");
  // The pool still works.
  equal(await pool.run({ module: JOBS, export: "add", args: [1, 1] }), 2);
});

Deno.test("thread pool: a worker that dies is replaced and its job fails clearly", async () => {
  await using pool = new ThreadPool();
  const crashed = await code(pool.run({ module: JOBS, export: "crashLater" }), "died");
  ok(crashed.message.includes("crashLater"), crashed.message);
  await code(pool.run({ module: JOBS, export: "exitNow" }), "died");
  equal(await pool.run({ module: JOBS, export: "add", args: [3, 4] }), 7);
  equal(pool.workers, 1);
});

Deno.test("thread pool: quick results travel together, and a worker that dies with results unsent fails those jobs instead of running them again", async () => {
  await using pool = new ThreadPool();
  // Warm-up calls make the function "quick": its results wait in the worker
  // and leave together.
  for (let i = 0; i < 10; i++) {
    equal(await pool.run({ module: JOBS, export: "countOrExit", args: [0] }), i + 1);
  }
  const settled = await Promise.allSettled(
    Array.from(
      { length: 100 },
      () => pool.run({ module: JOBS, export: "countOrExit", args: [60] }),
    ),
  );
  // Calls 11..59 ran, call 60 (job 49) exits. Results already sent arrive,
  // the others of calls 11..59 fail as died without running again, and jobs
  // 50..99 run on the new worker, where counting starts again.
  const reason = (i: number) => (settled[i] as PromiseRejectedResult).reason as JobError;
  const values = settled.map((s) => s.status === "fulfilled" ? s.value as number : null);
  equal(values[49], null);
  equal(reason(49).code, "died");
  deepStrictEqual(values.slice(50), Array.from({ length: 50 }, (_, i) => i + 1));
  let lost = 0;
  for (let i = 0; i < 49; i++) {
    if (values[i] === null) {
      lost++;
      equal(reason(i).code, "died");
      ok(reason(i).message.includes("before it sent the result"), reason(i).message);
    } else equal(values[i], 11 + i);
  }
  ok(lost > 0, "some results waited in the worker together");
  equal(pool.workers, 1);
});

Deno.test("thread pool: FIFO on one worker; configure grows on demand and never shrinks; dbg", async () => {
  await using pool = new ThreadPool();
  const order: string[] = [];
  const jobs = ["a", "b", "c"].map((value) =>
    Promise.resolve(
      pool.run<string>({
        module: JOBS,
        export: "later",
        args: [value, 20 - value.charCodeAt(0) % 5],
      }),
    )
      .then((result) => order.push(result))
  );
  await new Promise((resolve) => setTimeout(resolve, 5));
  const running = pool.dbg();
  deepStrictEqual(running.map((job) => [job.name, job.worker, job.stack]), [["later", 0, null]]);
  ok(running[0]!.started instanceof Date);
  await Promise.all(jobs);
  deepStrictEqual(order, ["a", "b", "c"]);
  equal(pool.workers, 1);
  pool.configure(2);
  await Promise.all([
    pool.run({ module: JOBS, export: "later", args: ["x", 30] }),
    pool.run({ module: JOBS, export: "later", args: ["y", 30] }),
  ]);
  equal(pool.workers, 2);
  pool.configure(1);
  equal(pool.workers, 2, "lowering the size stops no worker");
  throws(() => pool.configure(0), RangeError);
});

Deno.test("thread: a dedicated thread runs its jobs in order on one worker", async () => {
  await using thread = create();
  const results = await Promise.all(
    [1, 2, 3].map(() => thread.run({ module: JOBS, export: "next" })),
  );
  deepStrictEqual(results, [1, 2, 3]);
});

Deno.test("thread pool: halting a cosocket that waits for a job, and closing with jobs pending", async () => {
  const pool = new ThreadPool();
  const task = run(function* () {
    return yield* pool.run({ module: JOBS, export: "later", args: ["late", 50] });
  });
  await new Promise((resolve) => setTimeout(resolve, 5));
  await task.halt();
  equal(task.done, true);
  const running = pool.run({ module: JOBS, export: "later", args: ["never", 1000] });
  const waiting = pool.run({ module: JOBS, export: "add", args: [1, 2] });
  const first = code(running, "closed");
  const second = code(waiting, "closed");
  await new Promise((resolve) => setTimeout(resolve, 60));
  await pool.close();
  await first;
  await second;
  await code(pool.run({ module: JOBS, export: "add", args: [1, 2] }), "closed");
  equal(sockstat().active, 0);
});

Deno.test("thread pool: PBKDF2 with 1,000,000 iterations runs while a cosocket echo server keeps answering", async () => {
  await using pool = new ThreadPool();
  await using server = bind(0, { hostname: "127.0.0.1" }).event(function* (listener: Socket) {
    let client;
    while ((client = yield* listener.accept()) !== null) {
      client.event(function* (sock: Socket) {
        let data;
        while ((data = yield* sock.read()) !== null) yield* sock.write(data as Uint8Array);
      });
    }
  });
  let jobDone = false;
  const job = Promise.resolve(pool.run<string>({ module: JOBS, export: "hash", args: [1_000_000] }))
    .then((hex) => {
      jobDone = true;
      return hex;
    });
  await using client = await connect("127.0.0.1", server.sockname().port);
  let echoes = 0;
  // Twenty round trips, all done while the hash still runs (ordering, not timing).
  for (let i = 0; i < 20; i++) {
    await client.write(`ping ${i}\n`);
    equal(await client.readLine(), `ping ${i}`);
    if (!jobDone) echoes++;
  }
  equal(echoes, 20, "the echo server was blocked by the job");
  equal((await job).length, 64);
});
