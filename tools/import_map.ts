/**
 * Prints the import map a project outside this repository needs to use a
 * checkout (or a vendored copy) of it: one entry per package and one per
 * subpath export, read from the workspace's `deno.json` files, so that the
 * packages' bare imports of each other (`@cosocket/socket`, ...) resolve.
 *
 * ```sh
 * # absolute paths to this checkout
 * deno run --allow-read tools/import_map.ts > ../my-app/cosocket.imports.json
 * # or paths relative to the project, for a copy vendored in its ./vendor/cosocket
 * deno run --allow-read tools/import_map.ts ./vendor/cosocket > ../my-app/cosocket.imports.json
 * ```
 *
 * Paste the `imports` object into the project's `deno.json`, or point its
 * `"importMap"` field at the file.
 *
 * @module
 */

const ROOT = new URL("../", import.meta.url);

interface PackageConfig {
  name: string;
  exports: string | Record<string, string>;
}

/**
 * Builds the import map for the workspace's packages.
 *
 * @param prefix Where the checkout is, as seen from the project using it: an absolute
 * `file:` URL or a path such as `./vendor/cosocket`. Defaults to this checkout's URL.
 * @returns The import map: `{ imports: { "@cosocket/socket": ".../socket/mod.ts", ... } }`.
 */
export async function importMap(
  prefix: string = ROOT.href,
): Promise<{ imports: Record<string, string> }> {
  const base = prefix.endsWith("/") ? prefix : `${prefix}/`;
  const root = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT))) as {
    workspace: string[];
  };
  const imports: Record<string, string> = {};
  for (const member of root.workspace) {
    const folder = member.replace(/^\.\//, "").replace(/\/$/, "");
    const config = JSON.parse(
      await Deno.readTextFile(new URL(`${folder}/deno.json`, ROOT)),
    ) as PackageConfig;
    const exports = typeof config.exports === "string" ? { ".": config.exports } : config.exports;
    for (const [subpath, file] of Object.entries(exports)) {
      const specifier = subpath === "." ? config.name : `${config.name}${subpath.slice(1)}`;
      imports[specifier] = `${base}${folder}/${file.replace(/^\.\//, "")}`;
    }
  }
  return { imports };
}

if (import.meta.main) {
  console.log(JSON.stringify(await importMap(Deno.args[0]), null, 2));
}
