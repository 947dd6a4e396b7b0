// Pseudo-terminals with real programs: sh, stty, tty, sleep, seq, yes.
import { deepStrictEqual, equal, ok, rejects, throws } from "node:assert/strict";
import { forkpty, type Pty, type PtyError } from "@cosocket/pty";
import type { SocketLike } from "@cosocket/socket";
import { run, sleep } from "@cosocket/socket";

const decoder = new TextDecoder();

/** Reads until `pattern` shows up in the output (or the child ends). */
async function readUntil(pty: Pty, pattern: RegExp, ms = 10_000): Promise<string> {
  let output = "";
  const started = Date.now();
  while (!pattern.test(output)) {
    if (Date.now() - started > ms) throw new Error(`No ${pattern} in ${JSON.stringify(output)}`);
    const chunk = await pty.read(ms);
    if (chunk === null) break;
    output += decoder.decode(chunk);
  }
  return output;
}

async function readAll(pty: Pty): Promise<string> {
  let output = "";
  let chunk;
  while ((chunk = await pty.read(10_000)) !== null) output += decoder.decode(chunk);
  return output;
}

/**
 * Descriptors a pty could leak: terminals, pipes and sockets. The runtime's
 * own (eventfds, epoll, timers: `anon_inode`) come and go with its threads
 * and are not counted. (`ls`, because Deno refuses to read `/proc/<pid>`
 * without --allow-all.)
 */
async function openFds(): Promise<number> {
  const out = await new Deno.Command("ls", { args: ["-l", `/proc/${Deno.pid}/fd`] }).output();
  return decoder.decode(out.stdout).split("\n").filter((line) =>
    / -> (\/dev\/ptmx|\/dev\/pts\/|pipe:|socket:)/.test(line)
  ).length;
}

Deno.test("pty: an interactive sh echoes, knows its tty and follows winsize", async () => {
  await using pty = forkpty("sh", [], {
    env: { PATH: "/usr/bin:/bin", PS1: "$ " },
    rows: 20,
    cols: 70,
  });
  await pty.write("echo round-$((40+2))-trip\n");
  ok((await readUntil(pty, /round-42-trip\r?\n/)).includes("round-42-trip"));
  await pty.write("tty; stty size\n");
  const first = await readUntil(pty, /\d+ \d+\r?\n/);
  ok(/\/dev\/pts\/\d+/.test(first), first);
  ok(first.includes("20 70"), first);
  pty.winsize(33, 120);
  await pty.write("stty size\n");
  ok((await readUntil(pty, /33 120/)).includes("33 120"));
  await pty.write("exit 7\n");
  await readAll(pty);
  deepStrictEqual(await pty.close(), { exited: true, status: 7, signaled: false, signal: 0 });
});

Deno.test("pty: Ctrl-C interrupts sleep at once; terminate reports SIGKILL", async () => {
  const started = Date.now();
  {
    await using pty = forkpty("sleep", ["10"]);
    // Give the child time to become sleep (a ^C before that would only be input).
    await new Promise((resolve) => setTimeout(resolve, 300));
    await pty.write("\x03");
    await readAll(pty);
    deepStrictEqual(await pty.close(), { exited: false, status: -1, signaled: true, signal: 2 });
  }
  ok(Date.now() - started < 9000, "sleep ran to its end");
  await using killed = forkpty("sleep", ["10"]);
  const status = await killed.terminate();
  deepStrictEqual([status.signaled, status.signal], [true, 9]);
});

Deno.test("pty: 200,000 lines of output arrive intact and in order", async () => {
  await using pty = forkpty("seq", ["1", "200000"]);
  const lines = (await readAll(pty)).split("\r\n").filter(Boolean);
  equal(lines.length, 200000);
  ok(lines.every((line, index) => line === String(index + 1)), "a line was lost or reordered");
  equal((await pty.close()).status, 0);
});

Deno.test("pty: pause stops the child's output and resume brings it back; a flood is held at 1 MiB", async () => {
  await using pty = forkpty("sh", ["-c", "while :; do echo tick; sleep 0.01; done"]);
  await readUntil(pty, /tick/);
  pty.pause(true);
  await new Promise((resolve) => setTimeout(resolve, 100));
  while (true) {
    try {
      await pty.read(300);
    } catch (error) {
      equal((error as PtyError).code, "timeout");
      break;
    }
  }
  pty.pause(false);
  ok((await readUntil(pty, /tick/)).includes("tick"));
  await pty.terminate();
  // Nobody reads a flood: the pty stops taking it past about 1 MiB.
  await using flood = forkpty("yes", ["0123456789abcdef"]);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const held = await flood.read();
  ok(held !== null && held.length <= 1024 * 1024 + 65536, `${held?.length} bytes held`);
  await flood.terminate();
});

