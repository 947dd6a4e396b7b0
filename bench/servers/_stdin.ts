/**
 * The control channel of a benchmark server: serve until stdin closes, and
 * run a full garbage collection on each "gc" line (the servers start with
 * `--v8-flags=--expose-gc`), so that memory is measured without garbage. A
 * "compact" line runs V8's memory-reducing collection instead, which also
 * gives back the young generation's unused capacity (up to 32 MiB that a
 * burst of allocation leaves committed, whatever the number of connections).
 */
export async function serveUntilStdinCloses(): Promise<void> {
  const gc = (globalThis as { gc?: (options?: object) => void }).gc;
  const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream());
  for await (const chunk of lines) {
    if (chunk.includes("compact")) {
      gc?.({ type: "major", execution: "sync", flavor: "last-resort" });
    } else if (chunk.includes("gc")) gc?.();
  }
}
