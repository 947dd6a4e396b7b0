// Tunnels through real proxies: Debian's tinyproxy (HTTP CONNECT, with and
// without Basic auth) and microsocks (SOCKS5, with and without
// username/password); a non-HTTP protocol (TLS to an echo server) end to end.
import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import { bind, run, type Socket } from "@cosocket/socket";
import {
  http2sock,
  httpc,
  HttpError,
  proxycon,
  proxyFromEnv,
  type ProxyOptions,
} from "@cosocket/http";
import { microsocks, tinyproxy } from "./_peers.ts";
import { assertClean } from "./_helpers.ts";

const TLS_DIR = new URL("../testdata/tls/", import.meta.url).pathname;
const CA = Deno.readTextFileSync(`${TLS_DIR}ca.pem`);
const AUTH = { user: "ada", password: "s3cret" };

function* echo(sock: Socket) {
  let data;
  while ((data = yield* sock.read()) !== null) yield* sock.write(data);
}

/** A TLS echo server for "localhost" (the test CA's certificate). */
function tlsEcho() {
  return bind(0, {
    hostname: "127.0.0.1",
    tls: {
      cert: Deno.readTextFileSync(`${TLS_DIR}server.pem`),
      key: Deno.readTextFileSync(`${TLS_DIR}server.key`),
    },
  }).event(function* (listener) {
    let client;
    while ((client = yield* listener.accept()) !== null) client.event(echo);
  });
}

async function viaTunnel(proxy: ProxyOptions, echoPort: number): Promise<string> {
  await using sock = await proxycon(proxy, `localhost:${echoPort}`, { tls: { caCerts: [CA] } });
  ok(sock.trusted("localhost"), "TLS to the target was verified through the tunnel");
  await sock.write("hello through the tunnel");
  return new TextDecoder().decode((await sock.readExactly(24))!);
}

Deno.test("proxy: TLS to an echo server through tinyproxy (CONNECT), without and with Basic auth", async () => {
  {
    await using echoServer = tlsEcho();
    const port = echoServer.sockname().port;
    {
      await using proxy = await tinyproxy();
      strictEqual(
        await viaTunnel({ host: "127.0.0.1", port: proxy.port }, port),
        "hello through the tunnel",
      );
    }
    {
      await using proxy = await tinyproxy(AUTH);
      strictEqual(
        await viaTunnel({ host: "127.0.0.1", port: proxy.port, ...AUTH }, port),
        "hello through the tunnel",
      );
      await rejects(
        viaTunnel({ host: "127.0.0.1", port: proxy.port }, port),
        // tinyproxy answers a failed Basic authentication with 401 (others use 407).
        (e: unknown) =>
          e instanceof HttpError && e.code === "proxy" && (e.status === 401 || e.status === 407),
      );
      await rejects(
        viaTunnel({ host: "127.0.0.1", port: proxy.port, user: "ada", password: "wrong" }, port),
        // tinyproxy answers a failed Basic authentication with 401 (others use 407).
        (e: unknown) =>
          e instanceof HttpError && e.code === "proxy" && (e.status === 401 || e.status === 407),
      );
    }
  }
  await assertClean();
});

Deno.test("proxy: TLS to an echo server through microsocks (SOCKS5), without and with credentials", async () => {
  {
    await using echoServer = tlsEcho();
    const port = echoServer.sockname().port;
    {
      await using proxy = await microsocks();
      strictEqual(
        await viaTunnel({ host: "127.0.0.1", port: proxy.port, type: "socks5" }, port),
        "hello through the tunnel",
      );
    }
    {
      await using proxy = await microsocks(AUTH);
      strictEqual(
        await viaTunnel({ host: "127.0.0.1", port: proxy.port, type: "socks5", ...AUTH }, port),
        "hello through the tunnel",
      );
      await rejects(
        viaTunnel({ host: "127.0.0.1", port: proxy.port, type: "socks5" }, port),
        (e: unknown) => e instanceof HttpError && e.code === "proxy",
      );
      await rejects(
        viaTunnel({
          host: "127.0.0.1",
          port: proxy.port,
          type: "socks5",
          user: "ada",
          password: "x",
        }, port),
        (e: unknown) => e instanceof HttpError && e.code === "proxy",
      );
    }
  }
  await assertClean();
});

