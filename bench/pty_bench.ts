/**
 * Pseudo-terminal figures, side by side in one run: output throughput of
 * `cat` of a 256 MiB file through a pty, read by our `Pty` against a C
 * program reading the master side of the same kind of pty (the limit,
 * built here with `cc`) and Python's `pty` module; the keystroke round trip
 * (a byte written, its echo read) directly and through the Web Shell's
 * WebSocket; the CPU an idle pty costs.
 *
 * ```sh
 * deno task bench pty
 * ```
 */
import { forkpty } from "@cosocket/pty";
import { connect } from "@cosocket/websocket";
import { startWebShell } from "../examples/web_shell/server.ts";

const SIZE = 256 * 1024 * 1024;
const dir = await Deno.makeTempDir();
const file = `${dir}/data.txt`;
{
  const line = new TextEncoder().encode("0123456789".repeat(9) + "abcdefghi\n");
  const block = new Uint8Array(1 << 20);
  for (let at = 0; at + line.length <= block.length; at += line.length) block.set(line, at);
  const out = await Deno.open(file, { write: true, create: true });
  for (let i = 0; i < SIZE / block.length; i++) await out.write(block);
  out.close();
}
const reader = `${dir}/pty_reader`;
const built = await new Deno.Command("cc", {
  args: ["-O2", "-o", reader, new URL("load/pty_reader.c", import.meta.url).pathname],
}).output();
if (!built.success) throw new Error(new TextDecoder().decode(built.stderr));

async function ours(): Promise<number> {
  const start = performance.now();
  await using pty = forkpty("cat", [file]);
  let total = 0;
  let chunk;
  while ((chunk = await pty.read()) !== null) total += chunk.length;
  return total / 2 ** 20 / ((performance.now() - start) / 1000);
}

async function external(command: string, args: string[]): Promise<number> {
  const out = await new Deno.Command(command, { args, stdout: "piped" }).output();
  const [bytes, seconds] = new TextDecoder().decode(out.stdout).trim().split(" ").map(Number);
  return bytes! / 2 ** 20 / seconds!;
}

const PYTHON = `
import os, pty, sys, time
start = time.monotonic()
pid, fd = pty.fork()
if pid == 0:
    os.execlp("cat", "cat", sys.argv[1])
total = 0
while True:
    try:
        data = os.read(fd, 65536)
    except OSError:
        break
    if not data:
        break
    total += len(data)
os.waitpid(pid, 0)
print(total, time.monotonic() - start)`;

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

try {
  const rates = { c: [] as number[], ours: [] as number[], python: [] as number[] };
  for (let round = 0; round < 3; round++) {
    rates.c.push(await external(reader, [file]));
    rates.ours.push(await ours());
    rates.python.push(await external("/usr/bin/python3", ["-c", PYTHON, file]));
  }
  const c = median(rates.c);
  console.log("\ncat of 256 MiB through a pty (median of 3 interleaved rounds)");
  console.table([
    { reader: "C, read() on the master (the limit)", "MiB/s": Math.round(c), "vs C": "1.00×" },
    {
      reader: "cosocket Pty.read()",
      "MiB/s": Math.round(median(rates.ours)),
      "vs C": `${(median(rates.ours) / c).toFixed(2)}×`,
    },
    {
      reader: "Python pty module",
      "MiB/s": Math.round(median(rates.python)),
      "vs C": `${(median(rates.python) / c).toFixed(2)}×`,
    },
  ]);

  // Keystroke round trips: cat on a pty echoes what it is sent (the terminal's echo).
  const direct: number[] = [];
  {
    await using pty = forkpty("cat");
    for (let i = 0; i < 1000; i++) {
      const start = performance.now();
      await pty.write("x");
      let seen = "";
      while (!seen.includes("x")) seen += new TextDecoder().decode((await pty.read(5000))!);
      direct.push(performance.now() - start);
    }
  }
  const web: number[] = [];
  {
    await using shell = await startWebShell({ shell: "cat" });
    await using ws = await connect(
      `ws://127.0.0.1:${shell.server.port}/shell?token=${shell.token}`,
    );
    for (let i = 0; i < 1000; i++) {
      const start = performance.now();
      await ws.write(new Uint8Array([0x78]));
      let seen = "";
      while (!seen.includes("x")) {
        const message = await ws.readMessage(5000);
        seen += typeof message === "string" ? message : new TextDecoder().decode(message!);
      }
      web.push(performance.now() - start);
    }
  }
  console.log("\nkeystroke round trip (1,000 bytes, each written and its echo read)");
  console.table([
    {
      path: "Pty.write + Pty.read",
      "p50 ms": percentile(direct, 0.5).toFixed(3),
      "p99 ms": percentile(direct, 0.99).toFixed(3),
    },
    {
      path: "Web Shell WebSocket",
      "p50 ms": percentile(web, 0.5).toFixed(3),
      "p99 ms": percentile(web, 0.99).toFixed(3),
    },
  ]);

  // Idle: a pty whose child prints nothing costs no CPU (no busy polling).
  const cpu = async () => {
    const out = await new Deno.Command("cat", { args: [`/proc/${Deno.pid}/stat`], stdout: "piped" })
      .output();
    const fields = new TextDecoder().decode(out.stdout).split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  };
  {
    await using pty = forkpty("sleep", ["30"]);
    const before = await cpu();
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const used = (await cpu()) - before;
    console.log(
      `\nidle pty for 5 s: ${used.toFixed(2)} s of CPU (${(used / 5 * 100).toFixed(1)} %)`,
    );
    await pty.terminate();
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
