/**
 * The one timer behind every "wait at most `ms`" of this package: a promise
 * that rejects with `error()` once `ms` have passed (after `onExpire` has run,
 * for what the caller must detach first), and `clear`, which stops the timer
 * and is safe to call any number of times. Race `expired` against the work;
 * clear it when the work wins or the wait is cancelled. `raceTimeout` does
 * that race itself with one promise, for the waits of every exchange.
 *
 * @module
 */
import { type CancellablePromise, withCancel } from "./_operation.ts";
import { clearTimer, setTimer, type Timer } from "./_timers.ts";

/** A running deadline: `expired` rejects when it passes; `clear` stops it. */
export interface Deadline {
  expired: Promise<never>;
  clear(): void;
}

/**
 * Starts a deadline.
 *
 * @param ms Milliseconds until it expires.
 * @param error The rejection reason, made when it expires.
 * @param onExpire Runs just before the rejection.
 * @returns The deadline.
 */
export function deadline(ms: number, error: () => Error, onExpire?: () => void): Deadline {
  let timer!: Timer;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimer(ms, () => {
      onExpire?.();
      reject(error());
    });
  });
  // Nobody may be listening when the work won: the rejection is expected.
  expired.catch(() => {});
  return { expired, clear: () => clearTimer(timer) };
}

/**
 * Races `work` against a timer, with one promise and one timer: it settles
 * as `work` does, or rejects with `error()` once `ms` have passed (after
 * `onExpire`). Halting the wait clears the timer. For waits on every
 * exchange (a client's reads), where a race against a {@linkcode deadline}
 * costs three promises more.
 *
 * @param work What is waited for; its late outcome is ignored.
 * @param ms Milliseconds until it expires.
 * @param error The rejection reason, made when it expires.
 * @param onExpire Runs just before the rejection.
 * @returns The raced promise, with a cancel hook that clears the timer.
 */
export function raceTimeout<T>(
  work: Promise<T>,
  ms: number,
  error: () => Error,
  onExpire?: () => void,
): CancellablePromise<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const raced = new Promise<T>((settle, fail) => {
    resolve = settle;
    reject = fail;
  });
  const timer = setTimer(ms, () => {
    onExpire?.();
    reject(error());
  });
  work.then((value) => {
    clearTimer(timer);
    resolve(value);
  }, (reason) => {
    clearTimer(timer);
    reject(reason);
  });
  return withCancel(raced, () => clearTimer(timer));
}
