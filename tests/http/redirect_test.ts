// The seed's "http" layer: defaults at creation and redirects, against Node's
// http module (and a TLS Deno.serve for the https → http downgrade).
import { deepStrictEqual, rejects, strictEqual } from "node:assert/strict";
import { closePool } from "@cosocket/socket";
import { http, HttpError } from "@cosocket/http";
import { nodeServer } from "./_peers.ts";

const APP = `
import http from "node:http";
const server = http.createServer(async (req, res) => {
  let length = 0;
  for await (const chunk of req) length += chunk.length;
  const url = new URL(req.url, "http://x");
  const go = (status, location) => { res.writeHead(status, { location }); res.end(); };
  switch (url.pathname) {
    case "/a": return go(301, "/b");
    case "/b": return go(302, "/c?from=b");
    case "/c": return res.end("c " + req.method + " " + url.search);
    case "/see-other": return go(303, "/echo");
    case "/temporary": return go(307, "/echo");
    case "/found": return go(302, "/echo");
    case "/echo": return res.end(req.method + " " + length);
    case "/loop": return go(302, "/loop2");
    case "/loop2": return go(302, "/loop");
    case "/many": return go(302, "/many?n=" + (Number(url.searchParams.get("n") ?? 0) + 1));
    case "/away": return go(302, "http://localhost:" + url.searchParams.get("to") + "/auth");
    case "/auth": return res.end(JSON.stringify([req.headers.authorization ?? null, req.headers.cookie ?? null]));
    default: res.writeHead(404); return res.end();
  }
});
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
`;

Deno.test("redirects: a 301 → 302 chain with defaults from creation; url() is the final URL", async () => {
  await using app = await nodeServer(APP);
  {
    await using client = http({
      url: `http://127.0.0.1:${app.port}/a`,
      header: { "x-default": "1" },
    });
    await client.request();
    strictEqual(await client.status(), 200);
    strictEqual(await client.text(), "c GET ?from=b");
    strictEqual(client.url()!.pathname, "/c");
    await client.request({ method: "HEAD" });
    strictEqual(await client.status(), 200);
    await client.read();
  }
  await closePool();
});

Deno.test("redirects: 303 and 302 turn POST into GET; 307 keeps the method and sends the body again", async () => {
  await using app = await nodeServer(APP);
  {
    await using client = http({ persistent: false });
    const base = `http://127.0.0.1:${app.port}`;
    for (
      const [path, expected] of [["/see-other", "GET 0"], ["/found", "GET 0"], [
        "/temporary",
        "POST 5",
      ]]
    ) {
      await client.request({ url: `${base}${path}`, method: "POST", body: "hello" });
      strictEqual(await client.text(), expected, path);
    }
  }
});

Deno.test("redirects: loops and too many redirects are refused", async () => {
  await using app = await nodeServer(APP);
  await using client = http({ persistent: false, maxRedirects: 5 });
  await rejects(
    Promise.resolve(client.request({ url: `http://127.0.0.1:${app.port}/loop` })),
    (e: unknown) => e instanceof HttpError && e.code === "redirect" && e.message.includes("loop"),
  );
  await rejects(
    Promise.resolve(client.request({ url: `http://127.0.0.1:${app.port}/many` })),
    (e: unknown) =>
      e instanceof HttpError && e.code === "redirect" && e.message.includes("more than 5"),
  );
});

Deno.test("redirects: Authorization and Cookie are dropped when the redirect leaves the origin", async () => {
  await using app = await nodeServer(APP);
  await using other = await nodeServer(APP);
  await using client = http({ persistent: false });
  await client.request({
    url: `http://127.0.0.1:${app.port}/away?to=${other.port}`,
    user: "ada",
    password: "secret",
    header: { cookie: "session=1" },
  });
  deepStrictEqual(await client.readJson(), [null, null]);
  // Same origin keeps them.
  await client.request({
    url: `http://127.0.0.1:${app.port}/auth`,
    user: "ada",
    password: "secret",
    header: { cookie: "session=1" },
  });
  deepStrictEqual(await client.readJson(), ["Basic YWRhOnNlY3JldA==", "session=1"]);
  // The caller's Headers object is read, never changed: not by the fields
  // the client adds (Host), not by the ones a redirect drops.
  const given = new Headers({ authorization: "Bearer token", cookie: "session=2" });
  await client.request({
    url: `http://127.0.0.1:${app.port}/away?to=${other.port}`,
    header: given,
  });
  deepStrictEqual(await client.readJson(), [null, null]);
  deepStrictEqual([...given], [["authorization", "Bearer token"], ["cookie", "session=2"]]);
  await client.request({ url: `http://127.0.0.1:${app.port}/auth`, header: given });
  deepStrictEqual(await client.readJson(), ["Bearer token", "session=2"]);
});

Deno.test("redirects: https → http is refused unless allowDowngrade", async () => {
  const dir = new URL("../testdata/tls/", import.meta.url).pathname;
  await using app = await nodeServer(APP);
  await using secure = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen() {},
    cert: Deno.readTextFileSync(`${dir}server.pem`),
    key: Deno.readTextFileSync(`${dir}server.key`),
  }, () => Response.redirect(`http://127.0.0.1:${app.port}/c`, 302));
  const tls = { caCerts: [Deno.readTextFileSync(`${dir}ca.pem`)] };
  const url = `https://localhost:${secure.addr.port}/`;
  {
    await using client = http({ persistent: false, tls });
    await rejects(
      Promise.resolve(client.request({ url })),
      (e: unknown) =>
        e instanceof HttpError && e.code === "redirect" && e.message.includes("allowDowngrade"),
    );
  }
  {
    await using client = http({ persistent: false, tls, allowDowngrade: true });
    await client.request({ url });
    strictEqual(await client.text(), "c GET ");
  }
});
