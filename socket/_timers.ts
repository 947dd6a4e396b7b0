/**
 * Many timers on one platform timer. A `setTimeout` and its `clearTimeout`
 * cost about 3 µs here (Deno 2.9 makes a Node `Timeout` object for each);
 * a server whose every read has a timeout, most of them cleared long before
 * they expire, pays that per read. Timers of the same duration expire in the
 * order they were set, so each duration keeps a queue and the platform timer
 * waits for the earliest head. Setting a timer costs an array push; clearing
 * one marks it. The platform timer is stopped whenever no timer is left, so
 * nothing outlives the last caller.
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

const queues = new Map<number, Queue>();
let platformTimer: ReturnType<typeof setTimeout> | null = null;
let platformAt = Infinity;
let live = 0;

/**
 * Runs `fn` once `ms` milliseconds have passed, unless cleared first.
 *
 * @param ms The delay; a whole number of milliseconds is kept exactly.
 * @param fn What to run.
 * @returns The timer, for {@linkcode clearTimer}.
 */
export function setTimer(ms: number, fn: () => void): Timer {
  let queue = queues.get(ms);
  if (queue === undefined) queues.set(ms, queue = { items: [], head: 0, cleared: 0 });
  const entry: Entry = { at: Date.now() + ms, done: false, fn, queue };
  queue.items.push(entry);
  live++;
  if (entry.at < platformAt) arm(entry.at);
  return entry;
}

/**
 * Clears a timer; clearing one that ran or was cleared does nothing.
 *
 * @param timer The timer.
 */
export function clearTimer(timer: Timer): void {
  if (timer.done) return;
  timer.done = true;
  const entry = timer as Entry;
  entry.fn = noop;
  if (--live === 0) return disarm();
  // One long timer at the head must not keep thousands of cleared ones behind it.
  const queue = entry.queue;
  if (++queue.cleared > 1024 && queue.cleared * 2 > queue.items.length - queue.head) {
    queue.items = queue.items.slice(queue.head).filter((item) => !item!.done);
    queue.head = 0;
    queue.cleared = 0;
  }
}

function noop(): void {}

function arm(at: number): void {
  if (platformTimer !== null) clearTimeout(platformTimer);
  platformAt = at;
  platformTimer = setTimeout(fire, Math.max(0, at - Date.now()));
}

function disarm(): void {
  if (platformTimer !== null) clearTimeout(platformTimer);
  platformTimer = null;
  platformAt = Infinity;
  // Nothing is pending: forget the cleared entries too.
  queues.clear();
}

function fire(): void {
  platformTimer = null;
  platformAt = Infinity;
  const now = Date.now();
  const due: Entry[] = [];
  let next = Infinity;
  for (const [ms, queue] of queues) {
    const { items } = queue;
    let head = queue.head;
    while (head < items.length) {
      const entry = items[head]!;
      if (!entry.done && entry.at > now) break;
      items[head++] = undefined;
      if (entry.done) queue.cleared--;
      else {
        entry.done = true;
        live--;
        due.push(entry);
      }
    }
    if (head === items.length) queues.delete(ms);
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
  if (next !== Infinity) arm(next);
  for (const entry of due) entry.fn();
}

/** Pending timers, for tests. */
export function pendingTimers(): number {
  return live;
}
