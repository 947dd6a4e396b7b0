// Every program a test or benchmark starts, every Python module its embedded
// Python imports and every npm package it imports must be in tools/peers.txt,
// the list `deno task test` installs from: a peer missing from the list works
// on the machine that has it and fails on a fresh one.
import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { parsePeerList, readPeerList } from "../tools/peer_list.ts";
import { missingPeers } from "../tools/ensure_peers.ts";
import { uses } from "./_peer_uses.ts";

const ROOT = new URL("../", import.meta.url);
const SCANNED = ["tests", "bench", "examples", "tools"];

async function* sourceFiles(dir: URL): AsyncGenerator<URL> {
  for await (const entry of Deno.readDir(dir)) {
    if (entry.name === "testdata" && entry.isDirectory) continue;
    // The scanner and its own test hold sample uses, not real ones.
    if (entry.name === "peers_test.ts" || entry.name === "_peer_uses.ts") continue;
    const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
    if (entry.isDirectory) yield* sourceFiles(url);
    else if (/\.(ts|mjs|js|py)$/.test(entry.name)) yield url;
  }
}

async function pythonStdlib(): Promise<Set<string>> {
  const out = await new Deno.Command("/usr/bin/python3", {
    args: ["-c", "import sys; print(' '.join(sorted(sys.stdlib_module_names)))"],
  }).output();
  strictEqual(out.success, true);
  return new Set(new TextDecoder().decode(out.stdout).trim().split(" "));
}

Deno.test("peers: every program, Python module and npm package used is in tools/peers.txt", async () => {
  const peers = await readPeerList();
  const commands = new Set(
    peers.flatMap((p) => p.provides.filter((e) => !e.startsWith("py:")))
      .flatMap((e) => [e, e.slice(e.lastIndexOf("/") + 1)]),
  );
  const modules = new Set(
    peers.flatMap((p) => p.provides.filter((e) => e.startsWith("py:")).map((e) => e.slice(3))),
  );
  const npm = new Set(peers.filter((p) => p.kind === "npm").map((p) => p.name));
  const stdlib = await pythonStdlib();
  const unlisted: string[] = [];
  for (const dir of SCANNED) {
    for await (const file of sourceFiles(new URL(`${dir}/`, ROOT))) {
      const name = file.pathname.slice(ROOT.pathname.length);
      const found = uses(await Deno.readTextFile(file));
      for (const cmd of found.commands) {
        const base = cmd.slice(cmd.lastIndexOf("/") + 1);
        if (!commands.has(cmd) && !commands.has(base)) unlisted.push(`${name}: program ${cmd}`);
      }
      for (const mod of found.pythonModules) {
        if (!stdlib.has(mod) && !modules.has(mod)) unlisted.push(`${name}: Python module ${mod}`);
      }
      for (const pkg of found.npmPackages) {
        if (!npm.has(pkg)) unlisted.push(`${name}: npm package ${pkg} (pin it and list it)`);
      }
    }
  }
  deepStrictEqual(unlisted, []);
});

Deno.test("peers: the scanner finds programs, Python imports and npm specifiers", () => {
  const found = uses([
    'await new Deno.Command("nginx", { args });',
    'const PY = "/usr/bin/python3";',
    "new Deno.Command(PY, {});",
    'await run("openssl", ["req"]);',
    'const spec = { cmd: "wrk", args: [] };',
    'import * as x from "npm:hono@4.1.0";',
    'import type { A } from "npm:@xterm/xterm@6.0.0/lib";',
    "const script = `",
    "import websockets.sync.server",
    "from aiosmtpd.controller import Controller",
    "import os, sys",
    "`;",
    'import { b } from "./b.ts";',
  ].join("\n"));
  deepStrictEqual([...found.commands].sort(), ["/usr/bin/python3", "nginx", "openssl", "wrk"]);
  deepStrictEqual([...found.pythonModules].sort(), ["aiosmtpd", "os", "sys", "websockets"]);
  deepStrictEqual([...found.npmPackages].sort(), ["@xterm/xterm@6.0.0", "hono@4.1.0"]);
});

Deno.test("peers: the list parses and every peer is present on this machine", async () => {
  const peers = await readPeerList();
  strictEqual(peers.length > 10, true);
  deepStrictEqual((await missingPeers(peers)).map((p) => p.name), []);
});

Deno.test("peers: a malformed list line is refused with its line number", () => {
  let message = "";
  try {
    parsePeerList("debian nginx\n");
  } catch (error) {
    message = (error as Error).message;
  }
  strictEqual(message, "Cannot parse peer list: line 1 has fewer than 4 columns");
});
