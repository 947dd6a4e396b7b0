import { strictEqual } from "node:assert/strict";

/**
 * Bundles `entry` for the browser platform into `file` with `deno bundle`,
 * for the tests that prove a module runs outside Deno (under Node, in
 * Chromium). Fails the test with Deno's message when bundling fails.
 */
export async function bundleForBrowser(entry: URL, file: string): Promise<string> {
  const built = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--platform", "browser", "-o", file, entry.pathname],
    stdout: "piped",
    stderr: "piped",
  }).output();
  strictEqual(built.code, 0, new TextDecoder().decode(built.stderr));
  return file;
}
