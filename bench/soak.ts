/**
 * Soak: 10,000 connections × 60 s of random-size echo traffic, every byte
 * checked, against the README's cosocket echo server and a plain
 * `Deno.listen` loop with a 16 KiB buffer per connection, each in its own
 * process, driven by a separate Node process. Prints msgs/s, MB/s and the
 * server's RSS after establishment, at the end and after the clients close,
 * with the ratios ours / plain.
 *
 * ```sh
 * deno task bench soak
 * deno run -A bench/soak.ts --connections=1000 --seconds=10   # a shorter run
 * ```
 */
import { SERVERS } from "./_servers.ts";
import { soak, type SoakResult } from "./_soak.ts";

const arg = (name: string, fallback: number) =>
  Number(Deno.args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const connections = arg("connections", 10_000);
const seconds = arg("seconds", 60);

const plain = { ...SERVERS.plain, args: [...SERVERS.plain.args, "16384"] };
const results: SoakResult[] = [];
for (const spec of [plain, SERVERS.cosocket]) {
  console.log(`soaking ${spec.name}: ${connections} connections × ${seconds} s ...`);
  results.push(await soak(spec, connections, seconds));
}

const MiB = 1024 * 1024;
const rows = results.map((r) => ({
  server: r.server,
  "msgs/s": Math.round(r.messages / r.seconds),
  "MB/s": +(r.bytes / r.seconds / 1e6).toFixed(1),
  "lost (mismatch+err)": r.mismatches + r.errors,
  "RSS established MiB": +(r.rssEstablished / MiB).toFixed(0),
  "RSS end MiB": +(r.rssEnd / MiB).toFixed(0),
  "end/established": +(r.rssEnd / r.rssEstablished).toFixed(2),
  "RSS after close MiB": +(r.rssAfterClose / MiB).toFixed(0),
  "fds settled ms": r.fdSettleMs,
}));
console.table(rows);
const [p, c] = results as [SoakResult, SoakResult];
const growth = (r: SoakResult) => r.rssEnd - r.rssBefore;
console.log(
  `ratios cosocket / plain: msgs/s ${
    ((c.messages / c.seconds) / (p.messages / p.seconds)).toFixed(2)
  }×, ` +
    `MB/s ${((c.bytes / c.seconds) / (p.bytes / p.seconds)).toFixed(2)}×, ` +
    `RSS growth ${(growth(c) / growth(p)).toFixed(2)}× (goal ≥ 1.0× msgs/s, ≤ 1.0× RSS growth)`,
);
