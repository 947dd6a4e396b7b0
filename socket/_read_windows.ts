/**
 * Where a stream socket's reads land, and how a landed read becomes the chunk
 * handed to the caller.
 *
 * Deno cannot cancel a read, and a read holds its buffer until the peer
 * sends something: the buffer of a read that waits is memory the connection
 * holds for as long as it is quiet. So a read that is expected to wait lands
 * in a buffer of the socket's own, reused, whose size follows the data (256
 * bytes to start, doubled when a message did not fit, up to 16 KiB, halved
 * after a run of small messages), and what lands there is copied into a
 * shared slab. A read that is expected to find data (the one before it
 * filled its buffer, or it was hot and landed within a few milliseconds)
 * lands in a window of a per-socket slab, 1 KiB doubling to 64 KiB as
 * reads fill them, and is handed over without a copy.
 *
 * Chunks are views, never reused and never overwritten, so a chunk a caller
 * keeps is safe. Measured with `bench/soak.ts` (10,000 busy connections ×
 * 60 s): a fixed 256-byte wait buffer split most messages in two (two reads
 * and two writes for an echo: 0.73–0.83× the plain loop's messages per
 * second); slabs that grew past 16 KiB for every connection made each hold
 * about 100 KiB. So only a read that filled its buffer makes a connection
 * hot: a request/response connection (ping-pong, HTTP) stays on its wait
 * buffer, where a 64-byte echo costs less than a slab window (0.86–0.97×
 * the plain loop over seven runs, 0.86–0.88× before), and an idle connection does not
 * hold a slab (9.2 KiB per idle connection instead of 10.9); a bulk
 * transfer reads 64 KiB at a time, as the plain loop does (0.89× instead of
 * 0.66×: what is left is allocating every chunk fresh).
 */

import { allocBytes } from "./alloc_bytes.ts";

/** The buffer a read that is expected to wait lands in: its size follows the data. */
const MIN_WAIT_SIZE = 256;
const MAX_WAIT_SIZE = 16384;
/** Waits that used at most a quarter of the buffer, in a row, before it halves. */
const SPARSE_WAITS = 8;
const INITIAL_READ_SIZE = 1024;
const MAX_READ_SIZE = 65536;
/** Hot connections carve their windows from slabs of this size. */
const SLAB_SIZE = 16384;
/** A read that lands sooner than this leaves the connection hot. */
const HOT_MS = 10;
/** Copies what landed in a wait buffer into a piece of a shared slab (never reused). */
function copyOut(window: Uint8Array, count: number): Uint8Array {
  const chunk = allocBytes(count);
  // Small chunks byte by byte: a view of the window for `set` costs more.
  if (count <= 64) { for (let i = 0; i < count; i++) chunk[i] = window[i]!; }
  else chunk.set(count === window.length ? window : window.subarray(0, count));
  return chunk;
}

/** The slab a hot connection reads into, dropped when it cools down. */
class Hot {
  slab: Uint8Array | null = null;
  offset = 0;
  /** When the read in flight started (a time from the start: a double field). */
  started = Date.now();
}

/**
 * The read buffers of one stream socket. `StreamReader` extends it, so that
 * a connection carries one object for its read side, not two.
 */
export class ReadWindows {
  #wait: Uint8Array | null = null;
  #waitSize = MIN_WAIT_SIZE;
  #sparse = 0;
  /** The window the read in flight fills. */
  #window: Uint8Array | null = null;
  #readSize = INITIAL_READ_SIZE;
  /** Only while hot: an idle connection carries no slab state at all. */
  #hot: Hot | null = null;

  /** The buffer for the next read. */
  nextWindow(): Uint8Array {
    const hot = this.#hot;
    if (hot === null) return this.#window = this.#wait ??= new Uint8Array(this.#waitSize);
    hot.started = Date.now();
    const size = this.#readSize;
    let slab = hot.slab;
    let free = slab === null ? 0 : slab.length - hot.offset;
    if (free < size) {
      slab = hot.slab = new Uint8Array(Math.max(SLAB_SIZE, size));
      hot.offset = 0;
      free = slab.length;
    }
    const offset = hot.offset;
    return this.#window = slab!.subarray(offset, offset + Math.min(size, free));
  }

  /** The chunk for a read of `count` bytes into the last window given out. */
  landedChunk(count: number): Uint8Array {
    const window = this.#window!;
    this.#window = null;
    const filled = count === window.length;
    const hot = this.#hot;
    if (hot === null) {
      // Only a read that found more than its buffer holds makes a
      // connection hot; it starts without a slab.
      if (filled) this.#hot = new Hot();
      this.#fitWait(count, filled);
      return copyOut(window, count);
    }
    hot.offset += (count + 7) & ~7;
    if (filled && this.#readSize < MAX_READ_SIZE) this.#readSize *= 2;
    // One that lands soon after keeps it hot; otherwise the slab goes and
    // only the chunks keep it.
    if (!filled && Date.now() - hot.started >= HOT_MS) this.#hot = null;
    return window.subarray(0, count);
  }

  /**
   * Sizes the wait buffer to what arrives after a wait: doubled when a
   * message did not fit (so that it comes in one read, as in a loop with a
   * 16 KiB buffer), halved after a run of small ones.
   */
  #fitWait(count: number, filled: boolean): void {
    let size = this.#waitSize;
    if (filled) {
      size = Math.min(size * 2, MAX_WAIT_SIZE);
      this.#sparse = 0;
    } else if (count * 4 <= size && size > MIN_WAIT_SIZE) {
      if (++this.#sparse >= SPARSE_WAITS) {
        size /= 2;
        this.#sparse = 0;
      }
    } else this.#sparse = 0;
    if (size !== this.#waitSize) {
      this.#waitSize = size;
      this.#wait = null;
    }
  }

  /** Forgets the read sizes, for a socket that is reused. */
  resetWindows(): void {
    this.#window = null;
    this.#readSize = INITIAL_READ_SIZE;
    this.#hot = null;
    this.#waitSize = MIN_WAIT_SIZE;
    this.#wait = null;
    this.#sparse = 0;
  }
}
