import { acceptBackoffs } from "./_accept_backoff.ts";
import { lazy, withCancel } from "./_operation.ts";
import { createRoutine, currentRoutine, runningRoutines } from "./_runner.ts";
import type { Operation, Suspension } from "./operation.ts";
import { type CosocketFunction, internals, type Socket } from "./socket.ts";
import { SocketError } from "./socket_error.ts";
import type { Task } from "./task.ts";

/**
 * Starts a cosocket on a new, unconnected socket (the seed's
 * `ba.socket.event`). The function runs at once, receiving the socket and
 * then `args`. Its first socket call is usually `connect` or `bind`, which
 * connect or bind this very socket. It may also stay unconnected and only
 * write to other sockets, or wait in `disable()` until someone calls
 * `enable()`. The socket closes when the function returns or throws.
 * Started inside another cosocket, it is that one's child and ends with it
 * (see {@linkcode spawn}).
 *
 * Inside the function, wait for operations with `yield*` (not a bare
 * `yield`, which fails with "use yield* with an operation"). A promise is
 * not an operation: `yield* somePromise` fails; wrap it as
 * `yield* until(somePromise)` (a `crypto.subtle` call, `fetch`,
 * `Deno.readFile`, a JWT `verify`).
 *
 * @param fn The cosocket: a generator function.
 * @param args The arguments after the socket.
 * @returns The socket; its `task` is the running cosocket.
 *
 * @example A cosocket client (seed Example 10)
 * ```ts
 * import { bind, connect, event, type Socket } from "@cosocket/socket";
 *
 * await using server = bind(0, { hostname: "127.0.0.1" });
 * const client = event(function* (sock: Socket, port: number) {
 *   yield* connect("127.0.0.1", port);
 *   yield* sock.write("hello");
 *   return new TextDecoder().decode((yield* sock.read())!);
 * }, server.sockname().port);
 *
 * await using peer = (await server.accept())!;
 * await peer.write(await peer.readExactly(5) ?? "");
 * console.log(await client.task); // "hello"
 * ```
 */
export function event<A extends unknown[]>(fn: CosocketFunction<A>, ...args: A): Socket {
  return internals.create().event(fn, ...args);
}

/**
 * Runs a generator function as a cosocket that has no socket of its own:
 * the general runner, for composing operations outside a socket.
 *
 * @param fn The generator function.
 * @returns The task: await it for the result, or halt it.
 *
 * @example
 * ```ts
 * import { run, sleep } from "@cosocket/socket";
 *
 * console.log(await run(function* () {
 *   yield* sleep(1);
 *   return 42;
 * }));
 * ```
 */
export function run<T>(fn: () => Iterator<Suspension, T, unknown>): Task<T> {
  const routine = createRoutine(null, fn, []);
  routine.start();
  return routine;
}

/**
 * Starts a child cosocket with no socket of its own, in the manner of
 * effection's `spawn`: it runs beside the cosocket that spawned it and ends
 * with it. When the parent returns, throws or is halted, its children are
 * halted first (the most recently started first, each one's `finally`
 * blocks and teardowns done before the next), then the parent's own
 * teardowns run. Every cosocket started while another runs (`run`, `event`,
 * `socket.event`, a listener's connections) is that one's child the same
 * way; `task.detach()` or `socket.detach()` lets one outlive its parent.
 *
 * @param fn The generator function of the child.
 * @returns The child's task, started at once (like `run`, it runs up to its
 * first wait before `spawn` returns): await it, halt it, or `yield*` it for
 * its result. A task is itself awaitable, so `spawn` returns it directly
 * rather than as an operation.
 * @throws {SocketError} `incorrectuse` outside a cosocket (use `run`).
 *
 * @example A heartbeat that ends with the cosocket that started it
 * ```ts
 * import { run, sleep, spawn } from "@cosocket/socket";
 *
 * let beats = 0;
 * await run(function* () {
 *   spawn(function* () {
 *     while (true) {
 *       yield* sleep(5);
 *       beats++;
 *     }
 *   });
 *   yield* sleep(30);
 * }); // returning halts the heartbeat
 * console.log(beats > 0); // true
 * ```
 */
export function spawn<T>(fn: () => Iterator<Suspension, T, unknown>): Task<T> {
  if (currentRoutine() === null) {
    throw new SocketError(
      "incorrectuse",
      "Cannot spawn a cosocket: spawn() works inside a cosocket, use run() outside one",
    );
  }
  return run(fn);
}

