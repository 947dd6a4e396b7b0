/**
 * The seed's smaller libraries in one tour: the EventEmitter with a
 * retained event, a job on the thread pool while a cosocket keeps going,
 * and `rwfile` keeping a JSON file through the pluggable I/O.
 *
 * Run: `deno run --allow-read --allow-write=/tmp examples/libraries_tour.ts`
 */
import { create, once } from "@cosocket/events";
import { diskIo, rwfile } from "@cosocket/io";
import { run, sleep } from "@cosocket/socket";
import { ThreadPool } from "@cosocket/thread";

// EventEmitter: a retained event reaches listeners registered later.
const status = create<{ ready: [string] }>();
status.emit({ name: "ready", retain: true }, "configuration loaded");
status.on("ready", (what) => console.log("events: late listener got:", what));

// Thread pool: a CPU-bound job on a worker; a cosocket ticks meanwhile.
const source = `export function primes(n) {
  let count = 0;
  for (let i = 2; i < n; i++) {
    let prime = true;
    for (let j = 2; j * j <= i; j++) if (i % j === 0) { prime = false; break; }
    if (prime) count++;
  }
  return count;
}`;
// A module of its own would do as well: new URL("./jobs.ts", import.meta.url).
const jobs = `data:text/javascript,${encodeURIComponent(source)}`;
await using pool = new ThreadPool();
let ticks = 0;
const ticker = run(function* () {
  while (true) {
    yield* sleep(5);
    ticks++;
  }
});
const count = await pool.run<number>({ module: jobs, export: "primes", args: [3_000_000] });
await ticker.halt();
console.log(
  `thread: ${count} primes below 3,000,000; the main thread ticked ${
    ticks > 0 ? "meanwhile" : "never"
  }`,
);

// rwfile through a disk I/O jailed to a folder: atomic writes.
const dir = await Deno.makeTempDir();
try {
  const io = diskIo(dir);
  await rwfile.json(io, "settings.json", { color: "blue", gradient: "linear" });
  const settings = (await rwfile.json(io, "settings.json")) as { color: string };
  console.log("io: settings.json says", settings.color);
} finally {
  await Deno.remove(dir, { recursive: true });
}

// once(): wait for an event with a timeout, awaited here (yield* in a cosocket).
setTimeout(() => status.emit("ready", "second time"), 5);
status.clearRetained("ready");
const [again] = await once(status, "ready", { timeout: 1000 });
console.log("events: once() got:", again);
