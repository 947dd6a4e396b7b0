/**
 * Worker threads for blocking and CPU-heavy work (the seed's thread
 * library): {@linkcode run} queues a job on a shared pool that
 * {@linkcode configure} sizes, {@linkcode create} gives a dedicated
 * thread, {@linkcode dbg} lists running jobs. Jobs are module functions
 * (closures cannot cross threads); results come back as operations, so a
 * cosocket `yield*`s them and the socket dispatcher never blocks.
 *
 * ```ts
 * import { ThreadPool } from "@cosocket/thread";
 * import { run } from "@cosocket/socket";
 *
 * const module = "data:text/javascript,export const slow = (n) => { let s = 0; for (let i = 0; i < n; i++) s += i; return s; };";
 * await using pool = new ThreadPool({ size: 2 });
 * // In a cosocket: the job runs on a worker while other cosockets go on.
 * const sum = await run(function* () {
 *   return yield* pool.run<number>({ module, export: "slow", args: [1_000_000] });
 * });
 * console.log(sum); // 499999500000
 * ```
 *
 * @module
 */
export * from "./job.ts";
export * from "./job_error.ts";
export * from "./thread.ts";
export * from "./thread_pool.ts";
