import type { Operation } from "@cosocket/socket";
import { Worker } from "node:worker_threads";
import type { Job, JobInfo } from "./job.ts";
import { JobError } from "./job_error.ts";
import type { JobMessage, ResultMessage, ShortJobMessage } from "./_worker.ts";

/** Options of {@linkcode ThreadPool}. */
export interface ThreadPoolOptions {
  /**
   * The most workers; they are started only when jobs wait and all are busy.
   *
   * @default {1}
   */
  size?: number;
}

interface Pending {
  id: number;
  /** module and export, the key of the function on a worker. */
  key: string;
  message: JobMessage;
  transfer: Transferable[];
  name: string;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  /** When it started running (ms since the epoch), or 0. */
  started: number;
}

interface Slot {
  index: number;
  worker: Worker;
  /** The jobs sent to this worker and not answered yet, oldest (running) first. */
  jobs: Pending[];
  /** Functions this worker has loaded, by key: later jobs send only the number. */
  functions: Map<string, number>;
  /** The worker keeps the process alive (it has jobs). */
  refed: boolean;
  /** Jobs the worker has finished (it counts them); results may still be on their way. */
  finished: Int32Array;
  /** Jobs whose results arrived. */
  settled: number;
}

/** The most waiting jobs handed to one worker in one message. */
const BATCH = 64;
/**
 * A worker whose jobs fall to this many gets the next batch before it runs
 * dry, so that it never waits for the main thread between batches.
 */
const LOW_WATER = 16;
/** How long an idle worker keeps the process alive. */
const UNREF_AFTER_MS = 10;

const WORKER = new URL("./_worker.ts", import.meta.url);

/**
 * Worker threads for blocking or CPU-heavy work (the seed's thread
 * library): jobs run first in, first out on up to `size` workers, started
 * on demand and kept (never shrinking). Results and errors come back as
 * operations: `await pool.run(job)` in async code, `yield* pool.run(job)`
 * in a cosocket, which keeps answering its sockets meanwhile. An idle pool
 * does not keep the process alive; waiting jobs do.
 *
 * @example Hashing off the main thread
 * ```ts
 * import { ThreadPool } from "@cosocket/thread";
 *
 * await using pool = new ThreadPool({ size: 2 });
 * const module = "data:text/javascript,export const add = (a, b) => a + b;";
 * console.log(await pool.run<number>({ module, export: "add", args: [2, 3] })); // 5
 * ```
 */
export class ThreadPool implements AsyncDisposable {
  #size: number;
  readonly #slots: Slot[] = [];
  readonly #queue: Pending[] = [];
  #nextId = 1;
  #closed = false;
  #idleTimer: number | undefined = undefined;

  /**
   * Creates a pool; no worker starts before a job needs one.
   *
   * @param options The most workers.
   * @throws {RangeError} For a size below 1.
   */
  constructor(options?: ThreadPoolOptions) {
    this.#size = checkSize(options?.size ?? 1);
  }

  /** The most workers. */
  get size(): number {
    return this.#size;
  }

  /** The workers started so far. */
  get workers(): number {
    return this.#slots.length;
  }

  /**
   * Sets the most workers (the seed's `ba.thread.configure`). Raising it
   * lets waiting jobs start more workers; lowering it stops none.
   *
   * @param size The most workers.
   * @throws {RangeError} For a size below 1.
   */
  configure(size: number): void {
    this.#size = checkSize(size);
    this.#dispatch();
  }

  /**
   * Runs a job on a worker (the seed's `thread:run`). Lazy: it is queued
   * when awaited or delegated to.
   *
   * @param job The module, export, arguments and transferables.
   * @returns The operation; its value is the job's result.
   * @throws {JobError} `failed` (with the job's error's name, message and
   * stack), `module`, `clone`, `died` (the worker was replaced) or `closed`.
   */
  run<T = unknown, A extends unknown[] = unknown[]>(job: Job<A>): Operation<T> {
    // A light operation: jobs are small and many, and the generator
    // machinery would cost a third of a tiny job.
    let submitted: Promise<unknown> | null = null;
    const submit = () => submitted ??= this.#submit(job);
    return {
      then(onFulfilled, onRejected) {
        return (submit() as Promise<T>).then(onFulfilled, onRejected);
      },
      *[Symbol.iterator]() {
        return (yield submit()) as T;
      },
    };
  }

