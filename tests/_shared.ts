/**
 * Helpers every test folder uses, in one place: waiting with a limit, a
 * pause, seeded pseudo-random numbers and bytes (so that a failing fuzz case
 * can be found again), and hex for failure messages.
 */

/** How long a step of a test may wait for a peer, unless it says otherwise. */
export const STEP_TIMEOUT = 30_000;

/** Waits for `promise`, failing with a message naming `what` after `ms` milliseconds. */
export async function within<T>(
  promise: PromiseLike<T>,
  what: string,
  ms: number = STEP_TIMEOUT,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([Promise.resolve(promise), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A seeded pseudo-random generator (mulberry32): numbers in [0, 1). */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Seeded pseudo-random bytes (xorshift32): each call continues the same sequence. */
export function prngBytes(seed: number): (length: number) => Uint8Array<ArrayBuffer> {
  const prng = new Prng(seed);
  return (length) => prng.bytes(length);
}

/** A seeded xorshift32 generator: integers, chances, bytes and picks from one sequence. */
export class Prng {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0 || 1;
  }
  /** The next 32-bit unsigned value. */
  next(): number {
    let state = this.#state;
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    this.#state = state >>> 0;
    return this.#state;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return this.next() % n;
  }
  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() / 0x1_0000_0000 < p;
  }
  /** `length` pseudo-random bytes. */
  bytes(length: number): Uint8Array<ArrayBuffer> {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.next() & 0xff;
    return out;
  }
  /** One element of `items`. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

/** Hex of at most `max` bytes, for failure messages. */
export function hex(data: Uint8Array, max = 48): string {
  const shown = Array.from(data.subarray(0, max), (b) => b.toString(16).padStart(2, "0")).join(" ");
  return data.length > max ? `${shown} … (${data.length} bytes)` : shown;
}

/** Options of {@linkcode runExample}. */
export interface RunExampleOptions {
  /** The example's permission flags (loopback networking by default). */
  permissions?: readonly string[];
}

/**
 * Runs an example in its own process, as `deno task examples` does; fails
 * when it exits with an error.
 *
 * @returns What it printed.
 */
export async function runExample(name: string, options?: RunExampleOptions): Promise<string> {
  const permissions = options?.permissions ?? ["--allow-net=127.0.0.1"];
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...permissions, new URL(`../examples/${name}`, import.meta.url).pathname],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(`Example ${name} exited with ${code}: ${new TextDecoder().decode(stderr)}`);
  }
  return new TextDecoder().decode(stdout);
}
