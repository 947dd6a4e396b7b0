// The example runs as `deno task examples` runs it, and says what it should.
import { equal, ok } from "node:assert/strict";

Deno.test("example: mail_send.ts", async () => {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net=127.0.0.1",
      new URL("../../examples/mail_send.ts", import.meta.url).pathname,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  equal(code, 0, new TextDecoder().decode(stderr));
  const output = new TextDecoder().decode(stdout);
  ok(output.includes("accepted: alice@example.org, archive@example.com"), output);
});
