/**
 * Carves small buffers out of bigger ones: each buffer handed out is a
 * view its owner may keep, and a new slab is allocated only when the
 * current one is used up (or reused from its start, when the owner of all
 * its buffers says they are free: written frames). Allocating a typed array
 * costs far more in Deno than creating a view, so frames and message copies
 * of a busy connection come from slabs. Slabs start small (idle connections
 * stay cheap) and double up to 256 KiB; anything over a quarter of that
 * gets its own allocation.
 *
 * @module
 */

const FIRST_SLAB = 256;
const MAX_SLAB = 262144;

/** A source of owned buffers, one per connection and purpose. */
export class Slab {
  #slab: Uint8Array | null = null;
  #offset = 0;
  #next = FIRST_SLAB;

  /**
   * Starts handing out the current slab from its beginning again: only for
   * an owner that knows no buffer it took is in use any more.
   */
  reset(): void {
    this.#offset = 0;
  }

  /**
   * A buffer of `size` bytes, starting on a 4-byte boundary (so that masking
   * can work on 32-bit words).
   */
  take(size: number): Uint8Array {
    if (size > MAX_SLAB / 4) return new Uint8Array(size);
    let slab = this.#slab;
    if (slab === null || this.#offset + size > slab.length) {
      while (this.#next < MAX_SLAB && this.#next < size * 4) this.#next *= 2;
      slab = this.#slab = new Uint8Array(this.#next);
      this.#offset = 0;
      if (this.#next < MAX_SLAB) this.#next *= 2;
    }
    const start = this.#offset;
    this.#offset = (start + size + 3) & ~3;
    return slab.subarray(start, start + size);
  }
}
