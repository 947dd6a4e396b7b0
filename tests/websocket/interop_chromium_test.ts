// Interop with headless Chromium (Debian's /usr/bin/chromium, driven by npm playwright-core):
// the browser loads a page served by our stack (our listener reads the request with
// readRequest(); GET / gets the HTML, the WebSocket request goes to upgrade()), and the page
// exchanges text, binary, large, fragmented and compressed messages with our server, over ws://
// and, with the test CA trusted by Chromium, over wss://.
import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import type { Page } from "npm:playwright-core@1.65.1";
import type { PerMessageDeflateOptions } from "@cosocket/websocket";
import {
  assertNoSockets,
  compressibleText,
  countingProxy,
  delay,
  HEARTBEAT,
  launchChromium,
  ourServer,
  type OurServerOptions,
  type PeerReply,
  pseudoRandomBytes,
  sha256,
  within,
} from "./_peers.ts";

const MiB = 1 << 20;
const PAGE = Deno.readTextFileSync(
  new URL("../testdata/websocket/interop_chromium_page.html", import.meta.url),
);

/** Our server answering GET / with the test page. */
function pageServer(options: OurServerOptions = {}) {
  return ourServer({ page: PAGE, ...options });
}

/** Calls `t[name](...args)` in the page. */
function call(page: Page, name: string, ...args: unknown[]): Promise<PeerReply> {
  return within(
    page.evaluate(
      // deno-lint-ignore no-explicit-any
      ([name, args]) => (globalThis as any).t[name as string](...(args as unknown[])),
      [name, args] as const,
    ),
    `the page's t.${name}()`,
  );
}

async function loadPage(page: Page, url: string): Promise<void> {
  const response = await within(page.goto(url), `loading ${url}`);
  equal(response?.status(), 200);
  equal(await page.textContent("#state"), "loaded");
}

