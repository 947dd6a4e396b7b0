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

/**
 * Runs an ES module script under Node (the machine's `node`) and returns
 * what it printed, parsed as JSON. Fails the test with Node's message when
 * the script fails.
 */
export async function runUnderNode(script: string): Promise<unknown> {
  const run = await new Deno.Command("node", {
    args: ["--input-type=module", "-e", script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  strictEqual(run.code, 0, new TextDecoder().decode(run.stderr));
  return JSON.parse(new TextDecoder().decode(run.stdout));
}
