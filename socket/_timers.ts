/**
 * Many timers on one platform timer. A `setTimeout` and its `clearTimeout`
 * cost about 3 µs here (Deno 2.9 makes a Node `Timeout` object for each);
 * a server whose every read has a timeout, most of them cleared long before
 * they expire, pays that per read. Timers of the same duration expire in the
 * order they were set, so each duration keeps a queue and the platform timer
 * waits for the earliest head. Setting a timer costs an array push; clearing
 * one marks it. The platform timer is stopped whenever no timer is left, so
 * nothing outlives the last caller. The socket pool keeps its idle
 * connections' timers on a queue of its own whose platform timer is
 * unref'd: that one is left running when its last timer is cleared (it
 * keeps nothing alive).
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
    // An unref'd platform timer is left to fire and find nothing: a pool
    // that parks and takes a connection per request would otherwise set and
    // clear a platform timer each time.
    if (--this.#live === 0 && !this.#unref) return this.#disarm();
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
    const timer = this.#platformTimer = setTimeout(
      () => this.#fire(),
      Math.max(0, at - Date.now()),
    );
    if (!this.#unref) return;
    if (typeof timer === "number") Deno.unrefTimer(timer);
    else (timer as { unref?: () => void }).unref?.();
  }

  #disarm(): void {
    if (this.#platformTimer !== null) clearTimeout(this.#platformTimer);
    this.#platformTimer = null;
    this.#platformAt = Infinity;
    // Nothing is pending: forget the cleared entries too.
    this.#queues.clear();
  }

  #fire(): void {
    this.#platformTimer = null;
    this.#platformAt = Infinity;
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
