/**
 * Makes sure every peer in `tools/peers.txt` is on this machine before the
 * tests or benchmarks run. Missing Debian packages are installed with apt-get
 * when this process runs as root; otherwise it stops at once with one line
 * naming the packages and the command that installs them. npm peers are
 * fetched by Deno itself on first import and need nothing here.
 *
 * Set `COSOCKET_PEERS=skip` to skip the check (for example on a machine where
 * only some test folders are run by hand).
 *
 * ```sh
 * deno run --allow-read --allow-run --allow-env tools/ensure_peers.ts
 * ```
 *
 * @module
 */
import { type Peer, readPeerList } from "./peer_list.ts";

const PYTHON = "/usr/bin/python3";

/** Returns the peers (Debian or system) whose `provides` entries are not all present. */
export async function missingPeers(peers: Peer[]): Promise<Peer[]> {
  const local = peers.filter((peer) => peer.kind !== "npm");
  const modules = local.flatMap((peer) =>
    peer.provides.filter((p) => p.startsWith("py:")).map((p) => p.slice(3))
  );
  const absentModules = new Set(await absentPythonModules(modules));
  const withoutProvides = local.filter((p) => p.kind === "debian" && p.provides.length === 0);
  const uninstalled = new Set(await uninstalledPackages(withoutProvides.map((p) => p.name)));
  const path = (Deno.env.get("PATH") ?? "").split(":").filter((dir) => dir !== "");
  const missing: Peer[] = [];
  for (const peer of local) {
    const present = peer.provides.length === 0
      ? !uninstalled.has(peer.name)
      : peer.provides.every((entry) =>
        entry.startsWith("py:") ? !absentModules.has(entry.slice(3)) : onPath(entry, path)
      );
    if (!present) missing.push(peer);
  }
  return missing;
}

function onPath(command: string, path: string[]): boolean {
  if (command.startsWith("/")) return isFile(command);
  return path.some((dir) => isFile(`${dir}/${command}`));
}

function isFile(file: string): boolean {
  try {
    return Deno.statSync(file).isFile;
  } catch {
    return false;
  }
}

async function absentPythonModules(modules: string[]): Promise<string[]> {
  if (modules.length === 0) return [];
  if (!isFile(PYTHON)) return modules;
  const script = "import importlib.util, sys\n" +
    "print(' '.join(m for m in sys.argv[1:] if importlib.util.find_spec(m) is None))";
  // Isolated (-I): without it the checkout's own folders (ubjson/) pass for
  // Python packages of the same name.
  const out = await new Deno.Command(PYTHON, {
    args: ["-I", "-c", script, ...modules],
    stderr: "null",
  }).output();
  if (!out.success) return modules;
  return new TextDecoder().decode(out.stdout).split(/\s+/).filter((m) => m !== "");
}

async function uninstalledPackages(names: string[]): Promise<string[]> {
  if (names.length === 0) return [];
  try {
    const out = await new Deno.Command("dpkg-query", {
      args: ["-W", "-f=${Package} ${Status}\n", ...names],
      stdout: "piped",
      stderr: "null",
    }).output();
    const installed = new Set(
      new TextDecoder().decode(out.stdout).split("\n")
        .filter((line) => line.endsWith(" installed"))
        .map((line) => line.split(" ")[0]),
    );
    return names.filter((name) => !installed.has(name));
  } catch {
    return names;
  }
}

function canInstall(): boolean {
  return Deno.uid() === 0 && onPath("apt-get", (Deno.env.get("PATH") ?? "").split(":"));
}

async function aptInstall(packages: string[]): Promise<boolean> {
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  const update = await new Deno.Command("apt-get", { args: ["update", "-qq"], env }).output();
  if (!update.success) return false;
  const install = await new Deno.Command("apt-get", {
    args: ["install", "-y", "-qq", "--no-install-recommends", ...packages],
    env,
    stdout: "null",
  }).output();
  return install.success;
}

/**
 * Checks the peers and installs the missing Debian ones.
 *
 * @returns The exit code: 0 when every peer is present at the end.
 */
export async function ensurePeers(): Promise<number> {
  if (Deno.env.get("COSOCKET_PEERS") === "skip") return 0;
  const peers = await readPeerList();
  let missing = await missingPeers(peers);
  if (missing.length === 0) return 0;
  const system = missing.filter((peer) => peer.kind === "system").map((peer) => peer.name);
  if (system.length > 0) {
    console.error(`Missing test peers: ${system.join(" ")}: install them first (see README)`);
    return 1;
  }
  const packages = missing.map((peer) => peer.name);
  if (!canInstall()) {
    console.error(
      `Missing test peers: ${packages.join(" ")}: install them with ` +
        `sudo apt-get install -y --no-install-recommends ${packages.join(" ")}`,
    );
    return 1;
  }
  console.error(`Installing test peers: ${packages.join(" ")}`);
  if (!await aptInstall(packages)) {
    console.error(`Cannot install test peers: apt-get failed for ${packages.join(" ")}`);
    return 1;
  }
  missing = await missingPeers(peers);
  if (missing.length > 0) {
    const left = missing.map((peer) => peer.name).join(" ");
    console.error(`Cannot install test peers: still missing after apt-get: ${left}`);
    return 1;
  }
  return 0;
}

if (import.meta.main) Deno.exit(await ensurePeers());
