import { lazy, withCancel } from "./_operation.ts";
import type { Operation } from "./operation.ts";

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
