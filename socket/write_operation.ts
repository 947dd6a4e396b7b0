/**
 * What `Socket#write` takes and returns.
 *
 * @example Check whether a write that nobody waits for was taken
 * ```ts
 * import { bind, connect, type WriteOperation } from "@cosocket/socket";
 *
 * await using server = bind(0, { hostname: "127.0.0.1" });
 * await using client = await connect("127.0.0.1", server.sockname().port);
 * const write: WriteOperation = client.write("hello");
 * console.log(write.accepted); // true: the queue was empty
 * await write;
 * ```
 *
 * @module
 */
import type { ByteArray } from "./byte_array.ts";
import type { Operation } from "./operation.ts";

/** What `Socket#write` accepts. Strings are sent as UTF-8. */
export type WriteData = Uint8Array | ArrayBuffer | string | ByteArray;

/**
 * The result of `Socket#write`: awaitable and `yield*`-able like any
 * operation, and it also tells a caller that does not wait whether its
 * bytes were taken.
 */
export interface WriteOperation extends Operation<void> {
  /**
   * `false` when the socket queue already held `queuelen()` bytes from
   * writers that do not wait. Such a write is sent only if its caller waits
   * for it (awaits it or delegates to it); otherwise it is dropped whole,
   * and nothing written before or after it is reordered.
   */
  readonly accepted: boolean;
  /** Bytes that writers which do not wait had queued when this write was made. */
  readonly queueLength: number;
}
