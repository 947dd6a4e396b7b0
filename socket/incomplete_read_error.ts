import { SocketError } from "./socket_error.ts";

/**
 * Thrown by `readExactly`, `readUntil` and `readLine` when the stream ends
 * part way. The bytes that did arrive are in {@linkcode partial}.
 *
 * @example
 * ```ts
 * import { IncompleteReadError } from "@cosocket/socket";
 *
 * const error = new IncompleteReadError(new Uint8Array([1, 2]));
 * console.log(error.code, error.partial.length); // "closed" 2
 * ```
 */
export class IncompleteReadError extends SocketError {
  /** The bytes received before the stream ended. */
  readonly partial: Uint8Array;

  /**
   * Creates the error.
   *
   * @param partial The bytes received before the stream ended.
   */
  constructor(partial: Uint8Array) {
    super(
      "closed",
      `Cannot complete read: connection closed after ${partial.length} bytes`,
    );
    this.name = "IncompleteReadError";
    this.partial = partial;
  }
}
