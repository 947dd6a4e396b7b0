/**
 * `deno task bench`: runs the benchmarks in `bench/` and prints one table per
 * comparison with the ratios, instead of raw `deno bench` rows alone.
 *
 * Files that call `Deno.bench` run under `deno bench --json`; the runner
 * prints, per group, every case's mean time, operations per second and its
 * speed relative to the group's baseline. Other `bench/*.ts` files are
 * scripts (interleaved A/B rounds, load against servers in their own
 * processes) that print their own ratio tables; the runner starts them one
 * after another. The peers of `tools/peers.txt` are installed first; the
 * scripts build their C load clients and install their Node peers themselves.
 *
 * ```sh
 * deno task bench                 # every benchmark
 * deno task bench socket ubjson   # the files whose names contain one of the words
 * deno task bench bench/socket_bench.ts   # that file alone
 * ```
 *
 * @module
 */
import { ensurePeers } from "./ensure_peers.ts";

const BENCH_DIR = new URL("../bench/", import.meta.url);
const PERMISSIONS = [
  "--allow-net=127.0.0.1,localhost,[::1]",
  "--allow-read",
  "--allow-write=/tmp",
  "--allow-run",
  "--allow-env",
  "--allow-sys",
  "--allow-ffi",
];

interface BenchResult {
  group?: string;
  name: string;
  baseline: boolean;
  results: { ok?: { avg: number; n: number }; failed?: string }[];
}

/**
 * Lists the benchmark files to run: those whose names contain one of the
 * words given, or, for a word that is a file (`bench/socket_bench.ts`,
 * `socket_bench.ts`), that file alone.
 */
async function benchFiles(words: string[]): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(BENCH_DIR)) {
    if (!entry.isFile || !entry.name.endsWith(".ts") || entry.name.startsWith("_")) continue;
    if (words.length > 0 && !words.some((word) => selects(word, entry.name))) continue;
    files.push(entry.name);
  }
  return files.sort();
}

/** Whether a word of the command line selects the file `name`. */
function selects(word: string, name: string): boolean {
  if (!word.endsWith(".ts")) return name.includes(word);
  return word.replace(/^(\.\/)?bench\//, "") === name;
}

function formatTime(ns: number): string {
  if (ns < 1e3) return `${ns.toFixed(1)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(2)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(2)} ms`;
  return `${(ns / 1e9).toFixed(2)} s`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  return rows.map((row) => row.map((cell, col) => cell.padEnd(widths[col]!)).join("  ").trimEnd())
    .join(
      "\n",
    );
}

/** Prints one table per group of a `deno bench --json` report. */
export function ratioTables(benches: BenchResult[]): string {
  const groups = new Map<string, BenchResult[]>();
  for (const bench of benches) {
    const key = bench.group ?? bench.name;
    groups.set(key, [...groups.get(key) ?? [], bench]);
  }
  const out: string[] = [];
  for (const [group, members] of groups) {
    const baseline = members.find((m) => m.baseline) ?? members[0]!;
    const baseAvg = baseline.results[0]?.ok?.avg;
    const rows = [["case", "mean", "ops/s", `speed vs ${baseline.name}`]];
    for (const member of members) {
      const result = member.results[0];
      if (result?.ok === undefined) {
        rows.push([member.name, "failed", "", result?.failed ?? ""]);
        continue;
      }
      const ratio = baseAvg === undefined ? "" : `${(baseAvg / result.ok.avg).toFixed(2)}×`;
      rows.push([
        member.name,
        formatTime(result.ok.avg),
        Math.round(1e9 / result.ok.avg).toLocaleString("en-US"),
        ratio,
      ]);
    }
    out.push(`\n${group}\n${table(rows)}`);
  }
  return out.join("\n");
}

async function runDenoBench(file: string): Promise<boolean> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["bench", "--json", ...PERMISSIONS, new URL(file, BENCH_DIR).pathname],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  try {
    console.log(ratioTables((JSON.parse(text) as { benches: BenchResult[] }).benches));
  } catch {
    console.log(text);
  }
  return out.success;
}

async function runScript(file: string): Promise<boolean> {
  const status = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...PERMISSIONS, new URL(file, BENCH_DIR).pathname],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  return status.success;
}

async function main(words: string[]): Promise<number> {
  if (await ensurePeers() !== 0) return 1;
  const failed: string[] = [];
  const files = await benchFiles(words);
  if (files.length === 0) {
    console.error(`No benchmark in bench/ matches ${words.join(", ")}`);
    return 1;
  }
  for (const file of files) {
    console.log(`\n=== bench/${file}`);
    const text = await Deno.readTextFile(new URL(file, BENCH_DIR));
    const ok = text.includes("Deno.bench(") ? await runDenoBench(file) : await runScript(file);
    if (!ok) failed.push(file);
  }
  if (failed.length > 0) console.error(`\nbenchmarks that failed: ${failed.join(", ")}`);
  return failed.length === 0 ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
