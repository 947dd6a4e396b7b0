/**
 * The C load client (`load/tcp_load.c`), compiled with `cc` on first use in
 * a run: a JavaScript client costs as much per message as the server it
 * measures and would hide the differences.
 */

/** Compiles the load client and returns the path of its binary. */
export async function buildTcpLoad(): Promise<string> {
  const source = new URL("./load/tcp_load.c", import.meta.url).pathname;
  const binary = `${Deno.env.get("TMPDIR") ?? "/tmp"}/cosocket_tcp_load`;
  const built = await new Deno.Command("cc", { args: ["-O2", "-o", binary, source] }).output();
  if (!built.success) {
    throw new Error(`Cannot build the load client: ${new TextDecoder().decode(built.stderr)}`);
  }
  return binary;
}