Deno.test("Chromium: a page served by our stack talks to our server over ws://", async (t) => {
  {
    await using chrome = await launchChromium();
    const page = await chrome.context.newPage();

    await t.step("text, binary and empty messages", async () => {
      await using server = pageServer();
      await loadPage(page, `http://127.0.0.1:${server.port}/`);
      const opened = await call(page, "open", server.url("/socket"), []);
      deepEqual(opened, { protocol: "", extensions: "" });
      const conn = await server.next();
      equal(conn.request.path, "/socket");
      equal(conn.request.headers.get("origin"), `http://127.0.0.1:${server.port}`);
      for (const text of ["hello", "", "h\u00e9llo \u2603 \u{1F600}"]) {
        await call(page, "sendText", text);
        deepEqual(await call(page, "next"), { type: "text", text });
      }
      for (const bytes of [new Uint8Array([0, 1, 255]), new Uint8Array(0)]) {
        await call(page, "sendBytes", bytes.toBase64());
        const got = await call(page, "next");
        deepEqual([got.type, got.b64], ["binary", bytes.toBase64()]);
      }
      // Our fragmented messages arrive whole.
      await call(page, "sendText", "cmd:fragments:text:frag|men|ted \u2603");
      deepEqual(await call(page, "next"), { type: "text", text: "fragmented \u2603" });
      await call(page, "sendText", "cmd:fragments:binary:ab|c");
      equal((await call(page, "next")).b64, new TextEncoder().encode("abc").toBase64());
      const closed = await call(page, "close", 1000, "done");
      deepEqual([closed.code, closed.wasClean], [1000, true]);
      equal((await within(conn.ended, "our connection's end")).closeReason, "done");
    });

    await t.step("1 MiB and 16 MiB messages both ways", async () => {
      await using server = pageServer();
      await loadPage(page, `http://127.0.0.1:${server.port}/`);
      await call(page, "open", server.url(), []);
      await server.next();
      for (const [length, seed] of [[MiB, 131], [16 * MiB, 132]] as const) {
        const digest = await call(page, "sendRandom", length);
        const echoed = await call(page, "next");
        deepEqual([echoed.type, echoed.length, echoed.sha256], ["binary", length, digest]);
        await call(page, "sendText", `cmd:random:${length}:${seed}`);
        const ours = await call(page, "next");
        equal(ours.sha256, await sha256(pseudoRandomBytes(length, seed)));
      }
      const text = compressibleText(4 * MiB);
      await call(page, "sendText", text);
      const back = await call(page, "next");
      ok(back.text === text, "a 4 MiB text message came back changed");
      await call(page, "close", 1000, "");
    });

    await t.step("close handshakes both directions with codes and reasons", async () => {
      await using server = pageServer();
      await loadPage(page, `http://127.0.0.1:${server.port}/`);
      await call(page, "open", server.url(), []);
      let conn = await server.next();
      const closed = await call(page, "close", 4001, "browser leaves \u2603");
      deepEqual([closed.code, closed.wasClean], [4001, true]);
      let ended = await within(conn.ended, "our connection's end");
      deepEqual([ended.closeCode, ended.closeReason, ended.error], [
        4001,
        "browser leaves \u2603",
        null,
      ]);

      await call(page, "open", server.url(), []);
      conn = await server.next();
      await call(page, "sendText", "cmd:close:4002:server leaves \u2603");
      deepEqual(await call(page, "closed"), {
        type: "close",
        code: 4002,
        reason: "server leaves \u2603",
        wasClean: true,
      });
      ended = await within(conn.ended, "our connection's end");
      equal(ended.closeCode, 4002);
    });

    await t.step("subprotocol selection and the Origin check", async () => {
      await using server = pageServer({
        upgrade: {
          protocols: (offered) => offered.includes("chat.v1") ? "chat.v1" : null,
          origin: (origin) => origin?.startsWith("http://127.0.0.1:") ?? false,
        },
      });
      await loadPage(page, `http://127.0.0.1:${server.port}/`);
      const opened = await call(page, "open", server.url(), ["x-other", "chat.v1"]);
      equal(opened.protocol, "chat.v1");
      const conn = await server.next();
      equal(conn.ws.protocol, "chat.v1");
      await call(page, "close", 1000, "");
      // A page from another origin (localhost is another origin than 127.0.0.1) is refused.
      await loadPage(page, `http://localhost:${server.port}/`);
      await rejects(call(page, "open", server.url(), ["chat.v1"]), /WebSocket error/);
      equal(server.handshakeErrors.length, 1);
    });

    await t.step("pings from our server are answered (heartbeat stays up)", async () => {
      await using server = pageServer({ upgrade: { heartbeat: HEARTBEAT } });
      await loadPage(page, `http://127.0.0.1:${server.port}/`);
      await call(page, "open", server.url(), []);
      const conn = await server.next();
      await call(page, "sendText", "cmd:ping:explicit");
      // Idle for 6 heartbeats: an unanswered ping would have dropped the connection.
      await delay(6 * HEARTBEAT);
      await call(page, "sendText", "still here");
      deepEqual(await call(page, "next"), { type: "text", text: "still here" });
      equal(conn.ws.state().connected, true);
      await call(page, "close", 1000, "");
    });
    await page.close();
  }
  await assertNoSockets();
});

/** Our server's permessage-deflate settings; Chromium offers `client_max_window_bits`. */
const DEFLATE_CASES: { name: string; ours: PerMessageDeflateOptions; expect: string }[] = [
  { name: "defaults", ours: {}, expect: "permessage-deflate" },
  {
    name: "no context takeover both ways",
    ours: { serverNoContextTakeover: true, clientNoContextTakeover: true },
    expect: "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
  },
  {
    // Chromium does not offer server_max_window_bits, so our server compresses with its 9-bit
    // window without announcing it (RFC 7692 §7.1.2.1: answered only when offered).
    name: "window bits 9 both ways",
    ours: { serverMaxWindowBits: 9, clientMaxWindowBits: 9 },
    expect: "permessage-deflate; client_max_window_bits=9",
  },
  {
    name: "client window bits 12",
    ours: { clientMaxWindowBits: 12 },
    expect: "permessage-deflate; client_max_window_bits=12",
  },
];

