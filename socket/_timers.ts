/**
 * Many timers on one platform timer. A `setTimeout` and its `clearTimeout`
 * cost about 3 µs here (Deno 2.9 makes a Node `Timeout` object for each);
 * a server whose every read has a timeout, most of them cleared long before
 * they expire, pays that per read. Timers of the same duration expire in the
 * order they were set, so each duration keeps a queue and the platform timer
 * waits for the earliest head. Setting a timer costs an array push; clearing
 * one marks it. When no timer is left, the platform timer is unref'd rather
 * than stopped, so nothing outlives the last caller and yet the next timer
 * needs no new platform timer (ref and unref cost 0.07 µs, a new `setTimeout`
 * with its `clearTimeout` 2.3 µs: an HTTP client whose reads each set and
 * clear a timeout spent 6 % of its time there); it fires in vain at most
 * once. The socket pool keeps its idle connections' timers on a queue of its
 * own whose platform timer is always unref'd (it keeps nothing alive).
 *
 * @module
 */

/** A timer set with {@linkcode setTimer}. */
export interface Timer {
  /** When it expires (`Date.now()` time). */
  readonly at: number;
  /** `true` once it ran or was cleared. */
  done: boolean;
}

interface Entry extends Timer {
  fn: () => void;
  queue: Queue;
}

/** The timers of one duration, oldest first, from `head` on. */
interface Queue {
  items: (Entry | undefined)[];
  head: number;
  /** Cleared entries still in `items`. */
  cleared: number;
}

/** Timers on one platform timer; `unref`'d ones never keep the process alive. */
export class TimerQueue {
  readonly #unref: boolean;
  readonly #queues = new Map<number, Queue>();
  #platformTimer: ReturnType<typeof setTimeout> | null = null;
  #platformAt = Infinity;
  /** Whether the platform timer keeps the process alive now. */
  #held = false;
  #live = 0;

  constructor(options: { unref: boolean }) {
    this.#unref = options.unref;
  }

  /** Pending timers. */
  get pending(): number {
    return this.#live;
  }

  /**
   * Runs `fn` once `ms` milliseconds have passed, unless cleared first.
   *
   * @param ms The delay; a whole number of milliseconds is kept exactly.
   * @param fn What to run.
   * @returns The timer, for {@linkcode TimerQueue.prototype.clear}.
   */
  set(ms: number, fn: () => void): Timer {
    let queue = this.#queues.get(ms);
    if (queue === undefined) this.#queues.set(ms, queue = { items: [], head: 0, cleared: 0 });
    const entry: Entry = { at: Date.now() + ms, done: false, fn, queue };
    queue.items.push(entry);
    this.#live++;
    if (entry.at < this.#platformAt) this.#arm(entry.at);
    else if (!this.#held && !this.#unref) this.#hold(true);
    return entry;
  }

  /**
   * Clears a timer; clearing one that ran or was cleared does nothing.
   *
   * @param timer The timer.
   */
  clear(timer: Timer): void {
    if (timer.done) return;
    timer.done = true;
    const entry = timer as Entry;
    entry.fn = noop;
    // The platform timer is left to fire and find nothing, unref'd: a client
    // whose every read sets and clears a timer would otherwise make a
    // platform timer per read.
    if (--this.#live === 0 && !this.#unref) this.#hold(false);
    // One long timer at the head must not keep thousands of cleared ones behind it.
    const queue = entry.queue;
    if (++queue.cleared > 1024 && queue.cleared * 2 > queue.items.length - queue.head) {
      queue.items = queue.items.slice(queue.head).filter((item) => !item!.done);
      queue.head = 0;
      queue.cleared = 0;
    }
  }

  #arm(at: number): void {
    if (this.#platformTimer !== null) clearTimeout(this.#platformTimer);
    this.#platformAt = at;
    this.#platformTimer = setTimeout(() => this.#fire(), Math.max(0, at - Date.now()));
    this.#held = true;
    if (this.#unref) this.#hold(false);
  }

  /** Lets the platform timer keep the process alive, or not. */
  #hold(held: boolean): void {
    const timer = this.#platformTimer;
    this.#held = held;
    if (timer === null) return;
    if (typeof timer === "number") {
      if (held) Deno.refTimer(timer);
      else Deno.unrefTimer(timer);
    } else {
      const handle = timer as { ref?: () => void; unref?: () => void };
      if (held) handle.ref?.();
      else handle.unref?.();
    }
  }

  #fire(): void {
    this.#platformTimer = null;
    this.#platformAt = Infinity;
    this.#held = false;
    const now = Date.now();
    const due: Entry[] = [];
    let next = Infinity;
    for (const [ms, queue] of this.#queues) {
      const { items } = queue;
      let head = queue.head;
      while (head < items.length) {
        const entry = items[head]!;
        if (!entry.done && entry.at > now) break;
        items[head++] = undefined;
        if (entry.done) queue.cleared--;
        else {
          entry.done = true;
          this.#live--;
          due.push(entry);
        }
      }
      if (head === items.length) this.#queues.delete(ms);
      else {
        queue.head = head;
        next = Math.min(next, items[head]!.at);
        if (head > 1024 && head * 2 > items.length) {
          queue.items = items.slice(head);
          queue.head = 0;
        }
      }
    }
    // Re-arm first: a callback may set timers of its own.
    if (next !== Infinity) this.#arm(next);
    for (const entry of due) entry.fn();
  }
}

function noop(): void {}

/** The timers of deadlines: a read waiting with a timeout keeps the process alive. */
const deadlines = new TimerQueue({ unref: false });

/**
 * Runs `fn` once `ms` milliseconds have passed, unless cleared first (on
 * the deadline queue).
 *
 * @param ms The delay.
 * @param fn What to run.
 * @returns The timer, for {@linkcode clearTimer}.
 */
export function setTimer(ms: number, fn: () => void): Timer {
  return deadlines.set(ms, fn);
}

/**
 * Clears a timer of {@linkcode setTimer}.
 *
 * @param timer The timer.
 */
export function clearTimer(timer: Timer): void {
  deadlines.clear(timer);
}

/** Pending timers of {@linkcode setTimer}, for tests. */
export function pendingTimers(): number {
  return deadlines.pending;
}
