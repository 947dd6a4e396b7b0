// The seed's "httpm" layer against nginx (stat, download) and Node's http
// module (post, json, upload): streamed both ways, with progress.
import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import { createHash } from "node:crypto";
import { closePool } from "@cosocket/socket";
import { HttpError, httpm } from "@cosocket/http";
import { nginx, nodeServer } from "./_peers.ts";

const APP = `
import http from "node:http";
import { createHash } from "node:crypto";
let last = "";
const server = http.createServer(async (req, res) => {
  const hash = createHash("sha256");
  let length = 0;
  for await (const chunk of req) { hash.update(chunk); length += chunk.length; }
  const url = new URL(req.url, "http://x");
  if (url.pathname === "/form") {
    return res.end(JSON.stringify({ type: req.headers["content-type"], body: hash.digest("hex"), length }));
  }
  if (url.pathname === "/refuse") { res.writeHead(403); return res.end("no"); }
  if (url.pathname === "/last") return res.end(last);
  last = hash.digest("hex");
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify({
    method: req.method,
    type: req.headers["content-type"] ?? null,
    te: req.headers["transfer-encoding"] ?? null,
    length,
    sha: last,
  }));
});
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
`;

function sha(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

Deno.test("httpm: post a form and json data; JSON replies are decoded", async () => {
  await using app = await nodeServer(APP);
  await using client = httpm({ persistent: false });
  const base = `http://127.0.0.1:${app.port}`;
  const form = await client.post(`${base}/echo`, { a: "1", b: ["x", "y"] });
  strictEqual(form.status, 200);
  const body = form.body as Record<string, unknown>;
  deepStrictEqual([body.method, body.type], ["POST", "application/x-www-form-urlencoded"]);
  strictEqual(body.sha, sha(new TextEncoder().encode("a=1&b=x&b=y")));
  const json = await client.json(`${base}/echo`, { hello: "world", n: [1, 2] });
  const reply = json.body as Record<string, unknown>;
  deepStrictEqual([reply.method, reply.type], ["POST", "application/json; charset=utf-8"]);
  strictEqual(
    reply.sha,
    sha(new TextEncoder().encode(JSON.stringify({ hello: "world", n: [1, 2] }))),
  );
});

Deno.test("httpm: upload bytes, a file and a stream with progress; an error status is an HttpError", async () => {
  await using app = await nodeServer(APP);
  await using client = httpm({ persistent: false });
  const url = `http://127.0.0.1:${app.port}/up`;
  const data = new Uint8Array(3 * 1024 * 1024 + 5).map((_, i) => i * 31);
  const dir = await Deno.makeTempDir({ prefix: "cosocket_httpm_" });
  try {
    const path = `${dir}/up.bin`;
    await Deno.writeFile(path, data);
    const seen: number[] = [];
    strictEqual(await client.upload({ url, data, progress: (done) => seen.push(done) }), 200);
    strictEqual(seen.at(-1), data.length);
    strictEqual(await client.upload({ url, data: { path }, method: "POST" }), 200);
    const stream = ReadableStream.from([data.subarray(0, 1000), data.subarray(1000)]);
    strictEqual(await client.upload({ url, data: stream }), 200);
    await rejects(
      Promise.resolve(client.upload({ url: `http://127.0.0.1:${app.port}/refuse`, data: "x" })),
      (e: unknown) => e instanceof HttpError && e.code === "status" && e.status === 403,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("httpm: stat and download from nginx (a 16 MiB file streamed to disk); a failed download leaves no file", async () => {
  const root = await Deno.makeTempDir({ prefix: "cosocket_www_" });
  const out = await Deno.makeTempDir({ prefix: "cosocket_dl_" });
  try {
    const big = new Uint8Array(16 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 65536) crypto.getRandomValues(big.subarray(i, i + 65536));
    await Deno.writeFile(`${root}/big.bin`, big);
    await Deno.chmod(root, 0o755);
    await Deno.chmod(`${root}/big.bin`, 0o644);
    await using server = await nginx(root);
    await using client = httpm();
    const base = `http://127.0.0.1:${server.port}`;
    const stat = await client.stat(`${base}/big.bin`);
    strictEqual(stat!.size, big.length);
    ok(stat!.mtime instanceof Date && Math.abs(stat!.mtime.getTime() - Date.now()) < 3_600_000);
    strictEqual(await client.stat(`${base}/missing`), null);
    let last = 0;
    const written = await client.download({
      url: `${base}/big.bin`,
      path: `${out}/big.bin`,
      progress: (done, total) => {
        ok(done > last && total === big.length);
        last = done;
      },
    });
    strictEqual(written, big.length);
    strictEqual(sha(await Deno.readFile(`${out}/big.bin`)), sha(big));
    await rejects(
      Promise.resolve(client.download({ url: `${base}/missing`, path: `${out}/missing.bin` })),
      (e: unknown) => e instanceof HttpError && e.status === 404,
    );
    await rejects(Deno.stat(`${out}/missing.bin`), Deno.errors.NotFound);
  } finally {
    await closePool();
    await Deno.remove(root, { recursive: true });
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("httpm: a download cut in the middle removes its partial file", async () => {
  const { rawServer } = await import("./_peers.ts");
  await using server = rawServer(async (_, conn) => {
    await conn.write(new TextEncoder().encode("HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\n"));
    await conn.write(new Uint8Array(40_000));
  });
  const out = await Deno.makeTempDir({ prefix: "cosocket_dl_" });
  try {
    await using client = httpm({ persistent: false });
    await rejects(
      Promise.resolve(
        client.download({ url: `http://127.0.0.1:${server.port}/`, path: `${out}/cut.bin` }),
      ),
      (e: unknown) => e instanceof HttpError && e.code === "protocol",
    );
    await rejects(Deno.stat(`${out}/cut.bin`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("httpm: upload from and download into the files of an Io (memoryIo, diskIo); a cut download leaves nothing in the Io", async () => {
  const { diskIo, memoryIo } = await import("@cosocket/io");
  const root = await Deno.makeTempDir({ prefix: "cosocket_www_" });
  const jail = await Deno.makeTempDir({ prefix: "cosocket_io_" });
  const { rawServer } = await import("./_peers.ts");
  await using cut = rawServer(async (_, conn) => {
    await conn.write(new TextEncoder().encode("HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\n"));
    await conn.write(new Uint8Array(40_000));
  });
  try {
    const data = new Uint8Array(3 * 1024 * 1024 + 7).map((_, i) => i * 17);
    await Deno.writeFile(`${root}/file.bin`, data);
    await Deno.chmod(root, 0o755);
    await Deno.chmod(`${root}/file.bin`, 0o644);
    await using server = await nginx(root);
    await using app = await nodeServer(APP);
    await using client = httpm();
    const memory = memoryIo();
    const disk = diskIo(jail);
    for (const io of [memory, disk]) {
      const seen: number[] = [];
      const written = await client.download({
        url: `http://127.0.0.1:${server.port}/file.bin`,
        io,
        name: "got.bin",
        progress: (done) => seen.push(done),
      });
      strictEqual(written, data.length);
      strictEqual(seen.at(-1), data.length);
      strictEqual((await io.stat("got.bin"))!.size, data.length);
      const totals: (number | undefined)[] = [];
      strictEqual(
        await client.upload({
          url: `http://127.0.0.1:${app.port}/up`,
          data: { io, name: "got.bin" },
          progress: (_, total) => totals.push(total),
        }),
        200,
      );
      strictEqual(totals[0], data.length);
      const received = await fetch(`http://127.0.0.1:${app.port}/last`);
      strictEqual(await received.text(), sha(data));
      await rejects(
        Promise.resolve(
          client.download({ url: `http://127.0.0.1:${cut.port}/`, io, name: "cut.bin" }),
        ),
        (e: unknown) => e instanceof HttpError && e.code === "protocol",
      );
      strictEqual(await io.stat("cut.bin"), null);
    }
    strictEqual(sha(await Deno.readFile(`${jail}/got.bin`)), sha(data));
  } finally {
    await closePool();
    await Deno.remove(root, { recursive: true });
    await Deno.remove(jail, { recursive: true });
  }
});
