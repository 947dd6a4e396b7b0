/**
 * Our EventEmitter against Node's own `EventEmitter`, on Node: the events
 * package is bundled with `deno bundle` and both emitters run in one Node
 * process, rounds interleaved, 1 and 10 listeners, two arguments per emit.
 *
 * ```sh
 * deno task bench events_node
 * ```
 */
const dir = await Deno.makeTempDir();
try {
  const bundled = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      new URL("../events/mod.ts", import.meta.url).pathname,
      "-o",
      `${dir}/events.js`,
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!bundled.success) throw new Error(new TextDecoder().decode(bundled.stderr));
  const script = `
    import { EventEmitter } from "node:events";
    const { create } = await import(${JSON.stringify(`${dir}/events.js`)});
    let sink = 0;
    const listener = (a, b) => { sink += a + b; };
    const N = 5_000_000;
    const rows = [];
    for (const count of [1, 10]) {
      const ours = create(), node = new EventEmitter();
      for (let i = 0; i < count; i++) { ours.on("data", listener); node.on("data", listener); }
      const rate = { ours: [], node: [] };
      for (let round = 0; round < 5; round++) {
        for (const [name, emitter] of [["node", node], ["ours", ours]]) {
          const start = performance.now();
          for (let i = 0; i < N; i++) emitter.emit("data", 1, 2);
          rate[name].push(N / ((performance.now() - start) / 1000));
        }
      }
      const median = (v) => v.sort((a, b) => a - b)[2];
      rows.push({ listeners: count, "Node emits/s": Math.round(median(rate.node)),
        "cosocket emits/s": Math.round(median(rate.ours)),
        "ours / Node": (median(rate.ours) / median(rate.node)).toFixed(2) + "×" });
    }
    console.log("EventEmitter on Node " + process.version + ", median of 5 interleaved rounds of " + N + " emits");
    console.table(rows);
    if (sink === 42) console.log(sink);`;
  const run = await new Deno.Command("node", {
    args: ["--input-type=module", "-e", script],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!run.success) Deno.exit(1);
} finally {
  await Deno.remove(dir, { recursive: true });
}
