/**
 * The one timer behind every "wait at most `ms`" of this package: a promise
 * that rejects with `error()` once `ms` have passed (after `onExpire` has run,
 * for what the caller must detach first), and `clear`, which stops the timer
 * and is safe to call any number of times. Race `expired` against the work;
 * clear it when the work wins or the wait is cancelled.
 *
 * @module
 */
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
