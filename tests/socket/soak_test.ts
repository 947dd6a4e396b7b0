// A bounded soak of the README's cosocket echo server in its own process,
// driven by a Node load process (bench/load/soak_client.mjs): 1,000
// connections × 10 s of random-size chunks with every byte checked. The full
// 10,000 × 60 s run, side by side with the plain Deno loop, is bench/soak.ts.
import { ok, strictEqual } from "node:assert/strict";
import { SERVERS } from "../../bench/_servers.ts";
import { soak } from "../../bench/_soak.ts";

const MiB = 1024 * 1024;

Deno.test("soak: 1,000 connections × 10 s, every byte back, descriptors back, memory bounded", async () => {
  const result = await soak(SERVERS.cosocket, 1000, 10);
  strictEqual(result.mismatches, 0, "bytes came back wrong");
  strictEqual(result.errors, 0, "connections failed");
  ok(result.messages > 1000, `only ${result.messages} messages`);
  ok(result.fdSettleMs >= 0, `descriptors not back to ${result.fdsBefore} within 5 s`);
  // Each connection reads into slabs of at most 16 KiB (the plain loop's
  // buffer): the growth per connection stays far below what the old policy
  // (slabs doubling to 256 KiB, ~376 KiB per connection here) reached.
  const perConnection = (result.rssEnd - result.rssBefore) / result.connections;
  ok(
    perConnection < 192 * 1024,
    `RSS grew ${(perConnection / 1024).toFixed(0)} KiB per connection ` +
      `(${(result.rssBefore / MiB).toFixed(0)} → ${(result.rssEnd / MiB).toFixed(0)} MiB)`,
  );
});
