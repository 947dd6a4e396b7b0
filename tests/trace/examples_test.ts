// The example runs as `deno task examples` runs it, and says what it should.
import { equal, ok } from "node:assert/strict";

Deno.test("example: trace_viewer.ts", async () => {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net=127.0.0.1",
      new URL("../../examples/trace_viewer.ts", import.meta.url).pathname,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  equal(code, 0, new TextDecoder().decode(stderr));
  const output = new TextDecoder().decode(stdout);
  ok(output.includes("the viewer saw: GET /some/page HTTP/1.1"), output);
});
