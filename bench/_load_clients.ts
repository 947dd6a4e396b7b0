/**
 * The C load clients in `load/`, compiled with `cc -O2` into `$TMPDIR` on
 * first use in a run (a JavaScript client costs as much per message as the
 * server it measures and would hide the differences), and pinning the
 * processes of a bench to cores with `taskset`.
 */

/**
 * Compiles `load/<name>.c`.
 *
 * @param name `tcp_load` (echo ping-pong, bulk, HTTP) or `ws_load` (WebSocket).
 * @returns The binary's path.
 * @throws Error if `cc` fails.
 */
export async function buildLoadClient(name: "tcp_load" | "ws_load"): Promise<string> {
  const source = new URL(`./load/${name}.c`, import.meta.url).pathname;
  const binary = `${Deno.env.get("TMPDIR") ?? "/tmp"}/cosocket_${name}`;
  const built = await new Deno.Command("cc", { args: ["-O2", "-o", binary, source] }).output();
  if (!built.success) {
    throw new Error(`Cannot build the load client: ${new TextDecoder().decode(built.stderr)}`);
  }
  return binary;
}

/** Whether `taskset` can pin processes to cores here. */
export async function hasTaskset(): Promise<boolean> {
  try {
    return (await new Deno.Command("taskset", { args: ["-c", "0", "true"], stderr: "null" })
      .output()).success;
  } catch {
    return false;
  }
}

/** A command line, pinned to `core` with `taskset` when `pin` is true. */
export function pinnedTo<T extends { cmd: string; args: readonly string[] }>(
  spec: T,
  core: number,
  pin: boolean,
): T {
  return pin
    ? { ...spec, cmd: "taskset", args: ["-c", String(core), spec.cmd, ...spec.args] }
    : spec;
}
