// The example runs as `deno task examples` runs it, and says what it should.
import { ok } from "node:assert/strict";
import { runExample } from "../_shared.ts";

Deno.test("example: libraries_tour.ts", async () => {
  const output = await runExample("libraries_tour.ts", {
    permissions: ["--allow-read", "--allow-write=/tmp"],
  });
  ok(output.includes("events: once() got: second time"), output);
});
