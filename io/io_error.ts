/** The seed's I/O error codes. */
export type IoErrorCode =
  | "notfound"
  | "exist"
  | "noaccess"
  | "notempty"
  | "invalidname"
  | "isdir"
  | "notdir"
  | "nospace"
  | "closed"
  | "notimplemented"
  | "ioerror";

/**
 * An I/O operation failed; `code` says why (the seed's I/O error strings).
 *
 * @example
 * ```ts
 * import { IoError, memoryIo } from "@cosocket/io";
 *
 * try {
 *   await memoryIo().open("missing.txt");
 * } catch (error) {
 *   console.log(error instanceof IoError && error.code); // "notfound"
 * }
 * ```
 */
export class IoError extends Error {
  /** The stable error code. */
  readonly code: IoErrorCode;
  /** The name the operation was given. */
  readonly path: string;

  /**
   * Creates the error.
   *
   * @param code The stable code.
   * @param message Sentence case, no trailing period.
   * @param path The name the operation was given.
   * @param options The cause.
   */
  constructor(
    code: IoErrorCode,
    message: string,
    path: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "IoError";
    this.code = code;
    this.path = path;
  }
}
