/**
 * Emitting an event with one and with ten listeners: our EventEmitter
 * against `node:events` (Deno's port of Node's `events.js`) and the
 * platform's `EventTarget`, each emit passing two arguments; Node's
 * emitter is the baseline of each group. `bench/events_node_bench.ts` runs
 * ours against Node's own emitter on Node.
 *
 * ```sh
 * deno task bench events
 * ```
 */
import { EventEmitter as NodeEventEmitter } from "node:events";
import { create } from "@cosocket/events";

let sink = 0;
const listener = (a: number, b: number) => {
  sink += a + b;
};
const eventListener = (event: Event) => {
  sink += (event as CustomEvent<number>).detail;
};

for (const count of [1, 10]) {
  const group = `emit, ${count} listener${count === 1 ? "" : "s"}`;
  const ours = create<{ data: [number, number] }>();
  const node = new NodeEventEmitter();
  const target = new EventTarget();
  for (let i = 0; i < count; i++) {
    ours.on("data", listener);
    node.on("data", listener);
    target.addEventListener("data", eventListener);
  }
  Deno.bench({ name: `Node EventEmitter (${count})`, group, baseline: true }, () => {
    node.emit("data", 1, 2);
  });
  Deno.bench({ name: `cosocket EventEmitter (${count})`, group }, () => {
    ours.emit("data", 1, 2);
  });
  Deno.bench({ name: `EventTarget + CustomEvent (${count})`, group }, () => {
    target.dispatchEvent(new CustomEvent("data", { detail: 3 }));
  });
}

globalThis.addEventListener("unload", () => {
  if (sink === 42) console.log(sink);
});
