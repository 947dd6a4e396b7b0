// A project outside the repository uses the packages through the import map
// that tools/import_map.ts prints (README: "Using a checkout from outside it").
import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { importMap } from "../tools/import_map.ts";

const ROOT = new URL("../", import.meta.url);

Deno.test("import map: a script in a folder outside the workspace imports every package", async () => {
  const { imports } = await importMap();
  const root = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT))) as {
    workspace: string[];
  };
  const names = root.workspace.map((m) => `@cosocket/${m.replace(/^\.\//, "")}`);
  for (const name of names) strictEqual(typeof imports[name], "string", name);
  const dir = await Deno.makeTempDir({ prefix: "cosocket_outside_" });
  try {
    await Deno.writeTextFile(`${dir}/deno.json`, JSON.stringify({ imports }));
    const lines = names.map((name, i) => `import * as p${i} from "${name}";`);
    lines.push(
      `console.log(JSON.stringify([${names.map((_, i) => `Object.keys(p${i}).length > 0`)}]));`,
    );
    await Deno.writeTextFile(`${dir}/main.ts`, lines.join("\n"));
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", "--allow-all", "main.ts"],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).output();
    strictEqual(out.success, true, new TextDecoder().decode(out.stderr));
    deepStrictEqual(JSON.parse(new TextDecoder().decode(out.stdout)), names.map(() => true));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("import map: a relative prefix gives paths for a vendored copy", async () => {
  const { imports } = await importMap("./vendor/cosocket");
  strictEqual(imports["@cosocket/socket"], "./vendor/cosocket/socket/mod.ts");
  strictEqual(imports["@cosocket/http/head"], "./vendor/cosocket/http/head.ts");
});
