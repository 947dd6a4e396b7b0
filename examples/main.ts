/**
 * The examples showcase: runs every example in this folder, one after the
 * other, each in its own Deno process with the permissions it needs, and
 * reports which ones passed.
 *
 * Run it with `deno task examples` (or `npx -y deno@2.9.6 task examples`).
 * Pass names to run only some: `deno task examples socket_echo`.
 */
const folder = new URL(".", import.meta.url);
const names = [...Deno.readDirSync(folder)]
  .map((entry) => entry.name)
  .filter((name) => name.endsWith(".ts") && name !== "main.ts" && !name.startsWith("_"))
  .sort();
const wanted = Deno.args.length === 0
  ? names
  : names.filter((name) => Deno.args.some((arg) => name.startsWith(arg)));

const permissions = [
  "--allow-net=127.0.0.1,127.0.0.2,localhost,[::1]",
  "--allow-read",
  "--allow-write=/tmp",
  "--allow-run",
  "--allow-env",
  "--allow-sys",
  "--allow-ffi",
];

let failures = 0;
for (const name of wanted) {
  console.log(`\n━━ ${name} ━━`);
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--unstable-net", ...permissions, new URL(name, folder).pathname],
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
  const status = await child.status;
  clearTimeout(timer);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (status.success) console.log(`✔ ${name} (${seconds} s)`);
  else {
    failures++;
    console.log(`✘ ${name} exited with ${status.code} (${seconds} s)`);
  }
}
console.log(`\n${wanted.length - failures} of ${wanted.length} examples ran successfully`);
if (failures > 0) Deno.exit(1);
