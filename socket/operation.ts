import { fromGenerator } from "./_operation.ts";

/**
 * What a suspended cosocket waits for. Cosocket generators never create these
 * themselves; they `yield*` an {@linkcode Operation} and the runner resumes
 * them with its result.
 */
export type Suspension = PromiseLike<unknown>;

/**
 * A suspending call that serves both ways of writing socket code.
 *
 * - In async code, `await` it: it is a `PromiseLike`.
 * - In a cosocket generator, `yield*` it: it is iterable, and the cosocket
 *   runner resumes the generator with the result, on the same thread.
 *
 * Operations are lazy: nothing happens until they are awaited or delegated
 * to. (The one exception is `Socket#write`, which commits its bytes to the
 * socket's FIFO at the call, so writers are served in the order they called.)
 * An operation can be awaited or delegated to once; create a new one to
 * repeat the call.
 *
 * Why both: the seed API runs the same socket code blocking, asynchronous, or
 * as a cosocket. Async/await is the natural "blocking" style in Deno, and
 * generators give cosockets what Lua coroutines give the seed: a function
 * that looks sequential, can be suspended anywhere in its call tree, and can
 * be halted from outside with its `finally` blocks run.
 *
 * @typeParam T The result.
 *
 * @example Awaiting and delegating to the same kind of operation
 * ```ts
 * import { run, sleep } from "@cosocket/socket";
 *
 * await sleep(1);
 * const result = await run(function* () {
 *   yield* sleep(1);
 *   return "done";
 * });
 * console.log(result);
 * ```
 */
export interface Operation<T> extends PromiseLike<T> {
  /**
   * Runs the operation inside a cosocket generator (`yield*`).
   *
   * @returns An iterator that yields what the cosocket waits for and returns
   * the result.
   */
  [Symbol.iterator](): Iterator<Suspension, T, unknown>;
}

/**
 * Makes an {@linkcode Operation} from a generator function, for building
 * your own suspending calls out of others: delegating to it runs the
 * generator inside the cosocket; awaiting it drives the generator from a
 * promise chain. Each use calls the generator function anew, so the
 * operation is lazy.
 *
 * @typeParam T The result.
 * @param body The generator function; it may `yield*` other operations.
 * @returns The operation.
 *
 * @example A read of two lines as one operation
 * ```ts
 * import { bind, connect, operation, type Socket } from "@cosocket/socket";
 *
 * function readPair(sock: Socket) {
 *   return operation(function* () {
 *     const first = yield* sock.readLine();
 *     const second = yield* sock.readLine();
 *     return [first, second];
 *   });
 * }
 *
 * await using server = bind(0, { hostname: "127.0.0.1" });
 * await using client = await connect("127.0.0.1", server.sockname().port);
 * await using peer = (await server.accept())!;
 * await client.write("a\nb\n");
 * console.log(await readPair(peer)); // ["a", "b"]
 * ```
 */
export function operation<T>(body: () => Generator<Suspension, T, unknown>): Operation<T> {
  return fromGenerator(body);
}