Deno.test("Chromium: permessage-deflate with our server", async (t) => {
  {
    await using chrome = await launchChromium();
    const page = await chrome.context.newPage();
    for (const { name, ours, expect } of DEFLATE_CASES) {
      await t.step(name, async () => {
        await using server = pageServer({ upgrade: { perMessageDeflate: ours } });
        // The page's WebSocket goes through a byte-counting proxy to see the wire.
        await using proxy = countingProxy(server.port);
        await loadPage(page, `http://127.0.0.1:${server.port}/`);
        const opened = await call(page, "open", `ws://127.0.0.1:${proxy.port}/`, []);
        const conn = await server.next();
        equal(
          conn.request.headers.get("sec-websocket-extensions"),
          "permessage-deflate; client_max_window_bits",
        );
        equal(opened.extensions, expect);
        equal(conn.ws.extensions, expect);

        let plain = 0;
        const [up, down] = [proxy.up, proxy.down];
        for (let round = 0; round < 4; round++) {
          const text = compressibleText(200_000 + round);
          plain += text.length;
          await call(page, "sendText", text);
          ok((await call(page, "next")).text === text, "a compressed message came back changed");
        }
        // Both directions were compressed on the wire.
        ok(proxy.up - up < plain / 5, `browser -> server: ${proxy.up - up} bytes for ${plain}`);
        ok(
          proxy.down - down < plain / 5,
          `server -> browser: ${proxy.down - down} bytes for ${plain}`,
        );

        const digest = await call(page, "sendRandom", 2 * MiB);
        equal((await call(page, "next")).sha256, digest);
        await call(page, "sendText", "cmd:text:3000000");
        ok((await call(page, "next")).text === compressibleText(3_000_000));
        await call(page, "sendText", "cmd:fragments:text:compressed |and |fragmented");
        equal((await call(page, "next")).text, "compressed and fragmented");
        await call(page, "sendText", "");
        equal((await call(page, "next")).text, "");
        const closed = await call(page, "close", 1000, "");
        equal(closed.wasClean, true);
        await within(conn.ended, "our connection's end");
      });
    }
    await page.close();
  }
  await assertNoSockets();
});

Deno.test("Chromium: https:// page and wss:// with the test CA trusted, compressed", async () => {
  {
    await using server = pageServer({ tls: true, upgrade: { perMessageDeflate: true } });
    {
      // Without the CA, Chromium refuses the page: certificate checks are really on.
      await using untrusting = await launchChromium();
      const page = await untrusting.context.newPage();
      await rejects(page.goto(`https://localhost:${server.port}/`), /ERR_CERT_AUTHORITY_INVALID/);
      await page.close();
    }
    await using chrome = await launchChromium({ trustTestCa: true });
    const page = await chrome.context.newPage();
    await loadPage(page, `https://localhost:${server.port}/`);
    const opened = await call(page, "open", server.url("/", "localhost"), []);
    equal(opened.extensions, "permessage-deflate");
    const conn = await server.next();
    ok(conn.ws.secure);
    const digest = await call(page, "sendRandom", 4 * MiB);
    equal((await call(page, "next")).sha256, digest);
    await call(page, "sendText", "cmd:text:1000000");
    ok((await call(page, "next")).text === compressibleText(1_000_000));
    const closed = await call(page, "close", 4003, "secure bye");
    deepEqual([closed.code, closed.wasClean], [4003, true]);
    equal((await within(conn.ended, "our connection's end")).closeReason, "secure bye");
    await page.close();
  }
  await assertNoSockets();
});
