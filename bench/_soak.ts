/**
 * One soak run: an echo server in its own process (bench/_servers.ts), the
 * Node load client bench/load/soak_client.mjs in another, with every byte
 * checked. Used by bench/soak.ts (10,000 connections × 60 s, side by side with
 * the plain Deno loop) and by tests/socket/soak_test.ts (a bounded run).
 */
import { type ServerProcess, startServer } from "./_servers.ts";

/** What one soak run measured. */
export interface SoakResult {
  server: string;
  connections: number;
  messages: number;
  bytes: number;
  mismatches: number;
  errors: number;
  seconds: number;
  /** Server RSS in bytes: before the clients, once they are all connected, at the end, after close. */
  rssBefore: number;
  rssEstablished: number;
  rssEnd: number;
  rssAfterClose: number;
  /** Open descriptors of the server: before the clients, and after they closed (-1: not within 5 s). */
  fdsBefore: number;
  fdsAfterClose: number;
  /** Milliseconds until the server's descriptors were back to their count before the clients. */
  fdSettleMs: number;
}

const CLIENT = new URL("./load/soak_client.mjs", import.meta.url).pathname;

/**
 * Resident set size of a process in bytes, from /proc/<pid>/status (read by
 * `cat`: Deno grants /proc/<pid> only with --allow-all, and the soak test
 * runs with the test task's narrower permissions).
 */
export async function rss(pid: number): Promise<number> {
  const out = await new Deno.Command("cat", { args: [`/proc/${pid}/status`] }).output();
  const match = new TextDecoder().decode(out.stdout).match(/^VmRSS:\s+(\d+) kB$/m);
  if (!match) throw new Error(`Cannot read memory of process ${pid}: no VmRSS line`);
  return Number(match[1]) * 1024;
}

/** The number of open descriptors of a process (listed by `ls`, as for {@linkcode rss}). */
export async function openFds(pid: number): Promise<number> {
  const out = await new Deno.Command("ls", { args: ["-1", `/proc/${pid}/fd`] }).output();
  if (!out.success) throw new Error(`Cannot list the descriptors of process ${pid}`);
  return new TextDecoder().decode(out.stdout).split("\n").filter((line) => line !== "").length;
}

async function lines(stream: ReadableStream<Uint8Array>, each: (line: string) => void) {
  let text = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    text += chunk;
    let newline;
    while ((newline = text.indexOf("\n")) !== -1) {
      each(text.slice(0, newline));
      text = text.slice(newline + 1);
    }
  }
}

/** Runs the Node load client once; samples the server's RSS once all clients are connected. */
async function runClient(
  pid: number,
  port: number,
  connections: number,
  seconds: number,
): Promise<{ totals: Record<string, number>; rssEstablished: number }> {
  const client = new Deno.Command("node", {
    args: [CLIENT, String(port), String(connections), String(seconds)],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const writer = client.stdin.getWriter();
  let rssEstablished = 0;
  let rssSampling: Promise<void> = Promise.resolve();
  let totals: Record<string, number> | null = null;
  const reading = lines(client.stdout, (line) => {
    const message = JSON.parse(line) as Record<string, number>;
    if ("established" in message) {
      rssSampling = rss(pid).then((bytes) => void (rssEstablished = bytes));
      writer.write(new TextEncoder().encode("go\n")).catch(() => {});
    } else totals = message;
  });
  const status = await client.status;
  await reading;
  await rssSampling;
  await writer.close().catch(() => {});
  if (!status.success || totals === null) throw new Error("Soak client failed: see its stderr");
  return { totals, rssEstablished };
}

/**
 * Soaks one server: connects `connections` clients, runs `seconds` of random
 * echo traffic with every byte checked, closes them, and measures.
 */
export async function soak(
  spec: { name: string; cmd: string; args: readonly string[] },
  connections: number,
  seconds: number,
): Promise<SoakResult> {
  const server: ServerProcess = await startServer(spec);
  try {
    // A short warm-up run first: the runtime opens a few descriptors of its
    // own under traffic (and keeps them), and they are not the clients'.
    await runClient(server.pid, server.port, Math.min(connections, 50), 1);
    // Deno opens a socket pair about half a second after the first
    // connection closes, and keeps it.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const fdsBefore = await openFds(server.pid);
    const rssBefore = await rss(server.pid);
    const run = await runClient(server.pid, server.port, connections, seconds);
    const rssEnd = await rss(server.pid);
    const closed = performance.now();
    let fdsAfterClose = await openFds(server.pid);
    while (fdsAfterClose > fdsBefore && performance.now() - closed < 5000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      fdsAfterClose = await openFds(server.pid);
    }
    const fdSettleMs = fdsAfterClose <= fdsBefore ? Math.round(performance.now() - closed) : -1;
    await server.gc();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const t = run.totals;
    return {
      server: spec.name,
      connections,
      messages: t.messages!,
      bytes: t.bytes!,
      mismatches: t.mismatches!,
      errors: t.errors!,
      seconds: t.seconds!,
      rssBefore,
      rssEstablished: run.rssEstablished,
      rssEnd,
      rssAfterClose: await rss(server.pid),
      fdsBefore,
      fdsAfterClose,
      fdSettleMs,
    };
  } finally {
    await server.stop();
  }
}