Deno.test("proxy: HTTP requests through both proxies; proxycon + http2sock hands over the tunnel", async () => {
  await using app = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request) => new Response(`hi ${new URL(request.url).pathname}`),
  );
  await using http = await tinyproxy(AUTH);
  await using socks = await microsocks();
  for (
    const proxy of [
      { host: "127.0.0.1", port: http.port, ...AUTH },
      { host: "127.0.0.1", port: socks.port, type: "socks5" as const },
    ]
  ) {
    await using client = httpc({ proxy });
    await client.request({ url: `http://localhost:${app.addr.port}/x` });
    strictEqual(await client.text(), "hi /x");
  }
  await using echoServer = bind(0, { hostname: "127.0.0.1" }).event(function* (listener) {
    let client;
    while ((client = yield* listener.accept()) !== null) client.event(echo);
  });
  const client = httpc({
    proxy: { host: "127.0.0.1", port: socks.port, type: "socks5" },
    proxycon: true,
  });
  await client.request({ url: `http://127.0.0.1:${echoServer.sockname().port}/` });
  await using sock = http2sock(client);
  await sock.write("raw bytes");
  strictEqual(new TextDecoder().decode((await sock.readExactly(9))!), "raw bytes");
});

Deno.test("proxy: a proxy that is not there, or answers garbage, is a typed error; halting a wait cleans up", async () => {
  await rejects(Promise.resolve(proxycon({ host: "127.0.0.1", port: 1 }, "example.com:80")));
  // A fake SOCKS5 proxy answering with pseudo-random bytes: every answer is an
  // HttpError or a closed connection, never a hang (bounded: 200 runs).
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
  const fake = bind(0, { hostname: "127.0.0.1" }).event(function* (listener) {
    let client;
    while ((client = yield* listener.accept()) !== null) {
      client.event(function* (sock: Socket) {
        yield* sock.read();
        const reply = new Uint8Array(1 + (random() % 12)).map(() => random());
        if (random() % 2 === 0) reply[0] = 5;
        yield* sock.write(reply);
      });
    }
  });
  for (let i = 0; i < 200; i++) {
    await rejects(
      Promise.resolve(
        proxycon({ host: "127.0.0.1", port: fake.sockname().port, type: "socks5" }, "a.example:1", {
          timeout: 1000,
        }),
      ),
      (e: unknown) => e instanceof HttpError || (e instanceof Error && e.name === "SocketError"),
    );
  }
  // Halting a cosocket that waits for a proxy's answer.
  const silent = bind(0, { hostname: "127.0.0.1" }).event(function* (listener) {
    let client;
    while ((client = yield* listener.accept()) !== null) {
      client.event(function* (sock: Socket) {
        yield* sock.read();
        yield* sock.read();
      });
    }
  });
  const task = run(function* () {
    return yield* proxycon({ host: "127.0.0.1", port: silent.sockname().port }, "a.example:1");
  });
  await new Promise((resolve) => setTimeout(resolve, 50));
  await task.halt();
  await fake.close();
  await silent.close();
  await assertClean();
});

Deno.test("proxyFromEnv: HTTP_PROXY, HTTPS_PROXY, lower-case names first, NO_PROXY forms", () => {
  const env = {
    HTTP_PROXY: "http://ada:p%40ss@proxy.local:3128",
    https_proxy: "socks5h://10.0.0.1",
    HTTPS_PROXY: "http://ignored:1",
    NO_PROXY: "localhost, .internal,example.org:8443,[::1]",
  };
  deepStrictEqual(proxyFromEnv("http://example.com/", env), {
    host: "proxy.local",
    type: "http",
    port: 3128,
    user: "ada",
    password: "p@ss",
  });
  deepStrictEqual(proxyFromEnv("https://example.com/", env), { host: "10.0.0.1", type: "socks5" });
  for (
    const direct of [
      "http://localhost:8080/",
      "https://db.internal/",
      "https://example.org:8443/",
      "http://[::1]/",
    ]
  ) {
    strictEqual(proxyFromEnv(direct, env), undefined, direct);
  }
  deepStrictEqual(proxyFromEnv("https://example.org/", env)?.type, "socks5");
  strictEqual(proxyFromEnv("http://x/", { NO_PROXY: "*", HTTP_PROXY: "http://p:1" }), undefined);
  strictEqual(proxyFromEnv("http://x/", {}), undefined);
  let caught: unknown = null;
  try {
    proxyFromEnv("http://x/", { HTTP_PROXY: "ftp://p:1" });
  } catch (error) {
    caught = error;
  }
  ok(caught instanceof TypeError);
});

Deno.test('proxy: a client with proxy "env" goes through HTTP_PROXY (tinyproxy)', async () => {
  await using app = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("via env"),
  );
  await using proxy = await tinyproxy();
  Deno.env.set("HTTP_PROXY", `http://127.0.0.1:${proxy.port}`);
  try {
    await using client = httpc({ proxy: "env" });
    await client.request({ url: `http://localhost:${app.addr.port}/` });
    strictEqual(await client.text(), "via env");
  } finally {
    Deno.env.delete("HTTP_PROXY");
  }
});