/**
 * The socket of the cosocket running now (the seed's `ba.socket.getsock`).
 *
 * @returns The socket, or `null` outside cosockets and in `run` tasks.
 *
 * @example
 * ```ts
 * import { event, getsock, type Socket } from "@cosocket/socket";
 *
 * console.log(getsock()); // null
 * event(function* (sock: Socket) {
 *   console.log(getsock() === sock); // true
 * });
 * ```
 */
export function getsock(): Socket | null {
  return currentRoutine()?.socket ?? null;
}

/** The result of {@linkcode sockstat}. */
export interface SocketStatistics {
  /** Socket objects created and not yet closed. */
  total: number;
  /** Cosockets that have not finished. */
  active: number;
  /**
   * Times a listener waited after a temporary accept failure (out of
   * descriptors or buffers) since the process started.
   */
  acceptBackoffs: number;
}

/**
 * Counts sockets (the seed's `ba.socket.sockstat`). Both numbers return to
 * zero when every socket is closed and every cosocket has finished, which
 * makes this a leak check.
 *
 * @returns The totals.
 *
 * @example
 * ```ts
 * import { sockstat } from "@cosocket/socket";
 *
 * console.log(sockstat()); // { total: 0, active: 0, acceptBackoffs: 0 }
 * ```
 */
export function sockstat(): SocketStatistics {
  return {
    total: internals.openSockets(),
    active: runningRoutines(),
    acceptBackoffs: acceptBackoffs(),
  };
}

/**
 * Waits for `ms` milliseconds. Halting the cosocket clears the timer.
 *
 * @param ms The time in milliseconds.
 * @returns The operation.
 *
 * @example
 * ```ts
 * import { sleep } from "@cosocket/socket";
 *
 * await sleep(1);
 * ```
 */
export function sleep(ms: number): Operation<void> {
  return lazy(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const promise = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    });
    return withCancel(promise, () => clearTimeout(timer));
  });
}

/**
 * Waits for a promise inside a cosocket: the bridge from promise-based APIs
 * (fetch, file I/O, WebCrypto, a JWT `verify`) into cosocket code. A
 * promise cannot be `yield*`ed directly (it is not iterable: TypeScript
 * reports "must have a '[Symbol.iterator]()' method", and at run time the
 * cosocket fails with a hint to use `until`).
 *
 * @param promise The promise, or a function that starts it when the
 * operation runs (lazily).
 * @returns The operation.
 *
 * @example
 * ```ts
 * import { run, until } from "@cosocket/socket";
 *
 * const digest = await run(function* () {
 *   const bytes = new TextEncoder().encode("abc");
 *   return yield* until(() => crypto.subtle.digest("SHA-256", bytes));
 * });
 * console.log(digest.byteLength); // 32
 * ```
 */
export function until<T>(promise: PromiseLike<T> | (() => PromiseLike<T>)): Operation<T> {
  return lazy(() => typeof promise === "function" ? promise() : promise);
}

/**
 * How a cosocket ended, as its teardowns learn it: it `returned`, `threw`,
 * or was `halted`.
 */
export type CosocketEnd = "returned" | "threw" | "halted";

/**
 * Registers a teardown for the running cosocket. Teardowns run after the
 * cosocket returns, throws or is halted, in reverse order, before its socket
 * closes, and the task settles only when they are done. Unlike a `finally`
 * block, a teardown may do I/O even when the cosocket was halted: this is
 * where a WebSocket close frame or an SMTP `QUIT` belongs.
 *
 * @param teardown The function; it learns how the cosocket ended and may
 * return a promise.
 * @returns An operation that registers it.
 * @throws {SocketError} `incorrectuse` outside a cosocket.
 *
 * @example
 * ```ts
 * import { ensure, run, sleep } from "@cosocket/socket";
 *
 * const task = run(function* () {
 *   yield* ensure(async (end) => {
 *     await new Promise((resolve) => setTimeout(resolve, 1));
 *     console.log("teardown finished:", end); // "teardown finished: halted"
 *   });
 *   yield* sleep(60_000);
 * });
 * await task.halt();
 * ```
 */
export function ensure(
  teardown: (end: CosocketEnd) => void | PromiseLike<void>,
): Operation<void> {
  return lazy(() => {
    const routine = currentRoutine();
    if (routine === null) {
      throw new SocketError("incorrectuse", "Cannot register teardown: not inside a cosocket");
    }
    routine.ensure(teardown);
  });
}
