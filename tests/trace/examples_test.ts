// The example runs as `deno task examples` runs it, and says what it should.
import { ok } from "node:assert/strict";
import { runExample } from "../_shared.ts";

Deno.test("example: trace_viewer.ts", async () => {
  const output = await runExample("trace_viewer.ts");
  ok(output.includes("the viewer saw: GET /some/page HTTP/1.1"), output);
});
