/**
 * The worker side of the thread pool: loads job modules (once each), calls
 * the named export, and posts back the result or the error.
 */
import { parentPort } from "node:worker_threads";
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

/** The worker's answer. */
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
const post = (message: ResultMessage, transfer?: Transferable[]) =>
  port.postMessage(message, transfer as never);

function postValue(job: JobMessage, value: unknown): void {
  try {
    if (value instanceof TransferredResult) {
      post({ id: job.id, ok: true, value: value.value }, value.transfer);
    } else post([job.id, value]);
  } catch (error) {
    post({ id: job.id, ok: false, code: "clone", ...describe(error) });
  }
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
    return load(job).then(
      () => runJob(job),
      (error) => post({ id: job.id, ok: false, code: "module", ...describe(error) }),
    );
  }
  let value: unknown;
  try {
    value = fn(...job.args);
  } catch (error) {
    postFailure(job, error);
    return;
  }
  if (value instanceof Promise) {
    return value.then((result) => postValue(job, result), (error) => postFailure(job, error));
  }
  postValue(job, value);
}

// Jobs arrive alone or in batches (when they queue up); either way they
// run one after another, each answered as soon as it is done.
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
      return;
    }
  }
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
