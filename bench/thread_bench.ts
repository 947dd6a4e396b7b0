/**
 * 10,000 tiny jobs (add two numbers) through the thread pool against a
 * hand-rolled `postMessage` round trip to a `node:worker_threads` worker
 * (the mechanism the pool uses) and to a Deno `Worker`, all queued at once
 * and one at a time. Median of 5 interleaved rounds; ratios to the
 * hand-rolled node:worker_threads loop.
 *
 * ```sh
 * deno task bench thread
 * ```
 */
import { Worker as NodeWorker } from "node:worker_threads";
import { ThreadPool } from "@cosocket/thread";

const JOBS = 10_000;
const ROUNDS = 5;
const dir = await Deno.makeTempDir();
const jobsModule = `${dir}/jobs.ts`;
await Deno.writeTextFile(jobsModule, "export const add = (a: number, b: number) => a + b;\n");
await Deno.writeTextFile(
  `${dir}/node_echo.ts`,
  `import { parentPort } from "node:worker_threads";
   parentPort!.on("message", (m: { id: number; a: number; b: number }) => parentPort!.postMessage({ id: m.id, value: m.a + m.b }));`,
);
await Deno.writeTextFile(
  `${dir}/deno_echo.ts`,
  `self.onmessage = (e: MessageEvent<{ id: number; a: number; b: number }>) =>
     self.postMessage({ id: e.data.id, value: e.data.a + e.data.b });`,
);

type Round = (parallel: boolean) => Promise<number>;

function rate(start: number): number {
  return JOBS / ((performance.now() - start) / 1000);
}

const pool = new ThreadPool();
const ours: Round = async (parallel) => {
  const start = performance.now();
  const job = (i: number) =>
    pool.run({ module: `file://${jobsModule}`, export: "add", args: [i, 1] });
  if (parallel) await Promise.all(Array.from({ length: JOBS }, (_, i) => job(i)));
  else for (let i = 0; i < JOBS; i++) await job(i);
  return rate(start);
};

function handRolled(
  post: (message: unknown) => void,
  onMessage: (fn: (m: { id: number; value: number }) => void) => void,
): Round {
  const waiting = new Map<number, (value: number) => void>();
  let next = 0;
  onMessage((m) => {
    waiting.get(m.id)!(m.value);
    waiting.delete(m.id);
  });
  const call = (a: number) =>
    new Promise<number>((resolve) => {
      const id = next++;
      waiting.set(id, resolve);
      post({ id, a, b: 1 });
    });
  return async (parallel) => {
    const start = performance.now();
    if (parallel) await Promise.all(Array.from({ length: JOBS }, (_, i) => call(i)));
    else for (let i = 0; i < JOBS; i++) await call(i);
    return rate(start);
  };
}

const nodeWorker = new NodeWorker(new URL(`file://${dir}/node_echo.ts`));
const denoWorker = new Worker(new URL(`file://${dir}/deno_echo.ts`), { type: "module" });
const runners: [string, Round][] = [
  [
    "hand-rolled node:worker_threads postMessage",
    handRolled((m) => nodeWorker.postMessage(m), (fn) => nodeWorker.on("message", fn)),
  ],
  [
    "hand-rolled Deno Worker postMessage",
    handRolled((m) => denoWorker.postMessage(m), (fn) => denoWorker.onmessage = (e) => fn(e.data)),
  ],
  ["cosocket ThreadPool.run (1 worker)", ours],
];
try {
  for (const parallel of [true, false]) {
    const results = new Map<string, number[]>(runners.map(([name]) => [name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, runner] of runners) results.get(name)!.push(await runner(parallel));
    }
    const median = (values: number[]) =>
      [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const base = median(results.get(runners[0]![0])!);
    console.log(
      `\n${JOBS} tiny jobs, ${
        parallel ? "all queued at once" : "one at a time"
      } (median of ${ROUNDS} rounds)`,
    );
    console.table([...results].map(([name, rates]) => ({
      runner: name,
      "jobs/s": Math.round(median(rates)),
      "vs hand-rolled": `${(median(rates) / base).toFixed(2)}×`,
    })));
  }
} finally {
  await pool.close();
  await nodeWorker.terminate();
  denoWorker.terminate();
  await Deno.remove(dir, { recursive: true });
}
