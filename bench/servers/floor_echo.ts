/**
 * The floor of any generator-driven echo server: what a cosocket costs at
 * the least, for `bench/socket_ab.ts`. Three modes, each a plain
 * `Deno.listen` echo with one change:
 *
 * - `bare`: the loop is a generator that yields the platform's promises,
 *   driven by the smallest runner there is (`promise.then(next)`);
 * - `delegate`: the same, but every read and write is an operation object
 *   delegated to with `yield*`, the shape of the cosocket API;
 * - `fresh`: an async loop like the plain one, but every read goes into a
 *   new 64 KiB buffer the caller keeps, as `read()` must give.
 *
 * None has flow control, cancellation, timeouts or error handling beyond
 * closing: they bound from above what the socket package can reach.
 * Prints its port, then serves until stdin closes.
 */
import { serveUntilStdinCloses } from "./_stdin.ts";

type Step = Generator<Promise<unknown>, void, unknown>;
const mode = Deno.args[0] ?? "bare";
const listener = Deno.listen({ hostname: "127.0.0.1", port: 0, tcpBacklog: 4096 });

/** One read or write as an operation: iterated once, it yields its promise. */
class Operation<T> {
  #start: () => Promise<T>;
  #started = false;
  constructor(start: () => Promise<T>) {
    this.#start = start;
  }
  [Symbol.iterator](): Iterator<Promise<T>, T, unknown> {
    return this;
  }
  next(value?: unknown): IteratorResult<Promise<T>, T> {
    if (this.#started) return { done: true, value: value as T };
    this.#started = true;
    return { done: false, value: this.#start() };
  }
}

function* bare(conn: Deno.Conn): Step {
  const buffer = new Uint8Array(65536);
  while (true) {
    const count = (yield conn.read(buffer)) as number | null;
    if (count === null) return;
    let offset = 0;
    while (offset < count) offset += (yield conn.write(buffer.subarray(offset, count))) as number;
  }
}

function* delegate(conn: Deno.Conn): Step {
  const buffer = new Uint8Array(65536);
  while (true) {
    const count = yield* new Operation(() => conn.read(buffer));
    if (count === null) return;
    let offset = 0;
    while (offset < count) {
      offset += yield* new Operation(() => conn.write(buffer.subarray(offset, count)));
    }
  }
}

function drive(steps: Step, conn: Deno.Conn): void {
  const close = () => {
    try {
      conn.close();
    } catch {
      // Closed already.
    }
  };
  const onValue = (value: unknown) => {
    const result = steps.next(value);
    if (result.done) close();
    else result.value.then(onValue, close);
  };
  onValue(undefined);
}

async function fresh(conn: Deno.Conn): Promise<void> {
  try {
    while (true) {
      const buffer = new Uint8Array(65536);
      const count = await conn.read(buffer);
      if (count === null) break;
      let offset = 0;
      while (offset < count) offset += await conn.write(buffer.subarray(offset, count));
    }
  } catch {
    // Peer reset.
  } finally {
    conn.close();
  }
}

(async () => {
  for await (const conn of listener) {
    if (mode === "fresh") fresh(conn);
    else drive(mode === "delegate" ? delegate(conn) : bare(conn), conn);
  }
})().catch(() => {});
console.log(listener.addr.port);
await serveUntilStdinCloses();
Deno.exit(0);
