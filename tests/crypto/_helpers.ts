// Shared helpers for the crypto tests: run `openssl` and `node` as real peers.

/** Runs a command, returning stdout; throws with stderr when it fails. */
export async function run(
  cmd: string,
  args: string[],
  stdin?: Uint8Array | string,
): Promise<Uint8Array<ArrayBuffer>> {
  const child = new Deno.Command(cmd, {
    args,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(typeof stdin === "string" ? new TextEncoder().encode(stdin) : stdin);
    await w.close();
  }
  const out = await child.output();
  if (!out.success) {
    throw new Error(`${cmd} ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return out.stdout as Uint8Array<ArrayBuffer>;
}

/** Runs `openssl` and returns stdout as text. */
export async function openssl(args: string[], stdin?: Uint8Array | string): Promise<string> {
  return new TextDecoder().decode(await run("openssl", args, stdin));
}

/** Runs a Node.js script (CommonJS, `require` available) with a JSON argument; returns parsed JSON output. */
export async function node<T>(script: string, input: unknown): Promise<T> {
  const out = await run("node", ["-e", script], JSON.stringify(input));
  return JSON.parse(new TextDecoder().decode(out)) as T;
}

/** Creates a temporary directory; dispose removes it. */
export async function tempDir(): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempDir({ dir: "/tmp", prefix: "cosocket_crypto_" });
  return {
    path,
    async [Symbol.asyncDispose]() {
      await Deno.remove(path, { recursive: true });
    },
  };
}

/** Deterministic pseudo-random bytes, so randomized tests are reproducible. */
export { prngBytes as prng } from "../_shared.ts";

export const hex = (b: Uint8Array): string => b.toHex();
export const unhex = (s: string): Uint8Array<ArrayBuffer> =>
  Uint8Array.fromHex(s.replace(/\s+/g, ""));
export const utf8 = (s: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(s);
