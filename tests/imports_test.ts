// The packages' dependencies point one way (ARCHITECTURE.md): no import
// cycles anywhere, type-only imports included; a package imports only the
// packages below it, and always by its bare name.
import { deepStrictEqual } from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);

/** The packages each package may import (directly or through another). */
const ALLOWED: Record<string, string[]> = {
  socket: [],
  crypto: [],
  ubjson: [],
  events: [],
  io: [],
  http: ["socket", "io"],
  websocket: ["socket", "http"],
  jwt: ["crypto"],
  mail: ["socket", "http", "crypto", "io"],
  pty: ["socket"],
  thread: ["socket"],
  trace: ["http", "websocket", "socket", "io"],
};

interface Edge {
  from: string;
  to: string;
  raw: string;
}

async function graph(): Promise<Edge[]> {
  const root = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT))) as {
    workspace: string[];
  };
  const entries: string[] = [];
  for (const member of root.workspace) {
    const folder = member.replace(/^\.\//, "");
    const config = JSON.parse(await Deno.readTextFile(new URL(`${folder}/deno.json`, ROOT))) as {
      exports: string | Record<string, string>;
    };
    const exports = typeof config.exports === "string"
      ? [config.exports]
      : Object.values(config.exports);
    for (const file of exports) entries.push(new URL(`${folder}/${file}`, ROOT).pathname);
  }
  // `deno info` takes one root: a temporary module importing every export.
  const entry = await Deno.makeTempFile({ prefix: "cosocket_imports_", suffix: ".ts" });
  await Deno.writeTextFile(entry, entries.map((e) => `import "file://${e}";`).join("\n"));
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "--config", new URL("deno.json", ROOT).pathname, entry],
    cwd: ROOT.pathname,
    stdout: "piped",
    stderr: "piped",
  }).output().finally(() => Deno.remove(entry));
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    modules: {
      specifier: string;
      dependencies?: {
        specifier: string;
        code?: { specifier: string };
        type?: { specifier: string };
      }[];
    }[];
  };
  const edges: Edge[] = [];
  for (const mod of info.modules) {
    if (!mod.specifier.startsWith(ROOT.href)) continue;
    for (const dep of mod.dependencies ?? []) {
      for (const target of [dep.code?.specifier, dep.type?.specifier]) {
        if (target?.startsWith(ROOT.href)) {
          edges.push({ from: relative(mod.specifier), to: relative(target), raw: dep.specifier });
        }
      }
    }
  }
  return edges;
}

function relative(specifier: string): string {
  return specifier.slice(ROOT.href.length);
}

function packageOf(file: string): string {
  return file.split("/")[0]!;
}

function closure(pkg: string): Set<string> {
  const seen = new Set<string>();
  const stack = [...(ALLOWED[pkg] ?? [])];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(ALLOWED[next] ?? []));
  }
  return seen;
}

/** Tarjan's strongly connected components with more than one file, or a self-import. */
function cycles(edges: Edge[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const { from, to } of edges) {
    if (!next.has(from)) next.set(from, new Set());
    next.get(from)!.add(to);
  }
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    indices.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!));
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || next.get(v)?.has(v)) found.push(component.sort());
    }
  };
  for (const v of next.keys()) if (!indices.has(v)) visit(v);
  return found;
}

const edges = await graph();

// Cycles that were there before this test, taken apart (issue #16); the list
// only shrinks, and a new cycle fails at once.
const KNOWN_CYCLES: string[][] = [];

Deno.test("imports: no import cycle in any package, type-only imports included", () => {
  const known = new Set(KNOWN_CYCLES.map((c) => c.join(" ")));
  const found = cycles(edges);
  deepStrictEqual(found.filter((c) => !known.has(c.join(" "))), []);
  // A known cycle that is gone must leave the list too, so that it cannot come back.
  const present = new Set(found.map((c) => c.join(" ")));
  deepStrictEqual(KNOWN_CYCLES.filter((c) => !present.has(c.join(" "))), []);
});

Deno.test("imports: packages import only the packages below them, by bare name", () => {
  const wrong: string[] = [];
  for (const { from, to, raw } of edges) {
    const a = packageOf(from);
    const b = packageOf(to);
    if (a === b) continue;
    if (!(a in ALLOWED)) {
      wrong.push(`${a}: a new package: add it to ALLOWED in tests/imports_test.ts`);
    } else if (!closure(a).has(b)) {
      wrong.push(`${from} imports ${to}: ${a} must not depend on ${b}`);
    }
    if (raw.startsWith(".")) {
      wrong.push(`${from} imports "${raw}": use the bare name @cosocket/${b}`);
    }
  }
  deepStrictEqual([...new Set(wrong)], []);
});

Deno.test("imports: every public file of a package has a kebab-case subpath export", async () => {
  const root = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT))) as {
    workspace: string[];
  };
  const missing: string[] = [];
  for (const member of root.workspace) {
    const folder = member.replace(/^\.\//, "");
    const config = JSON.parse(await Deno.readTextFile(new URL(`${folder}/deno.json`, ROOT))) as {
      exports: Record<string, string>;
    };
    for await (const entry of Deno.readDir(new URL(`${folder}/`, ROOT))) {
      const name = entry.name;
      if (!entry.isFile || !name.endsWith(".ts") || name.startsWith("_") || name === "mod.ts") {
        continue;
      }
      const subpath = `./${name.slice(0, -3).replaceAll("_", "-")}`;
      if (config.exports[subpath] !== `./${name}`) {
        missing.push(`${folder}/${name} as "${subpath}"`);
      }
    }
  }
  deepStrictEqual(missing.sort(), []);
});