  /**
   * The jobs running now (the seed's `dbg`): name, module, start time and
   * worker. Deno gives no stack of a running worker from outside: `stack`
   * is `null`.
   *
   * @returns One entry per running job.
   */
  dbg(): JobInfo[] {
    return this.#slots.filter((slot) => slot.jobs.length > 0).map((slot) => ({
      name: slot.jobs[0]!.name,
      module: slot.jobs[0]!.message.module,
      started: new Date(slot.jobs[0]!.started),
      worker: slot.index,
      stack: null,
    }));
  }

  /**
   * Stops every worker; running and waiting jobs fail with `closed`.
   *
   * @returns Resolves when the workers have exited.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#idleTimer !== undefined) clearTimeout(this.#idleTimer);
    const closed = (pending: Pending) =>
      pending.reject(
        new JobError("closed", `Cannot finish job "${pending.name}": the pool was closed`),
      );
    for (const pending of this.#queue.splice(0)) closed(pending);
    await Promise.all(this.#slots.map(async (slot) => {
      for (const job of slot.jobs.splice(0)) closed(job);
      await slot.worker.terminate();
    }));
    this.#slots.length = 0;
  }

  /** Closes the pool (`await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #submit(job: Job): Promise<unknown> {
    if (this.#closed) {
      return Promise.reject(new JobError("closed", "Cannot run job: the pool is closed"));
    }
    const name = job.name ?? job.export ?? "default";
    return new Promise((resolve, reject) => {
      const id = this.#nextId++;
      this.#queue.push({
        id,
        key: `${job.module}#${job.export ?? "default"}`,
        message: {
          id,
          fn: 0,
          module: String(job.module),
          export: job.export ?? "default",
          args: job.args ?? [],
        },
        transfer: job.transfer ?? [],
        name,
        resolve,
        reject,
        started: 0,
      });
      this.#dispatch();
    });
  }

  /**
   * Hands waiting jobs to idle workers, starting workers while allowed.
   * When jobs queue up beyond the workers, an idle worker takes a batch of
   * them in one message (still run one after another, in order).
   */
  #dispatch(): void {
    while (this.#queue.length > 0) {
      let slot = this.#slots.find((candidate) => candidate.jobs.length === 0);
      if (slot === undefined && this.#slots.length < this.#size) {
        slot = this.#start(this.#slots.length);
      }
      const canGrow = this.#slots.length < this.#size;
      // Every worker is busy and the pool is at its size: top up the one
      // with the fewest jobs left, if it is about to run dry.
      slot ??= this.#lowest();
      if (slot === undefined) break;
      const count = canGrow ? 1 : Math.min(BATCH - slot.jobs.length, this.#queue.length);
      const batch = this.#queue.splice(0, count);
      const started = Date.now();
      const fresh = new Map<string, number>();
      const messages = batch.map((pending) => {
        pending.started = started;
        return this.#compact(slot, pending, fresh);
      });
      slot.jobs.push(...batch);
      if (!slot.refed) {
        slot.refed = true;
        slot.worker.ref();
      }
      try {
        if (batch.length === 1) {
          slot.worker.postMessage(messages[0], batch[0]!.transfer as never);
        } else {
          slot.worker.postMessage(messages, batch.flatMap((pending) => pending.transfer) as never);
        }
        for (const [key, fn] of fresh) slot.functions.set(key, fn);
      } catch (error) {
        slot.jobs.length = 0;
        for (const pending of batch) {
          pending.reject(
            new JobError("clone", `Cannot run job "${pending.name}": ${(error as Error).message}`, {
              cause: error,
            }),
          );
        }
      }
    }
    this.#unrefIdleSoon();
  }

  /**
   * Idle workers stop keeping the process alive, a little later: a caller
   * running jobs one after another would otherwise unref and ref its worker
   * at every job, and that costs each round trip about 6 % (measured).
   */
  #unrefIdleSoon(): void {
    if (this.#idleTimer !== undefined) return;
    if (!this.#slots.some((slot) => slot.refed && slot.jobs.length === 0)) return;
    // Deno's setTimeout returns a number; the node types in scope say Timeout.
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = undefined;
      for (const slot of this.#slots) {
        if (slot.refed && slot.jobs.length === 0) {
          slot.refed = false;
          slot.worker.unref();
        }
      }
    }, UNREF_AFTER_MS) as unknown as number;
    Deno.unrefTimer(this.#idleTimer);
  }

  /**
   * The message for `slot`: the module and export only until the worker
   * has seen them (`fresh` collects the numbers given in this batch; they
   * count once the batch was posted).
   */
  #lowest(): Slot | undefined {
    let lowest: Slot | undefined;
    for (const slot of this.#slots) {
      if (slot.jobs.length <= LOW_WATER && slot.jobs.length < (lowest?.jobs.length ?? Infinity)) {
        lowest = slot;
      }
    }
    return lowest;
  }

  #compact(slot: Slot, pending: Pending, fresh: Map<string, number>): JobMessage | ShortJobMessage {
    const { id, args } = pending.message;
    const known = slot.functions.get(pending.key);
    if (known !== undefined) return [id, known, args];
    let fn = fresh.get(pending.key);
    if (fn === undefined) {
      fn = slot.functions.size + fresh.size + 1;
      fresh.set(pending.key, fn);
    }
    return { ...pending.message, fn };
  }

  #start(index: number): Slot {
    const finished = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(WORKER, { workerData: { finished } });
    const slot: Slot = {
      index,
      worker,
      jobs: [],
      functions: new Map(),
      refed: true,
      finished,
      settled: 0,
    };
    worker.on("message", (message: ResultMessage | ResultMessage[]) => {
      if (Array.isArray(message) && typeof message[0] !== "number") {
        for (const result of message as ResultMessage[]) this.#settle(slot, result);
      } else this.#settle(slot, message as ResultMessage);
      this.#dispatch();
    });
    const died = (why: string) => {
      if (this.#closed || this.#slots[slot.index] !== slot) return;
      // A dead worker is replaced. Jobs it finished whose results had not
      // left it yet fail (they ran: running them again could repeat their
      // effects), so does its running job; the jobs it had not started go
      // back to the front of the queue.
      const done = Atomics.load(slot.finished, 0) - slot.settled;
      const lost = slot.jobs.splice(0, done);
      const [job, ...unstarted] = slot.jobs.splice(0);
      this.#slots[slot.index] = this.#start(slot.index);
      this.#queue.unshift(...unstarted);
      for (const pending of lost) {
        pending.reject(
          new JobError(
            "died",
            `Cannot finish job "${pending.name}": the worker ${why} before it sent the result`,
          ),
        );
      }
      if (job !== undefined) {
        job.reject(new JobError("died", `Cannot finish job "${job.name}": the worker ${why}`));
      }
      this.#dispatch();
    };
    worker.on("error", (error: Error) => died(`died: ${error.message}`));
    worker.on("exit", (code: number) => died(`exited with code ${code}`));
    this.#slots[index] = slot;
    return slot;
  }

  #settle(slot: Slot, message: ResultMessage): void {
    const job = slot.jobs[0];
    const id = Array.isArray(message) ? message[0] : message.id;
    if (job === undefined || job.id !== id) return;
    slot.jobs.shift();
    slot.settled++;
    if (slot.jobs.length > 0) slot.jobs[0]!.started = Date.now();
    if (Array.isArray(message)) job.resolve(message[1]);
    else if (message.ok) job.resolve(message.value);
    else {
      const error = new JobError(
        message.code,
        message.code === "failed"
          ? message.message
          : `Cannot run job "${job.name}": ${message.message}`,
      );
      if (message.code === "failed") {
        // The job's own error, as it was in the worker.
        Object.defineProperty(error, "name", { value: message.name });
        error.stack = message.stack;
      }
      job.reject(error);
    }
  }
}

function checkSize(size: number): number {
  if (!Number.isSafeInteger(size) || size < 1) {
    throw new RangeError(
      `Cannot size the thread pool: ${size} is not a whole number of at least 1`,
    );
  }
  return size;
}
