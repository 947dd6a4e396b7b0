/** Events and the arguments their listeners receive: `{ data: [Uint8Array]; close: [] }`. */
export type EventMap = { [event: string]: unknown[] };

/** A listener of the event `K` of the map `E`. */
export type Listener<A extends unknown[]> = (...args: A) => void;

/** An event to emit with options (the seed's `{ name = "x", retain = true }`). */
export interface EmitOptions<K extends string> {
  /** The event's name. */
  name: K;
  /**
   * Keep the event: listeners registered later receive it at once (the
   * last retained emit of a name replaces the one before).
   *
   * @default {false}
   */
  retain?: boolean;
}

/** Options of {@linkcode create} and the {@linkcode EventEmitter} constructor. */
export interface EventEmitterOptions {
  /**
   * Called when a listener throws; the other listeners still run.
   *
   * @default {undefined} (logged with `console.error`)
   */
  onListenerError?: (error: unknown, event: string) => void;
}

/** A listener registered with `once`, remembered so that `off` finds it. */
interface OnceWrapper extends Listener<unknown[]> {
  listener: Listener<never>;
}

/**
 * An event emitter (the seed's EventEmitter library) that also does what
 * Node users expect: `once`, `off`, typed event maps, and listener errors
 * isolated (one throwing listener does not stop the others; the error is
 * reported). Retained events (`emit({ name, retain: true }, ...)`) reach
 * listeners registered later at once, as in the seed. No platform API is
 * used: it runs in Deno, Node and browsers alike.
 *
 * Listener lists are copied when they change, not when an event is
 * emitted, so `emit` iterates without allocating and a listener removed
 * during an emit still gets that emit.
 *
 * @typeParam E The event map: event names and their listeners' arguments.
 *
 * @example The seed's example, typed
 * ```ts
 * import { create } from "@cosocket/events";
 *
 * const emitter = create<{ myEvent: [string] }>();
 * emitter.on("myEvent", (message) => console.log("Received:", message));
 * emitter.emit("myEvent", "Hello World"); // Received: Hello World
 * emitter.emit({ name: "myEvent", retain: true }, "Retained Message");
 * emitter.on("myEvent", (message) => console.log("New listener received:", message));
 * // New listener received: Retained Message
 * ```
 */
export class EventEmitter<E extends EventMap = EventMap> {
  #listeners: Map<string, Listener<never>[]> = new Map();
  #retained: Map<string, unknown[]> | null = null;
  readonly #onListenerError: ((error: unknown, event: string) => void) | undefined;

  /**
   * Creates an emitter.
   *
   * @param options Where listener errors go.
   */
  constructor(options?: EventEmitterOptions) {
    this.#onListenerError = options?.onListenerError;
  }

  /**
   * Registers a listener; a retained event of that name is delivered to it
   * at once.
   *
   * @param event The event name.
   * @param listener The listener.
   * @returns This emitter.
   */
  on<K extends keyof E & string>(event: K, listener: Listener<E[K]>): this {
    const list = this.#listeners.get(event);
    this.#listeners.set(event, list === undefined ? [listener] : [...list, listener]);
    const retained = this.#retained?.get(event);
    if (retained !== undefined) this.#call(listener as Listener<unknown[]>, retained, event);
    return this;
  }

  /**
   * Registers a listener for one emit only (a retained event counts).
   *
   * @param event The event name.
   * @param listener The listener.
   * @returns This emitter.
   */
  once<K extends keyof E & string>(event: K, listener: Listener<E[K]>): this {
    const wrapper = ((...args: E[K]) => {
      this.off(event, listener);
      (listener as Listener<unknown[]>)(...args);
    }) as OnceWrapper;
    wrapper.listener = listener;
    return this.on(event, wrapper as Listener<E[K]>);
  }

  /**
   * Removes a listener (the most recently added registration of it).
   *
   * @param event The event name.
   * @param listener The listener given to `on` or `once`.
   * @returns This emitter.
   */
  off<K extends keyof E & string>(event: K, listener: Listener<E[K]>): this {
    const list = this.#listeners.get(event);
    if (list === undefined) return this;
    for (let index = list.length - 1; index >= 0; index--) {
      const candidate = list[index]!;
      if (candidate === listener || (candidate as OnceWrapper).listener === listener) {
        if (list.length === 1) this.#listeners.delete(event);
        else this.#listeners.set(event, list.toSpliced(index, 1));
        break;
      }
    }
    return this;
  }

  /**
   * Removes a listener (the seed's name for {@linkcode EventEmitter.prototype.off}).
   *
   * @param event The event name.
   * @param listener The listener.
   * @returns This emitter.
   */
  removeListener<K extends keyof E & string>(event: K, listener: Listener<E[K]>): this {
    return this.off(event, listener);
  }

  /**
   * Removes every listener of `event`, or of every event.
   *
   * @param event The event name.
   * @returns This emitter.
   */
  removeAllListeners(event?: keyof E & string): this {
    if (event === undefined) this.#listeners.clear();
    else this.#listeners.delete(event);
    return this;
  }

  /**
   * Calls the listeners of an event with `args`, in the order they were
   * registered. A listener that throws is reported; the others still run.
   *
   * @param event The event name, or `{ name, retain }` to keep the event for
   * listeners registered later.
   * @param args The listeners' arguments.
   * @returns `true` when the event had listeners.
   */
  emit<K extends keyof E & string>(event: K | EmitOptions<K>, ...args: E[K]): boolean {
    let name: string;
    if (typeof event === "string") name = event;
    else {
      name = event.name;
      if (event.retain === true) (this.#retained ??= new Map()).set(name, args);
    }
    const list = this.#listeners.get(name);
    if (list === undefined) return false;
    for (let index = 0; index < list.length; index++) {
      try {
        (list[index] as Listener<unknown[]>).apply(this, args);
      } catch (error) {
        this.#report(error, name);
      }
    }
    return true;
  }

  /**
   * Forgets the retained event of a name.
   *
   * @param event The event name.
   * @returns `true` when one was retained.
   */
  clearRetained(event: keyof E & string): boolean {
    return this.#retained?.delete(event) ?? false;
  }

  /**
   * The number of listeners of an event.
   *
   * @param event The event name.
   * @returns The count.
   */
  listenerCount(event: keyof E & string): number {
    return this.#listeners.get(event)?.length ?? 0;
  }

  /**
   * The names of the events that have listeners.
   *
   * @returns The names.
   */
  eventNames(): string[] {
    return [...this.#listeners.keys()];
  }

  #call(listener: Listener<unknown[]>, args: unknown[], event: string): void {
    try {
      listener.apply(this, args);
    } catch (error) {
      this.#report(error, event);
    }
  }

  #report(error: unknown, event: string): void {
    const handler = this.#onListenerError;
    if (handler === undefined) {
      console.error(`EventEmitter: a listener of "${event}" threw:`, error);
      return;
    }
    try {
      handler(error, event);
    } catch (failure) {
      console.error("EventEmitter: onListenerError threw:", failure);
    }
  }
}

/**
 * Creates an event emitter (the seed's `EventEmitter.create()`).
 *
 * @typeParam E The event map.
 * @param options Where listener errors go.
 * @returns The emitter.
 *
 * @example
 * ```ts
 * import { create } from "@cosocket/events";
 *
 * const emitter = create<{ data: [number] }>();
 * emitter.on("data", (n) => console.log(n * 2));
 * emitter.emit("data", 21); // 42
 * ```
 */
export function create<E extends EventMap = EventMap>(
  options?: EventEmitterOptions,
): EventEmitter<E> {
  return new EventEmitter<E>(options);
}
