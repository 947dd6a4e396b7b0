// Job functions for the thread pool tests; they run in worker threads.
import { pbkdf2Sync } from "node:crypto";
import process from "node:process";
import { transferResult } from "@cosocket/thread";

export function add(a: number, b: number): number {
  return a + b;
}

export async function later(value: string, ms: number): Promise<string> {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return value;
}

export function sum(bytes: Uint8Array): number {
  let total = 0;
  for (const byte of bytes) total += byte;
  return total;
}

export function filled(size: number, value: number) {
  const bytes = new Uint8Array(size).fill(value);
  return transferResult(bytes, [bytes.buffer]);
}

export function fails(): never {
  throw new RangeError("deliberate failure in a job");
}

export function unclonable(): unknown {
  return { fn: () => 1 };
}

export function crashLater(): Promise<never> {
  setTimeout(() => {
    throw new Error("uncaught in the worker");
  }, 1);
  return new Promise(() => {});
}

export function exitNow(): never {
  process.exit(3);
}

let count = 0;
export function next(): number {
  return ++count;
}

export function hash(iterations: number): string {
  return pbkdf2Sync("password", "salt", iterations, 32, "sha256").toString("hex");
}

export function threadId(): number {
  return (globalThis as unknown as { workerId?: number }).workerId ??= Math.random();
}

/** Counts its calls; exits the worker's process on the call given by `exitOn` (0: never). */
let calls = 0;
export function countOrExit(exitOn: number): number {
  calls++;
  if (calls === exitOn) process.exit(3);
  return calls;
}
