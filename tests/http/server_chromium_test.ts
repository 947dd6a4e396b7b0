// Headless Chromium against the HTTP server: a page, a fetch POST from it, an EventSource
// that reconnects with Last-Event-ID after the server ends the stream, and a WebSocket, all
// on one servcon port.
import { deepStrictEqual, equal } from "node:assert/strict";
import { servcon, type ServerRequest, type ServerResponse, sse } from "@cosocket/http";
import { sleep } from "@cosocket/socket";
import { upgrade } from "@cosocket/websocket";
import { launchChromium, within } from "../websocket/_peers.ts";
import { assertClean } from "./_helpers.ts";

/** What the page's script puts on globalThis. */
interface PageGlobals {
  events: [string, string][];
  post(text: string): Promise<string>;
  socket(): Promise<string>;
}

const PAGE = `<!doctype html><meta charset="utf-8"><title>cosocket</title>
<script>
  globalThis.events = [];
  const source = new EventSource("/events");
  source.addEventListener("tick", (e) => events.push([e.data, e.lastEventId]));
  globalThis.post = async (text) => (await fetch("/echo", { method: "POST", body: text })).text();
  globalThis.socket = () => new Promise((resolve, reject) => {
    const ws = new WebSocket("ws://" + location.host + "/ws");
    ws.onopen = () => ws.send("ping from the page");
    ws.onmessage = (e) => { resolve(e.data); ws.close(); };
    ws.onerror = () => reject(new Error("WebSocket failed"));
  });
</script><p id="state">loaded</p>`;

Deno.test("Chromium: page, fetch, EventSource with reconnect and WebSocket on one server", async () => {
  const lastIds: (string | null)[] = [];
  {
    await using server = servcon(0, function* (request: ServerRequest, response: ServerResponse) {
      switch (request.pathname) {
        case "/":
          response.headers.set("content-type", "text/html; charset=utf-8");
          return yield* response.send(PAGE);
        case "/echo":
          return yield* response.send(`echo: ${yield* request.text()}`);
        case "/ws": {
          const ws = yield* upgrade(request);
          const message = yield* ws.readMessage();
          yield* ws.write(`${message} back`, true);
          return;
        }
        case "/events": {
          const events = yield* sse(request, { heartbeat: 1000 });
          lastIds.push(events.lastEventId);
          if (events.lastEventId === null) {
            // Tell the browser to come back quickly, send two events and end the stream.
            yield* events.send({ event: "tick", data: "one", id: "1", retry: 50 });
            yield* events.send({ event: "tick", data: "two\nlines", id: "2" });
            events.close();
            return;
          }
          yield* events.send({
            event: "tick",
            data: `resumed after ${events.lastEventId}`,
            id: "3",
          });
          while (!events.closed) yield* sleep(50);
          return;
        }
        default:
          response.status = 404;
      }
    }, { hostname: "127.0.0.1" });
    await using chrome = await launchChromium();
    const page = await chrome.context.newPage();
    const loaded = await within(page.goto(`http://127.0.0.1:${server.port}/`), "loading the page");
    equal(loaded?.status(), 200);
    equal(await page.textContent("#state"), "loaded");
    equal(
      await within(page.evaluate(() => (globalThis as unknown as PageGlobals).post("hi")), "fetch"),
      "echo: hi",
    );
    equal(
      await within(
        page.evaluate(() => (globalThis as unknown as PageGlobals).socket()),
        "WebSocket",
      ),
      "ping from the page back",
    );
    await within(
      page.waitForFunction(() => (globalThis as unknown as PageGlobals).events.length >= 3),
      "three events over two EventSource connections",
    );
    deepStrictEqual(await page.evaluate(() => (globalThis as unknown as PageGlobals).events), [
      ["one", "1"],
      ["two\nlines", "2"],
      ["resumed after 2", "3"],
    ]);
    deepStrictEqual(lastIds.slice(0, 2), [null, "2"]);
    await page.close();
  }
  await assertClean();
});
