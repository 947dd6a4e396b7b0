/**
 * An event emitter (the seed's EventEmitter library) with typed event
 * maps, `once`, `off`, retained events and isolated listener errors, and
 * {@linkcode once} to wait for an event with `await` or, in a cosocket,
 * `yield*`. No platform API: it runs in Deno, Node and browsers.
 *
 * ```ts
 * import { create, once } from "@cosocket/events";
 *
 * const door = create<{ open: [string]; close: [] }>();
 * door.on("open", (who) => console.log(`${who} opened the door`));
 * door.emit({ name: "open", retain: true }, "Ada"); // Ada opened the door
 * // A retained event reaches later listeners, and waiters, at once.
 * const [who] = await once(door, "open");
 * console.log(who); // "Ada"
 * ```
 *
 * @module
 */
export * from "./event_emitter.ts";
export * from "./once.ts";
