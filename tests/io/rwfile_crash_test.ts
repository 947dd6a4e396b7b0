// rwfile's writes are atomic: a writer process SIGKILLed at random moments, 200 times, never
// leaves a torn or half-written file: what is there is always one complete version.
import { equal, ok } from "node:assert/strict";
import { diskIo, rwfile } from "@cosocket/io";

Deno.test("rwfile: 200 writers killed mid-write never leave a torn file", async () => {
  const dir = await Deno.makeTempDir();
  const started = Date.now();
  try {
    const io = diskIo(dir);
    await rwfile.json(io, "state.json", { version: 0, payload: "", length: 0 });
    let seed = 7;
    let versionsSeen = 0;
    for (let round = 0; round < 200 && Date.now() - started < 90_000; round++) {
      const child = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          `--allow-read=${dir}`,
          `--allow-write=${dir}`,
          new URL("_rwfile_writer.ts", import.meta.url).pathname,
          dir,
          String(round + 1),
        ],
        stdout: "null",
        stderr: "null",
      }).spawn();
      seed = (seed * 48271) % 2147483647;
      // Startup takes tens of milliseconds; the kill lands somewhere in the writes after it.
      await new Promise((resolve) => setTimeout(resolve, 40 + (seed % 120)));
      child.kill("SIGKILL");
      await child.status;
      const state = (await rwfile.json(io, "state.json")) as {
        version: number;
        payload: string;
        length: number;
      };
      equal(state.payload.length, state.length, `round ${round}: a torn file`);
      if (state.version > 0) versionsSeen++;
    }
    // The kills did land while writing (versions beyond the first were written).
    ok(versionsSeen > 0, "no writer ever finished a write");
    // Leftover temporary files of killed writers are the only residue; the target is whole.
    const names = (await Array.fromAsync(Deno.readDir(dir))).map((entry) => entry.name);
    ok(names.includes("state.json"));
    ok(
      names.every((name) => name === "state.json" || /^\.state\.json\..*\.tmp$/.test(name)),
      names.join(),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
