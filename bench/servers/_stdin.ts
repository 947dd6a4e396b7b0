/**
 * The control channel of a benchmark server: serve until stdin closes, and
 * run a full garbage collection on each "gc" line (the servers start with
 * `--v8-flags=--expose-gc`), so that memory is measured without garbage.
 */
export async function serveUntilStdinCloses(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream());
  for await (const chunk of lines) {
    if (chunk.includes("gc")) gc?.();
  }
}
