// The trace buffer, request tracing, the rotating log file, and the live viewer: its
// WebSocket protocol (one client at a time, garbage refused) and the page in Chromium.
import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { servcon, type ServerRequest, type ServerResponse } from "@cosocket/http";
import { connect } from "@cosocket/websocket";
import { TraceBuffer, traceBuffer, traceLogger, tracep, traceRequests } from "@cosocket/trace";
import { launchChromium, within } from "../websocket/_peers.ts";
import { assertClean } from "../http/_helpers.ts";

const SERVICE = "/rtl/tracelogger/tracelogger.service/";

/** The page's document, as far as these checks use it (the DOM is not typed on this side). */
type PageGlobal = { document: { querySelector(s: string): { textContent: string | null } | null } };

Deno.test("trace buffer: bounded ring, priorities, listeners", () => {
  const buffer = new TraceBuffer({ capacity: 3 });
  const seen: string[] = [];
  const stop = buffer.subscribe((entry) => seen.push(entry.text));
  for (const text of ["a", "b", "c", "d"]) buffer.add(5, text);
  equal(buffer.add(6, "too chatty"), false);
  buffer.configure({ priority: 9 });
  equal(buffer.add(6, "now kept"), true);
  stop();
  buffer.add(1, "after");
  deepStrictEqual(buffer.entries().map((entry) => entry.text), ["d", "now kept", "after"]);
  deepStrictEqual(seen, ["a", "b", "c", "d", "now kept"]);
});

Deno.test("traceRequests: request line, headers, response headers and bodies as the settings say", async () => {
  const buffer = new TraceBuffer();
  buffer.configure({
    request: true,
    requestHeaders: true,
    responseHeaders: true,
    responseBody: true,
  });
  {
    await using server = servcon(
      0,
      traceRequests(function* (_request: ServerRequest, response: ServerResponse) {
        response.headers.set("x-answer", "42");
        yield* response.write("body text");
      }, buffer),
      { hostname: "127.0.0.1" },
    );
    await (await fetch(`http://127.0.0.1:${server.port}/q?x=1`, { headers: { "x-ask": "why" } }))
      .text();
  }
  const lines = buffer.entries().map((entry) => entry.text);
  ok(lines.includes("GET /q?x=1 HTTP/1.1"), lines.join("\n"));
  ok(lines.includes("> x-ask: why"), lines.join("\n"));
  ok(lines.includes("body: body text"), lines.join("\n"));
  ok(lines.includes("< 200"), lines.join("\n"));
  ok(lines.includes("< x-answer: 42"), lines.join("\n"));
  await assertClean();
});

Deno.test("trace logger: a rotating log file keeps the newest lines", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const buffer = new TraceBuffer();
    const logger = traceLogger({
      buffer,
      logFile: { path: `${dir}/trace.log`, maxSize: 300, keep: 2 },
    });
    for (let i = 0; i < 40; i++) buffer.add(5, `line ${String(i).padStart(2, "0")}`);
    await logger.close();
    const names = (await Array.fromAsync(Deno.readDir(dir))).map((entry) => entry.name).sort();
    deepStrictEqual(names, ["trace.log", "trace.log.1", "trace.log.2"]);
    const newest = await Deno.readTextFile(`${dir}/trace.log`);
    ok(newest.trimEnd().endsWith("[5] line 39"), newest);
    ok((await Deno.stat(`${dir}/trace.log`)).size <= 300);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("trace logger: one viewer at a time, settings from the viewer, garbage refused", async () => {
  const buffer = new TraceBuffer();
  buffer.add(5, "before anyone looked");
  const clients: number[] = [];
  {
    await using logger = traceLogger({ buffer });
    logger.onclient((connected) => clients.push(connected));
    await using server = servcon(0, logger.handler, { hostname: "127.0.0.1" });
    const url = `ws://127.0.0.1:${server.port}${SERVICE}`;
    const first = await connect(url);
    deepStrictEqual(
      JSON.parse((await first.readMessage()) as string).map((e: { text: string }) => e.text),
      [
        "before anyone looked",
      ],
    );
    buffer.add(1, "live line");
    equal(JSON.parse((await first.readMessage()) as string)[0].text, "live line");
    await first.write(JSON.stringify({ configure: { priority: 2, request: true, junk: 1 } }), true);
    // The second viewer replaces the first.
    const second = await connect(url);
    await second.readMessage();
    equal(await first.readMessage(), null);
    equal(first.closeCode, 4000);
    equal(buffer.settings.priority, 2);
    equal(buffer.settings.request, true);
    await second.write("not a command", true);
    equal(await second.readMessage(), null);
    equal(second.closeCode, 1008);
    for (let i = 0; i < 500 && logger.connected; i++) await new Promise((r) => setTimeout(r, 10));
    equal(logger.connected, false);
    await first.close();
    await second.close();
  }
  deepStrictEqual(clients, [1, 0]);
  await assertClean();
});

Deno.test("trace logger: lines traced on the server appear on the viewer page in Chromium", async () => {
  {
    await using logger = traceLogger();
    await using server = servcon(0, logger.handler, { hostname: "127.0.0.1" });
    await using chrome = await launchChromium();
    const page = await chrome.context.newPage();
    const loaded = await within(
      page.goto(`http://127.0.0.1:${server.port}/rtl/tracelogger/`),
      "the viewer",
    );
    equal(loaded?.status(), 200);
    await within(
      page.waitForFunction(() =>
        (globalThis as unknown as PageGlobal).document.querySelector("#state")?.textContent ===
          "connected"
      ),
      "connect",
    );
    const marker = `traced at ${Date.now()}`;
    tracep(1, marker);
    await within(
      page.waitForFunction(
        (text) =>
          ((globalThis as unknown as PageGlobal).document.querySelector("#log")?.textContent ?? "")
            .includes(text),
        marker,
      ),
      "the traced line on the page",
    );
    equal(traceBuffer.entries().at(-1)?.text, marker);
    await page.close();
  }
  await assertClean();
});
