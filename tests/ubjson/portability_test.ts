// The package must run outside Deno: bundle it for the browser platform, run the bundle
// under Node and in headless Chromium, and compare their results with Deno's byte for byte.
// Needs `node` and `chromium` (Debian package `chromium`) on the PATH.
import { decode, encode } from "@cosocket/ubjson";
import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { bundleForBrowser, runUnderNode } from "../_bundle.ts";

const SOURCES = ["encode.ts", "decode.ts", "_markers.ts", "mod.ts"];

// Runs wherever `encode` and `decode` are in scope; leaves its result in `result`.
const PROBE = `
  const doc = { id: 300, big: 2n ** 62n, f: 1.5, s: "h\\u00e9llo \\u{1F600}", list: [null, true, false, -129],
    ta: new Float64Array([Math.PI]), i16: new Int16Array([-2]), nan: NaN, huge: 2 ** 64 };
  const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  let error = "";
  try { decode(new Uint8Array([0x53, 0x69, 0x05])); } catch (e) { error = e.name + ": " + e.message; }
  const result = JSON.stringify({
    encoded: hex(encode(doc, { float32: true, char: true })),
    decoded: decode(encode(doc), { typedArrays: true, int64: "bigint" }),
    error,
  }, (k, v) => typeof v === "bigint" ? v + "n" : ArrayBuffer.isView(v) ? [v.constructor.name, ...Array.from(v, String)] : v);
`;

function expected(): unknown {
  // The same probe, evaluated here in Deno.
  const run = new Function("encode", "decode", `${PROBE}; return result;`);
  return JSON.parse(run(encode, decode));
}

function bundle(dir: string): Promise<string> {
  return bundleForBrowser(new URL("../../ubjson/mod.ts", import.meta.url), `${dir}/ubjson.mjs`);
}

Deno.test("ubjson sources use no Deno APIs", async () => {
  for (const file of SOURCES) {
    const text = await Deno.readTextFile(new URL(`../../ubjson/${file}`, import.meta.url));
    strictEqual(/\bDeno\s*\./.test(text), false, file);
  }
});

Deno.test("encode() and decode() give the same results under Node as under Deno", async () => {
  const dir = await Deno.makeTempDir({ dir: "/tmp", prefix: "ubjson_node_" });
  try {
    const file = await bundle(dir);
    const script = `import { encode, decode } from ${
      JSON.stringify(file)
    };\n${PROBE}\nconsole.log(result);`;
    deepStrictEqual(await runUnderNode(script), expected());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("encode() and decode() give the same results in headless Chromium as under Deno", async () => {
  const dir = await Deno.makeTempDir({ dir: "/tmp", prefix: "ubjson_browser_" });
  try {
    const code = await Deno.readTextFile(await bundle(dir));
    // An inline module script: file:// pages cannot import other files.
    const page = `<!doctype html><html><body><pre id="out">pending</pre><script type="module">
${code}
try {
${PROBE}
  document.getElementById("out").textContent = "RESULT:" + encodeURIComponent(result);
} catch (e) {
  document.getElementById("out").textContent = "ERROR:" + e;
}
</script></body></html>`;
    await Deno.writeTextFile(`${dir}/index.html`, page);
    const run = await new Deno.Command("chromium", {
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        `--user-data-dir=${dir}/profile`,
        "--dump-dom",
        `file://${dir}/index.html`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dom = new TextDecoder().decode(run.stdout);
    const found = dom.match(/<pre id="out">RESULT:([^<]*)<\/pre>/);
    strictEqual(found !== null, true, `no result in the page: ${dom.slice(0, 300)}`);
    deepStrictEqual(JSON.parse(decodeURIComponent(found![1]!)), expected());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
