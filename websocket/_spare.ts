/**
 * The message read last, by any connection, kept so that writing it again
 * (an echo, a broadcast) costs no copy: the receiver records its payload and
 * the bytes right before it that held its frame header, and the sender puts
 * its own header there instead of copying the payload into a new frame. The
 * bytes are no one else's: every view handed out ends before them or starts
 * after them.
 *
 * @module
 */

/** The spare message and its room; module state shared by every connection. */
export const spare: {
  /** The payload of the whole message read last, or `null`. */
  bytes: Uint8Array | null;
  /** How many bytes before `bytes` are free for a frame header. */
  room: number;
  /** The last whole text message decoded, and its bytes. */
  text: string | null;
  textBytes: Uint8Array | null;
} = { bytes: null, room: 0, text: null, textBytes: null };

/** Forgets whatever lives in `buffer`: its contents are about to change. */
export function forgetSpareIn(buffer: ArrayBufferLike): void {
  if (spare.bytes !== null && spare.bytes.buffer === buffer) spare.bytes = null;
  if (spare.textBytes !== null && spare.textBytes.buffer === buffer) {
    spare.text = spare.textBytes = null;
  }
}
