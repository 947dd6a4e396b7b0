/** One traced line. */
export interface TraceEntry {
  /** When it was traced (ms since the epoch). */
  time: number;
  /** Its priority: 0 is the most important. */
  priority: number;
  /** The text. */
  text: string;
}

/** What the trace buffer records (the seed's TraceLogger `configure` options). */
export interface TraceSettings {
  /** Trace each request's method and URL. @default {false} */
  request: boolean;
  /** Trace each request's headers. @default {false} */
  requestHeaders: boolean;
  /** Trace each response's status and headers. @default {false} */
  responseHeaders: boolean;
  /** Trace response bodies written by handlers. @default {false} */
  responseBody: boolean;
  /** Keep lines whose priority is this or more important (lower). @default {5} */
  priority: number;
}

/** Options of {@linkcode TraceBuffer}. */
export interface TraceBufferOptions {
  /**
   * The most lines kept; the oldest go first.
   *
   * @default {1000}
   */
  capacity?: number;
}

/**
 * A bounded ring of traced lines with the seed's trace settings; listeners
 * (the live viewer, a log file) see each line as it is added.
 *
 * @example
 * ```ts
 * import { TraceBuffer } from "@cosocket/trace";
 *
 * const buffer = new TraceBuffer({ capacity: 2 });
 * buffer.add(5, "one");
 * buffer.add(5, "two");
 * buffer.add(5, "three");
 * console.log(buffer.entries().map((entry) => entry.text)); // ["two", "three"]
 * ```
 */
export class TraceBuffer {
  readonly #capacity: number;
  readonly #ring: (TraceEntry | undefined)[];
  #next = 0;
  #count = 0;
  readonly #listeners = new Set<(entry: TraceEntry) => void>();
  /** The settings; change them with {@linkcode TraceBuffer.prototype.configure}. */
  readonly settings: TraceSettings = {
    request: false,
    requestHeaders: false,
    responseHeaders: false,
    responseBody: false,
    priority: 5,
  };

  /**
   * Creates a buffer.
   *
   * @param options The capacity.
   * @throws {RangeError} For a capacity below 1.
   */
  constructor(options?: TraceBufferOptions) {
    const capacity = options?.capacity ?? 1000;
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(`Cannot create trace buffer: capacity ${capacity} is below 1`);
    }
    this.#capacity = capacity;
    this.#ring = new Array(capacity);
  }

  /**
   * Sets some settings and returns them all (the seed's `configure`).
   *
   * @param changes The settings to change.
   * @returns The settings now.
   */
  configure(changes?: Partial<TraceSettings>): TraceSettings {
    Object.assign(this.settings, changes);
    return { ...this.settings };
  }

  /**
   * Adds a line, unless its priority is less important than the setting.
   *
   * @param priority 0 is the most important.
   * @param text The line.
   * @returns `true` when the line was kept.
   */
  add(priority: number, text: string): boolean {
    if (priority > this.settings.priority) return false;
    const entry = { time: Date.now(), priority, text };
    this.#ring[this.#next] = entry;
    this.#next = (this.#next + 1) % this.#capacity;
    this.#count = Math.min(this.#count + 1, this.#capacity);
    for (const listener of this.#listeners) {
      try {
        listener(entry);
      } catch (error) {
        console.error("Trace listener failed:", error);
      }
    }
    return true;
  }

  /**
   * The lines kept, oldest first.
   *
   * @returns A copy.
   */
  entries(): TraceEntry[] {
    const out: TraceEntry[] = [];
    const start = (this.#next - this.#count + this.#capacity) % this.#capacity;
    for (let i = 0; i < this.#count; i++) out.push(this.#ring[(start + i) % this.#capacity]!);
    return out;
  }

  /**
   * Calls `listener` with every line added from now on.
   *
   * @param listener The listener.
   * @returns A function that stops it.
   */
  subscribe(listener: (entry: TraceEntry) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
