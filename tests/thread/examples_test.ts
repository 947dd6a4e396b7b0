// The example runs as `deno task examples` runs it, and says what it should.
import { equal, ok } from "node:assert/strict";

Deno.test("example: libraries_tour.ts", async () => {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write=/tmp",
      new URL("../../examples/libraries_tour.ts", import.meta.url).pathname,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  equal(code, 0, new TextDecoder().decode(stderr));
  const output = new TextDecoder().decode(stdout);
  ok(output.includes("events: once() got: second time"), output);
});
