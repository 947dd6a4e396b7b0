// The example runs as `deno task examples` runs it, and says what it should.
import { ok } from "node:assert/strict";
import { runExample } from "../_shared.ts";

Deno.test("example: mail_send.ts", async () => {
  const output = await runExample("mail_send.ts");
  ok(output.includes("accepted: alice@example.org, archive@example.com"), output);
});
