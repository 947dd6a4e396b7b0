// An operation that runs one generator method with one argument. Not exported.
import { type Operation, operation, type Suspension } from "@cosocket/socket";

/**
 * `operation(() => target.method(argument))` without the two closures and
 * the object that `operation` makes per call: a read returns one of these
 * per message, on the hot path of every connection.
 */
export class MethodOperation<S, A, T> implements Operation<T> {
  readonly #method: (this: S, argument: A) => Generator<Suspension, T, unknown>;
  readonly #target: S;
  readonly #argument: A;

  constructor(
    method: (this: S, argument: A) => Generator<Suspension, T, unknown>,
    target: S,
    argument: A,
  ) {
    this.#method = method;
    this.#target = target;
    this.#argument = argument;
  }

  [Symbol.iterator](): Iterator<Suspension, T, unknown> {
    return this.#method.call(this.#target, this.#argument);
  }

  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): PromiseLike<R1 | R2> {
    return operation(() => this[Symbol.iterator]() as Generator<Suspension, T, unknown>)
      .then(onfulfilled, onrejected);
  }
}