Deno.test("pty: bad input gives typed errors; 50 ptys leave no descriptors or children behind", async () => {
  throws(() => forkpty("/nonexistent/program"), (error: PtyError) => error.code === "spawn");
  const before = await openFds();
  const pids: number[] = [];
  for (let i = 0; i < 50; i++) {
    const pty = forkpty("sh", ["-c", `echo ${i}`]);
    pids.push(pty.pid);
    ok((await readAll(pty)).includes(String(i)));
    await pty.close();
  }
  const after = await openFds();
  // A leak would be three descriptors per pty (150), and one per pty is 50;
  // the runtime's own pipes and sockets come and go meanwhile (four more
  // were seen once in a full suite run).
  ok(after <= before + 10, `${after} descriptors open, ${before} before the 50 ptys`);
  const zombies = await new Deno.Command("ps", { args: ["-o", "pid=", "--ppid", String(Deno.pid)] })
    .output();
  const children = decoder.decode(zombies.stdout).split("\n").map(Number).filter((pid) =>
    pids.includes(pid)
  );
  deepStrictEqual(children, []);
  const pty = forkpty("true");
  await readAll(pty);
  throws(() => pty.winsize(0, 80), (error: PtyError) => error.code === "incorrectuse");
  await rejects(Promise.resolve(pty.write("x")), (error: PtyError) => error.code === "closed");
  await pty.close();
  await rejects(Promise.resolve(pty.read()), (error: PtyError) => error.code === "closed");
});

Deno.test("pty: a cosocket yields to read; halting it while it waits leaves nothing pending", async () => {
  await using pty = forkpty("sh", ["-c", "sleep 0.1; echo late"]);
  const text = await run(function* () {
    let out = "";
    let chunk;
    while ((chunk = yield* pty.read()) !== null) out += decoder.decode(chunk);
    return out;
  });
  ok(text.includes("late"));
  await using idle = forkpty("sleep", ["5"]);
  const waiting = run(function* () {
    return yield* idle.read();
  });
  await new Promise((resolve) => setTimeout(resolve, 20));
  await waiting.halt();
  await idle.terminate();
});

Deno.test("pty: asynchronous mode runs a cosocket for the pty, closes the pty when it ends, and ends with its parent", async () => {
  const counted = forkpty(
    function* (pty: Pty) {
      let lines = 0;
      let chunk;
      while ((chunk = yield* pty.read()) !== null) lines += chunk.filter((b) => b === 10).length;
      return lines;
    },
    "seq",
    ["1", "5000"],
  );
  equal(await counted.task, 5000);
  equal(counted.status()?.status, 0);
  throws(() => counted.event(function* () {}), (e: PtyError) => e.code === "closed");

  // A cosocket that ends early closes its pty: the child gets SIGHUP.
  const early = forkpty("sleep", ["30"]).event(function* () {
    yield* sleep(10);
    return "done";
  });
  equal(await early.task, "done");
  equal(early.status()?.signaled, true);
  equal(early.status()?.signal, 1);

  // Started inside a cosocket, it is that one's child: halting the parent
  // halts it, and its pty is closed.
  let child: Pty | null = null;
  const parent = run(function* () {
    child = forkpty(
      function* (pty: Pty) {
        while ((yield* pty.read()) !== null);
      },
      "sleep",
      ["30"],
    );
    yield* child.task!;
  });
  await new Promise((resolve) => setTimeout(resolve, 50));
  await parent.halt();
  ok(child!.task!.done);
  equal(child!.status()?.signaled, true);

  await using twice = forkpty("sleep", ["30"]);
  twice.event(function* () {
    yield* twice.read();
  });
  throws(() => twice.event(function* () {}), (e: PtyError) => e.code === "incorrectuse");
  await twice.close();
  await twice.task;
});

Deno.test("pty: a Pty is SocketLike: owner, disable and enable from inside and outside, state, event arguments", async () => {
  // disable() in the pty's own cosocket waits for enable()'s values.
  const echoed = forkpty("cat").event(function* (pty: Pty, prefix: string) {
    ok(pty.owner(), "the cosocket owns its pty");
    const [line] = yield* pty.disable();
    yield* pty.write(`${prefix}${line}\n`);
    let output = "";
    while (!output.includes(`${prefix}${line}\r\n`)) output += decoder.decode((yield* pty.read())!);
    return output;
  }, "got ");
  const like: SocketLike<Pty> = echoed;
  equal(like.owner(), false, "outside the cosocket");
  await new Promise((resolve) => setTimeout(resolve, 20));
  deepStrictEqual(echoed.state(), { state: "read", connected: true });
  ok(echoed.enable("hello"), "the cosocket was disabled");
  ok(String(await echoed.task).includes("got hello"));
  equal(echoed.state().state, "notcon");
  equal(echoed.enable(), false, "nothing left to enable");

  // disable() from outside holds the output back until enable().
  await using held = forkpty("sh", ["-c", "echo ready; sleep 30"]);
  await held.disable();
  await new Promise((resolve) => setTimeout(resolve, 200));
  await rejects(
    Promise.resolve(held.read(100)),
    (e: PtyError) => e.code === "timeout",
    "no output while disabled",
  );
  ok(held.enable());
  ok((await readUntil(held, /ready/)).includes("ready"));

  // A cosocket waiting in disable() resumes with no values when the pty closes.
  const closing = forkpty("sleep", ["30"]).event(function* (pty: Pty) {
    return yield* pty.disable();
  });
  await new Promise((resolve) => setTimeout(resolve, 20));
  await closing.close();
  deepStrictEqual(await closing.task, []);
});
