/**
 * SMTP sending, side by side in one run: 1,000 small messages over one
 * connection to a local npm smtp-server (its own Node process), our client
 * against nodemailer on Node (pooled, one connection), rounds interleaved;
 * and the memory a message with a 64 MiB attachment costs (streamed from
 * its file, base64 on the fly).
 *
 * ```sh
 * deno task bench mail
 * ```
 */
import { mail } from "@cosocket/mail";
import { startServer } from "./_servers.ts";
import { installNodePeers } from "./_ws_peers.ts";

const COUNT = 1000;
const ROUNDS = 3;
const here = new URL(".", import.meta.url);
const prefix = await installNodePeers();

const sink = await startServer({
  name: "smtp-server sink",
  cmd: "node",
  args: [new URL("servers/smtp_sink.mjs", here).pathname, prefix],
});
const port = sink.port;

async function ours(): Promise<number> {
  await using client = mail({ server: "127.0.0.1", port, tls: false });
  const start = performance.now();
  for (let i = 0; i < COUNT; i++) {
    await client.send({
      from: "Bob <bob@example.com>",
      to: "Alice <alice@example.org>",
      subject: `Message ${i}`,
      body: "Hello Alice, this is a small message.",
    });
  }
  return COUNT / ((performance.now() - start) / 1000);
}

async function nodemailer(): Promise<number> {
  const out = await new Deno.Command("node", {
    args: [
      new URL("load/nodemailer_client.mjs", here).pathname,
      prefix,
      String(port),
      String(COUNT),
    ],
    stdout: "piped",
  }).output();
  if (!out.success) throw new Error("nodemailer failed");
  return Number(new TextDecoder().decode(out.stdout).trim());
}

try {
  const results = { ours: [] as number[], nodemailer: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    results.nodemailer.push(await nodemailer());
    results.ours.push(await ours());
  }
  const median = (values: number[]) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  console.log(
    `\n${COUNT} small messages over one connection to npm smtp-server (median of ${ROUNDS} rounds)`,
  );
  console.table([
    {
      client: "nodemailer 10 (Node, pooled)",
      "messages/s": Math.round(median(results.nodemailer)),
      ratio: "1.00×",
    },
    {
      client: "cosocket mail (Deno)",
      "messages/s": Math.round(median(results.ours)),
      ratio: `${(median(results.ours) / median(results.nodemailer)).toFixed(2)}×`,
    },
  ]);

  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/big.bin`;
    const file = await Deno.open(path, { write: true, create: true });
    const block = new Uint8Array(1 << 20).map((_, i) => i % 251);
    for (let i = 0; i < 64; i++) await file.write(block);
    file.close();
    const before = Deno.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => peak = Math.max(peak, Deno.memoryUsage().rss), 20);
    await using client = mail({ server: "127.0.0.1", port, tls: false });
    const start = performance.now();
    await client.send({
      from: "bob@example.com",
      to: "alice@example.org",
      subject: "64 MiB",
      body: "see attachment",
      attachments: [{ content: { path } }],
    });
    clearInterval(sampler);
    console.log(
      `\n64 MiB attachment streamed from its file: ${
        ((performance.now() - start) / 1000).toFixed(2)
      } s, ` +
        `RSS growth at peak ${((peak - before) / 2 ** 20).toFixed(1)} MiB (goal < 32 MiB)`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
} finally {
  await sink.stop();
}
