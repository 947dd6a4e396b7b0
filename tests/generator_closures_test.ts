// Operations are generator methods or module-level generator functions,
// never a generator function expression written inside the call that makes
// the operation: V8 gives each such expression, every time it is evaluated,
// an object map of its own in old space, and that map keeps the closure and
// everything it captures alive through every minor GC until the next major
// one. One `await operation(function* () {...})` in `fetch` made 6.1 KB of
// each request's 25 KB survive scavenges, 7 µs of CPU per request
// (ARCHITECTURE.md, "Generators and the garbage collector").
import { deepStrictEqual } from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);
const PATTERN = /\b(?:operation|fromGenerator)\(\s*function\s*\*/g;

async function* libraryFiles(dir: URL): AsyncGenerator<URL> {
  for await (const entry of Deno.readDir(dir)) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
    if (entry.isDirectory) yield* libraryFiles(url);
    else if (entry.name.endsWith(".ts")) yield url;
  }
}

/** The packages' folders, from the workspace. */
async function packages(): Promise<string[]> {
  const root = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT))) as {
    workspace: string[];
  };
  return root.workspace.map((member) => member.replace(/^\.\//, ""));
}

/** Code without comments: documentation examples may write what they like. */
function code(text: string): string {
  return text.replace(/\/\*[^]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
}

Deno.test("no operation is made of a generator function expression written in the call", async () => {
  const found: string[] = [];
  for (const folder of await packages()) {
    for await (const file of libraryFiles(new URL(`${folder}/`, ROOT))) {
      const text = code(await Deno.readTextFile(file));
      for (const match of text.matchAll(PATTERN)) {
        found.push(`${file.pathname.slice(ROOT.pathname.length)}: ${match[0].slice(0, 60)}`);
      }
    }
  }
  deepStrictEqual(found, []);
});
