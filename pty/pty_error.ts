/** Why a pseudo-terminal operation failed. */
export type PtyErrorCode =
  /** The program could not be started (not found, not executable). */
  | "spawn"
  /** The pty is closed. */
  | "closed"
  /** No output within the timeout. */
  | "timeout"
  /** A wrong argument (a window size of zero, say). */
  | "incorrectuse"
  /** The system refused (errno in the message). */
  | "io";

/**
 * A pty failure with a stable `code`.
 *
 * @example
 * ```ts
 * import { PtyError } from "@cosocket/pty";
 *
 * console.log(new PtyError("closed", "Cannot read: the pty is closed").code); // "closed"
 * ```
 */
export class PtyError extends Error {
  /** The stable code. */
  readonly code: PtyErrorCode;

  /**
   * Creates the error.
   *
   * @param code The stable code.
   * @param message Sentence case, no trailing period.
   * @param options The cause.
   */
  constructor(code: PtyErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "PtyError";
    this.code = code;
  }
}
