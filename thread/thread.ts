import type { Operation } from "@cosocket/socket";
import type { Job, JobInfo } from "./job.ts";
import { ThreadPool } from "./thread_pool.ts";

let pool: ThreadPool | null = null;

/** The shared pool behind {@linkcode run}, {@linkcode configure} and {@linkcode dbg}. */
function shared(): ThreadPool {
  return pool ??= new ThreadPool();
}

/**
 * Runs a job on the shared pool (the seed's `ba.thread.run`): FIFO, on one
 * worker unless {@linkcode configure} allows more.
 *
 * @param job The module, export, arguments and transferables.
 * @returns The operation; its value is the job's result.
 * @throws {JobError} As `ThreadPool#run`.
 *
 * @example
 * ```ts
 * import { run } from "@cosocket/thread";
 *
 * const module = "data:text/javascript,export default (n) => n * n;";
 * console.log(await run<number>({ module, args: [12] })); // 144
 * ```
 */
export function run<T = unknown, A extends unknown[] = unknown[]>(job: Job<A>): Operation<T> {
  return shared().run<T, A>(job);
}

/**
 * Sets the most workers of the shared pool (the seed's
 * `ba.thread.configure`; default 1; grows on demand, never shrinks).
 *
 * @param size The most workers.
 * @throws {RangeError} For a size below 1.
 *
 * @example
 * ```ts
 * import { configure } from "@cosocket/thread";
 *
 * configure(4);
 * ```
 */
export function configure(size: number): void {
  shared().configure(size);
}

/**
 * The jobs running on the shared pool (the seed's `ba.thread.dbg`).
 *
 * @returns One entry per running job.
 *
 * @example
 * ```ts
 * import { dbg } from "@cosocket/thread";
 *
 * console.log(dbg()); // []
 * ```
 */
export function dbg(): JobInfo[] {
  return pool?.dbg() ?? [];
}

/**
 * A dedicated worker whose jobs run one after another (the seed's
 * `ba.thread.create()`): a pool of size one of its own.
 *
 * @returns The thread; close it (or `await using`) when done.
 *
 * @example
 * ```ts
 * import { create } from "@cosocket/thread";
 *
 * await using thread = create();
 * const module = "data:text/javascript,let n = 0; export const next = () => ++n;";
 * await thread.run({ module, export: "next" });
 * console.log(await thread.run({ module, export: "next" })); // 2 (same worker, in order)
 * ```
 */
export function create(): ThreadPool {
  return new ThreadPool({ size: 1 });
}
