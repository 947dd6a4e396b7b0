import { deepStrictEqual, equal, ok, rejects, strictEqual } from "node:assert/strict";
import { create, EventEmitter, once } from "@cosocket/events";
import { run, sleep, sockstat } from "@cosocket/socket";

Deno.test("events: listeners run in order with the emitted arguments; emit reports whether any ran", () => {
  const emitter = create<{ data: [number, string]; none: [] }>();
  const seen: string[] = [];
  emitter.on("data", (n, s) => seen.push(`a${n}${s}`));
  emitter.on("data", (n, s) => seen.push(`b${n}${s}`));
  equal(emitter.emit("data", 1, "x"), true);
  equal(emitter.emit("none"), false);
  deepStrictEqual(seen, ["a1x", "b1x"]);
  equal(emitter.listenerCount("data"), 2);
  deepStrictEqual(emitter.eventNames(), ["data"]);
});

Deno.test("events: a retained event reaches later listeners at once, until cleared (the seed's example)", () => {
  const emitter = create<{ myEvent: [string] }>();
  const seen: string[] = [];
  emitter.on("myEvent", (message) => seen.push(`first: ${message}`));
  emitter.emit("myEvent", "Hello World");
  emitter.emit({ name: "myEvent", retain: true }, "Retained Message");
  emitter.on("myEvent", (message) => seen.push(`new: ${message}`));
  emitter.emit({ name: "myEvent", retain: true }, "Replaced");
  emitter.on("myEvent", (message) => seen.push(`third: ${message}`));
  equal(emitter.clearRetained("myEvent"), true);
  equal(emitter.clearRetained("myEvent"), false);
  emitter.on("myEvent", (message) => seen.push(`late: ${message}`));
  deepStrictEqual(seen, [
    "first: Hello World",
    "first: Retained Message",
    "new: Retained Message",
    "first: Replaced",
    "new: Replaced",
    "third: Replaced",
  ]);
});

Deno.test("events: once, off and removeListener; changes during an emit apply to the next one", () => {
  const emitter = new EventEmitter<{ tick: [number] }>();
  const seen: string[] = [];
  const twice = (n: number) => seen.push(`twice ${n}`);
  const onlyOnce = (n: number) => seen.push(`once ${n}`);
  const remover = (n: number) => {
    seen.push(`remover ${n}`);
    emitter.off("tick", twice);
    emitter.on("tick", (m) => seen.push(`added ${m}`));
  };
  emitter.once("tick", onlyOnce);
  emitter.on("tick", remover);
  emitter.on("tick", twice);
  emitter.emit("tick", 1);
  emitter.removeListener("tick", remover);
  emitter.emit("tick", 2);
  deepStrictEqual(seen, ["once 1", "remover 1", "twice 1", "added 2"]);
  // off finds a once listener by the function given to once.
  emitter.once("tick", onlyOnce);
  emitter.off("tick", onlyOnce);
  emitter.emit("tick", 3);
  equal(seen.includes("once 3"), false);
  emitter.removeAllListeners();
  equal(emitter.listenerCount("tick"), 0);
});

Deno.test("events: a throwing listener is reported and the others still run", () => {
  const errors: [unknown, string][] = [];
  const emitter = create<{ go: [] }>({
    onListenerError: (error, event) => errors.push([error, event]),
  });
  const seen: number[] = [];
  emitter.on("go", () => seen.push(1));
  emitter.on("go", () => {
    throw new Error("bad listener");
  });
  emitter.on("go", () => seen.push(3));
  equal(emitter.emit("go"), true);
  deepStrictEqual(seen, [1, 3]);
  equal(errors.length, 1);
  equal((errors[0]![0] as Error).message, "bad listener");
  equal(errors[0]![1], "go");
  // Without a handler the error is logged, not thrown.
  const logged: unknown[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void logged.push(args);
  try {
    const plain = create<{ go: [] }>();
    plain.on("go", () => {
      throw new Error("logged");
    });
    plain.emit("go");
  } finally {
    console.error = original;
  }
  equal(logged.length, 1);
});

Deno.test("events: once() awaits the next emit, times out, aborts, and takes a retained event", async () => {
  const emitter = create<{ ready: [string, number]; never: [] }>();
  setTimeout(() => emitter.emit("ready", "go", 1), 5);
  deepStrictEqual(await once(emitter, "ready"), ["go", 1]);
  equal(emitter.listenerCount("ready"), 0);
  await rejects(Promise.resolve(once(emitter, "never", { timeout: 10 })), (error: DOMException) => {
    equal(error.name, "TimeoutError");
    return true;
  });
  equal(emitter.listenerCount("never"), 0);
  const controller = new AbortController();
  const waiting = once(emitter, "never", { signal: controller.signal });
  const pending = Promise.resolve(waiting);
  controller.abort(new Error("stop"));
  await rejects(pending, /stop/);
  equal(emitter.listenerCount("never"), 0);
  await rejects(
    Promise.resolve(once(emitter, "never", { signal: AbortSignal.abort(new Error("early")) })),
    /early/,
  );
  emitter.emit({ name: "ready", retain: true }, "kept", 2);
  deepStrictEqual(await once(emitter, "ready"), ["kept", 2]);
});

Deno.test("events: once() is lazy and works with yield* in a cosocket; halting stops listening", async () => {
  const emitter = create<{ ping: [number] }>();
  const waiting = once(emitter, "ping");
  equal(emitter.listenerCount("ping"), 0); // nothing happens until it is awaited or delegated to
  const task = run(function* () {
    const [n] = yield* waiting;
    return n * 2;
  });
  equal(emitter.listenerCount("ping"), 1);
  emitter.emit("ping", 21);
  strictEqual(await task, 42);
  const halted = run(function* () {
    yield* once(emitter, "ping");
    return "never";
  });
  await sleep(1);
  equal(emitter.listenerCount("ping"), 1);
  await halted.halt();
  equal(emitter.listenerCount("ping"), 0);
  equal(sockstat().active, 0);
});

Deno.test("events: the package uses no platform API and runs under Node", async () => {
  for (const entry of Deno.readDirSync(new URL("../../events/", import.meta.url))) {
    if (!entry.name.endsWith(".ts")) continue;
    const text = Deno.readTextFileSync(new URL(`../../events/${entry.name}`, import.meta.url));
    ok(!/\bDeno\./.test(text), `${entry.name} uses Deno`);
    for (const match of text.matchAll(/^import .* from "([^"]+)";$/gm)) {
      ok(match[1]!.startsWith("./"), `${entry.name} imports ${match[1]}`);
    }
  }
  const dir = await Deno.makeTempDir();
  try {
    const bundle = await new Deno.Command(Deno.execPath(), {
      args: [
        "bundle",
        new URL("../../events/mod.ts", import.meta.url).pathname,
        "-o",
        `${dir}/events.js`,
      ],
      stdout: "null",
      stderr: "piped",
    }).output();
    equal(bundle.code, 0, new TextDecoder().decode(bundle.stderr));
    const script = `
      const { create, once } = await import(${JSON.stringify(`${dir}/events.js`)});
      const e = create(); const seen = [];
      e.on("x", (v) => seen.push(v)); e.emit({ name: "x", retain: true }, 1);
      const [v] = await once(e, "x"); seen.push(v);
      console.log(JSON.stringify(seen));`;
    const out = await new Deno.Command("node", {
      args: ["--input-type=module", "-e", script],
      stdout: "piped",
      stderr: "piped",
    }).output();
    equal(out.code, 0, new TextDecoder().decode(out.stderr));
    equal(new TextDecoder().decode(out.stdout).trim(), "[1,1]");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
