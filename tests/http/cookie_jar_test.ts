// The cookie jar: RFC 6265 storage and matching rules, and cookies carried
// across a redirect to another path against Node's http module.
import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { CookieJar, http, parseSetCookie } from "@cosocket/http";
import { nodeServer } from "./_peers.ts";

const T0 = Date.UTC(2026, 11, 3, 12, 0, 0);

Deno.test("cookie jar: domain, host-only, path, Secure, Max-Age over Expires, deletion", () => {
  const jar = new CookieJar();
  jar.setCookies("https://www.example.com/app/page", [
    "host=1",
    "wide=2; Domain=example.com",
    "root=3; Path=/",
    "secure=4; Secure; Path=/",
    "aged=5; Max-Age=60; Expires=Wed, 01 Jan 2020 00:00:00 GMT; Path=/",
    "gone=6; Expires=Wed, 01 Jan 2020 00:00:00 GMT",
    "tld=7; Domain=com",
    "other=8; Domain=other.org",
    "ip=9; Domain=10.0.0.1",
  ], T0);
  strictEqual(
    jar.cookieHeader("https://www.example.com/app/x", T0),
    "host=1; wide=2; root=3; secure=4; aged=5",
  );
  strictEqual(
    jar.cookieHeader("http://www.example.com/app/x", T0),
    "host=1; wide=2; root=3; aged=5",
  );
  strictEqual(jar.cookieHeader("https://api.example.com/", T0), null);
  strictEqual(jar.cookieHeader("https://api.example.com/app/y", T0), "wide=2");
  strictEqual(jar.cookieHeader("https://www.example.com/", T0 + 61_000), "root=3; secure=4");
  jar.setCookies("https://www.example.com/", ["root=; Max-Age=0; Path=/"], T0 + 62_000);
  strictEqual(jar.cookieHeader("https://www.example.com/", T0 + 62_000), "secure=4");
  // A Secure cookie from plain http is not stored; HttpOnly and SameSite are kept.
  jar.setCookies("http://www.example.com/", ["s=1; Secure", "flags=1; HttpOnly; SameSite=Lax"], T0);
  const flags = jar.cookies().find((c) => c.name === "flags")!;
  deepStrictEqual([flags.httpOnly, flags.sameSite, jar.cookies().some((c) => c.name === "s")], [
    true,
    "Lax",
    false,
  ]);
});

Deno.test("cookie jar: a login cookie set on a redirect is sent to where the redirect leads", async () => {
  await using app = await nodeServer(`
import http from "node:http";
const server = http.createServer((req, res) => {
  if (req.url === "/login") {
    res.writeHead(302, { location: "/home", "set-cookie": "session=xyz; Path=/; HttpOnly" });
    return res.end();
  }
  res.end("cookie: " + (req.headers.cookie ?? "none"));
});
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
`);
  const jar = new CookieJar();
  await using client = http({ cookieJar: jar, persistent: false });
  await client.request({ url: `http://127.0.0.1:${app.port}/login` });
  strictEqual(await client.text(), "cookie: session=xyz");
  strictEqual(jar.cookies().length, 1);
});

Deno.test("parseSetCookie() splits name, value and attributes; a header the RFC ignores is null", () => {
  deepStrictEqual(parseSetCookie(" id = a=b ; Path=/x; path=/y ;Secure; SameSite = Lax ; ;"), {
    name: "id",
    value: "a=b",
    attributes: { path: "/y", secure: "", samesite: "Lax" },
  });
  strictEqual(parseSetCookie("no-equals-sign; Path=/"), null);
  strictEqual(parseSetCookie("=value"), null);
  strictEqual(parseSetCookie("a=b\x01c"), null);
  // The jar reads every occurrence: an empty Domain after a valid one does not undo it.
  const jar = new CookieJar();
  jar.setCookies(new URL("http://www.example.com/"), ["d=1; Domain=example.com; Domain="]);
  strictEqual(jar.cookieHeader(new URL("http://api.example.com/")), "d=1");
});
