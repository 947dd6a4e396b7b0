/**
 * The worker side of the thread pool: loads job modules (once each), calls
 * the named export, and posts back the result or the error.
 */
import { parentPort, workerData } from "node:worker_threads";
import { TransferredResult } from "./job.ts";

/** A job as it crosses to the worker. */
export interface JobMessage {
  id: number;
  /** The function's number on this worker; module and export come with the first job that uses it. */
  fn: number;
  module: string;
  export: string;
  args: unknown[];
}

/** A job to a worker that knows its function already: `[id, fn, args]`. */
export type ShortJobMessage = [id: number, fn: number, args: unknown[]];

/** A result: `[id, value]` on success (the hot path, the smallest clone), an object on failure. */
export type ResultMessage =
  | [id: number, value: unknown]
  | { id: number; ok: true; value: unknown }
  | {
    id: number;
    ok: false;
    code: "failed" | "module" | "clone";
    name: string;
    message: string;
    stack: string;
  };

type JobFunction = (...args: unknown[]) => unknown;
/** Loaded functions by number; a failed load is remembered as its error. */
const functions = new Map<number, JobFunction | Error>();

async function load(job: JobMessage): Promise<JobFunction> {
  let fn = functions.get(job.fn);
  if (fn === undefined) {
    try {
      const loaded = await import(job.module);
      fn = loaded[job.export] as JobFunction;
      if (typeof fn !== "function") {
        throw new TypeError(`Module ${job.module} has no exported function "${job.export}"`);
      }
    } catch (error) {
      fn = error instanceof Error ? error : new Error(String(error));
    }
    functions.set(job.fn, fn);
  }
  if (fn instanceof Error) throw fn;
  return fn;
}

function describe(error: unknown): { name: string; message: string; stack: string } {
  if (error instanceof Error) {
    return { name: error.name, message: error.message, stack: error.stack ?? "" };
  }
  return { name: "Error", message: String(error), stack: "" };
}

const port = parentPort!;
/** How many jobs this worker has finished, shared with the pool (see ThreadPool's `died`). */
const finished = (workerData as { finished: Int32Array }).finished;

// Results of quick jobs leave together: one message for a run of them costs
// the main thread one event instead of one per job. A job whose function is
// new or has taken longer than QUICK_MS sends what waits first, so that no
// result waits behind a slow job.
const QUICK_MS = 0.05;
const MAX_WAITING_RESULTS = 64;
let outbox: ResultMessage[] = [];
/** What each waiting result transfers (most transfer nothing). */
let outboxTransfer: (Transferable[] | undefined)[] = [];
let outboxTransfers = 0;
/** Milliseconds per call of each function (a moving average). */
const durations = new Map<number, number>();

function post(message: ResultMessage, transfer?: Transferable[]): void {
  outbox.push(message);
  outboxTransfer.push(transfer);
  if (transfer !== undefined) outboxTransfers++;
  if (outbox.length >= MAX_WAITING_RESULTS) flush();
}

function flush(): void {
  if (outbox.length === 0) return;
  const messages = outbox;
  const transfer = outboxTransfer;
  const transferring = outboxTransfers;
  outbox = [];
  outboxTransfer = [];
  outboxTransfers = 0;
  try {
    const all = transferring > 0 ? transfer.flatMap((list) => list ?? []) : undefined;
    port.postMessage(messages.length === 1 ? messages[0] : messages, all as never);
  } catch {
    // One result cannot be cloned: send them one by one, that one as an error.
    for (const [i, message] of messages.entries()) {
      try {
        port.postMessage(message, transfer[i] as never);
      } catch (error) {
        const id = Array.isArray(message) ? message[0] : message.id;
        port.postMessage({ id, ok: false, code: "clone", ...describe(error) });
      }
    }
  }
}

function postValue(job: JobMessage, value: unknown): void {
  if (value instanceof TransferredResult) {
    post({ id: job.id, ok: true, value: value.value }, value.transfer);
  } else post([job.id, value]);
}

function postFailure(job: JobMessage, error: unknown): void {
  post({ id: job.id, ok: false, code: "failed", ...describe(error) });
}

/**
 * Runs one job; returns a promise only when it has to wait (a module to
 * load, an async function), so that tiny synchronous jobs are answered
 * without a single microtask hop.
 */
function runJob(job: JobMessage): Promise<void> | void {
  const fn = functions.get(job.fn);
  if (fn === undefined || fn instanceof Error) {
    flush();
    return load(job).then(
      () => runJob(job),
      (error) => {
        post({ id: job.id, ok: false, code: "module", ...describe(error) });
        Atomics.add(finished, 0, 1);
      },
    );
  }
  const average = durations.get(job.fn);
  if (average === undefined || average > QUICK_MS) flush();
  const start = performance.now();
  let value: unknown;
  try {
    value = fn(...job.args);
  } catch (error) {
    postFailure(job, error);
    Atomics.add(finished, 0, 1);
    return;
  }
  if (value instanceof Promise) {
    durations.set(job.fn, Infinity);
    flush();
    return value.then((result) => postValue(job, result), (error) => postFailure(job, error))
      .then(() => void Atomics.add(finished, 0, 1));
  }
  const took = performance.now() - start;
  // Halved at each call: the first calls (compiling) are soon forgotten.
  durations.set(job.fn, average === undefined ? took : (average + took) / 2);
  postValue(job, value);
  Atomics.add(finished, 0, 1);
}

// Jobs arrive alone or in batches (when they queue up); either way they
// run one after another; results leave as the outbox above says.
const waiting: JobMessage[] = [];
let busy = false;

function pump(): void {
  while (waiting.length > 0) {
    const pending = runJob(waiting.shift()!);
    if (pending !== undefined) {
      busy = true;
      pending.then(() => {
        busy = false;
        pump();
      });
      flush();
      return;
    }
  }
  flush();
}

type Incoming = JobMessage | ShortJobMessage;

function expand(job: Incoming): JobMessage {
  return Array.isArray(job)
    ? { id: job[0], fn: job[1], module: "", export: "", args: job[2] }
    : job;
}

port.on("message", (message: Incoming | Incoming[]) => {
  if (Array.isArray(message) && typeof message[0] !== "number") {
    for (const job of message as Incoming[]) waiting.push(expand(job));
  } else waiting.push(expand(message as Incoming));
  if (!busy) pump();
});
