/** Why a job failed. */
export type JobErrorCode =
  /** The job's function threw (its error's name, message and stack are kept). */
  | "failed"
  /** The module could not be loaded or has no such export. */
  | "module"
  /** An argument or the result cannot be cloned. */
  | "clone"
  /** The worker died while running the job (it was replaced). */
  | "died"
  /** The pool or thread was closed before the job ran or finished. */
  | "closed";

/**
 * A job that did not return a result. For `failed`, `name`, `message`
 * and `stack` are the job's own error's (the stack is the worker's).
 *
 * @example
 * ```ts
 * import { JobError } from "@cosocket/thread";
 *
 * const error = new JobError("died", "Cannot finish job: the worker died");
 * console.log(error.code, error.name); // died JobError
 * ```
 */
export class JobError extends Error {
  /** The stable code. */
  readonly code: JobErrorCode;

  /**
   * Creates the error.
   *
   * @param code The stable code.
   * @param message Sentence case, no trailing period.
   * @param options The cause.
   */
  constructor(code: JobErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "JobError";
    this.code = code;
  }
}
