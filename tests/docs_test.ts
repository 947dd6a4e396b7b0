// Documentation never names a path of a particular machine: commands run from
// the repository root, and a checkout can live anywhere.
import { deepStrictEqual } from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);
const MACHINE_PATH = /(?:^|[\s`"'(=])(?:\/work\/|\/root\/|\/home\/\w+|cd \/(?!tmp\b))/;
const SKIPPED = new Set([".git", "node_modules", "testdata", "coverage", ".cache"]);

async function* docFiles(dir: URL): AsyncGenerator<URL> {
  for await (const entry of Deno.readDir(dir)) {
    if (SKIPPED.has(entry.name)) continue;
    const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
    if (entry.isDirectory) yield* docFiles(url);
    else if (/\.(md|ts)$/.test(entry.name) && entry.name !== "docs_test.ts") yield url;
  }
}

Deno.test("docs: no README, doc comment or example names a machine path", async () => {
  const found: string[] = [];
  for await (const file of docFiles(ROOT)) {
    const text = await Deno.readTextFile(file);
    const lines = text.split("\n");
    const isMarkdown = file.pathname.endsWith(".md");
    lines.forEach((line, i) => {
      const isDoc = isMarkdown || /^\s*(\*|\/\/)/.test(line);
      if (isDoc && MACHINE_PATH.test(line)) {
        found.push(`${file.pathname.slice(ROOT.pathname.length)}:${i + 1}: ${line.trim()}`);
      }
    });
  }
  deepStrictEqual(found, []);
});

Deno.test("docs: every example is linked from a README", async () => {
  const readmes: string[] = [];
  for await (const file of docFiles(ROOT)) {
    if (file.pathname.endsWith("README.md")) readmes.push(await Deno.readTextFile(file));
  }
  const unlinked: string[] = [];
  for await (const entry of Deno.readDir(new URL("examples/", ROOT))) {
    if (!entry.isFile || entry.name === "main.ts" || entry.name.startsWith("_")) continue;
    if (!readmes.some((text) => text.includes(`examples/${entry.name}`))) unlinked.push(entry.name);
  }
  deepStrictEqual(unlinked.sort(), []);
});
