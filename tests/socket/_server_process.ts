/** The echo server of tests/socket/_echo_server.ts in its own process, with its statistics. */
export interface ServerStats {
  total: number;
  active: number;
  acceptBackoffs: number;
  acceptErrors: number;
  fds: number;
}

/** A running echo server process. */
export interface EchoServerProcess extends AsyncDisposable {
  port: number;
  pid: number;
  /** Asks the server for its statistics. */
  stats(): Promise<ServerStats>;
  /**
   * Polls (every 50 ms, at most `ms`) until the server is back to `fds`
   * descriptors and to its listener alone (one socket, one cosocket).
   */
  settle(fds: number, ms?: number): Promise<ServerStats>;
  /** What the server wrote to stderr so far. */
  stderr(): string;
}

const ROOT = new URL("../../", import.meta.url);

/**
 * Counts a process's open descriptors. Deno grants /proc/<pid> only with
 * --allow-all, so `ls` lists it.
 */
export async function openFds(pid: number): Promise<number> {
  const out = await new Deno.Command("ls", { args: ["-1", `/proc/${pid}/fd`] }).output();
  if (!out.success) throw new Error(`Cannot list the descriptors of process ${pid}`);
  return new TextDecoder().decode(out.stdout).split("\n").filter((line) => line !== "").length;
}

/**
 * Starts the echo server, optionally under `prlimit --nofile=<nofile>`.
 *
 * @param nofile The descriptor limit of the server process.
 */
export async function startEchoServer(nofile?: number): Promise<EchoServerProcess> {
  const deno = [
    Deno.execPath(),
    "run",
    "--quiet",
    "--allow-net=127.0.0.1",
    new URL("tests/socket/_echo_server.ts", ROOT).pathname,
  ];
  const [cmd, ...args] = nofile === undefined ? deno : ["prlimit", `--nofile=${nofile}`, ...deno];
  const child = new Deno.Command(cmd!, {
    args,
    cwd: ROOT.pathname,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let errors = "";
  const draining = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (text) => void (errors += text) }),
  );
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  const line = async (): Promise<string> => {
    while (!buffered.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`The echo server exited: ${errors}`);
      buffered += value;
    }
    const index = buffered.indexOf("\n");
    const text = buffered.slice(0, index);
    buffered = buffered.slice(index + 1);
    return text;
  };
  const port = Number(await line());
  const writer = child.stdin.getWriter();
  const stats = async () => {
    await writer.write(new TextEncoder().encode("stats\n"));
    const stats = JSON.parse(await line()) as ServerStats;
    return { ...stats, fds: await openFds(child.pid) };
  };
  return {
    port,
    pid: child.pid,
    stats,
    async settle(fds: number, ms = 5000) {
      const started = performance.now();
      let now = await stats();
      const busy = (s: ServerStats) => s.fds > fds || s.total > 1 || s.active > 1;
      while (busy(now) && performance.now() - started < ms) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        now = await stats();
      }
      return now;
    },
    stderr: () => errors,
    async [Symbol.asyncDispose]() {
      await writer.close().catch(() => {});
      await reader.cancel().catch(() => {});
      await child.status;
      await draining.catch(() => {});
    },
  };
}

/** Connects, sends `message`, reads its echo whole, and closes. */
export async function echoOnce(port: number, message: Uint8Array): Promise<Uint8Array> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(message);
    const answer = new Uint8Array(message.length);
    let got = 0;
    while (got < answer.length) {
      const count = await conn.read(answer.subarray(got));
      if (count === null) break;
      got += count;
    }
    return answer.subarray(0, got);
  } finally {
    conn.close();
  }
}
