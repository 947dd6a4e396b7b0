// Writes versions of one JSON file with rwfile as fast as it can, until killed.
// Usage: _rwfile_writer.ts <dir> <seed>
import { diskIo, rwfile } from "@cosocket/io";

const [dir, seedArg] = Deno.args;
const io = diskIo(dir!);
let seed = Number(seedArg) || 1;
for (let version = 1;; version++) {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  const payload = "abcdefghij".repeat(1000 + (seed % 30000));
  await rwfile.json(io, "state.json", { version, payload, length: payload.length });
}
