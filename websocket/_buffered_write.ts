// A write taken into a WebSocket connection's buffer. Not exported.
import type { Suspension, WriteOperation } from "@cosocket/socket";

const noop = () => {};
const DONE: IteratorResult<Suspension, void> = Object.freeze({ done: true, value: undefined });

/** A write taken into the connection's buffer: done at once, or when `waiting` settles. */
export class BufferedWrite implements WriteOperation, Iterator<Suspension, void, unknown> {
  readonly #accepted: boolean;
  readonly queueLength: number;
  readonly #waiting: Promise<void> | null;
  /** Its caller awaited it or delegated to it. */
  waited = false;
  /** Its caller looked at `accepted`. */
  observed = false;
  /**
   * Where a write refused at the call was called from, for the warning (its
   * stack is formatted only when the warning is shown: that costs more than
   * the write).
   */
  readonly #callSite: Error | null;
  /** 0: not iterated, 1: yielded its wait, 2: done. */
  #iterated: 0 | 1 | 2 = 0;

  constructor(waiting: Promise<void> | null, queueLength: number, accepted = true) {
    this.#waiting = waiting;
    this.queueLength = queueLength;
    this.#accepted = accepted;
    this.#callSite = accepted ? null : new Error();
    // A failure nobody waits for surfaces on the next write instead.
    waiting?.catch(noop);
  }

  /** The call site of a refused write, for the warning. */
  get callSite(): string {
    return callSiteOf(this.#callSite);
  }

  get accepted(): boolean {
    this.observed = true;
    return this.#accepted;
  }

  // Its own first iterator (no generator per write): a write taken into
  // the buffer is done at once, the common case.
  [Symbol.iterator](): Iterator<Suspension, void, unknown> {
    this.waited = true;
    if (this.#iterated === 0) return this;
    return this.#iterateAgain();
  }

  next(): IteratorResult<Suspension, void> {
    if (this.#iterated === 0 && this.#waiting !== null) {
      this.#iterated = 1;
      return { done: false, value: this.#waiting };
    }
    this.#iterated = 2;
    return DONE;
  }

  throw(error?: unknown): IteratorResult<Suspension, void> {
    this.#iterated = 2;
    throw error;
  }

  return(): IteratorResult<Suspension, void> {
    this.#iterated = 2;
    return DONE;
  }

  *#iterateAgain(): Generator<Suspension, void> {
    if (this.#waiting !== null) yield this.#waiting;
  }

  then<R1 = void, R2 = never>(
    onfulfilled?: ((value: void) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    this.waited = true;
    return (this.#waiting ?? Promise.resolve()).then(onfulfilled, onrejected);
  }
}

/**
 * The caller's frames of an error made where a write was called, for a
 * refusal warning (formatted only then: a source-mapped stack is costly).
 */
export function callSiteOf(error: Error | null): string {
  return error?.stack?.split("\n").slice(3, 7).join("\n") ?? "(unknown)";
}
