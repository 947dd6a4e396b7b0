/**
 * A job for a worker thread: closures cannot cross threads, so a job names
 * a module and one of its exported functions, with arguments that the
 * structured clone algorithm can copy (or transfer).
 */
export interface Job<A extends unknown[] = unknown[]> {
  /** The module's absolute URL: `new URL("./jobs.ts", import.meta.url)`. */
  module: string | URL;
  /**
   * The exported function to call; it may be async.
   *
   * @default {"default"}
   */
  export?: string;
  /**
   * Its arguments (structured-cloned).
   *
   * @default {[]}
   */
  args?: A;
  /**
   * Objects moved to the worker rather than copied (`ArrayBuffer`s,
   * `MessagePort`s): they become unusable here.
   *
   * @default {[]}
   */
  transfer?: Transferable[];
  /**
   * A name for `dbg()`.
   *
   * @default {the export's name}
   */
  name?: string;
}

/** A running job, as `dbg()` lists it. */
export interface JobInfo {
  /** The job's name. */
  name: string;
  /** The module URL. */
  module: string;
  /** When the job started running. */
  started: Date;
  /** The worker it runs on (0-based, per pool). */
  worker: number;
  /** The worker's stack: `null`, as Deno does not give one from outside. */
  stack: string | null;
}

/** A job's result with the objects to move back rather than copy (from {@linkcode transferResult}). *
 * @example
 * ```ts
 * import { transferResult, TransferredResult } from "@cosocket/thread";
 *
 * const bytes = new Uint8Array(4);
 * console.log(transferResult(bytes, [bytes.buffer]) instanceof TransferredResult); // true
 * ```
 */
export class TransferredResult<T> {
  /** The result. */
  readonly value: T;
  /** What to transfer (its `ArrayBuffer`s, for example). */
  readonly transfer: Transferable[];

  /**
   * Wraps a result.
   *
   * @param value The result.
   * @param transfer What to transfer.
   */
  constructor(value: T, transfer: Transferable[]) {
    this.value = value;
    this.transfer = transfer;
  }
}

/**
 * Returns a job's result with objects to transfer back to the caller
 * instead of copying them (a large `Uint8Array`'s buffer, for example).
 *
 * @param value The result.
 * @param transfer What to transfer.
 * @returns The marked result; the caller receives `value`.
 *
 * @example In a job module
 * ```ts
 * import { transferResult } from "@cosocket/thread";
 *
 * export function fill(size: number) {
 *   const bytes = new Uint8Array(size).fill(7);
 *   return transferResult(bytes, [bytes.buffer]);
 * }
 * console.log(fill(3).value.length); // 3
 * ```
 */
export function transferResult<T>(value: T, transfer: Transferable[]): TransferredResult<T> {
  return new TransferredResult(value, transfer);
}
